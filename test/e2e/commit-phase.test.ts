/**
 * The commit phase of `--commit`: one `git fast-import` where the repository has no commit hook
 * and no signing, `git commit` per package otherwise (the same commits either way), progress,
 * and Ctrl-C between two packages: what was committed, what is written but not committed, the
 * commands to resume or undo, which work. Needs the build (`npx tsc -p tsconfig.build.json`).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GIT_TEST_ENV, git, makeGitRepo } from '../helpers/git.js';
import { BIN, cli } from '../helpers/tree.js';

const pkg = (name: string) => `{ stdenv, addOpenGLRunpath }:\nstdenv.mkDerivation {\n  pname = "${name}";\n  version = "1";\n  nativeBuildInputs = [ addOpenGLRunpath ];\n}\n`;
const FILES = Object.fromEntries(['alpha', 'beta', 'gamma', 'delta'].map((n) => [`pkgs/by-name/${n.slice(0, 2)}/${n}/package.nix`, pkg(n)]));
const RUN = ['run', '-t', 'driver-runpath-rename', '--commit', '--no-progress', 'pkgs'];

function hook(root: string, name: string, body: string): void {
  const h = join(root, '.git', 'hooks', name);
  writeFileSync(h, `#!/bin/sh\n${body}\n`);
  chmodSync(h, 0o755);
}

/** Each commit of the branch after `init`: title, message body, and the tree. */
const history = (root: string) =>
  git(root, 'log', '--reverse', '--format=%s%n%b%n%T%n--', 'HEAD')
    .split('--\n')
    .filter((c) => c.trim() !== '' && !c.startsWith('init'));

describe('--commit, the commit phase', () => {
  it('makes the same commits with git fast-import (no hook) as with a git commit per package (a hook), and says how fast', () => {
    const fast = makeGitRepo(FILES);
    const slow = makeGitRepo(FILES);
    hook(slow, 'commit-msg', 'exit 0');
    const a = cli(RUN, { cwd: fast, env: GIT_TEST_ENV });
    const b = cli(RUN, { cwd: slow, env: GIT_TEST_ENV });
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(history(fast)).toEqual(history(slow));
    expect(history(fast).map((c) => c.split('\n')[0])).toEqual(['alpha: addOpenGLRunpath -> addDriverRunpath', 'beta: addOpenGLRunpath -> addDriverRunpath', 'delta: addOpenGLRunpath -> addDriverRunpath', 'gamma: addOpenGLRunpath -> addDriverRunpath']);
    for (const root of [fast, slow]) expect(git(root, 'status', '--porcelain')).toBe('');
    expect(a.stderr).toMatch(/nixshift: --commit: 4 commits in [\d.]+s \(\d+ commits\/s\)\n/);
    expect(a.stdout.split('\n').filter((l) => l.startsWith('committed '))).toHaveLength(4);
  });

  it('runs the hooks when there are: a commit-msg hook that refuses one package stops there, earlier commits kept', () => {
    const root = makeGitRepo(FILES);
    hook(root, 'commit-msg', 'if head -n1 "$1" | grep -q "^delta:"; then echo "delta is frozen" >&2; exit 1; fi');
    const r = cli(RUN, { cwd: root, env: GIT_TEST_ENV });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('delta is frozen');
    expect(history(root).map((c) => c.split('\n')[0])).toEqual(['alpha: addOpenGLRunpath -> addDriverRunpath', 'beta: addOpenGLRunpath -> addDriverRunpath']);
  });

  it('Ctrl-C stops between two packages: says what is committed and what is not, and how to resume (which works) or undo', async () => {
    const root = makeGitRepo(FILES);
    const start = git(root, 'rev-parse', 'HEAD').trim();
    // each commit waits (post-commit) until the test lets it go; the first one tells the test it is there
    hook(root, 'post-commit', `touch "${root}/.git/committed"; while [ ! -e "${root}/.git/go" ]; do sleep 0.05; done`);
    const child = spawn(process.execPath, [BIN, ...RUN], { cwd: root, env: { ...process.env, ...GIT_TEST_ENV } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (!existsSync(join(root, '.git', 'committed'))) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(root, '.git', 'go'), '');
    expect(await done).toBe(130);
    expect(history(root).map((c) => c.split('\n')[0])).toEqual(['alpha: addOpenGLRunpath -> addDriverRunpath']);
    expect(stderr).toContain('nixshift: --commit: stopping after the package being committed\n');
    expect(stderr).toContain(
      'nixshift: --commit: interrupted: 1 of 4 commits made; 3 files are written but not committed:\n  pkgs/by-name/be/beta/package.nix\n  pkgs/by-name/de/delta/package.nix\n  pkgs/by-name/ga/gamma/package.nix\n',
    );
    const resume = /to resume \(the run writes and commits them again\): (.*)\n/.exec(stderr)![1]!;
    expect(resume).toBe(`git -C ${root} checkout -- . && nixshift run -t driver-runpath-rename --commit --no-progress pkgs`);
    expect(stderr).toContain(`  to undo the whole run: git -C ${root} reset --hard ${start.slice(0, 12)}\n`);
    // the resume command, as printed (nixshift being the built CLI)
    git(root, 'checkout', '--', '.');
    const again = cli(RUN, { cwd: root, env: GIT_TEST_ENV });
    expect(again.status).toBe(0);
    expect(history(root)).toHaveLength(4);
    expect(git(root, 'status', '--porcelain')).toBe('');
  }, 60_000);
});
