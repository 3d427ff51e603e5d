/**
 * `--format github`: GitHub Actions workflow commands on stdout, one per finding and per file
 * error, which GitHub shows as annotations on the pull request's lines:
 *
 *   ::warning file=pkgs/foo/default.nix,line=12,col=5,title=<rule>::<message>%0Afix: <fix>
 *
 * `::error` for errors, `::warning` for warnings, `::notice` for info, and a `::notice` on each
 * file that is (or would be) rewritten. Paths are relative to the
 * repository root (where the workflow checks the repository out). No diff is printed; the
 * summary stays on stderr.
 */
import type { FileResult, RunSummary } from '../model/result.js';
import type { Finding, Severity } from '../transform.js';
import { type RunEnd, shownFindings } from './printer.js';
import { StreamPrinter } from './streams.js';
import { formatSummary } from './text.js';

const COMMAND: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'notice' };

/** The data of a workflow command: `%`, CR and LF escaped. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value of a workflow command: as data, and `:` and `,` too. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::<command> <k=v,…>::<message>` */
export function workflowCommand(command: string, props: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${list ? ` ${list}` : ''}::${escapeData(message)}\n`;
}

/** `4:16: syntax error …`: the place an error message starts with, if it does. */
export function placeOfError(message: string): { line: number; col: number } | undefined {
  const m = /^(\d+):(\d+): /.exec(message);
  return m ? { line: Number(m[1]), col: Number(m[2]) } : undefined;
}

export class GithubPrinter extends StreamPrinter {
  start(): void {}

  file(r: FileResult): void {
    const { stdout } = this.streams;
    const file = this.repoPath(r.path);
    if (r.status === 'ok' && r.changedBy.length > 0) {
      const what = `${r.written ? 'rewritten' : 'would be rewritten'} by ${r.changedBy.join(', ')}`;
      stdout.write(workflowCommand('notice', { file, title: `${r.changedBy[0]}/rewrite` }, what));
    }
    for (const f of shownFindings(r.findings, this.o.minSeverity)) stdout.write(findingCommand(file, f));
    if (r.status === 'error') {
      const at = placeOfError(r.error ?? '');
      stdout.write(workflowCommand('error', { file, line: at?.line, col: at?.col, title: `nixshift/${r.errorKind ?? 'internal'}` }, r.error ?? 'unknown error'));
    }
    this.streams.progress?.tick();
  }

  end(summary: RunSummary, extra: RunEnd): void {
    const { stdout, stderr } = this.streams;
    this.streams.progress?.clear();
    for (const m of extra.missing) stdout.write(workflowCommand('error', { title: 'nixshift/unreadable' }, `${m}: no such file or directory`));
    for (const u of extra.unreadable) stdout.write(workflowCommand('error', { file: this.repoPath(u.path), title: 'nixshift/unreadable' }, `cannot read: ${u.reason}`));
    if (!this.o.quiet) stderr.write(formatSummary(summary, this.o.write ? 'write' : 'diff'));
    this.streams.flush();
  }
}

export function findingCommand(file: string, f: Finding): string {
  return workflowCommand(COMMAND[f.severity], { file, line: f.line, col: f.column, title: f.rule }, f.fix ? `${f.message}\nfix: ${f.fix}` : f.message);
}
