/**
 * The runner: discover files, load transforms, run the jobs on worker threads (or in band), and
 * hand results to the caller one by one, in path order, so that a single printer on the main
 * thread never interleaves output. Library code: no printing, no process.exit.
 */
import { failure, type FileError } from '../model/errors.js';
import { existsSync, statSync } from 'node:fs';
import { HARD_MAX_BYTES, removeTempFiles } from './files.js';
import { EarlyJobs, findEarlyFiles } from './early.js';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TransformOptions } from '../transform.js';
import { releaseTrees } from '../nix/parser.js';
import { discoverFiles, type DiscoveredFile } from './discover.js';
import { chainNeedles, runJob, type FileJob, type FileResult, type JobOptions } from './job.js';
import { packJobs } from './intake.js';
import { loadTransformFile, resolveTransformSpec } from './load.js';
import type { ConfiguredTransform } from './process.js';
import type { FileStatus, RunResult } from '../model/result.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

export type { RunResult, RunSummary } from '../model/result.js';

export interface TransformRequest {
  spec: string;
  options: TransformOptions;
}

export interface RunOptions {
  transforms: TransformRequest[];
  /** Files and folders. */
  paths: string[];
  cwd?: string;
  ignorePatterns?: string[];
  /** Globs relative to other folders (the config file's `ignore`). */
  ignoreRelativeTo?: { base: string; patterns: string[] }[];
  gitignore?: boolean;
  write?: boolean;
  prefilter?: boolean;
  /** Compute diffs of changed files (default true). */
  diff?: boolean;
  /** Worker threads; 0 or 1 runs in band. Default: all cores. */
  cpus?: number;
  runInBand?: boolean;
  /** Keep the original and new text of changed files in their results (--commit, --interactive). */
  keepText?: boolean;
  /** Closure estimates for changed files (--report). */
  closure?: boolean;
  /** Shell command formatting changed files (stdin → stdout). */
  formatter?: string;
  /** Path of nix-instantiate: check every new text with `--parse` before it is written. */
  verify?: string;
  /** Files over this many bytes are skipped with a reason instead of parsed (0: no limit). */
  maxFileBytes?: number;
  /** Per-file option overrides (from the config file), by transform name. */
  fileOptions?: (absolute: string) => Record<string, TransformOptions> | undefined;
  /** Called once per file, in path order. */
  onResult?: (result: FileResult) => void;
  /** Called after discovery with the number of files. */
  onStart?: (total: number) => void;
  /**
   * Per-file time limit in ms (default DEFAULT_TIME_LIMIT_MS; 0: none). A file still running
   * after it is an error: on a worker thread the thread is stopped and replaced; in band each
   * transform call is run under V8's watchdog (see ProcessOptions.timeLimitMs).
   */
  timeLimitMs?: number;
  /** Stop the run early (Ctrl-C): see `Interrupt`. */
  interrupt?: Interrupt;
}

/**
 * A request to stop a run, from a signal. The first request stops it gracefully: no new file is
 * started, the files being processed are finished (a write is never cut in half), and the run
 * returns with `interrupted` set. A second request stops it at once: worker threads are
 * terminated and the temporary files of the writes they were doing are removed (the originals
 * are untouched: a file is replaced only by the final rename).
 */
export class Interrupt {
  reason: string | undefined;
  forced = false;
  private readonly listeners = new Set<() => void>();
  request(reason: string): void {
    if (this.reason !== undefined) this.forced = true;
    else this.reason = reason;
    for (const l of [...this.listeners]) l();
  }
  get requested(): boolean {
    return this.reason !== undefined;
  }
  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}



const here = dirname(fileURLToPath(import.meta.url));
const WORKER_FILE = join(here, 'worker.js');
/** Below this many files per thread, threads cost more than they save. */
const FILES_PER_WORKER = 64;
/**
 * The default size limit. The largest files of nixpkgs that transforms have to read are
 * `all-packages.nix` and `python-packages.nix` (about 1.5 MB and 0.7 MB); generated package sets
 * (`hackage-packages.nix`, over 10 MB) hold no needle. A file with a needle costs parsing and
 * transforming, up to seconds and hundreds of MB per MB of Nix when the needle is everywhere, so
 * a limit keeps one odd file from stalling a worker.
 */
