/**
 * Worker thread entry: runs the batches of file jobs the main thread sends, answering with one
 * result per file.
 *
 * A thread starts light: it reads files and tests the prefilter (intake.ts). The parser and the
 * transforms are loaded at the first file it has to process. A batch sent with `defer` asks the
 * thread not to process the files that pass the prefilter but to hand them back (`deferred`):
 * the main thread gives them to a thread that already transforms. Loading and warming up the
 * transforms (V8 compiles them per thread) costs more than processing the few files of nixpkgs
 * that mention a needle, so one warm thread does them, while the others read (see run.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FileJob, type FileResult, intake, intakeLimit, isPlainSkip, type JobOptions, type PackedJobs, Prefilter, unpackJobs } from './intake.js';
import type { ConfiguredTransform } from './process.js';
import type { TransformOptions } from '../transform.js';

export interface WorkerInit {
  transforms: { file: string; options: TransformOptions }[];
  job: JobOptions;
  /** Shared with the main thread: [index of the file being processed or -1, its start (ms since epoch)]. */
  control?: Int32Array;
  /** Shared by all threads: non-zero when the run is interrupted (start no new file). */
  abort?: Int32Array;
  /** Date.now() at the start of the run (the time base of `control`). */
  epoch?: number;
  /** The prefilter's needles (see `chainNeedles` in job.ts); absent: every file is processed. */
  needles?: string[];
}

export type ToWorker = { type: 'batch'; batch: PackedJobs; defer?: boolean } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  /**
   * Results of a batch; `done` on the last message of the batch. A plain skip (no needle: most
   * of nixpkgs) travels as two numbers in `skips` (index, bytes), not as an object to clone.
   */
  | { type: 'results'; results: FileResult[]; skips: number[]; deferred?: number[]; done: boolean; stopped?: boolean }
  | { type: 'fatal'; message: string };

/** The transforms and the rest of a job, loaded at the first file to process. */
interface Heavy {
  chain: ConfiguredTransform[];
  finishJob: typeof import('./job.js').finishJob;
  releaseTrees: typeof import('../nix/parser.js').releaseTrees;
}

/**
 * The results of one batch on their way to the main thread: one message per few results, not one
 * per file (the main thread handles every message, and on a tree of 50,000 files that adds up).
 */
class BatchResults {
  private out: FileResult[] = [];
  private skips: number[] = [];
  private deferred: number[] = [];
  private since = performance.now();
  stopped = false;

  constructor(private readonly port: NonNullable<typeof parentPort>) {}

  skip(index: number, bytes: number): void {
    this.skips.push(index, bytes);
    if (this.gathered() >= 32) this.send();
  }

  /**
   * A processed file. A file written is sent at once: if a later file of the batch kills this
   * thread (a transform calling process.exit, a loop stopped at the time limit), results not yet
   * sent are lost and their files given to another thread; a file written already would then be
   * read again, without its needle, and reported as a skip. A file that took long is sent at once too.
   */
  add(r: FileResult | 'deferred', index: number): void {
    if (r === 'deferred') this.deferred.push(index);
    else if (isPlainSkip(r)) this.skips.push(r.index, r.bytes);
    else this.out.push(r);
    const now = performance.now();
    if ((r !== 'deferred' && r.written) || this.gathered() >= 32 || now - this.since > 50) {
      this.send();
      this.since = now;
    }
  }

  /** Send the results gathered so far; `done` on the last message of the batch. */
  send(done = false): void {
    const { out, skips, deferred } = this;
    this.port.postMessage({ type: 'results', results: out, skips, ...(deferred.length > 0 ? { deferred } : {}), done, ...(done && this.stopped ? { stopped: true } : {}) } satisfies FromWorker);
    this.out = [];
    this.skips = [];
    this.deferred = [];
  }

  private gathered(): number {
    return this.out.length + this.skips.length / 2 + this.deferred.length;
  }
}

