import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../src/nix/parser.js';
import { nixpkgs } from '../../../src/index.js';

describe('nixpkgs expressions (shared by the CUDA transforms, exported)', () => {
  it('optionalsPrefix: conditions copied once, tidied, parenthesised only when needed', () => {
    expect(nixpkgs.optionalsPrefix('lib', [])).toBe('');
    expect(nixpkgs.optionalsPrefix('lib', ['cudaSupport'])).toBe('lib.optionals cudaSupport ');
    expect(nixpkgs.optionalsPrefix('lib', ['(gpuBackend == "cuda")'])).toBe('lib.optionals (gpuBackend == "cuda") ');
    expect(nixpkgs.optionalsPrefix('pkgs.lib', ['(\n    cudaSupport # why\n  )'])).toBe('pkgs.lib.optionals cudaSupport ');
    expect(nixpkgs.optionalsPrefix('lib', ['a', 'b || c'])).toBe('lib.optionals (a && (b || c)) ');
    expect(nixpkgs.optionalsPrefix('lib', ['!x'])).toBe('lib.optionals (!x) ');
  });

  it('enclosingBinding, insideInterpolation and interpolatedPath say where a node sits', () => {
    const src = '{ a.b = "${x}/lib ${lib.makeLibraryPath [ y ]}"; }';
    const p = parseNix(src);
    const ids = p.root.descendantsOfType('variable_expression');
    const x = ids.find((n) => src.slice(n.startIndex, n.endIndex) === 'x')!;
    const y = ids.find((n) => src.slice(n.startIndex, n.endIndex) === 'y')!;
    expect(nixpkgs.enclosingBinding(src, x)).toMatchObject({ name: 'b', path: 'a.b' });
    expect([nixpkgs.insideInterpolation(x), nixpkgs.interpolatedPath(x)]).toEqual([true, true]);
    expect([nixpkgs.insideInterpolation(y), nixpkgs.interpolatedPath(y)]).toEqual([true, false]);
  });
});
