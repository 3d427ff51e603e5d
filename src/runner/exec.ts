/** Run a helper command (a formatter, nix-instantiate) with text on stdin; never throws. */

export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Why it could not be started (or was killed for taking too long). */
  error?: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Run this argv directly instead of `command` through the shell. */
  argv?: string[];
  timeoutMs?: number;
}

/** `command` runs through `sh -c` (so a user's `nixfmt --width=100` works as typed). */
export async function runCommand(command: string | null, input: string, opts: CommandOptions = {}): Promise<CommandResult> {
  // Loaded at the first command: worker threads load this module, few runs start commands.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const [file, args] = opts.argv ? [opts.argv[0]!, opts.argv.slice(1)] : ['/bin/sh', ['-c', command ?? '']];
    let child;
    try {
      child = spawn(file, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `timed out after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)}s`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => errs.push(c));
    child.stdin.on('error', () => undefined); // a command that does not read its input
    child.on('error', (err) => {
      failure = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : err.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), ...(failure ? { error: failure } : {}) });
    });
    child.stdin.end(input);
  });
}
