/**
 * Large files near the root are started first (src/runner/early.ts): the file the walk would
 * reach last (nixpkgs' all-packages.nix) does not run alone at the end. What is done early is
 * only used when the walk reaches the file with the same job; output is as without it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLY_BASE, EARLY_MIN_BYTES, EarlyJobs, findEarlyFiles } from '../../src/runner/early.js';
import type { FileJob } from '../../src/runner/intake.js';
import { BIN, cli, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();

/** `n` bytes of Nix with a marker in it (the marker replaced by `as`). */
const big = (n: number, as = 'MARKER'): string => {
  const head = '{ x = "MARKER"; y = "';
  return `${head.replace('MARKER', as)}${'p'.repeat(n - head.length - 5)}"; }\n`;
};

describe('findEarlyFiles', () => {
  it('finds the large .nix files at most three deep, largest first, with the paths the walk gives them', () => {
    const dir = tree({
      'a.nix': big(EARLY_MIN_BYTES),
      'small.nix': big(EARLY_MIN_BYTES - 1),
      'pkgs/top-level/all-packages.nix': big(EARLY_MIN_BYTES + 1000),
      'pkgs/top-level/deeper/too-deep.nix': big(EARLY_MIN_BYTES + 5000),
      'pkgs/top-level/notes.txt': big(EARLY_MIN_BYTES + 9000),
      '.git/x/big.nix': big(EARLY_MIN_BYTES + 9000),
    });
    symlinkSync(join(dir, 'a.nix'), join(dir, 'link.nix'));
    expect(findEarlyFiles('.', dir, 4 << 20)).toEqual([
      { index: EARLY_BASE, absolute: join(dir, 'pkgs/top-level/all-packages.nix'), display: 'pkgs/top-level/all-packages.nix', walked: true },
      { index: EARLY_BASE + 1, absolute: join(dir, 'a.nix'), display: 'a.nix', walked: true },
    ]);
    // Depth counts from the folder given; display paths from the current folder.
    expect(findEarlyFiles('pkgs', dir, 4 << 20).map((j) => j.display)).toEqual(['pkgs/top-level/deeper/too-deep.nix', 'pkgs/top-level/all-packages.nix']);
    // Over the size limit: read by nobody, skipped the ordinary way.
    expect(findEarlyFiles('.', dir, EARLY_MIN_BYTES + 500).map((j) => j.display)).toEqual(['a.nix']);
    // A file given, not a folder: nothing.
    expect(findEarlyFiles('a.nix', dir, 4 << 20)).toEqual([]);
  });

  it('looks at no more than 4,096 entries', () => {
    const files: Record<string, string> = { 'z/late.nix': big(EARLY_MIN_BYTES) };
    for (let i = 0; i < 4100; i++) files[`a/f${i}.nix`] = '{ }\n';
    const dir = tree(files);
    expect(findEarlyFiles('.', dir, 4 << 20)).toEqual([]); // z/ is reached after the budget
    expect(findEarlyFiles('z', dir, 4 << 20).map((j) => j.display)).toEqual(['z/late.nix']);
  });

  it('takes at most eight', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`f${i}.nix`] = big(EARLY_MIN_BYTES + i);
    expect(findEarlyFiles('.', tree(files), 4 << 20).map((j) => j.display)).toEqual(['f9.nix', 'f8.nix', 'f7.nix', 'f6.nix', 'f5.nix', 'f4.nix', 'f3.nix', 'f2.nix']);
  });
});

