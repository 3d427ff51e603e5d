/**
 * The runner: discover files, load transforms, run the jobs on worker threads (or in band), and
 * hand results to the caller one by one, in path order, so that a single printer on the main
 * thread never interleaves output. Library code: no printing, no process.exit.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TransformOptions } from '../transform.js';
import { releaseTrees } from '../nix/parser.js';
import { discoverFiles, type DiscoveredFile } from './discover.js';
import { runJob, skipResult, type FileJob, type FileResult, type JobOptions } from './job.js';
import { loadTransformFile, resolveTransformSpec } from './load.js';
import type { ConfiguredTransform, FileStatus } from './process.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

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
}

export interface RunSummary {
  files: number;
  counts: Record<FileStatus, number>;
  written: number;
  findings: number;
  bytes: number;
  elapsedMs: number;
  workers: number;
}

export interface RunResult {
  summary: RunSummary;
  /** Inputs that do not exist. */
  missing: string[];
  /** Folders that could not be read. */
  unreadable: { path: string; reason: string }[];
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

export function defaultCpus(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : 2;
}

/**
 * Jobs as discovery finds them: the walk pushes, the worker pool (or the in-band loop) takes.
 * Taken jobs are dropped (the pool keeps the ones in flight, to name a crashed worker's files).
 */
class JobQueue {
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
    return batch;
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
      if (!check()) this.listeners.push(() => void check());
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

  // Discovery feeds the queue while it walks; workers start as soon as there is enough to do.
  const queue = new JobQueue();
  const discovering = discoverFiles(opts.paths, {
    cwd,
    ignorePatterns: opts.ignorePatterns,
    ignoreRelativeTo: opts.ignoreRelativeTo,
    gitignore: opts.gitignore,
    onFile: (f: DiscoveredFile) => {
      const overrides = opts.fileOptions?.(f.absolute);
      queue.push({ index: queue.count, absolute: f.absolute, display: f.display, ...(overrides ? { overrides } : {}) });
    },
  }).then((d) => {
    if (!opts.runInBand) queue.largestFirst();
    queue.end();
    opts.onStart?.(queue.count);
    return d;
  });
  const requested = opts.runInBand ? 1 : Math.max(1, opts.cpus ?? defaultCpus());
  const canThread = requested > 1 && existsSync(WORKER_FILE);
  // Enough files for two threads, or the end of discovery, whichever comes first.
  if (canThread) await Promise.race([discovering, queue.reached(2 * FILES_PER_WORKER)]);
  let used = 1;
  if (!canThread || (queue.ended && queue.count < 2 * FILES_PER_WORKER)) {
    await discovering;
    for (const job of queue.take(queue.available)) {
      emit(await runJob(job, chain, jobOpts));
      await releaseTrees();
    }
  } else {
    used = queue.ended ? Math.min(requested, Math.ceil(queue.count / FILES_PER_WORKER)) : requested;
    await runThreaded(queue, { transforms: files, job: jobOpts }, used, emit);
  }
  const discovered = await discovering;
  return {
    summary: { files: queue.count, counts, written, findings, bytes, elapsedMs: performance.now() - started, workers: used },
    missing: discovered.missing,
    unreadable: discovered.unreadable,
  };
}

function resolveFiles(requests: TransformRequest[], cwd: string): WorkerInit['transforms'] {
  return requests.map((r) => ({ file: resolveTransformSpec(r.spec, cwd), options: r.options }));
}

async function runThreaded(queue: JobQueue, init: WorkerInit, count: number, emit: (r: FileResult) => void): Promise<void> {
  const pending = new Map<number, FileResult>();
  let nextToEmit = 0;
  const deliver = (r: FileResult): void => {
    pending.set(r.index, r);
    while (pending.has(nextToEmit)) {
      const ready = pending.get(nextToEmit)!;
      pending.delete(nextToEmit);
      nextToEmit++;
      emit(ready);
    }
  };
  // Small batches while the walk goes on (keep every thread fed), larger ones at the end.
  const batchSize = (): number =>
    queue.ended ? Math.max(1, Math.min(256, Math.ceil(queue.available / (count * 8)))) : Math.min(2 * CHUNK, queue.available);
  await new Promise<void>((resolveAll, rejectAll) => {
    let alive = count;
    let failed = false;
    const workers: Worker[] = [];
    const outstanding = new Map<Worker, number>(); // batches in flight
    const inFlight = new Map<Worker, Map<number, FileJob>>(); // jobs not yet answered
    const hungry = new Set<Worker>(); // ready for work, none available yet
    const send = (w: Worker): boolean => {
      if (queue.available === 0) return false;
      const batch = queue.take(batchSize());
      for (const j of batch) inFlight.get(w)!.set(j.index, j);
      outstanding.set(w, (outstanding.get(w) ?? 0) + 1);
      w.postMessage({ type: 'batch', jobs: batch } satisfies ToWorker);
      return true;
    };
    /** Give a thread work; when there is none: stop it if discovery is over, else wait. */
    const feed = (w: Worker, want: number): void => {
      for (let i = 0; i < want; i++) send(w);
      if ((outstanding.get(w) ?? 0) > 0) {
        hungry.delete(w);
        return;
      }
      if (queue.ended) {
        hungry.delete(w);
        w.postMessage({ type: 'stop' } satisfies ToWorker);
      } else {
        hungry.add(w);
      }
    };
    // While the walk goes on, wake a waiting thread only for a chunk of work, not for every file.
    queue.onChange(() => {
      if (hungry.size > 0 && (queue.ended || queue.available >= CHUNK)) for (const w of [...hungry]) feed(w, 2);
    });
    for (let i = 0; i < count; i++) {
      const w = new Worker(WORKER_FILE, { workerData: init });
      workers.push(w);
      inFlight.set(w, new Map());
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          // two batches in flight keep the thread busy while the next one is on its way
          feed(w, 2);
        } else if (msg.type === 'results') {
          const mine = inFlight.get(w)!;
          for (const r of msg.results) {
            mine.delete(r.index);
            deliver(r);
          }
          for (let i = 0; i < msg.skips.length; i += 2) {
            const index = msg.skips[i]!;
            const job = mine.get(index);
            if (!job) continue;
            mine.delete(index);
            deliver(skipResult(job, msg.skips[i + 1]!));
          }
          if (msg.done) {
            outstanding.set(w, outstanding.get(w)! - 1);
            feed(w, 1);
          }
        } else if (msg.type === 'fatal') {
          failed = true;
          for (const other of workers) void other.terminate();
          rejectAll(new Error(msg.message));
        }
      });
      w.on('error', (err) => {
        // A worker that dies takes its unanswered files with it: report them as errors.
        for (const [index, job] of inFlight.get(w)!) {
          deliver({ index, path: job.display, status: 'error', findings: [], written: false, changedBy: [], bytes: 0, error: `worker crashed: ${err.message}` });
        }
        inFlight.get(w)!.clear();
        hungry.delete(w);
      });
      w.on('exit', () => {
        alive--;
        hungry.delete(w);
        if (alive === 0 && !failed) {
          // Anything never sent (all workers died) is an error too; wait for the walk to end.
          const finish = (): void => {
            for (const job of queue.take(queue.available)) {
              deliver({ index: job.index, path: job.display, status: 'error', findings: [], written: false, changedBy: [], bytes: 0, error: 'not processed: every worker thread stopped' });
            }
            if (queue.ended) resolveAll();
          };
          queue.onChange(finish);
          finish();
        }
      });
    }
  });
}
