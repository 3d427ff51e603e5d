/**
 * One file through a chain of transforms: prefilter, parse once, run each transform on the
 * current text, apply its edits, re-parse only when it changed something, and refuse any output
 * that does not parse. No I/O here (see worker.ts / files.ts): this is the pure core the
 * workers, `--run-in-band` and the fixture tests share.
 */
import type { SyntaxNode } from 'tree-sitter';
import { detectStyle, EditBuilder } from '../edit/builder.js';
import { applyEdits, normalizeEdits, OverlappingEditsError, type TextEdit } from '../edit/edits.js';
import { parseNix, type ParsedFile } from '../nix/parser.js';
import { positionAt } from '../nix/position.js';
import { ScopeIndex } from '../nix/scope.js';
import * as syntax from '../nix/syntax.js';
import type { Finding, ReportInput, Transform, TransformApi, TransformOptions } from '../transform.js';

export type FileStatus = 'ok' | 'nochange' | 'skip' | 'error';

export interface FileOutcome {
  status: FileStatus;
  /** The new text when status is `ok`. */
  output?: string;
  findings: Finding[];
  /** Why the file is an `error` (or a `skip`, for a skip with a reason). */
  error?: string;
  /** Transforms that changed the file, in order. */
  changedBy: string[];
}

export interface ConfiguredTransform {
  transform: Transform;
  options: TransformOptions;
}

export interface ProcessOptions {
  /** Parse only files that contain a needle of some transform (default true). */
  prefilter?: boolean;
}

/** True when the text contains a needle of the transform (or the transform has none). */
export function matchesNeedles(text: string, t: Transform): boolean {
  if (t.needles.length === 0) return true;
  for (const n of t.needles) if (text.includes(n)) return true;
  return false;
}

/** Maps offsets of a text after edits back to the text before them. */
class OffsetMap {
  constructor(private readonly steps: TextEdit[][]) {}
  toOriginal(offset: number): number {
    let o = offset;
    for (let s = this.steps.length - 1; s >= 0; s--) {
      let delta = 0;
      let mapped = o;
      for (const e of this.steps[s]!) {
        const newStart = e.start + delta;
        const newEnd = newStart + e.text.length;
        if (o < newStart) break;
        if (o < newEnd) {
          mapped = e.start; // inside inserted text: point at the edit
          delta = NaN;
          break;
        }
        delta += e.text.length - (e.end - e.start);
      }
      o = Number.isNaN(delta) ? mapped : o - delta;
    }
    return o;
  }
}

function describeSyntaxError(p: ParsedFile): string {
  const e = p.syntaxError!;
  return `${e.line}:${e.column}: ${e.message}`;
}

export async function processSource(source: string, path: string, chain: readonly ConfiguredTransform[], opts: ProcessOptions = {}): Promise<FileOutcome> {
  const prefilter = opts.prefilter ?? true;
  const findings: Finding[] = [];
  const changedBy: string[] = [];
  if (prefilter && !chain.some((c) => matchesNeedles(source, c.transform))) {
    return { status: 'skip', findings, changedBy };
  }
  let current = source;
  let parsed: ParsedFile | undefined = parseNix(source);
  if (parsed.syntaxError) {
    return { status: 'error', findings, changedBy, error: describeSyntaxError(parsed) };
  }
  const original = source;
  const steps: TextEdit[][] = [];
  const offsets = new OffsetMap(steps);
  const originalLocation = (offsetInCurrent: number): { line: number; column: number } =>
    positionAt(original, offsets.toOriginal(offsetInCurrent));

  for (const { transform, options } of chain) {
    if (prefilter && !matchesNeedles(current, transform)) continue;
    if (!parsed) {
      parsed = parseNix(current);
      if (parsed.syntaxError) {
        // Cannot happen: every intermediate text was checked when it was produced.
        return { status: 'error', findings, changedBy, error: `internal: intermediate text does not parse (${describeSyntaxError(parsed)})` };
      }
    }
    const p = parsed;
    const style = detectStyle(current, p.blankedCommas.length > 0);
    const edit = new EditBuilder(current, style, transform.name);
    let scopes: ScopeIndex | undefined;
    const local: Finding[] = [];
    const api: TransformApi = {
      parsed: p,
      root: p.root,
      source: current,
      style,
      syntax,
      edit,
      scopes: () => (scopes ??= new ScopeIndex(p.source, p.root)),
      text: (n) => current.slice(n.startIndex, n.endIndex),
      suppressed: () => false,
      report(at: SyntaxNode | number, f: ReportInput) {
        const offset = typeof at === 'number' ? at : at.startIndex;
        const pos = originalLocation(offset);
        const severity = f.severity ?? transform.rules?.[f.rule]?.severity ?? 'warning';
        local.push({ rule: `${transform.name}/${f.rule}`, severity, message: f.message, ...(f.fix ? { fix: f.fix } : {}), line: pos.line, column: pos.column });
      },
    };
    try {
      await transform.transform({ path, source: current }, api, options);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return { status: 'error', findings: [...findings, ...local], changedBy, error: `transform ${transform.name} threw: ${msg}` };
    }
    findings.push(...local);
    if (edit.empty) continue;
    let next: string;
    let normalized: TextEdit[];
    try {
      normalized = normalizeEdits(edit.edits());
      next = applyEdits(current, normalized, style.eol);
    } catch (err) {
      const msg = err instanceof OverlappingEditsError || err instanceof RangeError ? err.message : String(err);
      return { status: 'error', findings, changedBy, error: `transform ${transform.name} produced ${msg}; file left unchanged` };
    }
    if (next === current) continue;
    const reparsed = parseNix(next);
    if (reparsed.syntaxError) {
      return {
        status: 'error',
        findings,
        changedBy,
        error: `transform ${transform.name} produced invalid Nix (${describeSyntaxError(reparsed)} in its output); file left unchanged`,
      };
    }
    steps.push(normalized.map((e) => ({ ...e, text: e.text.replace(/\r?\n/g, style.eol) })));
    changedBy.push(transform.name);
    current = next;
    parsed = reparsed;
  }
  if (current === source) return { status: 'nochange', findings, changedBy };
  return { status: 'ok', output: current, findings, changedBy };
}
