/**
 * Inline suppression comments: `# nixshift-ignore` (or `/* nixshift-ignore *\/`), optionally
 * naming transforms and giving a reason, eslint-style:
 *
 *   # nixshift-ignore
 *   # nixshift-ignore: cudatoolkit-to-redist, symlinkjoin-to-propagated
 *   # nixshift-ignore cudatoolkit-to-redist -- needs the full toolkit for nsight
 *
 * The comment must start with `nixshift-ignore` (after `#` or `/*` and blanks), followed by the
 * end of the comment, a blank or a colon; names are separated by commas and/or blanks; a reason
 * follows ` -- `. No names means every transform.
 *
 * It covers the NEXT binding or expression: the outermost node that starts at the first
 * non-comment token after the comment and lies within the comment's parent node. In practice,
 * the next sibling of the comment that is not a comment, looking through the node kinds that
 * only group their children (`binding_set`, `inherited_attrs`), so that before `foo = …;` in an
 * attrset or `let` it is that binding, before a list element that element, before an `inherit`
 * that inherit, before a formal that formal (a leading comma of the formal is skipped). When the
 * comment's parent is the file itself (only comments before it), the suppression covers the whole
 * file. A comment followed by nothing within its parent (end of file, end of a list, before `in`)
 * is dangling: it covers nothing and is reported as unused.
 */
import type { SyntaxNode } from './tree.js';
import { positionAt } from './position.js';

export const SUPPRESSION_MARKER = 'nixshift-ignore';

export interface Suppression {
  /** The covered range (UTF-16 offsets into the source); empty (at the comment's end) when dangling. */
  start: number;
  end: number;
  /** Where the comment starts and ends. */
  commentStart: number;
  commentEnd: number;
  /** Position of the comment, 1-based, columns in code points (see position.ts). */
  line: number;
  column: number;
  /** The transforms it names, or every transform. */
  transforms: string[] | 'all';
  /** The text after ` -- `, when given. */
  reason?: string;
  /** The comment precedes the file's whole expression (only comments before it). */
  wholeFile: boolean;
  /** Nothing follows the comment within its parent: it covers nothing. */
  dangling: boolean;
}

export interface SuppressionDirective {
  transforms: string[] | 'all';
  reason?: string;
}

/**
 * Parse the text of one comment; undefined when it is not a suppression (it must START with
 * `nixshift-ignore`, so `# do not use nixshift-ignore here` is not one).
 */
export function parseSuppressionComment(comment: string): SuppressionDirective | undefined {
  let body: string;
  if (comment.startsWith('/*')) body = comment.slice(2, comment.endsWith('*/') && comment.length >= 4 ? -2 : undefined);
  else if (comment.startsWith('#')) body = comment.slice(1);
  else return undefined;
  const m = /^[ \t]*nixshift-ignore(?=$|[\s:])([\s\S]*)$/.exec(body);
  if (!m) return undefined;
  let rest = m[1]!;
  let reason: string | undefined;
  const dash = /(?:^|\s)--(?:\s|$)/.exec(rest);
  if (dash) {
    reason = rest.slice(dash.index + dash[0].length).replace(/\s+/g, ' ').trim() || undefined;
    rest = rest.slice(0, dash.index);
  }
  rest = rest.replace(/^\s*:/, '');
  const names: string[] = [];
  for (const n of rest.split(/[\s,]+/)) if (n !== '' && n !== '*' && !names.includes(n)) names.push(n);
  return { transforms: names.length === 0 ? 'all' : names, ...(reason !== undefined ? { reason } : {}) };
}

/** Node kinds that only group their children: a comment before them covers their first child. */
const GROUPS = new Set(['binding_set', 'inherited_attrs']);

function isTrivia(n: SyntaxNode): boolean {
  return n.type === 'comment' || (n.isMissing && n.startIndex === n.endIndex);
}

/** The node a suppression comment covers, or undefined when nothing follows it in its parent. */
function coveredNode(comment: SyntaxNode): SyntaxNode | undefined {
  let next = comment.nextSibling;
  while (next && isTrivia(next)) next = next.nextSibling;
  // leading-comma formals: `# nixshift-ignore` / `, cudatoolkit`
  if (next && next.type === ',' && comment.parent?.type === 'formals') {
    next = next.nextSibling;
    while (next && isTrivia(next)) next = next.nextSibling;
  }
  while (next && GROUPS.has(next.type)) {
    let child = next.firstChild;
    while (child && isTrivia(child)) child = child.nextSibling;
    next = child;
  }
  if (!next || !next.isNamed) return undefined; // `]`, `}`, `in`, `;`, `then`, …
  return next;
}

/**
 * Every suppression comment of a parsed file, in source order. Cheap when the text does not
 * mention `nixshift-ignore` (no tree walk at all).
 */
export function findSuppressions(source: string, root: SyntaxNode): Suppression[] {
  if (!source.includes(SUPPRESSION_MARKER)) return [];
  const out: Suppression[] = [];
  for (const c of root.descendantsOfType('comment')) {
    const text = source.slice(c.startIndex, c.endIndex);
    if (!text.includes(SUPPRESSION_MARKER)) continue;
    const directive = parseSuppressionComment(text.trimEnd());
    if (!directive) continue;
    const node = coveredNode(c);
    const pos = positionAt(source, c.startIndex);
    const parent = c.parent;
    out.push({
      start: node ? node.startIndex : c.endIndex,
      end: node ? node.endIndex : c.endIndex,
      commentStart: c.startIndex,
      commentEnd: c.endIndex,
      line: pos.line,
      column: pos.column,
      transforms: directive.transforms,
      ...(directive.reason !== undefined ? { reason: directive.reason } : {}),
      wholeFile: node !== undefined && parent !== null && (parent.id === root.id || parent.parent === null),
      dangling: node === undefined,
    });
  }
  return out;
}

/** Whether a suppression applies to the transform `name`. */
export function coversTransform(s: Pick<Suppression, 'transforms'>, name: string): boolean {
  return s.transforms === 'all' || s.transforms.includes(name);
}

/** How a suppression is written back in messages: `# nixshift-ignore at 3:5`. */
export function describeSuppression(s: Pick<Suppression, 'line' | 'column'>): string {
  return `# nixshift-ignore at ${s.line}:${s.column}`;
}
