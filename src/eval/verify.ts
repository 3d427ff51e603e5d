/**
 * `--verify eval`: does each package a run changed still evaluate, in the user's own nixpkgs?
 *
 * For every changed file, the attributes it defines (checkout.ts: pkgs/by-name, the call sites
 * of pkgs/top-level; for a changed pkgs/top-level file, the bindings whose text changed) are
 * instantiated with the given `config` twice: in the checkout as it is (before) and in a copy
 * with every new text in place (after, farm.ts). Many attributes go into one `nix-instantiate`
 * call (batch.ts), a few calls at a time. A package that evaluated before and does not after
 * is broken by the change; one that did not evaluate before is not held to it. The direct
 * input derivations of each package are read from its `.drv` (drv.ts), before and after, and
 * those the lens finds relevant (the CUDA ones) are reported, with what the lens flags (a legacy
 * toolkit, a join) still among them after the change.
 *
 * Errors are data: every file ends with its packages or the reason it has none.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { callSiteOwners, isSharedFile } from '../git/packages.js';
import { evaluateInHalves, jsonAnswers } from './batch.js';
import { attrPath, type AttrPlan, planAttributes, planFiles } from './checkout.js';
import { parseDerivation, storeName } from './drv.js';
import { ATTR_STEP } from './expressions.js';
import { makeFarm } from './farm.js';
import { type Exec, nixErrorLine, runPool } from './nix.js';
import { toPosix } from '../util/posix.js';

export { DEFAULT_VERIFY_CONFIG } from './expressions.js';

/** How the direct inputs of a package are looked at (the CUDA lens: src/cuda/drv-inputs.ts). */
export interface InputLens {
  /** What the inputs are called in messages (`CUDA`). */
  what: string;
  /** Whether an input (by store name, `cuda_nvcc-11.8.89`) is one to report. */
  relevant(name: string): boolean;
  /** Why an input must not be a direct input any more (a legacy toolkit), if it must not. */
  legacy(name: string): string | undefined;
}

/** A file the run changed. */
export interface ChangedFile {
  absolute: string;
  original: string;
  output: string;
}

/** A direct input derivation: its name, the outputs taken, and whether it is a join of relevant paths. */
export interface InputDrv {
  name: string;
  outputs: string[];
  /** Its `paths` (a symlinkJoin) name relevant store paths. */
  join?: boolean;
}

export type Evaluation = { drv: string; inputs: InputDrv[] } | { error: string };

export interface PackageCheck {
  attr: string;
  before: Evaluation;
  after: Evaluation;
  /** Evaluated before and not after. */
  broken: boolean;
  /** What the lens flags among the direct inputs after the change: the input and why. */
  flags: { input: string; why: string }[];
}

export type FileCheck = { packages: PackageCheck[] } | { missing: string };

export interface VerifyOptions {
  /** The nixpkgs checkout (absolute). */
  root: string;
  /** The `config` argument (a Nix expression). */
  config: string;
  exec: Exec;
  nixInstantiate: string;
  /** `nix-instantiate` calls at the same time. */
  jobs: number;
  lens: InputLens;
  onProgress?: (doing: string) => void;
}

export interface VerifyResult {
  files: Map<string, FileCheck>;
  stats: { attributes: number; calls: number; copied: boolean };
}

/** The expression: for each attribute path, `{ drv; }` (its `.drv`, written) or `{ error; }`. */
export const EVAL_EXPRESSION = `{ root, attrsJson, config }:
let
  fn = import root;
  wanted = { inherit config; overlays = [ ]; };
  pkgs = if builtins.isFunction fn then fn (builtins.intersectAttrs (builtins.functionArgs fn) wanted) else fn;
${ATTR_STEP}  one = attrPath:
    let r = builtins.foldl' step { value = pkgs; at = ""; } attrPath; in
    if r ? error then { inherit (r) error; }
    else if !(builtins.isAttrs r.value && r.value ? drvPath) then { error = "\${r.at} is not a derivation"; }
    else
      let d = builtins.tryEval r.value.drvPath; in
      if d.success then { drv = d.value; } else { error = "\${r.at} throws an error or fails an assertion"; };
in
builtins.seq pkgs (map one (builtins.fromJSON attrsJson))
`;

