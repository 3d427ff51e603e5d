/**
 * The first step of a file's job, as light as it can be: read the bytes and test the prefilter.
 * Most files of nixpkgs end here (a `skip`), and a worker thread that only does this never loads
 * the parser or a transform (see worker.ts).
 */
import { failure, skipped } from '../model/errors.js';
import type { Finding, TransformOptions } from '../transform.js';
import type { FileResult } from '../model/result.js';
import { HARD_MAX_BYTES, readRaw } from './files.js';
import { nativeScanner, type Scanner } from '../nix/binding.js';

export type { FileResult } from '../model/result.js';

export interface FileJob {
  index: number;
  absolute: string;
  display: string;
  /** Options for this file only (config overrides), per transform name, over the chain's. */
  overrides?: Record<string, TransformOptions>;
  /** Where the new text goes when it is not `absolute` (a symbolic link named on the command line). */
  real?: string;
  /** Why the file must not be written (a link to a file outside the paths given). */
  writeRefusal?: string;
  /**
   * Found by the walk, listed as a regular file: read without a type check first. A file named
   * on the command line may be anything (a FIFO, a device), so its type is checked before it is
   * read.
   */
  walked?: boolean;
}

export interface JobOptions {
  write: boolean;
  prefilter: boolean;
  /** Compute the unified diff of changed files. */
  diff: boolean;
  /** Keep the original and new text of changed files in the result (--commit, --interactive). */
  keepText?: boolean;
  /** Run the chain's report extensions on changed files (--report). */
  measure?: boolean;
  /** A shell command that formats Nix from stdin to stdout, applied to changed files. */
  formatter?: string;
  /** Check the new text with `nix-instantiate --parse` (this command) before it is written. */
  verify?: string;
  /** Working folder for the formatter. */
  cwd?: string;
  /** Files larger than this (bytes) are not read: `skip` with the reason. 0: no limit (up to HARD_MAX_BYTES). */
  maxBytes?: number;
  /** In band only: the per-file time limit of each transform (see ProcessOptions.timeLimitMs). */
  inBandTimeLimitMs?: number;
}


/** A skip with nothing to say: it travels as its index and size (see `PendingSkip` in run.ts). */
export function isPlainSkip(r: FileResult): boolean {
  return r.status === 'skip' && r.error === undefined && r.findings.length === 0 && r.changedBy.length === 0 && !r.written;
}

/** The needles whose bytes the native scanner of this thread looks for (see `Prefilter.quickSkip`). */
let scannerNeedles: readonly string[] | undefined;

/**
 * The prefilter on bytes: a file that contains none of the needles (literal strings, matched by
 * their UTF-8 bytes) is a plain skip, never decoded nor parsed.
 */
