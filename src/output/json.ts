/**
 * `--json`: one JSON document on stdout, streamed file by file (memory does not grow with the
 * number of files): `{"files":[…],"summary":{…},"missing":[…],"unreadable":[…]}`.
 */
import type { FileResult, RunSummary } from '../model/result.js';
import type { RunEnd } from './printer.js';
import { StreamPrinter } from './streams.js';

export class JsonPrinter extends StreamPrinter {
  private first = true;

  start(): void {
    this.streams.stdout.write('{"files":[');
  }

  file(r: FileResult): void {
    this.streams.stdout.write(`${this.first ? '\n' : ',\n'}${entry(r)}`);
    this.first = false;
    this.streams.progress?.tick();
  }

  end(summary: RunSummary, extra: RunEnd): void {
    this.streams.progress?.clear();
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
    this.streams.stdout.write(`${this.first ? '' : '\n'}],${JSON.stringify(doc).slice(1)}\n`);
    this.streams.flush();
  }
}

/** One file's entry. */
function entry(r: FileResult): string {
  // Most entries of a run over nixpkgs are plain skips: written from a template.
  if (r.status === 'skip' && r.findings.length === 0 && r.error === undefined && r.changedBy.length === 0 && !r.written && !r.diff) {
    return `{"path":${JSON.stringify(r.path)},"status":"skip","findings":[],"error":null}`;
  }
  const e: Record<string, unknown> = { path: r.path, status: r.status, findings: r.findings, error: r.error ?? null, ...(r.errorKind ? { errorKind: r.errorKind } : {}) };
  if (r.changedBy.length > 0) e.changedBy = r.changedBy;
  if (r.diff) e.diff = r.diff;
  if (r.written) e.written = true;
  if (r.evaluation !== undefined) e.evaluation = r.evaluation;
  return JSON.stringify(e);
}