export function evalArgs(root: string, config: string, attrs: readonly string[]): string[] {
  return ['--eval', '--strict', '--json', '--read-write-mode', '--expr', EVAL_EXPRESSION, '--argstr', 'root', root, '--arg', 'config', config, '--argstr', 'attrsJson', JSON.stringify(attrs.map(attrPath))];
}

function parseAnswer(stdout: string, count: number): ({ drv: string } | { error: string })[] | undefined {
  return jsonAnswers<{ drv: string } | { error: string }>(stdout, count, (o) => (typeof o.drv === 'string' ? { drv: o.drv } : typeof o.error === 'string' ? { error: o.error } : undefined));
}

/** The attributes of a changed pkgs/top-level file: its bindings whose text the run changed. */
export function changedOwners(rel: string, original: string, output: string): string[] {
  const text = (src: string, o: { start: number; end: number }): string => src.slice(o.start, o.end);
  const after = new Map(callSiteOwners(rel, output).map((o) => [o.attr, text(output, o)]));
  const before = new Map(callSiteOwners(rel, original).map((o) => [o.attr, text(original, o)]));
  return [...new Set([...before.keys(), ...after.keys()])].filter((a) => before.get(a) !== after.get(a) && after.has(a));
}

/** Which attributes each file stands for, or why none (from the checkout's call sites as they are). */
function plan(files: readonly ChangedFile[], root: string): Map<string, AttrPlan> {
  const rels = new Map(files.map((f) => [f.absolute, toPosix(relative(root, f.absolute))]));
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined; // not in this checkout
    }
  };
  const planned = planFiles(root, [...rels.values()].filter((rel) => !isSharedFile(rel)), read);
  const out = new Map<string, AttrPlan>();
  for (const f of files) {
    const rel = rels.get(f.absolute)!;
    if (isSharedFile(rel) && !rel.startsWith('../')) {
      const attrs = changedOwners(rel, f.original, f.output);
      out.set(f.absolute, attrs.length > 0 ? { attrs } : { missing: 'a shared file whose changes are in no binding of a package' });
    } else out.set(f.absolute, planned.get(rel) ?? planAttributes(rel, []));
  }
  return out;
}

/** Evaluate `attrs` in `root`: `jobs` calls at a time, each a share of the attributes. */
async function evaluateAll(attrs: readonly string[], root: string, o: VerifyOptions, stats: VerifyResult['stats']): Promise<Map<string, { drv: string } | { error: string }>> {
  const shares = Math.max(1, Math.min(o.jobs, attrs.length));
  const chunks = Array.from({ length: shares }, (_, i) => attrs.filter((_, k) => k % shares === i));
  const out = new Map<string, { drv: string } | { error: string }>();
  await runPool(chunks, o.jobs, async (chunk) => {
    const r = await evaluateInHalves(chunk, { exec: o.exec, command: o.nixInstantiate, root, args: (b) => evalArgs(root, o.config, b), parse: parseAnswer, onCall: () => stats.calls++ });
    for (const [a, v] of r) out.set(a, v);
  });
  return out;
}

/** Nix's own message for an attribute whose evaluation failed (a `throw` the batch could only catch). */
async function plainError(attr: string, root: string, o: VerifyOptions, stats: VerifyResult['stats']): Promise<string | undefined> {
  stats.calls++;
  const r = await o.exec(o.nixInstantiate, [root, '--arg', 'config', o.config, '-A', attr]);
  if (r.error !== undefined || r.status === 0) return undefined;
  return nixErrorLine(r.stderr, root);
}

