/**
 * For CI: `--format github` (workflow commands, escaped), `--format sarif` (validated against the
 * SARIF 2.1.0 schema, its fixes applied to the original files giving exactly what `--write`
 * writes), `--fail-on`, `--disable`, and the pre-commit hook's entry run as pre-commit runs it.
 *
 * Needs the build (`npx tsc -p tsconfig.build.json`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GIT_TEST_ENV, makeGitRepo } from '../helpers/git.js';
import { BIN, cli, ROOT } from '../helpers/tree.js';

const require = createRequire(import.meta.url);

/** Reports a warning whose message needs escaping, an info, and an error on `MARK!`; rewrites MARK. */
const ODD = `export default {
  name: 'odd',
  description: 'marks MARK',
  needles: ['MARK'],
  rules: {
    pct: { severity: 'warning', summary: 'a message with 100%, a comma and a newline' },
    note: { severity: 'info', summary: 'a note' },
    bad: { severity: 'error', summary: 'a bad mark' },
  },
  transform(f, api) {
    const at = f.source.indexOf('MARK');
    api.report(at, { rule: 'pct', message: 'uses 100% of a, b\\nand c: really', fix: 'drop it' });
    api.report(0, { rule: 'note', message: 'seen' });
    if (f.source.includes('MARK!')) api.report(at, { rule: 'bad', message: 'bad mark' });
    api.edit.replace({ startIndex: at, endIndex: at + 4 }, 'DONE');
  },
};
`;

const FILES = {
  'odd.mjs': ODD,
  'sub/x.nix': '{ a = 1; } # MARK\n',
  'sub/y.nix': 'let\n  b = 2;\nin\nb # MARK!\n',
  'sub/broken.nix': '{ a = [ 1 ; } # MARK\n',
  'sub/plain.nix': '{ }\n',
};

const run = (root: string, args: string[]) => cli(['run', '-t', '../odd.mjs', '--no-progress', ...args], { cwd: join(root, 'sub'), env: GIT_TEST_ENV });

