/**
 * The worker pool (src/runner/pool.ts), driven directly through `runThreaded` (the module's entry
 * point: `WorkerPool` and `OrderedHandOver` are not exported): ordered hand-over, scheduling, a
 * lost worker, the time limit, interrupts.
 *
 * The pool starts `worker.js` beside its own module, so it is imported from the build (dist/,
 * `npm run build`), as the CLI tests use it; under vitest the source has no worker.js. Types come
 * from the sources. The test transform is a small `.mjs` module written into each temp tree: it
 * logs every file it starts and reports the thread it ran on (as a finding), and misbehaves on
 * marked files (`MARK exit`, `MARK loop`, …). No assertion depends on timing: threads wait for
 * files the test or a transform writes (bounded, so that a broken pool fails the test instead of
 * hanging); the one time limit (1 s) only has to catch an endless loop.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLY_BASE, EarlyJobs } from '../../../dist/src/runner/early.js';
import { Interrupt } from '../../../dist/src/runner/interrupt.js';
import { PendingSkip, runThreaded } from '../../../dist/src/runner/pool.js';
import { JobQueue } from '../../../dist/src/runner/queue.js';
import type { FileJob, FileResult } from '../../../src/runner/job.js';
import type { WorkerInit } from '../../../src/runner/worker.js';
import { useTempTrees } from '../../helpers/tree.js';

const tree = useTempTrees();

/**
 * The test transform. Every file: log `start <path> <thread>` (and `end <path>` when done),
 * rewrite the first MARK to DONE (status `ok`), report the thread id. Marked files:
 * - `MARK exit`: process.exit(3) in its thread;
 * - `MARK crash`: an uncaught exception in its thread while the file is in progress;
 * - `MARK loop`: an endless loop;
 * - `MARK hold`: write `held`, then wait for a file `release`;
 * - `MARK after-another`: wait until another file has ended;
 * - `MARK gate`: wait until two threads have started a gated file;
 * - `MARK linger`: wait until another thread has started a file, at most 300 ms.
 * The waits of a thread give up 5 s after it loaded the transform (the test then fails on its
 * assertions instead of hanging).
 */
const TRANSFORM = `
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
const dir = dirname(fileURLToPath(import.meta.url));
const log = join(dir, 'log');
const nap = new Int32Array(new SharedArrayBuffer(4));
// One deadline for every wait of this thread (5 s after it loaded the transform).
const deadline = Date.now() + 5000;
const until = (ready) => {
  while (!ready() && Date.now() < deadline) Atomics.wait(nap, 0, 0, 5);
};
export default {
  name: 'pool-test',
  needles: ['MARK'],
  transform(file, api) {
    const s = file.source;
    appendFileSync(log, 'start ' + file.path + ' ' + threadId + '\\n');
    if (s.includes('MARK exit')) process.exit(3);
    if (s.includes('MARK crash')) return new Promise(() => setTimeout(() => { throw new Error('boom'); }, 0));
    if (s.includes('MARK loop')) for (;;) {}
    if (s.includes('MARK hold')) {
      writeFileSync(join(dir, 'held'), '');
      until(() => existsSync(join(dir, 'release')));
    }
    if (s.includes('MARK after-another')) until(() => readFileSync(log, 'utf8').includes('end '));
    if (s.includes('MARK linger')) {
      const end = Date.now() + 300;
      while (Date.now() < end && !readFileSync(log, 'utf8').split('\\n').some((l) => l.startsWith('start ') && !l.endsWith(' ' + threadId))) Atomics.wait(nap, 0, 0, 5);
    }
    if (s.includes('MARK gate')) {
      writeFileSync(join(dir, 'gate-' + threadId), '');
      until(() => readdirSync(dir).filter((f) => f.startsWith('gate-')).length >= 2);
    }
    const at = s.indexOf('MARK');
    api.edit.replace({ startIndex: at, endIndex: at + 4 }, 'DONE');
    api.report(0, { rule: 'thread', message: String(threadId), severity: 'info' });
    appendFileSync(log, 'end ' + file.path + '\\n');
  },
};
`;

