/**
 * CUDA headers → the `cudaPackages` attribute that ships them (docs/cuda.md, "Reverse map"), for
 * the `include` evidence of source.ts. A header names a package only when that package's
 * `include/` ships it: third-party wrappers (cutlass, cudnn_frontend, cuew) never do, even when
 * their names look alike.
 *
 * Three kinds of rule, tried in this order:
 *  - `folder`: the include path starts with the folder (`thrust/…`, `cub/…`, `nvtx3/…`);
 *  - `exact`: the file name equals the name (`cuda_runtime.h`);
 *  - `stem`: the file name is the stem, optionally followed by letters, digits or `_`, then `.h`
 *    (`cublas` matches `cublas.h`, `cublas_v2.h`, `cublasLt.h`, `cublasXt.h`).
 * File-name rules (`exact`, `stem`) apply to a bare include (`<cublas_v2.h>`) and to one under a
 * folder that looks like a CUDA include folder (`third_party/gpus/cuda/include/cublas_v2.h`, the
 * TensorFlow style), never to a project's own `mylib/cublas_wrapper.h`.
 */

export interface HeaderRule {
  match: 'folder' | 'exact' | 'stem';
  /** Folder prefix (with its trailing `/`), file name or stem. */
  name: string;
  /** The package; undefined for a rule that says "not a package" (checked first). */
  pkg: string | undefined;
  /** Why, where it is not obvious. */
  note?: string;
}

/**
 * Headers that look like CUDA's but are not shipped by any CUDA package: checked before
 * `HEADER_RULES`. cudnn_frontend is NVIDIA's header-only C++ wrapper, distributed on its own
 * (vendored or as a separate package); its sources include `<cudnn.h>`, so a vendored copy is
 * evidence for cudnn through that include, not through its own name.
 */
export const NOT_PACKAGE_HEADERS: readonly HeaderRule[] = [
  { match: 'folder', name: 'cudnn_frontend/', pkg: undefined, note: 'cudnn-frontend, not shipped by cudnn' },
  { match: 'stem', name: 'cudnn_frontend', pkg: undefined, note: 'cudnn-frontend, not shipped by cudnn' },
  { match: 'folder', name: 'cutlass/', pkg: undefined, note: 'CUTLASS, a separate header library' },
  { match: 'folder', name: 'cute/', pkg: undefined, note: 'CuTe (part of CUTLASS)' },
];

const CUDART = 'cuda_cudart';
const CCCL = 'cuda_cccl';

/** The header table. */
export const HEADER_RULES: readonly HeaderRule[] = [
  // CCCL: Thrust, CUB, libcu++ (header-only; `cccl` in 2026 nixpkgs, docs/cuda.md §1).
  { match: 'folder', name: 'thrust/', pkg: CCCL },
  { match: 'folder', name: 'cub/', pkg: CCCL },
  { match: 'folder', name: 'cuda/std/', pkg: CCCL },
  { match: 'folder', name: 'nv/detail/', pkg: CCCL },
  { match: 'exact', name: 'nv/target', pkg: CCCL, note: 'libcu++ <nv/target>; full path, see packageOfHeader' },
  // libcu++'s other public headers (`<cuda/atomic>`, `<cuda/barrier>`) are extensionless: see packageOfHeader.
  { match: 'folder', name: 'nvtx3/', pkg: 'cuda_nvtx' },
  { match: 'folder', name: 'crt/', pkg: 'cuda_nvcc', note: 'cuda_crt from CUDA 13' },
  { match: 'folder', name: 'cooperative_groups/', pkg: CUDART },
  { match: 'folder', name: 'cutensor/', pkg: 'libcutensor' },
  // The runtime and driver API headers, and the headers they pull in (cuda_cudart's include/).
  ...[
    'cuda_runtime.h',
    'cuda_runtime_api.h',
    'cuda.h',
    'cudaTypedefs.h',
    'cuda_fp16.h',
    'cuda_bf16.h',
    'cuda_fp8.h',
    'cooperative_groups.h',
    'device_launch_parameters.h',
    'driver_types.h',
    'vector_types.h',
    'vector_functions.h',
    'builtin_types.h',
    'host_defines.h',
    'channel_descriptor.h',
    'surface_types.h',
    'texture_types.h',
    'cuda_occupancy.h',
    'cuda_device_runtime_api.h',
    'cuda_gl_interop.h',
    'cudaGL.h',
    'cuda_egl_interop.h',
    'cudaEGL.h',
  ].map((name): HeaderRule => ({ match: 'exact', name, pkg: CUDART })),
  { match: 'stem', name: 'cublas', pkg: 'libcublas' },
  { match: 'stem', name: 'cufft', pkg: 'libcufft' },
  { match: 'exact', name: 'cudalibxt.h', pkg: 'libcufft' },
  { match: 'stem', name: 'curand', pkg: 'libcurand' },
  { match: 'exact', name: 'cusparse.h', pkg: 'libcusparse' },
  { match: 'exact', name: 'cusparse_v2.h', pkg: 'libcusparse' },
  { match: 'exact', name: 'cusparseLt.h', pkg: 'libcusparse_lt' },
  { match: 'stem', name: 'cusolver', pkg: 'libcusolver' },
  { match: 'stem', name: 'npp', pkg: 'libnpp' },
  { match: 'exact', name: 'nvrtc.h', pkg: 'cuda_nvrtc' },
  { match: 'stem', name: 'nvToolsExt', pkg: 'cuda_nvtx' },
  { match: 'stem', name: 'cupti', pkg: 'cuda_cupti' },
  { match: 'exact', name: 'nvml.h', pkg: 'cuda_nvml_dev' },
  { match: 'exact', name: 'cuda_profiler_api.h', pkg: 'cuda_profiler_api', note: 'cuda_nvprof before CUDA 11.8' },
  { match: 'exact', name: 'cudaProfiler.h', pkg: 'cuda_profiler_api', note: 'unverified: assumed beside cuda_profiler_api.h' },
  { match: 'stem', name: 'cudnn', pkg: 'cudnn' },
  { match: 'exact', name: 'nccl.h', pkg: 'nccl' },
  { match: 'stem', name: 'cutensor', pkg: 'libcutensor' },
  { match: 'exact', name: 'nvjpeg.h', pkg: 'libnvjpeg' },
  { match: 'exact', name: 'cufile.h', pkg: 'libcufile' },
  { match: 'exact', name: 'nvJitLink.h', pkg: 'libnvjitlink' },
  { match: 'exact', name: 'nvvm.h', pkg: 'cuda_nvcc', note: 'libnvvm from CUDA 13' },
  { match: 'exact', name: 'nvPTXCompiler.h', pkg: 'cuda_nvcc', note: 'libnvptxcompiler from CUDA 13' },
  { match: 'exact', name: 'fatbinary_section.h', pkg: 'cuda_nvcc' },
];

