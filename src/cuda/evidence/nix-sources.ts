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
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { attrFromPath, callSiteOwners, isSharedFile } from '../../git/packages.js';
import type { TransformOptions } from '../../transform.js';

/** The transforms that take `source=` / `source-missing=`. */
export const SOURCE_TRANSFORMS: readonly string[] = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'];

/** The cheap text check: a file without either word is none of the CUDA transforms' business. */
export const SOURCE_NEEDLE = /cudatoolkit|symlinkJoin/;

/** Default number of sources built at the same time. */
export const DEFAULT_EVIDENCE_JOBS = 2;

/** Attributes per file, at most (several call sites of one folder: `foo`, `fooWithCuda`, …). */
const MAX_CANDIDATES = 3;

/** `pkgs/top-level/` files whose call sites are read (callSiteOwners adds the set's prefix). */
export const CALL_SITE_FILES: readonly string[] = [
  'pkgs/top-level/all-packages.nix',
  'pkgs/top-level/python-packages.nix',
  'pkgs/top-level/perl-packages.nix',
  'pkgs/top-level/ocaml-packages.nix',
  'pkgs/top-level/lua-packages.nix',
  'pkgs/top-level/cuda-packages.nix',
];

/** What `--evidence sources` could not do without: the message of the usage error (exit 2). */
export const NIX_MISSING =
  '--evidence sources: nix-instantiate is not installed (or not on PATH); it is needed to ask Nix for each package\'s source. Install Nix (Debian: apt-get install nix-bin; elsewhere: https://nixos.org/download), or run without --evidence';

const toPosix = (p: string): string => p.split(sep).join('/');

// ---------------------------------------------------------------------------------------------
// Planning (pure)
// ---------------------------------------------------------------------------------------------

/** A call site of a shared file that calls a package file or folder. */
export interface CallSite {
  /** The attribute path (`foo`, `python3Packages.foo`). */
  attr: string;
  /** Repository-relative file or folder it calls (`pkgs/development/libraries/foo`). */
  target: string;
}

/** The call sites (with a path target) of shared files, given as repository-relative path → text. */
export function callSitesOf(sharedFiles: ReadonlyMap<string, string>): CallSite[] {
  const out: CallSite[] = [];
  for (const [rel, text] of sharedFiles) {
    for (const o of callSiteOwners(rel, text)) if (o.target !== undefined) out.push({ attr: o.attr, target: o.target });
  }
  return out;
}

/** Whether any of these files needs the call sites of the shared files (so they are parsed only then). */
export function needsCallSites(rels: readonly string[]): boolean {
  return rels.some((r) => !isSharedFile(r) && !r.startsWith('pkgs/by-name/') && !r.startsWith('nixos/') && !r.startsWith('../') && r.includes('/'));
}

export type AttrPlan = { attrs: string[] } | { missing: string };

/**
 * The attributes a file (path relative to the nixpkgs root, POSIX) stands for, best first, or
 * why it stands for none.
 */
