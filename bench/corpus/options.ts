/** Part of the benchmark corpus generator (bench/corpus.ts): the options and results of a corpus, and the needles no file may contain by chance. */


export interface CorpusOptions {
  /** Folder to write into; it must not exist or be empty (unless `force`). */
  out: string;
  seed: number;
  /** Total number of files, including the top-level and giant ones. */
  files: number;
  /** Total size in MiB (2^20 bytes), including the giant files. */
  megabytes: number;
  /** Fraction of files that use the legacy toolkit or CUDA joins (default 0.005). */
  cudaFraction?: number;
  /** Fraction of files with a non-CUDA `symlinkJoin`/`buildEnv` (default 0.01). */
  joinFraction?: number;
  /** Fraction of files with `addOpenGLRunpath`/`autoAddOpenGLRunpathHook` (default 0.003). */
  driverFraction?: number;
  /** Number of giant generated package sets (default 3). */
  giantFiles?: number;
  /** Size of each giant file in MiB (default 12, but at most 6 % of `megabytes`, so small corpora stay balanced). */
  giantMegabytes?: number;
  /** Remove `out` first when it exists (default: refuse a non-empty folder). */
  force?: boolean;
}

export interface CorpusStats {
  files: number;
  bytes: number;
  /** Files with the legacy toolkit or a CUDA join (`all-packages.nix` included when it has CUDA call sites). */
  cudaFiles: number;
  /** Files with a `symlinkJoin`/`buildEnv` that has nothing to do with CUDA. */
  joinFiles: number;
  /** Files with `addOpenGLRunpath` / `autoAddOpenGLRunpathHook` (and no legacy toolkit). */
  driverFiles: number;
  giantFiles: number;
  /** Files by template (`mkDerivation`, `python-module`, …) and by needle variant (`cuda:…`, `join:…`, `driver:…`). */
  byKind: Record<string, number>;
}

/** Strings no file contains unless the generator put them there on purpose. */
export const NEEDLES = ['cudatoolkit', 'symlinkJoin', 'buildEnv', 'addOpenGLRunpath', 'autoAddOpenGLRunpathHook', 'nixshift-ignore'] as const;
/** Faster than one alternation regex over 200 MB (`OpenGLRunpath` covers both driver needles). */
export const hasNeedle = (text: string): boolean =>
  text.includes('cudatoolkit') || text.includes('symlinkJoin') || text.includes('buildEnv') || text.includes('OpenGLRunpath') || text.includes('nixshift-ignore');

export const MIB = 1024 * 1024;
export const FIXED_FILES = 5; // all-packages, python-packages, aliases, module-list, all-tests
