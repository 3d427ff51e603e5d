/**
 * CUDA library names → the `cudaPackages` attribute that ships them (docs/cuda.md, "Sonames and
 * library names"). One table for every evidence source: a `-l` flag (`-lcublas`), a CMake target
 * (`CUDA::cublas`), a name loaded at run time (`libcublas.so`) and a `DT_NEEDED` soname
 * (`libcublas.so.12`) all reduce to the base name `cublas`.
 */

/** Base library name (without `lib`, extension or version) → package. */
export const LIBRARY_PACKAGE: ReadonlyMap<string, string> = new Map([
  ['cudart', 'cuda_cudart'],
  ['cudart_static', 'cuda_cudart'],
  ['cudadevrt', 'cuda_cudart'],
  ['culibos', 'cuda_cudart'],
  ['cublas', 'libcublas'],
  ['cublasLt', 'libcublas'],
  ['nvblas', 'libcublas'],
  ['cufft', 'libcufft'],
  ['cufftw', 'libcufft'],
  ['curand', 'libcurand'],
  ['cusolver', 'libcusolver'],
  ['cusolverMg', 'libcusolver'],
  ['cusparse', 'libcusparse'],
  ['nppc', 'libnpp'],
  ['nppial', 'libnpp'],
  ['nppicc', 'libnpp'],
  ['nppicom', 'libnpp'],
  ['nppidei', 'libnpp'],
  ['nppif', 'libnpp'],
  ['nppig', 'libnpp'],
  ['nppim', 'libnpp'],
  ['nppist', 'libnpp'],
  ['nppisu', 'libnpp'],
  ['nppitc', 'libnpp'],
  ['npps', 'libnpp'],
  ['nvjpeg', 'libnvjpeg'],
  ['nvrtc', 'cuda_nvrtc'],
  ['nvrtc-builtins', 'cuda_nvrtc'],
  ['nvJitLink', 'libnvjitlink'],
  ['nvToolsExt', 'cuda_nvtx'],
  ['cupti', 'cuda_cupti'],
  ['nvperf_host', 'cuda_cupti'],
  ['nvperf_target', 'cuda_cupti'],
  ['nvvm', 'cuda_nvcc'],
  ['nvptxcompiler_static', 'cuda_nvcc'],
  ['cufile', 'libcufile'],
  ['cufile_rdma', 'libcufile'],
  ['cudnn', 'cudnn'],
  // cuDNN 9 splits the library by function; cuDNN 8 by function and by inference/training.
  ['cudnn_ops', 'cudnn'],
  ['cudnn_cnn', 'cudnn'],
  ['cudnn_adv', 'cudnn'],
  ['cudnn_graph', 'cudnn'],
  ['cudnn_engines_precompiled', 'cudnn'],
  ['cudnn_engines_runtime_compiled', 'cudnn'],
  ['cudnn_heuristic', 'cudnn'],
  ['cudnn_ops_infer', 'cudnn'],
  ['cudnn_ops_train', 'cudnn'],
  ['cudnn_cnn_infer', 'cudnn'],
  ['cudnn_cnn_train', 'cudnn'],
  ['cudnn_adv_infer', 'cudnn'],
  ['cudnn_adv_train', 'cudnn'],
  ['nccl', 'nccl'],
  ['cutensor', 'libcutensor'],
  ['cutensorMg', 'libcutensor'],
  ['cusparseLt', 'libcusparse_lt'],
  ['nvinfer', 'tensorrt'],
  ['nvinfer_plugin', 'tensorrt'],
  ['nvonnxparser', 'tensorrt'],
]);

/**
 * Libraries of the driver, not of any package: at run time they come from the driver
 * (`autoAddDriverRunpath`); a build links against stubs (`cuda` → the stubs of `cuda_cudart`,
 * `nvidia-ml` → `cuda_nvml_dev`).
 */
export const DRIVER_LIBRARIES: ReadonlyMap<string, string | undefined> = new Map([
  ['cuda', 'cuda_cudart'],
  ['nvidia-ml', 'cuda_nvml_dev'],
  ['nvcuvid', undefined],
  ['nvidia-encode', undefined],
  ['nvidia-ptxjitcompiler', undefined],
]);

/**
 * The base name of a library file or soname: `libcublas.so.12` → `cublas`,
 * `libcudart_static.a` → `cudart_static`, `libnvrtc-builtins.so.12.4` → `nvrtc-builtins`,
 * `libnvrtc.alt.so.12` → `nvrtc` (the `.alt` builds CUDA 12 ships beside NVRTC),
 * `cublas` → `cublas`. Undefined when the text is no library name.
 */
export function libraryBaseName(name: string): string | undefined {
  const file = name.slice(name.lastIndexOf('/') + 1);
  const m = /^(?:lib)?([A-Za-z][A-Za-z0-9_+-]*?)(?:64_\d+)?(?:\.alt)?(?:\.(?:so|a|dylib|dll|lib)(?:\.[0-9]+)*)?$/.exec(file);
  return m ? m[1] : undefined;
}

/** The package that ships the library named `name` (a base name, file name or soname). */
export function packageOfLibrary(name: string): string | undefined {
  const base = libraryBaseName(name);
  return base === undefined ? undefined : LIBRARY_PACKAGE.get(base);
}
