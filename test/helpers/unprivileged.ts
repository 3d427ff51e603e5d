/**
 * Running the built CLI as a user that file permissions apply to, and snapshots that see links,
 * FIFOs and folders nobody may enter.
 *
 * Root ignores `chmod 000`, and the tests run as root here and in CI. So when we are root the CLI
 * runs as `nobody` (setpriv, util-linux), the tree is handed over to `nobody`, and what must be
 * unreadable belongs to root with no permission for others. As a normal user `chmod` alone works
 * and the CLI runs as we are.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN, type CliResult } from './tree.js';

export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
export const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'].find((p) => existsSync(p));
export const NOBODY = 65534;
/** Whether permission-denied cases can be made at all (as root: only through setpriv). */
export const CAN_DENY = !IS_ROOT || SETPRIV !== undefined;

export interface RunOptions {
  cwd: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the CLI is killed (SIGKILL: a process stuck in a read ignores SIGTERM). */
  timeoutMs?: number;
}

export interface TimedResult extends CliResult {
  /** Wall time of the run, ms. */
  ms: number;
  /** The signal that ended the process (a timeout), if any. */
  signal: NodeJS.Signals | null;
}

/**
 * The built CLI, as `nobody` when we are root (see above), else as we are. Asynchronous, so that
 * vitest's worker stays responsive during long runs.
 */
export function cliAsUser(args: string[], opts: RunOptions): Promise<TimedResult> {
  const argv = [process.execPath, BIN, ...args];
  const [cmd, ...rest] = IS_ROOT && SETPRIV ? [SETPRIV, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv] : argv;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, rest, {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => undefined); // the CLI may exit without reading it
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - started });
    });
  });
}

/** When root: give everything under `dir` (and `dir`) to `nobody`, so the CLI run as nobody owns the tree. */
export function handOver(dir: string): void {
  if (!IS_ROOT) return;
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) {
      lchownSync(p, NOBODY, NOBODY);
      return;
    }
    chownSync(p, NOBODY, NOBODY);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
}

/**
 * Leave the CLI's user only `perms` (rwx bits, 0-7) on `path`. When root, `path` goes to root
 * and every class gets `perms` (root itself is not stopped by them); as a normal user, the
 * owner's bits apply, so every class gets them too.
 */
export function deny(path: string, perms: number): void {
  if (IS_ROOT) chownSync(path, 0, 0);
  chmodSync(path, perms * 0o111);
}

/** Undo `deny`s so that the tree can be removed (only matters when not root). */
export function allowAll(dir: string): void {
  const walk = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    try {
      chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    } catch {
      /* not ours */
    }
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
}

export interface Entry {
  type: 'file' | 'dir' | 'link' | 'other';
  mode: number;
  uid: number;
  mtimeMs: number;
  /** Files: the bytes (hex); links: the target. */
  content?: string;
}

/**
 * Every entry of a tree, links and FIFOs included (never followed, never opened), by path
 * relative to `dir`. Run as the test's user (root here), so unreadable parts are seen too.
 */
export function fullSnapshot(dir: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (p: string): void => {
    let names: string[];
    try {
      names = readdirSync(p);
    } catch {
      return; // not root, and denied to us too
    }
    for (const name of names) {
      const abs = join(p, name);
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        continue; // in a folder we may list but not enter (not root)
      }
      const base = { mode: st.mode & 0o7777, uid: st.uid, mtimeMs: st.mtimeMs };
      const rel = relative(dir, abs);
      if (st.isSymbolicLink()) out[rel] = { type: 'link', ...base, content: readlinkSync(abs) };
      else if (st.isFile()) {
        let content: string;
        try {
          content = readFileSync(abs).toString('hex');
        } catch {
          content = '(unreadable)';
        }
        out[rel] = { type: 'file', ...base, content };
      }
      else if (st.isDirectory()) {
        out[rel] = { type: 'dir', ...base };
        walk(abs);
      } else out[rel] = { type: 'other', ...base };
    }
  };
  walk(dir);
  return out;
}