const name = (i: number): string => `f${String(i).padStart(2, '0')}.nix`;
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** A tree with the transform and `n` files, `{ x = i; } # MARK`, some with a marker (by index). */
function setup(n: number, marks: Record<number, string> = {}, plain: number[] = []): { dir: string; jobs: FileJob[] } {
  const files: Record<string, string> = { 't.mjs': TRANSFORM };
  for (let i = 0; i < n; i++) files[name(i)] = plain.includes(i) ? `{ y = ${i}; }\n` : `{ x = ${i}; } # MARK${marks[i] ? ` ${marks[i]}` : ''}\n`;
  const dir = tree(files);
  return { dir, jobs: range(0, n).map((i) => ({ index: i, absolute: join(dir, name(i)), display: name(i), walked: true })) };
}

function init(dir: string, needles?: string[], write = false): WorkerInit {
  return { transforms: [{ file: join(dir, 't.mjs'), options: {} }], job: { write, prefilter: true, diff: false, maxBytes: 0 }, ...(needles ? { needles } : {}) };
}

function endedQueue(jobs: FileJob[]): JobQueue {
  const q = new JobQueue();
  for (const j of jobs) q.push(j);
  q.end();
  return q;
}

interface Run {
  results: FileResult[];
  notProcessed: number;
}

/**
 * Run the pool over `queue` with `count` threads; the results in the order they were handed over
 * (into `o.results` as they come, when given).
 */
async function pool(queue: JobQueue, dir: string, count: number, o: { timeLimitMs?: number; interrupt?: Interrupt; needles?: string[]; write?: boolean; results?: FileResult[] } = {}): Promise<Run> {
  const results: FileResult[] = o.results ?? [];
  const notProcessed = await runThreaded(queue, init(dir, o.needles, o.write), count, (r) => results.push(r), { timeLimitMs: o.timeLimitMs ?? 0, interrupt: o.interrupt, early: new EarlyJobs([]) });
  return { results, notProcessed };
}

/** The transform's log: files started (in order, with their thread) and files ended. */
function readLog(dir: string): { started: string[]; threads: Map<string, string[]>; ended: string[] } {
  const lines = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean) : [];
  const started: string[] = [];
  const threads = new Map<string, string[]>();
  const ended: string[] = [];
  for (const l of lines) {
    const [what, path, thread] = l.split(' ') as [string, string, string | undefined];
    if (what === 'start') {
      started.push(path);
      threads.set(path, [...(threads.get(path) ?? []), thread!]);
    } else ended.push(path);
  }
  return { started, threads, ended };
}

/** The thread a result was computed on (reported by the transform). */
const threadOf = (r: FileResult): string => {
  const f = r.findings.find((x) => x.rule === 'pool-test/thread');
  if (!f) throw new Error(`${r.path}: no thread reported (status ${r.status})`);
  return f.message;
};

/** Wait until `ready()` (bounded: a pool that never gets there fails the test). */
async function waitUntil(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ready()) throw new Error(`never: ${what}`);
}

const lost = (i: number, error: string, errorKind = 'worker-lost'): FileResult => ({ index: i, path: name(i), findings: [], written: false, changedBy: [], bytes: 0, status: 'error', errorKind: errorKind as FileResult['errorKind'], error });

