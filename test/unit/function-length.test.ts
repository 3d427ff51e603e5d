/**
 * No function in src/ over about 80 lines: a newcomer should be able to hold one in their head.
 * The allow-list names each exception and why it is one; an entry that no longer needs to be
 * there fails the test too, so the list stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/tree.js';

const MAX_LINES = 80;

/** `file:function` → why it is longer and stays so. */
const ALLOWED: Record<string, string> = {
  'src/nix/scope.ts:walk': 'one case per scope-introducing node kind of the grammar, in one iterative walk (no recursion: any depth)',
  'src/nix/parser.ts:reparseNix': 'the incremental re-parse with the trailing-comma shadow copy: one pass over the edits that must stay in step',
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Functions over the limit: `file:name` (nested ones as `outer/inner`) → lines. */
function longFunctions(): Map<string, number> {
  const long = new Map<string, number>();
  for (const file of sources(join(ROOT, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const nameOf = (n: ts.Node): string => {
      const named = (n as { name?: ts.Node }).name;
      if (named) return named.getText(sf);
      if (ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent) || ts.isPropertyDeclaration(n.parent)) return n.parent.name.getText(sf);
      if (ts.isNewExpression(n.parent)) return '<executor>';
      return '<anonymous>';
    };
    const visit = (n: ts.Node, outer: string[]): void => {
      let path = outer;
      if (ts.isFunctionLike(n) && (n as { body?: ts.Node }).body) {
        path = [...outer, nameOf(n)];
        const lines = sf.getLineAndCharacterOfPosition(n.end).line - sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
        if (lines > MAX_LINES) long.set(`${relative(ROOT, file)}:${path.join('/')}`, lines);
      }
      ts.forEachChild(n, (c) => visit(c, path));
    };
    visit(sf, []);
  }
  return long;
}

describe('function length', () => {
  const long = longFunctions();
  it(`no function in src/ is over ${MAX_LINES} lines, but the allowed ones`, () => {
    expect([...long.keys()].filter((k) => !(k in ALLOWED)).map((k) => `${k} (${long.get(k)} lines)`)).toEqual([]);
  });
  it('every allowed exception is still one (the list stays true)', () => {
    expect(Object.keys(ALLOWED).filter((k) => !long.has(k))).toEqual([]);
  });
});
