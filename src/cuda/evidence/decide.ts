/**
 * Which split packages replace the legacy toolkit, decided from evidence as a maintainer decides
 * (docs/cuda.md#evidence). This is where every package of the set comes from:
 *
 * - `-o cuda-libs=…` (forced) wins over everything;
 * - else the package's source tree and old build (`source=`, `build=`, `--evidence sources`):
 *   a library is kept when its own sources or vendored code include its headers, link it, name
 *   it in CMake, or load it at run time, or when the old build's ELF files need it; evidence only
 *   in tests, examples, benchmarks or docs is named but adds nothing;
 * - else the `.nix` file's own strings and flags, and the split packages it already names (the
 *   maintainers' choice: kept, never added twice, and no `cuda_cccl` beyond what they chose);
 * - else (no evidence at all) every library of the legacy toolkit, with a request to prune.
 *
 * Roles: `cuda_nvcc` only where CUDA code is compiled (a `.cu` file, `enable_language(CUDA)`, …)
 * or NVVM is used, or, without source evidence, where the toolkit was a build input of a package
 * that builds; a prebuilt binary package gets neither `cuda_nvcc` nor `cuda_cccl` unless evidence
 * names them. With source evidence, `cuda_cccl` only where the source includes its headers
 * (`thrust/`, `cub/`, `cuda/std/`): the runtime's own headers bring what plain CUDA code needs.
 * `cuda_cudart` comes with compiled CUDA code and with any library linked at build time (their
 * headers include the runtime's).
 */
import { ALL_COMPONENTS, LIBRARIES, TOOLKIT_LIBRARIES, TOOLS } from '../facts.js';
import type { EvidenceItem, TreeEvidence } from './types.js';

export interface DecideInput {
  /** Evidence in the `.nix` file (scanNixText, scanNixPackages). */
  nix: readonly EvidenceItem[];
  /** Scans of the package's source tree and old build. */
  trees: readonly TreeEvidence[];
  /** `-o cuda-libs=…`. */
  forced?: readonly string[];
  /** Why the package looks prebuilt (prebuiltHint), when it does. */
  prebuilt?: string;
}

export interface LibraryDecision {
  /** What decided the set. */
  basis: 'forced' | 'trees' | 'nix' | 'fallback';
  /** Packages for `buildInputs` (libraries and headers), in canonical order. */
  compileLibs: string[];
  /** Of those, the ones with shared libraries, for runtime paths. */
  runtimeLibs: string[];
  /** Libraries the source loads at run time (dlopen, ctypes): they belong on a runtime path. */
  loadedAtRunTime: string[];
  /** Packages for `nativeBuildInputs`. */
  tools: string[];
  /** Package → the evidence that led to it, as shown in the finding. */
  why: Map<string, string>;
  /** Libraries of the legacy toolkit the evidence did not show. */
  notShown: string[];
  /** Evidence only in tests, examples, benchmarks or docs, for packages not kept (named, not used). */
  outside: EvidenceItem[];
  /** CUDA packages outside the toolkit the evidence shows (cudnn, nccl, …): named, not added. */
  beyondToolkit: string[];
  /** Libraries only named in build files, never included or loaded by the code: not kept. */
  buildOnly: EvidenceItem[];
  /** Driver libraries the old build links (`libcuda.so.1`): from the driver at run time. */
  driverLibs: string[];
}

const DECIDING = new Set(['main', 'vendored']);
const LIBRARY_ORDER = LIBRARIES.map((c) => c.name);
const order = (names: Iterable<string>): string[] => {
  const set = new Set(names);
  return LIBRARY_ORDER.filter((n) => set.has(n));
};

/** How one piece of evidence reads in a finding. */
export function describeItem(item: EvidenceItem): string {
  if (item.kind === 'nix') return `${JSON.stringify(item.text)} at line ${item.line}`;
  if (item.kind === 'nix-package' && /\.lib$/.test(item.text)) return `\`${item.text}\` at line ${item.line}, the toolkit's lib output (libcudart only)`;
  if (item.kind === 'nix-package') return `already in the file at line ${item.line}`;
  const at = item.line > 0 ? `${item.file}:${item.line}` : item.file;
  const where = item.place === 'main' ? '' : ` (${item.place})`;
  const what = item.kind === 'compiles-cuda' ? 'compiles CUDA code: ' : item.kind === 'runtime-load' ? 'loaded at run time: ' : '';
  return `${what}${at} \`${item.text}\`${where}`;
}

/** Evidence that code uses a package (not only that a build file names it). */
const CODE_KINDS: ReadonlySet<string> = new Set(['include', 'runtime-load', 'needed']);
/** Packages every CUDA build has, whatever the build files say. */
const BASE: ReadonlySet<string> = new Set(['cuda_cudart', 'cuda_cccl', 'cuda_nvcc']);
/** Headers that include cccl's `<nv/target>`: the half, bfloat16 and fp8 headers, and cuBLAS's (which include them). */
const NEEDS_CCCL = /\b(?:cuda_fp16|cuda_bf16|cuda_fp8)\.h|\bcublas/;

interface TreeSet {
  libs: string[];
  tools: string[];
  loaded: string[];
  buildOnly: EvidenceItem[];
}

/**
 * The set from the deciding items of the source and the build. A library named only in build
 * files (a CMake variable, a `-l` flag) while the code includes or loads other CUDA libraries is
 * dead configuration (a list of every library, a vendored tree's own Makefile): not kept, named.
 */
