/**
 * Collects what a --report needs while the run streams its results (only the files worth
 * showing are kept: changed, erroneous or with findings), and writes the report file in the
 * format its name asks for: `.html`/`.htm` → one self-contained page, anything else → Markdown.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileResult, FileStatus, RunResult } from '../model/result.js';
import type { ReportExtension } from '../transform.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { ReportData, ReportFile } from './model.js';

export class ReportCollector {
  private readonly files: ReportFile[] = [];

  add(r: FileResult): void {
    if (r.status !== 'ok' && r.status !== 'error' && r.findings.length === 0) return;
    const f: ReportFile = { path: r.path, status: r.status, changedBy: r.changedBy, findings: r.findings };
    if (r.error !== undefined) f.error = r.error;
    if (r.errorKind !== undefined) f.errorKind = r.errorKind;
    if (r.diff !== undefined) f.diff = r.diff;
    if (r.measured !== undefined) f.measured = r.measured;
    this.files.push(f);
  }

  data(o: { command: string; transforms: string[]; version: string; result: RunResult; written: boolean; now?: Date }): ReportData {
    const counts: Record<FileStatus, number> = { ...o.result.summary.counts };
    return {
      tool: { name: 'nixshift', version: o.version },
      generatedAt: (o.now ?? new Date()).toISOString(),
      command: o.command,
      transforms: o.transforms,
      counts,
      files: this.files,
      missing: o.result.missing,
      unreadable: o.result.unreadable,
      written: o.written,
    };
  }
}

export function renderReport(file: string, data: ReportData, extensions: readonly ReportExtension[] = []): string {
  return /\.html?$/i.test(file) ? renderHtml(data, extensions) : renderMarkdown(data, extensions);
}

/** Write the report (temp file + rename, so a reader never sees half a report). */
export function writeReport(file: string, data: ReportData, extensions: readonly ReportExtension[] = []): void {
  const text = renderReport(file, data, extensions);
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
