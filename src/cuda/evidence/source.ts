/**
 * The "source tree" evidence source: which CUDA libraries a package's own source code uses, read
 * the way a maintainer reads it (docs/cuda.md §9). `scanSource(folder or archive)` walks the tree
 * and reports every piece of evidence as an `EvidenceItem`:
 *
 *  - `include`: `#include` of a CUDA header in C, C++ or CUDA code (headers.ts), a Cython
 *    `cdef extern from "cublas_v2.h"`, an autoconf `AC_CHECK_HEADERS([cufft.h])`;
 *  - `cmake`: `CUDA::cublas`, `${CUDA_CUBLAS_LIBRARIES}`, `find_library(X cublas)`, a bare
 *    `cublas` in `target_link_libraries`;
 *  - `link-flag`: `-lcublas` in any build file; `AC_CHECK_LIB([cufft], …)`; meson
 *    `dependency('cuda', modules: […])`, `find_library('cublas')`; Bazel labels
 *    (`@local_config_cuda//cuda:cublas`) and `cuda…libs = ["cublas"]` lists; setup.py `libraries=[…]`;
 *  - `runtime-load`: `dlopen("libnvrtc.so…")`, `ctypes.CDLL(…)`, `find_library("cudart")`, a soname
 *    in quotes, a dependency on NVIDIA's PyPI wheels (`nvidia-cublas-cu12`);
 *  - `compiles-cuda` (package `cuda_nvcc`): a `.cu`/`.cu.cc` file (one item per place, the
 *    first such file), `enable_language(CUDA)`, `project(… CUDA)`, `cuda_add_library`, nvcc in a
 *    Makefile rule, meson `add_languages('cuda')`, Bazel `cuda_library(…)`; one item per file.
 * The patterns are data in source-rules.ts; file kinds are told by name (source-rules.ts).
 *
 * POLICY (docs: copy this block)
 *
 * Places. Each file's path gives its place (source-places.ts):
 *  - `main`: evidence here decides the library set;
 *  - `vendored` (`third_party/`, `third-party/`, `thirdparty/`, `3rdparty/`, `external/`,
 *    `extern/`, `vendor/`, `deps/`, `dependencies/`, `submodules/`, meson `subprojects/`,
 *    `contrib/`, and every folder `.gitmodules` names): decides
 *    too, because vendored code is usually compiled into the package; the finding names where the
 *    evidence came from, so a reviewer can drop a library of an unused vendored tree;
 *  - `tests`, `examples`, `benchmarks`, `docs` (folders `test(s)`, `testing`, `unittests`,
 *    `example(s)`, `sample(s)`, `demo(s)`, `tutorial(s)`, `bench(es)`, `benchmark(s)`, `doc(s)`,
 *    `documentation`; files `*_test.cc`, `test_*.py`, `conftest.py`): never add a package,
 *    only reported; these folders often use libraries the package itself does not build with.
 *    A non-deciding folder wins over a vendoring one (`third_party/x/tests/` is `tests`).
 *  - `perf/` is not a benchmarks folder (it is as often part of the library); `contrib/` is vendored.
 * Comments are not evidence: C/C++/CUDA `//` and `/* *\/`, `#` in Python, shell, CMake (also
 * `#[[ ]]`), make, meson, Bazel and TOML, `dnl` in m4; string literals are never cut.
 * Python docstrings (and other string statements) are not evidence either: they hold prose and
 * doctest examples, not code; a triple-quoted string that is assigned or passed is kept.
 * A project's own header is not evidence: an include that resolves to a file of the tree (next to
 * the including file, in one of its parent folders or their `include/`) is skipped, so a project
 * whose `src/cuda.h` wraps the driver API does not count as including CUDA's `cuda.h`.
 * Headers: `cudnn_frontend*` (NVIDIA's header-only wrapper, not shipped by cudnn), CUTLASS and
 * CuTe are no package; a vendored cudnn_frontend still shows cudnn through its own `<cudnn.h>`.
 * Driver libraries (`libcuda.so.1`, `libnvidia-ml.so.1`) loaded at run time are not packages and
 * are skipped; as link flags (`-lcuda`, `-lnvidia-ml`, `CUDA::cuda_driver`, `CUDA::nvml`) they
 * point to the package with the link stub (`cuda_cudart`, `cuda_nvml_dev`). `-lOpenCL` is no
 * evidence (any ICD loader provides it); `CUDA::OpenCL` is `cuda_opencl`.
 * In a CMake project (a root `CMakeLists.txt`) make files are not read (a vendored library's
 * own Makefile, an example built by hand): they are not the build that makes the package.
 * Items: one per match, except that a line gives one item per package and kind, and a file one
 * `compiles-cuda` item. Order: files depth-first, names in code-unit order; in a file, by offset.
 * Skipped: `.git` and other VCS folders, `node_modules`, Python caches, `CMakeFiles`,
 * `cmake-build-*`, `bazel-*`, any folder holding build output (`CMakeCache.txt`, `config.status`,
 * `meson-private`, `.ninja_log`), symlinks (files and folders), binary files (a NUL byte in the
 * first 8 KiB) and files over 2 MiB.
 * Prebuilt: a tree with no compilable source (`.c .cc .cpp .cxx .cu .pyx`; headers do not count)
 * but with `.so` files, a `.whl` or a `*.dist-info/` folder is a binary distribution.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, type Dirent } from 'node:fs';
import { join, posix } from 'node:path';
import { materialize, statSource } from './archive.js';
import { stripComments } from './source-comments.js';
import { placeOf } from './source-places.js';
import { isCompilableSource, LANGUAGES, languageOf, type Language, type Rule } from './source-rules.js';
import type { EvidenceItem, EvidenceKind, EvidencePlace, TreeEvidence } from './types.js';

export { materialize } from './archive.js';
export { stripComments, type CommentStyle } from './source-comments.js';
export { placeOf } from './source-places.js';

/** Longest `text` of an item (types.ts). */
const MAX_TEXT = 60;
/** Files larger than this are not read (generated code, data). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** A NUL byte in this many first bytes makes a file binary. */
const BINARY_PROBE_BYTES = 8192;

