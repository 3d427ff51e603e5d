/**
 * The command line. `main(argv, io)` returns the exit code; only bin/nixshift.js touches
 * process.exitCode. Exit codes: 0 success, 1 changes found under --check, 2 errors (a file that
 * could not be read/parsed/transformed, a missing path, bad arguments, a transform that fails
 * to load).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { CONFIG_NAME, ConfigError, fileOverrides, findConfig, loadConfig, type NixshiftConfig } from './config.js';
import { attrFromPath } from './git/packages.js';
import { Printer, type Sink } from './report/printer.js';
import type { ProgressOptions } from './report/progress.js';
import type { FileResult } from './runner/job.js';
import { builtinExplanation, builtinNames, loadTransform, PACKAGE_ROOT, TransformLoadError } from './runner/load.js';
import { Interrupt, run, type TransformRequest } from './runner/run.js';
import type { OptionValue, Transform, TransformOptions } from './transform.js';

// commander is CommonJS. `require` loads it as it is; an ESM `import` first has Node scan its
// source for the names it exports (cjs-module-lexer, run in JavaScript): about 15 ms more at
// every start, and a V8 compile of the scanner beside it.
const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

export interface Io {
  stdout: Sink & { isTTY?: boolean };
  stderr: Sink & { isTTY?: boolean };
  /** Reads all of standard input (for --stdin). */
  readStdin: () => Promise<string>;
  /** Asks a question on the terminal (for --interactive); undefined at end of input. */
  prompt?: (question: string) => Promise<string | undefined>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Subscribes to SIGINT/SIGTERM for the time of a run (bin/nixshift.js wires it to the process);
   * returns the unsubscribe function. Without it a run cannot be interrupted gracefully.
   */
  onSignal?: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
}

export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_ERROR = 2;
/** An interrupted run: 128 + the signal number, as a shell reports it. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

class UsageError extends Error {}

/**
 * `-o key=value` applies to every transform of the run; `-o name:key=value` to one transform.
 * `true`/`false` become booleans; a bare `key` is `true`.
 */
