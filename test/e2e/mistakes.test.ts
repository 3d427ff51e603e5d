/**
 * A user's mistakes caught before the run, once, with a suggestion (exit 2): transform names,
 * option names and values, typos in suppressions, repeated options, checks that used to fail
 * late. Needs the build (`npx tsc -p tsconfig.build.json`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GIT_TEST_ENV, makeGitRepo } from '../helpers/git.js';
import { cli, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();
const PKG = '{ stdenv, cudatoolkit }:\nstdenv.mkDerivation {\n  pname = "p";\n  version = "1";\n  buildInputs = [ cudatoolkit ];\n}\n';

describe('names and values, checked up front', () => {
  it('an unknown transform, option name or value: exit 2 with the closest name, nothing run', () => {
    const dir = tree({ 'p.nix': PKG });
    const run = (...args: string[]) => cli(['run', '-t', 'cudatoolkit-to-redist', ...args, 'p.nix'], { cwd: dir });
    expect(cli(['run', '-t', 'cudatoolkit-to-redis', 'p.nix'], { cwd: dir }).stderr).toBe(
      'nixshift: unknown transform "cudatoolkit-to-redis" (did you mean "cudatoolkit-to-redist"?) (built-in: cudatoolkit-to-redist, driver-runpath-rename, symlinkjoin-to-propagated; a file path must start with ./ or /)\n',
    );
    const name = run('-o', 'cudatoolkit-to-redist:cuda-lib=libcublas');
    expect([name.status, name.stdout, name.stderr]).toEqual([
      2,
      '',
      'nixshift: -o cudatoolkit-to-redist:cuda-lib=libcublas: cudatoolkit-to-redist has no option "cuda-lib" (did you mean "cuda-libs"?); cudatoolkit-to-redist takes: style, cuda-libs, version-attr, source, build (`nixshift explain cudatoolkit-to-redist`)\n',
    ]);
    expect(run('-o', 'styel=bare').stderr).toContain('nixshift: -o styel=bare: no transform of this run has an option "styel" (did you mean "style"?); cudatoolkit-to-redist takes: ');
    expect(run('-o', 'style=explict').stderr).toBe('nixshift: transform cudatoolkit-to-redist: option style: "explict" is not a style (did you mean "explicit"?) (bare or explicit)\n');
    const value = run('-o', 'cuda-libs=libcublass');
    expect([value.status, value.stderr.split('\n').length]).toEqual([2, 2]); // once, not once per file
    expect(value.stderr).toMatch(/^nixshift: transform cudatoolkit-to-redist: option cuda-libs: unknown package\(s\) libcublass \(did you mean "libcublas"\?\) \(known: /);
  });

  it('checks the config file’s options the same way', () => {
    const dir = tree({ 'p.nix': PKG, 'nixshift.config.json': '{ "transforms": ["cudatoolkit-to-redist"], "options": { "cudatoolkit-to-redist": { "cuda-lib": "libcublas" } } }\n' });
    const r = cli(['run', 'p.nix'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"options".cudatoolkit-to-redist: cudatoolkit-to-redist has no option "cuda-lib" (did you mean "cuda-libs"?)');
  });

  it('a typo in a suppression comment is reported with the name it likely meant', () => {
    const dir = tree({ 'p.nix': '{ cudatoolkit }:\n{\n  # nixshift-ignore: cudatoolkit-to-redis\n  a = cudatoolkit;\n}\n' });
    const r = cli(['run', '-t', 'cudatoolkit-to-redist', 'p.nix'], { cwd: dir });
    expect(r.stderr).toContain(
      'p.nix:3:3: warning[nixshift/unused-suppression] this `# nixshift-ignore` names `cudatoolkit-to-redis`, which is no transform of the run (did you mean `cudatoolkit-to-redist`?): it suppresses nothing for it\n  fix: write `cudatoolkit-to-redist`\n',
    );
  });
});

describe('options given twice, and checks that used to come late', () => {
  it('a single-value option given twice is an error; --report may be given once per report', () => {
    const dir = tree({ 'p.nix': PKG });
    const twice = cli(['run', '-t', 'cudatoolkit-to-redist', '--cpus', '1', '--cpus', '2', 'p.nix'], { cwd: dir });
    expect([twice.status, twice.stderr]).toEqual([2, 'nixshift: --cpus was given twice (1, 2); give it once\n']);
    const reports = cli(['run', '-t', 'cudatoolkit-to-redist', '--report', 'a.md', '--report', 'b.html', 'p.nix'], { cwd: dir });
    expect(reports.status).toBe(0);
    expect(reports.stderr).toContain('nixshift: report written to a.md\nnixshift: report written to b.html\n');
    expect(readFileSync(join(dir, 'a.md'), 'utf8')).toMatch(/^# nixshift report\n/);
    expect(readFileSync(join(dir, 'b.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('a report into a missing folder, a formatter that is not installed, a path taken as --changed base: exit 2 before the run', () => {
    const root = makeGitRepo({ 'pkgs/p.nix': PKG });
    const run = (...args: string[]) => cli(['run', '-t', 'cudatoolkit-to-redist', ...args], { cwd: root, env: GIT_TEST_ENV });
    expect(run('--report', 'nope/r.md', 'pkgs').stderr).toBe(`nixshift: --report nope/r.md: the folder ${join(root, 'nope')} does not exist\n`);
    expect(run('--formatter', 'no-such-formatter --quiet', 'pkgs').stderr).toBe('nixshift: --formatter no-such-formatter --quiet: `no-such-formatter` is not installed (or not on PATH); nothing was run\n');
    const changed = run('--changed', 'pkgs');
    expect(changed.status).toBe(2);
    expect(changed.stderr).toContain('"pkgs" is a path: to look only there, write `--changed -- pkgs` or put the path before --changed');
    expect(run('--changed', '--', 'pkgs').status).toBe(0);
  });
});

describe('paths', () => {
  it('a folder named on the command line is searched though .gitignore matches it; a run that finds nothing says so', () => {
    const root = makeGitRepo({ '.gitignore': 'build/\n', 'build/p.nix': PKG, 'build/.gitignore': 'skip.nix\n', 'build/skip.nix': PKG });
    const named = cli(['run', '-t', 'cudatoolkit-to-redist', 'build'], { cwd: root, env: GIT_TEST_ENV });
    expect(named.stdout).toContain('+++ b/build/p.nix');
    expect(named.stdout).not.toContain('skip.nix'); // the ignore files inside it still apply
    const above = cli(['run', '-t', 'cudatoolkit-to-redist', '.'], { cwd: root, env: GIT_TEST_ENV });
    expect(above.stderr).toBe(
      'nixshift: 0 ok, 0 nochange, 0 skip, 0 error; 0 files in ' +
        above.stderr.split(' files in ')[1]!.split('\n')[0] +
        "\nnixshift: no .nix file found in . (folders are searched for *.nix; what .gitignore, --ignore-pattern or the config's \"ignore\" exclude is skipped: --no-gitignore searches it)\n",
    );
  });
});

describe('output volume and help', () => {
  it('findings in position order; --severity shows the least severity and above; -q: warnings and above, no summary', () => {
    const odd = `export default { name: 'odd', needles: ['MARK'], rules: { i: { severity: 'info', summary: 'i' }, w: { severity: 'warning', summary: 'w' } },
  transform(f, api) { api.report(f.source.indexOf('MARK'), { rule: 'w', message: 'late' }); api.report(0, { rule: 'i', message: 'early' }); } };\n`;
    const dir = tree({ 'odd.mjs': odd, 'a.nix': '1 # MARK\n' });
    const run = (...args: string[]) => cli(['run', '-t', './odd.mjs', ...args, 'a.nix'], { cwd: dir }).stderr;
    expect(run()).toMatch(/^a\.nix:1:1: info\[odd\/i\] early\na\.nix:1:5: warning\[odd\/w\] late\nnixshift: 0 ok, 1 nochange/);
    expect(run('--severity', 'warning')).toMatch(/^a\.nix:1:5: warning\[odd\/w\] late\nnixshift: 0 ok, 1 nochange/);
    expect(run('-q')).toBe('a.nix:1:5: warning[odd/w] late\n');
    expect(run('-q', '--severity', 'info')).toBe('a.nix:1:1: info[odd/i] early\na.nix:1:5: warning[odd/w] late\n');
    expect(run('--severity', 'loud')).toBe('nixshift: --severity takes info, warning, error, not "loud"\n');
  });

  it('no command: the help on stdout, exit 2; run --help has examples and the exit codes', () => {
    const dir = tree({});
    const bare = cli([], { cwd: dir });
    expect([bare.status, bare.stderr]).toEqual([2, '']);
    expect(bare.stdout).toMatch(/^Usage: nixshift \[options\] \[command\]/);
    expect(bare.stdout).toContain('Exit codes:\n  0    success');
    const help = cli(['run', '--help'], { cwd: dir });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Examples:\n  nixshift run -t cudatoolkit-to-redist pkgs/ ');
    expect(help.stdout).toContain('  130  interrupted (Ctrl-C); 143: SIGTERM\n');
  });
});

describe('the config file', () => {
  it('an unknown key gets the closest one; a "packages" key that is a typo of a package of the run is warned about', () => {
    const typo = tree({ 'nixshift.config.json': '{ "transfroms": ["driver-runpath-rename"] }\n', 'a.nix': '1\n' });
    expect(cli(['run', 'a.nix'], { cwd: typo }).stderr).toContain('unknown key "transfroms" (did you mean "transforms"?)');
    const dir = tree({
      'nixshift.config.json': '{ "transforms": ["cudatoolkit-to-redist"], "packages": { "torchish": { "cudatoolkit-to-redist": { "style": "explicit" } }, "elsewhere": { } } }\n',
      'pkgs/development/python-modules/torchish/default.nix': PKG,
    });
    const r = cli(['run', 'pkgs'], { cwd: dir });
    expect(r.stderr.split('\n').filter((l) => l.includes('"packages"'))).toEqual([`nixshift: warning: ${join(dir, 'nixshift.config.json')}: "packages"."torchish" matches no file of this run (did you mean "python3Packages.torchish"?)`]);
  });

  it('nixshift init writes a starter config that the run and the JSON schema accept, and never overwrites one', () => {
    const dir = tree({ 'p.nix': PKG });
    const init = cli(['init'], { cwd: dir });
    expect(init.status).toBe(0);
    const text = readFileSync(join(dir, 'nixshift.config.json'), 'utf8');
    expect(JSON.parse(text).transforms).toEqual(['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename']);
    expect(cli(['run', 'p.nix'], { cwd: dir }).status).toBe(0);
    const again = cli(['init'], { cwd: dir });
    expect([again.status, readFileSync(join(dir, 'nixshift.config.json'), 'utf8')]).toEqual([2, text]);
  });
});