/** Folders never entered: VCS metadata, dependency and tool caches, build output. */
const SKIP_FOLDERS: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  '.bzr',
  'node_modules',
  '__pycache__',
  '.tox',
  '.nox',
  '.venv',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'CMakeFiles',
]);
const SKIP_FOLDER_PREFIXES: readonly string[] = ['cmake-build-', 'bazel-'];
/** A folder (below the root) holding one of these is build output, and is skipped. */
const BUILD_OUTPUT_MARKERS: readonly string[] = ['CMakeCache.txt', 'config.status', 'meson-private', '.ninja_log'];

/** A file the walk found to read. */
interface WalkedFile {
  rel: string;
  language: Language;
}

interface Walk {
  files: WalkedFile[];
  /** CUDA sources, for the one `compiles-cuda` item per place. */
  cudaSources: string[];
  compilable: number;
  /** `.so` files, wheels or `*.dist-info` folders seen. */
  binarySigns: boolean;
}

/** A match of a rule in one file, before it becomes an item. */
export interface SourceHit {
  pkg: string;
  kind: EvidenceKind;
  offset: number;
  text: string;
  /** The header path, for include rules. */
  header?: string;
}

const cache = new Map<string, TreeEvidence>();

/**
 * The evidence in the source tree at `pathOrArchive` (a folder or an archive, see archive.ts).
 * Cached per process by the real path, size and modification time of `pathOrArchive` (for a
 * folder that is its own mtime: a change deep inside it is not noticed within one process).
 * Throws an Error naming the path and the reason when it is missing or cannot be unpacked.
 */
export function scanSource(pathOrArchive: string): TreeEvidence {
  const st = statSource(pathOrArchive);
  const key = `${realpathSync(pathOrArchive)}\0${st.size}\0${st.mtimeMs}`;
  let evidence = cache.get(key);
  if (evidence === undefined) {
    evidence = scanFolder(materialize(pathOrArchive), pathOrArchive);
    cache.set(key, evidence);
  }
  return { ...evidence, items: evidence.items.map((i) => ({ ...i })) };
}

/** The folders `.gitmodules` at the root names (`path = third/x`): vendored code. */
function submodulePaths(root: string): string[] {
  const text = readText(join(root, '.gitmodules'));
  if (text === undefined) return [];
  return [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1]!.replace(/\/+$/, ''));
}

/**
 * Scans the folder `root`; `given` is what the caller named (reported as `root`). In a CMake
 * project (a `CMakeLists.txt` at the root) make files are not read: they belong to vendored
 * trees or to examples built another way, not to the build that makes the package.
 */
