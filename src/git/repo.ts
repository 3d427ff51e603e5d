/**
 * Reading a git repository for `nixshift run --commit` and `--changed [<base>]`: where the
 * repository is, whether it is clean, which `.nix` files changed since a base.
 *
 * Library code: nothing here prints or exits. Failures are thrown as `GitError` (with the git
 * command and its stderr). git is always run with `spawnSync` and an argument vector (never a
 * shell), with `cwd` set, and every listing is read NUL-separated (`-z`), so paths with spaces,
 * quotes or non-ASCII characters come through unchanged.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** A git command failed (or git could not be run). */
export class GitError extends Error {
  constructor(
    message: string,
    /** The git arguments (without `git`). */
    readonly args: readonly string[] = [],
    /** git's standard error, trimmed. */
    readonly stderr = '',
    /** git's exit status (null when it could not be started or was killed). */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  /** Standard input for git. */
  input?: string | Buffer;
  /** Environment variables set on top of `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Run git in `cwd`; never throws for a non-zero exit (only when git cannot be started). */
export function runGit(cwd: string, args: readonly string[], opts: RunGitOptions = {}): GitResult {
  const r = spawnSync('git', args as string[], {
    cwd,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: opts.env ? { ...process.env, ...opts.env } : process.env,
    maxBuffer: 1024 * 1024 * 1024,
    windowsHide: true,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'git is not installed or not on PATH' : r.error.message;
    throw new GitError(`cannot run git ${args.join(' ')} in ${cwd}: ${why}`, args, '', null);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run git and return its stdout; throw a `GitError` naming `what` when it fails. */
export function gitOk(cwd: string, args: readonly string[], opts: RunGitOptions & { what?: string } = {}): string {
  const r = runGit(cwd, args, opts);
  if (r.status !== 0) {
    const stderr = r.stderr.trim();
    const what = opts.what ?? `git ${args.join(' ')}`;
    throw new GitError(`${what} failed${stderr ? `: ${stderr}` : ` (exit status ${r.status})`}`, args, stderr, r.status);
  }
  return r.stdout;
}

/** NUL-separated output as a list (the last, empty, entry dropped). */
function splitZ(out: string): string[] {
  const parts = out.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The top folder of the work tree that holds `cwd` (real path), or undefined outside a repository. */
export function gitRoot(cwd: string): string | undefined {
  let r: GitResult;
  try {
    r = runGit(cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    return undefined;
  }
  const top = r.stdout.replace(/\n$/, '');
  if (r.status !== 0 || top === '') return undefined;
  try {
    return realpathSync(top);
  } catch {
    return top;
  }
}

/** The top of the work tree holding `dir` (`dir` may be a subfolder); throws outside a repository. */
function topLevel(dir: string): string {
  const top = gitRoot(dir);
  if (top === undefined) throw new GitError(`${dir} is not inside a git work tree`, ['rev-parse', '--show-toplevel']);
  return top;
}

/** Real path of `p`, resolving the deepest existing ancestor when `p` itself does not exist. */
function realish(p: string): string {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return p;
      tail.push(head.slice(up.length).replace(/^[\\/]+/, ''));
      head = up;
    }
  }
}

/**
 * `p` (absolute, or relative to `root`) as a POSIX path relative to `root`; `''` for the root
 * itself; undefined when it lies outside `root`.
 */
export function repoRelative(root: string, p: string): string | undefined {
  const base = realish(root);
  const abs = realish(isAbsolute(p) ? p : join(base, p));
  const rel = relative(base, abs);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

export interface DirtyState {
  /** Paths with changes in the index (relative to the repository root, POSIX). */
  staged: string[];
  /** Tracked paths whose work-tree copy differs from the index. */
  unstaged: string[];
  /** Untracked, not ignored files (under `paths` when given). */
  untracked: string[];
}

/**
 * What is not committed, from `git status --porcelain=v1 -z --untracked-files=all`. Paths are
 * relative to the repository root (POSIX), each listed once per category, in git's order.
 * A rename or copy in the index is listed under its new path. Unmerged paths count as both
 * staged and unstaged. `paths` (absolute, or relative to `root`; files or folders) limits only
 * `untracked`.
 */
export function dirtyState(root: string, paths?: string[]): DirtyState {
  const top = topLevel(root);
  const out = gitOk(top, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=none'], {
    env: { GIT_OPTIONAL_LOCKS: '0' },
    what: `git status in ${top}`,
  });
  const entries = splitZ(out);
  const staged: string[] = [];
  const unstaged: string[] = [];
  let untracked: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const x = e[0];
    const y = e[1];
    const path = e.slice(3);
    if (x === 'R' || x === 'C' || y === 'R' || y === 'C') i++; // the source path follows
    if (x === '?' && y === '?') {
      untracked.push(path);
      continue;
    }
    if (x === '!') continue;
    if (x !== ' ') staged.push(path);
    if (y !== ' ') unstaged.push(path);
  }
  if (paths) {
    const under = paths.map((p) => repoRelative(top, p)).filter((p): p is string => p !== undefined);
    untracked = untracked.filter((u) => under.some((p) => p === '' || u === p || u.startsWith(`${p.replace(/\/+$/, '')}/`)));
  }
  return { staged, unstaged, untracked };
}

export interface ChangedFiles {
  /** The commit compared against (full object name). */
  base: string;
  /** For people: `merge base with origin/master (abc1234)`, `HEAD (no upstream branch)`, `v1.0 (abc1234)`. */
  baseDescription: string;
  /** Absolute paths of the changed `.nix` files, sorted. */
  files: string[];
}

function short(top: string, sha: string): string {
  const r = runGit(top, ['rev-parse', '--short', sha]);
  return r.status === 0 ? r.stdout.trim() : sha.slice(0, 7);
}

/** The commit a revision names, or undefined. */
function resolveCommit(top: string, rev: string): string | undefined {
  const r = runGit(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  const sha = r.stdout.trim();
  return r.status === 0 && sha !== '' ? sha : undefined;
}

/** The base of `--changed` when none is given. */
function defaultBase(top: string): { base: string; baseDescription: string } {
  const head = resolveCommit(top, 'HEAD');
  if (head === undefined) {
    // No commit yet: everything in the work tree is new. Compare with the empty tree.
    const empty = gitOk(top, ['hash-object', '-t', 'tree', '--stdin']).trim();
    return { base: empty, baseDescription: 'the empty tree (no commits yet)' };
  }
  const up = runGit(top, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  const upstream = up.stdout.trim();
  if (up.status !== 0 || upstream === '') return { base: head, baseDescription: `HEAD (no upstream branch)` };
  const mb = runGit(top, ['merge-base', 'HEAD', '@{upstream}']);
  const sha = mb.stdout.trim();
  if (mb.status !== 0 || sha === '') return { base: head, baseDescription: `HEAD (no merge base with ${upstream})` };
  return { base: sha, baseDescription: `merge base with ${upstream} (${short(top, sha)})` };
}

/**
 * The `.nix` files that differ between `base` and the work tree, for `--changed [<base>]`:
 * added, copied, modified, renamed or retyped (not deleted) in the index or the work tree
 * (`git diff <base>`), plus untracked `.nix` files git does not ignore. Covers the whole
 * repository, also when `root` is a subfolder of it. Without `base`: the merge base of HEAD
 * with its upstream branch when there is one, else HEAD (the empty tree before the first
 * commit). A base that does not name a commit throws a `GitError` naming it.
 */
export function changedFiles(root: string, base?: string): ChangedFiles {
  const top = topLevel(root);
  let resolved: { base: string; baseDescription: string };
  if (base === undefined) resolved = defaultBase(top);
  else {
    const sha = base.startsWith('-') ? undefined : resolveCommit(top, base);
    if (sha === undefined) {
      throw new GitError(`unknown base ${JSON.stringify(base)}: it does not name a commit in ${top}`, ['rev-parse', '--verify', base]);
    }
    resolved = { base: sha, baseDescription: `${base} (${short(top, sha)})` };
  }
  const diff = gitOk(
    top,
    ['-c', 'core.quotePath=false', 'diff', '--name-only', '-z', '--no-ext-diff', '--find-renames', '--diff-filter=ACMRT', resolved.base, '--'],
    { what: `git diff ${resolved.baseDescription}` },
  );
  const others = gitOk(top, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], { what: 'git ls-files --others' });
  const seen = new Set<string>();
  for (const rel of [...splitZ(diff), ...splitZ(others)]) {
    if (!rel.endsWith('.nix')) continue;
    const abs = join(top, ...rel.split('/'));
    if (existsSync(abs)) seen.add(abs);
  }
  return { ...resolved, files: [...seen].sort() };
}