class WorkerThread {
  private readonly epoch: number;
  private readonly needles: Prefilter | undefined;
  private heavy: Heavy | undefined;
  private fatal = false;
  // Batches are processed one after the other, never interleaved: `control` names the one file
  // this thread is on, and a batch's results come back in order.
  private readonly batches: { batch: PackedJobs; defer: boolean }[] = [];
  private busy = false;
  private stopRequested = false;

  constructor(
    private readonly port: NonNullable<typeof parentPort>,
    private readonly init: WorkerInit,
  ) {
    this.epoch = init.epoch ?? Date.now();
    this.needles = init.job.prefilter && init.needles !== undefined ? new Prefilter(init.needles) : undefined;
  }

  start(): void {
    this.port.on('message', (msg: ToWorker) => this.onMessage(msg));
    this.port.postMessage({ type: 'ready' } satisfies FromWorker);
  }

  private onMessage(msg: ToWorker): void {
    if (msg.type === 'stop') {
      this.stopRequested = true;
      if (!this.busy) this.port.close();
      return;
    }
    this.batches.push({ batch: msg.batch, defer: msg.defer === true });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    while (this.batches.length > 0 && !this.fatal) {
      const b = this.batches.shift()!;
      await this.runBatch(b.batch, b.defer);
    }
    this.busy = false;
    if (this.stopRequested) this.port.close();
  }

  private async load(): Promise<Heavy> {
    if (this.heavy) return this.heavy;
    const [{ finishJob }, { loadTransformFile }, { releaseTrees }] = await Promise.all([import('./job.js'), import('./load.js'), import('../nix/parser.js')]);
    const chain: ConfiguredTransform[] = [];
    for (const t of this.init.transforms) chain.push({ transform: await loadTransformFile(t.file), options: t.options });
    this.heavy = { chain, finishJob, releaseTrees };
    return this.heavy;
  }

  private async runOne(job: FileJob, defer: boolean, scanned: boolean): Promise<FileResult | 'deferred'> {
    const first = intake(job, this.needles, this.init.job, scanned);
    if (!('candidate' in first)) return first;
    if (defer) return 'deferred';
    let h: Heavy;
    try {
      // The time limit is the file's: while the thread loads the parser and the transforms (once),
      // no file is in progress.
      const { control } = this.init;
      if (this.heavy === undefined && control) {
        Atomics.store(control, 0, -1);
        h = await this.load();
        Atomics.store(control, 1, Date.now() - this.epoch);
        Atomics.store(control, 0, job.index);
      } else h = await this.load();
    } catch (err) {
      // The main thread stops the run (it loaded the same transforms, so this is rare).
      this.fatal = true;
      this.port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
      return new Promise<never>(() => undefined);
    }
    // The bytes are a view of a buffer the next read reuses: finishJob decodes them first.
    const r = await h.finishJob(job, first.candidate, h.chain, this.init.job);
    await h.releaseTrees();
    return r;
  }

  private async runBatch(batch: PackedJobs, defer: boolean): Promise<void> {
    const { control, abort } = this.init;
    const jobs = unpackJobs(batch);
    // A batch of walked files is scanned for the needles in one native call: the plain skips,
    // most files, then cost no JavaScript per file (see Prefilter.scanBatch). The others take the
    // ordinary way below. Fewer sizes than files: `abort` was set during the scan.
    const sizes = this.needles && 'paths' in batch ? this.needles.scanBatch(batch, intakeLimit(this.init.job), control, this.epoch, abort) : undefined;
    const results = new BatchResults(this.port);
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (sizes && i >= sizes.length) {
        results.stopped = true;
        break;
      }
      if (sizes && sizes[i]! >= 0) {
        results.skip(job.index, sizes[i]!);
        continue;
      }
      if (abort && Atomics.load(abort, 0) !== 0) {
        results.stopped = true;
        break;
      }
      if (control) {
        Atomics.store(control, 1, Date.now() - this.epoch);
        Atomics.store(control, 0, job.index);
      }
      const r = await this.runOne(job, defer, sizes !== undefined);
      if (control) Atomics.store(control, 0, -1);
      results.add(r, job.index);
    }
    results.send(true);
  }
}

new WorkerThread(parentPort!, workerData as WorkerInit).start();
