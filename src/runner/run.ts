/**
 * The runner: discover files, load transforms, run the jobs on worker threads (or in band), and
 * hand results to the caller one by one, in path order, so that a single printer on the main
 * thread never interleaves output. Library code: no printing, no process.exit.
 */
import { existsSync } from 'node:fs';
import { HARD_MAX_BYTES } from './files.js';
import { EarlyJobs, findEarlyFiles } from './early.js';
import type { Interrupt } from './interrupt.js';
import { PendingSkip, runThreaded } from './pool.js';
import { JobQueue } from './queue.js';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransformOptions } from '../transform.js';
import { releaseTrees } from '../nix/parser.js';
import { discoverFiles, type DiscoveredFile, type DiscoverResult } from './discover.js';
import { chainNeedles, runJob, type FileJob, type FileResult, type JobOptions } from './job.js';
import { loadTransformFile, resolveTransformSpec } from './load.js';
import type { ConfiguredTransform } from './process.js';
import type { FileStatus, RunResult } from '../model/result.js';
import type { WorkerInit } from './worker.js';

export type { RunResult, RunSummary } from '../model/result.js';
export { Interrupt } from './interrupt.js';
export { JobQueue } from './queue.js';

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
  /** Run the chain's report extensions on changed files (--report; see Transform.reportExtensions). */
  measure?: boolean;
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
/** The default per-file time limit: far above what any real file takes (all-packages.nix: 0.3 s). */
export const DEFAULT_TIME_LIMIT_MS = 60_000;

/** The walk waits while this many files found wait for a thread (memory stays bounded). */
const WALK_AHEAD = 8192;

export function defaultCpus(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : 2;
}


export async function run(opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const cwd = opts.cwd ?? process.cwd();
  const files = resolveFiles(opts.transforms, cwd);
  const jobOpts = jobOptions(opts, cwd);
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
  const discovering = discover(opts, cwd, queue, early, canThread);
  // Enough files for two threads, or the end of discovery, whichever comes first.
  if (canThread) await Promise.race([discovering, queue.reached(2 * FILES_PER_WORKER)]);
  let used = 0;
  let notProcessed = 0;
  if (!canThread || (queue.ended && queue.count < 2 * FILES_PER_WORKER)) {
    notProcessed = await runInBand(queue, chain, { ...jobOpts, inBandTimeLimitMs: timeLimitMs }, emit, discovering, interrupt);
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

function jobOptions(opts: RunOptions, cwd: string): JobOptions {
  return {
    write: opts.write ?? false,
    prefilter: opts.prefilter ?? true,
    diff: opts.diff ?? true,
    keepText: opts.keepText ?? false,
    measure: opts.measure ?? false,
    cwd,
    maxBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    ...(opts.formatter ? { formatter: opts.formatter } : {}),
    ...(opts.verify ? { verify: opts.verify } : {}),
  };
}

/** The walk, feeding the queue (and the early jobs) as it goes; resolves when it is over. */
function discover(opts: RunOptions, cwd: string, queue: JobQueue, early: EarlyJobs<FileResult | PendingSkip>, canThread: boolean): Promise<DiscoverResult> {
  const interrupt = opts.interrupt;
  return discoverFiles(opts.paths, {
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
}

/**
 * In band: no thread to stop, so the time limit is applied around each transform call (in
 * `inBand`). Files are processed as the walk finds them (the walk waits when it is far ahead):
 * memory does not grow with the tree. As with threads, processing starts when the walk is over
 * or has found enough files (a small tree is counted before its first file is processed).
 * Resolves with the number of files not processed (an interrupted run).
 */
async function runInBand(queue: JobQueue, chain: ConfiguredTransform[], inBand: JobOptions, emit: (r: FileResult) => void, discovering: Promise<unknown>, interrupt: Interrupt | undefined): Promise<number> {
  let notProcessed = 0;
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
  return notProcessed;
}
