/**
 * Evidence of which CUDA packages a package needs, as data. Every evidence source (the `.nix`
 * text, the package's source tree, the ELF files of its old build) produces `EvidenceItem`s;
 * `decide.ts` turns them into the library set and the findings that justify each package.
 */

/** What kind of thing was seen. */
export type EvidenceKind =
  /** Text of the `.nix` file (a string, a flag name). */
  | 'nix'
  /** A split package the `.nix` file already lists (the maintainers' own choice). */
  | 'nix-package'
  /** `#include` of a CUDA header in C, C++ or CUDA source. */
  | 'include'
  /** A CMake target (`CUDA::cublas`), variable (`CUDA_CUBLAS_LIBRARIES`) or `find_library`. */
  | 'cmake'
  /** A link flag or library list in a build file (`-lcublas` in a Makefile, meson, bazel, setup.py). */
  | 'link-flag'
  /** A library loaded at run time (`dlopen("libnvrtc.so")`, `ctypes.CDLL`, a soname string). */
  | 'runtime-load'
  /** CUDA code is compiled: a `.cu` file, `enable_language(CUDA)`, `project(… CUDA)`, `cuda_add_library`, nvcc invoked. */
  | 'compiles-cuda'
  /** A `DT_NEEDED` entry of an ELF file of the old build. */
  | 'needed';

/**
 * Where in a source tree a piece of evidence is. Only `main` and `vendored` decide the set;
 * evidence seen only in tests, examples, benchmarks or docs is named in the finding but does
 * not add a package (those folders often use libraries the package itself does not build with).
 */
export type EvidencePlace = 'main' | 'tests' | 'examples' | 'benchmarks' | 'docs' | 'vendored';

export interface EvidenceItem {
  /** The `cudaPackages` attribute it points to (`libcublas`, `cuda_cudart`, `cuda_nvcc`, …). */
  pkg: string;
  kind: EvidenceKind;
  /** Path relative to the scanned root (POSIX separators); '' for the `.nix` file itself. */
  file: string;
  /** 1-based line; 0 when there is none (an ELF file). */
  line: number;
  /** The text that matched, on one line, at most 60 characters (`#include <cublas_v2.h>`, `DT_NEEDED libcublas.so.12`). */
  text: string;
  place: EvidencePlace;
}

/** What one scan of a tree (source or build) found. */
export interface TreeEvidence {
  origin: 'source' | 'build';
  /**
   * The configure script takes nvcc from the prefix `--with-cuda=` names (`$with_cuda/bin/nvcc`):
   * that prefix must hold the compiler too, not only the runtime's headers. Where it says so.
   * Source evidence only.
   */
  nvccFromPrefix?: { file: string; line: number; text: string };
  /** The folder, archive or store path as given. */
  root: string;
  items: EvidenceItem[];
  /** Files read. */
  files: number;
  /**
   * Driver libraries the build links (`libcuda.so.1`, `libnvidia-ml.so.1`): not packages; they
   * come from the driver at run time (`autoAddDriverRunpath`). Build evidence only.
   */
  driverLibs?: string[];
  /**
   * Signs that the package ships prebuilt binaries (a wheel, `.so` files and no source to
   * compile). Source evidence only; informs the roles (no nvcc, no cccl).
   */
  prebuilt?: boolean;
}
