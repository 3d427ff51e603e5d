/**
 * The command line. `main(argv, io)` returns the exit code; only bin/nixshift.js touches
 * process.exitCode. Exit codes: 0 success, 1 changes found under --check, 2 errors (a file that
 * could not be read/parsed/transformed, a missing path, bad arguments, a transform that fails
 * to load).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { Printer, type Sink } from './report/printer.js';
import { builtinExplanation, builtinNames, loadTransform, PACKAGE_ROOT, TransformLoadError } from './runner/load.js';
import { run, type TransformRequest } from './runner/run.js';
import type { OptionValue, TransformOptions } from './transform.js';

export interface Io {
  stdout: Sink & { isTTY?: boolean };
  stderr: Sink & { isTTY?: boolean };
  /** Reads all of standard input (for --stdin). */
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_ERROR = 2;

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
}

async function runCommand(paths: string[], flags: RunFlags, io: Io): Promise<number> {
  const specs = flags.transform ?? [];
  if (specs.length === 0) throw new UsageError('no transform given: use -t <name> (see `nixshift list`)');
  if (flags.write && flags.check) throw new UsageError('--write and --check cannot be used together');
  let cpus: number | undefined;
  if (flags.cpus !== undefined) {
    cpus = Number(flags.cpus);
    if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`--cpus takes a whole number of at least 1, not "${flags.cpus}"`);
  }
  let inputs = paths;
  if (flags.stdin) {
    const listed = (await io.readStdin())
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    // An empty list (say, an empty `git diff --name-only`) is not an error: nothing to do.
    inputs = [...paths, ...listed];
  } else if (inputs.length === 0) {
    inputs = ['.'];
  }
  // Names of the transforms, to scope -o options (a path's transform is known once loaded).
  const names: string[] = [];
  for (const spec of specs) names.push((await loadTransform(spec, io.cwd)).name);
  const perName = parseOptionArgs(flags.option ?? [], [...new Set([...names, ...specs])]);
  const requests: TransformRequest[] = specs.map((spec, i) => ({ spec, options: { ...perName.get(names[i]!), ...perName.get(spec) } }));

  const mode = flags.json ? 'json' : flags.write ? 'write' : 'diff';
  const printer = new Printer({
    mode,
    stdout: io.stdout,
    stderr: io.stderr,
    colour: useColour(flags.color, io.stdout, io.env),
    colourErr: useColour(flags.color, io.stderr, io.env),
    quiet: flags.quiet,
  });
  printer.start();
  const result = await run({
    transforms: requests,
    paths: inputs,
    cwd: io.cwd,
    ignorePatterns: flags.ignorePattern,
    gitignore: flags.gitignore,
    write: flags.write,
    prefilter: flags.prefilter,
    diff: !flags.write || flags.json === true,
    cpus,
    runInBand: flags.runInBand,
    onResult: (r) => printer.file(r),
  });
  printer.end(result.summary, result);
  const s = result.summary;
  if (s.counts.error > 0 || result.missing.length > 0 || result.unreadable.length > 0) return EXIT_ERROR;
  if (flags.check && s.counts.ok > 0) return EXIT_CHANGES;
  return EXIT_OK;
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
    .action(async (paths: string[], flags: RunFlags) => {
      code = await runCommand(paths, flags, io);
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
    if (err instanceof UsageError || err instanceof TransformLoadError) {
      io.stderr.write(`nixshift: ${err.message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`nixshift: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_ERROR;
  }
  return code;
}