export function parseOptionArgs(args: string[], transformNames: string[]): Map<string, TransformOptions> {
  const perTransform = new Map<string, TransformOptions>(transformNames.map((n) => [n, {}]));
  for (const arg of args) {
    const m = /^(?:([A-Za-z0-9_.\-/]+):)?([A-Za-z0-9_.\-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`bad --option "${arg}": expected key=value or transform:key=value`);
    const [, scope, key, raw] = m;
    const value: OptionValue = raw === undefined || raw === 'true' ? true : raw === 'false' ? false : raw;
    if (scope !== undefined) {
      if (!perTransform.has(scope)) throw new UsageError(`--option "${arg}" names transform "${scope}", which is not in this run (${transformNames.join(', ')})`);
      perTransform.get(scope)![key!] = value;
    } else {
      for (const opts of perTransform.values()) opts[key!] = value;
    }
  }
  return perTransform;
}

function useColour(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

interface RunFlags {
  transform?: string[];
  write?: boolean;
  check?: boolean;
  json?: boolean;
  stdin?: boolean;
  ignorePattern?: string[];
  gitignore: boolean;
  prefilter: boolean;
  cpus?: string;
  runInBand?: boolean;
  option?: string[];
  color?: boolean;
  quiet?: boolean;
  config?: string | false;
  commit?: boolean;
  changed?: string | boolean;
  formatter?: string;
  verify?: boolean;
  interactive?: boolean;
  report?: string;
  progress?: boolean;
  treefmt?: boolean;
  maxFileSize?: string;
  timeout?: string;
  // --evidence (src/cuda/evidence/nix-sources.ts)
  evidence?: string;
  nixpkgs?: string;
  evidenceJobs?: string;
}

function exclusive(flags: RunFlags, pairs: [keyof RunFlags, keyof RunFlags][]): void {
  const name = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const [a, b] of pairs) if (flags[a] && flags[b]) throw new UsageError(`${name(a)} and ${name(b)} cannot be used together`);
}

/** A transform spec from the config file: paths are relative to the config's folder. */
function configSpec(spec: string, config: NixshiftConfig): string {
  return spec.startsWith('.') || spec.includes('/') ? resolve(config.dir, spec) : spec;
}

function findNixInstantiate(env: NodeJS.ProcessEnv): string | undefined {
  const cmd = env.NIXSHIFT_NIX_INSTANTIATE || 'nix-instantiate';
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? cmd : undefined;
}

function progressOptions(flags: RunFlags, io: Io, quietOutput: boolean): ProgressOptions | undefined {
  const want = flags.progress ?? (io.stderr.isTTY === true && !quietOutput);
  if (!want) return undefined;
  const num = (v: string | undefined, d: number): number => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
  return { delayMs: num(io.env.NIXSHIFT_PROGRESS_DELAY_MS, 500), intervalMs: num(io.env.NIXSHIFT_PROGRESS_INTERVAL_MS, 100) };
}

async function runCommand(paths: string[], flags: RunFlags, io: Io, argv: string[]): Promise<number> {
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
  const configFile = flags.config === false ? undefined : typeof flags.config === 'string' ? resolve(io.cwd, flags.config) : findConfig(io.cwd);
  const config = configFile ? loadConfig(configFile) : undefined;

  const specs = flags.transform ?? config?.transforms?.map((s) => configSpec(s, config)) ?? [];
  if (specs.length === 0) throw new UsageError(`no transform given: use -t <name> (see \`nixshift list\`) or "transforms" in ${CONFIG_NAME}`);
  let cpus: number | undefined;
  if (flags.cpus !== undefined) {
    cpus = Number(flags.cpus);
    if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`--cpus takes a whole number of at least 1, not "${flags.cpus}"`);
  }
  const write = flags.write === true || flags.commit === true || flags.treefmt === true;
  let maxFileBytes: number | undefined;
  if (flags.maxFileSize !== undefined) {
    const mb = Number(flags.maxFileSize);
    if (!Number.isFinite(mb) || mb < 0) throw new UsageError(`--max-file-size takes a size in MiB (0: no limit), not "${flags.maxFileSize}"`);
    maxFileBytes = Math.round(mb * (1 << 20));
  }

  let timeLimitMs: number | undefined;
  if (flags.timeout !== undefined) {
    const secs = Number(flags.timeout);
    if (!Number.isFinite(secs) || secs < 0) throw new UsageError(`--timeout takes a number of seconds (0: no limit), not "${flags.timeout}"`);
    timeLimitMs = Math.round(secs * 1000);
  }

  // Which files.
  let inputs = paths;
  let repoRoot: string | undefined;
  // What only some flags need is loaded when they are given (start-up time of a plain run).
  const git = flags.commit || flags.changed !== undefined ? await import('./git/repo.js') : undefined;
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
      throw new UsageError(`--changed: ${err instanceof Error ? err.message : String(err)}`);
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

  // Transforms and their options: defaults < config "options" < config overrides/packages < -o.
  const loaded: Transform[] = [];
  for (const spec of specs) loaded.push(await loadTransform(spec, io.cwd));
  const names = loaded.map((t) => t.name);
  const perName = parseOptionArgs(flags.option ?? [], [...new Set([...names, ...specs])]);
  const cliOptions = (i: number): TransformOptions => ({ ...perName.get(names[i]!), ...perName.get(specs[i]!) });
  const requests: TransformRequest[] = specs.map((spec, i) => ({ spec, options: { ...config?.options?.[names[i]!], ...cliOptions(i) } }));
  // --evidence sources: per-file source=/source-missing= for the CUDA transforms; a source= from the config or -o wins.
  const evidence = await evidenceOptions(flags, io, inputs, names, config);
  const fileOptions =
    config || evidence
      ? (absolute: string): Record<string, TransformOptions> | undefined => {
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
        }
      : undefined;

  let verify: string | undefined;
  if (flags.verify) {
    verify = findNixInstantiate(io.env);
    if (!verify) io.stderr.write('nixshift: warning: --verify: nix-instantiate is not installed, so new texts are NOT checked by Nix (Debian: apt-get install nix-bin)\n');
  }
  const formatter = flags.formatter ?? config?.formatter;

  const mode = flags.json ? 'json' : flags.treefmt ? 'silent' : write || flags.interactive ? 'write' : 'diff';
  const quiet = flags.quiet === true || flags.treefmt === true;
  const printer = new Printer({
    mode,
    stdout: io.stdout,
    stderr: io.stderr,
    colour: useColour(flags.color, io.stdout, io.env),
    colourErr: useColour(flags.color, io.stderr, io.env),
    quiet,
    progress: flags.interactive ? undefined : progressOptions(flags, io, quiet),
  });
  const reports = flags.report ? await import('./report/collect.js') : undefined;
  const report = reports ? new reports.ReportCollector() : undefined;
  const interactive = flags.interactive ? new (await import('./interactive.js')).InteractiveSession(io, printer, useColour(flags.color, io.stdout, io.env)) : undefined;
  const changedFilesOfRun: FileResult[] = [];
  printer.start();
  // Ctrl-C (SIGINT) or SIGTERM: the first stops the run after the files being processed (no
  // write is cut in half); a second stops it at once (temporary files removed, originals intact).
  const interrupt = new Interrupt();
  const unsubscribe = io.onSignal?.((signal) => {
    const first = !interrupt.requested;
    interrupt.request(signal);
    if (first) io.stderr.write(`\nnixshift: ${signal}: stopping after the files being processed (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to stop at once)\n`);
  });
  let result;
  try {
    result = await run({
      transforms: requests,
      paths: inputs,
      cwd: io.cwd,
      ignorePatterns: flags.ignorePattern,
      ignoreRelativeTo: config?.ignore ? [{ base: config.dir, patterns: config.ignore }] : undefined,
      gitignore: flags.gitignore,
      write: write && !flags.interactive,
      prefilter: flags.prefilter,
      diff: !write || flags.json === true || report !== undefined || flags.interactive === true,
      keepText: flags.commit === true || flags.interactive === true,
      closure: report !== undefined,
      formatter,
      verify,
      fileOptions,
      maxFileBytes,
      cpus,
      runInBand: flags.runInBand,
      onStart: (n) => printer.total(n),
      onResult: (r) => {
        if (interactive) {
          interactive.push(r);
          return;
        }
        report?.add(r);
        if (flags.commit && r.written) changedFilesOfRun.push(r);
        printer.file(r);
      },
      interrupt,
      timeLimitMs,
    });
  } finally {
    unsubscribe?.();
  }
  if (interactive) {
    const decided = await interactive.finish();
    for (const r of decided) {
      report?.add(r);
      if (flags.commit && r.written) changedFilesOfRun.push(r);
    }
    // Writes happened here, not in the run: count them (and files whose write failed) again.
    const counts = result.summary.counts;
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] = decided.filter((r) => r.status === k).length;
    result.summary.written = decided.filter((r) => r.written).length;
  }
  let failed = false;
  if (flags.commit && changedFilesOfRun.length > 0 && result.interrupted) {
    io.stderr.write(`nixshift: --commit: no commits made (interrupted); the ${changedFilesOfRun.length} file${changedFilesOfRun.length === 1 ? '' : 's'} written are left uncommitted in the work tree\n`);
  } else if (flags.commit && changedFilesOfRun.length > 0) {
    failed = !(await commitResults(repoRoot!, changedFilesOfRun, loaded, printer.out, io.stderr, io.env));
  }
  printer.end(result.summary, result);
  if (interactive && !quiet) io.stderr.write(interactive.summaryLine());
  if (reports && report && flags.report) {
    const file = resolve(io.cwd, flags.report);
    try {
      reports.writeReport(file, report.data({ command: ['nixshift', ...argv].join(' '), transforms: names, version: version(), result, written: write || flags.interactive === true }));
      if (!quiet) io.stderr.write(`nixshift: report written to ${flags.report}\n`);
    } catch (err) {
      io.stderr.write(`nixshift: error: cannot write the report ${flags.report}: ${err instanceof Error ? err.message : String(err)}\n`);
      failed = true;
    }
  }
  const s = result.summary;
  if (result.interrupted) return result.interrupted.reason === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
  if (failed || s.counts.error > 0 || result.missing.length > 0 || result.unreadable.length > 0) return EXIT_ERROR;
  if (flags.check && s.counts.ok > 0) return EXIT_CHANGES;
  return EXIT_OK;
}