export class Prefilter {
  private readonly re: RegExp;
  constructor(readonly needles: readonly string[]) {
    // One regular expression over the bytes read as latin1 (each byte one character, so a UTF-8
    // needle is matched by its bytes): one pass instead of one `Buffer.includes` per needle.
    this.re = new RegExp(needles.map((n) => Buffer.from(n, 'utf8').toString('latin1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  }

  test(buf: Buffer): boolean {
    return this.re.test(buf.toString('latin1'));
  }

  /**
   * The native fast path for a file the walk listed as regular (see `scan` in
   * native/binding.cc): its size when it is a plain skip (read whole, at most `limit` bytes, no
   * needle), else -1 (the ordinary way then reads it again and says what it is). Most files of
   * nixpkgs end here without a buffer, a string or an object for the garbage collector.
   */
  quickSkip(job: FileJob, limit: number): number {
    if (!job.walked) return -1;
    const scanner = this.scanner();
    return scanner ? scanner.scan(job.absolute, limit) : -1;
  }

  /**
   * `quickSkip` for a whole packed batch of walked files, in one native call (see `scanBatch` in
   * native/binding.cc): one size or -1 per file, in order, fewer when `abort` was set; or
   * undefined when the binding cannot (then each file takes `quickSkip`). `control` is kept as
   * the thread keeps it for a file read from JavaScript (see worker.ts).
   */
  scanBatch(batch: PackedFiles, limit: number, control: Int32Array | undefined, epoch: number, abort: Int32Array | undefined): Float64Array | undefined {
    const scanner = this.scanner();
    if (!scanner?.scanBatch || batch.index.length === 0) return undefined;
    return scanner.scanBatch(batch.paths, limit, batch.index, control ?? null, epoch, abort ?? null);
  }

  private scanner(): Scanner | null {
    const scanner = nativeScanner();
    if (scanner && scannerNeedles !== this.needles) {
      scanner.setNeedles([...this.needles]);
      scannerNeedles = this.needles;
    }
    return scanner;
  }
}

/** The most bytes `intake` reads of a file. */
export function intakeLimit(opts: Pick<JobOptions, 'maxBytes'>): number {
  return opts.maxBytes ? Math.min(opts.maxBytes, HARD_MAX_BYTES) : HARD_MAX_BYTES;
}

/**
 * Read the file and test the prefilter (when given): the final result (a skip, an error), or
 * the bytes of a file that must be processed. The bytes may be a view of a buffer reused by the
 * next call: decode or copy them before reading another file.
 */
export function intake(job: FileJob, prefilter: Prefilter | undefined, opts: Pick<JobOptions, 'maxBytes'>, scanned = false): FileResult | { candidate: Buffer } {
  const base = { index: job.index, path: job.display, findings: [] as Finding[], written: false, changedBy: [] as string[], bytes: 0 };
  // A file over the size limit is not read at all (nor a FIFO, nor a device).
  const limit = intakeLimit(opts);
  // `scanned`: its batch was scanned natively already (`Prefilter.scanBatch`), and it is no plain skip.
  if (prefilter && !scanned) {
    const size = prefilter.quickSkip(job, limit);
    if (size >= 0) return { ...base, bytes: size, status: 'skip' };
  }
  const raw = readRaw(job.absolute, limit, !job.walked);
  if (!raw.ok) {
    if ('reason' in raw) return { ...base, ...failure('unreadable', raw.reason) };
    const mb = (n: number): string => `${(n / (1 << 20)).toFixed(1)} MiB`;
    const why = limit === opts.maxBytes ? `over the size limit of ${mb(limit)} (--max-file-size); raise the limit to process it` : `over the largest size nixshift reads (${mb(HARD_MAX_BYTES)})`;
    return { ...base, bytes: raw.tooLarge, ...skipped('too-large', `not read: ${mb(raw.tooLarge)} is ${why}`) };
  }
  if (prefilter && !prefilter.test(raw.buf)) return { ...base, bytes: raw.buf.length, status: 'skip' };
  return { candidate: raw.buf };
}

/**
 * A batch of jobs as it travels to a worker thread. Most jobs of a run are files the walk found,
 * with no options of their own, whose display path ends their absolute path: those travel as
 * one string and two arrays (cloning 50,000 small objects costs the main thread more than
 * walking does).
 */
export type PackedJobs = { jobs: FileJob[] } | PackedFiles;
/** Walked files with no options of their own: absolute paths joined by NULs, their indices, and where each display path starts. */
export interface PackedFiles {
  index: Int32Array;
  paths: string;
  cut: Int32Array;
}

export function packJobs(jobs: readonly FileJob[]): PackedJobs {
  for (const j of jobs) {
    if (!j.walked || j.overrides || j.real || j.writeRefusal || !j.absolute.endsWith(j.display) || j.absolute.includes('\0')) return { jobs: [...jobs] };
  }
  const index = new Int32Array(jobs.length);
  const cut = new Int32Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    index[i] = jobs[i]!.index;
    cut[i] = jobs[i]!.absolute.length - jobs[i]!.display.length;
  }
  return { index, paths: jobs.map((j) => j.absolute).join('\0'), cut };
}

export function unpackJobs(p: PackedJobs): FileJob[] {
  if ('jobs' in p) return p.jobs;
  const paths = p.paths.split('\0');
  return paths.map((absolute, i) => ({ index: p.index[i]!, absolute, display: absolute.slice(p.cut[i]), walked: true }));
}