/**
 * Folder segments that make a folder look like a CUDA include folder, so that file-name rules
 * apply under it (`third_party/gpus/cuda/include/cuda.h`, `…/extras/CUPTI/include/cupti.h`).
 */
const CUDA_INCLUDE_FOLDER = /(?:^|\/)(?:include|[^/]*cuda[^/]*|[^/]*cudnn[^/]*|[^/]*nccl[^/]*|cupti|gpus|nvidia)(?:\/|$)/i;

/** The package whose headers include `path` (as written between `<>` or `""`); undefined for none. */
export function packageOfHeader(path: string): string | undefined {
  const p = path.trim().replace(/^(?:\.\/)+/, '');
  const rule = headerRule(p);
  return rule?.pkg;
}

/** The rule `path` matches, not-a-package rules first; undefined for none. */
export function headerRule(path: string): HeaderRule | undefined {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const file = path.slice(slash + 1);
  const byName = dir === '' || CUDA_INCLUDE_FOLDER.test(dir);
  for (const table of [NOT_PACKAGE_HEADERS, HEADER_RULES]) {
    const rule = table.find((r) => ruleMatches(r, path, file, byName));
    if (rule) return rule;
  }
  if (isLibcuxxHeader(path)) return { match: 'folder', name: 'cuda/', pkg: CCCL, note: 'libcu++' };
  return undefined;
}

function ruleMatches(rule: HeaderRule, path: string, file: string, byName: boolean): boolean {
  switch (rule.match) {
    case 'folder':
      return path.startsWith(rule.name);
    case 'exact':
      return rule.name.includes('/') ? path === rule.name : byName && file === rule.name;
    case 'stem':
      return byName && file.startsWith(rule.name) && /^[A-Za-z0-9_]*\.h$/.test(file.slice(rule.name.length));
  }
}

/**
 * libcu++'s public headers outside `cuda/std/`: `cuda/` followed by an extensionless name
 * (`<cuda/atomic>`, `<cuda/barrier>`, `<cuda/memory_resource>`), like the C++ standard
 * library's. A project's own `cuda/helpers.h` has an extension and is not matched.
 */
function isLibcuxxHeader(path: string): boolean {
  return /^cuda\/(?:[A-Za-z_][\w]*\/)*[A-Za-z_]\w*$/.test(path);
}

/**
 * Literal substrings at least one of which every include of a CUDA header contains, as one
 * expression: a cheap test that lets the scanner skip files that cannot match.
 */
export const HEADER_NEEDLE = new RegExp(
  [...new Set([...HEADER_RULES.map((r) => (r.match === 'exact' ? r.name.replace(/\.h$/, '') : r.name)), 'cuda/'])]
    .map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|'),
);
