import { describe, expect, it } from 'vitest';
import { detectStyle, EditBuilder } from '../../../src/edit/builder.js';
import { applyEdits } from '../../../src/edit/edits.js';
import { nixpkgs } from '../../../src/index.js';
import { parseNix } from '../../../src/nix/parser.js';
import { findBindings } from '../../../src/nix/syntax.js';
import type { SyntaxNode } from '../../../src/nix/tree.js';

const key = (e: string): string => e.split('.').pop()!;
const layout = (indent: string) => ({ prefix: (c: readonly string[]) => nixpkgs.optionalsPrefix('lib', c), indent, key });

/** Run `fn` on the file's `buildInputs` binding (in the attrset of the mkDerivation call); the new text. */
function withInputs(src: string, fn: (b: EditBuilder, binding: { node: SyntaxNode; value: SyntaxNode }) => void): string {
  const p = parseNix(src);
  expect(p.syntaxError).toBeUndefined();
  const b = new EditBuilder(src, detectStyle(src, p.blankedCommas.length > 0));
  const binding = findBindings(src, p.root, ['buildInputs'])[0]!;
  fn(b, { node: binding.node, value: binding.value });
  const out = applyEdits(src, b.edits());
  expect(parseNix(out).syntaxError).toBeUndefined();
  return out;
}

const DRV = `{
  lib,
  stdenv,
  cudaPackages,
  cudaSupport,
}:
stdenv.mkDerivation {
  pname = "demo";
  buildInputs = [ zlib ] ++ lib.optionals cudaSupport [ cudaPackages.cuda_cudart ];
}
`;

describe('nixpkgs input lists (shared by the CUDA transforms, exported)', () => {
  it('attrBinding and siblingBinding find `attr = …;` in the same attrset', () => {
    const p = parseNix(DRV);
    const inputs = findBindings(DRV, p.root, ['buildInputs'])[0]!;
    expect(DRV.slice(nixpkgs.siblingBinding(DRV, inputs.node, 'pname')!.value.startIndex, nixpkgs.siblingBinding(DRV, inputs.node, 'pname')!.value.endIndex)).toBe('"demo"');
    expect(nixpkgs.siblingBinding(DRV, inputs.node, 'nativeBuildInputs')).toBeUndefined();
    expect(nixpkgs.attrBinding(DRV, inputs.node.parent!.parent!, 'buildInputs')!.node.id).toBe(inputs.node.id);
  });

  it('orderedParts: unconditional first, nothing repeated under a condition, empty parts dropped', () => {
    const parts = [
      { elements: ['cudaPackages.libcublas', 'cudaPackages.cuda_cudart'], conditions: ['cudaSupport'] },
      { elements: [], conditions: ['x'] },
      { elements: ['pkgs.cudaPackages.cuda_cudart'], conditions: [] },
    ];
    expect(nixpkgs.orderedParts(parts, key)).toEqual([
      { elements: ['pkgs.cudaPackages.cuda_cudart'], conditions: [] },
      { elements: ['cudaPackages.libcublas'], conditions: ['cudaSupport'] },
    ]);
  });

  it('newInputBinding: one operand per condition, the first on the binding line', () => {
    const p = parseNix(DRV);
    const b = new EditBuilder(DRV, detectStyle(DRV, p.blankedCommas.length > 0));
    const parts = [
      { elements: ['cudaPackages.cuda_nvcc'], conditions: ['cudaSupport'] },
      { elements: ['pkg-config', 'cmake'], conditions: [] },
    ];
    expect(nixpkgs.newInputBinding(b, 'nativeBuildInputs', parts, layout('  '))).toBe(
      'nativeBuildInputs = [\n    pkg-config\n    cmake\n  ] ++ lib.optionals cudaSupport [ cudaPackages.cuda_nvcc ];',
    );
    expect(nixpkgs.newInputBinding(b, 'nativeBuildInputs', [{ elements: [], conditions: [] }], layout('  '))).toBe('');
    expect(nixpkgs.newInputBinding(b, 'buildInputs', [{ elements: ['x'], conditions: [] }], { ...layout('  '), before: '(old.buildInputs or [ ]) ++ ' })).toBe(
      'buildInputs = (old.buildInputs or [ ]) ++ [ x ];',
    );
  });

  it('addToListOfCondition: into the list of the same condition, or false', () => {
    const plans = new Map();
    expect(withInputs(DRV, (b, ib) => expect(nixpkgs.addToListOfCondition(b, DRV, ib.value, ['cudaSupport'], ['cudaPackages.libcublas'], plans)).toBe(true))).toBe(
      DRV.replace('[ cudaPackages.cuda_cudart ]', '[\n    cudaPackages.cuda_cudart\n    cudaPackages.libcublas\n  ]'),
    );
    expect(withInputs(DRV, (b, ib) => expect(nixpkgs.addToListOfCondition(b, DRV, ib.value, ['other'], ['x'], plans)).toBe(false))).toBe(DRV);
  });

  it('addToListOfCondition joins a planned list: after its last element, in the same edit', () => {
    const out = withInputs(DRV, (b, ib) => {
      const list = ib.value.descendantsOfType('list_expression')[1]!;
      const plans = new Map([[list.id, { list, replacements: new Map<number, string[]>() }]]);
      expect(nixpkgs.addToListOfCondition(b, DRV, ib.value, ['cudaSupport'], ['cudaPackages.libcublas'], plans)).toBe(true);
      const last = list.namedChildren.at(-1)!;
      expect(plans.get(list.id)!.replacements.get(last.id)).toEqual(['cudaPackages.cuda_cudart', 'cudaPackages.libcublas']);
    });
    expect(out).toBe(DRV);
  });

  it('inputOperand and appendInputOperands: a new `lib.optionals c [ … ]` operand after the value', () => {
    const out = withInputs(DRV, (b, ib) => {
      const op = nixpkgs.inputOperand(b, ['withFoo'], ['foo'], layout('  '));
      expect(op).toBe('lib.optionals withFoo [ foo ]');
      nixpkgs.appendInputOperands(b, ib, [op], new Map());
    });
    // (the value laid out as nixfmt lays out a chain that no longer fits on one line)
    expect(out).toBe(
      DRV.replace(
        'buildInputs = [ zlib ] ++ lib.optionals cudaSupport [ cudaPackages.cuda_cudart ];',
        'buildInputs = [\n    zlib\n  ]\n  ++ lib.optionals cudaSupport [ cudaPackages.cuda_cudart ]\n  ++ lib.optionals withFoo [ foo ];',
      ),
    );
    // a value holding a planned list is not laid out anew: the operand follows it
    const planned = withInputs(DRV, (b, ib) => {
      const list = ib.value.descendantsOfType('list_expression')[0]!;
      nixpkgs.appendInputOperands(b, ib, ['[ foo ]'], new Map([[list.id, { list, replacements: new Map() }]]));
    });
    expect(planned).toBe(DRV.replace('[ cudaPackages.cuda_cudart ];', '[ cudaPackages.cuda_cudart ] ++ [ foo ];'));
  });
});
