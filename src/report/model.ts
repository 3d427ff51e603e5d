/**
 * The data behind `--report <file>.md|.html`: what the run collected, independent of the format.
 * The runner fills it (src/cli/run.ts via the ReportCollector); renderers (markdown.ts, html.ts) only read
 * it, so both formats always tell the same story.
 */
import type { ErrorKind } from '../model/errors.js';
import type { FileStatus } from '../model/result.js';
import type { Finding, Measured } from '../transform.js';


export interface ReportFile {
  /** Display path (relative to the current folder, POSIX separators). */
  path: string;
  status: FileStatus;
  /** Transforms that changed the file, in order. */
  changedBy: string[];
  findings: Finding[];
  error?: string;
  /** Its kind (src/model/errors.ts). */
  errorKind?: ErrorKind;
  /** Unified diff (original → new) when the file changed. */
  diff?: string;
  /** What the run's report extensions measured, by extension id (src/transform.ts, ReportExtension). */
  measured?: Record<string, unknown>;
}

export interface ReportData {
  tool: { name: string; version: string };
  /** ISO time the report was made. */
  generatedAt: string;
  /** The command line, for the reader (`nixshift run -t … pkgs/`). */
  command: string;
  /** Transforms of the run, in order. */
  transforms: string[];
  /** Every file of the run by status (skip and nochange files without findings are only counted). */
  counts: Record<FileStatus, number>;
  /** Files worth showing: changed, erroneous, or with findings; in path order. */
  files: ReportFile[];
  /** Paths that did not exist, folders that could not be read. */
  missing: string[];
  unreadable: { path: string; reason: string }[];
  written: boolean;
}

/** The files an extension measured, with its data, in the report's (path) order. */
export function measuredBy(files: readonly ReportFile[], id: string): Measured<unknown>[] {
  const out: Measured<unknown>[] = [];
  for (const f of files) if (f.measured && id in f.measured) out.push({ path: f.path, data: f.measured[id] });
  return out;
}
