/**
 * The command line. `main(argv, io)` returns the exit code; only bin/nixshift.js touches
 * process.exitCode. Exit codes: 0 success, 1 changes found under --check, 2 errors (a file that
 * could not be read/parsed/transformed, a missing path, bad arguments, a transform that fails
 * to load).
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { CONFIG_NAME, ConfigError } from '../config.js';
import { DEFAULT_VERIFY_CONFIG } from '../eval/expressions.js';
import { TransformLoadError } from '../runner/load.js';
import { explainCommand } from './explain.js';
import { EXIT_ERROR, EXIT_OK, UsageError, version, type Io } from './io.js';
import { listCommand } from './list.js';
import { newCommand, type NewFlags } from './new.js';
import { parseCommand, type ParseFlags } from './parse.js';
import { collect, type RunFlags } from './options.js';
import { runCommand } from './run.js';

export { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, type Io } from './io.js';
export { parseOptionArgs } from './options.js';

// commander is CommonJS. `require` loads it as it is; an ESM `import` first has Node scan its
// source for the names it exports (cjs-module-lexer, run in JavaScript): about 15 ms more at
// every start, and a V8 compile of the scanner beside it.
const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

/** `nixshift run` and its flags (what they mean: README, CLI reference). */
function defineRun(program: Commander.Command): Commander.Command {
  return program
    .command('run')
    .description('run transforms over files and folders; dry run (diffs only) unless --write')
    .argument('[paths...]', 'files and folders (folders are searched for *.nix); default: the current folder')
    .option('-t, --transform <name|path>', 'a built-in transform or a module file (repeatable; applied in order)', collect)
    .option('--write', 'write changed files (atomically); default is a dry run')
    .option('--check', 'print diffs and exit 1 if any file would change (CI, pre-commit)')
    .option('--json', 'print one JSON document with every file, its status, findings and diff (the same as --format json)')
    .option('--format <format>', 'what stdout holds: text (diffs; the default), json (one JSON document), github (GitHub Actions annotations), sarif (one SARIF 2.1.0 log, with each rewrite as a fix)', single('--format'))
    .option('--fail-on <severity>', 'exit 1 when a finding of this severity or above is reported: info, warning or error (CI gates)', single('--fail-on'))
    .option('--disable <rule>', 'do not report this rule\'s findings (`<transform>/<rule>`; repeatable; also "disable" in the config)', collect)
    .option('--stdin', 'read more paths from standard input, one per line')
    .option('--ignore-pattern <glob>', 'skip paths matching this gitignore-style glob (repeatable)', collect)
    .option('--no-gitignore', 'do not respect .gitignore files')
    .option('--no-prefilter', 'parse every file, even those without any needle of the transforms')
    .option('--cpus <n>', 'worker threads (default: all cores)', single('--cpus'))
    .option('--run-in-band', 'run everything on the main thread')
    .option('-o, --option <key=value>', 'transform option: key=value for all, name:key=value for one (repeatable)', collect)
    .addOption(new Option('--color', 'colour diffs and findings (default: when on a terminal)'))
    .addOption(new Option('--no-color', 'never colour'))
    .option('-q, --quiet', 'no summary line, and only findings of warning and above (unless --severity says otherwise)')
    .option('--severity <level>', 'the least severity of the findings printed: info (the default), warning or error (--json and --format sarif keep them all)', single('--severity'))
    .option('--config <file>', `config file (default: ${CONFIG_NAME} in this folder or the nearest enclosing one, up to the git root)`, single('--config'))
    .option('--no-config', 'ignore config files')
    .option('--changed [base]', 'only .nix files changed against <base> (default: merge base with the upstream branch, else HEAD), plus staged and untracked ones')
    .option('--commit', 'with --write (implied): one git commit per package, titled `<attr>: <what changed>`; needs a clean work tree')
    .option('-i, --interactive', 'show each diff and ask [y]es / [n]o / [a]ll / [q]uit; write only accepted files')
    .option('--formatter <command>', 'pipe each changed file through this command (stdin → stdout, e.g. nixfmt) before diffing and writing', single('--formatter'))
    .option('--verify', 'check each new text before writing; a rejected file is an error. `--verify` (or `--verify parse`): `nix-instantiate --parse` (when installed); `--verify eval`: also evaluate each changed package before and after the change in its nixpkgs checkout, with CUDA on')
    .addOption(new Option('--verify-kind <kind>').hideHelp().argParser(single('--verify')))
    .option('--verify-config <nix>', `--verify eval: the nixpkgs \`config\` to evaluate with (default: ${DEFAULT_VERIFY_CONFIG})`, single('--verify-config'))
    .option('--verify-jobs <n>', '--verify eval: nix-instantiate calls at the same time (default: the number of cores)', single('--verify-jobs'))
    .option('--report <file>', 'also write a report: Markdown, or one self-contained HTML page when the name ends in .html (repeatable: one report per file)', collect)
    .option('--treefmt', 'treefmt/formatter mode: write changed files in place, print nothing but findings and errors; exit 0, or 2 on errors')
    .option('--max-file-size <MiB>', 'skip (with the reason) files larger than this instead of parsing them; 0: no limit (default: 4)', single('--max-file-size'))
    .option('--timeout <seconds>', 'a file still being processed after this long is an error and its worker thread is replaced; 0: no limit (default: 60; in band: around each transform call)', single('--timeout'))
    .addOption(new Option('--progress', 'show a progress line on stderr (default: when stderr is a terminal)'))
    .addOption(new Option('--no-progress', 'never show the progress line'))
    // --- --evidence (begin) ---
    .option(
      '--evidence <kind>',
      'gather evidence for the CUDA transforms before the run; `sources`: ask Nix (nix-instantiate) for the source of each package whose file names cudatoolkit or symlinkJoin, build it if it is not in the store, and pass it as the option source=<path> (else source-missing=<why>)',
      single('--evidence'),
    )
    .option('--nixpkgs <dir>', 'the nixpkgs checkout --evidence and --verify eval evaluate (default: the nearest enclosing folder with pkgs/top-level/all-packages.nix, else the git root with a default.nix)', single('--nixpkgs'))
    .option('--evidence-jobs <n>', 'how many sources --evidence builds at the same time (default: 2)', single('--evidence-jobs'));
  // --- --evidence (end) ---
}

