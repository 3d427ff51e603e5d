/**
 * One file through a chain of transforms: prefilter, parse once, run each transform on the
 * current text, apply its edits, re-parse only when it changed something, and refuse any output
 * that does not parse. No I/O here (see worker.ts / files.ts): this is the pure core the
 * workers, `--run-in-band` and the fixture tests share.
 */
import type { FileOutcome } from '../model/result.js';
import { failure, skipped, type FileError } from '../model/errors.js';
import vm from 'node:vm';
import type { SyntaxNode } from '../nix/tree.js';
import { detectStyle, EditBuilder, type FileStyle } from '../edit/builder.js';
import { applyEdits, normalizeEdits, OverlappingEditsError, type TextEdit, withEol } from '../edit/edits.js';
import { parseNix, type ParsedFile, releaseParsed, reparseNix } from '../nix/parser.js';
import { MAX_NESTING, nestingDepth } from '../nix/nesting.js';
import { duplicateAttribute, freeUses, insertedRanges, newlyUnbound, touchedNames, usesUnboundNames } from './unbound.js';
import { positionAt } from '../nix/position.js';
import { ScopeIndex } from '../nix/scope.js';
import { coversTransform, describeSuppression, findSuppressions, SUPPRESSION_MARKER, type Suppression } from '../nix/suppressions.js';
import * as syntax from '../nix/syntax.js';
import type { Finding, ReportInput, Transform, TransformApi, TransformOptions } from '../transform.js';
import { closest } from '../util/suggest.js';

export type { FileOutcome, FileStatus } from '../model/result.js';



export interface ConfiguredTransform {
  transform: Transform;
  options: TransformOptions;
}

export interface ProcessOptions {
  /** Parse only files that contain a needle of some transform (default true). */
  prefilter?: boolean;
  /**
   * Stop a transform that runs longer than this (ms) on the file: the file is an error. Used in
   * band, where no thread can be stopped: the synchronous part of a transform is run under V8's
   * watchdog (`vm` timeout, which interrupts even an endless loop), its asynchronous rest is
   * raced against a timer. Worker threads do without it (the runner stops the whole thread).
   */
  timeLimitMs?: number;
}

export class TimeLimitError extends Error {
  constructor(readonly ms: number) {
    super(`not finished after the time limit of ${ms / 1000} s`);
  }
}

const CALL = new vm.Script('globalThis.__nixshiftCall()', { filename: 'nixshift-time-limit' });

