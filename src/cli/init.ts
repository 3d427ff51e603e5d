/**
 * `nixshift init`: a starter `nixshift.config.json` in the current folder (statix `dump`,
 * ast-grep `new`), each key explained by a `$comment`, with the JSON schema named for editors.
 * It never overwrites a config.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_NAME } from '../config.js';
import { PACKAGE_ROOT } from '../paths.js';
import { EXIT_OK, UsageError, type Io } from './io.js';

/** The schema as installed beside the package, for `$schema`; relative to the folder the config is in. */
function schemaPath(cwd: string): string {
  const schema = join(PACKAGE_ROOT, 'schema', 'nixshift.config.schema.json');
  const rel = relative(cwd, schema);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function starterConfig(schema: string): string {
  const doc = {
    $schema: schema,
    $comment: [
      'nixshift.config.json: what `nixshift run` does in this tree when the command line does not say.',
      'transforms: run in this order when no -t is given (`nixshift list`).',
      'options: per transform, as -o gives them (`nixshift explain <transform>` lists them).',
      'packages: options for one package attribute (as --commit names it: "magma", "python3Packages.torch").',
      'overrides: options for the files matching gitignore-style globs, in order.',
      'ignore: globs never processed. disable: rules whose findings are not reported. formatter: e.g. "nixfmt".',
    ],
    transforms: ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'],
    options: { 'cudatoolkit-to-redist': { style: 'bare' } },
    packages: {},
    overrides: [],
    ignore: [],
    disable: [],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function initCommand(io: Io): Promise<number> {
  const file = join(io.cwd, CONFIG_NAME);
  if (existsSync(file)) throw new UsageError(`${CONFIG_NAME} exists already in ${io.cwd}; nothing written`);
  writeFileSync(file, starterConfig(schemaPath(io.cwd)), { flag: 'wx' });
  io.stdout.write(`wrote ${CONFIG_NAME}: edit it, then \`nixshift run --write\` (its schema: schema/nixshift.config.schema.json)\n`);
  return EXIT_OK;
}
