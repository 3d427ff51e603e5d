/**
 * Running the jobs of a run on worker threads: the pool of threads (spawn, loss, watchdog,
 * interrupt), the scheduling of batches between readers and transformers, and the ordered
 * hand-over of results.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { failure, type FileError } from '../model/errors.js';
import type { FileResult } from '../model/result.js';
import { EarlyJobs } from './early.js';
import { removeTempFiles } from './files.js';
import type { Interrupt } from './interrupt.js';
import { packJobs } from './intake.js';
import type { FileJob } from './job.js';
import type { JobQueue } from './queue.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

const WORKER_FILE = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

/**
 * Readers and transformers (see worker.ts): files handed back are sent to a transforming thread
 * `CANDIDATE_BATCH` at a time. A reader starts transforming too only when that pays:
 *
 * - While the walk goes on, when `BACKLOG` files wait: a chain whose needles are common, where
 *   one thread would be left with seconds of work at the end. Below that, joining gains nothing:
 *   the cores are mostly busy during the walk, and a thread that starts transforming first pays
 *   for loading the transforms and for running them cold (measured: docs/performance.md).
 * - Once the walk and the reading are done, when `BACKLOG_AT_END` wait: then the reader would
 *   be idle, and its core is free.
 */
const CANDIDATE_BATCH = 4;
const BACKLOG = 1024;
const BACKLOG_AT_END = 64;
/** Worker threads that may be started to replace ones that died or were stopped, per run. */
const MAX_REPLACEMENTS = 16;

/** Files per batch while the walk is still going. */
const CHUNK = 32;

export interface ThreadedOptions {
  timeLimitMs: number;
  interrupt: Interrupt | undefined;
  /** Large files started first (see early.ts). */
  early: EarlyJobs<FileResult | PendingSkip>;
}

