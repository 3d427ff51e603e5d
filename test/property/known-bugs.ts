/**
 * Bugs in nixshift found by the property tests and NOT fixed yet (the tests only report them).
 *
 * Each entry has
 *  - `matches(failure)`: a signature, as narrow as the symptom allows, that properties.test.ts
 *    and mutations.test.ts use to excuse (count and print, not fail on) that bug, so that the
 *    default run stays green while any other failure still fails it;
 *  - `examples`: minimal inputs (shrunk from generated cases), each checked by an `it.fails`
 *    case in known-bugs.test.ts. When a bug is fixed, its `it.fails` cases start failing: delete
 *    the entry (and its examples) here.
 * The property tests print, for each known bug they excuse, how often and the seed of a case
 * (replay it with NIXSHIFT_PROPERTY_SEED=<seed> NIXSHIFT_PROPERTY_KNOWN_BUGS=1).
 *
 * A scoping bug (an unbound name, an attribute defined twice) shows as a `nix-parse` failure,
 * or as a `no-error` one once the runner's own scoping check refuses such output: the
 * signatures accept both.
 *
 * NIXSHIFT_PROPERTY_KNOWN_BUGS=1 excuses nothing.
 *
 * Fixed while the property tests were being written (entries removed; the properties now check
 * them strictly): parseNix rejecting a formals comma followed by a comment holding `}` or by a
 * block comment; driver-runpath-rename failing on names like `toString`; an `inherit a b;` whose
 * names were all rewritten becoming an empty `inherit ;`; `inherit addOpenGLRunpath;` among
 * call-site arguments renamed again by the next run. Output that uses an unbound name or defines
 * an attribute twice is now refused by the runner (the scoping bugs below are still bugs).
 */
import { parseNix } from '../../src/nix/parser.js';
import { functionInfo, nodeText } from '../../src/nix/syntax.js';
import { type Failure, type KnownBugMatcher, type Property, TWICE_ERROR, UNBOUND_ERROR } from './harness.js';

export interface KnownBugExample {
  /** The chain to run (a transform name, or `all three`). */
  chain: string;
  input: string;
}

export interface KnownBug extends KnownBugMatcher {
  id: string;
  /** Where the bug is. */
  where: string;
  title: string;
  property: Property;
  examples: KnownBugExample[];
}

const inChain = (f: Failure, transform: string): boolean => f.chain === transform || f.chain === 'all three';
const firstLine = (f: Failure): string => f.detail.split('\n')[0]!;
/** The failure comes from `transform`: named by the error, or in the chain otherwise. */
const from = (f: Failure, transform: string): boolean => (f.property === 'no-error' ? f.detail.startsWith(`transform ${transform} `) : inChain(f, transform));
/** The outputs of an idempotency failure: [first, second]. */
function outputs(f: Failure): [string, string] {
  const m = /--- first output ---\n([\s\S]*?)\n--- second output ---\n([\s\S]*)$/.exec(f.detail);
  return m ? [m[1]!, m[2]!] : ['', ''];
}
/**
 * The name an output uses unbound: nix-instantiate's "undefined variable", or the runner's own
 * scoping check (which refuses the file: a `no-error` failure) when it has one.
 */
function undefinedVariable(f: Failure): string | undefined {
  if (f.property === 'nix-parse') return /undefined variable '([^']+)'/.exec(firstLine(f))?.[1];
  if (f.property === 'no-error') return UNBOUND_ERROR.exec(firstLine(f))?.[1];
  return undefined;
}
/** The attribute an output defines twice (nix-instantiate, or the runner's check). */
function definedTwice(f: Failure): string | undefined {
  if (f.property === 'nix-parse') return /attribute '([^']+)' already defined/.exec(firstLine(f))?.[1];
  if (f.property === 'no-error') return TWICE_ERROR.exec(firstLine(f))?.[1];
  return undefined;
}

/** Names the top functions of the file bind (`{ a, b }@args: x: …`: a, b, args, x). */
function topNames(text: string): Set<string> {
  const p = parseNix(text);
  const out = new Set<string>();
  if (p.syntaxError) return out;
  let n = p.root.namedChildren.find((c) => c.type !== 'comment');
  while (n?.type === 'function_expression') {
    const info = functionInfo(text, n);
    for (const f of info.formals) out.add(f.name);
    if (info.universal) out.add(nodeText(text, info.universal));
    n = info.body ?? undefined;
  }
  return out;
}


