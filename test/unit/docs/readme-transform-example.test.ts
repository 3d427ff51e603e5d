/**
 * The README's "Writing a transform" example is a working transform: loaded as a user loads it
 * (a .ts file compiled on load), it renames the argument and its uses, leaves what it cannot
 * rename reported, and its output passes the runner's checks (no unbound name).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTransformFile } from '../../../src/runner/load.js';
import { processSource } from '../../../src/runner/process.js';
import { ROOT } from '../../helpers/tree.js';

async function readmeTransform() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Writing a transform'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'nixshift-readme-'));
  const file = join(dir, 'my-rename.ts');
  writeFileSync(file, code);
  return loadTransformFile(file);
}

describe("README: Writing a transform", () => {
  it('renames the argument and its uses; a name it cannot rename is reported, not guessed at', async () => {
    const t = await readmeTransform();
    const chain = [{ transform: t, options: {} }];
    const plain = await processSource('{ lib, oldName }:\n{\n  a = oldName;\n  b = [ oldName lib.x ];\n}\n', 'a.nix', chain);
    expect(plain.status).toBe('ok');
    expect(plain.output).toBe('{ lib, newName }:\n{\n  a = newName;\n  b = [ newName lib.x ];\n}\n');
    expect(plain.findings).toEqual([]);

    // `newName` is bound where a use is: left, with a finding
    const taken = await processSource('{ oldName }:\nlet newName = 1; in oldName\n', 'b.nix', chain);
    expect(taken.status).toBe('nochange');
    expect(taken.findings.map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual(['1:3 my-rename/left-alone']);

    // a name only a `with` provides
    const free = await processSource('with pkgs; [ oldName ]\n', 'c.nix', chain);
    expect(free.status).toBe('nochange');
    expect(free.findings.map((f) => `${f.line}:${f.column} ${f.rule}: ${f.message}`)).toEqual(['1:14 my-rename/left-alone: `oldName` is not an argument here']);
  });
});