describe('EarlyJobs', () => {
  const job = (index: number, display: string, extra: Partial<FileJob> = {}): FileJob => ({ index, absolute: `/w/${display}`, display, walked: true, ...extra });

  it('gives a result the index of the walk, whichever comes first', () => {
    const e = new EarlyJobs<string>([job(EARLY_BASE, 'a.nix'), job(EARLY_BASE + 1, 'b.nix')]);
    const got: [string, number][] = [];
    e.deliver = (r, i) => got.push([r, i]);
    e.active = true;
    expect(e.next(false)?.display).toBe('a.nix');
    expect(e.next(false)?.display).toBe('b.nix');
    expect(e.next(false)).toBeUndefined();
    e.result(EARLY_BASE, 'result of a'); // before the walk reaches a.nix
    expect(got).toEqual([]);
    expect(e.claim(job(7, 'a.nix'))).toBe(true);
    expect(got).toEqual([['result of a', 7]]);
    expect(e.claim(job(9, 'b.nix'))).toBe(true); // before its result
    expect(e.claimed(EARLY_BASE + 1)).toBe(true);
    e.result(EARLY_BASE + 1, 'result of b');
    expect(got).toEqual([['result of a', 7], ['result of b', 9]]);
    expect(e.claim(job(10, 'c.nix'))).toBe(false); // not an early file
  });

  it('drops what the walk reaches with options of its own, reaches before the run is threaded, or never reaches', () => {
    const e = new EarlyJobs<string>([job(EARLY_BASE, 'a.nix'), job(EARLY_BASE + 1, 'b.nix'), job(EARLY_BASE + 2, 'c.nix')]);
    const got: [string, number][] = [];
    e.deliver = (r, i) => got.push([r, i]);
    expect(e.claim(job(1, 'a.nix'))).toBe(false); // not active yet: in band, or threads not started
    e.active = true;
    expect(e.claim(job(2, 'b.nix', { overrides: { t: { x: 'y' } } }))).toBe(false);
    expect(e.next(false)?.display).toBe('c.nix'); // the dropped ones are not sent
    e.walkOver(); // c.nix was never reached (ignored)
    e.result(EARLY_BASE + 2, 'result of c');
    expect(e.claimed(EARLY_BASE + 2)).toBe(false);
    expect(got).toEqual([]);
    // After the walk, only claimed jobs are sent.
    const f = new EarlyJobs<string>([job(EARLY_BASE, 'a.nix'), job(EARLY_BASE + 1, 'b.nix')]);
    f.active = true;
    f.claim(job(3, 'b.nix'));
    expect(f.unsentClaims().map((j) => j.index)).toEqual([3]);
    expect(f.next(true)?.display).toBe('b.nix');
    expect(f.next(true)).toBeUndefined();
  });
});