export const KNOWN_BUGS: KnownBug[] = [
  {
    id: 'KB-cuda-overlapping-edits',
    where: 'transforms/cudatoolkit-to-redist (edit builder: list elements on one line)',
    title: 'cudatoolkit-to-redist produces overlapping edits (file refused) when a list holds the toolkit twice on one line (`[ cudatoolkit cudatoolkit ]`): the replacements of neighbouring elements share their whitespace',
    property: 'no-error',
    examples: [{ chain: 'cudatoolkit-to-redist', input: '{\n  cudatoolkit,\n}:\nlet\n  cudatoolkit_joined = symlinkJoin {\n    paths = [\n      cudatoolkit\n      cudatoolkit cudatoolkit\n    ];\n  };\nin\nstdenv\n' }],
    matches: (f) => f.property === 'no-error' && /transform cudatoolkit-to-redist produced overlapping edits/.test(f.detail),
  },
  {
    id: 'KB-driver-overlapping-edits',
    where: 'transforms/driver-runpath-rename',
    title: 'driver-runpath-rename produces overlapping edits when a formal it drops (its new name is already a formal) has a default that mentions another renamed name',
    property: 'no-error',
    examples: [{ chain: 'driver-runpath-rename', input: '{ autoAddOpenGLRunpathHook ? addOpenGLRunpath, autoAddDriverRunpath, addOpenGLRunpath, ... }:\nstdenv\n' }],
    matches: (f) => f.property === 'no-error' && /transform driver-runpath-rename produced overlapping edits/.test(f.detail),
  },
  {
    id: 'KB-join-overlapping-edits',
    where: 'transforms/symlinkjoin-to-propagated',
    title: 'symlinkjoin-to-propagated produces overlapping edits for a join nested in the attributes of another join, or a join listed twice in one list',
    property: 'no-error',
    examples: [
      { chain: 'symlinkjoin-to-propagated', input: '{ symlinkJoin, cudaPackages }:\nlet\n  a = symlinkJoin {\n    paths = [ cudaPackages.libcublas ];\n    b = symlinkJoin { paths = [ cudaPackages.cuda_cudart ]; };\n  };\nin\n1\n' },
      { chain: 'symlinkjoin-to-propagated', input: '{ lib, }:\r\nlet\r\n  cudaLibs = symlinkJoin {\r\n    paths = [ cudaPackages ];\r\n  };\r\nin\r\n{\r\n  buildInputs = [ cudaLibs cudaLibs ];\r\n}\r\n' },
    ],
    matches: (f) => f.property === 'no-error' && /transform symlinkjoin-to-propagated produced overlapping edits/.test(f.detail),
  },
  {
    id: 'KB-join-listed-twice',
    where: 'transforms/symlinkjoin-to-propagated',
    title:
      'a join listed twice in one list: the members moved to a sibling list are added twice (`buildInputs` defined twice), or a nested join listed twice is removed while one reference to it stays (undefined variable); Nix rejects the output',
    property: 'nix-parse',
    examples: [
      { chain: 'symlinkjoin-to-propagated', input: '{ symlinkJoin, cudaPackages }:\nlet\n  j = symlinkJoin {\n    paths = with cudaPackages; [ cuda_nvcc nccl ];\n  };\nin\n{\n  nativeBuildInputs = [ j j ];\n}\n' },
      {
        chain: 'symlinkjoin-to-propagated',
        input: '{ symlinkJoin, cudaPackages }:\nlet\n  a = symlinkJoin { paths = [ cudaPackages.libcublas ]; };\n  b = symlinkJoin { paths = [ a a ]; };\nin\n{\n  runtimeDependencies = [ b ];\n}\n',
      },
    ],
    matches: (f) => {
      if (!from(f, 'symlinkjoin-to-propagated')) return false;
      if (definedTwice(f) !== undefined) return true;
      const v = undefinedVariable(f);
      return v !== undefined && new RegExp(`\\b${v}\\s+${v}\\b`).test(f.input);
    },
  },
  {
    id: 'KB-driver-call-site-duplicate',
    where: 'transforms/driver-runpath-rename (call sites)',
    title: 'call-site arguments with both `inherit addDriverRunpath;` and `addOpenGLRunpath = …;`: the rename defines `addDriverRunpath` twice (Nix rejects the output)',
    property: 'nix-parse',
    examples: [{ chain: 'driver-runpath-rename', input: '{ addDriverRunpath, addOpenGLRunpath, callPackage }:\n{\n  tool = callPackage ./tool.nix {\n    inherit addDriverRunpath;\n    addOpenGLRunpath = addOpenGLRunpath;\n  };\n}\n' }],
    matches: (f) => from(f, 'driver-runpath-rename') && /^(addDriverRunpath|autoAddDriverRunpath)$/.test(definedTwice(f) ?? ''),
  },
  {
    id: 'KB-cuda-ignore-comment-retargeted',
    where: 'transforms/cudatoolkit-to-redist (list elements)',
    title:
      'a `# nixshift-ignore` written after code on the same line (it protects the NEXT element or binding) ends up before something the transform inserted (the first package replacing a toolkit list element, a new `buildInputs`), so it protects that instead; the next run rewrites what it protected (not idempotent)',
    property: 'idempotent',
    examples: [
      { chain: 'cudatoolkit-to-redist', input: '{ symlinkJoin, cudaPackages, lib }:\nsymlinkJoin {\n  paths = with cudaPackages; [\n    cudatoolkit # nixshift-ignore\n    cudatoolkit\n  ];\n}\n' },
      {
        chain: 'cudatoolkit-to-redist',
        input: '{ lib, final }:\n{\n  nativeBuildInputs = [\n    final.cudaPackages.cudatoolkit\n  ]; # nixshift-ignore:cudatoolkit-to-redist\n  preConfigure = \'\'\n    wrapProgram $out/bin/app --prefix LD_LIBRARY_PATH : ${lib.makeLibraryPath [ final.cudaPackages.cudatoolkit ]}\n  \'\';\n}\n',
      },
    ],
    // a `# nixshift-ignore` after code on the same line
    matches: (f) => f.property === 'idempotent' && inChain(f, 'cudatoolkit-to-redist') && /\S[ \t]*(#|\/\*)[ \t]*nixshift-ignore/.test(f.input),
  },
  {
    id: 'KB-with-scope-lost',
    where: 'transforms/cudatoolkit-to-redist and transforms/symlinkjoin-to-propagated',
    title:
      'an expression taken from under a `with` is moved out of it: nvcc moved from `with set; [ pkgs.cudatoolkit ]` to nativeBuildInputs, or the members of `paths = with y; [ … ]` (y not recognised as a package set) flattened into a list without the `with`: undefined variable',
    property: 'nix-parse',
    examples: [
      { chain: 'cudatoolkit-to-redist', input: '{\n  cudaPackages_11_8,\n}:\n{\n  buildInputs = with cudaPackages_11_8; [ pkgs.cudatoolkit ];\n}\n' },
      { chain: 'symlinkjoin-to-propagated', input: 'y: {\n  cuda-dev-env = y.symlinkJoin {\n    paths = with y; [\n      libcublas\n    ];\n  };\n}\n' },
    ],
    matches: (f) => {
      const v = undefinedVariable(f);
      if (!v || !/\bwith\b/.test(f.input)) return false;
      if (!from(f, 'cudatoolkit-to-redist') && !from(f, 'symlinkjoin-to-propagated')) return false;
      // the name was not bound by the top function of the input: it came from a `with`
      return !topNames(f.input).has(v);
    },
  },
  {
    id: 'KB-join-formal-removed',
    where: 'transforms/symlinkjoin-to-propagated (formals)',
    title:
      'the `symlinkJoin` formal is removed while something still uses it: a join left as is (suppressed by `# nixshift-ignore`, or not a list of paths), or `symlinkJoin` itself among the members: undefined variable',
    property: 'nix-parse',
    examples: [
      { chain: 'symlinkjoin-to-propagated', input: '{\n  cudaPackages_10_2,\n  symlinkJoin,\n  stdenv,\n}:\nlet\n  cudaLibs = symlinkJoin {\n    # nixshift-ignore:symlinkjoin-to-propagated\n    paths = cudaPackages_10_2;\n  };\nin\nstdenv\n' },
      { chain: 'symlinkjoin-to-propagated', input: '{ symlinkJoin, cudaPackages }:\nlet\n  cudaDev = symlinkJoin {\n    paths = [ symlinkJoin cudaPackages ];\n  };\nin\n{\n  buildInputs = [ cudaDev ];\n}\n' },
    ],
    matches: (f) => from(f, 'symlinkjoin-to-propagated') && /^(symlinkJoin|buildEnv)$/.test(undefinedVariable(f) ?? ''),
  },
  {
    id: 'KB-join-parenthesized-function',
    where: 'transforms/symlinkjoin-to-propagated (exported joins)',
    title: 'an exported join called through parentheses, `(final.symlinkJoin) { … }`, is rewritten into unbalanced parentheses (invalid Nix; the file is refused)',
    property: 'no-error',
    examples: [{ chain: 'symlinkjoin-to-propagated', input: 'final: prev: {\n  cuda-dev-env = (final.symlinkJoin) {\n    name = "env";\n    paths = [ final.cudaPackages.cuda_cudart ];\n  };\n}\n' }],
    matches: (f) => f.property === 'no-error' && /transform symlinkjoin-to-propagated produced invalid Nix \(\d+:\d+: syntax error/.test(f.detail) && /\(\s*[\w.]*(symlinkJoin|buildEnv)\s*\)/.test(f.input),
  },
  {
    id: 'KB-join-cascade',
    where: 'transforms/symlinkjoin-to-propagated (removal of unused joins)',
    title: 'not idempotent: removing an unused join that was the only user of another join leaves that join, which the next run removes',
    property: 'idempotent',
    examples: [
      {
        chain: 'symlinkjoin-to-propagated',
        input: '{ symlinkJoin, cudaPackages, lib }:\nlet\n  a = symlinkJoin { name = "a"; paths = [ cudaPackages.libcublas ]; };\n  b = symlinkJoin { name = "b"; paths = [ cudaPackages.cuda_cudart ]; postBuild = "echo ${a}"; };\nin\n1\n',
      },
    ],
    matches: (f) => {
      if (f.property !== 'idempotent' || !inChain(f, 'symlinkjoin-to-propagated')) return false;
      const [first, second] = outputs(f);
      const joins = (t: string): number => (t.match(/\b(symlinkJoin|buildEnv)\s*\{/g) ?? []).length;
      return joins(second) < joins(first);
    },
  },
];
