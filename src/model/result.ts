/**
 * What a run produces, as data: the status of each file, the outcome of the transforms on one
 * text, the result of one file's job, and the run's summary. The runner fills them; the printers
 * and reports only read them (so neither imports the other).
 */
import type { Finding } from '../transform.js';
import type { ErrorKind } from './errors.js';

export type FileStatus = 'ok' | 'nochange' | 'skip' | 'error';

export interface FileOutcome {
  status: FileStatus;
  /** The new text when status is `ok`. */
  output?: string;
  findings: Finding[];
  /** Why the file is an `error` (or a `skip`, for a skip with a reason). */
  error?: string;
  /** What kind of error (or skip reason) `error` is. */
  errorKind?: ErrorKind;
  /** Transforms that changed the file, in order. */
  changedBy: string[];
}

export interface FileResult {
  index: number;
  path: string;
  status: FileStatus;
  findings: Finding[];
  error?: string;
  /** What kind of error (or skip reason) `error` is. */
  errorKind?: ErrorKind;
  /** Unified diff for changed files (when asked for). */
  diff?: string;
  /** True when the new text was written to disk. */
  written: boolean;
  changedBy: string[];
  bytes: number;
  /** With keepText: the text read and the new text. */
  original?: string;
  output?: string;
  absolute?: string;
  /** With --verify eval: each package of the file evaluated before and after (src/cli/verify-eval.ts). */
  evaluation?: unknown;
  /** With --report: what the chain's report extensions measured, by extension id. */
  measured?: Record<string, unknown>;
}

export interface RunSummary {
  files: number;
  counts: Record<FileStatus, number>;
  written: number;
  findings: number;
  bytes: number;
  elapsedMs: number;
  /** Worker threads used (0: the run stayed on the main thread). */
  workers: number;
}

export interface RunResult {
  summary: RunSummary;
  /** Set when the run was stopped early: why, and how many files found were not processed. */
  interrupted?: { reason: string; notProcessed: number };
  /** Inputs that do not exist. */
  missing: string[];
  /** Folders that could not be read. */
  unreadable: { path: string; reason: string }[];
}
