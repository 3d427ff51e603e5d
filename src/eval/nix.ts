/**
 * Running Nix: a child process as data (`Exec`, so tests can fake it), which `nix-instantiate`
 * and `nix-store`, a few calls at a time, and Nix's errors on one line.
 */
import { spawn } from 'node:child_process';
import { dirname, join, relative, sep } from 'node:path';
import { toPosix } from '../util/posix.js';

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

/** Runs `fn` over `items`, at most `jobs` at a time. */
export async function runPool<T>(items: readonly T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
export const oneLine = (s: string, max = 240): string => {
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

