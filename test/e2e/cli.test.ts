/**
 * End to end through the built binary (bin/nixshift.js → dist/), in temp trees.
 * `npm test` builds first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, snapshot, useTempTrees } from '../helpers/tree.js';

const PKG = '{\n  lib,\n  stdenv,\n  addOpenGLRunpath,\n}:\n\nstdenv.mkDerivation {\n  pname = "demo";\n  version = "1";\n  nativeBuildInputs = [ addOpenGLRunpath ];\n}\n';
const PKG_OUT = PKG.replace(/addOpenGLRunpath/g, 'addDriverRunpath');
const UNRELATED = '{ lib, stdenv }:\n\nstdenv.mkDerivation { pname = "plain"; version = "1"; }\n';
const BROKEN = '{ lib, addOpenGLRunpath }:\n\nlet x = [ 1 2 ;\nin x\n';

const tree = useTempTrees();

const T = ['run', '-t', 'driver-runpath-rename'];

describe('nixshift run (dry run)', () => {
  it('prints a patch-applicable diff, findings and summary on stderr, and changes nothing on disk', () => {
    const dir = tree({ 'pkgs/a/default.nix': PKG, 'pkgs/b/default.nix': UNRELATED, 'README.md': 'addOpenGLRunpath' });
    const before = snapshot(dir);
    const r = cli([...T, '.'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        '--- a/pkgs/a/default.nix',
        '+++ b/pkgs/a/default.nix',
        '@@ -1,11 +1,11 @@',
        ' {',
        '   lib,',
        '   stdenv,',
        '-  addOpenGLRunpath,',
        '+  addDriverRunpath,',
        ' }:',
        ' ',
        ' stdenv.mkDerivation {',
        '   pname = "demo";',
        '   version = "1";',
        '-  nativeBuildInputs = [ addOpenGLRunpath ];',
        '+  nativeBuildInputs = [ addDriverRunpath ];',
        ' }',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/^nixshift: 1 ok, 0 nochange, 1 skip, 0 error; 2 files in [\d.]+s \(\d+ files\/s\), 0 findings\n$/);
    expect(snapshot(dir)).toEqual(before);
    // the diff applies with git apply and gives what --write writes
    const copy = tree({});
    cpSync(dir, copy, { recursive: true });
    execFileSync('git', ['apply', '-p1', '-'], { cwd: copy, input: r.stdout });
    expect(readFileSync(join(copy, 'pkgs/a/default.nix'), 'utf8')).toBe(PKG_OUT);
  });

  it('defaults to the current folder and colours diffs only when asked', () => {
    const dir = tree({ 'a.nix': PKG });
    const plain = cli(T, { cwd: dir });
    expect(plain.stdout).toContain('--- a/a.nix');
    expect(plain.stdout).not.toContain('\x1b[');
    const coloured = cli([...T, '--color'], { cwd: dir });
    expect(coloured.stdout).toContain('\x1b[31m-  addOpenGLRunpath,\x1b[0m');
  });
});

describe('nixshift run --write / --check', () => {
  it('writes exactly the changed files, keeps their mode, and a second run changes nothing', () => {
    const dir = tree({ 'a.nix': PKG, 'b.nix': UNRELATED, 'c.nix': PKG });
    chmodSync(join(dir, 'c.nix'), 0o640);
    const before = snapshot(dir);
    const r = cli([...T, '--write', '.'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a.nix\nc.nix\n');
    expect(r.stderr).toMatch(/2 ok, 0 nochange, 1 skip, 0 error, 2 written/);
    const after = snapshot(dir);
    expect(after['a.nix']!.text).toBe(PKG_OUT);
    expect(after['c.nix']!.text).toBe(PKG_OUT);
    expect(after['c.nix']!.mode & 0o777).toBe(0o640);
    expect(after['b.nix']).toEqual(before['b.nix']);
    expect(Object.keys(after).sort()).toEqual(['a.nix', 'b.nix', 'c.nix']); // no temp files left
    const again = cli([...T, '--write', '.'], { cwd: dir });
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/0 ok, 0 nochange, 3 skip, 0 error, 0 written/); // no needle left
  });

  it('--check exits 1 when a file would change and 0 when none would, writing nothing', () => {
    const dir = tree({ 'a.nix': PKG });
    const before = snapshot(dir);
    const r = cli([...T, '--check', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('+  addDriverRunpath,');
    expect(snapshot(dir)).toEqual(before);
    writeFileSync(join(dir, 'a.nix'), PKG_OUT);
    expect(cli([...T, '--check', '.'], { cwd: dir }).status).toBe(0);
  });

  it('refuses --write with --check', () => {
    const dir = tree({ 'a.nix': PKG });
    const r = cli([...T, '--write', '--check'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--write and --check cannot be used together');
  });
});

describe('errors', () => {
  it('refuses a file with a syntax error with path:line:col, goes on, exits 2, never writes it', () => {
    const dir = tree({ 'a.nix': PKG, 'broken.nix': BROKEN, 'z.nix': PKG });
    const r = cli([...T, '--write', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('broken.nix:3:15: error: syntax error: missing "]"'); // nix-instantiate: 3:15
    expect(readFileSync(join(dir, 'broken.nix'), 'utf8')).toBe(BROKEN);
    expect(readFileSync(join(dir, 'z.nix'), 'utf8')).toBe(PKG_OUT);
    expect(r.stderr).toMatch(/2 ok, 0 nochange, 0 skip, 1 error, 2 written/);
  });

  it('lists paths that do not exist and exits 2, processing the others', () => {
    const dir = tree({ 'a.nix': PKG });
    const r = cli([...T, 'a.nix', 'nope.nix', 'gone/'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.nix: error: no such file or directory');
    expect(r.stderr).toContain('gone/: error: no such file or directory');
    expect(r.stdout).toContain('+++ b/a.nix');
  });

  it('rejects an unknown transform and bad options with exit 2', () => {
    const dir = tree({ 'a.nix': PKG });
    const r = cli(['run', '-t', 'no-such-transform', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown transform "no-such-transform"');
    expect(cli(['run', '.'], { cwd: dir }).stderr).toContain('no transform given');
    expect(cli([...T, '--cpus', 'zero'], { cwd: dir }).status).toBe(2);
    expect(cli([...T, '-o', 'other:x=1'], { cwd: dir }).stderr).toContain('names transform "other"');
  });

  it('marks a file whose transform throws, overlaps edits, or produces invalid Nix as error; the run goes on', () => {
    const dir = tree({
      'bad-transform.mjs': [
        'export default {',
        "  name: 'bad', description: 'misbehaves', needles: ['MARK'],",
        '  transform(file, api) {',
        "    if (file.source.includes('MARK throw')) throw new Error('boom on purpose');",
        "    if (file.source.includes('MARK overlap')) { api.edit.replace({ startIndex: 0, endIndex: 4 }, 'x'); api.edit.replace({ startIndex: 2, endIndex: 6 }, 'y'); }",
        "    if (file.source.includes('MARK invalid')) api.edit.insertAt(0, '{ ');",
        "    if (file.source.includes('MARK fine')) api.edit.replace({ startIndex: 0, endIndex: 1 }, '2');",
        '  },',
        '};',
      ].join('\n'),
      'a-throw.nix': '1 # MARK throw\n',
      'b-overlap.nix': '1 # MARK overlap\n',
      'c-invalid.nix': '1 # MARK invalid\n',
      'd-fine.nix': '1 # MARK fine\n',
    });
    const before = snapshot(dir);
    const r = cli(['run', '-t', './bad-transform.mjs', '--write', '--json', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout);
    const byPath = Object.fromEntries(doc.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath['a-throw.nix']).toMatchObject({ status: 'error', errorKind: 'transform-threw', error: 'transform bad threw: boom on purpose' });
    expect(byPath['b-overlap.nix']).toMatchObject({ status: 'error', errorKind: 'overlapping-edits' });
    expect(byPath['b-overlap.nix'].error).toMatch(/^transform bad produced overlapping edits: \[0,4\) from bad and \[2,6\) from bad; file left unchanged$/);
    expect(byPath['c-invalid.nix']).toMatchObject({ status: 'error', errorKind: 'invalid-output' });
    expect(byPath['c-invalid.nix'].error).toMatch(/^transform bad produced invalid Nix \(1:1: syntax error: unexpected "\{" in its output\); file left unchanged$/);
    expect(byPath['d-fine.nix']).toMatchObject({ status: 'ok', written: true });
    expect(byPath['d-fine.nix'].errorKind).toBeUndefined();
    const after = snapshot(dir);
    for (const f of ['a-throw.nix', 'b-overlap.nix', 'c-invalid.nix']) expect(after[f]).toEqual(before[f]);
    expect(after['d-fine.nix']!.text).toBe('2 # MARK fine\n');
  });
});

describe('--json', () => {
  it('prints one document: files sorted by path with status, findings and error, plus a summary', () => {
    const dir = tree({
      'z.nix': PKG,
      'a.nix': UNRELATED,
      'm/free.nix': '{ h }: with h; { hook = addOpenGLRunpath; }\n',
      'm/broken.nix': BROKEN,
    });
    const r = cli([...T, '--json', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { path: string; status: string }) => [f.path, f.status])).toEqual([
      ['a.nix', 'skip'],
      ['m/broken.nix', 'error'],
      ['m/free.nix', 'nochange'],
      ['z.nix', 'ok'],
    ]);
    expect(doc.files[2]).toEqual({
      path: 'm/free.nix',
      status: 'nochange',
      error: null,
      findings: [
        {
          rule: 'driver-runpath-rename/unresolved-name',
          severity: 'warning',
          message: '`addOpenGLRunpath` comes from `with h;`, which nixshift cannot see into; left as is',
          fix: 'if it is the package, use `addDriverRunpath` (or `pkgs.addDriverRunpath`) instead',
          line: 1,
          column: 25,
        },
      ],
    });
    expect(doc.files[3].diff).toContain('+  addDriverRunpath,');
    expect(doc.summary).toMatchObject({ files: 4, ok: 1, nochange: 1, skip: 1, error: 1, written: 0, findings: 1 });
    expect(typeof doc.summary.elapsedMs).toBe('number');
    expect(r.stderr).toBe('');
  });
});

describe('readers and a transforming thread', () => {
  // A user transform that notes, when its module is loaded, which thread loaded it (0: the main
  // thread, which loads every transform once to check it). It turns `MARKER` into `DONE`.
  const MARK = [
    "import { appendFileSync } from 'node:fs';",
    "import { threadId } from 'node:worker_threads';",
    "appendFileSync(process.env.LOADS_FILE, `${threadId}\\n`);",
    "export default { name: 'mark', needles: ['MARKER'], transform(f, api) { for (const m of f.source.matchAll(/MARKER/g)) api.edit.replace({ startIndex: m.index, endIndex: m.index + 6 }, 'DONE'); } };",
    '',
  ].join('\n');
  const workerLoads = (dir: string): number => new Set(readFileSync(join(dir, 'loads'), 'utf8').trim().split('\n').filter((t) => t !== '0')).size;
  const strip = (out: string) => {
    const doc = JSON.parse(out);
    delete doc.summary.elapsedMs;
    delete doc.summary.workers;
    return doc;
  };

  it('few files with a needle: one thread transforms them all, the other only reads; results as in band', () => {
    const files: Record<string, string> = { 'mark.mjs': MARK };
    for (let i = 0; i < 600; i++) files[`pkgs/p${String(i).padStart(3, '0')}.nix`] = i % 100 === 7 ? `{ x = "MARKER ${i}"; }\n` : `{ x = ${i}; }\n`;
    // Around the size of the buffer small files are read into (128 KiB), and far above it.
    const pad = (n: number): string => `{ x = "MARKER"; y = "${'p'.repeat(n - 30)}"; }\n`;
    for (const n of [(1 << 17) - 1, 1 << 17, (1 << 17) + 1, 3 << 17]) files[`pkgs/size-${n}.nix`] = pad(n);
    files['pkgs/tail.nix'] = `{\n${'  # padding\n'.repeat(40_000)}  x = "MARKER";\n}\n`;
    const dir = tree(files);
    const env = { LOADS_FILE: join(dir, 'loads') };
    const threaded = cli(['run', '-t', './mark.mjs', '--json', '--cpus', '2', 'pkgs'], { cwd: dir, env });
    expect(threaded.status).toBe(0);
    expect(JSON.parse(threaded.stdout).summary.workers).toBe(2);
    expect(workerLoads(dir)).toBe(1);
    const inBand = cli(['run', '-t', './mark.mjs', '--json', '--run-in-band', 'pkgs'], { cwd: dir, env });
    expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
    const doc = strip(threaded.stdout);
    expect(doc.summary).toMatchObject({ files: 605, ok: 11, skip: 594, error: 0 });
    expect(doc.files.filter((f: { status: string }) => f.status === 'ok').map((f: { path: string }) => f.path)).toEqual([
      'pkgs/p007.nix', 'pkgs/p107.nix', 'pkgs/p207.nix', 'pkgs/p307.nix', 'pkgs/p407.nix', 'pkgs/p507.nix',
      `pkgs/size-${(1 << 17) - 1}.nix`, `pkgs/size-${1 << 17}.nix`, `pkgs/size-${(1 << 17) + 1}.nix`, `pkgs/size-${3 << 17}.nix`, 'pkgs/tail.nix',
    ]);
    // The bytes of the large files were read whole.
    const w = cli(['run', '-t', './mark.mjs', '--write', '--cpus', '2', 'pkgs'], { cwd: dir, env });
    expect(w.status).toBe(0);
    for (const n of [(1 << 17) - 1, 1 << 17, (1 << 17) + 1, 3 << 17]) expect(readFileSync(join(dir, `pkgs/size-${n}.nix`), 'utf8')).toBe(pad(n).replace('MARKER', 'DONE'));
    expect(readFileSync(join(dir, 'pkgs/tail.nix'), 'utf8')).toBe(files['pkgs/tail.nix']!.replace('MARKER', 'DONE'));
  });

  it('many files with a needle: the reading thread starts transforming too', () => {
    const files: Record<string, string> = { 'mark.mjs': MARK };
    for (let i = 0; i < 600; i++) files[`pkgs/p${String(i).padStart(3, '0')}.nix`] = `{ x = "MARKER ${i}"; }\n`;
    const dir = tree(files);
    const env = { LOADS_FILE: join(dir, 'loads') };
    const threaded = cli(['run', '-t', './mark.mjs', '--json', '--cpus', '2', 'pkgs'], { cwd: dir, env });
    expect(threaded.status).toBe(0);
    expect(workerLoads(dir)).toBe(2);
    expect(strip(threaded.stdout).summary).toMatchObject({ files: 600, ok: 600 });
    const inBand = cli(['run', '-t', './mark.mjs', '--json', '--run-in-band', 'pkgs'], { cwd: dir, env });
    expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
  });

  it('--cpus 1 runs one worker thread; --run-in-band none', () => {
    const files: Record<string, string> = { 'mark.mjs': MARK };
    for (let i = 0; i < 300; i++) files[`pkgs/p${String(i).padStart(3, '0')}.nix`] = `{ x = "MARKER ${i}"; }\n`;
    const dir = tree(files);
    const env = { LOADS_FILE: join(dir, 'loads') };
    expect(JSON.parse(cli(['run', '-t', './mark.mjs', '--json', '--cpus', '1', 'pkgs'], { cwd: dir, env }).stdout).summary.workers).toBe(1);
    expect(workerLoads(dir)).toBe(1);
    writeFileSync(join(dir, 'loads'), '');
    expect(JSON.parse(cli(['run', '-t', './mark.mjs', '--json', '--run-in-band', 'pkgs'], { cwd: dir, env }).stdout).summary.workers).toBe(0);
    expect(workerLoads(dir)).toBe(0);
  });
});

describe('size limit', () => {
  it('skips a file over --max-file-size with the reason instead of parsing it; 0 lifts the limit', () => {
    const big = `{ addOpenGLRunpath }:\n{\n${'  # padding padding padding padding padding padding padding padding\n'.repeat(20_000)}  x = addOpenGLRunpath;\n}\n`;
    const dir = tree({ 'big.nix': big });
    const r = cli([...T, '--max-file-size', '1', '.'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('big.nix: skip: not read: 1.3 MiB is over the size limit of 1.0 MiB (--max-file-size); raise the limit to process it\n');
    const r2 = cli([...T, '--max-file-size', '0', '--json', '.'], { cwd: dir });
    expect((JSON.parse(r2.stdout) as { files: { status: string }[] }).files[0]!.status).toBe('ok');
    const bad = cli([...T, '--max-file-size', 'lots', '.'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-file-size takes a size in MiB');
  });
});

describe('file selection', () => {
  it('respects .gitignore and --ignore-pattern, takes --stdin paths, and lists each file once', () => {
    const dir = tree({
      '.gitignore': 'ignored/\n',
      'ignored/a.nix': PKG,
      'keep/a.nix': PKG,
      'keep/b.nix': PKG,
      'keep/generated/c.nix': PKG,
      'x.txt': PKG,
    });
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const r = cli([...T, '--json', '--ignore-pattern', 'generated/', '.', 'keep', 'keep/a.nix'], { cwd: dir });
    expect(JSON.parse(r.stdout).files.map((f: { path: string }) => f.path)).toEqual(['keep/a.nix', 'keep/b.nix']);
    const s = cli([...T, '--json', '--stdin'], { cwd: dir, input: 'keep/b.nix\n\nignored/a.nix\n' });
    expect(JSON.parse(s.stdout).files.map((f: { path: string }) => f.path)).toEqual(['ignored/a.nix', 'keep/b.nix']);
    const none = cli([...T, '--json', '--stdin'], { cwd: dir, input: '' });
    expect(none.status).toBe(0);
    expect(JSON.parse(none.stdout).files).toEqual([]);
  });

  it('skips files without a needle unless --no-prefilter', () => {
    const dir = tree({ 'a.nix': UNRELATED });
    expect(JSON.parse(cli([...T, '--json'], { cwd: dir }).stdout).files[0].status).toBe('skip');
    expect(JSON.parse(cli([...T, '--json', '--no-prefilter'], { cwd: dir }).stdout).files[0].status).toBe('nochange');
  });
});

describe('worker threads', () => {
  it('gives the same results, in the same order, on 2 threads as in band', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      const name = `pkgs/p${String(i).padStart(3, '0')}/default.nix`;
      files[name] = i % 3 === 0 ? PKG : i % 3 === 1 ? UNRELATED : i % 50 === 2 ? BROKEN : PKG_OUT;
    }
    const dir = tree(files);
    const strip = (out: string) => {
      const doc = JSON.parse(out);
      delete doc.summary.elapsedMs;
      delete doc.summary.workers;
      return doc;
    };
    const threaded = cli([...T, '--json', '--cpus', '2', '.'], { cwd: dir });
    const inBand = cli([...T, '--json', '--run-in-band', '.'], { cwd: dir });
    expect(threaded.status).toBe(2);
    expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
    expect(strip(threaded.stdout).summary).toMatchObject({ files: 300, ok: 100, nochange: 0, skip: 198, error: 2 });
  });

  it('gives the same results on 2 threads as in band for files over the size limit, empty and not UTF-8', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`pkgs/p${String(i).padStart(3, '0')}/default.nix`] = i % 3 === 0 ? PKG : UNRELATED;
    files['pkgs/p100/empty.nix'] = '';
    files['pkgs/p101/large.nix'] = `# ${'x'.repeat(3 << 20)}\n${UNRELATED}`;
    files['pkgs/p102/large-with-needle.nix'] = `# ${'x'.repeat(3 << 20)}\n${PKG}`;
    const dir = tree(files);
    writeFileSync(join(dir, 'pkgs/p103/latin1.nix'), Buffer.from('# caf\xe9\n{ x = 1; }\n', 'latin1'));
    const strip = (out: string) => {
      const doc = JSON.parse(out);
      delete doc.summary.elapsedMs;
      delete doc.summary.workers;
      return doc;
    };
    const threaded = cli([...T, '--json', '--cpus', '2', '--max-file-size', '2', '.'], { cwd: dir });
    const inBand = cli([...T, '--json', '--run-in-band', '--max-file-size', '2', '.'], { cwd: dir });
    expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
    const doc = strip(threaded.stdout);
    expect(doc.summary).toMatchObject({ files: 304, ok: 100, error: 0 });
    const byPath = new Map(doc.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath.get('pkgs/p101/large.nix')).toMatchObject({ status: 'skip', error: expect.stringContaining('over the size limit of 2.0 MiB') });
    expect(byPath.get('pkgs/p102/large-with-needle.nix')).toMatchObject({ status: 'skip', error: expect.stringContaining('over the size limit of 2.0 MiB') });
    expect(byPath.get('pkgs/p100/empty.nix')).toMatchObject({ status: 'skip', error: null });
    expect(byPath.get('pkgs/p103/latin1.nix')).toMatchObject({ status: 'skip', error: null });
  });
});

describe('transform options and user transforms', () => {
  it('passes -o options (all transforms or one) to a user .mjs and .ts transform', () => {
    const dir = tree({
      'opt.mjs': "export default { name: 'opt', needles: [], transform(f, api, o) { api.edit.replace({ startIndex: 0, endIndex: f.source.length }, JSON.stringify(JSON.stringify(o))); } };\n",
      'typed.ts': "const t: { name: string; transform: (f: { source: string }, api: any) => void } = { name: 'typed', transform(f, api) { api.edit.insertAt(f.source.length, ' + 1'); } };\nexport default t;\n",
      'a.nix': '1',
    });
    const r = cli(['run', '-t', './opt.mjs', '-o', 'mode=fast', '-o', 'opt:flag', '-o', 'n=false', '--json', 'a.nix'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0].diff).toContain(`+${JSON.stringify(JSON.stringify({ mode: 'fast', flag: true, n: false }))}`);
    const t = cli(['run', '-t', './typed.ts', '--json', 'a.nix'], { cwd: dir });
    expect(JSON.parse(t.stdout).files[0].diff).toContain('+1 + 1');
  });

  it('explains why a module is not a transform', () => {
    const dir = tree({ 'nope.mjs': 'export const x = 1;\n' });
    const r = cli(['run', '-t', './nope.mjs'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a nixshift transform: `name` \(string\) is missing; `transform` \(function\) is missing/);
  });
  it("reports what a user transform's report extension measures, in both report formats; a throwing extension is the file's error", () => {
    const ext = [
      'const lines = {',
      "  id: 'lines',",
      "  measure(a, b) { if (b.includes('THROW')) throw new Error('no count'); return { before: a.split('\\n').length, after: b.split('\\n').length }; },",
      "  markdown(files) { return files.length ? ['## Lines', '', ...files.map((f) => `- ${f.path}: ${f.data.before} → ${f.data.after}`), ''] : []; },",
      "  html(files) { return { style: '.lines { color: red; }', section: `<section id=\"lines\">${files.length} measured</section>`, files: Object.fromEntries(files.map((f) => [f.path, `<p class=\"lines\">${f.data.after} lines</p>`])) }; },",
      '};',
      "export default { name: 'grow', needles: ['GROW'], reportExtensions: [lines], transform(f, api) { api.edit.insertAt(f.source.length, f.source.includes('BAD') ? '# THROW\\n' : '# grown\\n'); } };",
      '',
    ].join('\n');
    const dir = tree({ 'grow.mjs': ext, 'a.nix': '1 # GROW\n', 'b.nix': '2 # GROW BAD\n', 'c.nix': '3\n' });
    const r = cli(['run', '-t', './grow.mjs', '--report', 'r.md', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("b.nix: error: report extension `lines` threw: no count; file left unchanged");
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toContain('\n## Lines\n\n- a.nix: 2 → 3\n\n## Findings\n');
    const h = cli(['run', '-t', './grow.mjs', '--report', 'r.html', 'a.nix'], { cwd: dir });
    expect(h.status).toBe(0);
    const page = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(page).toContain('<section id="lines">1 measured</section>');
    expect(page).toContain('.lines { color: red; }</style>');
    expect(page).toContain('<script type="application/json" id="nixshift-blocks">["\\u003cp class=\\"lines\\">3 lines\\u003c/p>"]</script>');
    // without --report nothing is measured: the throwing extension never runs
    expect(cli(['run', '-t', './grow.mjs', 'b.nix'], { cwd: dir }).status).toBe(0);
  });

  it('refuses a report extension without its functions', () => {
    const dir = tree({ 'half.mjs': "export default { name: 'half', reportExtensions: [{ id: 'x' }], transform() {} };\n" });
    const r = cli(['run', '-t', './half.mjs', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a nixshift transform: `reportExtensions` must be an array of { id, measure, markdown, html }');
  });
});

describe('list / explain / version', () => {
  it('lists built-in transforms and explains one', () => {
    const dir = tree({});
    const list = cli(['list'], { cwd: dir });
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n').map((l) => l.split(/\s{2,}/)[0])).toEqual(['cudatoolkit-to-redist', 'driver-runpath-rename', 'symlinkjoin-to-propagated', '']);
    expect(list.stdout).toMatch(/^driver-runpath-rename {6}addOpenGLRunpath → addDriverRunpath/m);
    const ex = cli(['explain', 'driver-runpath-rename'], { cwd: dir });
    expect(ex.status).toBe(0);
    expect(ex.stdout).toContain('## Example');
    expect(ex.stdout).toContain('`driver-runpath-rename/unresolved-name` (warning)');
    expect(ex.stdout).toContain('Needles (prefilter): `addOpenGLRunpath`, `autoAddOpenGLRunpathHook`');
    const v = cli(['--version'], { cwd: dir });
    expect(v.stdout).toBe(`${JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version}\n`);
  });
});

describe('atomic writes', () => {
  it('keeps a read-only file intact under --write and reports it', () => {
    const dir = tree({ 'ro.nix': PKG });
    chmodSync(join(dir, 'ro.nix'), 0o444);
    const r = cli([...T, '--write', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ro.nix: error: cannot write: the file is read-only; the original file is unchanged');
    expect(readFileSync(join(dir, 'ro.nix'), 'utf8')).toBe(PKG);
    expect(statSync(join(dir, 'ro.nix')).mode & 0o777).toBe(0o444);
  });
});

describe('encodings', () => {
  it('keeps a BOM and CRLF, refuses invalid UTF-8 and binary files without touching them', () => {
    const dir = tree({ 'bom.nix': `\uFEFF${PKG.replace(/\n/g, '\r\n')}` });
    writeFileSync(join(dir, 'latin1.nix'), Buffer.from('{ addOpenGLRunpath }: "caf\xe9"', 'latin1'));
    writeFileSync(join(dir, 'binary.nix'), Buffer.concat([Buffer.from('addOpenGLRunpath'), Buffer.from([0x7b, 0x00, 0x01, 0x7d])]));
    // Without any needle a file is not even decoded (the prefilter works on bytes): a skip.
    writeFileSync(join(dir, 'other-binary.nix'), Buffer.from([0x7b, 0x00, 0xff, 0x7d]));
    const before = snapshot(dir);
    const r = cli([...T, '--write', '--json', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout) as { files: { path: string; status: string; error: string | null }[] };
    expect(doc.files.map((f) => [f.path, f.status])).toEqual([
      ['binary.nix', 'error'],
      ['bom.nix', 'ok'],
      ['latin1.nix', 'error'],
      ['other-binary.nix', 'skip'],
    ]);
    const r2 = cli([...T, '.'], { cwd: dir });
    expect(readFileSync(join(dir, 'bom.nix'), 'utf8')).toBe(`\uFEFF${PKG_OUT.replace(/\n/g, '\r\n')}`);
    expect(r2.stderr).toContain('latin1.nix: error: not valid UTF-8; nixshift does not re-encode files');
    expect(r2.stderr).toContain('binary.nix: error: binary file (contains a NUL byte); not a Nix expression');
    const after = snapshot(dir);
    expect(after['other-binary.nix']).toEqual(before['other-binary.nix']);
    expect(after['latin1.nix']).toEqual(before['latin1.nix']);
    expect(after['binary.nix']).toEqual(before['binary.nix']);
  });
});