/** A plain skip waiting for the results before it: its path and size only. */
export class PendingSkip {
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

function formatSeconds(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return ms < 1000 ? `${Number((ms / 1000).toPrecision(2))} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Results in index order: a result waits here for the results before it (output is in path
 * order). A plain skip waits as its path and size only: a file that takes long (all-packages.nix)
 * can hold back the results of the thousands of files read meanwhile. An early job's result waits
 * for the walk to reach its file, and then takes its index (early.ts).
 */
class OrderedHandOver {
  private readonly pending = new Map<number, FileResult | PendingSkip>();
  private next = 0;

  constructor(
    private readonly emit: (r: FileResult) => void,
    private readonly early: EarlyJobs<FileResult | PendingSkip>,
  ) {}

  deliver(r: FileResult | PendingSkip, index: number): void {
    if (EarlyJobs.isEarly(index)) {
      this.early.result(index, r);
      return;
    }
    this.pending.set(index, r);
    while (this.pending.has(this.next)) {
      const ready = this.pending.get(this.next)!;
      this.pending.delete(this.next);
      this.give(ready, this.next++);
    }
  }

  /** At the end: results after a gap (files not processed) are still given, in order. */
  drain(): void {
    for (const index of [...this.pending.keys()].sort((a, b) => a - b)) {
      this.give(this.pending.get(index)!, index);
      this.pending.delete(index);
    }
  }

  private give(r: FileResult | PendingSkip, index: number): void {
    this.emit(r instanceof PendingSkip ? r.result(index) : r);
  }
}

/**
 * Run the queue on worker threads; resolves with the number of files not processed (an
 * interrupted run). Results reach `emit` in index order.
 */
export function runThreaded(queue: JobQueue, init: WorkerInit, count: number, emit: (r: FileResult) => void, o: ThreadedOptions): Promise<number> {
  return new WorkerPool(queue, init, count, emit, o).run();
}

/**
 * The worker threads of a run. Every worker publishes, in shared memory, which file it is on and
 * since when. A watchdog stops a worker that has been on one file longer than the time limit
 * (the file is an error), and a worker that dies (a transform calling process.exit, a crash) is
 * replaced: the file it was on is an error, the files it had not started go back to the queue.
 * The scheduling: readers and transformers (see the constants above), small batches while the
 * walk goes on, two batches in flight per thread.
 */
class WorkerPool {
  private readonly handOver: OrderedHandOver;
  private readonly epoch = Date.now();
  private readonly abort = new Int32Array(new SharedArrayBuffer(4));
  private readonly slots: Slot[] = [];
  /** Ready for work, none available yet. */
  private readonly hungry = new Set<Slot>();
  /** Files a reader handed back (they passed the prefilter), for a transforming thread. */
  private readonly candidates: FileJob[] = [];
  private readonly deferring: boolean;
  private replacements = 0;
  private finished = false;
  private watchdog: NodeJS.Timeout | undefined;
  private notProcessed = 0;
  private unsubscribe: (() => void) | undefined;
  private resolveAll: () => void = () => {};
  private rejectAll: (err: Error) => void = () => {};

  constructor(
    private readonly queue: JobQueue,
    private readonly init: WorkerInit,
    private readonly count: number,
    emit: (r: FileResult) => void,
    private readonly o: ThreadedOptions,
  ) {
    this.handOver = new OrderedHandOver(emit, o.early);
    this.deferring = init.job.prefilter === true && init.needles !== undefined;
  }

  async run(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.resolveAll = resolve;
      this.rejectAll = reject;
      this.begin();
    });
    this.unsubscribe?.();
    return this.notProcessed;
  }

  private begin(): void {
    const { early } = this.o;
    early.active = true;
    early.deliver = (r, index) => this.deliver(r instanceof PendingSkip ? r : { ...r, index }, index);
    this.queue.onChange(() => {
      if (this.hungry.size > 0 && (this.queue.ended || this.queue.available >= CHUNK)) for (const s of [...this.hungry]) this.feed(s, 2);
      if (this.queue.ended) this.maybeFinish();
    });
    if (this.o.timeLimitMs > 0) this.startWatchdog();
    // An interrupt: no new file is started; a second one stops the threads at once.
    this.unsubscribe = this.o.interrupt?.on(() => this.onInterrupt());
    if (this.interrupted()) Atomics.store(this.abort, 0, 1);
    for (let i = 0; i < this.count; i++) this.spawn();
  }

  private deliver(r: FileResult | PendingSkip, index: number): void {
    this.handOver.deliver(r, index);
  }

  private interrupted(): boolean {
    return this.o.interrupt?.requested === true;
  }

  /** How many of these jobs are files of the run (an early job counts once the walk claimed it). */
  private counted(indices: number[]): number {
    return indices.filter((i) => !EarlyJobs.isEarly(i) || this.o.early.claimed(i)).length;
  }

  private live(): Slot[] {
    return this.slots.filter((s) => !s.retired);
  }

  /** Small batches while the walk goes on (keep every thread fed), larger ones at the end. */
  private batchSize(): number {
    const { queue } = this;
    return queue.ended ? Math.max(1, Math.min(256, Math.ceil(queue.available / (this.count * 8)))) : Math.min(2 * CHUNK, queue.available);
  }

  private post(slot: Slot, batch: FileJob[], defer: boolean): void {
    for (const j of batch) slot.inFlight.set(j.index, j);
    slot.outstanding++;
    slot.worker.postMessage({ type: 'batch', batch: packJobs(batch), ...(defer ? { defer } : {}) } satisfies ToWorker);
  }

  /** Whether a thread that only reads may still hand files back. */
  private readersBusy(): boolean {
    return this.slots.some((t) => !t.retired && !t.transforms && t.outstanding > 0);
  }

  private send(slot: Slot): boolean {
    const { queue, candidates } = this;
    if (this.interrupted()) return false;
    // A reader joins the transforming threads when the files handed back pile up (a chain
    // whose needles are common), or when only such files are left at the end of the run.
    if (!slot.transforms && (candidates.length >= BACKLOG || (queue.ended && queue.available === 0 && candidates.length >= BACKLOG_AT_END))) slot.transforms = true;
    if (slot.transforms) {
      const first = this.o.early.next(queue.ended);
      if (first) {
        this.post(slot, [first], false);
        return true;
      }
    }
    if (slot.transforms && candidates.length > 0) {
      // Lowest index first: results after it wait for it.
      candidates.sort((a, b) => a.index - b.index);
      this.post(slot, candidates.splice(0, CANDIDATE_BATCH), false);
      return true;
    }
    if (queue.available === 0) return false;
    this.post(slot, queue.take(this.batchSize()), this.deferring && !slot.transforms);
    return true;
  }

  private stop(slot: Slot): void {
    if (slot.stopping) return;
    slot.stopping = true;
    this.hungry.delete(slot);
    slot.worker.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  /** Give a thread work; when there is none: stop it if discovery is over, else wait. */
  private feed(slot: Slot, want: number): void {
    if (slot.retired || slot.stopping) return;
    for (let i = 0; i < want; i++) this.send(slot);
    if (slot.outstanding > 0) {
      this.hungry.delete(slot);
      return;
    }
    // A transforming thread waits while readers may still hand files back.
    if (this.interrupted() || (this.queue.ended && !(slot.transforms && (this.candidates.length > 0 || this.readersBusy())))) this.stop(slot);
    else this.hungry.add(slot);
  }

  private feedHungry(): void {
    for (const h of [...this.hungry]) this.feed(h, 2);
  }

  private maybeFinish(): void {
    const { queue } = this;
    if (this.finished) return;
    if (this.live().length > 0) return;
    // No thread left to take jobs: the walk must not wait for one.
    queue.unthrottle(true);
    if (!queue.ended) return; // the walk goes on: wait for it (it stops early when interrupted)
    this.finished = true;
    if (this.watchdog) clearInterval(this.watchdog);
    // Anything still queued was never started: an interrupted run, or every thread died.
    if (this.interrupted()) {
      this.notProcessed += queue.drain() + this.candidates.splice(0).length + this.o.early.unsentClaims().length;
    } else {
      for (const job of [...queue.take(queue.available), ...this.candidates.splice(0), ...this.o.early.unsentClaims()]) {
        this.deliver({ index: job.index, path: job.display, findings: [], written: false, changedBy: [], bytes: 0, ...failure('worker-lost', 'not processed: the worker threads kept dying') }, job.index);
      }
    }
    this.handOver.drain();
    this.resolveAll();
  }

  /**
   * A worker is gone (or being stopped): settle its files and replace it if there is work.
   * `current`: the file to blame, as the watchdog read it (the thread may have moved on since).
   */
  private lose(slot: Slot, why: FileError, current = Atomics.load(slot.control, 0)): void {
    if (slot.retired) return;
    slot.retired = true;
    this.hungry.delete(slot);
    const unstarted: FileJob[] = [];
    for (const [index, job] of slot.inFlight) {
      if (index === current) {
        removeTempFiles(job.real ?? job.absolute);
        this.deliver({ index, path: job.display, findings: [], written: false, changedBy: [], bytes: 0, ...failure(why.kind, why.message) }, index);
      } else {
        unstarted.push(job);
      }
    }
    slot.inFlight.clear();
    // The successor first: putting the files back wakes the queue's listeners, and with no
    // live thread (the others done and gone) the run would end there, those files unprocessed.
    const { queue } = this;
    const wanted = !this.interrupted() && (unstarted.length > 0 || queue.available > 0 || this.candidates.length > 0 || !queue.ended) && this.live().length < this.count;
    // A thread stopped at the time limit did not die: it costs its file, not the budget of
    // replacements (a transform looping on a common pattern must not end the run).
    if (wanted && (why.kind === 'timeout' || this.replacements < MAX_REPLACEMENTS)) {
      if (why.kind !== 'timeout') this.replacements++;
      this.spawn();
    }
    if (this.interrupted()) this.notProcessed += this.counted(unstarted.map((j) => j.index));
    else queue.requeue(unstarted.sort((a, b) => a.index - b.index));
    // Someone must transform what readers hand back.
    if (!this.live().some((t) => t.transforms)) {
      const heir = this.live().find((t) => !t.stopping);
      if (heir) heir.transforms = true;
    }
    this.feedHungry();
    this.maybeFinish();
  }

  private spawn(): void {
    const control = new Int32Array(new SharedArrayBuffer(8));
    control[0] = -1;
    const worker = new Worker(WORKER_FILE, { workerData: { ...this.init, control, abort: this.abort, epoch: this.epoch } satisfies WorkerInit });
    // The first thread transforms; the others only read until there is a backlog (see `send`).
    const transforms = !this.deferring || !this.live().some((t) => t.transforms);
    const slot: Slot = { worker, control, outstanding: 0, inFlight: new Map(), retired: false, stopping: false, transforms };
    this.slots.push(slot);
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.lose(slot, { kind: 'worker-lost', message: `worker thread crashed while processing this file: ${err.message}; file left unchanged` }));
    worker.on('exit', (code) => {
      if (slot.retired) return;
      if (slot.stopping && slot.inFlight.size === 0) {
        slot.retired = true;
        this.maybeFinish();
        return;
      }
      this.lose(slot, { kind: 'worker-lost', message: `worker thread exited (code ${code}) while processing this file (a transform called process.exit?); file left unchanged` });
    });
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (slot.retired) return;
    if (msg.type === 'ready') {
      // two batches in flight keep the thread busy while the next one is on its way
      this.feed(slot, 2);
    } else if (msg.type === 'results') {
      this.onResults(slot, msg);
    } else if (msg.type === 'fatal') {
      this.finished = true;
      if (this.watchdog) clearInterval(this.watchdog);
      for (const other of this.slots) void other.worker.terminate();
      this.unsubscribe?.();
      this.rejectAll(new Error(msg.message));
    }
  }

  private onResults(slot: Slot, msg: Extract<FromWorker, { type: 'results' }>): void {
    for (const r of msg.results) {
      slot.inFlight.delete(r.index);
      this.deliver(r, r.index);
    }
    for (let i = 0; i < msg.skips.length; i += 2) {
      const index = msg.skips[i]!;
      const job = slot.inFlight.get(index);
      if (!job) continue;
      slot.inFlight.delete(index);
      this.deliver(new PendingSkip(job.display, msg.skips[i + 1]!), index);
    }
    for (const index of msg.deferred ?? []) {
      const job = slot.inFlight.get(index);
      if (!job) continue;
      slot.inFlight.delete(index);
      this.candidates.push(job);
    }
    if (msg.done) {
      slot.outstanding--;
      // Files of the batch the thread did not start: the run is being interrupted.
      if (msg.stopped) {
        this.notProcessed += this.counted([...slot.inFlight.keys()]);
        slot.inFlight.clear();
      }
      this.feed(slot, 1);
    }
    if (this.hungry.size > 0 && (this.candidates.length > 0 || msg.done)) this.feedHungry();
  }

  /** The watchdog: a file over the time limit stops its thread (the only way to stop a loop). */
  private startWatchdog(): void {
    const limit = this.o.timeLimitMs;
    this.watchdog = setInterval(() => {
      const now = Date.now() - this.epoch;
      for (const slot of this.live()) {
        const index = Atomics.load(slot.control, 0);
        if (index < 0 || now - Atomics.load(slot.control, 1) < limit) continue;
        this.lose(slot, { kind: 'timeout', message: `not finished after the time limit of ${formatSeconds(limit)} (a transform stuck in a loop?); file left unchanged (--timeout to change the limit)` }, index);
        void slot.worker.terminate();
      }
    }, Math.max(10, Math.min(1000, limit / 4)));
    this.watchdog.unref();
  }

  private onInterrupt(): void {
    Atomics.store(this.abort, 0, 1);
    this.queue.unthrottle(true);
    for (const s of [...this.hungry]) this.stop(s);
    if (this.o.interrupt!.forced) {
      for (const slot of this.live()) {
        this.lose(slot, { kind: 'interrupted', message: 'interrupted while processing this file; file left unchanged' });
        void slot.worker.terminate();
      }
    }
    this.maybeFinish();
  }
}