export const DEFAULT_MAX_FILE_BYTES = 4 << 20;
/** Files per batch while the walk is still going. */
const CHUNK = 32;
/** The default per-file time limit: far above what any real file takes (all-packages.nix: 0.3 s). */
export const DEFAULT_TIME_LIMIT_MS = 60_000;
/**
 * Readers and transformers (see worker.ts): files handed back are sent to a transforming thread
 * `CANDIDATE_BATCH` at a time. A reader starts transforming too only when that pays:
 *
 * - While the walk goes on, when `BACKLOG` files wait: a chain whose needles are common, where
 *   one thread would be left with seconds of work at the end. Below that, joining gains nothing:
 *   the cores are mostly busy during the walk, and a thread that starts transforming first pays
 *   for loading the transforms (about 0.15 s) and for running them cold. A reader joining at 128
 *   waiting files made the run slower (four alternated comparisons of three runs each, before
 *   readers scanned whole batches natively); since then readers wait for the walk part of the
 *   time, and joining at 16 or 64 made no difference beyond the noise (eight alternated runs).
 *   On the benchmark tree 7 to 212 of its 250 files wait when the reading is over.
 * - Once the walk and the reading are done, when `BACKLOG_AT_END` wait: then the reader would
 *   be idle, and its core is free (a tree of those 250 files alone: 0.1 to 0.3 s sooner with
 *   the join).
 */
const CANDIDATE_BATCH = 4;
const BACKLOG = 1024;
const BACKLOG_AT_END = 64;
/** The walk waits while this many files found wait for a thread (memory stays bounded). */
const WALK_AHEAD = 8192;
/** Worker threads that may be started to replace ones that died or were stopped, per run. */
const MAX_REPLACEMENTS = 16;

export function defaultCpus(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : 2;
}

/**
 * Jobs as discovery finds them: the walk pushes, the worker pool (or the in-band loop) takes.
 * Taken jobs are dropped (the pool keeps the ones in flight, to name a crashed worker's files).
 */
