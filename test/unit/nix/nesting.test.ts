import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_NESTING, nestingDepth } from '../../../src/nix/nesting.js';
import { referenceNestingDepth } from '../../helpers/nesting-reference.js';

describe('nestingDepth', () => {
  it.each([
    ['1', 0],
    ['[ 1 2 ]', 1],
    ['{ a = [ (f x) ]; }', 3],
    ['"[[[ not code ]]]"', 0],
    ['"a ${ [ x ] } b"', 2],
    ["'' [[[ ${ { a = 1; } } ''$ '''[ ''", 2],
    ['# [[[[\n[ ]', 1],
    ['/* (((( */ ( )', 1],
    ['"\\"[" ]', 0],
    ['let a = let b = 1; in b; in a', 2],
    ['{ inherit input; inside = 1; }', 1],
    ['let x = 1; in [ (x) ]', 2],
  ])('%s → %i', (src, depth) => {
    expect(nestingDepth(src)).toBe(depth);
  });

  it('measures thousands of levels without recursion, and stops counting past a limit', () => {
    const deep = `${'['.repeat(50_000)} x ${']'.repeat(50_000)}`;
    expect(nestingDepth(deep)).toBe(50_000);
    expect(nestingDepth(deep, MAX_NESTING)).toBe(MAX_NESTING + 1);
    expect(nestingDepth(`${'let x = '.repeat(300)}1${'; in x'.repeat(300)}`)).toBe(300);
  });
});

describe('nestingDepth: the native scan against the JavaScript reference', () => {
  // Texts made of the pieces the scan reacts to, and a few it must not: every way in and out of
  // strings, indented strings, comments, interpolations and let/in, cut anywhere (at the end of
  // the text too: a lone `$`, `'`, `/` or `\` as the last unit).
  const pieces = ['(', ')', '[', ']', '{', '}', '"', "'", "''", "'''", "''$", "''\\", '${', '$', '\\', '#', '\n', '/*', '*/', '*', '/', 'let', 'in', ' ', 'x', 'inx', 'lets', 'let-', "in'", '-', '0', 'l', 'e', 't', 'i', 'n', '_', 'é', '😀'];
  it('gives the same depth on 100,000 generated texts, with and without a limit', () => {
    let seed = 12345;
    const next = (k: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    let compared = 0;
    const mismatches: string[] = [];
    for (let n = 0; n < 100_000; n++) {
      let text = '';
      const len = next(48);
      for (let j = 0; j < len; j++) text += pieces[next(pieces.length)];
      for (const limit of [Infinity, 2]) {
        compared++;
        if (nestingDepth(text, limit) !== referenceNestingDepth(text, limit)) mismatches.push(JSON.stringify(text));
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBe(200_000);
  });

  it('gives the same depth on every fixture and example file', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.nix')) files.push(join(dir, e.name));
      }
    };
    walk(join(__dirname, '..', '..', '..', 'fixtures'));
    walk(join(__dirname, '..', '..', '..', 'examples'));
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect([f, nestingDepth(text)]).toEqual([f, referenceNestingDepth(text)]);
    }
  });

  it('stops past the limit as the reference does, on deep texts', () => {
    const deep = [`${'${'.repeat(3000)}x${'}'.repeat(3000)}`, `"${'${ "'.repeat(500)}x${'" }'.repeat(500)}"`, `${"''${".repeat(400)}x${"}''".repeat(400)}`];
    for (const text of deep) {
      for (const limit of [Infinity, 0, 1, MAX_NESTING]) expect(nestingDepth(text, limit)).toBe(referenceNestingDepth(text, limit));
    }
    expect(nestingDepth(deep[0]!)).toBe(3000);
  });
});
