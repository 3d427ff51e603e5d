/**
 * `--verify eval` on the command line: its flags checked before the run (Nix installed, the
 * checkout found), and after the run the verdict on each changed file (src/eval/verify.ts): its
 * findings, an error for a package the change broke (the file is then not written), the data for
 * `--json` and the reports. Loaded only when asked for.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CUDA_INPUTS } from '../cuda/drv-inputs.js';
import { findNixpkgsRoot } from '../eval/checkout.js';
import { evalReport } from '../eval/report.js';
import { spawnExec } from '../eval/nix.js';
import { DEFAULT_VERIFY_CONFIG, type Evaluation, type FileCheck, inputsChange, type PackageCheck, verifyEval, type VerifyResult } from '../eval/verify.js';
import { failure } from '../model/errors.js';
import type { FileResult } from '../model/result.js';
import { defaultCpus } from '../runner/run.js';
import type { Finding } from '../transform.js';
import { UsageError, type Io } from './io.js';
import { findNixInstantiate, type RunFlags } from './options.js';

export const NIX_MISSING_FOR_EVAL =
  '--verify eval: nix-instantiate is not installed (or not on PATH); it is what evaluates each package. Install Nix (Debian: apt-get install nix-bin; elsewhere: https://nixos.org/download), or run with --verify (parse only)';

/** The reports' part of --verify eval (src/eval/report.ts); the verdicts are in each file's `measured` under its id. */
export const EVAL_REPORT = evalReport(CUDA_INPUTS);
const EVAL_MEASURE = EVAL_REPORT.id;

export interface EvalSetup {
  root: string;
  config: string;
  jobs: number;
  nixInstantiate: string;
}

/** Check `--verify eval`'s flags before the run; undefined without it. Usage errors throw. */
export function evalSetup(flags: RunFlags, io: Io, inputs: readonly string[]): EvalSetup | undefined {
  const kind = flags.verifyKind;
  if (kind !== undefined && kind !== 'eval' && kind !== 'parse') throw new UsageError(`--verify takes \`parse\` or \`eval\`, not "${kind}"`);
  if (kind !== 'eval') {
    const stray = flags.verifyConfig !== undefined ? '--verify-config' : flags.verifyJobs !== undefined ? '--verify-jobs' : undefined;
    if (stray) throw new UsageError(`${stray} only applies with --verify eval`);
    return undefined;
  }
  if (flags.interactive) throw new UsageError('--verify eval and --interactive cannot be used together (verify first, then review the diffs)');
  if (flags.treefmt) throw new UsageError('--verify eval and --treefmt cannot be used together');
  let jobs = defaultCpus();
  if (flags.verifyJobs !== undefined) {
    jobs = Number(flags.verifyJobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--verify-jobs takes a whole number of at least 1, not "${flags.verifyJobs}"`);
  }
  const config = flags.verifyConfig ?? DEFAULT_VERIFY_CONFIG;
  if (config.trim() === '') throw new UsageError('--verify-config takes a Nix expression (an attribute set), not an empty string');
  const nixInstantiate = findNixInstantiate(io.env);
  if (!nixInstantiate) throw new UsageError(NIX_MISSING_FOR_EVAL);
  let root: string | undefined;
  if (flags.nixpkgs !== undefined) {
    root = resolve(io.cwd, flags.nixpkgs);
    if (!existsSync(join(root, 'default.nix'))) throw new UsageError(`--nixpkgs ${flags.nixpkgs}: ${root} has no default.nix, so it is not a nixpkgs checkout Nix can evaluate`);
  } else {
    const first = inputs.length > 0 ? resolve(io.cwd, inputs[0]!) : io.cwd;
    const start = existsSync(first) && !statSync(first).isDirectory() ? dirname(first) : first;
    root = findNixpkgsRoot(start) ?? findNixpkgsRoot(io.cwd);
    if (!root) throw new UsageError(`--verify eval: no nixpkgs checkout holds ${start} (looked for a folder with pkgs/top-level/all-packages.nix and a default.nix, or a git root with a default.nix); name it with --nixpkgs <dir>`);
  }
  return { root, config, jobs, nixInstantiate };
}

const finding = (rule: string, severity: Finding['severity'], message: string, fix?: string): Finding => ({ rule: `verify/${rule}`, severity, message, ...(fix ? { fix } : {}), line: 1, column: 1 });

const error = (e: Evaluation): string => ('error' in e ? e.error : '');

/** What one file's verdict adds to its result: findings, and the error when a package broke. */
function apply(r: FileResult, check: FileCheck, config: string): void {
  if ('missing' in check) {
    r.findings.push(finding('no-attribute', 'warning', `not verified by --verify eval: ${check.missing}`, 'evaluate what uses this file by hand (nix-instantiate -A <attribute>)'));
    return;
  }
  const lens = CUDA_INPUTS;
  const broken: PackageCheck[] = [];
  for (const p of check.packages) {
    if (p.broken) broken.push(p);
    else if (!('drv' in p.before)) {
      const now = 'drv' in p.after ? 'it does after it' : 'nor after it';
      r.findings.push(finding('not-evaluating-before', 'info', `\`${p.attr}\` did not evaluate before the change (${error(p.before)}), ${now}: not held to it`));
    } else {
      r.findings.push(finding('evaluates', 'info', `\`${p.attr}\` evaluates before and after the change (config \`${config}\`); ${lens.what} inputs: ${inputsChange(p, lens)}`));
    }
    for (const f of p.flags) r.findings.push(finding('kept-input', 'warning', `\`${p.attr}\` still takes \`${f.input}\` as a direct input after the change: ${f.why}`, 'take the split packages it needs instead'));
  }
  if (broken.length > 0) {
    const what = broken.map((p) => `\`${p.attr}\` evaluated before the change and no longer does: ${error(p.after)}`).join('; ');
    Object.assign(r, failure('verify-failed', `--verify eval (config \`${config}\`): ${what}; file left unchanged`));
  }
}

