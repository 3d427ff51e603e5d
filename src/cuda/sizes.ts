/**
 * Sizes of the parts of the legacy monolithic CUDA toolkit, for the closure estimate of
 * `--report` (src/cuda/closure.ts).
 *
 * Source: docs/cuda.md#sizes: the linux-x86_64 compressed `.tar.xz` ARCHIVE sizes
 * of the redist manifest `redistrib_12.4.1.json` (nixpkgs
 * pkgs/development/cuda-modules/cuda/manifests/redistrib_12.4.1.json @a3293a9), in MB. They are
 * NOT unpacked store path (NAR) sizes, which are larger (docs/cuda.md#sizes: libcublas unpacked
 * 1.1G on 11.7), and they are one CUDA release on one platform: every number derived from them is
 * an estimate.
 */

/** One line for the renderers: where the sizes come from and what they are. */
export const SIZE_SOURCE =
  'compressed .tar.xz archive sizes (linux-x86_64) from the CUDA 12.4.1 redist manifest redistrib_12.4.1.json; unpacked store paths are larger';

/** Archive MB per redist package (docs/cuda.md#sizes). A part missing here has no known size. */
export const ARCHIVE_MB: ReadonlyMap<string, number> = new Map<string, number>([
  ['nsight_compute', 572],
  ['libcufft', 486], // 11.2.1.3
  ['libcublas', 447], // 12.4.5.8
  ['libcusparse', 213], // 12.3.1.170
  ['nsight_systems', 210],
  ['libnpp', 176], // 12.2.5.30
  ['libcusolver', 121], // 11.6.1.9
  ['cuda_nsight', 113],
  ['cuda_nvvp', 109],
  ['libcurand', 78], // 10.3.5.147
  ['cuda_nvcc', 48.8], // 12.4.131
  ['cuda_nvdisasm', 47.6],
  ['cuda_gdb', 42],
  ['libcufile', 40],
  ['cuda_nvrtc', 32.5],
  ['libnvjitlink', 27.8],
  ['cuda_cupti', 19.8],
  ['cuda_sanitizer_api', 7.9],
  ['libnvjpeg', 2.5],
  ['cuda_nvprof', 2.3],
  ['cuda_cccl', 1.1],
  ['cuda_cudart', 1.05],
  ['cuda_cuobjdump', 0.2],
  ['cuda_nvml_dev', 0.14],
  ['cuda_opencl', 0.09],
  ['cuda_nvtx', 0.05],
  ['cuda_nvprune', 0.05],
  ['cuda_profiler_api', 0.016],
]);

/**
 * Parts of the legacy toolkit that have no redist package the transforms emit (ALL_COMPONENTS in
 * facts.ts), but that the monolithic runfile shipped too: the profilers and IDEs (nsight_compute,
 * nsight_systems, cuda_nsight, cuda_nvvp, cuda_nvprof) and OpenCL. `libcufile` is left out: the
 * fact sheet does not establish that the nixpkgs runfile package carried it (underestimate rather
 * than overestimate).
 */
export const LEGACY_ONLY_PARTS: readonly string[] = [
  'nsight_compute', 'nsight_systems', 'cuda_nsight', 'cuda_nvvp', 'cuda_nvprof', 'cuda_opencl',
];
