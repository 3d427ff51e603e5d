/**
 * The patterns of the source-tree scan (source.ts), as data: which files are which language,
 * and per language which regular expressions are evidence of which package. Each rule runs over
 * the comment-stripped text of a file (source-comments.ts); every match whose name resolves to a
 * package is one piece of evidence.
 */
import type { CommentStyle } from './source-comments.js';
import { HEADER_NEEDLE, packageOfHeader } from './headers.js';
import { DRIVER_LIBRARIES, LIBRARY_PACKAGE, libraryBaseName } from './libraries.js';
import type { EvidenceKind } from './types.js';

/** Name (or list of names) → package; undefined drops the match. */
type Resolve = (name: string) => string | undefined;

export interface Rule {
  kind: EvidenceKind;
  /** Global (`g`) expression over the comment-stripped text; group 1 is the name, unless `pkg` is fixed. */
  re: RegExp;
  /**
   * A cheap necessary condition: the rule can only match a text this matches (tested on the raw
   * text, before comments are stripped, so a file no rule can match is never stripped).
   */
  needle: RegExp;
  /** A fixed package (`compiles-cuda`), or how group 1 resolves to one. */
  pkg: string | Resolve;
  /**
   * When set, group 1 is a list: each match of `each` in it (its group 1) is one name, reported
   * at its own line with that line as the text. The outer `re` needs the `d` flag.
   */
  each?: RegExp;
  /** For `include` rules: the name is a header path (source.ts drops the project's own headers). */
  header?: true;
}

/** Languages the scan reads; any other file is only looked at by name. */
export type Language =
  | 'c'
  | 'cuda'
  | 'cython'
  | 'python'
  | 'setup-py'
  | 'pybuild'
  | 'cmake'
  | 'make'
  | 'autotools'
  | 'meson'
  | 'bazel'
  | 'shell'
  | 'rust'
  | 'code'
  | 'script';

// ---------------------------------------------------------------------------------------------
// Library names → packages

/** Library names that are generic APIs with many providers, not evidence of a CUDA package (`-lOpenCL`: any ICD loader). */
const GENERIC_LIBRARIES: ReadonlySet<string> = new Set(['opencl']);

/** Old or build-system-specific names of libraries (FindCUDA, CMake targets, Bazel targets). */
const LIBRARY_ALIASES: ReadonlyMap<string, string> = new Map([
  ['cublas_device', 'libcublas'],
  ['npp', 'libnpp'],
  ['nppi', 'libnpp'],
  ['nvtx3', 'cuda_nvtx'],
  ['nvml', 'cuda_nvml_dev'],
  ['cuda_driver', 'cuda_cudart'],
]);

let lowerLibraries: Map<string, string> | undefined;

/** LIBRARY_PACKAGE by lower-case name (FindCUDA spells `CUDA_CUBLAS_LIBRARIES` and `CUDA_cublas_LIBRARY`). */
function lowerLibrary(name: string): string | undefined {
  lowerLibraries ??= new Map([...LIBRARY_PACKAGE].map(([k, v]) => [k.toLowerCase(), v]));
  return lowerLibraries.get(name.toLowerCase());
}

/**
 * The package of a library base name (`cublas`, `cufft_static`, `nvidia-ml`). Driver libraries
 * resolve to the package of their link stub when `driver` is `stub` (a build links against the
 * stub) and to nothing when it is `skip` (at run time the driver provides them).
 */
export function packageOfLibraryName(name: string, driver: 'stub' | 'skip'): string | undefined {
  const lower = name.toLowerCase();
  if (GENERIC_LIBRARIES.has(lower)) return undefined;
  const direct = lowerLibrary(lower) ?? LIBRARY_ALIASES.get(lower);
  if (direct !== undefined) return direct;
  const unsuffixed = lower.replace(/_static(?:_nocallback)?$/, '');
  if (unsuffixed !== lower) return packageOfLibraryName(unsuffixed, driver);
  const driverLib = [...DRIVER_LIBRARIES].find(([k]) => k.toLowerCase() === lower);
  return driverLib && driver === 'stub' ? driverLib[1] : undefined;
}

