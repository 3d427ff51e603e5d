import { describe, expect, it } from 'vitest';
import { MAX_NESTING, nestingDepth } from '../src/nix/nesting.js';

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
