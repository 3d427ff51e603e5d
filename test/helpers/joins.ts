/**
 * "Never silent" (issue: symlinkjoin-to-propagated, the CUDA joins nixpkgs and its users write):
 * every binding whose value is a CUDA join, however written (`symlinkJoin`, `buildEnv`, a
 * `runCommand` that symlinks CUDA parts), ends a run of symlinkjoin-to-propagated either
 * rewritten or with a finding within its lines. Used by the fixture tests and the property suite.
 */
import { parseNix, releaseParsed } from '../../src/nix/parser.js';
import type { SyntaxNode } from '../../src/nix/tree.js';

/** A CUDA name starts a word: `cudaPackages`, `libcublas`, not `enableCuda`. */
const CUDA = /\b(cuda_\w|cudaPackages|cudatoolkit|cudnn|nccl|cutensor|libcu|libnpp|libnv)/i;

export interface JoinBinding {
  name: string;
  /** 1-based first and last lines of the binding. */
  first: number;
  last: number;
  text: string;
}

function calleeName(source: string, app: SyntaxNode): string | undefined {
  let fn: SyntaxNode | null = app;
  while (fn?.type === 'apply_expression') fn = fn.childForFieldName('function');
  while (fn?.type === 'parenthesized_expression') fn = fn.namedChildren[0] ?? null;
  if (!fn) return undefined;
  const t = source.slice(fn.startIndex, fn.endIndex);
  return /(?:^|\.)(\w+)$/.exec(t)?.[1];
}

/** The bindings of a text whose value is a CUDA join. */
export function cudaJoinBindings(source: string): JoinBinding[] {
  const parsed = parseNix(source);
  try {
    if (parsed.syntaxError) return [];
    const out: JoinBinding[] = [];
    for (const b of parsed.root.descendantsOfType('binding')) {
      const value = b.childForFieldName('expression');
      if (value?.type !== 'apply_expression') continue;
      const callee = calleeName(source, value);
      const text = source.slice(value.startIndex, value.endIndex);
      // what it joins: the `paths` of a symlinkJoin / buildEnv, the script of a runCommand
      let arg = value.childForFieldName('argument');
      while (arg?.type === 'parenthesized_expression') arg = arg.namedChildren.find((c) => c.type !== 'comment') ?? null;
      const paths = arg?.type === 'attrset_expression' ? arg.descendantsOfType('binding').find((x) => x.parent?.parent?.id === arg.id && /^paths\s*=/.test(source.slice(x.startIndex, x.endIndex))) : undefined;
      const isJoin =
        ((callee === 'symlinkJoin' || callee === 'buildEnv') && paths !== undefined && CUDA.test(source.slice(paths.startIndex, paths.endIndex).replace(/#[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/\bwith\s[^;]*;/g, '').replace(/\boptionals?\s+(\([^)]*\)|\S+)/g, ''))) ||
        (/^runCommand(Local|NoCC|CC)?$/.test(callee ?? '') && /\bln\s+-[a-zA-Z]*s/.test(text) && /\$\{[^}]*(cuda|libcu|cudnn|nccl)/i.test(text));
      if (!isJoin) continue;
      const path = b.childForFieldName('attrpath')!;
      out.push({ name: source.slice(path.startIndex, path.endIndex), first: b.startPosition.row + 1, last: b.endPosition.row + 1, text: source.slice(b.startIndex, b.endIndex) });
    }
    return out;
  } finally {
    releaseParsed(parsed);
  }
}

/**
 * The CUDA joins of `input` that a run left untouched and unreported: the output has the
 * binding as it was and no finding falls within its lines. Joins under `# nixshift-ignore` are
 * not held to it (a suppression silences on purpose).
 */
export function silentJoins(input: string, output: string, findings: readonly { line: number }[]): string[] {
  if (/nixshift-ignore/.test(input)) return [];
  const joins = cudaJoinBindings(input);
  const reported = (j: JoinBinding): boolean => findings.some((f) => f.line >= j.first && f.line <= j.last);
  // a join defined inside another's arguments goes with it: reported when that one is
  // (or rewritten: then it is gone with it, even when the same text stands elsewhere too)
  const covered = (j: JoinBinding): boolean => reported(j) || joins.some((o) => o !== j && o.first <= j.first && j.last <= o.last && o.text.includes(j.text) && (reported(o) || !output.includes(o.text)));
  // joins of the same text (one kept and reported, one rewritten away): told apart by how many
  // of them the output still holds
  const occurrences = (text: string): number => output.split(text).length - 1;
  const silent: string[] = [];
  for (const text of new Set(joins.map((j) => j.text))) {
    const same = joins.filter((j) => j.text === text);
    const quiet = same.filter((j) => !covered(j));
    const kept = occurrences(text);
    silent.push(...quiet.slice(0, Math.max(0, kept - (same.length - quiet.length))).map((j) => j.name));
  }
  return silent;
}
