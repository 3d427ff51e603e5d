/**
 * The one printer: turns per-file results (already in path order) into output.
 *
 * - text mode: unified diffs on stdout (patch-applicable), findings/errors and the summary on
 *   stderr, so `nixshift run … > change.patch` gives a clean patch;
 * - JSON mode: one JSON document on stdout, streamed file by file (memory does not grow with the
 *   number of files).
 */
import type { FileResult, RunSummary } from '../model/result.js';
import type { Finding } from '../transform.js';
import { colourDiff } from '../diff/unified.js';
import type { Sink } from '../model/sink.js';
import { Progress, type ProgressOptions } from './progress.js';

export type { Sink } from '../model/sink.js';

export interface PrinterOptions {
  /**
   * diff: diffs on stdout; write: written paths on stdout; json: one document on stdout;
   * silent: nothing on stdout (treefmt mode, --report only).
   */
  mode: 'diff' | 'write' | 'json' | 'silent';
  stdout: Sink;
  stderr: Sink;
  colour: boolean;
  colourErr: boolean;
  quiet?: boolean;
  /** A progress line on stderr (only when stderr is a terminal). */
  progress?: ProgressOptions;
}

export function formatFinding(path: string, f: Finding, colour = false): string {
  const sev = colour ? (f.severity === 'error' ? '\x1b[31merror\x1b[0m' : f.severity === 'warning' ? '\x1b[33mwarning\x1b[0m' : '\x1b[34minfo\x1b[0m') : f.severity;
  let s = `${path}:${f.line}:${f.column}: ${sev}[${f.rule}] ${f.message}\n`;
  if (f.fix) s += `  fix: ${f.fix}\n`;
  return s;
}

export function formatSummary(s: RunSummary, mode: PrinterOptions['mode']): string {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(s.files / secs) : s.files;
  const parts = [`${s.counts.ok} ok`, `${s.counts.nochange} nochange`, `${s.counts.skip} skip`, `${s.counts.error} error`];
  const written = mode === 'write' || s.written > 0 ? `, ${s.written} written` : '';
  return `nixshift: ${parts.join(', ')}${written}; ${s.files} file${s.files === 1 ? '' : 's'} in ${secs.toFixed(2)}s (${rate} files/s), ${s.findings} finding${s.findings === 1 ? '' : 's'}\n`;
}

export class Printer {
  private first = true;
  private readonly progress?: Progress;
  private readonly stdout: Sink;
  private readonly stderr: Sink;
  constructor(private readonly o: PrinterOptions) {
    if (o.progress) this.progress = new Progress(o.stderr, o.progress);
    // Output that is not going to a terminal is written in chunks of 64 KiB, not a write per
    // file (a run over nixpkgs prints 50,000 JSON entries). Anything on stderr first flushes
    // stdout, so the two keep their relative order; any output first erases the progress line.
    const interactive = (o.stdout as { isTTY?: boolean }).isTTY === true;
    this.stdout = {
      write: (t: string) => {
        this.progress?.clear();
        if (interactive) {
          o.stdout.write(t);
          return;
        }
        this.pending += t;
        if (this.pending.length >= 1 << 16) this.flush();
      },
    };
    this.stderr = {
      write: (t: string) => {
        this.progress?.clear();
        this.flush();
        o.stderr.write(t);
      },
    };
  }

  private pending = '';

  /** Write what stdout holds. */
  flush(): void {
    if (this.pending === '') return;
    const t = this.pending;
    this.pending = '';
    this.o.stdout.write(t);
  }

  start(): void {
    if (this.o.mode === 'json') this.stdout.write('{"files":[');
  }

  /** The number of files is known (after discovery). */
  total(n: number): void {
    this.progress?.start(n);
  }

  /** Unbuffered stdout, for output that is not a file result (the --interactive diffs). */
  get out(): Sink {
    return {
      write: (t: string) => {
        this.progress?.clear();
        this.flush();
        this.o.stdout.write(t);
      },
    };
  }

  file(r: FileResult): void {
    this.fileOutput(r);
    this.progress?.tick();
  }

  private fileOutput(r: FileResult): void {
    const { mode } = this.o;
    const { stdout, stderr } = this;
    if (mode === 'json') {
      // Most entries of a run over nixpkgs are plain skips: written from a template.
      if (r.status === 'skip' && r.findings.length === 0 && r.error === undefined && r.changedBy.length === 0 && !r.written && !r.diff) {
        stdout.write(`${this.first ? '\n' : ',\n'}{"path":${JSON.stringify(r.path)},"status":"skip","findings":[],"error":null}`);
        this.first = false;
        return;
      }
      const entry: Record<string, unknown> = { path: r.path, status: r.status, findings: r.findings, error: r.error ?? null, ...(r.errorKind ? { errorKind: r.errorKind } : {}) };
      if (r.changedBy.length > 0) entry.changedBy = r.changedBy;
      if (r.diff) entry.diff = r.diff;
      if (r.written) entry.written = true;
      stdout.write(`${this.first ? '\n' : ',\n'}${JSON.stringify(entry)}`);
      this.first = false;
      return;
    }
    if (r.status === 'ok') {
      if (mode === 'write') {
        if (r.written) stdout.write(`${r.path}\n`);
      } else if (mode === 'diff' && r.diff) {
        stdout.write(this.o.colour ? colourDiff(r.diff) : r.diff);
      }
    }
    for (const f of r.findings) stderr.write(formatFinding(r.path, f, this.o.colourErr));
    if (r.status === 'error') stderr.write(`${r.path}: ${this.o.colourErr ? '\x1b[31merror\x1b[0m' : 'error'}: ${r.error ?? 'unknown error'}\n`);
    // A skip with a reason (a size limit, a whole-file suppression) says why.
    if (r.status === 'skip' && r.error) stderr.write(`${r.path}: skip: ${r.error}\n`);
  }

  end(summary: RunSummary, extra: { missing: string[]; unreadable: { path: string; reason: string }[]; interrupted?: { reason: string; notProcessed: number } }): void {
    this.progress?.clear();
    const { mode } = this.o;
    const { stdout, stderr } = this;
    if (mode === 'json') {
      const doc = {
        summary: {
          files: summary.files,
          ok: summary.counts.ok,
          nochange: summary.counts.nochange,
          skip: summary.counts.skip,
          error: summary.counts.error,
          written: summary.written,
          findings: summary.findings,
          elapsedMs: Math.round(summary.elapsedMs),
          workers: summary.workers,
        },
        missing: extra.missing,
        unreadable: extra.unreadable,
        ...(extra.interrupted ? { interrupted: { signal: extra.interrupted.reason, notProcessed: extra.interrupted.notProcessed } } : {}),
      };
      stdout.write(`${this.first ? '' : '\n'}],${JSON.stringify(doc).slice(1)}\n`);
      this.flush();
      return;
    }
    for (const m of extra.missing) stderr.write(`${m}: error: no such file or directory\n`);
    for (const u of extra.unreadable) stderr.write(`${u.path}: error: cannot read: ${u.reason}\n`);
    if (!this.o.quiet) stderr.write(formatSummary(summary, mode));
    if (extra.interrupted) {
      const n = extra.interrupted.notProcessed;
      stderr.write(
        `nixshift: interrupted (${extra.interrupted.reason}): ${summary.written} file${summary.written === 1 ? '' : 's'} written before the stop${summary.written > 0 && mode === 'write' ? ' (listed above)' : ''}; ${n} file${n === 1 ? '' : 's'} not processed, left as they were\n`,
      );
    }
    this.flush();
  }
}
