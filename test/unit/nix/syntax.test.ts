import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../src/nix/parser.js';
import { callSites, isCudaPackageSet, isPackageSet } from '../../../src/nixpkgs/index.js';
import { dottedName, findBindings, interpolations, selectParts } from '../../../src/nix/syntax.js';

describe('syntax helpers', () => {
  it('splits select expressions and dotted names', () => {
    const src = 'x: [ a.b.c a."q".${x} (f y).z a.b or null ]';
    const p = parseNix(src);
    const sels = p.root.descendantsOfType('select_expression');
    const view = sels.map((s) => {
      const parts = selectParts(src, s)!;
      return [src.slice(parts.base.startIndex, parts.base.endIndex), parts.path, parts.fallback ? src.slice(parts.fallback.startIndex, parts.fallback.endIndex) : null, dottedName(src, s) ?? null];
    });
    expect(view).toEqual([
      ['a', ['b', 'c'], null, ['a', 'b', 'c']],
      ['a', ['q', undefined], null, null],
      ['(f y)', ['z'], null, null],
      ['a', ['b'], 'null', null],
    ]);
  });

  it('lists interpolations with the literal text around them', () => {
    const src = "p: ''\n  cp ${p}/lib/libfoo.so $out/lib\n  ln -s ${p.dev}/include x\n''";
    const p = parseNix(src);
    const str = p.root.descendantsOfType('indented_string_expression')[0]!;
    expect(interpolations(src, str).map((i) => [src.slice(i.expression.startIndex, i.expression.endIndex), i.before, i.after])).toEqual([
      ['p', '\n  cp ', '/lib/libfoo.so $out/lib\n  ln -s '],
      ['p.dev', '/lib/libfoo.so $out/lib\n  ln -s ', '/include x\n'],
    ]);
  });

  it('finds bindings by attribute path, also quoted', () => {
    const src = '{ passthru.tests = 1; "passthru".x = 2; buildInputs = [ ]; a = { buildInputs = [ b ]; }; }';
    const p = parseNix(src);
    expect(findBindings(src, p.root, 'buildInputs').map((b) => src.slice(b.value.startIndex, b.value.endIndex))).toEqual(['[ ]', '[ b ]']);
    expect(findBindings(src, p.root, 'passthru.tests')).toHaveLength(1);
    expect(findBindings(src, p.root, ['passthru', 'x'])).toHaveLength(1);
  });

  it('recognises package sets and call sites', () => {
    const src = 'pkgs: [ (pkgs.callPackage ./a { x = 1; }) (callPackage ./b { }) (pkgs.foo.override { y = 2; }) (f { z = 3; }) pkgs.cudaPackages cudaPackages_12_4 final.buildPackages foo.cudaPackages ]';
    const p = parseNix(src);
    expect(callSites(src, p.root).map((c) => [c.kind, src.slice(c.args.startIndex, c.args.endIndex)])).toEqual([
      ['callPackage', '{ x = 1; }'],
      ['callPackage', '{ }'],
      ['override', '{ y = 2; }'],
    ]);
    const list = p.root.descendantsOfType('list_expression')[0]!.namedChildren;
    const [, , , , cuda, cudaVer, build, notCuda] = list;
    expect(isCudaPackageSet(src, cuda!)).toBe(true);
    expect(isCudaPackageSet(src, cudaVer!)).toBe(true);
    expect(isCudaPackageSet(src, notCuda!)).toBe(false);
    expect(isPackageSet(src, build!)).toBe(true);
    expect(isPackageSet(src, cuda!)).toBe(false);
  });
});