describe('OrderedHandOver (through the pool, no thread)', () => {
  // With no thread, the pool's hand-over is reached through the hook early results take
  // (`early.deliver`, set by the pool), and the run ends when the queue does.
  const result = (index: number, path = name(index)): FileResult => ({ index, path, findings: [], written: false, changedBy: ['t'], bytes: 10 + index, status: 'ok' });

  it('releases results in index order whatever order they come in, and gives the ones after a gap at the end', async () => {
    const queue = new JobQueue();
    const early = new EarlyJobs<FileResult | PendingSkip>([]);
    const emitted: number[] = [];
    const out: FileResult[] = [];
    const done = runThreaded(queue, init('/nonexistent'), 0, (r) => (emitted.push(r.index), out.push(r)), { timeLimitMs: 0, interrupt: undefined, early });
    const steps: [number, number[]][] = [];
    const give = (i: number): void => {
      early.deliver(i === 9 ? new PendingSkip('f09.nix', 77) : result(i), i);
      steps.push([i, [...emitted]]);
    };
    for (const i of [3, 9, 1, 0, 6, 2, 4]) give(i);
    expect(steps).toEqual([
      [3, []],
      [9, []],
      [1, []],
      [0, [0, 1]],
      [6, [0, 1]],
      [2, [0, 1, 2, 3]],
      [4, [0, 1, 2, 3, 4]],
    ]);
    // 5, 7 and 8 never come (an interrupted run): 6 and 9 are given when the run ends, in order.
    queue.end();
    expect(await done).toBe(0);
    expect(emitted).toEqual([0, 1, 2, 3, 4, 6, 9]);
    expect(out[6]).toEqual({ index: 9, path: 'f09.nix', findings: [], written: false, changedBy: [], bytes: 77, status: 'skip' });
    expect(out[5]).toEqual(result(6));
  });

  it('keeps an early job’s result until the walk claims its file, then gives it the walk’s index', async () => {
    const queue = new JobQueue();
    const big: FileJob = { index: EARLY_BASE, absolute: '/w/big.nix', display: 'big.nix', walked: true };
    const early = new EarlyJobs<FileResult | PendingSkip>([big]);
    const emitted: FileResult[] = [];
    const done = runThreaded(queue, init('/nonexistent'), 0, (r) => emitted.push(r), { timeLimitMs: 0, interrupt: undefined, early });
    early.deliver(result(0, 'a.nix'), 0);
    early.deliver(result(EARLY_BASE, 'big.nix'), EARLY_BASE); // the early job is done first
    early.deliver(result(2, 'c.nix'), 2);
    expect(emitted.map((r) => r.index)).toEqual([0]);
    // the walk reaches big.nix as its file 1
    expect(early.claim({ ...big, index: 1 })).toBe(true);
    expect(emitted.map((r) => [r.index, r.path])).toEqual([
      [0, 'a.nix'],
      [1, 'big.nix'],
      [2, 'c.nix'],
    ]);
    queue.end();
    expect(await done).toBe(0);
    expect(emitted).toHaveLength(3);
  });
});

describe('WorkerPool: scheduling', () => {
  it('hands results over in index order while a later file finishes first', async () => {
    // f00 waits until some other file has ended: the second thread finishes files before it.
    const { dir, jobs } = setup(16, { 0: 'after-another' });
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 2);
    const log = readLog(dir);
    expect(log.ended[0]).not.toBe('f00.nix');
    expect(log.ended).toContain('f00.nix');
    expect(results.map((r) => r.index)).toEqual(range(0, 16));
    expect(results.map((r) => r.status)).toEqual(Array(16).fill('ok'));
    expect(notProcessed).toBe(0);
  });

  it('processes every job exactly once and uses every thread', async () => {
    // Every file waits until two threads have started one: a pool that left a thread idle stalls here.
    const n = 40;
    const { dir, jobs } = setup(n, Object.fromEntries(range(0, n).map((i) => [i, 'gate'])));
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 2);
    expect(results.map((r) => r.index)).toEqual(range(0, n));
    expect(results.map((r) => `${r.path} ${r.status} ${r.changedBy.join()}`)).toEqual(range(0, n).map((i) => `${name(i)} ok pool-test`));
    expect(readLog(dir).started.sort()).toEqual(range(0, n).map(name));
    expect(new Set(results.map(threadOf)).size).toBe(2);
    expect(notProcessed).toBe(0);
  });

  it('takes jobs pushed while it runs (the walk still going), each once, in order', async () => {
    const n = 100;
    const { dir, jobs } = setup(n);
    const queue = new JobQueue();
    for (const j of jobs.slice(0, 10)) queue.push(j);
    const running = pool(queue, dir, 2);
    // the rest arrives in three steps, one event-loop turn apart, then the walk ends
    for (const [from, to] of [
      [10, 40],
      [40, 45],
      [45, n],
    ] as const) {
      await new Promise((r) => setImmediate(r));
      for (const j of jobs.slice(from, to)) queue.push(j);
    }
    queue.end();
    const { results, notProcessed } = await running;
    expect(results.map((r) => `${r.index} ${r.status}`)).toEqual(range(0, n).map((i) => `${i} ok`));
    expect(readLog(dir).started.sort()).toEqual(range(0, n).map(name));
    expect(notProcessed).toBe(0);
  });

  it('with a prefilter: plain skips come back as skips with their size, one transforming thread does the files with a needle', async () => {
    const n = 40;
    const plain = range(0, n).filter((i) => i % 2 === 1);
    // f00 lingers: a second thread that transformed files of its own would do so meanwhile.
    const { dir, jobs } = setup(n, { 0: 'linger' }, plain);
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 2, { needles: ['MARK'] });
    expect(results.map((r) => r.index)).toEqual(range(0, n));
    for (const i of plain) {
      expect(results[i]).toEqual({ index: i, path: name(i), findings: [], written: false, changedBy: [], bytes: `{ y = ${i}; }\n`.length, status: 'skip' });
    }
    const marked = results.filter((r) => r.index % 2 === 0);
    expect(marked.map((r) => r.status)).toEqual(Array(n / 2).fill('ok'));
    // Under the backlog, the reading thread hands its files with a needle back to the transforming one.
    expect(new Set(marked.map(threadOf)).size).toBe(1);
    expect(readLog(dir).started.sort()).toEqual(marked.map((r) => r.path));
    expect(notProcessed).toBe(0);
  });
});

