/** A package before and after its migration, and what its closure loses: shared by the closure and report tests. */
export const FOO_IN = `{ stdenv, cudatoolkit }:
stdenv.mkDerivation {
  pname = "foo";
  buildInputs = [ cudatoolkit ];
}
`;
export const FOO_OUT = `{ stdenv, cudaPackages }:
stdenv.mkDerivation {
  pname = "foo";
  nativeBuildInputs = [ cudaPackages.cuda_nvcc ];
  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcublas ];
}
`;

/** Every sized legacy part except cuda_nvcc, cuda_cudart and libcublas, largest first. */
export const REMOVED_FOO = [
  { part: 'nsight_compute', mb: 572 },
  { part: 'libcufft', mb: 486 },
  { part: 'libcusparse', mb: 213 },
  { part: 'nsight_systems', mb: 210 },
  { part: 'libnpp', mb: 176 },
  { part: 'libcusolver', mb: 121 },
  { part: 'cuda_nsight', mb: 113 },
  { part: 'cuda_nvvp', mb: 109 },
  { part: 'libcurand', mb: 78 },
  { part: 'cuda_nvdisasm', mb: 47.6 },
  { part: 'cuda_gdb', mb: 42 },
  { part: 'cuda_nvrtc', mb: 32.5 },
  { part: 'libnvjitlink', mb: 27.8 },
  { part: 'cuda_cupti', mb: 19.8 },
  { part: 'cuda_sanitizer_api', mb: 7.9 },
  { part: 'libnvjpeg', mb: 2.5 },
  { part: 'cuda_nvprof', mb: 2.3 },
  { part: 'cuda_cccl', mb: 1.1 },
  { part: 'cuda_cuobjdump', mb: 0.2 },
  { part: 'cuda_nvml_dev', mb: 0.14 },
  { part: 'cuda_opencl', mb: 0.09 },
  { part: 'cuda_nvprune', mb: 0.05 },
  { part: 'cuda_nvtx', mb: 0.05 },
  { part: 'cuda_profiler_api', mb: 0.016 },
  { part: 'cuda_cuxxfilt' }, // no size in the table: listed, not counted
];
