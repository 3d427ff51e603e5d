/**
 * A check of the scoping of a rewrite: Nix refuses a file that uses a name no enclosing scope
 * binds (`nix-instantiate --parse`: "undefined variable"), unless a `with` may provide it. A
 * transform that inserts `cudaPackages.libcublas` without a `cudaPackages` in scope, or removes
 * the formal `cudatoolkit` while a use of it is left, makes such a file. The runner compares the
 * free uses of the names an edit touches (those in the inserted text and in the removed text)
 * before and after it, and refuses the file when one of them became free.
 */
import type { SyntaxNode } from '../nix/tree.js';
import type { TextEdit } from '../edit/edits.js';
import { positionAt } from '../nix/position.js';
import { ScopeIndex } from '../nix/scope.js';

const KEYWORDS = new Set(['let', 'in', 'rec', 'with', 'inherit', 'if', 'then', 'else', 'assert', 'or']);
const IDENT = /[A-Za-z_][A-Za-z0-9_'-]*/g;

/**
 * The names whose scoping an edit may change: the identifiers of the text it inserts that may be
 * references (not after a `.`: `cudaPackages.libcublas` refers to `cudaPackages` only; not an
 * attribute being defined, `name =`), and those of the text it removes (a removed definition
 * may leave its uses unbound). Fewer names, a smaller focused walk.
 */
export function touchedNames(before: string, edits: readonly TextEdit[]): string[] {
  const names = new Set<string>();
  const collect = (text: string, definitionsToo: boolean): void => {
    for (const m of text.matchAll(IDENT)) {
      const name = m[0];
      if (KEYWORDS.has(name) || text[m.index - 1] === '.') continue;
      if (!definitionsToo && /^\s*=(?!=)/.test(text.slice(m.index + name.length, m.index + name.length + 8))) continue;
      names.add(name);
    }
  };
  for (const e of edits) {
    collect(e.text, false);
    collect(before.slice(e.start, e.end), true);
  }
  return [...names];
}

/** Free uses (not bound, no `with` around, not a builtin) of `names`, by name. */
export function freeUses(source: string, root: SyntaxNode, names: readonly string[]): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  if (names.length === 0) return out;
  const wanted = new Set(names);
  const index = new ScopeIndex(source, root, { focus: names });
  for (const r of index.references()) {
    if (r.resolution.kind !== 'free' || !wanted.has(r.name)) continue;
    const list = out.get(r.name) ?? [];
    list.push(r.node);
    out.set(r.name, list);
  }
  return out;
}

/** The first name with more free uses after than before, with where (in `after`), or undefined. */
export function newlyUnbound(before: Map<string, SyntaxNode[]>, after: Map<string, SyntaxNode[]>, afterSource: string): { name: string; line: number; column: number } | undefined {
  for (const [name, uses] of after) {
    if (uses.length > (before.get(name)?.length ?? 0)) {
      const at = positionAt(afterSource, uses[uses.length - 1]!.startIndex);
      return { name, line: at.line, column: at.column };
    }
  }
  return undefined;
}

/**
 * An attribute defined twice in one attribute set or `let` (`buildInputs = …;` twice, or
 * `inherit x;` and `x = …;`), which Nix rejects, looked for in the sets that hold the text the
 * edits inserted (offsets in the new text). Returns the name and where, or undefined.
 */
export function duplicateAttribute(source: string, root: SyntaxNode, inserted: readonly { start: number; end: number }[]): { name: string; line: number; column: number } | undefined {
  const seen = new Set<number>();
  for (const r of inserted) {
    let n: SyntaxNode | null = root.descendantForIndex(r.start, Math.max(r.start, r.end - 1));
    while (n && n.type !== 'binding_set') n = n.parent;
    if (!n || seen.has(n.startIndex)) continue;
    seen.add(n.startIndex);
    const names = new Set<string>();
    for (const b of n.namedChildren) {
      const defined: SyntaxNode[] = [];
      if (b.type === 'binding') {
        const attrs = b.childForFieldName('attrpath')?.namedChildren ?? [];
        if (attrs.length === 1 && attrs[0]!.type === 'identifier') defined.push(attrs[0]!);
      } else if (b.type === 'inherit' || b.type === 'inherit_from') {
        for (const a of b.childForFieldName('attrs')?.namedChildren ?? []) if (a.type === 'identifier') defined.push(a);
      }
      for (const id of defined) {
        const name = source.slice(id.startIndex, id.endIndex);
        if (names.has(name)) {
          const at = positionAt(source, id.startIndex);
          return { name, line: at.line, column: at.column };
        }
        names.add(name);
      }
    }
  }
  return undefined;
}

/** Where the inserted texts of sorted, non-overlapping edits lie in the new text. */
export function insertedRanges(edits: readonly TextEdit[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let shift = 0;
  for (const e of edits) {
    const start = e.start + shift;
    if (e.text.length > 0) out.push({ start, end: start + e.text.length });
    shift += e.text.length - (e.end - e.start);
  }
  return out;
}

/**
 * Whether a text already uses some name nothing binds (a fragment, or a file meant for
 * `scopedImport`): Nix would refuse it as it is, so the scoping check does not apply to it.
 * A full walk: called only when the check found something.
 */
export function usesUnboundNames(source: string, root: SyntaxNode): boolean {
  return new ScopeIndex(source, root).references().some((r) => r.resolution.kind === 'free');
}
