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

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  const { control, abort } = init;
  const epoch = init.epoch ?? Date.now();
  const needles = init.job.prefilter && init.needles !== undefined ? new Prefilter(init.needles) : undefined;
  /** The transforms and the rest of a job, loaded at the first file to process. */
  let heavy: { chain: ConfiguredTransform[]; finishJob: typeof import('./job.js').finishJob; releaseTrees: typeof import('../nix/parser.js').releaseTrees } | undefined;
  const load = async (): Promise<NonNullable<typeof heavy>> => {
    if (heavy) return heavy;
    const [{ finishJob }, { loadTransformFile }, { releaseTrees }] = await Promise.all([import('./job.js'), import('./load.js'), import('../nix/parser.js')]);
    const chain: ConfiguredTransform[] = [];
    for (const t of init.transforms) chain.push({ transform: await loadTransformFile(t.file), options: t.options });
    heavy = { chain, finishJob, releaseTrees };
    return heavy;
  };
  let fatal = false;
  const runOne = async (job: FileJob, defer: boolean, scanned: boolean): Promise<FileResult | 'deferred'> => {
    const first = intake(job, needles, init.job, scanned);
    if (!('candidate' in first)) return first;
    if (defer) return 'deferred';
    let h: NonNullable<typeof heavy>;
    try {
      h = await load();
    } catch (err) {
      // The main thread stops the run (it loaded the same transforms, so this is rare).
      fatal = true;
      port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
      return new Promise<never>(() => undefined);
    }
    // The bytes are a view of a buffer the next read reuses: finishJob decodes them first.
    const r = await h.finishJob(job, first.candidate, h.chain, init.job);
    await h.releaseTrees();
    return r;
  };
  // Batches are processed one after the other, never interleaved: `control` names the one file
  // this thread is on, and a batch's results come back in order.
  const batches: { batch: PackedJobs; defer: boolean }[] = [];
  let busy = false;
  let stopRequested = false;
  const runBatch = async (batch: PackedJobs, defer: boolean): Promise<void> => {
    const jobs = unpackJobs(batch);
    // A batch of walked files is scanned for the needles in one native call: the plain skips,
    // most files, then cost no JavaScript per file (see Prefilter.scanBatch). The others take the
    // ordinary way below. Fewer sizes than files: `abort` was set during the scan.
    const sizes = needles && 'paths' in batch ? needles.scanBatch(batch, intakeLimit(init.job), control, epoch, abort) : undefined;
    // One message per few results, not one per file: the main thread handles every message,
    // and on a tree of 50,000 files that adds up. A file that took long is sent at once.
    let out: FileResult[] = [];
    let skips: number[] = [];
    let deferred: number[] = [];
    let since = performance.now();
    let stopped = false;
    /** Send the results gathered so far; `done` on the last message of the batch. */
    const send = (done = false): void => {
      port.postMessage({ type: 'results', results: out, skips, ...(deferred.length > 0 ? { deferred } : {}), done, ...(done && stopped ? { stopped } : {}) } satisfies FromWorker);
      out = [];
      skips = [];
      deferred = [];
    };
    const gathered = (): number => out.length + skips.length / 2 + deferred.length;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (sizes) {
        if (i >= sizes.length) {
          stopped = true;
          break;
        }
        const size = sizes[i]!;
        if (size >= 0) {
          skips.push(job.index, size);
          if (gathered() >= 32) send();
          continue;
        }
      }
      if (abort && Atomics.load(abort, 0) !== 0) {
        stopped = true;
        break;
      }
      if (control) {
        Atomics.store(control, 1, Date.now() - epoch);
        Atomics.store(control, 0, job.index);
      }
      const r = await runOne(job, defer, sizes !== undefined);
      if (control) Atomics.store(control, 0, -1);
      if (r === 'deferred') deferred.push(job.index);
      else if (isPlainSkip(r)) skips.push(r.index, r.bytes);
      else out.push(r);
      const now = performance.now();
      // A file written is reported at once: if a later file of the batch kills this thread (a
      // transform calling process.exit, a loop stopped at the time limit), results not yet sent
      // are lost, and their files are given to another thread; a file written already would
      // then be read again, without its needle, and reported as a skip.
      const written = r !== 'deferred' && r.written;
      if (written || gathered() >= 32 || now - since > 50) {
        send();
        since = now;
      }
    }
    send(true);
  };
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (batches.length > 0 && !fatal) {
      const b = batches.shift()!;
      await runBatch(b.batch, b.defer);
    }
    busy = false;
    if (stopRequested) port.close();
  };
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      stopRequested = true;
      if (!busy) port.close();
      return;
    }
    batches.push({ batch: msg.batch, defer: msg.defer === true });
    void pump();
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

void main();
