/** `nixshift list`: the built-in transforms, one line each. */
import { builtinNames, loadTransform } from '../runner/load.js';
import { EXIT_OK, type Io } from './io.js';

export async function listCommand(io: Io): Promise<number> {
  const names = builtinNames();
  const rows: [string, string][] = [];
  for (const n of names) rows.push([n, (await loadTransform(n, io.cwd)).description]);
  const width = Math.max(0, ...rows.map(([n]) => n.length));
  for (const [n, d] of rows) io.stdout.write(`${n.padEnd(width)}  ${d}\n`);
  return EXIT_OK;
}
