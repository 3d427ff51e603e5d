import { describe, expect, it } from 'vitest';
import { processSource } from '../../src/runner/process.js';
import { defineFixtureTests, loadBuiltin } from '../../test/helpers/fixtures.js';

defineFixtureTests('driver-runpath-rename');

// Not a fixture: Nix rejects the input (a formal written twice), and every fixture must parse.
describe('driver-runpath-rename on a formal written twice', () => {
  it('renames or drops every copy, so that a second run has nothing to do', async () => {
    const chain = [{ transform: await loadBuiltin('driver-runpath-rename'), options: {} }];
    const renamed = await processSource('{\n  addOpenGLRunpath,\n  addOpenGLRunpath,\n}:\n{ }\n', 'x.nix', chain);
    expect(renamed.output).toBe('{\n  addDriverRunpath,\n  addDriverRunpath,\n}:\n{ }\n');
    const dropped = await processSource('{\n  addOpenGLRunpath,\n  addDriverRunpath,\n  addOpenGLRunpath,\n}:\n{ }\n', 'x.nix', chain);
    expect(dropped.output).toBe('{\n  addDriverRunpath,\n}:\n{ }\n');
    for (const r of [renamed, dropped]) expect((await processSource(r.output!, 'x.nix', chain)).output).toBeUndefined();
  });
});
