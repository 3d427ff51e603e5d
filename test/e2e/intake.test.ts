/** Reading and the prefilter (intake.ts), and how batches of jobs travel to worker threads. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FileJob, intake, packJobs, Prefilter, unpackJobs } from '../../src/runner/intake.js';
import { run } from '../../src/runner/run.js';
import { useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();

describe('packJobs / unpackJobs', () => {
  it('packs walked files without options as one string, and gives back the same jobs', () => {
    const jobs: FileJob[] = [
      { index: 7, absolute: '/w/pkgs/a/default.nix', display: 'pkgs/a/default.nix', walked: true },
      { index: 8, absolute: '/w/pkgs/b c/ü.nix', display: 'pkgs/b c/ü.nix', walked: true },
      { index: 9, absolute: '/w/x.nix', display: '/w/x.nix', walked: true },
    ];
    const packed = packJobs(jobs);
    expect('paths' in packed).toBe(true);
    expect(structuredClone(unpackJobs(structuredClone(packed)))).toEqual(jobs);
  });

  it('sends jobs as they are when one of them is not plain', () => {
    const plain: FileJob = { index: 1, absolute: '/w/a.nix', display: 'a.nix', walked: true };
    for (const odd of [
      { index: 2, absolute: '/w/b.nix', display: 'b.nix' },
      { index: 2, absolute: '/w/b.nix', display: 'b.nix', walked: true, overrides: { t: { x: 'y' } } },
      { index: 2, absolute: '/w/b.nix', display: 'b.nix', walked: true, real: '/elsewhere/b.nix' },
      { index: 2, absolute: '/w/b.nix', display: 'b.nix', walked: true, writeRefusal: 'no' },
      { index: 2, absolute: '/w/b.nix', display: '../w/b.nix', walked: true },
    ] satisfies FileJob[]) {
      const packed = packJobs([plain, odd]);
      expect('jobs' in packed).toBe(true);
      expect(unpackJobs(structuredClone(packed))).toEqual([plain, odd]);
    }
  });
});

describe('intake', () => {
  const job = (absolute: string, walked: boolean): FileJob => ({ index: 0, absolute, display: 'f.nix', walked });

  it('reads walked files of any size whole, and tests the needles on their bytes', () => {
    const dir = tree({});
    const needles = new Prefilter(['MARK']);
    for (const size of [0, 10, (1 << 17) - 1, 1 << 17, (1 << 17) + 1, 5 << 17]) {
      const text = `# ${'x'.repeat(Math.max(0, size - 7))}MARK\n`; // `size` bytes (size 0: an empty file)
      const path = join(dir, `s${size}.nix`);
      writeFileSync(path, size === 0 ? '' : text);
      for (const walked of [true, false]) {
        const r = intake(job(path, walked), needles, {});
        if (size === 0) expect(r).toMatchObject({ status: 'skip', bytes: 0 });
        else {
          expect('candidate' in r).toBe(true);
          if ('candidate' in r) expect(r.candidate.toString('utf8')).toBe(text);
        }
      }
    }
  });

  it('applies the size limit on walked files too, with the size read', () => {
    const dir = tree({ 'a.nix': 'x'.repeat(5000), 'b.nix': 'y'.repeat(300_000) });
    expect(intake(job(join(dir, 'a.nix'), true), undefined, { maxBytes: 4000 })).toMatchObject({ status: 'skip', bytes: 5000 });
    expect(intake(job(join(dir, 'b.nix'), true), undefined, { maxBytes: 200_000 })).toMatchObject({ status: 'skip', bytes: 300_000 });
    expect('candidate' in intake(job(join(dir, 'b.nix'), true), undefined, { maxBytes: 300_000 })).toBe(true);
  });

  it('checks the type of a file named on the command line before reading it', () => {
    const dir = tree({});
    mkdirSync(join(dir, 'd.nix'));
    const fifo = join(dir, 'p.nix');
    execFileSync('mkfifo', [fifo]);
    expect(intake(job(fifo, false), undefined, {})).toMatchObject({ status: 'error', error: 'not a regular file (a FIFO, device or socket); not read' });
    expect(intake(job(join(dir, 'd.nix'), false), undefined, {})).toMatchObject({ status: 'error', error: 'cannot read: is a directory' });
    expect(intake(job(join(dir, 'd.nix'), true), undefined, {})).toMatchObject({ status: 'error', error: 'cannot read: is a directory' });
  });
});

describe('Prefilter: the native fast path and the ordinary way agree', () => {
  const job = (absolute: string, walked = true): FileJob => ({ index: 3, absolute, display: 'f.nix', walked });
  /** The same needles, without the native scanner. */
  class Plain extends Prefilter {
    override quickSkip(): number {
      return -1;
    }
  }
  const big = 1 << 17; // the scanner's first buffer
  const files: Record<string, string> = {
    'empty.nix': '',
    'plain.nix': '{ lib }: lib.id\n',
    'first.nix': 'MARK at the start\n',
    'last.nix': `${'x'.repeat(big + 100)}MARK`,
    'across.nix': `${'x'.repeat(big - 2)}MARK${'y'.repeat(10)}`,
    'large-plain.nix': 'z'.repeat(3 * big + 5),
    'utf8.nix': '# naïve ü-needle here\n',
    'utf8-near.nix': '# naive u-needle here\n',
  };
  const binary: Record<string, Buffer> = {
    'binary.nix': Buffer.from([0x7b, 0x00, 0x7d, 0xff, 0x0a]),
    'latin1.nix': Buffer.from('caf\xe9 MARK\n', 'latin1'),
  };
  const make = (): string => {
    const dir = tree(files);
    for (const [name, bytes] of Object.entries(binary)) writeFileSync(join(dir, name), bytes);
    return dir;
  };
  /** A result with the bytes of a candidate as a digest (deep equality of large buffers is slow). */
  const digest = (r: ReturnType<typeof intake>): unknown => ('candidate' in r ? { candidate: createHash('sha256').update(r.candidate).digest('hex') } : r);

  it('gives the same result for every file, limit and needle set', () => {
    const dir = make();
    mkdirSync(join(dir, 'folder.nix'));
    const names = [...Object.keys(files), ...Object.keys(binary), 'folder.nix', 'gone.nix'];
    for (const needles of [['MARK'], ['ü-needle', 'MARK'], ['nothing-here'], ['']]) {
      const fast = new Prefilter(needles);
      const slow = new Plain(needles);
      for (const maxBytes of [undefined, 1000, big, 3 * big + 5]) {
        for (const name of names) {
          for (const walked of [true, false]) {
            const a = digest(intake(job(join(dir, name), walked), fast, { maxBytes }));
            const b = digest(intake(job(join(dir, name), walked), slow, { maxBytes }));
            expect(a, `${name} ${JSON.stringify(needles)} ${maxBytes} ${walked}`).toEqual(b);
          }
        }
      }
    }
  });

  it('answers plain skips natively (their size), and -1 for everything else', () => {
    const dir = make();
    const p = new Prefilter(['MARK', 'ü-needle']);
    const other = new Prefilter(['lib.id']);
    const size = (name: string, pf = p, limit = 1 << 22, walked = true): number => pf.quickSkip(job(join(dir, name), walked), limit);
    expect(size('plain.nix')).toBe(16);
    expect(size('empty.nix')).toBe(0);
    expect(size('large-plain.nix')).toBe(3 * big + 5);
    expect(size('utf8-near.nix')).toBe(Buffer.byteLength(files['utf8-near.nix'] as string));
    expect(size('binary.nix')).toBe(5); // a plain skip whatever its bytes: only candidates are decoded
    for (const name of ['first.nix', 'last.nix', 'across.nix', 'utf8.nix', 'latin1.nix', 'gone.nix']) expect(size(name), name).toBe(-1);
    expect(size('large-plain.nix', p, 3 * big + 4)).toBe(-1); // over the limit: the ordinary way says why
    expect(size('plain.nix', p, 1 << 22, false)).toBe(-1); // named on the command line: its type is checked first
    // Two needle sets used in turn on one thread.
    expect(size('plain.nix', other)).toBe(-1);
    expect(size('plain.nix', p)).toBe(16);
    expect(size('first.nix', other)).toBe(18);
    // A path with a NUL byte names no file (C would read the path up to the NUL).
    expect(p.quickSkip(job(`${join(dir, 'plain.nix')}\0.nix`), 1 << 22)).toBe(-1);
  });

  it('scans a packed batch in one native call as quickSkip scans each file', () => {
    const dir = make();
    mkdirSync(join(dir, 'folder.nix'));
    const names = [...Object.keys(files), ...Object.keys(binary), 'folder.nix', 'gone.nix', 'plain.nix'];
    const jobs = names.map((name, i) => ({ index: 100 + i, absolute: join(dir, name), display: name, walked: true }));
    const packed = packJobs(jobs);
    if (!('paths' in packed)) throw new Error('expected a packed batch');
    for (const needles of [['MARK'], ['ü-needle', 'MARK'], ['nothing-here']]) {
      const p = new Prefilter(needles);
      for (const limit of [1000, big, 3 * big + 5, 1 << 22]) {
        const sizes = p.scanBatch(packed, limit, undefined, 0, undefined);
        expect([...sizes!], `${JSON.stringify(needles)} ${limit}`).toEqual(jobs.map((j) => p.quickSkip(j, limit)));
      }
    }
  });

  it('keeps the thread\'s control while it scans a batch, and stops when the run is aborted', () => {
    const dir = make();
    const jobs = ['plain.nix', 'first.nix', 'empty.nix'].map((name, i) => ({ index: 7 + i, absolute: join(dir, name), display: name, walked: true }));
    const packed = packJobs(jobs);
    if (!('paths' in packed)) throw new Error('expected a packed batch');
    const p = new Prefilter(['MARK']);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const abort = new Int32Array(new SharedArrayBuffer(4));
    control[0] = 99;
    const epoch = Date.now() - 5000;
    expect([...p.scanBatch(packed, 1 << 22, control, epoch, abort)!]).toEqual([16, -1, 0]);
    // Done: on no file; the start of the last file read, in ms since the epoch.
    expect(control[0]).toBe(-1);
    expect(control[1]).toBeGreaterThanOrEqual(5000);
    expect(control[1]).toBeLessThan(5000 + 60_000);
    Atomics.store(abort, 0, 1);
    expect([...p.scanBatch(packed, 1 << 22, control, epoch, abort)!]).toEqual([]);
  });
});

describe('in band', () => {
  it('processes files while the walk goes on, in path order, with the results of threads', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`pkgs/p${String(i).padStart(3, '0')}/default.nix`] = i % 40 === 0 ? '{ addOpenGLRunpath }: addOpenGLRunpath\n' : '{ }: 1\n';
    const dir = tree(files);
    const events: string[] = [];
    const r = await run({
      transforms: [{ spec: 'driver-runpath-rename', options: {} }],
      paths: [dir],
      cwd: dir,
      runInBand: true,
      onStart: (n) => events.push(`start ${n}`),
      onResult: (res) => events.push(`${res.index} ${res.status}`),
    });
    expect(r.summary).toMatchObject({ files: 400, workers: 0 });
    expect(r.summary.counts).toMatchObject({ ok: 10, skip: 390 });
    // The first results came before the walk was over (it was "start 400").
    expect(events.indexOf('start 400')).toBeGreaterThan(0);
    expect(events[0]).toBe('0 ok');
    expect(events.filter((e) => !e.startsWith('start')).map((e) => Number(e.split(' ')[0]))).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });
});