export function planAttributes(rel: string, callSites: readonly CallSite[]): AttrPlan {
  if (rel === '' || rel.startsWith('../') || isAbsolute(rel)) return { missing: 'the file is outside the nixpkgs checkout' };
  if (isSharedFile(rel)) return { missing: 'a shared file (call sites of many packages), not one package' };
  if (rel.startsWith('nixos/')) return { missing: 'a NixOS file, not a package' };
  if (!rel.includes('/')) return { missing: "a file at the checkout's root, not a package" };
  const s = rel.split('/');
  if (s[0] === 'pkgs' && s[1] === 'by-name') {
    return s.length >= 5 ? { attrs: [attrFromPath(rel)] } : { missing: 'no attribute found for this file (not inside a pkgs/by-name/xx/<name>/ folder)' };
  }
  // Call sites: the file itself (`callPackage ../foo/2.x.nix`) before its folder
  // (`callPackage ../foo`), the deepest folder first; within one target, a binding named like
  // the folder first (`magma` before `magma-cuda`), then source order.
  const scored: { attr: string; depth: number; order: number; named: boolean }[] = [];
  callSites.forEach((c, order) => {
    let depth: number;
    if (c.target === rel) depth = Number.MAX_SAFE_INTEGER;
    else if (rel.startsWith(`${c.target}/`)) depth = c.target.split('/').length;
    else return;
    const last = c.target.replace(/\.nix$/, '').split('/').pop()!;
    const name = c.attr.split('.').pop()!;
    scored.push({ attr: c.attr, depth, order, named: name === last || (last === 'default' && name === c.target.split('/').at(-2)) });
  });
  scored.sort((a, b) => b.depth - a.depth || Number(b.named) - Number(a.named) || a.order - b.order);
  const attrs = [...new Set(scored.map((x) => x.attr))].slice(0, MAX_CANDIDATES);
  if (attrs.length > 0) return { attrs };
  if (s[0] === 'pkgs' && s[1] === 'development' && s[2] === 'python-modules' && s.length >= 5) return { attrs: [attrFromPath(rel)] };
  return { missing: 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' };
}

/** The attribute path as names (`python3Packages.foo` → `["python3Packages", "foo"]`). */
export const attrPath = (attr: string): string[] => attr.split('.');

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
  step = acc: name:
    if acc ? error then acc
    else if !(builtins.isAttrs acc.value) then { error = "\${acc.at} is a \${builtins.typeOf acc.value}, not an attribute set"; }
    else if !(builtins.hasAttr name acc.value) then { error = "attribute '\${name}' missing" + (if acc.at == "" then "" else " in \${acc.at}"); }
    else
      let
        at = if acc.at == "" then name else "\${acc.at}.\${name}";
        r = builtins.tryEval (builtins.getAttr name acc.value);
      in if r.success then { value = r.value; inherit at; } else { error = "\${at} throws an error or fails an assertion"; };
  sourceOf = at: v:
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
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc) || doc.length !== count) return undefined;
  const out: EvalOutcome[] = [];
  for (const d of doc as unknown[]) {
    if (d === null || typeof d !== 'object') return undefined;
    const o = d as { path?: unknown; drvs?: unknown; error?: unknown };
    if (typeof o.error === 'string') out.push({ error: o.error });
    else if (typeof o.path === 'string' && Array.isArray(o.drvs) && o.drvs.every((x) => typeof x === 'string')) out.push({ path: o.path, drvs: o.drvs as string[] });
    else return undefined;
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const oneLine = (s: string, max = 240): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * Nix's error, on one line: the first `error:` line of its standard error and, when Nix names
 * one, where (`at pkgs/…/package.nix:4:9`, relative to `root` when inside it).
 */
export function nixErrorLine(stderr: string, root?: string): string {
  const lines = stderr.replace(ANSI, '').split(/\r?\n/);
  const i = lines.findIndex((l) => /^\s*error:/.test(l));
  if (i < 0) {
    const last = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('warning:')).pop();
    return oneLine(last ?? 'failed without a message');
  }
  let msg = lines[i]!.trim();
  for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
    const m = /^\s*at (.+):(\d+):(\d+):?\s*$/.exec(lines[j]!);
    if (m) {
      const file = root && (m[1] === root || m[1]!.startsWith(root.endsWith(sep) ? root : root + sep)) ? toPosix(relative(root, m[1]!)) : m[1]!;
      msg += ` (at ${file}:${m[2]}:${m[3]})`;
      break;
    }
  }
  return oneLine(msg);
}

/** `nix-store --realise`'s failure on one line: its error, and the builder's last log line. */
export function realiseErrorLine(stderr: string): string {
  const lines = stderr
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((l) => l.trimEnd());
  const i = lines.findIndex((l) => /^\s*error:/.test(l));
  if (i < 0) return nixErrorLine(stderr);
  const noise = /^(warning:|building '|this derivation will be built|these \d+ derivations will be built|this path will be fetched|these \d+ paths will be fetched|\s+\/nix\/store\/|\s*$)/;
  const log = lines
    .slice(0, i)
    .filter((l) => !noise.test(l))
    .pop();
  return oneLine(`${lines[i]!.trim()}${log ? ` (last log line: ${log.trim()})` : ''}`, 300);
}

// ---------------------------------------------------------------------------------------------
// Running Nix
// ---------------------------------------------------------------------------------------------

export interface ExecResult {
  /** Exit status; null when the process did not start or was killed. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why the process did not start (ENOENT …). */
  error?: string;
}

export type Exec = (command: string, args: readonly string[]) => Promise<ExecResult>;

/** `Exec` with child_process.spawn, in this environment. */
export function spawnExec(env: NodeJS.ProcessEnv): Exec {
  return (command, args) =>
    new Promise((done) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let failed: string | undefined;
      const child = spawn(command, args as string[], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        failed = e.message;
      });
      child.on('close', (status) => {
        const r: ExecResult = { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
        if (failed !== undefined) r.error = failed;
        done(r);
      });
    });
}