function scanFolder(root: string, given: string): TreeEvidence {
  const walk = walkTree(root);
  const submodules = submodulePaths(root);
  const firstCuda = firstCudaSourcePerPlace(walk.cudaSources, (rel) => placeOf(rel, submodules));
  const ownHeaders = new OwnHeaders(root);
  const cmakeProject = existsSync(join(root, 'CMakeLists.txt'));
  const items: EvidenceItem[] = [];
  let files = 0;
  let nvccFromPrefix: TreeEvidence['nvccFromPrefix'];
  for (const f of walk.files) {
    if (cmakeProject && f.language === 'make') continue;
    const place = placeOf(f.rel, submodules);
    if (firstCuda.has(f.rel)) items.push(cudaSourceItem(f.rel, place));
    const text = readText(join(root, f.rel));
    if (text === undefined) continue;
    files++;
    if (f.language === 'autotools' && place === 'main') nvccFromPrefix ??= prefixNvcc(text, f.rel);
    const hits = scanText(text, f.language).filter((h) => h.header === undefined || !ownHeaders.has(f.rel, h.header));
    items.push(...toItems(hits, text, f.rel, place));
  }
  return { origin: 'source', root: given, items, files, prebuilt: walk.compilable === 0 && walk.binarySigns, ...(nvccFromPrefix ? { nvccFromPrefix } : {}) };
}

/** `NVCC=$with_cuda/bin/nvcc` in a configure script (not in a `dnl` or `#` comment line). */
function prefixNvcc(text: string, rel: string): TreeEvidence['nvccFromPrefix'] {
  const m = /^(?![ \t]*(?:dnl\b|#)).*\$\{?with_cuda(?:_dir)?\}?\/bin\/nvcc.*$/m.exec(text);
  if (!m) return undefined;
  return { file: rel, line: text.slice(0, m.index).split('\n').length, text: m[0].trim().slice(0, 80) };
}

/** The item for a CUDA source file: CUDA code is compiled (nvcc). */
function cudaSourceItem(rel: string, place: EvidencePlace): EvidenceItem {
  return { pkg: 'cuda_nvcc', kind: 'compiles-cuda', file: rel, line: 1, text: posix.basename(rel).slice(0, MAX_TEXT), place };
}

/** The first CUDA source (in walk order) of each place. */
function firstCudaSourcePerPlace(sources: readonly string[], placeOf: (rel: string) => EvidencePlace): Set<string> {
  const byPlace = new Map<EvidencePlace, string>();
  for (const rel of sources) if (!byPlace.has(placeOf(rel))) byPlace.set(placeOf(rel), rel);
  return new Set(byPlace.values());
}

// ---------------------------------------------------------------------------------------------
// Walking

/** Every file of the tree the scan reads, depth-first, names in code-unit order. */
function walkTree(root: string): Walk {
  const walk: Walk = { files: [], cudaSources: [], compilable: 0, binarySigns: false };
  const visit = (relDir: string): void => {
    const entries = listDir(join(root, relDir));
    if (relDir !== '' && entries.some((e) => BUILD_OUTPUT_MARKERS.includes(e.name))) return;
    for (const e of entries) {
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name.endsWith('.dist-info')) walk.binarySigns = true;
        if (!skipFolder(e.name)) visit(rel);
      } else if (e.isFile()) noteFile(walk, rel, e.name);
    }
  };
  visit('');
  return walk;
}

function noteFile(walk: Walk, rel: string, name: string): void {
  if (isCompilableSource(name)) walk.compilable++;
  if (/\.so(?:\.\d+)*$|\.whl$/.test(name)) walk.binarySigns = true;
  const language = languageOf(name);
  if (language === undefined) return;
  // a CUDA source is compiled; a `.cuh` header alone (a vendored header-only library) is not
  if (language === 'cuda' && !name.endsWith('.cuh')) walk.cudaSources.push(rel);
  walk.files.push({ rel, language });
}

function skipFolder(name: string): boolean {
  return SKIP_FOLDERS.has(name) || SKIP_FOLDER_PREFIXES.some((p) => name.startsWith(p));
}

