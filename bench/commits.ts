/**
 * The commit phase of `--commit`, in commits per second: a git repository of `n` by-name
 * packages that `driver-runpath-rename` changes, committed one commit per package with the fast
 * way (`git fast-import`, no hook in the repository) and with `git commit` per package (a
 * `commit-msg` hook that does nothing forces it). The rate is the one `--commit` prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ENV = { GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.invalid', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

function repo(dir: string, n: number, hook: boolean): void {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env: { ...process.env, ...ENV }, stdio: 'ignore' });
  git('init', '-q', '--initial-branch=master');
  for (let i = 0; i < n; i++) {
    const name = `pkg${String(i).padStart(5, '0')}`;
    const d = join(dir, 'pkgs', 'by-name', name.slice(0, 2), name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'package.nix'), `{ stdenv, addOpenGLRunpath }:\nstdenv.mkDerivation {\n  pname = "${name}";\n  version = "1";\n  nativeBuildInputs = [ addOpenGLRunpath ];\n}\n`);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  if (hook) {
    const h = join(dir, '.git', 'hooks', 'commit-msg');
    writeFileSync(h, '#!/bin/sh\nexit 0\n');
    chmodSync(h, 0o755);
  }
}

export interface CommitRate {
  commits: number;
  seconds: number;
  perSecond: number;
}

function rate(bin: string, dir: string): CommitRate {
  const r = spawnSync(process.execPath, [bin, 'run', '-t', 'driver-runpath-rename', '--commit', '--no-progress', 'pkgs'], { cwd: dir, env: { ...process.env, ...ENV }, encoding: 'utf8' });
  const m = /--commit: (\d+) commits? in ([\d.]+)s/.exec(r.stderr);
  if (!m) throw new Error(`bench: no commit summary in: ${r.stderr.slice(-500)}`);
  const commits = Number(m[1]);
  const seconds = Number(m[2]);
  return { commits, seconds, perSecond: commits / Math.max(seconds, 1e-3) };
}

/** Commits per second, the fast way and `git commit` per package, on `n` packages each. */
export function commitRates(bin: string, work: string, n: number): { fast: CommitRate; perCommit: CommitRate } {
  const fastDir = join(work, 'commits-fast');
  const slowDir = join(work, 'commits-hook');
  repo(fastDir, n, false);
  repo(slowDir, n, true);
  return { fast: rate(bin, fastDir), perCommit: rate(bin, slowDir) };
}