describe('WorkerPool: a lost worker', () => {
  const cases = [
    ['calls process.exit', 'exit', 'worker thread exited (code 3) while processing this file (a transform called process.exit?); file left unchanged'],
    ['crashes its thread (an uncaught exception)', 'crash', 'worker thread crashed while processing this file: boom; file left unchanged'],
  ] as const;
  for (const [what, mark, message] of cases) {
    it(`a transform that ${what}: that file is a worker-lost error, the others are done by a successor`, async () => {
      const n = 12;
      const { dir, jobs } = setup(n, { 5: mark });
      const { results, notProcessed } = await pool(endedQueue(jobs), dir, 1);
      expect(results.map((r) => r.index)).toEqual(range(0, n));
      expect(results[5]).toEqual(lost(5, message));
      expect(results.filter((r) => r.index !== 5).map((r) => r.status)).toEqual(Array(n - 1).fill('ok'));
      // The file in flight is not tried again; the files after it ran on another thread.
      const log = readLog(dir);
      expect(log.threads.get('f05.nix')).toHaveLength(1);
      const first = threadOf(results[0]!);
      const after = new Set(results.slice(6).map(threadOf));
      expect(after.size).toBe(1);
      expect(after.has(first)).toBe(false);
      expect(log.threads.get('f05.nix')).toEqual([first]);
      expect(notProcessed).toBe(0);
    });
  }

  it('with two threads: the run still completes every other file', async () => {
    const n = 30;
    const { dir, jobs } = setup(n, { 7: 'exit' });
    const { results } = await pool(endedQueue(jobs), dir, 2);
    expect(results.map((r) => r.index)).toEqual(range(0, n));
    expect(results[7]).toEqual(lost(7, cases[0][2]));
    expect(results.filter((r) => r.index !== 7).map((r) => r.status)).toEqual(Array(n - 1).fill('ok'));
    expect(readLog(dir).threads.get('f07.nix')).toHaveLength(1);
  });

  it('stops replacing threads that keep dying: the files left are errors, not lost', async () => {
    // Every file kills its thread: the first thread and 16 replacements each die on one file.
    const n = 20;
    const { dir, jobs } = setup(n, Object.fromEntries(range(0, n).map((i) => [i, 'exit'])));
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 1);
    expect(results).toEqual([...range(0, 17).map((i) => lost(i, cases[0][2])), ...range(17, n).map((i) => lost(i, 'not processed: the worker threads kept dying'))]);
    expect(readLog(dir).started).toEqual(range(0, 17).map(name));
    expect(notProcessed).toBe(0);
  });
});

