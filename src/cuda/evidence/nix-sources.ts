/**
 * `--evidence sources`: each CUDA package's source tree, found by asking Nix, for the per-file
 * option `source=<path>` of the CUDA transforms (or `source-missing=<reason>` when there is none).
 *
 * 1. Which files: the `.nix` files of the run whose text names `cudatoolkit` or `symlinkJoin`.
 * 2. Which attributes each file defines (`planAttributes`): `pkgs/by-name/xx/foo/…` → `foo`; the
 *    `callPackage ../path/to/foo { }` call sites of `pkgs/top-level/all-packages.nix` (and of the
 *    package-set files, `python-packages.nix` → `python3Packages.…`) that call the file or its
 *    folder; `pkgs/development/python-modules/foo/…` → `python3Packages.foo`. No guess beyond that
 *    (a wrong attribute would be worse than none: its source would be read as evidence).
 * 3. One `nix-instantiate --eval --strict --json` for all attributes (`SOURCES_EXPRESSION`):
 *    each attribute's `src` as a path, with the derivations to build for it. An error Nix cannot
 *    catch (`tryEval` catches only `throw` and `assert`; a missing attribute inside `src` is not
 *    one) fails the whole call; the batch is then split in halves until the broken attributes are
 *    alone, each with Nix's error as its reason.
 * 4. Sources not on disk yet are built (`nix-store --realise <drv>`), a few at a time.
 *
 * Errors are data: every file considered ends with a `source` or a `missing` reason.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { evaluateInHalves, jsonAnswers } from '../../eval/batch.js';
import { ATTR_STEP } from '../../eval/expressions.js';
import { attrPath, findNixpkgsRoot, planFiles } from '../../eval/checkout.js';
import { type Exec, type NixCommands, nixCommands, oneLine, realiseErrorLine, runPool, spawnExec } from '../../eval/nix.js';
import type { TransformOptions } from '../../transform.js';
import { toPosix } from '../../util/posix.js';


/** The transforms that take `source=` / `source-missing=`. */
export const SOURCE_TRANSFORMS: readonly string[] = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'];

/** The cheap text check: a file without either word is none of the CUDA transforms' business. */
export const SOURCE_NEEDLE = /cudatoolkit|symlinkJoin/;

/** Default number of sources built at the same time. */
export const DEFAULT_EVIDENCE_JOBS = 2;

/** What `--evidence sources` could not do without: the message of the usage error (exit 2). */
export const NIX_MISSING =
  '--evidence sources: nix-instantiate is not installed (or not on PATH); it is needed to ask Nix for each package\'s source. Install Nix (Debian: apt-get install nix-bin; elsewhere: https://nixos.org/download), or run without --evidence';

// ---------------------------------------------------------------------------------------------
// Planning (pure)
// ---------------------------------------------------------------------------------------------

/**
 * The expression `nix-instantiate --eval --strict --json` evaluates: a function of `root` (the
 * checkout, whose `default.nix` is imported with `config = { allowUnfree = true; cudaSupport =
 * true; }` and no overlays, as far as it takes those arguments) and `attrsJson` (a JSON list of
 * attribute paths). For each path, in order: `{ path; drvs; }` (the source's path; the
 * derivations to build for it, from the string's context) or `{ error; }`.
 *
 * A `src` that is a path literal (`src = ./src;`) gives the path in the checkout, as it is: no
 * copy to the store (the folder is the source, and reading it needs nothing built).
 */
export const SOURCES_EXPRESSION = `{ root, attrsJson }:
let
  fn = import root;
  wanted = { config = { allowUnfree = true; cudaSupport = true; }; overlays = [ ]; };
  pkgs = if builtins.isFunction fn then fn (builtins.intersectAttrs (builtins.functionArgs fn) wanted) else fn;
${ATTR_STEP}  sourceOf = at: v:
    if builtins.isPath v then { path = toString v; drvs = [ ]; }
    else if builtins.isString v || (builtins.isAttrs v && v ? outPath) then
      let s = builtins.tryEval (toString v); in
      if !s.success then { error = "\${at}.src throws an error or fails an assertion (its path)"; }
      else
        let c = builtins.getContext s.value; in
        { path = s.value; drvs = builtins.filter (k: c.\${k} ? outputs) (builtins.attrNames c); }
    else { error = "\${at}.src is a \${builtins.typeOf v}, not a path or a derivation"; };
  one = attrPath:
    let r = builtins.foldl' step { value = pkgs; at = ""; } attrPath; in
    if r ? error then { inherit (r) error; }
    else if !(builtins.isAttrs r.value) then { error = "\${r.at} is a \${builtins.typeOf r.value}, not a package"; }
    else if !(r.value ? src) then { error = "\${r.at} has no src attribute"; }
    else
      let s = builtins.tryEval r.value.src; in
      if s.success then sourceOf r.at s.value else { error = "\${r.at}.src throws an error or fails an assertion"; };
in
builtins.seq pkgs (map one (builtins.fromJSON attrsJson))
`;

