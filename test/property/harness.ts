/**
 * The property checks shared by properties.test.ts (generated files) and mutations.test.ts
 * (mutated fixtures): run one input through every chain (each built-in transform alone, and all
 * three together), prefilter on and off, and check
 *
 *  - `no-throw`              processSource never throws;
 *  - `no-error`              no `error` status for a valid input, unless it is an expected refusal
 *                            (an error that is not one of BUG_ERRORS, e.g. a time limit; such
 *                            refusals are counted and printed, not failed on);
 *  - `output-parses`         every `ok` output parses with parseNix;
 *  - `idempotent`            the chain run again on an output changes nothing;
 *  - `prefilter-equivalent`  prefilter on and off give the same text (the prefilter may only
 *                            skip work that would change nothing);
 *  - `nix-parse`             `nix-instantiate --parse` accepts every output whose input it accepts
 *                            (checked in batches after all cases, see `nixRejected`);
 *
 * and, on failure, shrink the input (`shrink`) and format a report with the seed, the chain,
 * the property and the minimal input (`formatFailures`).
 */
import { spawnSync } from 'node:child_process';
import type { SyntaxNode } from '../../src/nix/tree.js';
import { expect, it } from 'vitest';
import { parseNix, releaseTrees } from '../../src/nix/parser.js';
import { type ConfiguredTransform, type FileOutcome, matchesNeedles, processSource } from '../../src/runner/process.js';
import type { Transform, TransformOptions } from '../../src/transform.js';
import { loadBuiltin } from '../helpers/fixtures.js';
import { newDuplicates } from '../helpers/duplicates.js';
import { silentJoins } from '../helpers/joins.js';
import { IN_CI, NIX_INSTANTIATE, warnMissingNix } from '../helpers/nix.js';
import { Rng } from './generate/index.js';

export const TRANSFORM_NAMES = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'] as const;

/** Settings from the environment: fast by default, more cases or one replayed case on demand. */
export const ENV = {
  /** Replay one case: its seed (a number, as printed by a failure). */
  seed: process.env.NIXSHIFT_PROPERTY_SEED !== undefined && process.env.NIXSHIFT_PROPERTY_SEED !== '' ? Number(process.env.NIXSHIFT_PROPERTY_SEED) >>> 0 : undefined,
  /** Number of cases (default per test file). */
  cases: process.env.NIXSHIFT_PROPERTY_CASES ? Number(process.env.NIXSHIFT_PROPERTY_CASES) : undefined,
  /** Base seed of the run (default fixed: the same cases every run). */
  baseSeed: process.env.NIXSHIFT_PROPERTY_BASE_SEED ? Number(process.env.NIXSHIFT_PROPERTY_BASE_SEED) >>> 0 : 0x6e697873,
};

export type Property = 'no-throw' | 'no-error' | 'output-parses' | 'no-duplicates' | 'never-silent' | 'idempotent' | 'prefilter-equivalent' | 'nix-parse' | 'valid-input';

export interface ChainSpec {
  name: string;
  /** The transform names, in order. */
  names: readonly string[];
}

export const CHAINS: readonly ChainSpec[] = [
  ...TRANSFORM_NAMES.map((n) => ({ name: n, names: [n] })),
  { name: 'all three', names: TRANSFORM_NAMES },
];

let loaded: Map<string, Transform> | undefined;
export async function builtins(): Promise<Map<string, Transform>> {
  if (!loaded) {
    const m = new Map<string, Transform>();
    for (const n of TRANSFORM_NAMES) m.set(n, await loadBuiltin(n));
    loaded = m;
  }
  return loaded;
}

/** Transform options for a case (the defaults most of the time), from its seed. */
export function caseOptions(seed: number): Record<string, TransformOptions> {
  const r = new Rng(seed ^ 0x0b7105);
  const out: Record<string, TransformOptions> = {};
  for (const n of TRANSFORM_NAMES) out[n] = {};
  if (r.chance(0.3)) {
    out['cudatoolkit-to-redist'] = r.pick<TransformOptions>([
      { style: 'explicit' },
      { 'version-attr': 'cudaVersion' },
      { 'cuda-libs': 'libcublas,libcusparse' },
      { style: 'explicit', 'cuda-libs': 'libcufft' },
    ]);
  }
  if (r.chance(0.15)) out['symlinkjoin-to-propagated'] = { 'all-joins': true };
  return out;
}

