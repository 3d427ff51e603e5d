/**
 * The transform API. A transform is a module exporting (as `default` or as named exports):
 *
 *   name         the id used with `-t`
 *   description  one line, shown by `nixshift list`
 *   needles      literal strings; a file containing none of them is not parsed (status `skip`)
 *   rules        optional: rule id → { severity, summary } for the findings it reports
 *   transform(file, api, options)   records edits through `api.edit` and findings through
 *                `api.report`; may be async. Throwing marks the file `error`.
 *
 * Built-in transforms live in `transforms/<name>/index.ts`, with their explanation (what / why /
 * example / when not to use it) in `transforms/<name>/README.md`, printed by `nixshift explain`.
 */
import type { SyntaxNode } from './nix/tree.js';
import type { EditBuilder, FileStyle } from './edit/builder.js';
import type { ParsedFile } from './nix/parser.js';
import type { ScopeIndex } from './nix/scope.js';
import type * as syntax from './nix/syntax.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** `<transform>/<rule>` */
  rule: string;
  severity: Severity;
  message: string;
  /** What to do about it. */
  fix?: string;
  /** 1-based, in the original file. */
  line: number;
  column: number;
}

export interface RuleMeta {
  severity: Severity;
  summary: string;
}

export type OptionValue = string | boolean;
export type TransformOptions = Record<string, OptionValue>;

export interface TransformFile {
  /** The path as given to / found by the runner (relative to the current directory when possible). */
  path: string;
  /** The text this transform works on (after earlier transforms of the same run). */
  source: string;
  /** Its syntax tree (the same as `api.root`). */
  root: SyntaxNode;
}

export interface ReportInput {
  /** A rule id of this transform (`rule`), reported as `<transform>/<rule>`. */
  rule: string;
  message: string;
  severity?: Severity;
  fix?: string;
}

export interface TransformApi {
  readonly parsed: ParsedFile;
  readonly root: SyntaxNode;
  readonly source: string;
  readonly style: FileStyle;
  /** Scope resolution for this parse (built on first use). */
  scopes(): ScopeIndex;
  /** Syntax helpers (nixshift/src/nix/syntax). */
  readonly syntax: typeof syntax;
  /** Record edits here. */
  readonly edit: EditBuilder;
  /** Report a finding at a node or offset. */
  report(at: SyntaxNode | number, finding: ReportInput): void;
  /** The text of a node in the original source. */
  text(node: { startIndex: number; endIndex: number }): string;
  /**
   * True when a `# nixshift-ignore` comment covers this node (or offset) for this transform.
   * Call it where the transform would otherwise rewrite something, and leave that thing alone
   * (a true answer marks the suppression as used). The runner also drops any edit or finding
   * that falls inside a suppressed range, as a safety net.
   */
  suppressed(at: SyntaxNode | number): boolean;
  /**
   * True when a `# nixshift-ignore` comment for this transform covers any part of this node (the
   * node itself, or something inside it): for a transform that rewrites a construct as a whole
   * and must leave it whole when part of it is suppressed. A true answer marks those used.
   */
  suppressedWithin(node: SyntaxNode): boolean;
}

/** One file's measurement by a report extension. */
export interface Measured<T> {
  /** The file's display path. */
  path: string;
  data: T;
}

/**
 * A transform's addition to `--report`. The core knows nothing of what it measures: it calls
 * `measure` in the worker on each changed file (the text read and the final text), keeps what it
 * returns with the file's result, and asks the extension for its part of each report. Several
 * transforms may share one extension (the same `id`): it then runs once per file.
 */
export interface ReportExtension<T = unknown> {
  /** Unique among the extensions of a run; the key of the file's data (`measured[id]`). */
  id: string;
  /** Cheap (it runs once per changed file); undefined: nothing to report. The data must be plain JSON. */
  measure(original: string, output: string): T | undefined;
  /** The run's Markdown section (heading included) from every measured file, in path order; [] for none. */
  markdown(files: readonly Measured<T>[]): string[];
  /**
   * The HTML report's parts, escaped by the extension (src/report/markup.ts): CSS rules for the
   * page's style sheet, a section for the page's header, and a block per file (by path) shown
   * under the file's heading. The page allows no script, image or resource from an extension.
   */
  html(files: readonly Measured<T>[]): { style?: string; section?: string; files: Record<string, string> };
}

export interface Transform {
  name: string;
  description: string;
  needles: readonly string[];
  rules?: Readonly<Record<string, RuleMeta>>;
  /**
   * A finer text test, run after the needles matched: false means the transform has nothing to
   * do in this text, which is then not parsed for it (e.g. a `symlinkJoin` with no CUDA name in
   * the file). Must be cheap and must never say false where the transform could act.
   */
  prefilter?(text: string, options: TransformOptions): boolean;
  /**
   * Names the transform's scope questions are about. With it, `api.scopes()` is a focused
   * index (see ScopeIndexOptions.focus): only subtrees mentioning one of these strings (or an
   * alias of them) are analysed, which keeps large files such as `all-packages.nix` fast.
   */
  scopeFocus?: readonly string[];
  /**
   * What the change does, for commit titles (`<attr>: <changeSummary>`), lower case, no full
   * stop; e.g. `migrate from cudatoolkit to cudaPackages`. Default: `apply <name>`.
   */
  changeSummary?: string;
  /**
   * Options the transform understands: name → description (shown by `explain`). When given, any
   * other name is refused before the run (with a suggestion).
   */
  options?: Readonly<Record<string, string>>;
  /**
   * Check the options' values once, before the run (the command line's and the config's): a
   * message saying what is wrong, or undefined. A bad value then stops the run up front instead
   * of failing once per file.
   */
  checkOptions?(options: TransformOptions): string | undefined;
  /**
   * What the transform adds to `--report` (e.g. the CUDA transforms' closure estimate): measured
   * on every file the run changes while the transform is in the chain, shown by both reports.
   */
  reportExtensions?: readonly ReportExtension[];
  transform(file: TransformFile, api: TransformApi, options: TransformOptions): void | Promise<void>;
}

function isReportExtension(x: unknown): boolean {
  const e = x as Partial<ReportExtension> | null;
  return !!e && typeof e === 'object' && typeof e.id === 'string' && e.id !== '' && [e.measure, e.markdown, e.html].every((f) => typeof f === 'function');
}

/** Validate the shape of a loaded module (a user's transform may be anything). */
export function asTransform(mod: unknown, origin: string): Transform {
  const m = (mod && typeof mod === 'object' && 'default' in mod && (mod as { default: unknown }).default) || mod;
  const t = m as Partial<Transform>;
  const problems: string[] = [];
  if (!t || typeof t !== 'object') problems.push('it exports nothing usable');
  else {
    if (typeof t.name !== 'string' || t.name === '') problems.push('`name` (string) is missing');
    if (typeof t.transform !== 'function') problems.push('`transform` (function) is missing');
    if (t.needles !== undefined && (!Array.isArray(t.needles) || t.needles.some((n) => typeof n !== 'string'))) problems.push('`needles` must be an array of strings');
    if (t.prefilter !== undefined && typeof t.prefilter !== 'function') problems.push('`prefilter` must be a function');
    if (t.reportExtensions !== undefined && (!Array.isArray(t.reportExtensions) || !t.reportExtensions.every(isReportExtension))) {
      problems.push('`reportExtensions` must be an array of { id, measure, markdown, html }');
    }
  }
  if (problems.length > 0) throw new Error(`${origin} is not a nixshift transform: ${problems.join('; ')}`);
  return { ...(t as Transform), description: t.description ?? '', needles: t.needles ?? [] };
}