export class JobQueue {
  /** Jobs not yet taken (taken ones are dropped: memory does not grow with the tree). */
  private pending: FileJob[] = [];
  private head = 0;
  /** Jobs pushed so far. */
  count = 0;
  ended = false;
  private listeners: (() => void)[] = [];
  push(job: FileJob): void {
    this.pending.push(job);
    this.count++;
    this.notify();
  }
  /** Count a file whose job is already under way elsewhere (see early.ts): its index is taken. */
  reserve(): void {
    this.count++;
    this.notify();
  }
  end(): void {
    this.ended = true;
    this.notify();
  }
  get available(): number {
    return this.pending.length - this.head;
  }
  take(n: number): FileJob[] {
    const batch = this.pending.slice(this.head, this.head + n);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (this.resume && this.available <= this.resumeAt) this.unthrottle();
    return batch;
  }
  private resume: (() => void) | undefined;
  private resumeAt = 0;
  private throttling = true;
  /**
   * Backpressure for the walk: when more than `high` jobs wait, a promise that resolves once no
   * more than `low` do (undefined otherwise). The queue, and the results a largest-first order
   * holds back, then stay bounded however large the tree.
   */
  throttle(high: number, low: number): Promise<void> | undefined {
    if (!this.throttling || this.available <= high) return undefined;
    this.resumeAt = low;
    return new Promise<void>((resolve) => {
      this.resume = resolve;
    });
  }
  /** Let the walk run free from now on (interrupted, or no thread left to take jobs). */
  unthrottle(permanently = false): void {
    if (permanently) this.throttling = false;
    const r = this.resume;
    this.resume = undefined;
    r?.();
  }
  /**
   * Hand out the jobs not yet taken largest file first (longest processing time first: a big
   * file that comes last in path order, like `pkgs/top-level/all-packages.nix`, does not run
   * alone at the end while the other threads wait). Output order does not change: the printer
   * orders results by index. Called by the main thread when the walk is over and it has nothing
   * else to do; a stat each (a few ms per thousand files).
   */
  largestFirst(): void {
    const rest = this.pending.slice(this.head);
    const sized = rest.map((job) => {
      let size = 0;
      try {
        size = statSync(job.absolute).size;
      } catch {
        /* it will be an error when read */
      }
      return { job, size };
    });
    sized.sort((a, b) => b.size - a.size || a.job.index - b.job.index);
    this.pending = sized.map((s) => s.job);
    this.head = 0;
  }
  /** Put jobs back at the front (the unstarted jobs of a worker that died). */
  requeue(jobs: FileJob[]): void {
    if (jobs.length === 0) return;
    this.pending = [...jobs, ...this.pending.slice(this.head)];
    this.head = 0;
    this.notify();
  }
  /** Drop every job not taken yet (an interrupted run); how many were dropped. */
  drain(): number {
    const n = this.available;
    this.pending = [];
    this.head = 0;
    return n;
  }
  /** Resolves when at least `n` jobs were pushed, or the queue ended. */
  reached(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (this.count >= n || this.ended) {
          resolve();
          return true;
        }
        return false;
      };
      if (check()) return;
      const listener = (): void => {
        if (check()) this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }
  onChange(f: () => void): void {
    this.listeners.push(f);
  }
  private notify(): void {
    for (const l of this.listeners) l();
  }
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const cwd = opts.cwd ?? process.cwd();
  const files = resolveFiles(opts.transforms, cwd);
  const jobOpts: JobOptions = {
    write: opts.write ?? false,
    prefilter: opts.prefilter ?? true,
    diff: opts.diff ?? true,
    keepText: opts.keepText ?? false,
    closure: opts.closure ?? false,
    cwd,
    maxBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    ...(opts.formatter ? { formatter: opts.formatter } : {}),
    ...(opts.verify ? { verify: opts.verify } : {}),
  };
  const counts: Record<FileStatus, number> = { ok: 0, nochange: 0, skip: 0, error: 0 };
  let written = 0;
  let findings = 0;
  let bytes = 0;
  const emit = (r: FileResult): void => {
    counts[r.status]++;
    if (r.written) written++;
    findings += r.findings.length;
    bytes += r.bytes;
    opts.onResult?.(r);
  };
  // Load the transforms first, so a broken one fails the run before any file is touched.
  const chain: ConfiguredTransform[] = [];
  for (const t of files) chain.push({ transform: await loadTransformFile(t.file), options: t.options });

  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const requested = opts.runInBand ? 1 : Math.max(1, opts.cpus ?? defaultCpus());
  // `--cpus 1` is one worker thread (as in jscodeshift): the main thread walks and prints beside
  // it. Only `--run-in-band` (or a run too small to be worth a thread) stays on the main thread.
  const canThread = !opts.runInBand && existsSync(WORKER_FILE);

