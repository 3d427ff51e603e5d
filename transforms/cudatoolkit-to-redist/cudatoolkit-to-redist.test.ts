import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processSource } from '../../src/runner/process.js';
import { defineFixtureTests, FIXTURES, fixtureCases, loadBuiltin } from '../../test/helpers/fixtures.js';

defineFixtureTests('cudatoolkit-to-redist');

const LEFT = new Set(['unknown-use', 'no-redist', 'whole-toolkit-intended', 'passthru-kept'].map((r) => `cudatoolkit-to-redist/${r}`));

describe('cudatoolkit-to-redist leaves no unreported legacy reference', () => {
  // If the first run had left a reference to the toolkit without a finding, a second run on its
  // output would either rewrite it (the output is not a fixed point) or report it (more findings).
  for (const c of fixtureCases('cudatoolkit-to-redist')) {
    it(c, async () => {
      const dir = join(FIXTURES, 'cudatoolkit-to-redist');
      const optionsFile = join(dir, `${c}.options.json`);
      const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, 'utf8')) : {};
      if (existsSync(join(dir, `${c}.source`))) options.source = join(dir, `${c}.source`);
      const chain = [{ transform: await loadBuiltin('cudatoolkit-to-redist'), options }];
      const first = await processSource(readFileSync(join(dir, `${c}.input.nix`), 'utf8'), c, chain);
      const second = await processSource(first.output ?? readFileSync(join(dir, `${c}.input.nix`), 'utf8'), c, chain);
      const left = (fs: typeof first.findings) => fs.filter((f) => LEFT.has(f.rule)).length;
      expect(second.status === 'nochange' || second.status === 'skip').toBe(true);
      expect(left(second.findings)).toBe(left(first.findings));
    });
  }

  it('rejects an unknown package in -o cuda-libs', async () => {
    const chain = [{ transform: await loadBuiltin('cudatoolkit-to-redist'), options: { 'cuda-libs': 'libcublas,libfoo' } }];
    const out = await processSource('{ stdenv, cudatoolkit }: stdenv.mkDerivation { buildInputs = [ cudatoolkit ]; }', 'x.nix', chain);
    expect(out.status).toBe('error');
    expect(out.error).toMatch(/option cuda-libs: unknown package\(s\) libfoo/);
  });
});

describe('cudatoolkit-to-redist decides from the old build (ELF files built with cc at test time)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nixshift-oldbuild-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const build = join(tmp, 'result');
  const stub = (soname: string): void => {
    writeFileSync(join(tmp, 'stub.c'), `int ${soname.replace(/\W/g, '_')}(void) { return 0; }\n`);
    execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', join(tmp, soname), join(tmp, 'stub.c')]);
  };

  it('keeps exactly the libraries the binaries load, drops nvcc and cccl for a prebuilt package, and names each DT_NEEDED entry', async () => {
    for (const s of ['libcublas.so.12', 'libcublasLt.so.12', 'libcudart.so.12', 'libcufft.so.11', 'libcuda.so.1']) stub(s);
    mkdirSync(join(build, 'bin'), { recursive: true });
    mkdirSync(join(build, 'lib'), { recursive: true });
    writeFileSync(join(tmp, 'main.c'), 'int main(void) { return 0; }\n');
    execFileSync('cc', ['-o', join(build, 'bin/solver'), join(tmp, 'main.c'), `-L${tmp}`, '-Wl,--no-as-needed', '-l:libcublas.so.12', '-l:libcudart.so.12', '-l:libcuda.so.1']);
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(build, 'lib/libsolver_fft.so'), join(tmp, 'stub.c'), `-L${tmp}`, '-Wl,--no-as-needed', '-l:libcufft.so.11', '-l:libcudart.so.12']);
    writeFileSync(join(build, 'README'), 'not an ELF file\n');
    const input = [
      '{',
      '  lib,',
      '  stdenv,',
      '  autoPatchelfHook,',
      '  cudatoolkit,',
      '}:',
      '',
      'stdenv.mkDerivation {',
      '  pname = "solver-bin";',
      '  version = "1.0";',
      '  src = ./solver.tar.gz;',
      '  nativeBuildInputs = [ autoPatchelfHook ];',
      '  buildInputs = [ cudatoolkit ];',
      '  dontBuild = true;',
      '}',
      '',
    ].join('\n');
    const chain = [{ transform: await loadBuiltin('cudatoolkit-to-redist'), options: { build } }];
    const out = await processSource(input, 'solver-bin.nix', chain);
    expect(out.error).toBeUndefined();
    expect(out.output).toBe(input.replace('  cudatoolkit,\n', '  cudaPackages,\n').replace('buildInputs = [ cudatoolkit ];', 'buildInputs = [\n    cudaPackages.cuda_cudart\n    cudaPackages.libcublas\n    cudaPackages.libcufft\n  ];'));
    expect(out.findings.map((f) => `${f.line}:${f.column} ${f.rule} ${f.message}`)).toEqual([
      '13:19 cudatoolkit-to-redist/libraries-from-evidence cudatoolkit → cuda_cudart (bin/solver `DT_NEEDED libcudart.so.12`); libcublas (bin/solver `DT_NEEDED libcublas.so.12`); libcufft (lib/libsolver_fft.so `DT_NEEDED libcufft.so.11`). Not kept, for lack of evidence: cuda_cccl, libcurand, libcusolver, libcusparse, libnpp, cuda_nvrtc, cuda_nvtx, cuda_cupti, cuda_nvml_dev, cuda_profiler_api; add any the package needs (the legacy toolkit provided them). Driver libraries, found at run time through the driver\'s path (autoAddDriverRunpath), not packages: libcuda.so.1',
    ]);
  });
});
