/**
 * `mutateSource(text, seed)`: 1–4 small mutations of an existing file (a fixture), for
 * mutations.test.ts: drop, duplicate or swap a binding / list element / formal, rename an
 * identifier (to a needle, mostly), add a comment or a `# nixshift-ignore`, switch LF / CRLF,
 * drop or add a trailing comma, insert blanks, add parentheses, replace a list element with a
 * CUDA reference. Each mutation edits the source text at nodes of its tree-sitter tree, and
 * is kept only when the result still parses (invalid ones are retried or dropped).
 */
import { parseNix } from '../../../src/nix/parser.js';
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { GenCore } from './core.js';
import { Rng } from './rng.js';
import { NEEDLES, PLAIN_NAMES } from './vocabulary.js';

export type Mutation =
  | 'drop-node'
  | 'duplicate-element'
  | 'duplicate-binding'
  | 'swap-siblings'
  | 'rename-identifier'
  | 'add-comment'
  | 'add-ignore'
  | 'toggle-crlf'
  | 'drop-trailing-comma'
  | 'add-trailing-comma'
  | 'insert-whitespace'
  | 'paren-wrap'
  | 'replace-element';

const MUTATIONS: readonly Mutation[] = [
  'drop-node', 'duplicate-element', 'duplicate-binding', 'swap-siblings', 'rename-identifier', 'add-comment', 'add-ignore',
  'toggle-crlf', 'drop-trailing-comma', 'add-trailing-comma', 'insert-whitespace', 'paren-wrap', 'replace-element',
];

function nodesOf(root: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  return root.descendantsOfType([...types]);
}