// --- --evidence (begin) ---
/** --evidence sources: each CUDA package's source, found with Nix before the run (src/cuda/evidence/nix-sources.ts). */
async function evidenceOptions(
  flags: RunFlags,
  io: Io,
  inputs: string[],
  names: string[],
  config: NixshiftConfig | undefined,
): Promise<((absolute: string) => Record<string, TransformOptions> | undefined) | undefined> {
  if (flags.evidence === undefined) {
    if (flags.nixpkgs !== undefined || flags.evidenceJobs !== undefined) throw new UsageError(`${flags.nixpkgs !== undefined ? '--nixpkgs' : '--evidence-jobs'} only applies with --evidence sources`);
    return undefined;
  }
  const kinds = flags.evidence.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => k !== 'sources');
  if (unknown.length > 0) throw new UsageError(`--evidence takes \`sources\`, not "${flags.evidence}"`);
  let jobs: number | undefined;
  if (flags.evidenceJobs !== undefined) {
    jobs = Number(flags.evidenceJobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--evidence-jobs takes a whole number of at least 1, not "${flags.evidenceJobs}"`);
  }
  const ns = await import('./cuda/evidence/nix-sources.js');
  if (!findNixInstantiate(io.env)) throw new UsageError(ns.NIX_MISSING);
  if (!names.some((n) => ns.SOURCE_TRANSFORMS.includes(n))) {
    io.stderr.write(`nixshift: warning: --evidence sources: no transform of this run takes a source (${ns.SOURCE_TRANSFORMS.join(', ')}); nothing asked of Nix\n`);
    return undefined;
  }
  const quiet = flags.quiet === true || flags.treefmt === true;
  const r = await ns.gatherSources({
    inputs,
    cwd: io.cwd,
    ignorePatterns: flags.ignorePattern,
    ignoreRelativeTo: config?.ignore ? [{ base: config.dir, patterns: config.ignore }] : undefined,
    gitignore: flags.gitignore,
    nixpkgs: flags.nixpkgs,
    env: io.env,
    jobs: jobs ?? ns.DEFAULT_EVIDENCE_JOBS,
    stderr: io.stderr,
    progress: flags.progress ?? (io.stderr.isTTY === true && !quiet),
    quiet,
  });
  if (!r.ok) throw new UsageError(r.usage);
  return ns.sourceFileOptions(r.files, names);
}
// --- --evidence (end) ---

/** --commit: one commit per package of the files this run wrote. False when a commit failed. */
async function commitResults(root: string, results: FileResult[], loaded: Transform[], out: Sink, err: Sink, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { makeCommits, planCommits } = await import('./git/commit.js');
  const names = loaded.map((t) => t.name);
  const summaryOf = new Map<string, string>();
  for (const t of loaded) summaryOf.set(t.name, t.changeSummary ?? `apply ${t.name}`);
  const summaries = (changedBy: string[]): string => [...new Set(changedBy.map((n) => summaryOf.get(n) ?? `apply ${n}`))].join(', ');
  const files = results.map((r) => ({ absolute: r.absolute!, original: r.original!, output: r.output!, findings: r.findings, changedBy: r.changedBy }));
  const plans = planCommits(root, files, { summaries, footer: `Generated by nixshift ${version()} (${names.join(', ')})` });
  try {
    const made = makeCommits(root, plans, env);
    for (const c of made) out.write(`committed ${c.sha.slice(0, 10)} ${c.title}\n`);
    return true;
  } catch (e) {
    err.write(`nixshift: error: --commit: ${e instanceof Error ? e.message : String(e)}\n`);
    return false;
  }
}

async function listCommand(io: Io): Promise<number> {
  const names = builtinNames();
  const rows: [string, string][] = [];
  for (const n of names) rows.push([n, (await loadTransform(n, io.cwd)).description]);
  const width = Math.max(0, ...rows.map(([n]) => n.length));
  for (const [n, d] of rows) io.stdout.write(`${n.padEnd(width)}  ${d}\n`);
  return EXIT_OK;
}

async function explainCommand(name: string, io: Io): Promise<number> {
  const t = await loadTransform(name, io.cwd);
  const doc = builtinExplanation(t.name);
  let out = doc ?? `# ${t.name}\n\n${t.description}\n`;
  if (!out.endsWith('\n')) out += '\n';
  if (t.rules && Object.keys(t.rules).length > 0) {
    out += `\n## Findings it reports\n\n`;
    for (const [id, r] of Object.entries(t.rules)) out += `- \`${t.name}/${id}\` (${r.severity}): ${r.summary}\n`;
  }
  if (t.options && Object.keys(t.options).length > 0) {
    out += `\n## Options (\`-o key=value\`, or \`-o ${t.name}:key=value\`)\n\n`;
    for (const [k, d] of Object.entries(t.options)) out += `- \`${k}\`: ${d}\n`;
  }
  out += `\nNeedles (prefilter): ${t.needles.length > 0 ? t.needles.map((n) => `\`${n}\``).join(', ') : '(none: every file is parsed)'}\n`;
  io.stdout.write(out);
  return EXIT_OK;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const program = new Command();
  program
    .name('nixshift')
    .description('Codemods for Nix expressions: scope-aware transforms, reviewable unified diffs.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run `nixshift --help` for usage)');

  program
    .command('run')
    .description('run transforms over files and folders; dry run (diffs only) unless --write')
    .argument('[paths...]', 'files and folders (folders are searched for *.nix); default: the current folder')
    .option('-t, --transform <name|path>', 'a built-in transform or a module file (repeatable; applied in order)', collect)
    .option('--write', 'write changed files (atomically); default is a dry run')
    .option('--check', 'print diffs and exit 1 if any file would change (CI, pre-commit)')
    .option('--json', 'print one JSON document with every file, its status, findings and diff')
    .option('--stdin', 'read more paths from standard input, one per line')
    .option('--ignore-pattern <glob>', 'skip paths matching this gitignore-style glob (repeatable)', collect)
    .option('--no-gitignore', 'do not respect .gitignore files')
    .option('--no-prefilter', 'parse every file, even those without any needle of the transforms')
    .option('--cpus <n>', 'worker threads (default: all cores)')
    .option('--run-in-band', 'run everything on the main thread')
    .option('-o, --option <key=value>', 'transform option: key=value for all, name:key=value for one (repeatable)', collect)
    .addOption(new Option('--color', 'colour diffs and findings (default: when on a terminal)'))
    .addOption(new Option('--no-color', 'never colour'))
    .option('-q, --quiet', 'no summary line')
    .option('--config <file>', `config file (default: ${CONFIG_NAME} in this folder or the nearest enclosing one, up to the git root)`)
    .option('--no-config', 'ignore config files')
    .option('--changed [base]', 'only .nix files changed against <base> (default: merge base with the upstream branch, else HEAD), plus staged and untracked ones')
    .option('--commit', 'with --write (implied): one git commit per package, titled `<attr>: <what changed>`; needs a clean work tree')
    .option('-i, --interactive', 'show each diff and ask [y]es / [n]o / [a]ll / [q]uit; write only accepted files')
    .option('--formatter <command>', 'pipe each changed file through this command (stdin → stdout, e.g. nixfmt) before diffing and writing')
    .option('--verify', 'check each new text with `nix-instantiate --parse` (when installed) before writing; a rejected file is an error')
    .option('--report <file>', 'also write a report: Markdown, or one self-contained HTML page when the name ends in .html')
    .option('--treefmt', 'treefmt/formatter mode: write changed files in place, print nothing but findings and errors; exit 0, or 2 on errors')
    .option('--max-file-size <MiB>', 'skip (with the reason) files larger than this instead of parsing them; 0: no limit (default: 4)')
    .option('--timeout <seconds>', 'a file still being processed after this long is an error and its worker thread is replaced; 0: no limit (default: 60; in band: around each transform call)')
    .addOption(new Option('--progress', 'show a progress line on stderr (default: when stderr is a terminal)'))
    .addOption(new Option('--no-progress', 'never show the progress line'))
    // --- --evidence (begin) ---
    .option(
      '--evidence <kind>',
      'gather evidence for the CUDA transforms before the run; `sources`: ask Nix (nix-instantiate) for the source of each package whose file names cudatoolkit or symlinkJoin, build it if it is not in the store, and pass it as the option source=<path> (else source-missing=<why>)',
    )
    .option('--nixpkgs <dir>', 'the nixpkgs checkout --evidence evaluates (default: the nearest enclosing folder with pkgs/top-level/all-packages.nix, else the git root with a default.nix)')
    .option('--evidence-jobs <n>', 'how many sources --evidence builds at the same time (default: 2)')
    // --- --evidence (end) ---
    .action(async (paths: string[], flags: RunFlags) => {
      code = await runCommand(paths, flags, io, argv);
    });

  program
    .command('list')
    .description('list the built-in transforms')
    .action(async () => {
      code = await listCommand(io);
    });

  program
    .command('explain')
    .description('explain a transform: what it does, why, an example, when not to use it')
    .argument('<transform>', 'a built-in name or a module file')
    .action(async (name: string) => {
      code = await explainCommand(name, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_ERROR;
    }
    if (err instanceof UsageError || err instanceof TransformLoadError || err instanceof ConfigError) {
      io.stderr.write(`nixshift: ${err.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`nixshift: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_ERROR;
  }
  return code;
}
