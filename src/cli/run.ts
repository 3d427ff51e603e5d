/**
 * `nixshift run`: the flags checked (options.ts), the files to take (paths, `--changed`,
 * `--stdin`), the transforms and their options per file, then the run itself with its printer,
 * report, interactive session and commits, and the exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { closest } from '../util/suggest.js';
import { CONFIG_NAME, fileOverrides, findConfig, loadConfig, type NixshiftConfig } from '../config.js';
import { attrFromPath } from '../git/packages.js';
import { createPrinter, type Printer } from '../output/printer.js';
import { failure } from '../model/errors.js';
import { writeFileAtomic } from '../runner/files.js';
import { reportExtensions, writeError, type FileResult } from '../runner/job.js';
import { loadTransform } from '../runner/load.js';
import { Interrupt, run, type RunResult, type TransformRequest } from '../runner/run.js';
import type { Severity, Transform, TransformOptions } from '../transform.js';
import { commitResults } from './commit.js';
import { evidenceOptions } from './evidence.js';
import { checkTransformOptions } from './transform-options.js';
import { disabledOf, failOnOf, type Format, formatOf, reaches, sarifRules, severityOf } from './formats.js';
import type { SarifRule } from '../output/printer.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, UsageError, version, type Io } from './io.js';
import { configSpec, exclusive, findNixInstantiate, parseOptionArgs, progressOptions, useColour, type RunFlags } from './options.js';

/** The numbers and switches of a run, checked. */
interface Limits {
  cpus?: number;
  maxFileBytes?: number;
  timeLimitMs?: number;
  write: boolean;
}

function checkFlags(flags: RunFlags, io: Io): Limits {
  exclusive(flags, [
    ['write', 'check'],
    ['commit', 'check'],
    ['interactive', 'check'],
    ['interactive', 'json'],
    ['treefmt', 'check'],
    ['treefmt', 'json'],
    ['treefmt', 'interactive'],
    ['treefmt', 'commit'],
    ['changed', 'stdin'],
  ]);
  if (flags.interactive && !io.prompt) throw new UsageError('--interactive needs a terminal to ask on');
  const limits: Limits = { write: flags.write === true || flags.commit === true || flags.treefmt === true };
  if (flags.cpus !== undefined) {
    limits.cpus = Number(flags.cpus);
    if (!Number.isInteger(limits.cpus) || limits.cpus < 1) throw new UsageError(`--cpus takes a whole number of at least 1, not "${flags.cpus}"`);
  }
  if (flags.maxFileSize !== undefined) {
    const mb = Number(flags.maxFileSize);
    if (!Number.isFinite(mb) || mb < 0) throw new UsageError(`--max-file-size takes a size in MiB (0: no limit), not "${flags.maxFileSize}"`);
    limits.maxFileBytes = Math.round(mb * (1 << 20));
  }
  if (flags.timeout !== undefined) {
    const secs = Number(flags.timeout);
    if (!Number.isFinite(secs) || secs < 0) throw new UsageError(`--timeout takes a number of seconds (0: no limit), not "${flags.timeout}"`);
    limits.timeLimitMs = Math.round(secs * 1000);
  }
  return limits;
}

/** What used to fail only after the whole run: the reports' folders, the formatter. */
function checkEarly(flags: RunFlags, io: Io, config: NixshiftConfig | undefined): void {
  for (const file of flags.report ?? []) {
    const dir = dirname(resolve(io.cwd, file));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--report ${file}: the folder ${dir} does not exist`);
  }
  const formatter = flags.formatter ?? config?.formatter;
  const word = formatter?.trim().split(/\s+/)[0];
  if (word && spawnSync('sh', ['-c', 'command -v -- "$1"', 'sh', word], { cwd: io.cwd, env: { ...process.env, ...io.env }, stdio: 'ignore' }).status !== 0) {
    throw new UsageError(`--formatter ${formatter}: \`${word}\` is not installed (or not on PATH); nothing was run`);
  }
}