describe('WorkerPool: the time limit', () => {
  it('stops a thread stuck in a loop: that file is a timeout error, the rest is done on a replacement', async () => {
    // 1 s: the smallest limit the CLI's whole seconds give, and far above a file's work here
    // (below the time a new thread takes to load the transforms, every first file would time out).
    const n = 8;
    const { dir, jobs } = setup(n, { 3: 'loop' });
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 1, { timeLimitMs: 1000 });
    expect(results.map((r) => r.index)).toEqual(range(0, n));
    expect(results[3]).toEqual(lost(3, 'not finished after the time limit of 1 s (a transform stuck in a loop?); file left unchanged (--timeout to change the limit)', 'timeout'));
    expect(results.filter((r) => r.index !== 3).map((r) => r.status)).toEqual(Array(n - 1).fill('ok'));
    expect(readLog(dir).threads.get('f03.nix')).toHaveLength(1);
    expect(new Set(results.slice(4).map(threadOf)).has(threadOf(results[0]!))).toBe(false);
    expect(notProcessed).toBe(0);
  });

  it('counts a file from its start, not from the thread loading the transforms', async () => {
    // the transform takes 800 ms to load in each thread; each file takes no time
    const { dir, jobs } = setup(3);
    writeFileSync(join(dir, 't.mjs'), `{ const end = Date.now() + 800; while (Date.now() < end) {} }\n${TRANSFORM}`);
    const { results } = await pool(endedQueue(jobs), dir, 1, { timeLimitMs: 400 });
    expect(results.map((r) => [r.index, r.status])).toEqual([[0, 'ok'], [1, 'ok'], [2, 'ok']]);
  });

  it('a thread stopped at the time limit costs its file, not the budget of replacements for threads that die', async () => {
    // more files time out than threads may be replaced (16): each is a timeout, the last file is done
    const n = 19;
    const marks = Object.fromEntries(range(0, n - 1).map((i) => [i, 'loop']));
    const { dir, jobs } = setup(n, marks);
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 1, { timeLimitMs: 150 });
    expect(results.map((r) => [r.index, r.errorKind ?? r.status])).toEqual(range(0, n).map((i) => [i, i < n - 1 ? 'timeout' : 'ok']));
    expect(results[0]!.error).toBe('not finished after the time limit of 0.15 s (a transform stuck in a loop?); file left unchanged (--timeout to change the limit)');
    expect(notProcessed).toBe(0);
  });
});

describe('WorkerPool: interrupt', () => {
  // One thread, files in index order; f05 is held until the test releases it.
  it('a first request: no new file is started, the file in flight finishes and is handed over', async () => {
    const n = 20;
    const { dir, jobs } = setup(n, { 5: 'hold' });
    const interrupt = new Interrupt();
    const running = pool(endedQueue(jobs), dir, 1, { interrupt });
    await waitUntil(() => existsSync(join(dir, 'held')), 'f05 held');
    interrupt.request('SIGINT');
    writeFileSync(join(dir, 'release'), '');
    const { results, notProcessed } = await running;
    expect(results.map((r) => `${r.index} ${r.status}`)).toEqual(range(0, 6).map((i) => `${i} ok`));
    expect(readLog(dir).started).toEqual(range(0, 6).map(name));
    expect(notProcessed).toBe(n - 6);
  });

  it('a second request: the thread is stopped at once, the file in flight is an interrupted error', async () => {
    // With --write a thread reports each file written at once (worker.ts), so the results of
    // f00..f04 are known to have arrived before the thread is stopped (in a dry run they may
    // still wait in the thread, and be counted as not processed).
    const n = 20;
    const { dir, jobs } = setup(n, { 5: 'hold' });
    const interrupt = new Interrupt();
    const results: FileResult[] = [];
    const running = pool(endedQueue(jobs), dir, 1, { interrupt, write: true, results });
    await waitUntil(() => existsSync(join(dir, 'held')) && results.length === 5, 'f05 held, f00..f04 handed over');
    interrupt.request('SIGINT');
    interrupt.request('SIGINT');
    const { notProcessed } = await running;
    expect(interrupt.forced).toBe(true);
    expect(results.slice(0, 5).map((r) => `${r.index} ${r.status} ${r.written}`)).toEqual(range(0, 5).map((i) => `${i} ok true`));
    expect(results.slice(5)).toEqual([lost(5, 'interrupted while processing this file; file left unchanged', 'interrupted')]);
    expect(readLog(dir).started).toEqual(range(0, 6).map(name));
    expect(notProcessed).toBe(n - 6);
    expect(readFileSync(join(dir, 'f04.nix'), 'utf8')).toBe('{ x = 4; } # DONE\n');
    expect(readFileSync(join(dir, 'f05.nix'), 'utf8')).toBe('{ x = 5; } # MARK hold\n');
    expect(readFileSync(join(dir, 'f06.nix'), 'utf8')).toBe('{ x = 6; } # MARK\n');
  });

  it('requested before the run: no file is started', async () => {
    const n = 10;
    const { dir, jobs } = setup(n);
    const interrupt = new Interrupt();
    interrupt.request('SIGTERM');
    const { results, notProcessed } = await pool(endedQueue(jobs), dir, 2, { interrupt });
    expect(results).toEqual([]);
    expect(notProcessed).toBe(n);
    expect(existsSync(join(dir, 'log'))).toBe(false);
  });
});