  // Discovery feeds the queue while it walks; workers start as soon as there is enough to do.
  const interrupt = opts.interrupt;
  const queue = new JobQueue();
  // A dry run on a folder starts the large files near its root first (see early.ts).
  const early = new EarlyJobs<FileResult | PendingSkip>(
    canThread && !jobOpts.write && !jobOpts.keepText && opts.paths.length === 1 ? findEarlyFiles(opts.paths[0]!, cwd, jobOpts.maxBytes || HARD_MAX_BYTES) : [],
  );
  const discovering = discoverFiles(opts.paths, {
    cwd,
    ignorePatterns: opts.ignorePatterns,
    ignoreRelativeTo: opts.ignoreRelativeTo,
    gitignore: opts.gitignore,
    stop: () => interrupt?.requested === true,
    pause: () => queue.throttle(WALK_AHEAD, WALK_AHEAD / 2),
    onFile: (f: DiscoveredFile) => {
      const overrides = opts.fileOptions?.(f.absolute);
      const job: FileJob = {
        index: queue.count,
        absolute: f.absolute,
        display: f.display,
        ...(overrides ? { overrides } : {}),
        ...(f.real ? { real: f.real } : {}),
        ...(f.writeRefusal ? { writeRefusal: f.writeRefusal } : {}),
        ...(f.walked ? { walked: true } : {}),
      };
      if (early.claim(job)) queue.reserve();
      else queue.push(job);
    },
  }).then((d) => {
    early.walkOver();
    // Threads are used for this many files (see below): only then is the order worth changing.
    if (canThread && queue.count >= 2 * FILES_PER_WORKER && !interrupt?.requested) queue.largestFirst();
    queue.end();
    opts.onStart?.(queue.count);
    return d;
  });
  // Enough files for two threads, or the end of discovery, whichever comes first.
  if (canThread) await Promise.race([discovering, queue.reached(2 * FILES_PER_WORKER)]);
  let used = 0;
  let notProcessed = 0;
  if (!canThread || (queue.ended && queue.count < 2 * FILES_PER_WORKER)) {
    // In band: no thread to stop, so the time limit is applied around each transform call.
    const inBand: JobOptions = { ...jobOpts, inBandTimeLimitMs: timeLimitMs };
    // Files are processed as the walk finds them (the walk waits when it is far ahead): memory
    // does not grow with the tree. As with threads, processing starts when the walk is over or
    // has found enough files (a small tree is counted before its first file is processed).
    await Promise.race([discovering, queue.reached(2 * FILES_PER_WORKER)]);
    for (;;) {
      if (queue.available === 0) {
        if (queue.ended) break;
        await queue.reached(queue.count + 1);
        continue;
      }
      const job = queue.take(1)[0]!;
      if (interrupt?.requested) {
        notProcessed++;
        continue;
      }
      emit(await runJob(job, chain, inBand));
      await releaseTrees();
    }
  } else {
    used = queue.ended ? Math.min(requested, Math.ceil(queue.count / FILES_PER_WORKER)) : requested;
    const needles = chainNeedles(chain);
    notProcessed = await runThreaded(queue, { transforms: files, job: jobOpts, ...(needles !== undefined ? { needles } : {}) }, used, emit, { timeLimitMs, interrupt, early });
  }
  const discovered = await discovering;
  return {
    summary: { files: queue.count, counts, written, findings, bytes, elapsedMs: performance.now() - started, workers: used },
    ...(interrupt?.reason !== undefined ? { interrupted: { reason: interrupt.reason, notProcessed } } : {}),
    missing: discovered.missing,
    unreadable: discovered.unreadable,
  };
}

function resolveFiles(requests: TransformRequest[], cwd: string): WorkerInit['transforms'] {
  return requests.map((r) => ({ file: resolveTransformSpec(r.spec, cwd), options: r.options }));
}

interface ThreadedOptions {
  timeLimitMs: number;
  interrupt: Interrupt | undefined;
  /** Large files started first (see early.ts). */
  early: EarlyJobs<FileResult | PendingSkip>;
}

/** A plain skip waiting for the results before it: its path and size only. */
class PendingSkip {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}
  result(index: number): FileResult {
    return { index, path: this.path, findings: [], written: false, changedBy: [], bytes: this.bytes, status: 'skip' };
  }
}

/** A worker thread and what the main thread knows of it. */
interface Slot {
  worker: Worker;
  /** [index of the file being processed or -1, its start in ms since `epoch`], shared. */
  control: Int32Array;
  /** Batches sent and not answered. */
  outstanding: number;
  /** Jobs sent and not answered, by index. */
  inFlight: Map<number, FileJob>;
  /** Stopped by us (time limit, forced interrupt): its exit is expected. */
  retired: boolean;
  /** Told to stop (no more work): its exit is expected. */
  stopping: boolean;
  /** Processes the files that pass the prefilter (else it hands them back: `deferred`). */
  transforms: boolean;
}