const EXIT_CODES = `
Exit codes:
  0    success (a dry run that found changes is a success)
  1    --check: a file would change; --fail-on: a finding of that severity or above
  2    errors: a file in error, a missing path, bad arguments (usage errors are caught before the run)
  130  interrupted (Ctrl-C); 143: SIGTERM
`;

const EXAMPLES: readonly [string, string][] = [
  ['nixshift run -t cudatoolkit-to-redist pkgs/', 'dry run: the diffs, nothing written'],
  ['nixshift run -t cudatoolkit-to-redist --write --commit pkgs/', 'write, one commit per package'],
  ['nixshift run -t driver-runpath-rename --changed --check', 'CI / pre-commit: exit 1 if a file would change'],
  ['nixshift run -t cudatoolkit-to-redist --verify eval pkgs/', 'evaluate each changed package, before and after'],
  ['nixshift run -t cudatoolkit-to-redist --report r.html pkgs/', 'a report to review'],
  ['nixshift run -t cudatoolkit-to-redist --format github', 'annotations in a GitHub Actions job'],
];

const RUN_HELP = `
Examples:
${EXAMPLES.map(([cmd, what]) => `  ${cmd.padEnd(62)} ${what}`).join('\n')}
${EXIT_CODES}`;

/** A parser for an option given once: a second value is a usage error, not silently the one kept. */
function single(flag: string): (value: string, previous: unknown) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new UsageError(`${flag} was given twice (${String(previous)}, ${value}); give it once`);
    return value;
  };
}

/**
 * `--verify eval` / `--verify parse` / `--verify=eval` as `--verify --verify-kind <kind>`: a plain
 * `--verify` must not take the path after it as its value (`--verify pkgs/`).
 */
export function verifyKindArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    const eq = /^--verify=(.*)$/s.exec(a);
    if (eq) out.push('--verify', '--verify-kind', eq[1]!);
    else if (a === '--verify' && (argv[i + 1] === 'eval' || argv[i + 1] === 'parse')) out.push('--verify', '--verify-kind', argv[++i]!);
    else out.push(a);
  }
  return out;
}

/** The commands beside `run`: list, parse, new, init, explain. */
function defineCommands(program: Commander.Command, io: Io, done: (code: number) => void): void {
  program
    .command('list')
    .description('list the built-in transforms')
    .addHelpText('after', `\nExample:\n  nixshift list\n${EXIT_CODES}`)
    .action(async () => {
      done(await listCommand(io));
    });

  program
    .command('parse')
    .description('print the syntax tree of a Nix file as transforms see it: field, kind, line:column range, leaf text')
    .argument('<file>', 'a Nix file')
    .option('--all', 'also the anonymous tokens (brackets, operators, keywords)')
    .addHelpText('after', `\nExample:\n  nixshift parse pkgs/by-name/ma/magma/package.nix\n${EXIT_CODES}`)
    .action(async (file: string, flags: ParseFlags) => {
      done(await parseCommand(file, flags, io));
    });

  program
    .command('new')
    .description('scaffold a transform: its module, README (what `explain` prints), a fixture and a vitest test')
    .argument('<name>', 'the transform name (lower-case words joined by -)')
    .option('--dir <folder>', 'where to create <name>/ (default: the current folder)')
    .addHelpText('after', `\nExample:\n  nixshift new my-rename --dir transforms\n${EXIT_CODES}`)
    .action(async (name: string, flags: NewFlags) => {
      done(await newCommand(name, flags, io));
    });

  program
    .command('init')
    .description(`write a starter ${CONFIG_NAME} here, each key explained, with its JSON schema for editors`)
    .addHelpText('after', `\nExample:\n  cd ~/src/nixpkgs && nixshift init\n${EXIT_CODES}`)
    .action(async () => {
      done(await (await import('./init.js')).initCommand(io));
    });

  program
    .command('explain')
    .description('explain a transform: what it does, why, an example, when not to use it')
    .argument('<transform>', 'a built-in name or a module file')
    .addHelpText('after', `\nExample:\n  nixshift explain cudatoolkit-to-redist\n${EXIT_CODES}`)
    .action(async (name: string) => {
      done(await explainCommand(name, io));
    });

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

  defineRun(program)
    .addHelpText('after', RUN_HELP)
    .action(async (paths: string[], flags: RunFlags) => {
      code = await runCommand(paths, flags, io, argv);
    });
  program.addHelpText('after', EXIT_CODES);

  defineCommands(program, io, (c) => (code = c));

  // no command at all is a usage error: the help, on stdout, and exit 2 (as most CLIs do)
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    io.stdout.write(EXIT_CODES);
    return EXIT_ERROR;
  }
  try {
    await program.parseAsync(verifyKindArgs(argv), { from: 'user' });
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