/** Run `fn` with a time limit (see ProcessOptions.timeLimitMs). */
export async function withTimeLimit<T>(fn: () => T | Promise<T>, ms: number | undefined): Promise<T> {
  if (!ms || ms <= 0) return fn();
  const g = globalThis as { __nixshiftCall?: () => T | Promise<T> };
  let started: T | Promise<T>;
  g.__nixshiftCall = fn;
  try {
    started = CALL.runInThisContext({ timeout: ms }) as T | Promise<T>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TimeLimitError(ms);
    throw err;
  } finally {
    delete g.__nixshiftCall;
  }
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitError(ms)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(started), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True when the transform may have something to do in the text: it contains a needle (or the
 * transform has none), and the transform's own `prefilter`, if any, agrees.
 */
export function matchesNeedles(text: string, t: Transform, options: TransformOptions = {}): boolean {
  if (t.needles.length > 0 && !t.needles.some((n) => text.includes(n))) return false;
  return t.prefilter ? t.prefilter(text, options) : true;
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

/** The finding for a `# nixshift-ignore` that suppressed nothing. */
export const UNUSED_SUPPRESSION_RULE = 'nixshift/unused-suppression';

/** A suppression of the text a transform works on, tied to the comment of the original file. */
interface LiveSuppression {
  s: Suppression;
  /** `commentStart` of the same comment in the original file; undefined for a comment a transform added. */
  key?: number;
}

/**
 * The `# nixshift-ignore` comments of one file through a chain. They are found on the original
 * text (positions of findings, whole-file skips, used / unused bookkeeping) and found again on
 * every text a transform parses after an earlier transform changed the file (the covered node is
 * a syntactic rule, so applying it to the tree the transform sees keeps the range exact); each
 * re-found comment is tied back to the original one through the offset map.
 */
class SuppressionState {
  readonly original: Suppression[];
  private readonly byStart = new Map<number, Suppression>();
  private readonly used = new Set<number>();

  constructor(
    private readonly source: string,
    root: SyntaxNode,
  ) {
    this.original = findSuppressions(source, root);
    for (const s of this.original) this.byStart.set(s.commentStart, s);
  }

  live(current: string, root: SyntaxNode, toOriginal: (offset: number) => number): LiveSuppression[] {
    if (current === this.source) return this.original.map((s) => ({ s, key: s.commentStart }));
    return findSuppressions(current, root).map((s) => {
      const key = toOriginal(s.commentStart);
      const o = this.byStart.get(key);
      const same = o !== undefined && this.source.slice(o.commentStart, o.commentEnd) === current.slice(s.commentStart, s.commentEnd);
      return same ? { s, key } : { s };
    });
  }

  markUsed(l: LiveSuppression): void {
    if (l.key !== undefined) this.used.add(l.key);
  }

  isUsed(s: Suppression): boolean {
    return this.used.has(s.commentStart);
  }
}

/** Whether an edit touches the range a suppression covers (an insertion at its very start does not). */
function editHits(e: TextEdit, s: Suppression): boolean {
  if (e.start === e.end) return s.start < e.start && e.start < s.end;
  return e.start < s.end && e.end > s.start;
}

function unusedSuppressionFinding(s: Suppression, covered: readonly string[]): Finding {
  const which = s.transforms === 'all' ? `every transform of the run: ${covered.join(', ')}` : covered.join(', ');
  const message = s.dangling
    ? `this \`# nixshift-ignore\` (for ${which}) is followed by no code it could protect`
    : `this \`# nixshift-ignore\` (for ${which}) suppressed nothing: no edit or finding of ${covered.length === 1 ? 'that transform' : 'those transforms'} fell in the code it covers`;
  return {
    rule: UNUSED_SUPPRESSION_RULE,
    severity: 'warning',
    message,
    fix: 'remove the comment, or check that it sits right before the code it should protect',
    line: s.line,
    column: s.column,
  };
}

function describeSyntaxError(p: ParsedFile): string {
  const e = p.syntaxError!;
  return `${e.line}:${e.column}: ${e.message}`;
}

/**
 * The safety net after a transform ran: drop its edits that touch a range suppressed for it
 * (marking that suppression used), and move an insertion at the very start of a suppressed node
 * in front of the suppression comment, so that the comment stays right before the node it
 * protects (only comments and blanks lie between the two: the program is the same).
 */
function netEdits(edits: readonly TextEdit[], mine: readonly LiveSuppression[], markUsed: (l: LiveSuppression) => void): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const hits = mine.filter((l) => editHits(e, l.s));
    if (hits.length > 0) {
      for (const l of hits) markUsed(l);
      continue;
    }
    const before = e.start === e.end ? mine.filter((l) => l.s.start === e.start) : [];
    if (before.length > 0) {
      const to = Math.min(...before.map((l) => l.s.commentStart));
      const blocked = edits.some((o) => o !== e && o.start !== o.end && o.start < e.start && o.end > to);
      if (!blocked) {
        out.push({ ...e, start: to, end: to });
        continue;
      }
    }
    out.push(e);
  }
  return out;
}

export async function processSource(source: string, path: string, chain: readonly ConfiguredTransform[], opts: ProcessOptions = {}): Promise<FileOutcome> {
  // The native trees of this file are freed as soon as it is done (see releaseParsed).
  const made: ParsedFile[] = [];
  try {
    return await processTracked(source, path, chain, opts, made);
  } finally {
    for (const p of made) releaseParsed(p);
  }
}

