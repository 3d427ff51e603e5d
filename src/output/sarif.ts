/**
 * `--format sarif`: one SARIF 2.1.0 log on stdout, for code scanning and SARIF viewers. One run
 * per invocation: `tool.driver` with every rule of the run's transforms (id, summary, the
 * `explain` text as help, default level), a result per finding and per file error, located in
 * its file (relative to the repository root, `SRCROOT`), and each changed file's rewrite as a
 * SARIF `fix` on a `<transform>/rewrite` result: artifact changes whose replacements (whole
 * lines, as the diff has them) turn the original into the new text when applied.
 */
import { pathToFileURL } from 'node:url';
import { diffLines } from 'diff';
import { ERROR_KINDS, type ErrorKind } from '../model/errors.js';
import type { FileResult, RunSummary } from '../model/result.js';
import type { Finding, Severity } from '../transform.js';
import { placeOfError } from './github.js';
import type { RunEnd, SarifRule } from './printer.js';
import { StreamPrinter } from './streams.js';
import { formatSummary } from './text.js';

const LEVEL: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'note' };

interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
}

/** Lines of a text with their line endings (the last may have none). */
function lines(text: string): string[] {
  const out = text.split(/(?<=\n)/);
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * The replacements that turn `original` into `output`: one per changed block of lines, its
 * deleted region from the start of its first line to the start of the line after it (an empty
 * region where lines are only inserted), with character offsets beside the lines and columns.
 */
export function replacements(original: string, output: string): { deletedRegion: Region; insertedContent?: { text: string } }[] {
  const out: { deletedRegion: Region; insertedContent?: { text: string } }[] = [];
  const old = lines(original);
  const starts: number[] = [0];
  for (const l of old) starts.push(starts[starts.length - 1]! + l.length);
  let line = 0; // index of the next original line
  let pending: { from: number; to: number; text: string } | undefined;
  const flush = (): void => {
    if (!pending) return;
    const { from, to, text } = pending;
    const region: Region = { startLine: from + 1, startColumn: 1, charOffset: starts[from]!, charLength: starts[to]! - starts[from]! };
    if (to === old.length && to > from && !old[to - 1]!.endsWith('\n')) {
      // up to the end of a last line without a line ending
      region.endLine = to;
      region.endColumn = old[to - 1]!.length + 1;
    } else {
      region.endLine = to + 1;
      region.endColumn = 1;
    }
    out.push({ deletedRegion: region, ...(text !== '' ? { insertedContent: { text } } : {}) });
    pending = undefined;
  };
  for (const c of diffLines(original, output)) {
    const n = lines(c.value).length;
    if (c.removed) {
      pending ??= { from: line, to: line, text: '' };
      pending.to = line + n;
      line += n;
    } else if (c.added) {
      pending ??= { from: line, to: line, text: '' };
      pending.text += c.value;
    } else {
      flush();
      line += n;
    }
  }
  flush();
  return out;
}

export class SarifPrinter extends StreamPrinter {
  private readonly results: unknown[] = [];
  private readonly seenRules = new Set<string>();
  private readonly artifacts = new Set<string>();

  start(): void {}

  private location(uri: string, region?: Region): unknown {
    this.artifacts.add(uri);
    return { physicalLocation: { artifactLocation: { uri, uriBaseId: 'SRCROOT' }, ...(region ? { region } : {}) } };
  }

  file(r: FileResult): void {
    const uri = this.repoPath(r.path);
    for (const f of r.findings) this.results.push(this.findingResult(uri, f));
    if (r.status === 'error') {
      const at = placeOfError(r.error ?? '');
      const ruleId = `nixshift/${r.errorKind ?? 'internal'}`;
      this.seenRules.add(ruleId);
      this.results.push({ ruleId, level: 'error', message: { text: r.error ?? 'unknown error' }, locations: [this.location(uri, at ? { startLine: at.line, startColumn: at.col } : undefined)] });
    }
    if (r.status === 'ok' && r.original !== undefined && r.output !== undefined) {
      const ruleId = `${r.changedBy[0] ?? 'nixshift'}/rewrite`;
      this.seenRules.add(ruleId);
      this.results.push({
        ruleId,
        level: 'note',
        message: { text: `${r.written ? 'rewritten' : 'would be rewritten'} by ${r.changedBy.join(', ')}` },
        locations: [this.location(uri, { startLine: 1, startColumn: 1 })],
        fixes: [
          {
            description: { text: `the rewrite of ${r.changedBy.join(', ')}` },
            artifactChanges: [{ artifactLocation: { uri, uriBaseId: 'SRCROOT' }, replacements: replacements(r.original, r.output) }],
          },
        ],
      });
    }
    this.streams.progress?.tick();
  }

  private findingResult(uri: string, f: Finding): unknown {
    this.seenRules.add(f.rule);
    const text = f.fix ? `${f.message}\nfix: ${f.fix}` : f.message;
    return { ruleId: f.rule, level: LEVEL[f.severity], message: { text }, locations: [this.location(uri, { startLine: f.line, startColumn: f.column })] };
  }

  end(summary: RunSummary, extra: RunEnd): void {
    const { stdout, stderr } = this.streams;
    this.streams.progress?.clear();
    for (const m of extra.missing) this.results.push(this.missingResult(`${m}: no such file or directory`));
    for (const u of extra.unreadable) this.results.push(this.missingResult(`${u.path}: cannot read: ${u.reason}`));
    const info = this.o.sarif;
    const known = new Map((info?.rules ?? []).map((r) => [r.id, r]));
    const rules: SarifRule[] = [...(info?.rules ?? [])];
    for (const id of [...this.seenRules].sort()) {
      if (known.has(id)) continue;
      const kind = id.startsWith('nixshift/') ? (id.slice('nixshift/'.length) as ErrorKind) : undefined;
      const e = kind ? ERROR_KINDS[kind] : undefined;
      rules.push(e ? { id, summary: e.title, help: e.help, severity: 'error' } : { id, summary: id, help: id, severity: 'warning' });
    }
    const root = this.o.root ?? this.o.cwd ?? process.cwd();
    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'nixshift',
              version: info?.version ?? '0',
              rules: rules.map((r) => ({
                id: r.id,
                shortDescription: { text: r.summary },
                help: { text: r.help },
                defaultConfiguration: { level: LEVEL[r.severity] },
              })),
            },
          },
          invocations: [{ executionSuccessful: summary.counts.error === 0 && extra.missing.length === 0 && extra.unreadable.length === 0, ...(info?.commandLine ? { commandLine: info.commandLine } : {}) }],
          originalUriBaseIds: { SRCROOT: { uri: `${pathToFileURL(root).href.replace(/\/?$/, '/')}` } },
          columnKind: 'utf16CodeUnits',
          artifacts: [...this.artifacts].sort().map((uri) => ({ location: { uri, uriBaseId: 'SRCROOT' } })),
          results: this.results,
        },
      ],
    };
    stdout.write(`${JSON.stringify(log, null, 2)}\n`);
    if (!this.o.quiet) stderr.write(formatSummary(summary, this.o.write ? 'write' : 'diff'));
    this.streams.flush();
  }

  /** A path named that does not exist, or a folder that cannot be read: no file to point at. */
  private missingResult(text: string): unknown {
    this.seenRules.add('nixshift/unreadable');
    return { ruleId: 'nixshift/unreadable', level: 'error', message: { text } };
  }
}