/** JSON-ready verdicts: per package, before and after (its `.drv` and direct inputs, or the error). */
export function evaluationData(check: FileCheck): unknown {
  if ('missing' in check) return { missing: check.missing };
  return check.packages.map((p) => ({ attr: p.attr, broken: p.broken, before: p.before, after: p.after, flags: p.flags }));
}

export interface EvalOutcome {
  result: VerifyResult;
  seconds: number;
}

/**
 * Verify the changed files among `results` (those `ok` with their new text), and record each
 * verdict in its result. Writes nothing.
 */
export async function verifyResults(results: readonly FileResult[], setup: EvalSetup, io: Io, quiet: boolean): Promise<EvalOutcome> {
  const started = Date.now();
  const changed = results.filter((r) => r.status === 'ok' && r.output !== undefined && r.original !== undefined && r.absolute !== undefined);
  const tty = io.stderr.isTTY === true && !quiet;
  const result = await verifyEval(
    changed.map((r) => ({ absolute: r.absolute!, original: r.original!, output: r.output! })),
    {
      root: setup.root,
      config: setup.config,
      exec: spawnExec(io.env),
      nixInstantiate: setup.nixInstantiate,
      jobs: setup.jobs,
      lens: CUDA_INPUTS,
      onProgress: tty ? (doing) => io.stderr.write(`\r\x1b[Knixshift: verify eval: ${doing}…`) : undefined,
    },
  );
  if (tty) io.stderr.write('\r\x1b[K');
  for (const r of changed) {
    const check = result.files.get(r.absolute!);
    if (!check) continue;
    apply(r, check, setup.config);
    r.evaluation = evaluationData(check);
    r.measured = { ...r.measured, [EVAL_MEASURE]: check };
  }
  return { result, seconds: (Date.now() - started) / 1000 };
}

/** `nixshift: verify eval: 4 packages of 3 files: 3 evaluate, 1 no longer does; 1 file not verified; 6 nix-instantiate calls; 3.1s` */
export function summaryLine(o: EvalOutcome): string {
  const checks = [...o.result.files.values()];
  // a package is counted once, however many of its files changed (its file, its call site)
  const byAttr = new Map(checks.flatMap((c) => ('packages' in c ? c.packages : [])).map((p) => [p.attr, p]));
  const packages = [...byAttr.values()];
  const s = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  const broken = packages.filter((p) => p.broken).length;
  const notBefore = packages.filter((p) => !('drv' in p.before)).length;
  const missing = checks.filter((c) => 'missing' in c).length;
  const parts = [`${packages.length - broken - notBefore} evaluate${packages.length - broken - notBefore === 1 ? 's' : ''}`];
  if (broken > 0) parts.push(`${broken} no longer ${broken === 1 ? 'does' : 'do'}`);
  if (notBefore > 0) parts.push(`${notBefore} did not before`);
  const files = checks.length - missing;
  return `nixshift: verify eval: ${s(packages.length, 'package')} of ${s(files, 'file')}: ${parts.join(', ')}${missing > 0 ? `; ${s(missing, 'file')} with no attribute, not verified` : ''}; ${s(o.result.stats.calls, 'nix-instantiate call')}; ${o.seconds.toFixed(1)}s\n`;
}
