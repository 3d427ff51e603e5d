import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
