/**
 * Worker thread entry: loads the transforms once, then runs the batches of file jobs the main
 * thread sends, answering with one result per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { releaseTrees } from '../nix/parser.js';
import { isPlainSkip, runJob, type FileJob, type FileResult, type JobOptions } from './job.js';
import { loadTransformFile } from './load.js';
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
}

export type ToWorker = { type: 'batch'; jobs: FileJob[] } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  /**
   * Results of a batch; `done` on the last message of the batch. A plain skip (no needle: most
   * of nixpkgs) travels as two numbers in `skips` (index, bytes), not as an object to clone.
   */
  | { type: 'results'; results: import('./job.js').FileResult[]; skips: number[]; done: boolean; stopped?: boolean }
  | { type: 'fatal'; message: string };

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  const { control, abort } = init;
  const epoch = init.epoch ?? Date.now();
  let chain: ConfiguredTransform[];
  try {
    chain = [];
    for (const t of init.transforms) chain.push({ transform: await loadTransformFile(t.file), options: t.options });
  } catch (err) {
    port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
    return;
  }
  // Batches are processed one after the other, never interleaved: `control` names the one file
  // this thread is on, and a batch's results come back in order.
  const batches: FileJob[][] = [];
  let busy = false;
  let stopRequested = false;
  const runBatch = async (jobs: FileJob[]): Promise<void> => {
    // One message per few results, not one per file: the main thread handles every message,
    // and on a tree of 50,000 files that adds up. A file that took long is sent at once.
    let out: FileResult[] = [];
    let skips: number[] = [];
    let since = performance.now();
    let stopped = false;
    for (const job of jobs) {
      if (abort && Atomics.load(abort, 0) !== 0) {
        stopped = true;
        break;
      }
      if (control) {
        Atomics.store(control, 1, Date.now() - epoch);
        Atomics.store(control, 0, job.index);
      }
      const r = await runJob(job, chain, init.job);
      if (control) Atomics.store(control, 0, -1);
      if (isPlainSkip(r)) skips.push(r.index, r.bytes);
      else out.push(r);
      await releaseTrees();
      const now = performance.now();
      if (out.length + skips.length / 2 >= 32 || now - since > 50) {
        port.postMessage({ type: 'results', results: out, skips, done: false } satisfies FromWorker);
        out = [];
        skips = [];
        since = now;
      }
    }
    port.postMessage({ type: 'results', results: out, skips, done: true, ...(stopped ? { stopped } : {}) } satisfies FromWorker);
  };
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (batches.length > 0) await runBatch(batches.shift()!);
    busy = false;
    if (stopRequested) port.close();
  };
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      stopRequested = true;
      if (!busy) port.close();
      return;
    }
    batches.push(msg.jobs);
    void pump();
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

void main();