/** The direct input derivations of a `.drv`, with the join flag for inputs that join relevant paths. */
function inputsOf(drvPath: string, lens: InputLens): InputDrv[] {
  const drv = parseDerivation(readFileSync(drvPath, 'utf8'));
  return drv.inputDrvs
    .map((i) => {
      const input: InputDrv = { name: storeName(i.path), outputs: [...i.outputs].sort() };
      try {
        const env = parseDerivation(readFileSync(i.path, 'utf8')).env;
        if (env.paths !== undefined && env.paths.split(/\s+/).some((p) => p !== '' && lens.relevant(storeName(p)))) input.join = true;
      } catch {
        /* not readable: no join flag */
      }
      return input;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function evaluation(r: { drv: string } | { error: string } | undefined, lens: InputLens): Evaluation {
  if (!r) return { error: 'not evaluated' };
  if ('error' in r) return r;
  try {
    return { drv: r.drv, inputs: inputsOf(r.drv, lens) };
  } catch {
    return { drv: r.drv, inputs: [] }; // (a .drv that cannot be read: nothing to list)
  }
}

/** What the lens flags among a package's inputs after the change. */
function flagsOf(after: Evaluation, lens: InputLens): PackageCheck['flags'] {
  if (!('inputs' in after)) return [];
  const out: PackageCheck['flags'] = [];
  for (const i of after.inputs) {
    const legacy = lens.legacy(i.name);
    if (legacy) out.push({ input: i.name, why: legacy });
    else if (i.join) out.push({ input: i.name, why: `a join of ${lens.what} paths: if anything refers to it at run time, every joined path (static archives and stubs too) stays in the closure` });
  }
  return out;
}

export async function verifyEval(files: readonly ChangedFile[], o: VerifyOptions): Promise<VerifyResult> {
  const stats = { attributes: 0, calls: 0, copied: false };
  const plans = plan(files, o.root);
  const attrs = [...new Set([...plans.values()].flatMap((p) => ('attrs' in p ? p.attrs : [])))];
  stats.attributes = attrs.length;
  const result = new Map<string, FileCheck>();
  for (const [file, p] of plans) if ('missing' in p) result.set(file, { missing: p.missing });
  if (attrs.length === 0) return { files: result, stats };

  o.onProgress?.(`copying the checkout`);
  const farm = makeFarm(o.root);
  try {
    stats.copied = farm.copied;
    for (const f of files) farm.put(f.absolute, f.output);
    o.onProgress?.(`evaluating ${attrs.length} package${attrs.length === 1 ? '' : 's'}, before and after`);
    const [before, after] = await Promise.all([evaluateAll(attrs, o.root, o, stats), evaluateAll(attrs, farm.root, o, stats)]);
    // A package that breaks only because of a `throw`: Nix's own message, and where it points.
    for (const a of attrs) {
      const b = before.get(a);
      const r = after.get(a);
      if (b && 'drv' in b && r && 'error' in r && /throws an error or fails an assertion$/.test(r.error)) {
        const why = await plainError(a, farm.root, o, stats);
        if (why) after.set(a, { error: `nix-instantiate: ${why}` });
      }
    }
    // Nix's messages name files of the checkout or of the copy: relative to either, and a place
    // in a changed file is a place in its new text
    const rels = new Set(files.map((f) => toPosix(relative(o.root, f.absolute))));
    const tidy = (e: { drv: string } | { error: string } | undefined, inCopy: boolean): typeof e => {
      if (!e || !('error' in e)) return e;
      let error = e.error.split(`${inCopy ? farm.root : o.root}/`).join('');
      if (inCopy) error = error.replace(/\(at ([^():]+):(\d+):(\d+)\)/g, (m, f: string, l: string, c: string) => (rels.has(f) ? `(at ${f}:${l}:${c}, in the new text)` : m));
      return { error };
    };
    for (const a of attrs) {
      before.set(a, tidy(before.get(a), false)!);
      after.set(a, tidy(after.get(a), true)!);
    }
    for (const [file, p] of plans) {
      if (!('attrs' in p)) continue;
      const packages = p.attrs.map((attr): PackageCheck => {
        const b = evaluation(before.get(attr), o.lens);
        const r = evaluation(after.get(attr), o.lens);
        const broken = 'drv' in b && !('drv' in r);
        return { attr, before: b, after: r, broken, flags: flagsOf(r, o.lens) };
      });
      result.set(file, { packages });
    }
  } finally {
    farm.remove();
  }
  return { files: result, stats };
}

/** `cuda_cudart-11.8.89 (dev, lib)`: an input with the outputs taken, when not just `out`. */
export function inputLabel(i: InputDrv): string {
  return i.outputs.length === 1 && i.outputs[0] === 'out' ? i.name : `${i.name} (${i.outputs.join(', ')})`;
}

/** `cudatoolkit-11.8.0 → cuda_cudart-11.8.89 (dev, lib), cuda_nvcc-11.8.89`: the relevant inputs before and after. */
export function inputsChange(c: PackageCheck, lens: InputLens): string {
  const list = (e: Evaluation): string => {
    const xs = 'inputs' in e ? e.inputs.filter((i) => lens.relevant(i.name)).map(inputLabel) : [];
    return xs.length > 0 ? xs.join(', ') : 'none';
  };
  return 'inputs' in c.before ? `${list(c.before)} → ${list(c.after)}` : list(c.after);
}
