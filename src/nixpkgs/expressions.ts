/**
 * Helpers about where a node sits and how nixpkgs writes what a transform adds: the binding
 * around a node, whether it is inside `${ }`, and the `lib.optionals cond` prefix of a list
 * copied under a condition. Both CUDA transforms use them; a user's transform can too
 * (`import { nixpkgs } from 'nixshift'`).
 */
import { attrName } from '../nix/syntax.js';
import type { SyntaxNode } from '../nix/tree.js';

/** The binding a node is in (the innermost), its last attribute name and its whole path. */
export function enclosingBinding(source: string, node: SyntaxNode): { binding: SyntaxNode; name: string; path: string } | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'binding') continue;
    const attrpath = p.childForFieldName('attrpath')!;
    const names = attrpath.namedChildren.map((a) => attrName(source, a) ?? '?');
    return { binding: p, name: names[names.length - 1]!, path: names.join('.') };
  }
  return undefined;
}

/** Whether a node is anywhere inside `${ }`. */
export function insideInterpolation(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'interpolation') return true;
  return false;
}

/**
 * Whether a node is the path an interpolation points at (`${lib.getDev x}/include`), not a member
 * of a list inside it (`${lib.makeLibraryPath [ x ]}`).
 */
export function interpolatedPath(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'list_expression') return false;
    if (p.type === 'interpolation') return true;
  }
  return false;
}

/** `(a && b)` yes; `(a) && (b)` no. Strings and comments inside are not expected in a condition. */
function enclosedInParens(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0 && i < text.length - 1) return false;
  }
  return depth === 0;
}

/**
 * A condition copied to a new place, on one line: its comments stay where they were (a copied
 * `# nixshift-ignore` would cover something else), blanks and line breaks become one space, and
 * parentheses around the whole of it go (`(\n    cudaSupport\n  )` → `cudaSupport`). One with a
 * string (where `#` is no comment) is copied as it is.
 */
export function tidyCondition(cond: string): string {
  if (/"|''/.test(cond)) return cond;
  let c = cond.replace(/#[^\n]*|\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
  while (enclosedInParens(c)) c = c.slice(1, -1).trim();
  return c;
}

/** A condition as an argument: bare when it is a name or already parenthesised, else in parentheses. */
export function maybeParen(cond: string): string {
  return /^[A-Za-z_][\w'.-]*$/.test(cond) || enclosedInParens(cond) ? cond : `(${cond})`;
}

/**
 * `lib.optionals cond ` for a list copied under these conditions ('' when there is none): each
 * condition tidied, several joined with `&&`, parenthesised once and only when needed.
 */
export function optionalsPrefix(lib: string, conditionsIn: readonly string[]): string {
  if (conditionsIn.length === 0) return '';
  const conditions = conditionsIn.map(tidyCondition);
  const cond = conditions.length === 1 ? maybeParen(conditions[0]!) : `(${conditions.map((c) => (/^[A-Za-z_][\w'.-]*$|^!?\(/.test(c) ? c : `(${c})`)).join(' && ')})`;
  return `${lib}.optionals ${cond} `;
}
