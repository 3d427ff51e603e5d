/**
 * `nixshift new <name>`: a transform to start from (ast-grep's `new`): its module, the README
 * that `nixshift explain` prints, one fixture and a vitest test that runs the fixtures through
 * `nixshift/testing`. The module is a working scope-aware rename, so the test passes as created
 * and every part shows what a transform does: needles, rules, scopes, edits, findings.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT_OK, UsageError, type Io } from './io.js';

export interface NewFlags {
  dir?: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function moduleText(name: string): string {
  return `import type { Transform } from 'nixshift';

/**
 * ${name}: renames the argument \`oldName\` to \`newName\` in every function that takes it, with
 * its uses. Replace this with what your transform does; keep a fixture for each case it handles.
 */
const transform: Transform = {
  name: '${name}',
  description: 'oldName → newName (scope-aware)',
  // files without any of these are not parsed (status \`skip\`): keep them specific
  needles: ['oldName'],
  rules: { 'left-alone': { severity: 'warning', summary: 'a use of oldName that is not rewritten' } },
  transform(file, api) {
    const scopes = api.scopes();
    for (const def of scopes.definitions()) {
      if (def.name !== 'oldName' || def.kind !== 'formal') continue;
      const uses = scopes.referencesTo(def);
      // never capture: \`newName\` bound where a use is would change what the code means
      if ([def.node, ...uses.map((u) => u.node)].some((n) => scopes.resolveNameAt(n, 'newName').kind === 'bound')) {
        api.report(def.node, { rule: 'left-alone', message: '\`newName\` is bound here already', fix: 'rename by hand' });
        continue;
      }
      const formal = api.syntax.functionInfo(file.source, def.scope).formals.find((f) => f.node.id === def.holder.id)!;
      api.edit.renameFormal(formal, 'newName');
      for (const use of uses) api.edit.replace(use.node, 'newName');
    }
    for (const ref of scopes.references()) {
      if (ref.name === 'oldName' && ref.resolution.kind !== 'bound') {
        api.report(ref.node, { rule: 'left-alone', message: '\`oldName\` is not an argument here', fix: 'rename by hand' });
      }
    }
  },
};

export default transform;
`;
}

function readmeText(name: string): string {
  return `# ${name}

What it does, in one paragraph: which code it rewrites and what it becomes.

## Why

The reason for the change (a rename in nixpkgs, a deprecation), with a link.

## Example

Before:

\`\`\`nix
{ lib, oldName }:
{
  hook = oldName;
}
\`\`\`

After:

\`\`\`nix
{ lib, newName }:
{
  hook = newName;
}
\`\`\`

## When not to use it

The cases it leaves alone, and what to do about them (each gets a finding).
`;
}

const testText = `import { defineFixtureTests } from 'nixshift/testing';

// every __testfixtures__/<case>.input.nix: the output, the findings, and a second run that changes nothing
defineFixtureTests(import.meta.url, './index.ts');
`;

export async function newCommand(name: string, flags: NewFlags, io: Io): Promise<number> {
  if (!NAME.test(name)) throw new UsageError(`new: "${name}" is not a transform name: lower-case words joined by - (e.g. my-rename)`);
  const dir = resolve(io.cwd, flags.dir ?? '.', name);
  if (existsSync(dir)) throw new UsageError(`new: ${relative(io.cwd, dir) || dir} exists already; nothing written`);
  const files: [string, string][] = [
    ['index.ts', moduleText(name)],
    ['README.md', readmeText(name)],
    [`${name}.test.ts`, testText],
    ['__testfixtures__/rename.input.nix', '{ lib, oldName }:\n{\n  hook = oldName;\n  hooks = [ oldName ];\n}\n'],
    ['__testfixtures__/rename.output.nix', '{ lib, newName }:\n{\n  hook = newName;\n  hooks = [ newName ];\n}\n'],
    ['__testfixtures__/taken.input.nix', '{ oldName }:\nlet\n  newName = 1;\nin\noldName\n'],
    ['__testfixtures__/taken.output.nix', '{ oldName }:\nlet\n  newName = 1;\nin\noldName\n'],
    ['__testfixtures__/taken.findings.json', `[\n  { "rule": "${name}/left-alone", "severity": "warning", "line": 1, "column": 3 }\n]\n`],
  ];
  mkdirSync(join(dir, '__testfixtures__'), { recursive: true });
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
  const shown = relative(io.cwd, dir) || '.';
  for (const [file] of files) io.stdout.write(`created ${join(shown, file)}\n`);
  io.stdout.write(`\nnext: npx vitest run ${shown} (with nixshift and vitest installed), then nixshift run -t ./${join(shown, 'index.ts')} <paths>\n`);
  return EXIT_OK;
}
