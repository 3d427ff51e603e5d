/**
 * One file's job, as a worker (or the main thread with --run-in-band) runs it: read, process,
 * diff, and write when asked. The result is small and serialisable; the printer on the main
 * thread turns it into output.
 */
import type { Finding } from '../transform.js';
import { unifiedDiff } from '../report/diff.js';
import { readNixFile, writeFileAtomic } from './files.js';
import { type ConfiguredTransform, type FileStatus, processSource } from './process.js';

export interface FileJob {
  index: number;
  absolute: string;
  display: string;
}

export interface JobOptions {
  write: boolean;
  prefilter: boolean;
  /** Compute the unified diff of changed files. */
  diff: boolean;
}

export interface FileResult {
  index: number;
  path: string;
  status: FileStatus;
  findings: Finding[];
  error?: string;
  /** Unified diff for changed files (when asked for). */
  diff?: string;
  /** True when the new text was written to disk. */
  written: boolean;
  changedBy: string[];
  bytes: number;
}

export async function runJob(job: FileJob, chain: readonly ConfiguredTransform[], opts: JobOptions): Promise<FileResult> {
  const base = { index: job.index, path: job.display, findings: [] as Finding[], written: false, changedBy: [] as string[], bytes: 0 };
  const read = await readNixFile(job.absolute);
  if (!read.ok) return { ...base, status: 'error', error: read.reason };
  let outcome;
  try {
    outcome = await processSource(read.text, job.display, chain, { prefilter: opts.prefilter });
  } catch (err) {
    return { ...base, bytes: read.bytes, status: 'error', error: `internal error: ${err instanceof Error ? err.message : String(err)}` };
  }
  const result: FileResult = { ...base, bytes: read.bytes, status: outcome.status, findings: outcome.findings, changedBy: outcome.changedBy };
  if (outcome.error) result.error = outcome.error;
  if (outcome.status === 'ok' && outcome.output !== undefined) {
    if (opts.diff) result.diff = unifiedDiff(job.display, read.text, outcome.output);
    if (opts.write) {
      try {
        await writeFileAtomic(job.absolute, outcome.output);
        result.written = true;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        result.status = 'error';
        result.error = `cannot write: ${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EROFILE' ? 'the file is read-only' : (e.code ?? e.message)}; the original file is unchanged`;
      }
    }
  }
  return result;
}