export function describeOptions(opts: Record<string, TransformOptions>): string {
  const parts = Object.entries(opts)
    .filter(([, o]) => Object.keys(o).length > 0)
    .map(([n, o]) => Object.entries(o).map(([k, v]) => `-o ${n}:${k}=${String(v)}`).join(' '));
  return parts.length === 0 ? '(default options)' : parts.join(' ');
}

function configure(spec: ChainSpec, ts: Map<string, Transform>, opts: Record<string, TransformOptions>): ConfiguredTransform[] {
  return spec.names.map((n) => ({ transform: ts.get(n)!, options: opts[n] ?? {} }));
}

/**
 * Error messages of processSource that are bugs, not refusals: a transform that throws, an
 * internal inconsistency, edits that cannot be applied, output that does not parse.
 */
export const BUG_ERRORS: readonly RegExp[] = [/^transform \S+ threw/, /^internal/, /^transform \S+ produced /, /produced invalid Nix/, /overlapping edits/];

/** The runner's scoping safety net: the output uses a name nothing binds. */
export const UNBOUND_ERROR = /produced invalid Nix \(its output uses `([^`]+)` at \d+:\d+ where nothing binds it/;
/** The runner's safety net: the output defines an attribute twice. */
export const TWICE_ERROR = /produced invalid Nix \(its output defines `([^`]+)` twice/;

const nixValidity = new Map<string, { closed: boolean; open: boolean }>();
/** Whether Nix accepts the text as is (closed) and with free variables allowed (open); cached. */
function nixValid(text: string): { closed: boolean; open: boolean } {
  let v = nixValidity.get(text);
  if (!v) {
    const closed = nixMessage(text, 'closed') === undefined;
    v = { closed, open: closed || nixMessage(text, 'open') === undefined };
    if (nixValidity.size > 10_000) nixValidity.clear();
    nixValidity.set(text, v);
  }
  return v;
}

/**
 * Whether an `error` of processSource for `input` is a bug (else an expected refusal). The
 * safety nets of the runner refuse an output that uses an unbound name or defines an attribute
 * twice: that is a bug of the transform when the input was valid Nix in that respect (closed,
 * resp. without the duplicate), and a fair refusal when the input already was not (a file with
 * free variables, a mutation defining an attribute twice). Without nix-instantiate: a bug when
 * the name does not occur in the input.
 */
export function isBugError(message: string | undefined, input: string): boolean {
  if (message === undefined) return true;
  const unbound = UNBOUND_ERROR.exec(message);
  if (unbound) return NIX_INSTANTIATE ? nixValid(input).closed : !new RegExp(`(^|[^\\w'-])${unbound[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w'-])`).test(input);
  if (TWICE_ERROR.test(message)) return NIX_INSTANTIATE ? nixValid(input).open : true;
  return BUG_ERRORS.some((re) => re.test(message));
}

export interface Failure {
  property: Property;
  chain: string;
  prefilter: boolean;
  detail: string;
  /** The input of the case. */
  input: string;
}

export interface CaseResult {
  failures: Failure[];
  /** Every `ok` output, for the nix-instantiate check. */
  outputs: { chain: string; prefilter: boolean; output: string }[];
  /** Errors that are not bugs (expected refusals), by message. */
  refusals: string[];
  statuses: Record<string, number>;
}

type Run = { outcome: FileOutcome } | { thrown: string };

async function run(text: string, chain: ConfiguredTransform[], prefilter: boolean): Promise<Run> {
  try {
    return { outcome: await processSource(text, 'generated.nix', chain, { prefilter }) };
  } catch (err) {
    return { thrown: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) };
  }
}

/**
 * Every property (but `nix-parse`) for one input through every chain, or only the given chain
 * and prefilter setting (when shrinking).
 */
export async function checkInput(input: string, opts: Record<string, TransformOptions>, only?: { chain: string; prefilter?: boolean }): Promise<CaseResult> {
  const ts = await builtins();
  const res: CaseResult = { failures: [], outputs: [], refusals: [], statuses: {} };
  for (const spec of CHAINS) {
    if (only && only.chain !== spec.name) continue;
    const chain = configure(spec, ts, opts);
    // A single transform whose needles (and own prefilter) match runs exactly as without the
    // prefilter: reuse that run instead of doing it twice.
    const same = chain.length === 1 && matchesNeedles(input, chain[0]!.transform, chain[0]!.options);
    const byPrefilter = new Map<boolean, Run>();
    const seconds = new Map<string, Run>();
    for (const prefilter of [false, true]) {
      if (only?.prefilter !== undefined && only.prefilter !== prefilter) continue;
      const r = prefilter && same ? (byPrefilter.get(false) ?? (await run(input, chain, false))) : await run(input, chain, prefilter);
      byPrefilter.set(prefilter, r);
      const fail = (property: Property, detail: string): void => {
        res.failures.push({ property, chain: spec.name, prefilter, detail, input });
      };
      if ('thrown' in r) {
        fail('no-throw', r.thrown);
        continue;
      }
      const o = r.outcome;
      res.statuses[o.status] = (res.statuses[o.status] ?? 0) + 1;
      if (o.status === 'error') {
        if (isBugError(o.error, input)) fail('no-error', o.error ?? '(no message)');
        else res.refusals.push(o.error!);
        continue;
      }
      // never silent: every CUDA join rewritten or reported at the join
      if (spec.name === 'symlinkjoin-to-propagated' && !prefilter && (o.status === 'ok' || o.status === 'nochange')) {
        const silent = silentJoins(input, o.output ?? input, o.findings);
        if (silent.length > 0) fail('never-silent', `CUDA joins neither rewritten nor reported: ${silent.join(', ')}`);
      }
      if (o.status !== 'ok') continue;
      const out = o.output!;
      const p = parseNix(out);
      if (p.syntaxError) {
        fail('output-parses', `${p.syntaxError.line}:${p.syntaxError.column}: ${p.syntaxError.message}\n--- output ---\n${out}`);
        continue;
      }
      res.outputs.push({ chain: spec.name, prefilter, output: out });
      const dups = newDuplicates(input, out);
      if (dups.length > 0) fail('no-duplicates', `packages added twice: ${dups.join(', ')}\n--- output ---\n${out}`);
      // (the same memo trick: a single transform whose needles match the output runs the same)
      const key = `${prefilter && !(chain.length === 1 && matchesNeedles(out, chain[0]!.transform, chain[0]!.options))}\0${out}`;
      const second = seconds.get(key) ?? (await run(out, chain, prefilter));
      seconds.set(key, second);
      if ('thrown' in second) fail('idempotent', `the second run threw: ${second.thrown}\n--- first output ---\n${out}`);
      else if (second.outcome.status === 'error' && isBugError(second.outcome.error, out)) fail('idempotent', `the second run is an error: ${second.outcome.error}\n--- first output ---\n${out}`);
      else if (second.outcome.status === 'ok') fail('idempotent', `the second run changed the output again:\n--- first output ---\n${out}\n--- second output ---\n${second.outcome.output}`);
    }
    if (!only || only.prefilter === undefined) {
      const off = byPrefilter.get(false);
      const on = byPrefilter.get(true);
      if (off && on && 'outcome' in off && 'outcome' in on && off.outcome.status !== 'error' && on.outcome.status !== 'error') {
        const a = off.outcome.output ?? input;
        const b = on.outcome.output ?? input;
        if (a !== b) {
          res.failures.push({
            property: 'prefilter-equivalent',
            chain: spec.name,
            prefilter: true,
            detail: `prefilter on: ${on.outcome.status}, off: ${off.outcome.status}\n--- output with the prefilter ---\n${b}\n--- output without ---\n${a}`,
            input,
          });
        }
      }
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// nix-instantiate --parse, batched

/** How a text is given to Nix: as is, or under `with { };` so that free variables are accepted. */
export type NixMode = 'closed' | 'open';

function nixText(text: string, mode: NixMode): string {
  const t = text.replace(/^\uFEFF/, '');
  return mode === 'closed' ? `(\n${t}\n)` : `(with { }; (\n${t}\n))`;
}

/** One nix-instantiate call over a list of texts: undefined when it accepts all, else its error. */
function nixBatch(texts: readonly string[], mode: NixMode): { ok: true } | { ok: false; line?: number } {
  const input = `[\n${texts.map((t) => nixText(t, mode)).join('\n')}\n]\n`;
  const r = spawnSync('nix-instantiate', ['--parse', '-'], { input, encoding: 'utf8', stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  if (r.status === 0) return { ok: true };
  const at = /«stdin»:(\d+):\d+/.exec(r.stderr);
  return at ? { ok: false, line: Number(at[1]) } : { ok: false };
}

/** The index of the text a line of the batch of `texts` falls in (see `nixBatch`). */
function textAtLine(texts: readonly string[], mode: NixMode, line: number): number | undefined {
  let at = 2; // line 1 is `[`
  for (let i = 0; i < texts.length; i++) {
    const n = nixText(texts[i]!, mode).split('\n').length;
    if (line >= at && line < at + n) return i;
    at += n;
  }
  return undefined;
}

/**
 * Indexes of the texts nix-instantiate rejects. One call per chunk when all are accepted; on an
 * error, the position Nix reports says which text it is: that one is set aside and the rest
 * checked again (bisection when the error has no position).
 */
export function nixRejected(texts: readonly string[], mode: NixMode, chunk = 300): number[] {
  const bad: number[] = [];
  const check = (idx: number[]): void => {
    let rest = idx;
    while (rest.length > 0) {
      const r = nixBatch(rest.map((i) => texts[i]!), mode);
      if (r.ok) return;
      const hit = r.line !== undefined ? textAtLine(rest.map((i) => texts[i]!), mode, r.line) : undefined;
      if (hit === undefined || rest.length === 1) {
        if (rest.length === 1) {
          bad.push(rest[0]!);
          return;
        }
        const mid = rest.length >> 1;
        check(rest.slice(0, mid));
        check(rest.slice(mid));
        return;
      }
      bad.push(rest[hit]!);
      rest = rest.filter((_, j) => j !== hit);
    }
  };
  for (let i = 0; i < texts.length; i += chunk) check(Array.from({ length: Math.min(chunk, texts.length - i) }, (_, j) => i + j));
  return bad.sort((a, b) => a - b);
}

/** nix-instantiate's message for one text (undefined when it accepts it). */
export function nixMessage(text: string, mode: NixMode): string | undefined {
  const input = mode === 'closed' ? text.replace(/^\uFEFF/, '') : nixText(text, mode);
  const r = spawnSync('nix-instantiate', ['--parse', '-'], { input, encoding: 'utf8', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stderr.trim();
}

export interface NixCase {
  /** Index of the case, to find its seed. */
  index: number;
  input: string;
  outputs: { chain: string; prefilter: boolean; output: string }[];
}

export interface NixCheck {
  failures: (Failure & { index: number; mode: NixMode })[];
  /** Inputs nix-instantiate rejects even with free variables allowed. */
  invalidInputs: number[];
  checkedOutputs: number;
}

/**
 * The `nix-parse` property for many cases at once: each distinct input with outputs is checked
 * closed (as is); one Nix rejects is checked open (under `with { };`); an input rejected both
 * ways is not valid Nix (e.g. a mutation that defines an attribute twice) and its outputs are not
 * judged. With `allInputs`, the inputs without outputs are checked (open) too.
 * Each distinct output is then checked in its input's mode: a closed input must give a closed
 * output (a transform must not introduce an undefined variable either).
 */
export function nixCheck(cases: readonly NixCase[], opts: { allInputs: boolean }): NixCheck {
  // inputs with outputs are checked closed, then open; the others (when all inputs must be Nix) open
  const withOutputs = [...new Set(cases.filter((c) => c.outputs.length > 0).map((c) => c.input))];
  const closedBad = new Set(nixRejected(withOutputs, 'closed').map((i) => withOutputs[i]!));
  const others = opts.allInputs ? [...new Set(cases.filter((c) => c.outputs.length === 0).map((c) => c.input))] : [];
  const openCandidates = [...closedBad, ...others];
  const openBad = new Set(nixRejected(openCandidates, 'open').map((i) => openCandidates[i]!));
  const modeOf = (input: string): NixMode | undefined => (openBad.has(input) ? undefined : closedBad.has(input) ? 'open' : 'closed');
  const firstCase = new Map<string, { c: NixCase; chain: string; prefilter: boolean; mode: NixMode }>();
  const byMode: Record<NixMode, string[]> = { closed: [], open: [] };
  for (const c of cases) {
    const mode = modeOf(c.input);
    if (!mode) continue;
    for (const o of c.outputs) {
      const key = `${mode}\0${o.output}`;
      if (firstCase.has(key)) continue;
      firstCase.set(key, { c, chain: o.chain, prefilter: o.prefilter, mode });
      byMode[mode].push(o.output);
    }
  }
  const failures: NixCheck['failures'] = [];
  for (const mode of ['closed', 'open'] as const) {
    for (const i of nixRejected(byMode[mode], mode)) {
      const output = byMode[mode][i]!;
      const f = firstCase.get(`${mode}\0${output}`)!;
      failures.push({
        property: 'nix-parse',
        chain: f.chain,
        prefilter: f.prefilter,
        input: f.c.input,
        index: f.c.index,
        mode,
        detail: `nix-instantiate --parse (${mode === 'open' ? 'free variables allowed' : 'as is'}) rejects the output: ${nixMessage(output, mode) ?? '?'}\n--- output ---\n${output}`,
      });
    }
  }
  return {
    failures,
    invalidInputs: cases.filter((c) => openBad.has(c.input)).map((c) => c.index),
    checkedOutputs: byMode.closed.length + byMode.open.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Shrinking

/** Whether `text` still shows `f` (same property, same chain; errors of the same kind). */
export async function stillFails(text: string, f: Failure, opts: Record<string, TransformOptions>, mode?: NixMode): Promise<boolean> {
  if (f.property === 'nix-parse') {
    if (!mode || nixMessage(text, mode) !== undefined) return false;
    const r = await checkInput(text, opts, { chain: f.chain, prefilter: f.prefilter });
    if (r.outputs.length === 0) return false;
    return nixMessage(r.outputs[0]!.output, mode) !== undefined;
  }
  const r = await checkInput(text, opts, f.property === 'prefilter-equivalent' ? { chain: f.chain } : { chain: f.chain, prefilter: f.prefilter });
  return r.failures.some((g) => g.property === f.property && kind(g.detail) === kind(f.detail));
}

/** The kind of a failure: its first line without numbers (offsets, positions). */
function kind(detail: string): string {
  return detail.split('\n')[0]!.replace(/\d+/g, 'N').replace(/`[^`]*`/g, '`…`').slice(0, 80);
}

function removableRanges(text: string, root: SyntaxNode): [number, number][] {
  const out: [number, number][] = [];
  const walk = (n: SyntaxNode): void => {
    const t = n.type;
    const listElement = n.parent?.type === 'list_expression' && n.isNamed;
    if (['binding', 'inherit', 'inherit_from', 'formal', 'comment'].includes(t) || listElement || (n.parent?.type === 'inherited_attrs' && t === 'identifier')) {
      out.push([n.startIndex, n.endIndex]);
      // with the comma after a formal
      const m = /^\s*,/.exec(text.slice(n.endIndex));
      if (t === 'formal' && m) out.push([n.startIndex, n.endIndex + m[0].length]);
    }
    for (const c of n.namedChildren) walk(c);
  };
  walk(root);
  return out.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
}

/** Replacements of a node by one of its parts: `f x` → `x`, `(e)` → `e`, `let … in e` → `e` … */
function hoists(text: string, root: SyntaxNode): { start: number; end: number; by: string }[] {
  const out: { start: number; end: number; by: string }[] = [];
  const walk = (n: SyntaxNode): void => {
    if (['apply_expression', 'parenthesized_expression', 'let_expression', 'with_expression', 'assert_expression', 'binary_expression', 'if_expression', 'select_expression', 'function_expression', 'string_expression', 'indented_string_expression', 'interpolation'].includes(n.type)) {
      for (const c of n.namedChildren) {
        if (c.type === 'comment' || c.type === 'binding_set' || c.type === 'attrpath' || c.type === 'formals' || c.type === 'identifier' || c.type === 'string_fragment') continue;
        out.push({ start: n.startIndex, end: n.endIndex, by: text.slice(c.startIndex, c.endIndex) });
      }
    }
    for (const c of n.namedChildren) walk(c);
  };
  walk(root);
  return out;
}

/**
 * Greedy shrinking: drop chunks of lines (halving the chunk size), then syntax nodes (bindings,
 * list elements, formals, comments), then replace compound expressions by one of their parts,
 * until nothing more can go or the budget of checks is spent. Every candidate must parse.
 */
export async function shrink(input: string, fails: (text: string) => Promise<boolean>, budget = 800, mustParse = true): Promise<{ text: string; checks: number }> {
  let cur = input;
  let checks = 0;
  const attempt = async (cand: string): Promise<boolean> => {
    if (cand === cur || checks >= budget) return false;
    if (mustParse && parseNix(cand).syntaxError) return false;
    checks++;
    if (await fails(cand)) {
      cur = cand;
      return true;
    }
    return false;
  };
  const linePass = async (): Promise<void> => {
    let lines = cur.split('\n');
    for (let size = Math.max(1, lines.length >> 1); size >= 1; size >>= 1) {
      for (let i = 0; i + size <= lines.length && checks < budget; ) {
        const cand = [...lines.slice(0, i), ...lines.slice(i + size)];
        if (await attempt(cand.join('\n'))) lines = cand;
        else i += size;
      }
    }
  };
  for (let round = 0; round < 4 && checks < budget; round++) {
    const before = cur;
    await linePass();
    let progress = true;
    while (progress && checks < budget) {
      progress = false;
      const p = parseNix(cur);
      for (const [s, e] of removableRanges(cur, p.root)) {
        if (await attempt(cur.slice(0, s) + cur.slice(e))) {
          progress = true;
          break;
        }
      }
      if (progress) continue;
      for (const h of hoists(cur, p.root)) {
        if (await attempt(cur.slice(0, h.start) + h.by + cur.slice(h.end))) {
          progress = true;
          break;
        }
      }
    }
    // blank lines, trailing blanks, runs of blanks
    await attempt(cur.replace(/[ \t]+(\r?\n)/g, '$1').replace(/(\r?\n){3,}/g, '$1$1'));
    await attempt(cur.replace(/(\S)[ \t]{2,}/g, '$1 '));
    if (cur === before) break;
  }
  return { text: cur, checks };
}

// ---------------------------------------------------------------------------------------------
// Reports

export interface Reported {
  failure: Failure;
  seed: number;
  /** How the case was made (generated file kind, or the fixture and its mutations). */
  origin: string;
  options: string;
  minimal: string;
  /** The failure again, on the minimal input. */
  minimalDetail: string;
  /** Other failures of the same property and chain. */
  more: number;
  replay: string;
}

function block(text: string): string {
  return text
    .split('\n')
    .map((l) => `    | ${l.replace(/\r$/, '␍')}`)
    .join('\n');
}

export function formatFailures(reported: readonly Reported[]): string {
  const parts = reported.map((r, i) =>
    [
      `#${i + 1} property \`${r.failure.property}\` failed for chain [${r.failure.chain}] (prefilter ${r.failure.prefilter ? 'on' : 'off'})`,
      `  seed: ${r.seed} (${r.origin}); options: ${r.options}${r.more > 0 ? `; ${r.more} more case(s) fail the same way` : ''}`,
      `  replay: ${r.replay}`,
      `  minimal input (${JSON.stringify(r.minimal).length} chars as JSON: ${JSON.stringify(r.minimal)}):`,
      block(r.minimal),
      '  failure on the minimal input:',
      block(r.minimalDetail),
      '  failure on the original input:',
      block(r.failure.detail.split('\n').slice(0, 60).join('\n')),
    ].join('\n'),
  );
  return `${reported.length} property failure(s):\n\n${parts.join('\n\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Driving a suite of cases

export interface CaseInput {
  seed: number;
  text: string;
  /** How the case was made, for reports. */
  origin: string;
}

export interface SuiteResult {
  cases: number;
  failures: { f: Failure; c: CaseInput; index: number }[];
  nixCases: NixCase[];
  refusals: string[];
  statuses: Record<string, number>;
  /** The cases, in order (`NixCase.index` points here). */
  inputs: CaseInput[];
  /** The slowest cases (for tuning the generator). */
  slowest: { seed: number; ms: number; chars: number }[];
}

/** Run every case through `checkInput`; nothing is excused. */
export async function runCases(cases: Iterable<CaseInput>): Promise<SuiteResult> {
  const res: SuiteResult = { cases: 0, failures: [], nixCases: [], refusals: [], statuses: {}, slowest: [], inputs: [] };
  let index = 0;
  for (const c of cases) {
    // as the runners do between files: free the native memory of the trees parsed so far
    await releaseTrees();
    const i = index++;
    res.cases++;
    res.inputs.push(c);
    const p = parseNix(c.text);
    if (p.syntaxError) {
      res.failures.push({ f: { property: 'valid-input', chain: '-', prefilter: false, input: c.text, detail: `parseNix rejects the input: ${p.syntaxError.line}:${p.syntaxError.column}: ${p.syntaxError.message}` }, c, index: i });
      continue;
    }
    const t0 = performance.now();
    const r = await checkInput(c.text, caseOptions(c.seed));
    const ms = performance.now() - t0;
    res.slowest.push({ seed: c.seed, ms, chars: c.text.length });
    if (res.slowest.length > 20) res.slowest = res.slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
    for (const [k, v] of Object.entries(r.statuses)) res.statuses[k] = (res.statuses[k] ?? 0) + v;
    res.refusals.push(...r.refusals);
    for (const f of r.failures) res.failures.push({ f, c, index: i });
    res.nixCases.push({ index: i, input: c.text, outputs: r.outputs });
  }
  res.slowest = res.slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
  return res;
}

/**
 * Shrink the first failure of each (property, chain) group and format them all; `replay(seed)`
 * is the command that reruns one case.
 */
export async function reportFailures(
  failures: readonly { f: Failure; c: CaseInput; mode?: NixMode | undefined }[],
  replay: (seed: number) => string,
  maxGroups = 8,
): Promise<string> {
  const groups = new Map<string, { f: Failure; c: CaseInput; mode?: NixMode | undefined }[]>();
  for (const x of failures) {
    const k = `${x.f.property}\0${x.f.chain}\0${x.f.property === 'no-error' || x.f.property === 'no-throw' ? kind(x.f.detail) : ''}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(x);
  }
  // A case that fails the same way alone and in the chain of all three: report it once.
  const single = new Set<string>();
  for (const [k, g] of groups) if (!k.includes('\0all three\0')) for (const x of g) single.add(`${x.c.seed}\0${x.f.property}`);
  for (const [k, g] of [...groups]) {
    if (!k.includes('\0all three\0')) continue;
    const rest = g.filter((x) => !single.has(`${x.c.seed}\0${x.f.property}`));
    if (rest.length === 0) groups.delete(k);
    else groups.set(k, rest);
  }
  const reported: Reported[] = [];
  for (const g of [...groups.values()].slice(0, maxGroups)) {
    // the smallest input of the group shrinks fastest
    const first = [...g].sort((a, b) => a.c.text.length - b.c.text.length)[0]!;
    const opts = caseOptions(first.c.seed);
    const fails = (t: string): Promise<boolean> => stillFails(t, first.f, opts, first.mode);
    // an input parseNix rejects: shrink it while parseNix rejects it and Nix accepts it
    const invalid = async (t: string): Promise<boolean> => parseNix(t).syntaxError !== undefined && (!NIX_INSTANTIATE || nixMessage(t, 'open') === undefined);
    const { text } =
      first.f.property === 'valid-input'
        ? first.f.detail.startsWith('parseNix') ? await shrink(first.c.text, invalid, 300, false) : { text: first.c.text }
        : await shrink(first.c.text, fails, first.f.property === 'nix-parse' ? 300 : 800);
    let minimalDetail = first.f.detail;
    if (first.f.property === 'valid-input') {
      const e = parseNix(text).syntaxError;
      if (e) minimalDetail = `parseNix rejects the input: ${e.line}:${e.column}: ${e.message}`;
    } else {
      const again = await checkInput(text, opts, first.f.property === 'prefilter-equivalent' ? { chain: first.f.chain } : { chain: first.f.chain, prefilter: first.f.prefilter });
      const same = again.failures.find((x) => x.property === first.f.property);
      if (same) minimalDetail = same.detail;
      else if (first.f.property === 'nix-parse' && first.mode && again.outputs[0]) minimalDetail = `${nixMessage(again.outputs[0].output, first.mode) ?? '?'}\n--- output ---\n${again.outputs[0].output}`;
    }
    reported.push({
      failure: first.f,
      seed: first.c.seed,
      origin: first.c.origin,
      options: describeOptions(opts),
      minimal: text,
      minimalDetail,
      more: g.length - 1,
      replay: replay(first.c.seed),
    });
  }
  const extra = groups.size > maxGroups ? `\n\n(${groups.size - maxGroups} more group(s) of failures not shown)` : '';
  return formatFailures(reported) + extra;
}

// ---------------------------------------------------------------------------------------------
// The vitest suite both property test files define

export interface SuiteSpec {
  /** What a case is, for messages: `generated files`, `mutated fixtures`. */
  what: string;
  /** The test file, for the replay command. */
  file: string;
  cases: () => Iterable<CaseInput>;
  /** Every input must be valid Nix (free variables allowed): true for generated files. */
  inputsMustBeNix: boolean;
  /** Minimum share of `ok` statuses: the cases must keep giving the transforms work. */
  minOkShare: number;
}

export function definePropertySuite(spec: SuiteSpec): void {
  const replay = (seed: number): string => `NIXSHIFT_PROPERTY_SEED=${seed} npx vitest run ${spec.file}`;
  let result: SuiteResult | undefined;

  it('never crash, never a bug error, outputs parse, idempotent, prefilter-equivalent', async () => {
    const t0 = Date.now();
    result = await runCases(spec.cases());
    console.info(
      `[property] ${result.cases} ${spec.what} × ${CHAINS.length} chains × prefilter on/off in ${Date.now() - t0} ms; statuses ${JSON.stringify(result.statuses)}` +
        `${result.refusals.length > 0 ? `; ${result.refusals.length} refusals: ${[...new Set(result.refusals)].slice(0, 3).join(' | ')}` : ''}`,
    );
    if (process.env.NIXSHIFT_PROPERTY_DEBUG) console.info(`[property] slowest cases: ${JSON.stringify(result.slowest)}`);
    if (result.failures.length > 0) throw new Error(await reportFailures(result.failures, replay));
    if (ENV.seed === undefined) expect(result.statuses.ok ?? 0, 'share of `ok` results (the cases must give the transforms work)').toBeGreaterThan(result.cases * spec.minOkShare);
  }, 600_000);

  it('nix-instantiate --parse accepts every output whose input it accepts', async () => {
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`the outputs of the property tests over ${spec.what}`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
      return;
    }
    expect(result, 'the property run above must have run').toBeDefined();
    const r = result!;
    const t0 = Date.now();
    const check = nixCheck(r.nixCases, { allInputs: spec.inputsMustBeNix });
    const all = r.inputs;
    const failures: { f: Failure; c: CaseInput; mode?: NixMode }[] = check.failures.map((f) => ({ f, c: all[f.index]!, mode: f.mode }));
    if (spec.inputsMustBeNix) {
      for (const i of check.invalidInputs) {
        const c = all[i]!;
        failures.push({ f: { property: 'valid-input', chain: '-', prefilter: false, input: c.text, detail: `nix-instantiate --parse rejects the input: ${nixMessage(c.text, 'open') ?? '?'}` }, c });
      }
    }
    console.info(
      `[property] nix-instantiate --parse: ${check.checkedOutputs} distinct outputs of ${r.nixCases.length} ${spec.what} in ${Date.now() - t0} ms` +
        `${check.invalidInputs.length > 0 && !spec.inputsMustBeNix ? ` (${check.invalidInputs.length} inputs are not valid Nix: their outputs are not judged)` : ''}`,
    );
    if (failures.length > 0) throw new Error(await reportFailures(failures, replay));
  }, 600_000);
}