describe('--format github', () => {
  it('one workflow command per finding, error and rewritten file, paths from the repository root, escaped', () => {
    const root = makeGitRepo(FILES);
    const r = run(root, ['--format', 'github', '.']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(
      [
        '::error file=sub/broken.nix,line=1,col=11,title=nixshift/syntax::1:11: syntax error: missing "]"',
        '::notice file=sub/x.nix,title=odd/rewrite::would be rewritten by odd',
        '::notice file=sub/x.nix,line=1,col=1,title=odd/note::seen',
        '::warning file=sub/x.nix,line=1,col=14,title=odd/pct::uses 100%25 of a, b%0Aand c: really%0Afix: drop it',
        '::notice file=sub/y.nix,title=odd/rewrite::would be rewritten by odd',
        '::notice file=sub/y.nix,line=1,col=1,title=odd/note::seen',
        '::warning file=sub/y.nix,line=4,col=5,title=odd/pct::uses 100%25 of a, b%0Aand c: really%0Afix: drop it',
        '::error file=sub/y.nix,line=4,col=5,title=odd/bad::bad mark',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/^nixshift: 2 ok, 0 nochange, 1 skip, 1 error; 4 files in /);
  });

  it('escapes properties: `:` and `,` in a path', () => {
    const root = makeGitRepo({ 'odd.mjs': ODD, 'sub/a,b:c.nix': '1 # MARK\n' });
    const r = run(root, ['--format', 'github', '--disable', 'odd/pct', '--disable', 'odd/note', '.']);
    expect(r.stdout).toBe('::notice file=sub/a%2Cb%3Ac.nix,title=odd/rewrite::would be rewritten by odd\n');
  });
});

/** The SARIF 2.1.0 schema (as the SARIF SDK publishes it), validated with ajv (draft-04). */
function sarifValidator(): (log: unknown) => string[] {
  const Ajv = require('ajv-draft-04') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } };
  const addFormats = require('ajv-formats') as (a: unknown) => void;
  // the schema's language-tag pattern is not a valid Unicode-mode regular expression
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath}: ${e.message}`));
}

interface Replacement {
  deletedRegion: { startLine: number; startColumn: number; endLine: number; endColumn: number; charOffset: number; charLength: number };
  insertedContent?: { text: string };
}

/** Apply replacements by their character offsets, and by their lines and columns: both must agree. */
function applyReplacements(text: string, replacements: Replacement[]): string {
  const byOffset = [...replacements].sort((a, b) => b.deletedRegion.charOffset - a.deletedRegion.charOffset);
  let a = text;
  for (const r of byOffset) a = a.slice(0, r.deletedRegion.charOffset) + (r.insertedContent?.text ?? '') + a.slice(r.deletedRegion.charOffset + r.deletedRegion.charLength);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (line: number, column: number): number => (lineStarts[line - 1] ?? text.length) + column - 1;
  let b = text;
  for (const r of byOffset) {
    const d = r.deletedRegion;
    b = b.slice(0, offset(d.startLine, d.startColumn)) + (r.insertedContent?.text ?? '') + b.slice(offset(d.endLine, d.endColumn));
  }
  expect(b).toBe(a);
  return a;
}

describe('--format sarif', () => {
  it('is a valid SARIF 2.1.0 log whose fixes, applied to the originals, give exactly what --write writes', () => {
    const root = makeGitRepo({ ...FILES, 'sub/z.nix': '# MARK at the top\n{\n  x = 1;\n}' });
    const r = run(root, ['--format', 'sarif', '.']);
    expect(r.status).toBe(2);
    const log = JSON.parse(r.stdout) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: object } }[]; fixes?: { artifactChanges: { artifactLocation: { uri: string }; replacements: Replacement[] }[] }[] }[] }[];
    };
    expect(sarifValidator()(log)).toEqual([]);
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.rules.map((x) => x.id)).toEqual(['odd/rewrite', 'odd/pct', 'odd/note', 'odd/bad', 'nixshift/syntax']);
    expect(run0.results.map((x) => `${x.ruleId} ${x.level} ${x.locations?.[0]?.physicalLocation.artifactLocation.uri}`)).toEqual([
      'nixshift/syntax error sub/broken.nix',
      'odd/pct warning sub/x.nix',
      'odd/note note sub/x.nix',
      'odd/rewrite note sub/x.nix',
      'odd/pct warning sub/y.nix',
      'odd/note note sub/y.nix',
      'odd/bad error sub/y.nix',
      'odd/rewrite note sub/y.nix',
      'odd/pct warning sub/z.nix',
      'odd/note note sub/z.nix',
      'odd/rewrite note sub/z.nix',
    ]);
    // the fixes, applied to the files as they are (the dry run wrote nothing) …
    const fixed = new Map<string, string>();
    for (const res of run0.results) {
      for (const change of res.fixes?.flatMap((f) => f.artifactChanges) ?? []) {
        const uri = change.artifactLocation.uri;
        fixed.set(uri, applyReplacements(readFileSync(join(root, uri), 'utf8'), change.replacements));
      }
    }
    // … are what --write writes
    expect(run(root, ['--write', '.']).status).toBe(2);
    expect([...fixed.keys()].sort()).toEqual(['sub/x.nix', 'sub/y.nix', 'sub/z.nix']);
    for (const [uri, text] of fixed) expect(text).toBe(readFileSync(join(root, uri), 'utf8'));
    expect(fixed.get('sub/z.nix')).toBe('# DONE at the top\n{\n  x = 1;\n}');
  });
});

describe('--fail-on and --disable', () => {
  it('exits 1 when a finding of the severity or above remains, 0 otherwise; a disabled rule is not reported', () => {
    const root = makeGitRepo({ 'odd.mjs': ODD, 'sub/x.nix': '{ a = 1; } # MARK\n' });
    const status = (args: string[]) => run(root, [...args, 'x.nix']).status;
    expect([status([]), status(['--fail-on', 'error']), status(['--fail-on', 'warning']), status(['--fail-on', 'info'])]).toEqual([0, 0, 1, 1]);
    expect(status(['--fail-on', 'warning', '--disable', 'odd/pct'])).toBe(0);
    const quiet = run(root, ['--disable', 'odd/pct', '--disable', 'odd/note', 'x.nix']);
    expect(quiet.stderr).toMatch(/^nixshift: 1 ok, 0 nochange, 0 skip, 0 error; 1 file in .*, 0 findings\n$/);
    const unknown = run(root, ['--disable', 'odd/pcnt', 'x.nix']);
    expect([unknown.status, unknown.stderr]).toEqual([2, 'nixshift: --disable odd/pcnt: no transform of this run reports it (its rules: odd/pct, odd/note, odd/bad)\n']);
    expect(run(root, ['--fail-on', 'fatal', 'x.nix']).stderr).toBe('nixshift: --fail-on takes info, warning, error, not "fatal"\n');
    expect(run(root, ['--format', 'xml', 'x.nix']).stderr).toBe('nixshift: --format takes text, json, github, sarif, not "xml"\n');
    expect(run(root, ['--json', '--format', 'sarif', 'x.nix']).stderr).toBe('nixshift: --json is --format json: it cannot be used with --format sarif\n');
  });

  it('takes "disable" from the config file', () => {
    const root = makeGitRepo({ 'odd.mjs': ODD, 'sub/x.nix': '{ a = 1; } # MARK\n', 'nixshift.config.json': '{ "disable": ["odd/pct"] }\n' });
    expect(run(root, ['--fail-on', 'warning', 'x.nix']).status).toBe(0);
  });
});

describe('the pre-commit hook', () => {
  it('nixshift-check, run as pre-commit runs it (entry, args, file names): 1 on a file that would change, 0 on a migrated one', () => {
    const hooks = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    const entry = /- id: nixshift-check\n(?:\s+\w+:.*\n)*?\s+entry: (.+)\n/.exec(hooks)![1]!.split(' ');
    expect(entry[0]).toBe('nixshift');
    const root = makeGitRepo({
      'old.nix': '{ stdenv, addOpenGLRunpath }:\nstdenv.mkDerivation { nativeBuildInputs = [ addOpenGLRunpath ]; }\n',
      'new.nix': '{ stdenv, addDriverRunpath }:\nstdenv.mkDerivation { nativeBuildInputs = [ addDriverRunpath ]; }\n',
    });
    const hook = (files: string[]) => spawnSync(process.execPath, [BIN, ...entry.slice(1), '-t', 'driver-runpath-rename', ...files], { cwd: root, encoding: 'utf8', env: { ...process.env, ...GIT_TEST_ENV } });
    const changed = hook(['old.nix', 'new.nix']);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('+{ stdenv, addDriverRunpath }:');
    expect(hook(['new.nix']).status).toBe(0);
  });
});
