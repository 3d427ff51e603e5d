/**
 * The printers: each output format is its own module behind one interface (text.ts: diffs or
 * written paths on stdout, findings and errors on stderr; json.ts: one JSON document, streamed;
 * github.ts: GitHub Actions annotations; sarif.ts: one SARIF log with fixes).
 * `createPrinter` picks the one a run asks for. What they share (buffered stdout, stderr that
 * keeps its order with it, the progress line) is in streams.ts.
 */
import type { FileResult, RunSummary } from '../model/result.js';
import type { Sink } from '../model/sink.js';
import type { Severity } from '../transform.js';
import type { ProgressOptions } from './progress.js';

export type { Sink } from '../model/sink.js';

export type PrinterMode = 'diff' | 'write' | 'json' | 'silent' | 'github' | 'sarif';

/** A rule as SARIF's `tool.driver.rules` lists it. */
export interface SarifRule {
  id: string;
  summary: string;
  /** The `explain` text. */
  help: string;
  severity: Severity;
}

export interface PrinterOptions {
  /**
   * diff: diffs on stdout; write: written paths on stdout; json: one document on stdout;
   * silent: nothing on stdout (treefmt mode, --report only).
   */
  mode: PrinterMode;
  stdout: Sink;
  stderr: Sink;
  colour: boolean;
  colourErr: boolean;
  quiet?: boolean;
  /** A progress line on stderr (only when stderr is a terminal). */
  progress?: ProgressOptions;
  /** text, github: the least severity of the findings shown (--severity; -q: warning). */
  minSeverity?: Severity;
  /** github, sarif: paths are given relative to this folder (the repository root), from `cwd`. */
  root?: string;
  cwd?: string;
  /** github, sarif: the run writes files (for the summary line). */
  write?: boolean;
  /** sarif: the tool's version, the rules of the run's transforms, the command line. */
  sarif?: { version: string; rules: SarifRule[]; commandLine?: string };
}

/** What the run reports beside the files, at the end. */
export interface RunEnd {
  missing: string[];
  unreadable: { path: string; reason: string }[];
  interrupted?: { reason: string; notProcessed: number };
}

export interface Printer {
  /** Before the first file. */
  start(): void;
  /** The number of files is known (after discovery). */
  total(n: number): void;
  /** One file's result, in path order. */
  file(r: FileResult): void;
  /** The summary and what is missing, after the last file. */
  end(summary: RunSummary, extra: RunEnd): void;
  /** Unbuffered stdout, for output that is not a file result (the --interactive diffs). */
  readonly out: Sink;
  /** Write what stdout holds (before a question on the terminal). */
  flush(): void;
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** A file's findings as a printer for people shows them: at or above the least severity, in position order. */
export function shownFindings<F extends { severity: Severity; line: number; column: number }>(findings: readonly F[], min: Severity | undefined): F[] {
  const kept = min ? findings.filter((f) => RANK[f.severity] >= RANK[min]) : [...findings];
  return kept.sort((a, b) => a.line - b.line || a.column - b.column);
}

export async function createPrinter(o: PrinterOptions): Promise<Printer> {
  if (o.mode === 'json') return new (await import('./json.js')).JsonPrinter(o);
  if (o.mode === 'github') return new (await import('./github.js')).GithubPrinter(o);
  if (o.mode === 'sarif') return new (await import('./sarif.js')).SarifPrinter(o);
  return new (await import('./text.js')).TextPrinter(o);
}
