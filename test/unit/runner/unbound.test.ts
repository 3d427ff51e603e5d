/** The scoping check of the runner: which uses of some names nothing binds. */
import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../src/nix/parser.js';
import { duplicateAttribute, freeUses, touchedNames } from '../../../src/runner/unbound.js';

const flat = (m: Map<string, { startIndex: number }[]>): Record<string, number[]> =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.map((n) => n.startIndex).sort((a, b) => a - b)]).sort());

describe('freeUses', () => {
  it('finds free uses, and none under a with, a formal, a let or rec binding, or for builtins', () => {
    const src = '{ a, b ? c }:\nlet d = a; inherit e; in rec { f = g; h = f; i = with x; y; j = map k [ ]; }';
    const p = parseNix(src);
    expect(flat(freeUses(src, p.root, ['a', 'c', 'd', 'e', 'f', 'g', 'y', 'k', 'map', 'x']))).toEqual({
      c: [src.indexOf('c }')],
      e: [src.indexOf('e;')],
      g: [src.indexOf('g;')],
      k: [src.indexOf('k [')],
      x: [src.indexOf('x;')],
    });
  });

  it('`inherit x;` in a let takes x from outside the let', () => {
    // x: from the formal; y: nothing outside binds it (the body's y is bound by the inherit)
    const src = '{ x }: let inherit x; in let inherit y; z = y; in z';
    expect(flat(freeUses(src, parseNix(src).root, ['x', 'y', 'z']))).toEqual({ y: [src.indexOf('y;')] });
  });
});

describe('touchedNames', () => {
  it('takes the names inserted text may refer to, and every name of removed text', () => {
    const before = '{ cudatoolkit, lib }: [ cudatoolkit ]';
    const names = touchedNames(before, [
      { start: 2, end: 13, text: 'cudaPackages' },
      { start: 24, end: 35, text: 'cudaPackages.libcublas (lib.getLib cudaPackages.cuda_cudart) buildInputs = x' },
    ]);
    expect(names.sort()).toEqual(['cudaPackages', 'cudatoolkit', 'lib', 'x']);
  });
});

describe('duplicateAttribute', () => {
  it('finds a name defined twice in the set holding inserted text, by binding or inherit', () => {
    const src = '{ a = 1; inherit b; c = { a = 2; }; b = 3; }';
    const p = parseNix(src);
    const at = src.indexOf('b = 3');
    expect(duplicateAttribute(src, p.root, [{ start: at, end: at + 5 }])).toEqual({ name: 'b', line: 1, column: at + 1 });
    const inner = src.indexOf('a = 2');
    expect(duplicateAttribute(src, p.root, [{ start: inner, end: inner + 5 }])).toBeUndefined();
  });
});
