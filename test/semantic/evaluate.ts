/** Evaluate a fixture with stub package sets (stubs.nix) and read back its input lists. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/tree.js';

export interface Lists {
  nativeBuildInputs: string[];
  buildInputs: string[];
  propagatedBuildInputs: string[];
  [attr: string]: unknown;
}

export function evaluate(file: string, strings: string[] = []): Lists {
  const expr = `(import ${join(ROOT, 'test/semantic/stubs.nix')}).describeWith ${file} [ ${strings.map((s) => JSON.stringify(s)).join(' ')} ]`;
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nix-instantiate failed on ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Lists;
}