/** The paths of the run (given, changed in git, or read from stdin), and the git root when needed. */
async function gatherInputs(paths: string[], flags: RunFlags, io: Io): Promise<{ inputs: string[]; repoRoot?: string }> {
  let inputs = paths;
  let repoRoot: string | undefined;
  // What only some flags need is loaded when they are given (start-up time of a plain run).
  const git = flags.commit || flags.changed !== undefined ? await import('../git/repo.js') : undefined;
  if (git) {
    repoRoot = git.gitRoot(io.cwd);
    if (!repoRoot) throw new UsageError(`${flags.commit ? '--commit' : '--changed'} needs a git work tree, and ${io.cwd} is not in one`);
  }
  if (flags.changed !== undefined) {
    const base = typeof flags.changed === 'string' ? flags.changed : undefined;
    let changed;
    try {
      changed = git!.changedFiles(repoRoot!, base);
    } catch (err) {
      // `--changed pkgs/by-name`: the path was taken as the base
      const hint = base !== undefined && existsSync(resolve(io.cwd, base)) ? `; "${base}" is a path: to look only there, write \`--changed -- ${base}\` or put the path before --changed` : '';
      throw new UsageError(`--changed: ${err instanceof Error ? err.message : String(err)}${hint}`);
    }
    const within = paths.map((p) => resolve(io.cwd, p));
    const files = within.length === 0 ? changed.files : changed.files.filter((f) => within.some((w) => f === w || f.startsWith(w.endsWith(sep) ? w : w + sep)));
    if (!flags.quiet) io.stderr.write(`nixshift: --changed: ${files.length} .nix file${files.length === 1 ? '' : 's'} changed against ${changed.baseDescription}\n`);
    inputs = files;
  } else if (flags.stdin) {
    const listed = (await io.readStdin())
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    // An empty list (say, an empty `git diff --name-only`) is not an error: nothing to do.
    inputs = [...paths, ...listed];
  } else if (inputs.length === 0) {
    inputs = ['.'];
  }
  if (flags.commit) {
    const dirty = git!.dirtyState(repoRoot!, inputs.map((p) => resolve(io.cwd, p)));
    const lines = [...dirty.staged.map((f) => `staged: ${f}`), ...dirty.unstaged.map((f) => `modified: ${f}`), ...dirty.untracked.map((f) => `untracked: ${f}`)];
    if (lines.length > 0) {
      const shown = lines.slice(0, 10).map((l) => `  ${l}\n`).join('') + (lines.length > 10 ? `  … and ${lines.length - 10} more\n` : '');
      throw new UsageError(`--commit: the work tree is not clean; commit or stash these first, so that every commit holds only nixshift's changes:\n${shown}`.trimEnd());
    }
  }
  return { inputs, repoRoot };
}

interface Transforms {
  loaded: Transform[];
  names: string[];
  requests: TransformRequest[];
  fileOptions?: (absolute: string) => Record<string, TransformOptions> | undefined;
}

