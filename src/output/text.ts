/**
 * Text output: unified diffs (patch-applicable) or the written paths on stdout, findings, errors
 * and the summary on stderr, so `nixshift run … > change.patch` gives a clean patch. In silent
 * mode (treefmt) nothing goes to stdout.
 */
import { colourDiff } from '../diff/unified.js';
import type { FileResult, RunSummary } from '../model/result.js';
import type { Finding } from '../transform.js';
import { type PrinterMode, type RunEnd, shownFindings } from './printer.js';
import { StreamPrinter } from './streams.js';

export function formatFinding(path: string, f: Finding, colour = false): string {
  const sev = colour ? (f.severity === 'error' ? '\x1b[31merror\x1b[0m' : f.severity === 'warning' ? '\x1b[33mwarning\x1b[0m' : '\x1b[34minfo\x1b[0m') : f.severity;
  let s = `${path}:${f.line}:${f.column}: ${sev}[${f.rule}] ${f.message}\n`;
  if (f.fix) s += `  fix: ${f.fix}\n`;
  return s;
}

/**
 * `path:line:col: error: message` when the message starts with its place (a syntax error), as
 * findings are printed and as editors' quickfix lists read them; `path: error: message` otherwise.
 */
export function formatError(path: string, error: string, colour = false): string {
  const label = colour ? '\x1b[31merror\x1b[0m' : 'error';
  const m = /^(\d+):(\d+): ([\s\S]*)$/.exec(error);
  return m ? `${path}:${m[1]}:${m[2]}: ${label}: ${m[3]}\n` : `${path}: ${label}: ${error}\n`;
}

export function formatSummary(s: RunSummary, mode: PrinterMode): string {
  const secs = s.elapsedMs / 1000;
  // an interrupted run processed fewer files than it found: it says so, and its rate is of those
  const processed = s.counts.ok + s.counts.nochange + s.counts.skip + s.counts.error;
  const rate = secs > 0 ? Math.round(processed / secs) : processed;
  const files = processed < s.files ? `${processed} of ${s.files} files` : `${s.files} file${s.files === 1 ? '' : 's'}`;
  const parts = [`${s.counts.ok} ok`, `${s.counts.nochange} nochange`, `${s.counts.skip} skip`, `${s.counts.error} error`];
  const written = mode === 'write' || s.written > 0 ? `, ${s.written} written` : '';
  return `nixshift: ${parts.join(', ')}${written}; ${files} in ${secs.toFixed(2)}s (${rate} files/s), ${s.findings} finding${s.findings === 1 ? '' : 's'}\n`;
}

export class TextPrinter extends StreamPrinter {
  start(): void {}

  file(r: FileResult): void {
    const { stdout, stderr } = this.streams;
    if (r.status === 'ok') {
      if (this.o.mode === 'write') {
        if (r.written) stdout.write(`${r.path}\n`);
      } else if (this.o.mode === 'diff' && r.diff) {
        stdout.write(this.o.colour ? colourDiff(r.diff) : r.diff);
      }
    }
    for (const f of shownFindings(r.findings, this.o.minSeverity)) stderr.write(formatFinding(r.path, f, this.o.colourErr));
    if (r.status === 'error') stderr.write(formatError(r.path, r.error ?? 'unknown error', this.o.colourErr));
    // A skip with a reason (a size limit, a whole-file suppression) says why.
    if (r.status === 'skip' && r.error) stderr.write(`${r.path}: skip: ${r.error}\n`);
    this.streams.progress?.tick();
  }

  end(summary: RunSummary, extra: RunEnd): void {
    const { stderr } = this.streams;
    this.streams.progress?.clear();
    for (const m of extra.missing) stderr.write(`${m}: error: no such file or directory\n`);
    for (const u of extra.unreadable) stderr.write(`${u.path}: error: cannot read: ${u.reason}\n`);
    if (!this.o.quiet) stderr.write(formatSummary(summary, this.o.mode));
    if (extra.interrupted) {
      const n = extra.interrupted.notProcessed;
      const listed = summary.written > 0 && this.o.mode === 'write' ? ' (listed above)' : '';
      stderr.write(`nixshift: interrupted (${extra.interrupted.reason}): ${summary.written} file${summary.written === 1 ? '' : 's'} written before the stop${listed}; ${n} file${n === 1 ? '' : 's'} not processed, left as they were\n`);
    }
    this.streams.flush();
  }
}