/** A name in a link context: `cublas`, `libcublas.so`, `libcublas_static.a`. */
const linkName: Resolve = (name) => {
  const base = libraryBaseName(name.replace(/^["']|["']$/g, ''));
  return base === undefined ? undefined : packageOfLibraryName(base, 'stub');
};

/** A name loaded at run time: `libnvrtc.so.12`, `/opt/x/libcublas.so`, `libnvrtc.so.{}`, `cudart` (find_library). */
const runtimeName: Resolve = (name) => {
  const m = /(?:^|\/)lib([A-Za-z][\w+-]*?)\.so\b/.exec(name) ?? /^([A-Za-z][\w+-]*)$/.exec(name);
  return m ? packageOfLibraryName(m[1] as string, 'skip') : undefined;
};

/** `CUDA::<name>` (FindCUDAToolkit imported targets, docs/cuda.md §9). */
const cmakeTarget: Resolve = (name) => (name === 'OpenCL' ? 'cuda_opencl' : packageOfLibraryName(name, 'stub'));

/** `CUDA_<name>_LIBRARY` / `_LIBRARIES` (FindCUDA); `CUDA_LIBRARIES` alone is the runtime. */
const findCudaVariable: Resolve = (name) => (name === '' ? 'cuda_cudart' : packageOfLibraryName(name, 'stub'));

/** Bazel targets of CUDA repositories (`@local_config_cuda//cuda:cublas`, `@cuda//:cuda_runtime`). */
const BAZEL_TARGETS: ReadonlyMap<string, string> = new Map([
  ['cuda', 'cuda_cudart'],
  ['cuda_headers', 'cuda_cudart'],
  ['cuda_runtime', 'cuda_cudart'],
  ['cub', 'cuda_cccl'],
  ['cub_headers', 'cuda_cccl'],
  ['thrust', 'cuda_cccl'],
  ['cccl', 'cuda_cccl'],
  ['nvtx', 'cuda_nvtx'],
  ['cudnn_header', 'cudnn'],
]);

const bazelTarget: Resolve = (name) =>
  BAZEL_TARGETS.get(name) ?? packageOfLibraryName(name.replace(/_(?:headers?|lib|libs)$/, ''), 'stub');

/** NVIDIA's PyPI wheels (`nvidia-cublas-cu12`) → the package that replaces them in nixpkgs. */
export const WHEEL_PACKAGES: ReadonlyMap<string, string> = new Map([
  ['cublas', 'libcublas'],
  ['cuda-runtime', 'cuda_cudart'],
  ['cuda-nvrtc', 'cuda_nvrtc'],
  ['cuda-nvcc', 'cuda_nvcc'],
  ['cuda-cupti', 'cuda_cupti'],
  ['cuda-cccl', 'cuda_cccl'],
  ['cudnn', 'cudnn'],
  ['cufft', 'libcufft'],
  ['curand', 'libcurand'],
  ['cusolver', 'libcusolver'],
  ['cusparse', 'libcusparse'],
  ['cusparselt', 'libcusparse_lt'],
  ['nccl', 'nccl'],
  ['nvjitlink', 'libnvjitlink'],
  ['nvtx', 'cuda_nvtx'],
  ['npp', 'libnpp'],
  ['nvjpeg', 'libnvjpeg'],
  ['cufile', 'libcufile'],
  ['nvml-dev', 'cuda_nvml_dev'],
]);

const wheelName: Resolve = (name) => WHEEL_PACKAGES.get(name.toLowerCase().replace(/_/g, '-'));

/** Keywords of `find_library` after the names (CMake docs), `NO_…` options included. */
const FIND_LIBRARY_KEYWORDS: readonly string[] = [
  'NAMES_PER_DIR', 'HINTS', 'PATHS', 'PATH_SUFFIXES', 'DOC', 'REQUIRED', 'OPTIONAL', 'ENV',
  'REGISTRY_VIEW', 'VALIDATOR', 'CMAKE_FIND_ROOT_PATH_BOTH', 'ONLY_CMAKE_FIND_ROOT_PATH', 'NO_\\w+',
];
/** Keywords of `target_link_libraries`. */
const LINK_KEYWORDS: readonly string[] = ['PUBLIC', 'PRIVATE', 'INTERFACE', 'LINK_PUBLIC', 'LINK_PRIVATE', 'LINK_INTERFACE_LIBRARIES', 'debug', 'optimized', 'general'];
/** Words of a CMake argument list that are keywords, not library names. */
const CMAKE_KEYWORDS = new RegExp(`^(?:NAMES|${[...FIND_LIBRARY_KEYWORDS, ...LINK_KEYWORDS].join('|')})$`);
/** `find_library(VAR name)` or `find_library(VAR NAMES a b … HINTS …)`: group 1 is the name or `NAMES a b …`. */
const FIND_LIBRARY = new RegExp(
  String.raw`\bfind_library\s*\(\s*[^\s)]+\s+(NAMES(?:\s+(?!(?:${FIND_LIBRARY_KEYWORDS.join('|')})(?=[\s)]))[^\s)]+)+|[^\s)]+)`,
  'dgi',
);

// ---------------------------------------------------------------------------------------------
// Rules

const CUDA_NVCC = 'cuda_nvcc';

/** A list element in quotes: `'cublas'`, `"cufft"`. */
const QUOTED_NAME = /["']([\w+.-]+)["']/g;
/** A whitespace-separated word, optionally quoted: find_library and target_link_libraries arguments. */
const CMAKE_WORD = /(?:^|(?<=\s))"?([^\s"]+)"?/g;
/** A whitespace-separated word of an autoconf list (`[cublas cudart]`). */
const WORD = /([\w+.-]+)/g;

/** `-lcublas`, `"-lcudart"`, `-Wl,-lcuda`: link flags anywhere in a build file. */
const LINK_FLAG: Rule = {
  kind: 'link-flag',
  re: /(?<=^|[\s"'(=,[:])-l([A-Za-z][\w+-]*)/gm,
  needle: /-l[A-Za-z]/,
  pkg: (name) => packageOfLibraryName(name, 'stub'),
};

/** Libraries loaded at run time: dlopen, ctypes, numpy's load_library, a soname in quotes. */
const RUNTIME_RULES: readonly Rule[] = [
  {
    kind: 'runtime-load',
    re: /\b(?:[A-Za-z_][\w.]*\.)?(?:dlopen|CDLL|PyDLL|LoadLibrary|load_library|find_library)\s*\(\s*[rbuRBU]?["']([^"'\n]+)["'][^)\n]*\)?/g,
    needle: /dlopen|CDLL|PyDLL|LoadLibrary|load_library|find_library/,
    pkg: runtimeName,
  },
  {
    kind: 'runtime-load',
    re: /["'](?:[^"'\s]*\/)?(lib[A-Za-z][\w+-]*?\.so[^"'\s]*)["']/g,
    needle: /lib[A-Za-z][\w+-]*\.so/,
    pkg: runtimeName,
  },
];

const INCLUDE: Rule = {
  kind: 'include',
  re: /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"]/gm,
  needle: HEADER_NEEDLE,
  pkg: packageOfHeader,
  header: true,
};

const CYTHON_EXTERN: Rule = {
  kind: 'include',
  re: /\bcdef\s+extern\s+from\s+["']<?([^"'<>\n]+)>?["']/g,
  needle: HEADER_NEEDLE,
  pkg: packageOfHeader,
  header: true,
};

const CMAKE_RULES: readonly Rule[] = [
  { kind: 'cmake', re: /\bCUDA::(\w+)/g, needle: /CUDA::/, pkg: cmakeTarget },
  { kind: 'cmake', re: /\bCUDA_(?:(\w+?)_)?LIBRAR(?:Y|IES)\b/g, needle: /CUDA_/, pkg: findCudaVariable },
  {
    kind: 'cmake',
    re: FIND_LIBRARY,
    needle: /find_library/i,
    pkg: linkName,
    each: CMAKE_WORD,
  },
  {
    kind: 'cmake',
    re: /\b(?:target_link_libraries\s*\(\s*[^\s)]+|link_libraries\s*\()([^)]*)\)/dgi,
    needle: /link_libraries/i,
    pkg: (n) => (CMAKE_KEYWORDS.test(n) || /^(?:-|CUDA::|\$)/.test(n) ? undefined : linkName(n)),
    each: CMAKE_WORD,
  },
  { kind: 'cmake', re: /\bcuda_add_cublas_to_target\s*\(/gi, needle: /cuda_add_cublas_to_target/i, pkg: 'libcublas' },
  { kind: 'cmake', re: /\bcuda_add_cufft_to_target\s*\(/gi, needle: /cuda_add_cufft_to_target/i, pkg: 'libcufft' },
  LINK_FLAG,
  { kind: 'compiles-cuda', re: /\benable_language\s*\(\s*(?:[^\s)]+\s+)*?CUDA(?=[\s)])[^)]*\)?/gi, needle: /CUDA/, pkg: CUDA_NVCC },
  {
    kind: 'compiles-cuda',
    re: /\bproject\s*\(\s*(?:"[^"]*"|[^\s)"]+)(?:\s+(?:"[^"]*"|[^\s)"]+))*?\s+CUDA(?=[\s)])[^)]*\)?/gi,
    needle: /CUDA/,
    pkg: CUDA_NVCC,
  },
  {
    kind: 'compiles-cuda',
    re: /\bcuda_(?:add_library|add_executable|compile|compile_ptx|compile_fatbin|compile_cubin|wrap_srcs)\s*\(/gi,
    needle: /cuda_/i,
    pkg: CUDA_NVCC,
  },
  {
    kind: 'compiles-cuda',
    re: /\bset(?:_source_files_properties|_property)\s*\([^)]*?\bLANGUAGE\s+CUDA(?=[\s)])/gi,
    needle: /CUDA/,
    pkg: CUDA_NVCC,
  },
];

