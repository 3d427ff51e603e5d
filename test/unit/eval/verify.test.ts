import { existsSync, linkSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUDA_INPUTS, pname } from '../../../src/cuda/drv-inputs.js';
import { parseDerivation, storeName } from '../../../src/eval/drv.js';
import { makeFarm } from '../../../src/eval/farm.js';
import { changedOwners, evalArgs, EVAL_EXPRESSION, inputsChange, type PackageCheck } from '../../../src/eval/verify.js';
import { useTempTrees } from '../../helpers/tree.js';

const tree = useTempTrees();

const DRV =
  'Derive([("dev","/nix/store/00000000000000000000000000000000-foo-1.0-dev","",""),("out","/nix/store/11111111111111111111111111111111-foo-1.0","","")],' +
  '[("/nix/store/22222222222222222222222222222222-cuda_cudart-12.4.89.drv",["dev","lib"]),("/nix/store/33333333333333333333333333333333-cmake-3.29.2.drv",["out"])],' +
  '["/nix/store/44444444444444444444444444444444-src"],"x86_64-linux","/bin/sh",["-c","echo \\"a\\\\b\\" > $out\\n"],' +
  '[("builder","/bin/sh"),("name","foo-1.0"),("paths","/nix/store/55555555555555555555555555555555-cuda_nvcc-12.4.89 /nix/store/66666666666666666666666666666666-zlib-1.3")])';

describe('parseDerivation (the ATerm of a .drv)', () => {
  it('reads outputs, input derivations with their outputs, sources, builder, arguments (escapes) and environment', () => {
    expect(parseDerivation(DRV)).toEqual({
      outputs: [
        { name: 'dev', path: '/nix/store/00000000000000000000000000000000-foo-1.0-dev' },
        { name: 'out', path: '/nix/store/11111111111111111111111111111111-foo-1.0' },
      ],
      inputDrvs: [
        { path: '/nix/store/22222222222222222222222222222222-cuda_cudart-12.4.89.drv', outputs: ['dev', 'lib'] },
        { path: '/nix/store/33333333333333333333333333333333-cmake-3.29.2.drv', outputs: ['out'] },
      ],
      inputSrcs: ['/nix/store/44444444444444444444444444444444-src'],
      system: 'x86_64-linux',
      builder: '/bin/sh',
      args: ['-c', 'echo "a\\b" > $out\n'],
      env: { builder: '/bin/sh', name: 'foo-1.0', paths: '/nix/store/55555555555555555555555555555555-cuda_nvcc-12.4.89 /nix/store/66666666666666666666666666666666-zlib-1.3' },
    });
  });

  it('refuses what is not one, saying where', () => {
    expect(() => parseDerivation('Derive([],[],[],"x","y",[],[]) trailing')).toThrow('not a derivation: unexpected shape at offset');
    expect(() => parseDerivation('{ }')).toThrow('not a derivation: no `Derive(`');
    expect(() => parseDerivation('Derive([("out","/nix/store/x')).toThrow('not a derivation: unterminated string');
  });

  it('storeName strips the store folder, the hash and .drv', () => {
    expect(storeName('/nix/store/22222222222222222222222222222222-cuda_cudart-12.4.89.drv')).toBe('cuda_cudart-12.4.89');
    expect(storeName('/nix/store/55555555555555555555555555555555-cuda_nvcc-12.4.89-bin')).toBe('cuda_nvcc-12.4.89-bin');
  });
});

