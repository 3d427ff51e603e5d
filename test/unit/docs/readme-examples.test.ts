/** The Before/After example of each transform's README is what the transform really does. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processSource } from '../../../src/runner/process.js';
import { loadBuiltin } from '../../helpers/fixtures.js';
import { ROOT } from '../../helpers/tree.js';

const names = readdirSync(join(ROOT, 'transforms'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('README examples', () => {
  it.each(names)('%s', async (name) => {
    const readme = readFileSync(join(ROOT, 'transforms', name, 'README.md'), 'utf8');
    const section = readme.split('## Example')[1]!;
    const [before, after] = [...section.matchAll(/```nix\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(before && after).toBeTruthy();
    const out = await processSource(before!, 'example.nix', [{ transform: await loadBuiltin(name), options: {} }]);
    expect(out.output).toBe(after);
  });
});