const MAKE_RULES: readonly Rule[] = [
  LINK_FLAG,
  {
    kind: 'compiles-cuda',
    re: /\$[({]\w*NVCC[)}]|^\t[^\n]*?(?<![\w.-])nvcc(?![\w.-])|%\.cu\b|^\.cu\.(?:o|lo|obj)\s*:/gm,
    needle: /NVCC|nvcc|\.cu/,
    pkg: CUDA_NVCC,
  },
];

const AUTOTOOLS_RULES: readonly Rule[] = [
  LINK_FLAG,
  { kind: 'link-flag', re: /\bAC_CHECK_LIB\s*\(\s*\[?([\w+-]+)\]?(?:\s*,\s*\[?\w+\]?)?/g, needle: /AC_CHECK_LIB/, pkg: linkName },
  {
    kind: 'link-flag',
    re: /\bAC_SEARCH_LIBS\s*\(\s*\[?\w+\]?\s*,\s*\[?([^\],)]*)/dg,
    needle: /AC_SEARCH_LIBS/,
    pkg: linkName,
    each: WORD,
  },
  {
    kind: 'include',
    re: /\bAC_CHECK_HEADERS?\s*\(\s*\[?([^\],)]*)/dg,
    needle: /AC_CHECK_HEADER/,
    pkg: packageOfHeader,
    each: /([\w/.+-]+)/g,
    header: true,
  },
  {
    kind: 'compiles-cuda',
    re: /\bAC_(?:PATH|CHECK)_PROGS?\s*\(\s*\[?\w+\]?\s*,\s*\[?[^\],)]*?\bnvcc\b[^)\n]*\)?/g,
    needle: /nvcc/,
    pkg: CUDA_NVCC,
  },
];