/**
 * The arguments of the one `nix-instantiate` call for these attributes. `--read-write-mode`:
 * computing a derivation's path writes its `.drv` file, which `nix-store --realise` needs.
 */
export function nixInstantiateArgs(root: string, attrs: readonly string[]): string[] {
  return ['--eval', '--strict', '--json', '--read-write-mode', '--expr', SOURCES_EXPRESSION, '--argstr', 'root', root, '--argstr', 'attrsJson', JSON.stringify(attrs.map(attrPath))];
}

/** What evaluating one attribute gave. */
export type EvalOutcome = { path: string; drvs: string[] } | { error: string };

/** The JSON `nix-instantiate` printed, one outcome per attribute; undefined when it is not that. */
export function parseEvalOutput(stdout: string, count: number): EvalOutcome[] | undefined {
  return jsonAnswers<EvalOutcome>(stdout, count, (o) => {
    if (typeof o.error === 'string') return { error: o.error };
    if (typeof o.path === 'string' && Array.isArray(o.drvs) && o.drvs.every((x) => typeof x === 'string')) return { path: o.path, drvs: o.drvs as string[] };
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// Running Nix
// ---------------------------------------------------------------------------------------------

/** Progress of a search: files settled of all, and what is being done. */
export type SourcesProgress = (done: number, total: number, doing: string) => void;

export interface FileSource {
  /** The attribute whose source this is (or the first one tried). */
  attr?: string;
  /** The source: a folder or a file (an archive) in the store or in the checkout. */
  source?: string;
  /** Why there is none (one line). */
  missing?: string;
  /** The source was built by this run. */
  built?: boolean;
}

export interface FindSourcesOptions {
  /** The nixpkgs checkout (absolute). */
  root: string;
  /** Absolute paths of the files to find sources for. */
  files: readonly string[];
  /** Reads a file of the checkout (the shared files); undefined when it cannot be read. */
  readFile: (absolute: string) => string | undefined;
  exec: Exec;
  nix: NixCommands;
  /** Sources built at the same time (default 2). */
  jobs?: number;
  /** Whether a path exists (default: existsSync). */
  exists?: (path: string) => boolean;
  onProgress?: SourcesProgress;
}

export interface FindSourcesResult {
  /** Absolute file → its source or why there is none. */
  files: Map<string, FileSource>;
  /** Attributes evaluated, `nix-instantiate` calls made, sources built. */
  stats: { attributes: number; evalCalls: number; built: number };
}

/** Evaluates attributes in one call; on an error Nix cannot catch, in halves, down to the broken ones. */
function evaluate(attrs: readonly string[], o: FindSourcesOptions, stats: FindSourcesResult['stats']): Promise<Map<string, EvalOutcome>> {
  return evaluateInHalves(attrs, { exec: o.exec, command: o.nix.nixInstantiate, root: o.root, args: (batch) => nixInstantiateArgs(o.root, batch), parse: parseEvalOutput, onCall: () => stats.evalCalls++ });
}

/** Finds the source of each file: plan, one evaluation, builds. Never throws for Nix's failures. */
export async function findSources(o: FindSourcesOptions): Promise<FindSourcesResult> {
  const exists = o.exists ?? existsSync;
  const stats = { attributes: 0, evalCalls: 0, built: 0 };
  const files = new Map<string, FileSource>();
  const total = o.files.length;
  let done = 0;
  const progress = (doing: string): void => o.onProgress?.(done, total, doing);
  const settle = (file: string, s: FileSource): void => {
    files.set(file, s);
    done++;
  };

  // Which attributes.
  const rels = new Map(o.files.map((f) => [f, toPosix(relative(o.root, f))]));
  const planned = planFiles(o.root, [...rels.values()], o.readFile);
  const plans = new Map<string, string[]>();
  for (const [file, rel] of rels) {
    const plan = planned.get(rel)!;
    if ('missing' in plan) settle(file, { missing: plan.missing });
    else plans.set(file, plan.attrs);
  }
  const attrs = [...new Set([...plans.values()].flat())];
  stats.attributes = attrs.length;

  // One evaluation (each attribute once).
  progress(`evaluating ${attrs.length} attribute${attrs.length === 1 ? '' : 's'}`);
  const evaluated = await evaluate(attrs, o, stats);

  // The source of each file: its first attribute that has one; built when it is not on disk.
  const chosen = new Map<string, { attr: string; path: string; drvs: string[] }>();
  for (const [file, candidates] of plans) {
    const hit = candidates.find((a) => 'path' in evaluated.get(a)!);
    if (!hit) {
      const first = candidates[0]!;
      const e = evaluated.get(first) as { error: string };
      settle(file, { attr: first, missing: candidates.length > 1 ? `${e.error} (also tried ${candidates.slice(1).join(', ')})` : e.error });
      continue;
    }
    const r = evaluated.get(hit) as { path: string; drvs: string[] };
    if (!r.path.startsWith('/')) settle(file, { attr: hit, missing: `the source of ${hit} is not a path: ${oneLine(r.path, 80)}` });
    else if (exists(r.path)) settle(file, { attr: hit, source: r.path });
    else if (r.drvs.length === 0) settle(file, { attr: hit, missing: `the source ${r.path} of ${hit} does not exist, and is not something Nix can build` });
    else chosen.set(file, { attr: hit, ...r });
  }
  progress('');

  // Builds: one per set of derivations, a few at a time.
  const builds = new Map<string, { drvs: string[]; path: string; outcome?: { ok: true } | { ok: false; why: string } }>();
  for (const c of chosen.values()) builds.set(c.drvs.join(' '), { drvs: c.drvs, path: c.path });
  const waiting = new Map<string, string[]>();
  for (const [file, c] of chosen) waiting.set(c.drvs.join(' '), [...(waiting.get(c.drvs.join(' ')) ?? []), file]);
  await runPool([...builds.entries()], o.jobs ?? DEFAULT_EVIDENCE_JOBS, async ([key, b]) => {
    progress(`building ${b.drvs.map((d) => d.replace(/^.*\/[0-9a-z]{32}-/, '').replace(/\.drv$/, '')).join(', ')}`);
    const r = await o.exec(o.nix.nixStore, ['--realise', ...b.drvs]);
    if (r.error !== undefined) b.outcome = { ok: false, why: `${o.nix.nixStore}: ${r.error}` };
    else if (r.status !== 0) b.outcome = { ok: false, why: `nix-store --realise: ${realiseErrorLine(r.stderr)}` };
    else if (!exists(b.path)) b.outcome = { ok: false, why: `nix-store --realise succeeded, but ${b.path} is not there` };
    else b.outcome = { ok: true };
    if (b.outcome.ok) stats.built++;
    for (const file of waiting.get(key) ?? []) {
      const c = chosen.get(file)!;
      settle(file, b.outcome.ok ? { attr: c.attr, source: c.path, built: true } : { attr: c.attr, missing: `the source is not in the store and could not be built: ${b.outcome.why}` });
    }
    progress('');
  });
  return { files, stats };
}

// ---------------------------------------------------------------------------------------------
// The checkout, the files of a run, and the options
// ---------------------------------------------------------------------------------------------

/** The per-file options of the CUDA transforms for a file's outcome. */
export function sourceOptions(s: FileSource): TransformOptions {
  return s.source !== undefined ? { source: s.source } : { 'source-missing': s.missing ?? 'unknown' };
}

/** `fileOptions` part for the transforms of the run that take `source=` (by transform name). */
export function sourceFileOptions(files: ReadonlyMap<string, FileSource>, names: readonly string[]): (absolute: string) => Record<string, TransformOptions> | undefined {
  const takers = names.filter((n) => SOURCE_TRANSFORMS.includes(n));
  return (absolute) => {
    const s = files.get(absolute);
    if (!s || takers.length === 0) return undefined;
    const opts = sourceOptions(s);
    return Object.fromEntries(takers.map((n) => [n, opts]));
  };
}

export interface Sink {
  write(text: string): void;
}

export interface GatherOptions {
  /** The run's paths (already what --changed / --stdin made of them), as given. */
  inputs: readonly string[];
  cwd: string;
  /** The run's walk options (same files as the run). */
  ignorePatterns?: string[];
  ignoreRelativeTo?: { base: string; patterns: string[] }[];
  gitignore?: boolean;
  /** --nixpkgs, as given (relative to cwd). */
  nixpkgs?: string;
  env: NodeJS.ProcessEnv;
  jobs: number;
  stderr: Sink;
  /** Draw a progress line (stderr is a terminal, or --progress). */
  progress: boolean;
  /** No summary line. */
  quiet: boolean;
  exec?: Exec;
}

export type GatherResult = { ok: true; files: Map<string, FileSource>; root: string } | { ok: false; usage: string };

/**
 * What `--evidence sources` does before the run: the run's files (the same walk), those that
 * name `cudatoolkit` or `symlinkJoin`, and their sources. A checkout that cannot be found is a
 * usage error (as data); everything else is a per-file reason.
 */
export async function gatherSources(o: GatherOptions): Promise<GatherResult> {
  const started = Date.now();
  let root: string | undefined;
  if (o.nixpkgs !== undefined) {
    root = resolve(o.cwd, o.nixpkgs);
    if (!existsSync(join(root, 'default.nix'))) return { ok: false, usage: `--nixpkgs ${o.nixpkgs}: ${root} has no default.nix, so it is not a nixpkgs checkout Nix can evaluate` };
  } else {
    const first = o.inputs.length > 0 ? resolve(o.cwd, o.inputs[0]!) : o.cwd;
    const start = existsSync(first) && !statSync(first).isDirectory() ? dirname(first) : first;
    root = findNixpkgsRoot(start) ?? findNixpkgsRoot(o.cwd);
    if (!root) {
      return { ok: false, usage: `--evidence sources: no nixpkgs checkout holds ${start} (looked for a folder with pkgs/top-level/all-packages.nix and a default.nix, or a git root with a default.nix); name it with --nixpkgs <dir>` };
    }
  }

  const { discoverFiles } = await import('../../runner/discover.js');
  const found = await discoverFiles([...o.inputs], { cwd: o.cwd, ignorePatterns: o.ignorePatterns, ignoreRelativeTo: o.ignoreRelativeTo, gitignore: o.gitignore });
  const wanted: string[] = [];
  for (const f of found.files) {
    let text: string;
    try {
      text = readFileSync(f.real ?? f.absolute, 'utf8');
    } catch {
      continue; // the run reports it
    }
    if (SOURCE_NEEDLE.test(text)) wanted.push(f.absolute);
  }

  const tty = o.progress;
  let drawn = false;
  const onProgress: SourcesProgress | undefined = tty
    ? (done, total, doing) => {
        o.stderr.write(`\r\x1b[Knixshift: sources: ${done}/${total}${doing ? ` ${doing}…` : ''}`);
        drawn = true;
      }
    : undefined;
  const result = await findSources({
    root,
    files: wanted,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    exec: o.exec ?? spawnExec(o.env),
    nix: nixCommands(o.env),
    jobs: o.jobs,
    onProgress,
  });
  if (drawn) o.stderr.write('\r\x1b[K');
  if (!o.quiet) o.stderr.write(summaryLine(result, (Date.now() - started) / 1000));
  return { ok: true, files: result.files, root };
}

/** `nixshift: sources: 4 of 7 files have a source (2 built), 3 have none; 1.2s` */
export function summaryLine(r: FindSourcesResult, seconds: number): string {
  const all = r.files.size;
  const have = [...r.files.values()].filter((s) => s.source !== undefined).length;
  const built = [...r.files.values()].filter((s) => s.built).length;
  const s = (n: number): string => (n === 1 ? '' : 's');
  if (all === 0) return `nixshift: sources: no file of this run names cudatoolkit or symlinkJoin; ${seconds.toFixed(1)}s\n`;
  return `nixshift: sources: ${have} of ${all} file${s(all)} ${all === 1 ? 'has' : 'have'} a source${built > 0 ? ` (${built} built)` : ''}, ${all - have} ${all - have === 1 ? 'has' : 'have'} none (option source-missing=); ${seconds.toFixed(1)}s\n`;
}