const splice = (text: string, start: number, end: number, by: string): string => text.slice(0, start) + by + text.slice(end);

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** One mutation; undefined when it does not apply. */
function mutateOnce(text: string, m: Mutation, r: Rng): string | undefined {
  const parsed = parseNix(text);
  if (parsed.syntaxError) return undefined;
  const root = parsed.root;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  switch (m) {
    case 'drop-node': {
      const ns = nodesOf(root, ['binding', 'inherit', 'inherit_from', 'formal']).concat(root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment')));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.startIndex, n.endIndex, '');
    }
    case 'duplicate-element': {
      const ns = root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment'));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.endIndex, n.endIndex, ` ${text.slice(n.startIndex, n.endIndex)}`);
    }
    case 'duplicate-binding': {
      const ns = nodesOf(root, ['binding']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const copy = text.slice(n.startIndex, n.endIndex).replace(/^([A-Za-z_][\w'-]*)/, `$1${r.pick(['_2', 'Copy', 'X'])}`);
      const ls = lineStart(text, n.startIndex);
      const indent = /^[ \t]*/.exec(text.slice(ls))![0];
      return splice(text, n.endIndex, n.endIndex, `${eol}${indent}${copy}`);
    }
    case 'swap-siblings': {
      const parents = [...nodesOf(root, ['binding_set', 'list_expression', 'formals'])];
      const pairs: [SyntaxNode, SyntaxNode][] = [];
      for (const p of parents) {
        const kids = p.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'ellipses');
        for (let i = 0; i + 1 < kids.length; i++) pairs.push([kids[i]!, kids[i + 1]!]);
      }
      if (pairs.length === 0) return undefined;
      const [a, b] = r.pick(pairs);
      const ta = text.slice(a.startIndex, a.endIndex);
      const tb = text.slice(b.startIndex, b.endIndex);
      return text.slice(0, a.startIndex) + tb + text.slice(a.endIndex, b.startIndex) + ta + text.slice(b.endIndex);
    }
    case 'rename-identifier': {
      const ns = nodesOf(root, ['identifier']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const name = r.chance(0.7) ? r.pick(NEEDLES) : r.pick(PLAIN_NAMES);
      // rename every occurrence of that name (keeps bindings and uses in sync) or just this one
      const old = text.slice(n.startIndex, n.endIndex);
      if (r.chance(0.5)) {
        let out = text;
        for (const x of [...ns].reverse()) if (text.slice(x.startIndex, x.endIndex) === old) out = splice(out, x.startIndex, x.endIndex, name);
        return out;
      }
      return splice(text, n.startIndex, n.endIndex, name);
    }
    case 'add-comment':
    case 'add-ignore': {
      const g = new GenCore(r);
      const c = m === 'add-ignore' ? g.ignoreComment() : g.comment();
      const lines = text.split('\n');
      if (c.startsWith('#') || r.chance(0.5)) {
        // on a line of its own, before a random line, indented like it
        const i = r.int(lines.length);
        const indent = /^[ \t]*/.exec(lines[i]!)![0];
        lines.splice(i, 0, `${indent}${c}${eol === '\r\n' ? '\r' : ''}`);
        return lines.join('\n');
      }
      // a block comment before a random token
      const leaves = root.descendantsOfType(['identifier', '[', ']', '{', '}', '=', ';', ':', ',', 'string_expression', 'list_expression']);
      if (leaves.length === 0) return undefined;
      const n = r.pick(leaves);
      return splice(text, n.startIndex, n.startIndex, `${c} `);
    }
    case 'toggle-crlf':
      return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
    case 'drop-trailing-comma': {
      const at = [...text.matchAll(/,(\s*)\}/g)].map((x) => x.index);
      if (at.length === 0) return undefined;
      const i = r.pick(at);
      return splice(text, i, i + 1, '');
    }
    case 'add-trailing-comma': {
      const fs = nodesOf(root, ['formals']);
      if (fs.length === 0) return undefined;
      const f = r.pick(fs);
      const formals = f.namedChildren.filter((c) => c.type === 'formal');
      if (formals.length === 0 || f.namedChildren.some((c) => c.type === 'ellipses')) return undefined;
      const last = formals[formals.length - 1]!;
      const after = text.slice(last.endIndex, f.endIndex);
      if (/^\s*,/.test(after)) return undefined;
      return splice(text, last.endIndex, last.endIndex, ',');
    }
    case 'insert-whitespace': {
      const leaves: SyntaxNode[] = [];
      const walk = (n: SyntaxNode): void => {
        if (n.childCount === 0) leaves.push(n);
        else for (const c of n.children) walk(c);
      };
      walk(root);
      if (leaves.length === 0) return undefined;
      const n = r.pick(leaves);
      const ws = r.pick([' ', '  ', '\t', eol, `${eol}${eol}`, `${eol}    `]);
      return splice(text, n.endIndex, n.endIndex, ws);
    }
    case 'paren-wrap': {
      const ns = nodesOf(root, ['variable_expression', 'select_expression', 'list_expression', 'attrset_expression', 'apply_expression', 'string_expression']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.startIndex, n.endIndex, `(${text.slice(n.startIndex, n.endIndex)})`);
    }
    case 'replace-element': {
      const ns = root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment'));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const by = r.pick(['cudatoolkit', 'cudaPackages.cudatoolkit', 'addOpenGLRunpath', 'cudaPackages.libcublas', '(lib.getLib cudatoolkit)', 'cudatoolkit.lib', 'pkgs.cudatoolkit', 'symlinkJoin']);
      return splice(text, n.startIndex, n.endIndex, by);
    }
  }
}

export interface Mutated {
  seed: number;
  text: string;
  mutations: Mutation[];
}

/**
 * 1–4 mutations of `text`, each kept only when the result still parses (tree-sitter); the
 * result may equal the input when no mutation applied.
 */
export function mutateSource(text: string, seed: number): Mutated {
  const r = new Rng(seed);
  const n = r.range(1, 4);
  const done: Mutation[] = [];
  let cur = text;
  for (let i = 0, tries = 0; i < n && tries < 12; tries++) {
    const m = r.pick(MUTATIONS);
    const next = mutateOnce(cur, m, r);
    if (next === undefined || next === cur) continue;
    if (parseNix(next).syntaxError) continue;
    cur = next;
    done.push(m);
    i++;
  }
  return { seed, text: cur, mutations: done };
}
