/**
 * Temporary git repositories for tests: `makeGitRepo(files)` writes the files, makes an initial
 * commit and returns the (real) path; `git(root, ...args)` runs git there and returns stdout.
 * Every git command runs with `GIT_TEST_ENV`: a fixed identity and dates, no global or system
 * config (so the machine's `commit.gpgsign`, hooks path, `core.autocrlf` … cannot leak in).
 * Pass `GIT_TEST_ENV` to the CLI under test too (`cli(args, { cwd, env: GIT_TEST_ENV })`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GIT_TEST_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: 'Nix Shift',
  GIT_AUTHOR_EMAIL: 'nixshift@example.invalid',
  GIT_COMMITTER_NAME: 'Nix Shift',
  GIT_COMMITTER_EMAIL: 'nixshift@example.invalid',
  GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export interface GitRunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run git in `root` without throwing. `input` goes to stdin. */
export function tryGit(root: string, args: string[], input = ''): GitRunResult {
  const r = spawnSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_TEST_ENV },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run git in `root`; returns stdout, throws with git's stderr on failure. */
export function git(root: string, ...args: string[]): string {
  const r = tryGit(root, args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** A file's content, or `{ text, executable }`. */
export type RepoFile = string | { text: string; executable?: boolean };

/** Write `files` (POSIX paths relative to `root`) into `root`. */
export function writeFiles(root: string, files: Record<string, RepoFile>): void {
  for (const [path, f] of Object.entries(files)) {
    const abs = join(root, ...path.split('/'));
    mkdirSync(dirname(abs), { recursive: true });
    const text = typeof f === 'string' ? f : f.text;
    writeFileSync(abs, text);
    if (typeof f !== 'string' && f.executable) chmodSync(abs, 0o755);
  }
}

export interface MakeGitRepoOptions {
  /** Initial commit message (default `init`); `false`: no commit, files left untracked. */
  commit?: string | false;
  /** Branch name (default `master`). */
  branch?: string;
}

/** A new repository in a temp folder with `files` committed on `master`; returns its real path. */
export function makeGitRepo(files: Record<string, RepoFile> = {}, opts: MakeGitRepoOptions = {}): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'nixshift-git-')));
  git(root, 'init', '-q', `--initial-branch=${opts.branch ?? 'master'}`);
  writeFiles(root, files);
  if (opts.commit !== false) {
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '--allow-empty', '-m', opts.commit ?? 'init');
  }
  return root;
}