/** Transforms and their options: defaults < config "options" < config overrides/packages < -o. */
async function transformsOf(specs: string[], flags: RunFlags, io: Io, inputs: string[], config: NixshiftConfig | undefined): Promise<Transforms> {
  const loaded: Transform[] = [];
  for (const spec of specs) loaded.push(await loadTransform(spec, io.cwd));
  const names = loaded.map((t) => t.name);
  const perName = parseOptionArgs(flags.option ?? [], [...new Set([...names, ...specs])]);
  const cliOptions = (i: number): TransformOptions => ({ ...perName.get(names[i]!), ...perName.get(specs[i]!) });
  const requests: TransformRequest[] = specs.map((spec, i) => ({ spec, options: { ...config?.options?.[names[i]!], ...cliOptions(i) } }));
  checkTransformOptions(flags.option ?? [], loaded, specs, config, (i) => requests[i]!.options);
  // --evidence sources: per-file source=/source-missing= for the CUDA transforms; a source= from the config or -o wins.
  const evidence = await evidenceOptions(flags, io, inputs, names, config);
  if (!config && !evidence) return { loaded, names, requests };
  const fileOptions = (absolute: string): Record<string, TransformOptions> | undefined => {
    const o = config ? fileOverrides(config, absolute, attrFromPath) : undefined;
    const e = evidence?.(absolute);
    if (!o && !e) return undefined;
    const out: Record<string, TransformOptions> = {};
    names.forEach((n, i) => {
      const given = { ...o?.[n], ...cliOptions(i) };
      const found = given.source === undefined ? e?.[n] : undefined; // a source= given wins, reason and all
      if (o?.[n] || found) out[n] = { ...found, ...given };
    });
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return { loaded, names, requests, fileOptions };
}

export async function runCommand(paths: string[], flags: RunFlags, io: Io, argv: string[]): Promise<number> {
  const limits = checkFlags(flags, io);
  const format = formatOf(flags);
  const failOn = failOnOf(flags);
  const configFile = flags.config === false ? undefined : typeof flags.config === 'string' ? resolve(io.cwd, flags.config) : findConfig(io.cwd);
  const config = configFile ? loadConfig(configFile) : undefined;
  checkEarly(flags, io, config);
  const specs = flags.transform ?? config?.transforms?.map((s) => configSpec(s, config)) ?? [];
  if (specs.length === 0) throw new UsageError(`no transform given: use -t <name> (see \`nixshift list\`) or "transforms" in ${CONFIG_NAME}`);
  const { inputs, repoRoot } = await gatherInputs(paths, flags, io);
  const transforms = await transformsOf(specs, flags, io, inputs, config);
  const disabled = disabledOf(flags, config, transforms.loaded);
  // --verify eval: checked now (Nix, the checkout); the files are written after the run, once verified
  const verifyEval = flags.verifyKind !== undefined || flags.verifyConfig !== undefined || flags.verifyJobs !== undefined ? (await import('./verify-eval.js')).evalSetup(flags, io, inputs) : undefined;
  let verify: string | undefined;
  if (flags.verify) {
    verify = findNixInstantiate(io.env);
    if (!verify) io.stderr.write('nixshift: warning: --verify: nix-instantiate is not installed, so new texts are NOT checked by Nix (Debian: apt-get install nix-bin)\n');
  }
  const output: OutputSetup = { format, failOn, disabled, root: io.cwd };
  const minSeverity = severityOf(flags);
  if (minSeverity) output.minSeverity = minSeverity;
  // github and sarif name files from the repository root
  if (format === 'github' || format === 'sarif') {
    output.cwd = realpathSync(io.cwd); // (git gives the root as a real path)
    output.root = repoRoot ?? (await import('../git/repo.js')).gitRoot(io.cwd) ?? output.cwd;
  }
  if (format === 'sarif') output.sarif = { version: version(), rules: sarifRules(transforms.loaded), commandLine: ['nixshift', ...argv].join(' ') };
  const session = await Session.open(flags, io, limits, output, verifyEval);
  session.inputs = inputs;
  session.config = config;
  const result = await session.run({
    transforms: transforms.requests,
    paths: inputs,
    cwd: io.cwd,
    ignorePatterns: flags.ignorePattern,
    ignoreRelativeTo: config?.ignore ? [{ base: config.dir, patterns: config.ignore }] : undefined,
    gitignore: flags.gitignore,
    write: limits.write && !flags.interactive && !verifyEval,
    prefilter: flags.prefilter,
    diff: !limits.write || flags.json === true || session.reporting || flags.interactive === true,
    keepText: flags.commit === true || flags.interactive === true || verifyEval !== undefined || format === 'sarif',
    measure: session.reporting,
    formatter: flags.formatter ?? config?.formatter,
    verify,
    fileOptions: transforms.fileOptions,
    maxFileBytes: limits.maxFileBytes,
    cpus: limits.cpus,
    runInBand: flags.runInBand,
    timeLimitMs: limits.timeLimitMs,
  });
  return session.finish(result, transforms, repoRoot, argv);
}

/** Write a file --verify eval let through (the run itself wrote nothing). */
async function writeVerified(r: FileResult): Promise<void> {
  try {
    await writeFileAtomic(r.absolute!, r.output!, { expected: r.original });
    r.written = true;
  } catch (err) {
    Object.assign(r, failure('write-failed', writeError(err)));
  }
}

/** What the run prints and what fails it (formats.ts). */
interface OutputSetup {
  format: Format;
  failOn?: Severity;
  disabled: Set<string>;
  /** The repository root (github and sarif paths are relative to it), else the current folder. */
  root: string;
  /** The current folder, as a real path when `root` is one. */
  cwd?: string;
  /** The least severity printed (--severity; -q: warning). */
  minSeverity?: Severity;
  sarif?: { version: string; rules: SarifRule[]; commandLine: string };
}

type RunInput = Omit<Parameters<typeof run>[0], 'onStart' | 'onResult' | 'interrupt'>;

/**
 * What a run prints and keeps while it goes: the printer, the report, the interactive session,
 * the files to commit, and the interrupt that Ctrl-C and SIGTERM request.
 */
class Session {
  private readonly changed: FileResult[] = [];
  private readonly interrupt = new Interrupt();
  /** With --verify eval: every result, held until the changed files are verified. */
  private readonly held: FileResult[] = [];
  /** Findings of disabled rules dropped (the summary's count is the runner's). */
  private dropped = 0;
  /** A finding reached the --fail-on severity. */
  private failing = false;
  /** The paths of the run, as given (for messages). */
  inputs: readonly string[] = [];
  config: NixshiftConfig | undefined;
  /** The package attributes of the run's files (for the config's "packages" keys). */
  private readonly attrs = new Set<string>();

  private constructor(
    private readonly flags: RunFlags,
    private readonly io: Io,
    private readonly limits: Limits,
    private readonly printer: Printer,
    private readonly quiet: boolean,
    private readonly reports: typeof import('../report/collect.js') | undefined,
    private readonly report: import('../report/collect.js').ReportCollector | undefined,
    private readonly interactive: import('../interactive.js').InteractiveSession | undefined,
    private readonly verifyEval: import('./verify-eval.js').EvalSetup | undefined,
    private readonly output: OutputSetup,
  ) {}

  static async open(flags: RunFlags, io: Io, limits: Limits, output: OutputSetup, verifyEval?: import('./verify-eval.js').EvalSetup): Promise<Session> {
    const f = output.format;
    const mode = f !== 'text' ? f : flags.treefmt ? 'silent' : limits.write || flags.interactive ? 'write' : 'diff';
    const quiet = flags.quiet === true || flags.treefmt === true;
    const printer = await createPrinter({
      mode,
      stdout: io.stdout,
      stderr: io.stderr,
      colour: useColour(flags.color, io.stdout, io.env),
      colourErr: useColour(flags.color, io.stderr, io.env),
      quiet,
      progress: flags.interactive ? undefined : progressOptions(flags, io, quiet),
      root: output.root,
      cwd: output.cwd ?? io.cwd,
      ...(output.minSeverity ? { minSeverity: output.minSeverity } : {}),
      write: limits.write,
      ...(output.sarif ? { sarif: output.sarif } : {}),
    });
    const reports = flags.report ? await import('../report/collect.js') : undefined;
    const report = reports ? new reports.ReportCollector() : undefined;
    const interactive = flags.interactive ? new (await import('../interactive.js')).InteractiveSession(io, printer, useColour(flags.color, io.stdout, io.env)) : undefined;
    return new Session(flags, io, limits, printer, quiet, reports, report, interactive, verifyEval, output);
  }

  get reporting(): boolean {
    return this.report !== undefined;
  }

  /** The run, with Ctrl-C (SIGINT) or SIGTERM: the first stops it after the files being processed
   * (no write is cut in half); a second stops it at once (temporary files removed, originals intact). */
  async run(input: RunInput): Promise<RunResult> {
    this.printer.start();
    const unsubscribe = this.io.onSignal?.((signal) => {
      const first = !this.interrupt.requested;
      this.interrupt.request(signal);
      if (first) this.io.stderr.write(`\nnixshift: ${signal}: stopping after the files being processed (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to stop at once)\n`);
    });
    try {
      return await run({ ...input, interrupt: this.interrupt, onStart: (n) => this.printer.total(n), onResult: (r) => this.take(r) });
    } finally {
      unsubscribe?.();
    }
  }

  private take(r: FileResult): void {
    this.screen(r);
    if (this.interactive) {
      this.interactive.push(r);
      return;
    }
    if (this.verifyEval) {
      this.held.push(r);
      return;
    }
    this.pass(r);
  }

  /** Findings of disabled rules dropped; the --fail-on gate told of the others. */
  private screen(r: FileResult): void {
    const { disabled, failOn } = this.output;
    if (disabled.size > 0 && r.findings.some((f) => disabled.has(f.rule))) {
      const kept = r.findings.filter((f) => !disabled.has(f.rule));
      this.dropped += r.findings.length - kept.length;
      r.findings = kept;
    }
    if (failOn && r.findings.some((f) => reaches(f, failOn))) this.failing = true;
  }

  /** A result, settled: to the report, the commits, the printer. */
  private pass(r: FileResult): void {
    if (this.config?.packages) this.attrs.add(attrFromPath(relative(this.config.dir, resolve(this.io.cwd, r.path)).split(sep).join('/')));
    if (this.verifyEval) this.screen(r); // (--verify eval adds findings after the run)
    this.report?.add(r);
    if (this.flags.commit && r.written) this.changed.push(r);
    this.printer.file(r);
  }

  /** After the run: the interactive decisions, the commits, the summary, the report; the exit code. */
  async finish(result: RunResult, transforms: Transforms, repoRoot: string | undefined, argv: string[]): Promise<number> {
    const { flags, io } = this;
    if (this.verifyEval) await this.settleVerified(result);
    if (this.interactive) {
      const decided = await this.interactive.finish();
      for (const r of decided) {
        this.report?.add(r);
        if (flags.commit && r.written) this.changed.push(r);
      }
      // Writes happened here, not in the run: count them (and files whose write failed) again.
      const counts = result.summary.counts;
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] = decided.filter((r) => r.status === k).length;
      result.summary.written = decided.filter((r) => r.written).length;
    }
    let failed = false;
    let commitInterrupted = false;
    if (flags.commit && this.changed.length > 0 && result.interrupted) {
      io.stderr.write(`nixshift: --commit: no commits made (interrupted); the ${this.changed.length} file${this.changed.length === 1 ? '' : 's'} written are left uncommitted in the work tree\n`);
    } else if (flags.commit && this.changed.length > 0) {
      const outcome = await commitResults(repoRoot!, this.changed, transforms.loaded, io, this.printer.out, { quiet: this.quiet, argv });
      failed = outcome === 'failed';
      commitInterrupted = outcome === 'interrupted';
    }
    result.summary.findings -= this.dropped;
    this.printer.end(result.summary, result);
    // a "packages" key that matches no file of the run but is close to one that does: a typo
    for (const key of Object.keys(this.config?.packages ?? {})) {
      const hint = this.attrs.has(key) ? undefined : ([...this.attrs].find((a) => a.endsWith(`.${key}`)) ?? closest(key, this.attrs));
      if (hint) io.stderr.write(`nixshift: warning: ${this.config!.file}: "packages"."${key}" matches no file of this run (did you mean "${hint}"?)\n`);
    }
    // (paths named, none of them a .nix file; not an empty --stdin or --changed list: nothing to do)
    if (this.inputs.length > 0 && !this.quiet && result.summary.files === 0 && result.missing.length === 0 && result.unreadable.length === 0 && !result.interrupted) {
      io.stderr.write(`nixshift: no .nix file found in ${this.inputs.join(', ')} (folders are searched for *.nix; what .gitignore, --ignore-pattern or the config's "ignore" exclude is skipped: --no-gitignore searches it)\n`);
    }
    if (this.interactive && !this.quiet) io.stderr.write(this.interactive.summaryLine());
    if (this.reports && this.report && flags.report) for (const file of flags.report) failed = !(await this.writeReport(file, result, transforms, argv)) || failed;
    const s = result.summary;
    if (result.interrupted) return result.interrupted.reason === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
    if (commitInterrupted) return EXIT_SIGINT;
    if (failed || s.counts.error > 0 || result.missing.length > 0 || result.unreadable.length > 0) return EXIT_ERROR;
    if (flags.check && s.counts.ok > 0) return EXIT_CHANGES;
    if (this.failing) return EXIT_CHANGES;
    return EXIT_OK;
  }

  /**
   * --verify eval: the changed files verified together (not when the run was interrupted), the
   * verified ones written (under --write), then every result passed on in order.
   */
  private async settleVerified(result: RunResult): Promise<void> {
    const held = this.held.sort((a, b) => a.index - b.index);
    const ve = await import('./verify-eval.js');
    const findingsBefore = held.reduce((n, r) => n + r.findings.length, 0);
    const okBefore = held.filter((r) => r.status === 'ok').length;
    let line = 'nixshift: verify eval: not run (interrupted); nothing written\n';
    if (!result.interrupted) {
      const outcome = await ve.verifyResults(held, this.verifyEval!, this.io, this.quiet);
      line = ve.summaryLine(outcome);
      if (this.limits.write) for (const r of held) if (r.status === 'ok') await writeVerified(r);
    }
    const s = result.summary;
    const refused = okBefore - held.filter((r) => r.status === 'ok').length;
    s.counts.ok -= refused;
    s.counts.error += refused;
    s.findings += held.reduce((n, r) => n + r.findings.length, 0) - findingsBefore;
    s.written = held.filter((r) => r.written).length;
    for (const r of held) this.pass(r);
    if (!this.quiet) this.io.stderr.write(line);
  }

  private async writeReport(name: string, result: RunResult, transforms: Transforms, argv: string[]): Promise<boolean> {
    const { flags, io } = this;
    const file = resolve(io.cwd, name);
    try {
      const data = this.report!.data({ command: ['nixshift', ...argv].join(' '), transforms: transforms.names, version: version(), result, written: this.limits.write || flags.interactive === true });
      const evalReport = this.verifyEval ? [(await import('./verify-eval.js')).EVAL_REPORT] : [];
      this.reports!.writeReport(file, data, [...reportExtensions(transforms.loaded), ...evalReport]);
      if (!this.quiet) io.stderr.write(`nixshift: report written to ${name}\n`);
      return true;
    } catch (err) {
      io.stderr.write(`nixshift: error: cannot write the report ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      return false;
    }
  }
}
