/** Temp trees and the built CLI, for end-to-end tests. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach } from 'vitest';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'nixshift.js');

export function makeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nixshift-test-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `makeTree` for one test file: every tree made is removed after each test. */
export function useTempTrees(): (files: Record<string, string>) => string {
  const trees: string[] = [];
  afterEach(() => {
    while (trees.length > 0) removeTree(trees.pop()!);
  });
  return (files) => {
    const d = makeTree(files);
    trees.push(d);
    return d;
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file of a tree with its bytes and mtime, for "nothing changed" assertions. */
export function snapshot(dir: string): Record<string, { text: string; mtimeMs: number; mode: number }> {
  const out: Record<string, { text: string; mtimeMs: number; mode: number }> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git') walk(p);
      } else if (e.isFile()) {
        const st = statSync(p);
        out[relative(dir, p)] = { text: readFileSync(p, 'latin1'), mtimeMs: st.mtimeMs, mode: st.mode };
      }
    }
  };
  walk(dir);
  return out;
}

/** Every `.nix` file under `dir`, sorted. */
export function nixFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...nixFiles(p));
    else if (e.endsWith('.nix')) out.push(p);
  }
  return out.sort();
}
