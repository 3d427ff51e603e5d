/**
 * Worker thread entry: loads the transforms once, then runs the batches of file jobs the main
 * thread sends, answering with one result per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type FileJob, type JobOptions } from './job.js';
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
  | { type: 'result'; result: import('./job.js').FileResult }
  | { type: 'batch-done' }
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
      for (const job of msg.jobs) {
        const result = await runJob(job, chain, init.job);
        port.postMessage({ type: 'result', result } satisfies FromWorker);
      }
      port.postMessage({ type: 'batch-done' } satisfies FromWorker);
    })();
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

void main();