/**
 * Run the queue on worker threads; resolves with the number of files not processed (an
 * interrupted run). Results reach `emit` in index order.
 *
 * Every worker publishes, in shared memory, which file it is on and since when. A watchdog stops
 * a worker that has been on one file longer than the time limit (the file is an error), and a
 * worker that dies (a transform calling process.exit, a crash) is replaced: the file it was on is
 * an error, the files it had not started go back to the queue.
 */
async function runThreaded(queue: JobQueue, init: WorkerInit, count: number, emit: (r: FileResult) => void, o: ThreadedOptions): Promise<number> {
  // Results wait here for the results before them (output is in path order). A plain skip
  // waits as its path and size only: a file that takes long (all-packages.nix) can hold back
  // the results of the thousands of files read meanwhile.
  const pending = new Map<number, FileResult | PendingSkip>();
  let nextToEmit = 0;
  const emitAt = (r: FileResult | PendingSkip, index: number): void => emit(r instanceof PendingSkip ? r.result(index) : r);
  const { early } = o;
  const deliver = (r: FileResult | PendingSkip, index: number): void => {
    // An early job's result waits for the walk to reach its file, and then takes its index.
    if (EarlyJobs.isEarly(index)) {
      early.result(index, r);
      return;
    }
    pending.set(index, r);
    while (pending.has(nextToEmit)) {
      const ready = pending.get(nextToEmit)!;
      pending.delete(nextToEmit);
      emitAt(ready, nextToEmit++);
    }
  };
  const epoch = Date.now();
  const abort = new Int32Array(new SharedArrayBuffer(4));
  // Small batches while the walk goes on (keep every thread fed), larger ones at the end.
  const batchSize = (): number =>
    queue.ended ? Math.max(1, Math.min(256, Math.ceil(queue.available / (count * 8)))) : Math.min(2 * CHUNK, queue.available);
  let notProcessed = 0;
  let unsubscribe: (() => void) | undefined;
  await new Promise<void>((resolveAll, rejectAll) => {
    const slots: Slot[] = [];
    let replacements = 0;
    let finished = false;
    let watchdog: NodeJS.Timeout | undefined;
    const hungry = new Set<Slot>(); // ready for work, none available yet
    /** Files a reader handed back (they passed the prefilter), for a transforming thread. */
    const candidates: FileJob[] = [];
    const deferring = init.job.prefilter && init.needles !== undefined;
    const interrupted = (): boolean => o.interrupt?.requested === true;
    /** How many of these jobs are files of the run (an early job counts once the walk claimed it). */
    const counted = (indices: number[]): number => indices.filter((i) => !EarlyJobs.isEarly(i) || early.claimed(i)).length;
    early.active = true;
    early.deliver = (r, index) => deliver(r instanceof PendingSkip ? r : { ...r, index }, index);

    const post = (slot: Slot, batch: FileJob[], defer: boolean): void => {
      for (const j of batch) slot.inFlight.set(j.index, j);
      slot.outstanding++;
      slot.worker.postMessage({ type: 'batch', batch: packJobs(batch), ...(defer ? { defer } : {}) } satisfies ToWorker);
    };
    /** Whether a thread that only reads may still hand files back. */
    const readersBusy = (): boolean => slots.some((t) => !t.retired && !t.transforms && t.outstanding > 0);
    const send = (slot: Slot): boolean => {
      if (interrupted()) return false;
      // A reader joins the transforming threads when the files handed back pile up (a chain
      // whose needles are common), or when only such files are left at the end of the run.
      if (!slot.transforms && (candidates.length >= BACKLOG || (queue.ended && queue.available === 0 && candidates.length >= BACKLOG_AT_END))) slot.transforms = true;
      if (slot.transforms) {
        const first = early.next(queue.ended);
        if (first) {
          post(slot, [first], false);
          return true;
        }
      }
      if (slot.transforms && candidates.length > 0) {
        // Lowest index first: results after it wait for it.
        candidates.sort((a, b) => a.index - b.index);
        post(slot, candidates.splice(0, CANDIDATE_BATCH), false);
        return true;
      }
      if (queue.available === 0) return false;
      post(slot, queue.take(batchSize()), deferring && !slot.transforms);
      return true;
    };
    const stop = (slot: Slot): void => {
      if (slot.stopping) return;
      slot.stopping = true;
      hungry.delete(slot);
      slot.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    };
    /** Give a thread work; when there is none: stop it if discovery is over, else wait. */
    const feed = (slot: Slot, want: number): void => {
      if (slot.retired || slot.stopping) return;
      for (let i = 0; i < want; i++) send(slot);
      if (slot.outstanding > 0) {
        hungry.delete(slot);
        return;
      }
      // A transforming thread waits while readers may still hand files back.
      if (interrupted() || (queue.ended && !(slot.transforms && (candidates.length > 0 || readersBusy())))) stop(slot);
      else hungry.add(slot);
    };
    const feedHungry = (): void => {
      for (const h of [...hungry]) feed(h, 2);
    };
    const live = (): Slot[] => slots.filter((s) => !s.retired);
    const maybeFinish = (): void => {
      if (finished) return;
      if (live().length > 0) return;
      // No thread left to take jobs: the walk must not wait for one.
      queue.unthrottle(true);
      if (!queue.ended) return; // the walk goes on: wait for it (it stops early when interrupted)
      finished = true;
      if (watchdog) clearInterval(watchdog);
      // Anything still queued was never started: an interrupted run, or every thread died.
      if (interrupted()) {
        notProcessed += queue.drain() + candidates.splice(0).length + early.unsentClaims().length;
      } else {
        for (const job of [...queue.take(queue.available), ...candidates.splice(0), ...early.unsentClaims()]) {
          deliver({ index: job.index, path: job.display, findings: [], written: false, changedBy: [], bytes: 0, ...failure('worker-lost', 'not processed: the worker threads kept dying') }, job.index);
        }
      }
      // Results after a gap (files not processed) are still given, in order.
      for (const index of [...pending.keys()].sort((a, b) => a - b)) {
        emitAt(pending.get(index)!, index);
        pending.delete(index);
      }
      resolveAll();
    };
    queue.onChange(() => {
      if (hungry.size > 0 && (queue.ended || queue.available >= CHUNK)) for (const s of [...hungry]) feed(s, 2);
      if (queue.ended) maybeFinish();
    });

    /** A worker is gone (or being stopped): settle its files and replace it if there is work. */
    const lose = (slot: Slot, why: (index: number) => FileError): void => {
      if (slot.retired) return;
      slot.retired = true;
      hungry.delete(slot);
      const current = Atomics.load(slot.control, 0);
      const unstarted: FileJob[] = [];
      for (const [index, job] of slot.inFlight) {
        if (index === current) {
          removeTempFiles(job.real ?? job.absolute);
          deliver({ index, path: job.display, findings: [], written: false, changedBy: [], bytes: 0, ...failure(why(index).kind, why(index).message) }, index);
        } else {
          unstarted.push(job);
        }
      }
      slot.inFlight.clear();
      // The successor first: putting the files back wakes the queue's listeners, and with no
      // live thread (the others done and gone) the run would end there, those files unprocessed.
      const wanted = !interrupted() && (unstarted.length > 0 || queue.available > 0 || candidates.length > 0 || !queue.ended) && live().length < count;
      if (wanted && replacements < MAX_REPLACEMENTS) {
        replacements++;
        spawn();
      }
      if (interrupted()) notProcessed += counted(unstarted.map((j) => j.index));
      else queue.requeue(unstarted.sort((a, b) => a.index - b.index));
      // Someone must transform what readers hand back.
      if (!live().some((t) => t.transforms)) {
        const heir = live().find((t) => !t.stopping);
        if (heir) heir.transforms = true;
      }
      feedHungry();
      maybeFinish();
    };

    const spawn = (): void => {
      const control = new Int32Array(new SharedArrayBuffer(8));
      control[0] = -1;
      const worker = new Worker(WORKER_FILE, { workerData: { ...init, control, abort, epoch } satisfies WorkerInit });
      // The first thread transforms; the others only read until there is a backlog (see `send`).
      const transforms = !deferring || !live().some((t) => t.transforms);
      const slot: Slot = { worker, control, outstanding: 0, inFlight: new Map(), retired: false, stopping: false, transforms };
      slots.push(slot);
      worker.on('message', (msg: FromWorker) => {
        if (slot.retired) return;
        if (msg.type === 'ready') {
          // two batches in flight keep the thread busy while the next one is on its way
          feed(slot, 2);
        } else if (msg.type === 'results') {
          for (const r of msg.results) {
            slot.inFlight.delete(r.index);
            deliver(r, r.index);
          }
          for (let i = 0; i < msg.skips.length; i += 2) {
            const index = msg.skips[i]!;
            const job = slot.inFlight.get(index);
            if (!job) continue;
            slot.inFlight.delete(index);
            deliver(new PendingSkip(job.display, msg.skips[i + 1]!), index);
          }
          for (const index of msg.deferred ?? []) {
            const job = slot.inFlight.get(index);
            if (!job) continue;
            slot.inFlight.delete(index);
            candidates.push(job);
          }
          if (msg.done) {
            slot.outstanding--;
            // Files of the batch the thread did not start: the run is being interrupted.
            if (msg.stopped) {
              notProcessed += counted([...slot.inFlight.keys()]);
              slot.inFlight.clear();
            }
            feed(slot, 1);
          }
          if (hungry.size > 0 && (candidates.length > 0 || msg.done)) feedHungry();
        } else if (msg.type === 'fatal') {
          finished = true;
          if (watchdog) clearInterval(watchdog);
          for (const other of slots) void other.worker.terminate();
          unsubscribe?.();
          rejectAll(new Error(msg.message));
        }
      });
      worker.on('error', (err) => lose(slot, () => ({ kind: 'worker-lost', message: `worker thread crashed while processing this file: ${err.message}; file left unchanged` })));
      worker.on('exit', (code) => {
        if (slot.retired) return;
        if (slot.stopping && slot.inFlight.size === 0) {
          slot.retired = true;
          maybeFinish();
          return;
        }
        lose(slot, () => ({ kind: 'worker-lost', message: `worker thread exited (code ${code}) while processing this file (a transform called process.exit?); file left unchanged` }));
      });
    };

    // The watchdog: a file over the time limit stops its thread (the only way to stop a loop).
    if (o.timeLimitMs > 0) {
      watchdog = setInterval(() => {
        const now = Date.now() - epoch;
        for (const slot of live()) {
          const index = Atomics.load(slot.control, 0);
          if (index < 0 || now - Atomics.load(slot.control, 1) < o.timeLimitMs) continue;
          lose(slot, () => ({ kind: 'timeout', message: `not finished after the time limit of ${formatSeconds(o.timeLimitMs)} (a transform stuck in a loop?); file left unchanged (--timeout to change the limit)` }));
          void slot.worker.terminate();
        }
      }, Math.max(10, Math.min(1000, o.timeLimitMs / 4)));
      watchdog.unref();
    }
    // An interrupt: no new file is started; a second one stops the threads at once.
    const off = o.interrupt?.on(() => {
      Atomics.store(abort, 0, 1);
      queue.unthrottle(true);
      for (const s of [...hungry]) stop(s);
      if (o.interrupt!.forced) {
        for (const slot of live()) {
          lose(slot, () => ({ kind: 'interrupted', message: 'interrupted while processing this file; file left unchanged' }));
          void slot.worker.terminate();
        }
      }
      maybeFinish();
    });
    unsubscribe = off;
    if (interrupted()) Atomics.store(abort, 0, 1);
    for (let i = 0; i < count; i++) spawn();
  });
  unsubscribe?.();
  return notProcessed;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