export interface NixCommands {
  nixInstantiate: string;
  nixStore: string;
}

/** `nix-instantiate` and `nix-store` (NIXSHIFT_NIX_INSTANTIATE / NIXSHIFT_NIX_STORE, else the one beside it, else PATH). */
export function nixCommands(env: NodeJS.ProcessEnv): NixCommands {
  const nixInstantiate = env.NIXSHIFT_NIX_INSTANTIATE || 'nix-instantiate';
  const nixStore = env.NIXSHIFT_NIX_STORE || (nixInstantiate.includes('/') ? join(dirname(nixInstantiate), 'nix-store') : 'nix-store');
  return { nixInstantiate, nixStore };
}

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

/** Runs `fn` over `items`, at most `jobs` at a time. */
async function pool<T>(items: readonly T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/** Evaluates attributes in one call; on an error Nix cannot catch, in halves, down to the broken ones. */
async function evaluate(attrs: readonly string[], o: FindSourcesOptions, stats: FindSourcesResult['stats']): Promise<Map<string, EvalOutcome>> {
  const results = new Map<string, EvalOutcome>();
  const call = async (batch: readonly string[]): Promise<ExecResult> => {
    stats.evalCalls++;
    return o.exec(o.nix.nixInstantiate, nixInstantiateArgs(o.root, batch));
  };
  const failure = (r: ExecResult): string =>
    r.error !== undefined ? `${o.nix.nixInstantiate}: ${r.error}` : `nix-instantiate: ${nixErrorLine(r.stderr, o.root)}`;
  const settle = (batch: readonly string[], r: ExecResult): boolean => {
    if (r.status !== 0) return false;
    const parsed = parseEvalOutput(r.stdout, batch.length);
    if (!parsed) {
      for (const a of batch) results.set(a, { error: `nix-instantiate printed something else than the expected JSON: ${oneLine(r.stdout, 80)}` });
    } else {
      batch.forEach((a, i) => results.set(a, parsed[i]!));
    }
    return true;
  };
  if (attrs.length === 0) return results;
  const first = await call(attrs);
  if (settle(attrs, first)) return results;
  if (first.error !== undefined || attrs.length === 1) {
    for (const a of attrs) results.set(a, { error: failure(first) });
    return results;
  }
  // Is the checkout itself broken (then every attribute fails alike, and splitting would not help)?
  const probe = await call([]);
  if (probe.status !== 0) {
    for (const a of attrs) results.set(a, { error: `cannot evaluate the checkout: ${failure(probe)}` });
    return results;
  }
  const split = async (batch: readonly string[]): Promise<void> => {
    const r = batch === attrs ? first : await call(batch);
    if (settle(batch, r)) return;
    if (batch.length === 1) {
      results.set(batch[0]!, { error: failure(r) });
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    await split(batch.slice(0, mid));
    await split(batch.slice(mid));
  };
  await split(attrs);
  return results;
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
  let callSites: CallSite[] = [];
  if (needsCallSites([...rels.values()])) {
    const shared = new Map<string, string>();
    for (const rel of CALL_SITE_FILES) {
      const text = o.readFile(join(o.root, rel));
      if (text !== undefined) shared.set(rel, text);
    }
    callSites = callSitesOf(shared);
  }
  const plans = new Map<string, string[]>();
  for (const [file, rel] of rels) {
    const plan = planAttributes(rel, callSites);
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
  await pool([...builds.entries()], o.jobs ?? DEFAULT_EVIDENCE_JOBS, async ([key, b]) => {
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

/**
 * The nixpkgs checkout holding `start`: the nearest enclosing folder with
 * `pkgs/top-level/all-packages.nix` and a `default.nix`, else the git root (the nearest folder
 * with `.git`) when it has a `default.nix`.
 */
export function findNixpkgsRoot(start: string, exists: (p: string) => boolean = existsSync): string | undefined {
  let gitRoot: string | undefined;
  for (let d = resolve(start); ; d = dirname(d)) {
    if (exists(join(d, 'pkgs', 'top-level', 'all-packages.nix')) && exists(join(d, 'default.nix'))) return d;
    if (gitRoot === undefined && exists(join(d, '.git'))) gitRoot = d;
    if (dirname(d) === d) break;
  }
  return gitRoot !== undefined && exists(join(gitRoot, 'default.nix')) ? gitRoot : undefined;
}

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
