/**
 * The words the generator draws names, attributes, paths and comments from: the transforms'
 * needles and their neighbours, so that generated files are full of things a CUDA transform
 * looks at (and of near misses it must leave alone).
 */

/** The transforms' needles and their neighbours. */
export const NEEDLES = [
  'cudatoolkit',
  'cudatoolkit_11',
  'cudatoolkit_12',
  'cudatoolkit_10_2',
  'cudatoolkit_11_8',
  'cudaPackages',
  'cudaPackages_12',
  'cudaPackages_11_8',
  'cudaPackages_10_2',
  'symlinkJoin',
  'buildEnv',
  'addOpenGLRunpath',
  'addDriverRunpath',
  'autoAddOpenGLRunpathHook',
  'autoAddDriverRunpath',
] as const;

export const PLAIN_NAMES = [
  'lib', 'stdenv', 'fetchurl', 'fetchFromGitHub', 'cmake', 'ninja', 'pkg-config', 'python3', 'zlib', 'openssl', 'makeWrapper',
  'autoPatchelfHook', 'config', 'cudaSupport', 'enableCuda', 'pkgs', 'cudnn', 'nccl', 'perl', 'gfortran', 'blas', 'numpy',
  'callPackage', 'runCommand', 'writeShellScript', 'glibc', 'x', 'y', 'foo', 'bar_baz', "foo'", 'self', 'super',
];

/** Attributes of a CUDA package set. */
export const CUDA_COMPONENTS = [
  'cuda_cudart', 'cuda_nvcc', 'cuda_cccl', 'libcublas', 'libcufft', 'libcurand', 'libcusparse', 'libcusolver', 'cuda_cupti',
  'cuda_nvrtc', 'cuda_nvml_dev', 'cuda_profiler_api', 'cudnn', 'nccl', 'libnpp', 'cudatoolkit', 'autoAddOpenGLRunpathHook',
  'cudaVersion', 'cudaMajorMinorVersion', 'backendStdenv',
];

/** Attributes selected on the toolkit (and friends). */
export const TOOLKIT_ATTRS = ['lib', 'out', 'dev', 'cc', 'version', 'majorVersion', 'static', 'doc', 'driverLink', 'cc.stdenv', 'passthru.foo', 'bin'];

export const TOOLKIT_PATHS = [
  '/lib', '/lib64', '/lib/stubs', '/lib/libcudart.so', '/lib64/libcublas.so', '/lib/stubs/libcuda.so', '/bin/nvcc', '/bin/ptxas',
  '/include', '/include/cufft.h', '/nvvm/libdevice', '/extras/CUPTI/lib64', '/nsight-compute', '', '/share', '/lib/libnvrtc.so.12',
];

export const EVIDENCE_WORDS = ['cublas', 'cufft', 'curand', 'cusparse', 'cusolver', 'nvrtc', 'cupti', 'nvml', 'thrust', 'npp', 'cudnn', 'nccl'];

export const TRANSFORM_NAMES = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'];

export const KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);