/** The entries of a folder sorted by name (code-unit order); none when it cannot be read. */
function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** The text of a file, or undefined when it is too large, binary or unreadable. */
function readText(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    for (let n = 1; got < size && n > 0; got += n) n = readSync(fd, buf, got, size - got, got);
    const data = buf.subarray(0, got);
    return data.subarray(0, BINARY_PROBE_BYTES).includes(0) ? undefined : data.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Matching

/** The evidence in one file's text, by the rules of its language, in offset order. */
export function scanText(text: string, language: Language): SourceHit[] {
  if (!anyNeedle(language).test(text)) return [];
  const spec = LANGUAGES[language];
  const active = spec.rules.filter((r) => r.needle.test(text));
  if (active.length === 0) return [];
  const clean = stripComments(text, spec.comments);
  const hits = active.flatMap((r) => ruleHits(r, clean));
  return hits.sort((a, b) => a.offset - b.offset);
}

const needleRegExps = new Map<Language, RegExp>();

/**
 * One expression for the needles of all rules of a language: a single pass over a file that
 * cannot match any rule (most files of a large tree) instead of one test per rule.
 */
function anyNeedle(language: Language): RegExp {
  let re = needleRegExps.get(language);
  if (re === undefined) {
    const rules = LANGUAGES[language].rules;
    re = new RegExp(rules.map((r) => `(?:${r.needle.source})`).join('|'), rules.some((r) => r.needle.flags.includes('i')) ? 'i' : '');
    needleRegExps.set(language, re);
  }
  return re;
}

function ruleHits(rule: Rule, text: string): SourceHit[] {
  const hits: SourceHit[] = [];
  for (const m of text.matchAll(rule.re)) {
    if (rule.each) hits.push(...listHits(rule, m, text));
    else {
      const name = m[1] ?? '';
      const pkg = typeof rule.pkg === 'string' ? rule.pkg : rule.pkg(name);
      if (pkg === undefined) continue;
      const lead = m[0].length - m[0].trimStart().length;
      hits.push({ pkg, kind: rule.kind, offset: (m.index ?? 0) + lead, text: m[0], ...(rule.header ? { header: name } : {}) });
    }
  }
  return hits;
}

/** The hits of a list rule: each name in group 1, reported with the line it is on. */
function listHits(rule: Rule, m: RegExpMatchArray, text: string): SourceHit[] {
  const list = m[1];
  const start = m.indices?.[1]?.[0];
  if (list === undefined || start === undefined || rule.each === undefined) return [];
  const hits: SourceHit[] = [];
  for (const e of list.matchAll(rule.each)) {
    const name = e[1] ?? '';
    const pkg = typeof rule.pkg === 'string' ? rule.pkg : rule.pkg(name);
    if (pkg === undefined) continue;
    const offset = start + (e.index ?? 0) + e[0].indexOf(name);
    hits.push({ pkg, kind: rule.kind, offset, text: lineAt(text, offset), ...(rule.header ? { header: name } : {}) });
  }
  return hits;
}

function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end < 0 ? text.length : end);
}

/**
 * Hits → items: line numbers, one-line texts of at most MAX_TEXT characters, one item per line,
 * package and kind, and one `compiles-cuda` item per file.
 */
function toItems(hits: readonly SourceHit[], text: string, file: string, place: EvidencePlace): EvidenceItem[] {
  const lines = new LineIndex(text);
  const seen = new Set<string>();
  const items: EvidenceItem[] = [];
  for (const h of hits) {
    const line = lines.lineOf(h.offset);
    const key = h.kind === 'compiles-cuda' ? h.kind : `${line}\0${h.pkg}\0${h.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ pkg: h.pkg, kind: h.kind, file, line, text: oneLine(h.text), place });
  }
  return items;
}

/** `text` on one line (runs of blanks as one space), trimmed, at most MAX_TEXT characters. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT).trimEnd();
}

/** 1-based line numbers of offsets in one text. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * Whether an include names one of the project's own files: the path exists next to the
 * including file, in one of its parent folders up to the root, or in their `include/` folders.
 */
class OwnHeaders {
  private readonly memo = new Map<string, boolean>();
  constructor(private readonly root: string) {}

  has(includer: string, header: string): boolean {
    let dir = posix.dirname(includer);
    for (;;) {
      if (this.existsIn(dir, header) || this.existsIn(posix.join(dir, 'include'), header)) return true;
      if (dir === '.') return false;
      dir = posix.dirname(dir);
    }
  }

  private existsIn(dir: string, header: string): boolean {
    const rel = posix.normalize(posix.join(dir, header));
    if (rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel)) return false;
    let found = this.memo.get(rel);
    if (found === undefined) {
      found = existsSync(join(this.root, rel));
      this.memo.set(rel, found);
    }
    return found;
  }
}
