/**
 * Worker thread entry: loads the transforms once, then runs the batches of file jobs the main
 * thread sends, answering with one result per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { releaseTrees } from '../nix/parser.js';
import { isPlainSkip, runJob, type FileJob, type JobOptions } from './job.js';
import { loadTransformFile } from './load.js';
import type { ConfiguredTransform } from './process.js';
import type { TransformOptions } from '../transform.js';

export interface WorkerInit {
  transforms: { file: string; options: TransformOptions }[];
  job: JobOptions;
}

export type ToWorker = { type: 'batch'; jobs: FileJob[] } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  /**
   * Results of a batch; `done` on the last message of the batch. A plain skip (no needle: most
   * of nixpkgs) travels as two numbers in `skips` (index, bytes), not as an object to clone.
   */
  | { type: 'results'; results: import('./job.js').FileResult[]; skips: number[]; done: boolean }
  | { type: 'fatal'; message: string };

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  let chain: ConfiguredTransform[];
  try {
    chain = [];
    for (const t of init.transforms) chain.push({ transform: await loadTransformFile(t.file), options: t.options });
  } catch (err) {
    port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
    return;
  }
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    void (async () => {
      // One message per few results, not one per file: the main thread handles every message,
      // and on a tree of 50,000 files that adds up. A file that took long is sent at once.
      let out: import('./job.js').FileResult[] = [];
      let skips: number[] = [];
      let since = performance.now();
      for (const job of msg.jobs) {
        const r = await runJob(job, chain, init.job);
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
      port.postMessage({ type: 'results', results: out, skips, done: true } satisfies FromWorker);
    })();
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

void main();
