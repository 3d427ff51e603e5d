import { describe, expect, it } from 'vitest';
import { estimateClosure, formatMb, LEGACY_TOOLKIT_PARTS } from '../../../src/cuda/closure.js';
import { withoutComments } from '../../../src/nix/comments.js';
import { FOO_IN, FOO_OUT, REMOVED_FOO } from '../../helpers/closure-sample.js';

describe('estimateClosure', () => {
  it('lists the legacy parts the new text no longer names, with archive sizes', () => {
    expect(estimateClosure(FOO_IN, FOO_OUT)).toEqual({
      kept: ['cuda_cudart', 'libcublas', 'cuda_nvcc'],
      removed: REMOVED_FOO,
      // 572+486+213+210+176+121+113+109+78 + 47.6+42+32.5+27.8+19.8+7.9 + 2.5+2.3+1.1+0.2+0.14+0.09+0.05+0.05+0.016
      removedMb: 2262.046,
    });
  });

  it('knows the versioned toolkit names and counts only what the output drops', () => {
    const input = '{ cudatoolkit_11_8 }: { buildInputs = [ cudatoolkit_11_8 ]; }\n';
    const output = '{ cudaPackages_11_8 }: { buildInputs = with cudaPackages_11_8; [ libcublas (lib.getLib libcufft) ]; }\n';
    const e = estimateClosure(input, output)!;
    expect(e.kept).toEqual(['libcublas', 'libcufft']);
    expect(e.removed.map((r) => r.part)).not.toContain('libcublas');
    expect(e.removed.map((r) => r.part)).not.toContain('libcufft');
    expect(e.removed).toHaveLength(LEGACY_TOOLKIT_PARTS.length - 2);
    // all sized parts (2758.896) minus libcublas 447 and libcufft 486
    expect(e.removedMb).toBe(1825.896);
  });

  it('is undefined while the output still references the toolkit', () => {
    expect(estimateClosure(FOO_IN, FOO_OUT.replace('cudaPackages.libcublas', 'cudaPackages.cudatoolkit'))).toBeUndefined();
    expect(estimateClosure(FOO_IN, '{ cudatoolkit_12 }: "${cudatoolkit_12}/bin"\n')).toBeUndefined();
    expect(estimateClosure(FOO_IN, FOO_IN)).toBeUndefined();
  });

  it('counts a package whose passthru keeps the toolkit for compatibility: passthru enters no closure', () => {
    const out = FOO_OUT.replace('{ cudaPackages', '{ passthru.cudatoolkit = cudaPackages.cudatoolkit; } // { cudaPackages');
    expect(estimateClosure(FOO_IN, out)?.removedMb).toBe(estimateClosure(FOO_IN, FOO_OUT)?.removedMb);
    const inherited = '{ cudaPackages }:\n{\n  buildInputs = [ cudaPackages.cuda_cudart ];\n  passthru = {\n    cudatoolkit = cudaPackages.cudatoolkit;\n  };\n}\n';
    expect(estimateClosure('{ cudatoolkit }: { buildInputs = [ cudatoolkit ]; passthru = { inherit cudatoolkit; }; }\n', inherited)?.kept).toEqual(['cuda_cudart']);
  });

  it('counts the parts of a run once: the toolkit is one store path the packages shared', async () => {
    const { runRemoved } = await import('../../../src/cuda/closure.js');
    const a = estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', '{ cudaPackages }: [ cudaPackages.libcublas ]\n')!;
    const b = estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', '{ cudaPackages }: [ cudaPackages.libcufft ]\n')!;
    const run = runRemoved([a, b]);
    // neither cuBLAS nor cuFFT is freed: one of the packages still has each
    expect(run.parts).not.toContain('libcublas');
    expect(run.parts).not.toContain('libcufft');
    expect(run.mb).toBe(1825.896);
    expect(a.removedMb + b.removedMb).toBeGreaterThan(run.mb * 1.9);
  });

  it('is undefined without the toolkit in the input', () => {
    expect(estimateClosure(FOO_OUT, FOO_OUT)).toBeUndefined();
    // longer identifiers are other names
    expect(estimateClosure('{ mycudatoolkit, cudatoolkit-legacy-runfile }: [ mycudatoolkit ]\n', '{ }: [ ]\n')).toBeUndefined();
    // only in comments
    expect(estimateClosure('# was cudatoolkit\n{ x }: /* cudatoolkit */ x\n', '{ x }: x\n')).toBeUndefined();
  });

  it('gives call sites no estimate: the saving is counted once, in the package file', () => {
    const sites = '{ callPackage, cudaPackages }:\n{\n  a = callPackage ./a { cudatoolkit = cudaPackages.cudatoolkit; };\n  b = callPackage ./b { inherit (cudaPackages) cudatoolkit; };\n}\n';
    const after = '{ callPackage, cudaPackages }:\n{\n  a = callPackage ./a { inherit cudaPackages; };\n  b = callPackage ./b { inherit cudaPackages; };\n}\n';
    expect(estimateClosure(sites, after)).toBeUndefined();
    // a package file's own let alias and passthru are uses of its formal: it still counts
    const pkg = '{ cudatoolkit }:\nlet\n  cuda = cudatoolkit;\nin\n{ passthru.cudatoolkit = cudatoolkit; buildInputs = [ cuda ]; }\n';
    const pkgOut = '{ cudaPackages }:\n{ buildInputs = [ cudaPackages.cuda_cudart ]; }\n';
    expect(estimateClosure(pkg, pkgOut)?.kept).toEqual(['cuda_cudart']);
  });

  it('ignores comments but not strings', () => {
    // a `#` inside a string does not start a comment
    const input = '{ cudatoolkit }: { url = "https://example.org/#x"; buildInputs = [ cudatoolkit ]; }\n';
    const out = '{ cudaPackages }: { url = "https://example.org/#x"; buildInputs = [ cudaPackages.cuda_cudart ]; } # was cudatoolkit\n';
    expect(estimateClosure(input, out)?.kept).toEqual(['cuda_cudart']);
    // an interpolation in a string is code
    const still = '{ cudaPackages }: { cmakeFlags = [ "-DX=${cudaPackages.cudatoolkit}" ]; }\n';
    expect(estimateClosure(input, still)).toBeUndefined();
  });

  it('matches component names as whole identifiers', () => {
    const out = '{ cudaPackages }: [ cudaPackages.libcublas.lib (lib.getExe cudaPackages.cuda_nvcc) libcublasLt cuda_gdb-wrapper ]\n';
    expect(estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', out)?.kept).toEqual(['libcublas', 'cuda_nvcc']);
  });

  it('withoutComments keeps strings, escapes and interpolations', () => {
    expect(withoutComments('a = "#x ${b # c\n} y"; # gone\n/* gone */ c = \'\'x\'\'${ #kept\n} \'\'; d')).toBe(
      'a = "#x ${b  \n} y";  \n  c = \'\'x\'\'${ #kept\n} \'\'; d',
    );
  });

  it('formatMb', () => {
    expect([2262.046, 1825.896, 12345, 48.8, 1.05, 0.016].map(formatMb)).toEqual(['2,262', '1,826', '12,345', '48.8', '1.1', '0.02']);
  });
});