async function processTracked(source: string, path: string, chain: readonly ConfiguredTransform[], opts: ProcessOptions, made: ParsedFile[]): Promise<FileOutcome> {
  const track = (p: ParsedFile): ParsedFile => (made.push(p), p);
  const prefilter = opts.prefilter ?? true;
  const findings: Finding[] = [];
  const changedBy: string[] = [];
  // A file with a suppression comment is parsed anyway, so that an unused one is reported.
  if (prefilter && !chain.some((c) => matchesNeedles(source, c.transform, c.options)) && !source.includes(SUPPRESSION_MARKER)) {
    return { status: 'skip', findings, changedBy };
  }
  const depth = nestingDepth(source, MAX_NESTING);
  if (depth > MAX_NESTING) {
    return { findings, changedBy, ...skipped('too-deep', `not transformed: nested more than ${MAX_NESTING} levels deep (brackets, interpolations, let … in): generated or malformed input? The file is left as it is`) };
  }
  let current = source;
  let parsed: ParsedFile | undefined = track(parseNix(source));
  if (parsed.syntaxError) {
    return { findings, changedBy, ...failure('syntax', describeSyntaxError(parsed)) };
  }
  const original = source;
  const steps: TextEdit[][] = [];
  const offsets = new OffsetMap(steps);
  const originalLocation = (offsetInCurrent: number): { line: number; column: number } =>
    positionAt(original, offsets.toOriginal(offsetInCurrent));

  const suppressions = new SuppressionState(source, parsed.root);
  const wholeFile = suppressedWholeFile(suppressions, chain);
  if (wholeFile !== undefined) return { findings, changedBy, ...skipped('suppressed', wholeFile) };
  /** Transforms that did not run on the file because a whole-file suppression covers them. */
  const notRun = new Set<string>();
  let live: LiveSuppression[] | undefined; // of `parsed`

  for (const { transform, options } of chain) {
    if (prefilter && !matchesNeedles(current, transform, options)) continue;
    if (!parsed) {
      parsed = track(parseNix(current));
      if (parsed.syntaxError) {
        // Cannot happen: every intermediate text was checked when it was produced.
        return { findings, changedBy, ...failure('internal', `internal: intermediate text does not parse (${describeSyntaxError(parsed)})`) };
      }
    }
    const p = parsed;
    live ??= suppressions.live(current, p.root, (o) => offsets.toOriginal(o));
    const mine = live.filter((l) => !l.s.dangling && coversTransform(l.s, transform.name));
    const whole = mine.filter((l) => l.s.wholeFile);
    if (whole.length > 0) {
      for (const l of whole) suppressions.markUsed(l);
      notRun.add(transform.name);
      continue;
    }
    const style = detectStyle(current, p.blankedCommas.length > 0);
    const edit = new EditBuilder(current, style, transform.name);
    const local: Finding[] = [];
    const api = transformApi({ p, current, style, edit, transform, mine, suppressions, local, originalLocation });
    try {
      await withTimeLimit(() => transform.transform({ path, source: current, root: p.root }, api, options), opts.timeLimitMs);
    } catch (err) {
      if (err instanceof TimeLimitError) {
        return { findings: [...findings, ...local], changedBy, ...failure('timeout', `transform ${transform.name} ${err.message} (stuck in a loop?); file left unchanged (--timeout to change the limit)`) };
      }
      const msg = err instanceof Error ? err.message : String(err);
      return { findings: [...findings, ...local], changedBy, ...failure('transform-threw', `transform ${transform.name} threw: ${msg}`) };
    }
    findings.push(...local);
    const edits = mine.length > 0 ? netEdits(edit.edits(), mine, (l) => suppressions.markUsed(l)) : edit.edits();
    if (edits.length === 0) continue;
    const checked = applyChecked(transform.name, current, p, edits, style, track);
    if (checked === undefined) continue;
    if ('kind' in checked) return { findings, changedBy, ...failure(checked.kind, checked.message) };
    const { next, applied, reparsed } = checked;
    steps.push(applied);
    changedBy.push(transform.name);
    current = next;
    parsed = reparsed;
    live = undefined;
  }
  findings.push(...unusedSuppressions(suppressions, chain, notRun));
  if (current === source) return { status: 'nochange', findings, changedBy };
  return { status: 'ok', output: current, findings, changedBy };
}

interface ApiParts {
  p: ParsedFile;
  current: string;
  style: FileStyle;
  edit: EditBuilder;
  transform: Transform;
  /** The live suppressions that cover this transform. */
  mine: LiveSuppression[];
  suppressions: SuppressionState;
  /** Where the transform's findings go. */
  local: Finding[];
  originalLocation: (offsetInCurrent: number) => { line: number; column: number };
}

/** What a transform is given for one text: the tree, scopes, the edit builder, suppressions, findings. */
function transformApi(a: ApiParts): TransformApi {
  const { p, current, transform, mine, suppressions } = a;
  /** The suppressions of this transform that hold [start, end) (an offset: [at, at+1)). */
  const holding = (start: number, end: number): LiveSuppression[] => mine.filter((l) => l.s.start <= start && end <= l.s.end && start < l.s.end);
  let scopes: ScopeIndex | undefined;
  return {
    parsed: p,
    root: p.root,
    source: current,
    style: a.style,
    syntax,
    edit: a.edit,
    scopes: () => (scopes ??= new ScopeIndex(p.source, p.root, transform.scopeFocus ? { focus: transform.scopeFocus } : {})),
    text: (n) => current.slice(n.startIndex, n.endIndex),
    suppressed(at: SyntaxNode | number): boolean {
      const hits = typeof at === 'number' ? holding(at, at + 1) : holding(at.startIndex, Math.max(at.endIndex, at.startIndex + 1));
      for (const l of hits) suppressions.markUsed(l);
      return hits.length > 0;
    },
    suppressedWithin(node: SyntaxNode): boolean {
      const hits = mine.filter((l) => l.s.start < Math.max(node.endIndex, node.startIndex + 1) && node.startIndex < l.s.end);
      for (const l of hits) suppressions.markUsed(l);
      return hits.length > 0;
    },
    report(at: SyntaxNode | number, f: ReportInput) {
      const offset = typeof at === 'number' ? at : at.startIndex;
      const inside = holding(offset, offset + 1);
      if (inside.length > 0) {
        // safety net: a finding about suppressed code is dropped
        for (const l of inside) suppressions.markUsed(l);
        return;
      }
      const pos = a.originalLocation(offset);
      const severity = f.severity ?? transform.rules?.[f.rule]?.severity ?? 'warning';
      a.local.push({ rule: `${transform.name}/${f.rule}`, severity, message: f.message, ...(f.fix ? { fix: f.fix } : {}), line: pos.line, column: pos.column });
    },
  };
}

