/**
 * Our flat trees (native/binding.cc, src/nix/tree.ts) against the tree-sitter Node binding, the
 * oracle: on every fixture, example and grammar snippet, and on texts with syntax errors, both
 * must give the same nodes (type, offsets, named, missing, error, field) in the same order, and
 * the same answers to the questions the code asks (parent, siblings, children, fields,
 * `descendantsOfType`, `descendantForIndex`, S-expression).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeBinding, parseNix } from '../../../src/nix/parser.js';
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { nixFiles, ROOT } from '../../helpers/tree.js';

const require = createRequire(import.meta.url);

interface OracleNode {
  type: string;
  startIndex: number;
  endIndex: number;
  isNamed: boolean;
  isMissing: boolean;
  hasError: boolean;
  id: number;
  parent: OracleNode | null;
  nextSibling: OracleNode | null;
  previousSibling: OracleNode | null;
  namedChildren: OracleNode[];
  children: OracleNode[];
  childForFieldName(name: string): OracleNode | null;
  descendantsOfType(t: string | string[]): OracleNode[];
  descendantForIndex(a: number, b?: number): OracleNode;
  namedDescendantForIndex(a: number, b?: number): OracleNode;
  walk(): { currentNode: OracleNode; currentFieldName: string | null; gotoFirstChild(): boolean; gotoNextSibling(): boolean; gotoParent(): boolean };
  toString(): string;
}

const Parser = require('tree-sitter') as new () => { setLanguage(l: unknown): void; parse(text: string): { rootNode: OracleNode } };
const oracle = new Parser();
oracle.setLanguage(nativeBinding());

function oracleParse(text: string): OracleNode {
  return oracle.parse(text).rootNode;
}

/** Every node of the oracle tree, pre-order, with the field it fills. */
function oracleNodes(root: OracleNode): { node: OracleNode; field: string | undefined }[] {
  const out: { node: OracleNode; field: string | undefined }[] = [];
  const c = root.walk();
  for (;;) {
    out.push({ node: c.currentNode, field: c.currentFieldName ?? undefined });
    if (c.gotoFirstChild()) continue;
    for (;;) {
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return out;
    }
  }
}

const describeOracle = (n: OracleNode | null): string | null => (n ? `${n.type}@${n.startIndex}-${n.endIndex}` : null);
const describeOurs = (n: SyntaxNode | null): string | null => (n ? `${n.type}@${n.startIndex}-${n.endIndex}` : null);
const fields = ['attrpath', 'expression', 'function', 'argument', 'body', 'formals', 'name', 'default', 'left', 'right', 'operator', 'condition', 'consequence', 'alternative', 'attrs', 'universal', 'environment', 'binding', 'formal', 'element'];

/** Compare everything about the two trees of `text`. */
function compare(text: string): void {
  const ours = parseNix(text);
  // parseNix may parse a shadow copy (trailing formals commas blanked): give the oracle the same.
  const theirs = oracleParse(ours.tree.text);
  const a = oracleNodes(theirs);
  const b = [...ours.root.descendants()];
  expect(b.map((n) => `${n.type} ${n.startIndex}-${n.endIndex} ${n.isNamed} ${n.isMissing} ${n.hasError} ${n.fieldName}`)).toEqual(
    a.map(({ node: n, field }) => `${n.type} ${n.startIndex}-${n.endIndex} ${n.isNamed} ${n.isMissing} ${n.hasError} ${field}`),
  );
  const rows: string[] = [];
  const want: string[] = [];
  // tree-sitter's sibling search steps over zero-width nodes (a MISSING token, an empty
  // expression in an error tree); ours follows the tree. Siblings are compared without them.
  const zeroWidth = b.some((n) => n.startIndex === n.endIndex && n.id !== 0);
  const sibling = <T>(n: T): T | null => (zeroWidth ? null : n);
  for (let i = 0; i < a.length; i++) {
    const o = a[i]!.node;
    const m = b[i]!;
    want.push(
      [describeOracle(o.parent), sibling(describeOracle(o.nextSibling)), sibling(describeOracle(o.previousSibling)), o.children.length, o.namedChildren.map(describeOracle).join(','), ...fields.map((f) => describeOracle(o.childForFieldName(f)))].join('|'),
    );
    rows.push(
      [describeOurs(m.parent), sibling(describeOurs(m.nextSibling)), sibling(describeOurs(m.previousSibling)), m.childCount, m.namedChildren.map(describeOurs).join(','), ...fields.map((f) => describeOurs(m.childForFieldName(f)))].join('|'),
    );
  }
  expect(rows).toEqual(want);
  const types = ['identifier', 'binding', 'apply_expression', 'select_expression', 'comment', 'ERROR', ',', 'string_fragment', 'formals'];
  expect(ours.root.descendantsOfType(types).map(describeOurs)).toEqual(theirs.descendantsOfType(types).map(describeOracle));
  expect(ours.root.toString()).toBe(theirs.toString());
  // descendantForIndex on every offset and a spread of ranges.
  const got: (string | null)[] = [];
  const exp: (string | null)[] = [];
  const step = Math.max(1, Math.floor(text.length / 400));
  for (let at = 0; at <= text.length; at += step) {
    for (const len of [0, 1, 3, 17]) {
      const end = Math.min(text.length, at + len);
      got.push(describeOurs(ours.root.descendantForIndex(at, end)), describeOurs(ours.root.namedDescendantForIndex(at, end)));
      exp.push(describeOracle(theirs.descendantForIndex(at, end)), describeOracle(theirs.namedDescendantForIndex(at, end)));
    }
  }
  expect(got).toEqual(exp);
}