describe('a run with a large file near the root', () => {
  // A user transform that notes each file it is called on (and on which thread), and turns
  // `MARKER` into its option `to` (default `DONE`).
  const ORDER = [
    "import { appendFileSync } from 'node:fs';",
    "import { threadId } from 'node:worker_threads';",
    'export default { name: \'order\', needles: [\'MARKER\'], transform(f, api, o) { appendFileSync(process.env.ORDER_FILE, `${threadId} ${f.path}\\n`); if (f.path === process.env.FAIL_ON) { if (process.env.HOW === \'exit\') process.exit(3); const t = Date.now(); while (process.env.HOW !== \'sleep\' || Date.now() - t < 1500); } for (const m of f.source.matchAll(/MARKER/g)) api.edit.replace({ startIndex: m.index, endIndex: m.index + 6 }, String(o.to ?? \'DONE\')); } };',
    '',
  ].join('\n');
  const make = (extra: Record<string, string> = {}): string => {
    // A larger file too deep to be started early, last in path order: without early jobs, the
    // large `top/all.nix` is never processed first (path order, or largest first at the end).
    const files: Record<string, string> = { 'order.mjs': ORDER, 'top/all.nix': big(EARLY_MIN_BYTES + 100), 'zz/a/b/c/deep.nix': big(2 * EARLY_MIN_BYTES), ...extra };
    for (let i = 0; i < 300; i++) files[`pkgs/p${String(i).padStart(3, '0')}/default.nix`] = i % 30 === 0 ? `{ x = "MARKER ${i}"; }\n` : `{ x = ${i}; }\n`;
    return tree(files);
  };
  const strip = (out: string) => {
    const doc = JSON.parse(out);
    delete doc.summary.elapsedMs;
    delete doc.summary.workers;
    return doc;
  };
  const lines = (dir: string): [string, string][] =>
    readFileSync(join(dir, 'calls'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]);
  const calls = (dir: string): string[] => lines(dir).map(([, path]) => path);
  /** The files the thread that processed `path` was called on, in order. */
  const threadOf = (dir: string, path: string): string[] => {
    const thread = lines(dir).find(([, p]) => p === path)?.[0];
    return lines(dir)
      .filter(([t]) => t === thread)
      .map(([, p]) => p);
  };

  it('starts it first, processes it once, and prints its result in path order, as in band', () => {
    const dir = make();
    const env = { ORDER_FILE: join(dir, 'calls') };
    const threaded = cli(['run', '-t', './order.mjs', '--json', '--cpus', '2', '.'], { cwd: dir, env });
    expect(threaded.status).toBe(0);
    const order = calls(dir);
    expect(threadOf(dir, 'top/all.nix')[0]).toBe('top/all.nix'); // last in path order, first processed
    expect(order.filter((p) => p === 'top/all.nix')).toHaveLength(1);
    expect(order).toHaveLength(12);
    const doc = strip(threaded.stdout);
    expect(doc.files.at(-2)).toMatchObject({ path: 'top/all.nix', status: 'ok' });
    expect(doc.summary).toMatchObject({ files: 302, ok: 12, skip: 290 });
    writeFileSync(join(dir, 'calls'), '');
    const inBand = cli(['run', '-t', './order.mjs', '--json', '--run-in-band', '.'], { cwd: dir, env });
    expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
    expect(calls(dir).slice(-2)).toEqual(['top/all.nix', 'zz/a/b/c/deep.nix']); // in band: path order
  });

  it('does not start it early when files are written', () => {
    const dir = make();
    const env = { ORDER_FILE: join(dir, 'calls') };
    const w = cli(['run', '-t', './order.mjs', '--write', '--cpus', '2', '.'], { cwd: dir, env });
    expect(w.status).toBe(0);
    expect(threadOf(dir, 'top/all.nix')[0]).not.toBe('top/all.nix');
    expect(calls(dir).filter((p) => p === 'top/all.nix')).toHaveLength(1);
    expect(readFileSync(join(dir, 'top/all.nix'), 'utf8')).toBe(big(EARLY_MIN_BYTES + 100, 'DONE'));
  });

  it('leaves it out when it is ignored, and uses its per-file options, as in band', () => {
    for (const [extra, args] of [
      [{}, ['--ignore-pattern', 'top/']],
      [{ '.gitignore': 'top/\n' }, []],
      [{ 'nixshift.config.json': JSON.stringify({ overrides: [{ files: ['top/'], options: { order: { to: 'OVERRIDDEN' } } }] }) }, []],
    ] as [Record<string, string>, string[]][]) {
      const dir = make(extra);
      mkdirSync(join(dir, '.git'));
      const env = { ORDER_FILE: join(dir, 'calls') };
      const threaded = cli(['run', '-t', './order.mjs', '--json', '--cpus', '2', ...args, '.'], { cwd: dir, env });
      expect(threaded.status).toBe(0);
      const inBand = cli(['run', '-t', './order.mjs', '--json', '--run-in-band', ...args, '.'], { cwd: dir, env });
      expect(strip(threaded.stdout)).toEqual(strip(inBand.stdout));
      const doc = strip(threaded.stdout);
      if (args.length > 0 || extra['.gitignore']) {
        expect(doc.summary.files).toBe(301);
        expect(doc.files.some((f: { path: string }) => f.path.startsWith('top/'))).toBe(false);
      } else {
        expect(doc.files.at(-2).diff).toContain('+{ x = "OVERRIDDEN";');
      }
    }
  });

  it('gives the error of the file when its thread dies on it, or it runs over the time limit, in its place', () => {
    for (const [how, args, error] of [
      ['exit', [], /^worker thread exited \(code 3\) while processing this file .*; file left unchanged$/],
      ['loop', ['--timeout', '1'], /^not finished after the time limit of 1 s .*; file left unchanged/],
    ] as [string, string[], RegExp][]) {
      const dir = make();
      const env = { ORDER_FILE: join(dir, 'calls'), FAIL_ON: 'top/all.nix', HOW: how };
      const r = cli(['run', '-t', './order.mjs', '--json', '--cpus', '2', ...args, '.'], { cwd: dir, env });
      expect(r.status, r.stderr).toBe(2);
      const doc = strip(r.stdout);
      expect(threadOf(dir, 'top/all.nix')[0]).toBe('top/all.nix');
      expect(doc.summary).toMatchObject({ files: 302, ok: 11, skip: 290, error: 1 });
      expect(doc.files.at(-2).path).toBe('top/all.nix');
      expect(doc.files.at(-2).error).toMatch(error);
    }
  }, 60_000);

  it('an interrupt while it runs: its result is kept, and every file is accounted for', async () => {
    const dir = make();
    const calls = join(dir, 'calls');
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'run', '-t', './order.mjs', '--json', '--cpus', '2', '.'], {
        cwd: dir,
        env: { ...process.env, ORDER_FILE: calls, FAIL_ON: 'top/all.nix', HOW: 'sleep' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let stdout = '';
      // SIGINT once the slow file has started.
      const poll = setInterval(() => {
        if (!existsSync(calls) || !readFileSync(calls, 'utf8').includes('top/all.nix')) return;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 20);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code, stdout });
      });
    });
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.stdout);
    const { files, ok, nochange, skip, error } = doc.summary;
    expect(ok + nochange + skip + error + doc.interrupted.notProcessed).toBe(files);
    const big = doc.files.find((f: { path: string }) => f.path === 'top/all.nix');
    if (big) expect(big.status).toBe('ok'); // the walk had reached it: the result of the early job
  }, 60_000);
});