function fromTrees(deciding: readonly EvidenceItem[], nix: readonly EvidenceItem[], note: (pkg: string, reason: string) => void): TreeSet {
  const compiles = deciding.find((i) => i.kind === 'compiles-cuda') ?? nix.find((i) => i.pkg === 'cuda_nvcc');
  const nvcc = compiles ?? deciding.find((i) => i.pkg === 'cuda_nvcc');
  const used = new Set(deciding.filter((i) => CODE_KINDS.has(i.kind)).map((i) => i.pkg));
  const candidates = deciding.filter((i) => i.kind !== 'runtime-load' && i.kind !== 'compiles-cuda' && ALL_COMPONENTS.has(i.pkg));
  const isBuildOnly = (i: EvidenceItem): boolean => used.size > 0 && !CODE_KINDS.has(i.kind) && !BASE.has(i.pkg) && !used.has(i.pkg);
  const linked = candidates.filter((i) => !isBuildOnly(i));
  const libs = [...new Set(linked.map((i) => i.pkg))];
  const loaded = order(deciding.filter((i) => i.kind === 'runtime-load').map((i) => i.pkg));
  libs.push(...loaded);
  const firstLib = linked.find((i) => i.pkg !== 'cuda_nvcc');
  if (compiles) {
    libs.push('cuda_cudart');
    note('cuda_cudart', describeItem(compiles).replace(/^(compiles CUDA code: )?/, 'compiles CUDA code: '));
  } else if (firstLib) {
    libs.push('cuda_cudart');
    note('cuda_cudart', `the CUDA runtime, whose headers ${firstLib.pkg}'s include`);
  }
  const ccclNeed = deciding.find((i) => i.kind === 'include' && NEEDS_CCCL.test(i.text));
  if (ccclNeed && !libs.includes('cuda_cccl')) {
    libs.push('cuda_cccl');
    note('cuda_cccl', `\`<nv/target>\` for ${describeItem(ccclNeed)}`);
  }
  if (nvcc) note('cuda_nvcc', describeItem(nvcc));
  return { libs, tools: nvcc ? ['cuda_nvcc'] : [], loaded, buildOnly: candidates.filter(isBuildOnly) };
}

export function decide(input: DecideInput): LibraryDecision {
  const why = new Map<string, string>();
  const note = (pkg: string, reason: string): void => {
    if (!why.has(pkg)) why.set(pkg, reason);
  };
  const treeItems = input.trees.flatMap((t) => t.items);
  const deciding = treeItems.filter((i) => DECIDING.has(i.place));
  // the source and the build speak first; the .nix text names what they did not show
  if (!input.forced) for (const item of deciding) note(item.pkg, describeItem(item));
  for (const item of input.nix) note(item.pkg, describeItem(item));
  const fromNix = (names: readonly string[]): string[] => names.filter((n) => input.nix.some((i) => i.pkg === n));
  let basis: LibraryDecision['basis'];
  let libs: string[];
  let tools: string[];
  let loaded: string[] = [];
  let buildOnly: EvidenceItem[] = [];
  if (input.forced) {
    basis = 'forced';
    libs = ['cuda_cudart', ...(input.prebuilt ? [] : ['cuda_cccl']), ...input.forced];
    for (const n of input.forced) why.set(n, 'option cuda-libs');
    tools = input.prebuilt ? [] : ['cuda_nvcc'];
  } else if (deciding.length > 0) {
    basis = 'trees';
    ({ libs, tools, loaded, buildOnly } = fromTrees(deciding, input.nix, note));
    libs.push(...fromNix(LIBRARY_ORDER));
  } else {
    const nixLibs = fromNix(LIBRARY_ORDER);
    basis = nixLibs.length > 0 ? 'nix' : 'fallback';
    libs = basis === 'nix' ? nixLibs : [...TOOLKIT_LIBRARIES];
    if (input.prebuilt && basis === 'fallback') libs = libs.filter((n) => n !== 'cuda_cccl');
    // the file's own split packages are the maintainers' choice: no headers beyond what it names
    const ownChoice = input.nix.some((i) => i.kind === 'nix-package' && LIBRARY_ORDER.includes(i.pkg));
    libs.push('cuda_cudart', ...(input.prebuilt || ownChoice ? [] : ['cuda_cccl']));
    tools = input.prebuilt ? [] : ['cuda_nvcc'];
  }
  tools.push(...fromNix(TOOLS.map((t) => t.name)).filter((t) => !tools.includes(t)));
  const compileLibs = order(libs);
  const beyondToolkit = [...new Set(treeItems.filter((i) => DECIDING.has(i.place) && !ALL_COMPONENTS.has(i.pkg)).map((i) => i.pkg))].sort();
  return {
    basis,
    compileLibs,
    runtimeLibs: compileLibs.filter((n) => ALL_COMPONENTS.get(n)?.runtime),
    loadedAtRunTime: loaded.filter((n) => ALL_COMPONENTS.get(n)?.runtime),
    tools,
    why,
    notShown: TOOLKIT_LIBRARIES.filter((n) => !compileLibs.includes(n)),
    outside: treeItems.filter((i) => !DECIDING.has(i.place) && !compileLibs.includes(i.pkg) && !tools.includes(i.pkg)),
    beyondToolkit,
    buildOnly: buildOnly.filter((i) => !compileLibs.includes(i.pkg)),
    driverLibs: [...new Set(input.trees.flatMap((t) => t.driverLibs ?? []))].sort(),
  };
}