describe('flat trees agree with the tree-sitter Node binding', () => {
  const files = [...nixFiles(join(ROOT, 'fixtures')), ...nixFiles(join(ROOT, 'examples'))];
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(100);
  });
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s', (_name, file) => {
    compare(readFileSync(file, 'utf8'));
  });

  it.each([
    ['syntax error', '{ a = ; b = 2; }'],
    ['missing token', 'let a = 1 in'],
    ['garbage', ')))(((\n{'],
    ['empty', ''],
    ['comment only', '# nothing\n'],
    ['trailing formals comma', '{ lib, stdenv, }:\n{ x = lib; }\n'],
    ['non-ASCII text', '{ a = "héllo wörld ☃ 𝄞"; /* ü */ b = \'\'\n  ✓ ${a}\n\'\'; }'],
    ['CRLF', '{\r\n  a = 1;\r\n  b = [ a ];\r\n}\r\n'],
    ['deep nesting', `${'['.repeat(300)}1${']'.repeat(300)}`],
    ['interpolation in attrpath', '{ "${a}".b = 1; x.${y} = 2; }'],
    // A node with many children: descendantForIndex binary-searches them.
    ['wide set', `{\n${Array.from({ length: 300 }, (_, i) => `  a${i} = ${i % 7 === 0 ? '[ ]' : `"v${i}"`};${i % 5 === 0 ? ' # c' : ''}\n`).join('')}}\n`],
    ['wide list with empty elements', `[ ${Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? '""' : `x${i}`)).join(' ')} ]`],
  ])('%s', (_name, text) => {
    compare(text);
  });
});

describe('flat tree API', () => {
  it('walks parents in O(1) at any depth', () => {
    const depth = 20000;
    const p = parseNix(`${'['.repeat(depth)}x${']'.repeat(depth)}`);
    let leaf = p.root.descendantForIndex(depth, depth + 1);
    expect(leaf.type).toBe('identifier');
    let steps = 0;
    for (let n: SyntaxNode | null = leaf; n; n = n.parent) steps++;
    expect(steps).toBe(depth + 3); // the identifier, its variable_expression, every list, the source_code
    leaf = p.root.descendantsOfType('identifier')[0]!;
    expect(leaf.startIndex).toBe(depth);
    // Printing is iterative too.
    expect(p.root.toString()).toBe(`(source_code expression: ${'(list_expression element: '.repeat(depth)}(variable_expression name: (identifier))${')'.repeat(depth + 1)}`);
  });

  it('reports ERROR and MISSING nodes', () => {
    const p = parseNix('{ a = 1 }');
    expect(p.syntaxError?.message).toBe('syntax error: missing ";"');
    expect(p.root.hasError).toBe(true);
    expect(p.root.descendantsOfType('integer_expression')[0]!.nextSibling?.isMissing).toBe(true);
    const q = parseNix('{ a = 1; ) }');
    const errors = q.root.descendantsOfType('ERROR');
    expect(errors.map((e) => [e.isError, e.hasError, e.text])).toEqual([[true, true, ')']]);
    expect(q.syntaxError).toMatchObject({ line: 1, column: 10, message: 'syntax error: unexpected ")"' });
  });

  it('gives positions in UTF-16 units, as the Node binding does', () => {
    const p = parseNix('{\n  a = "☃𝄞";\n  b = 1;\n}');
    const b = p.root.descendantsOfType('binding')[1]!;
    expect(b.startPosition).toEqual({ row: 2, column: 2 });
    expect(p.root.descendantsOfType('string_fragment')[0]!.text).toBe('☃𝄞');
  });
});