/**
 * A transform's edits applied, and its output checked: it parses (re-parsed around the edits),
 * defines no attribute twice, and uses no name that nothing binds. Undefined when the text did
 * not change; the error when the output is refused.
 */
function applyChecked(
  name: string,
  current: string,
  p: ParsedFile,
  edits: readonly TextEdit[],
  style: FileStyle,
  track: (p: ParsedFile) => ParsedFile,
): { next: string; applied: TextEdit[]; reparsed: ParsedFile } | FileError | undefined {
  let next: string;
  let normalized: TextEdit[];
  try {
    normalized = normalizeEdits(edits);
    next = applyEdits(current, normalized, style.eol);
  } catch (err) {
    const msg = err instanceof OverlappingEditsError || err instanceof RangeError ? err.message : String(err);
    return { kind: err instanceof OverlappingEditsError ? 'overlapping-edits' : 'internal', message: `transform ${name} produced ${msg}; file left unchanged` };
  }
  if (next === current) return undefined;
  const applied = normalized.map((e) => ({ ...e, text: withEol(e.text, style.eol) }));
  // Scoping: the names the edits touch (checked after the re-parse below).
  const names = touchedNames(current, applied);
  // The previous tree is edited and re-parsed around the edits only (it is not used again).
  const reparsed = track(reparseNix(p, applied, next));
  if (reparsed.syntaxError) {
    return { kind: 'invalid-output', message: `transform ${name} produced invalid Nix (${describeSyntaxError(reparsed)} in its output); file left unchanged` };
  }
  const twice = duplicateAttribute(next, reparsed.root, insertedRanges(applied));
  if (twice) {
    return { kind: 'duplicate-attribute', message: `transform ${name} produced invalid Nix (its output defines \`${twice.name}\` twice, at ${twice.line}:${twice.column}); file left unchanged` };
  }
  // Free uses of those names after the edits; only when there are some (rare: a fragment, or a
  // transform's mistake) are they compared with before (the old tree was edited by the
  // re-parse: the old text is parsed again), and a text that already used unbound names is
  // not held to it.
  const freeAfter = freeUses(next, reparsed.root, names);
  const old = freeAfter.size > 0 ? track(parseNix(current)).root : undefined;
  const unbound = old ? newlyUnbound(freeUses(current, old, names), freeAfter, next) : undefined;
  if (unbound && !usesUnboundNames(current, old!)) {
    return { kind: 'unbound-name', message: `transform ${name} produced invalid Nix (its output uses \`${unbound.name}\` at ${unbound.line}:${unbound.column} where nothing binds it: undefined variable); file left unchanged` };
  }
  return { next, applied, reparsed };
}

/** Unused suppressions: judged only when every transform of the run they cover ran on the file. */
function unusedSuppressions(suppressions: SuppressionState, chain: readonly ConfiguredTransform[], notRun: ReadonlySet<string>): Finding[] {
  const names = [...new Set(chain.map((c) => c.transform.name))];
  const out: Finding[] = [];
  for (const s of suppressions.original) {
    // a name that is a typo of a transform of the run: it suppresses nothing, and says so
    for (const n of s.transforms === 'all' ? [] : s.transforms.filter((x) => !names.includes(x))) {
      const hint = closest(n, names);
      if (hint === undefined) continue;
      out.push({
        rule: UNUSED_SUPPRESSION_RULE,
        severity: 'warning',
        message: `this \`# nixshift-ignore\` names \`${n}\`, which is no transform of the run (did you mean \`${hint}\`?): it suppresses nothing for it`,
        fix: `write \`${hint}\``,
        line: s.line,
        column: s.column,
      });
    }
    const covered = names.filter((n) => coversTransform(s, n));
    if (covered.length === 0 || covered.some((n) => notRun.has(n)) || suppressions.isUsed(s)) continue;
    out.push(unusedSuppressionFinding(s, covered));
  }
  return out;
}

/** Every transform of the chain suppressed for the whole file (nothing to do): by which comments. */
function suppressedWholeFile(suppressions: SuppressionState, chain: readonly ConfiguredTransform[]): string | undefined {
  const wholeFile = suppressions.original.filter((s) => s.wholeFile);
  if (chain.length === 0 || !chain.every((c) => wholeFile.some((s) => coversTransform(s, c.transform.name)))) return undefined;
  const by = wholeFile.filter((s) => chain.some((c) => coversTransform(s, c.transform.name)));
  const reasons = by.map((s) => s.reason).filter((r): r is string => r !== undefined);
  return `suppressed by ${by.map(describeSuppression).join(', ')}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`;
}
