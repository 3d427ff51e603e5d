/**
 * What a transform author gets, through the built CLI: `nixshift parse` shows the tree a
 * transform sees; `nixshift new` scaffolds a transform whose own fixture test passes under the
 * author's vitest with `nixshift/testing`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, snapshot, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();

describe('nixshift parse', () => {
  it('prints each named node with its field, kind, 1-based range and leaf text; exit 0', () => {
    const dir = tree({ 'p.nix': '{ lib, x ? 1 }:\n{ a = [ x "é" ]; }\n' });
    const r = cli(['parse', 'p.nix'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'source_code [1:1-3:1]',
        '  expression: function_expression [1:1-2:19]',
        '    formals: formals [1:1-1:15]',
        '      formal: formal [1:3-1:6]',
        '        name: identifier [1:3-1:6] "lib"',
        '      formal: formal [1:8-1:13]',
        '        name: identifier [1:8-1:9] "x"',
        '        default: integer_expression [1:12-1:13] "1"',
        '    body: attrset_expression [2:1-2:19]',
        '      binding_set [2:3-2:17]',
        '        binding: binding [2:3-2:17]',
        '          attrpath: attrpath [2:3-2:4]',
        '            attr: identifier [2:3-2:4] "a"',
        '          expression: list_expression [2:7-2:16]',
        '            element: variable_expression [2:9-2:10]',
        '              name: identifier [2:9-2:10] "x"',
        '            element: string_expression [2:11-2:14]',
        '              string_fragment [2:12-2:13] "é"',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
  });

  it('--all shows the tokens too; a syntax error prints the tree with MISSING and path:line:col on stderr, exit 2', () => {
    const dir = tree({ 'ok.nix': '[ 1 ]\n', 'bad.nix': '{ a = ; }\n' });
    const all = cli(['parse', '--all', 'ok.nix'], { cwd: dir });
    expect(all.stdout).toBe('source_code [1:1-2:1]\n  expression: list_expression [1:1-1:6]\n    "[" [1:1-1:2]\n    element: integer_expression [1:3-1:4] "1"\n    "]" [1:5-1:6]\n');
    const bad = cli(['parse', 'bad.nix'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain('name: MISSING identifier [1:6-1:6] ""');
    expect(bad.stderr).toBe('bad.nix:1:7: syntax error: missing "identifier"\n'); // where nix-instantiate --parse says it is
    const missing = cli(['parse', 'nope.nix'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('nixshift: parse: cannot read nope.nix: ENOENT\n');
  });
});

describe('nixshift new', () => {
  it('scaffolds a transform whose fixture test passes under vitest with nixshift/testing, and that runs with -t', () => {
    const dir = tree({ 'pkgs/a.nix': '{ stdenv, oldName }:\nstdenv.mkDerivation { nativeBuildInputs = [ oldName ]; }\n' });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'nixshift')); // as `npm install nixshift` would
    const r = cli(['new', 'my-rename'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('created '))).toEqual([
      'created my-rename/index.ts',
      'created my-rename/README.md',
      'created my-rename/my-rename.test.ts',
      'created my-rename/__testfixtures__/rename.input.nix',
      'created my-rename/__testfixtures__/rename.output.nix',
      'created my-rename/__testfixtures__/taken.input.nix',
      'created my-rename/__testfixtures__/taken.output.nix',
      'created my-rename/__testfixtures__/taken.findings.json',
    ]);
    expect(readFileSync(join(dir, 'my-rename/my-rename.test.ts'), 'utf8')).toContain("from 'nixshift/testing'");

    // the author's own vitest run: both fixtures pass
    const vitest = spawnSync(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--root', dir, 'my-rename'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests {2}2 passed \(2\)/);
    expect(vitest.status).toBe(0);

    // and the transform runs as a user's transform
    const run = cli(['run', '-t', './my-rename/index.ts', '--write', 'pkgs'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'pkgs/a.nix'), 'utf8')).toBe('{ stdenv, newName }:\nstdenv.mkDerivation { nativeBuildInputs = [ newName ]; }\n');
  }, 60_000);

  it('refuses a name that is no transform name, and an existing folder, writing nothing', () => {
    const dir = tree({ 'taken/keep.txt': 'mine\n' });
    const before = snapshot(dir);
    const bad = cli(['new', 'My_Rename'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('nixshift: new: "My_Rename" is not a transform name: lower-case words joined by - (e.g. my-rename)\n');
    const exists = cli(['new', 'taken'], { cwd: dir });
    expect(exists.status).toBe(2);
    expect(exists.stderr).toBe('nixshift: new: taken exists already; nothing written\n');
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'My_Rename'))).toBe(false);
  });
});