describe('the CUDA lens', () => {
  it('tells CUDA inputs, the legacy toolkit and names without a version', () => {
    expect(['cuda_nvcc-11.8.89', 'libcublas-12.4.5.8-lib', 'cudatoolkit-11.8.0', 'cuda-merged-12.4', 'cudnn-9.1.0.70', 'cmake-3.29.2', 'zlib-1.3.1', 'cuda-samples-12.4'].map((n) => CUDA_INPUTS.relevant(n))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(['cudatoolkit-11.8.0', 'cudatoolkit-legacy-runfile-11.8.0', 'cuda-merged-12.4', 'cuda_nvcc-11.8.89'].map((n) => CUDA_INPUTS.legacy(n) !== undefined)).toEqual([true, true, false, false]);
    expect([pname('cuda_nvcc-11.8.89'), pname('cuda-merged-12.4'), pname('hello')]).toEqual(['cuda_nvcc', 'cuda-merged', 'hello']);
  });

  it('inputsChange lists the CUDA inputs before and after, with the outputs taken', () => {
    const c: PackageCheck = {
      attr: 'foo',
      broken: false,
      flags: [],
      before: { drv: 'a', inputs: [{ name: 'cmake-3.29.2', outputs: ['out'] }, { name: 'cudatoolkit-11.8.0', outputs: ['out'] }] },
      after: { drv: 'b', inputs: [{ name: 'cuda_cudart-11.8.89', outputs: ['dev', 'lib'] }, { name: 'cuda_nvcc-11.8.89', outputs: ['out'] }] },
    };
    expect(inputsChange(c, CUDA_INPUTS)).toBe('cudatoolkit-11.8.0 → cuda_cudart-11.8.89 (dev, lib), cuda_nvcc-11.8.89');
    expect(inputsChange({ ...c, before: { error: 'x' } }, CUDA_INPUTS)).toBe('cuda_cudart-11.8.89 (dev, lib), cuda_nvcc-11.8.89');
    expect(inputsChange({ ...c, after: { drv: 'c', inputs: [] } }, CUDA_INPUTS)).toBe('cudatoolkit-11.8.0 → none');
  });
});

describe('changedOwners (a changed pkgs/top-level file)', () => {
  it('names the bindings whose text changed, with the set prefix', () => {
    const before = 'pkgs: with pkgs; {\n  a = callPackage ../a { cudatoolkit = cudatoolkit_11; };\n  b = callPackage ../b { };\n}\n';
    const after = before.replace('cudatoolkit = cudatoolkit_11', 'cudaPackages = cudaPackages_11');
    expect(changedOwners('pkgs/top-level/all-packages.nix', before, after)).toEqual(['a']);
    expect(changedOwners('pkgs/top-level/python-packages.nix', before, after)).toEqual(['python3Packages.a']);
    expect(changedOwners('pkgs/top-level/all-packages.nix', before, before)).toEqual([]);
  });
});

describe('the expression and its arguments', () => {
  it('passes the root, the config as Nix and the attribute paths as JSON', () => {
    expect(evalArgs('/src/nixpkgs', '{ cudaSupport = true; }', ['foo', 'python3Packages.bar'])).toEqual([
      '--eval',
      '--strict',
      '--json',
      '--read-write-mode',
      '--expr',
      EVAL_EXPRESSION,
      '--argstr',
      'root',
      '/src/nixpkgs',
      '--arg',
      'config',
      '{ cudaSupport = true; }',
      '--argstr',
      'attrsJson',
      '[["foo"],["python3Packages","bar"]]',
    ]);
  });
});

describe('makeFarm (the checkout after the run, for Nix)', () => {
  it('links every file but .git, writes new texts as new files, never through a link, and restores', () => {
    const root = tree({ 'default.nix': '{ }: 1\n', 'pkgs/a/default.nix': 'a\n', '.git/HEAD': 'ref\n', 'pkgs/b.nix': 'b\n' });
    const farm = makeFarm(root);
    try {
      expect(existsSync(join(farm.root, '.git'))).toBe(false);
      expect(readFileSync(join(farm.root, 'pkgs/b.nix'), 'utf8')).toBe('b\n');
      expect(statSync(join(farm.root, 'pkgs/b.nix')).ino).toBe(statSync(join(root, 'pkgs/b.nix')).ino);
      farm.put(join(root, 'pkgs/a/default.nix'), 'new a\n');
      expect(readFileSync(join(farm.root, 'pkgs/a/default.nix'), 'utf8')).toBe('new a\n');
      expect(readFileSync(join(root, 'pkgs/a/default.nix'), 'utf8')).toBe('a\n');
      farm.restore(join(root, 'pkgs/a/default.nix'));
      expect(readFileSync(join(farm.root, 'pkgs/a/default.nix'), 'utf8')).toBe('a\n');
      expect(() => farm.put(join(root, '..', 'elsewhere.nix'), 'x')).toThrow('is not inside');
    } finally {
      farm.remove();
    }
    expect(existsSync(farm.root)).toBe(false);
    expect(readFileSync(join(root, 'pkgs/a/default.nix'), 'utf8')).toBe('a\n');
  });

  it('writes a file with several links (a hard link in the checkout) without changing the others', () => {
    const root = tree({ 'default.nix': '{ }: 1\n', 'a.nix': 'a\n' });
    mkdirSync(join(root, 'sub'));
    linkSync(join(root, 'a.nix'), join(root, 'sub', 'same.nix'));
    const farm = makeFarm(root);
    try {
      farm.put(join(root, 'a.nix'), 'changed\n');
      expect(readFileSync(join(root, 'sub', 'same.nix'), 'utf8')).toBe('a\n');
      expect(readFileSync(join(farm.root, 'sub', 'same.nix'), 'utf8')).toBe('a\n');
    } finally {
      farm.remove();
    }
  });
});

describe('the reports of --verify eval', () => {
  it('draws a header section and a block per file in the HTML report, escaped', async () => {
    const { renderHtml } = await import('../../../src/report/html.js');
    const { evalReport } = await import('../../../src/eval/report.js');
    const check = {
      packages: [
        {
          attr: 'a<b',
          broken: true,
          flags: [],
          before: { drv: 'x', inputs: [{ name: 'cudatoolkit-11.8.0', outputs: ['out'] }] },
          after: { error: "error: attribute 'cuda_profiler_api' missing" },
        },
      ],
    };
    const data = {
      tool: { name: 'nixshift', version: '0' },
      generatedAt: 'now',
      command: 'nixshift run',
      transforms: [],
      counts: { ok: 0, nochange: 0, skip: 0, error: 1 },
      files: [{ path: 'p.nix', status: 'error' as const, changedBy: [], findings: [], measured: { 'nix-eval': check } }],
      missing: [],
      unreadable: [],
      written: false,
    };
    const html = renderHtml(data, [evalReport(CUDA_INPUTS)]);
    expect(html).toContain('<section id="evaluation"><h2>Evaluation</h2><p>1 package evaluated before and after the change: 0 still evaluate, 1 no longer.</p></section>');
    const blocks = JSON.parse(/id="nixshift-blocks">([^<]*)</.exec(html)![1]!) as string[];
    expect(blocks).toEqual([
      '<div class="evaluation"><strong>--verify eval</strong><ul><li data-attr="a&lt;b" class="broken"><code>a&lt;b</code> no longer evaluates: error: attribute \'cuda_profiler_api\' missing; CUDA inputs: cudatoolkit-11.8.0 → none</li></ul></div>',
    ]);
  });
});