const MESON_RULES: readonly Rule[] = [
  LINK_FLAG,
  { kind: 'link-flag', re: /\bdependency\s*\(\s*['"]cuda['"]/g, needle: /cuda/, pkg: 'cuda_cudart' },
  {
    kind: 'link-flag',
    re: /\bdependency\s*\(\s*['"]cuda['"][^)]*?\bmodules\s*:\s*\[([^\]]*)\]/dg,
    needle: /modules/,
    pkg: (n) => packageOfLibraryName(n, 'stub'),
    each: QUOTED_NAME,
  },
  { kind: 'link-flag', re: /\bfind_library\s*\(\s*['"]([\w+-]+)['"]/g, needle: /find_library/, pkg: linkName },
  { kind: 'compiles-cuda', re: /\badd_languages\s*\([^)]*?['"]cuda['"][^)]*\)?/g, needle: /cuda/, pkg: CUDA_NVCC },
  { kind: 'compiles-cuda', re: /\bproject\s*\(\s*['"][^'"]*['"][^)]*?['"]cuda['"][^)]*\)?/g, needle: /cuda/, pkg: CUDA_NVCC },
];

const BAZEL_RULES: readonly Rule[] = [
  LINK_FLAG,
  {
    kind: 'link-flag',
    re: /(?<=["'])@[\w.~+-]*(?:cuda|cudnn|nccl|tensorrt)[\w.~+-]*\/\/(?:[\w/.+-]*\/)?(?:[\w.+-]*:)?([\w.+-]+)(?=["'])/gi,
    needle: /@[\w.~+-]*(?:cuda|cudnn|nccl|tensorrt)/i,
    pkg: bazelTarget,
  },
  {
    kind: 'link-flag',
    re: /["']?\b(?=\w*cuda)(?=\w*lib)\w+["']?\s*[=:]\s*\[([^\]]*)\]/dgi,
    needle: /cuda/i,
    pkg: (n) => packageOfLibraryName(n, 'stub'),
    each: QUOTED_NAME,
  },
  { kind: 'compiles-cuda', re: /(?<!def\s+)\bcuda_(?:library|binary|test|objects)\s*\(/g, needle: /cuda_/, pkg: CUDA_NVCC },
];

/** NVIDIA's wheels named as Python dependencies (`nvidia-cublas-cu12`): the library is loaded at run time. */
const WHEEL: Rule = {
  kind: 'runtime-load',
  re: /\bnvidia[-_]([a-z][a-z0-9_-]*?)[-_]cu1[0-9]\b/gi,
  needle: /nvidia/i,
  pkg: wheelName,
};

const PYBUILD_RULES: readonly Rule[] = [LINK_FLAG, WHEEL];

const SETUP_PY_RULES: readonly Rule[] = [
  ...RUNTIME_RULES,
  ...PYBUILD_RULES,
  { kind: 'link-flag', re: /\blibraries\s*=\s*\[([^\]]*)\]/dg, needle: /libraries/, pkg: linkName, each: QUOTED_NAME },
  { kind: 'compiles-cuda', re: /\bCUDAExtension\s*\(/g, needle: /CUDAExtension/, pkg: CUDA_NVCC },
];

const SHELL_RULES: readonly Rule[] = [
  LINK_FLAG,
  ...RUNTIME_RULES,
  { kind: 'compiles-cuda', re: /^[ \t]*(?:\S*\/)?nvcc[ \t]/gm, needle: /nvcc/, pkg: CUDA_NVCC },
];

const RUST_RULES: readonly Rule[] = [
  ...RUNTIME_RULES,
  { kind: 'link-flag', re: /rustc-link-lib=(?:dylib=|static=)?([\w+-]+)/g, needle: /rustc-link-lib/, pkg: linkName },
];

export interface LanguageSpec {
  comments: CommentStyle;
  rules: readonly Rule[];
}

/** Per language: its comment syntax and its rules. */
export const LANGUAGES: Readonly<Record<Language, LanguageSpec>> = {
  c: { comments: 'c', rules: [INCLUDE, ...RUNTIME_RULES] },
  cuda: { comments: 'c', rules: [INCLUDE, ...RUNTIME_RULES] },
  cython: { comments: 'python-doc', rules: [CYTHON_EXTERN, ...RUNTIME_RULES] },
  python: { comments: 'python-doc', rules: RUNTIME_RULES },
  'setup-py': { comments: 'python-doc', rules: SETUP_PY_RULES },
  pybuild: { comments: 'python', rules: PYBUILD_RULES },
  cmake: { comments: 'cmake', rules: CMAKE_RULES },
  make: { comments: 'make', rules: MAKE_RULES },
  autotools: { comments: 'm4', rules: AUTOTOOLS_RULES },
  meson: { comments: 'python', rules: MESON_RULES },
  bazel: { comments: 'python-doc', rules: BAZEL_RULES },
  shell: { comments: 'shell', rules: SHELL_RULES },
  rust: { comments: 'c', rules: RUST_RULES },
  code: { comments: 'c', rules: RUNTIME_RULES },
  script: { comments: 'shell', rules: RUNTIME_RULES },
};

// ---------------------------------------------------------------------------------------------
// File names → languages

/** Whole file names. */
const FILE_NAMES: ReadonlyMap<string, Language> = new Map([
  ['CMakeLists.txt', 'cmake'],
  ['Makefile', 'make'],
  ['makefile', 'make'],
  ['GNUmakefile', 'make'],
  ['configure.ac', 'autotools'],
  ['configure.in', 'autotools'],
  ['meson.build', 'meson'],
  ['meson_options.txt', 'meson'],
  ['meson.options', 'meson'],
  ['BUILD', 'bazel'],
  ['BUILD.bazel', 'bazel'],
  ['WORKSPACE', 'bazel'],
  ['WORKSPACE.bazel', 'bazel'],
  ['MODULE.bazel', 'bazel'],
  ['.bazelrc', 'bazel'],
  ['setup.py', 'setup-py'],
  ['pyproject.toml', 'pybuild'],
  ['setup.cfg', 'pybuild'],
  ['build.rs', 'rust'],
  // Python package metadata (a wheel's `*.dist-info/METADATA`, an sdist's `PKG-INFO`): `Requires-Dist: nvidia-…-cu12`.
  ['METADATA', 'pybuild'],
  ['PKG-INFO', 'pybuild'],
]);

/** File name endings, longest first where one ends another (`.cu.cc` before `.cc`). */
const EXTENSIONS: ReadonlyArray<readonly [string, Language]> = [
  ...['.cu.cc', '.cu.cpp', '.cu.h', '.cu', '.cuh'].map((e) => [e, 'cuda'] as const),
  ...['.c', '.cc', '.cpp', '.cxx', '.c++', '.h', '.hh', '.hpp', '.hxx', '.h++', '.inl', '.ipp'].map((e) => [e, 'c'] as const),
  ['.cmake', 'cmake'],
  ...['.mk', '.mak', '.am', '.pc'].map((e) => [e, 'make'] as const),
  ['.m4', 'autotools'],
  ...['.bzl', '.bazel', '.BUILD'].map((e) => [e, 'bazel'] as const),
  ['.py', 'python'],
  ...['.pyx', '.pxd', '.pxi'].map((e) => [e, 'cython'] as const),
  ...['.sh', '.bash', '.zsh'].map((e) => [e, 'shell'] as const),
  ['.rs', 'rust'],
  ...['.go', '.java', '.js', '.mjs', '.cjs', '.ts', '.kt', '.scala', '.cs', '.swift', '.zig'].map((e) => [e, 'code'] as const),
  ...['.jl', '.rb', '.pl', '.pm', '.r', '.R'].map((e) => [e, 'script'] as const),
];

/** The language of a file by its name (no folder); undefined for a file the scan does not read. */
export function languageOf(name: string): Language | undefined {
  const known = FILE_NAMES.get(name);
  if (known !== undefined) return known;
  if (name.startsWith('Makefile.')) return 'make';
  if (/^requirements[\w.-]*\.(?:txt|in)$/.test(name)) return 'pybuild';
  if (name.endsWith('.in')) return languageOf(name.slice(0, -3)) ?? 'make';
  return EXTENSIONS.find(([ext]) => name.endsWith(ext))?.[1];
}

/** Compilable source files (not headers): a tree without any is a prebuilt candidate. */
export function isCompilableSource(name: string): boolean {
  return /\.(?:c|cc|cpp|cxx|c\+\+|cu|pyx)$/.test(name);
}
