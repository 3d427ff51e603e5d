/**
 * The planned commits through one `git fast-import` process: no git process per package (the
 * `git commit` way costs four or more), which makes a `--commit` of thousands of packages take
 * seconds. It is taken only where it changes nothing a user could notice: a branch checked out,
 * no commit hook (`pre-commit`, `prepare-commit-msg`, `commit-msg`, `post-commit`) and no commit
 * signing; elsewhere `makeCommits` runs `git commit` for each package, hooks and all.
 *
 * The stream is written package by package, so a stop (Ctrl-C) between two packages ends it
 * there: the branch then holds the commits made so far, each whole. Afterwards the index is set
 * to the new HEAD (the work tree already holds the new texts).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitMessage, type CommitPlan, type MadeCommit } from './commit.js';
import { GitError, runGit } from './repo.js';

const HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit'];

/** Why the fast way cannot be taken in the repository at `top` (undefined: it can). */
export function fastImportBlocker(top: string, env?: NodeJS.ProcessEnv): string | undefined {
  const git = (args: string[]) => runGit(top, args, { env });
  if (git(['symbolic-ref', '-q', 'HEAD']).status !== 0) return 'HEAD is detached';
  const hooks = git(['rev-parse', '--git-path', 'hooks']).stdout.trim();
  const dir = hooks.startsWith('/') ? hooks : join(top, hooks);
  for (const h of HOOKS) {
    try {
      accessSync(join(dir, h), constants.X_OK);
      return `the repository has a ${h} hook`;
    } catch {
      /* not there, or not executable: git would not run it */
    }
  }
  if (git(['config', '--bool', 'commit.gpgSign']).stdout.trim() === 'true') return 'commits are signed (commit.gpgSign)';
  return undefined;
}

/** A path as fast-import reads it: C-style quoted when it must be. */
function quotePath(p: string): string {
  return /^"|[\n\\"]/.test(p) ? `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"` : p;
}

const data = (text: string): string => `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;

export interface FastOptions {
  env?: NodeJS.ProcessEnv;
  /** Asked before each package: true stops there. */
  stop?: () => boolean;
  /** Told after each package written to the stream. */
  progress?: (done: number, total: number) => void;
  /** The mode of a file (`100644` or `100755`). */
  modeOf: (relPath: string) => string;
}

/** Make the planned commits on the checked-out branch with `git fast-import`. */
export async function fastImportCommits(top: string, plans: readonly CommitPlan[], o: FastOptions): Promise<{ made: MadeCommit[]; stopped: boolean }> {
  const git = (args: string[]) => runGit(top, args, { env: o.env });
  const ref = git(['symbolic-ref', '-q', 'HEAD']).stdout.trim();
  const head = git(['rev-parse', '--verify', '--quiet', 'HEAD']);
  const parent = head.status === 0 ? head.stdout.trim() : undefined;
  const author = git(['var', 'GIT_AUTHOR_IDENT']).stdout.trim();
  const committer = git(['var', 'GIT_COMMITTER_IDENT']).stdout.trim();
  if (!author || !committer) throw new GitError('cannot tell who commits (git var GIT_AUTHOR_IDENT): set user.name and user.email', ['var'], '', null);
  const tmp = mkdtempSync(join(tmpdir(), 'nixshift-marks-'));
  const marks = join(tmp, 'marks');
  const child = spawn('git', ['fast-import', '--quiet', '--done', `--export-marks=${marks}`], { cwd: top, env: { ...process.env, ...o.env }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const closed = new Promise<number | null>((done) => child.on('close', done));
  let broken = false;
  child.stdin.on('error', () => (broken = true));
  const write = async (text: string): Promise<void> => {
    if (broken) return;
    if (!child.stdin.write(text)) await new Promise<void>((done) => child.stdin.once('drain', done));
  };
  let written = 0;
  let stopped = false;
  try {
    for (const [i, plan] of plans.entries()) {
      if (o.stop?.()) {
        stopped = true;
        break;
      }
      let text = `commit ${ref}\nmark :${i + 1}\nauthor ${author}\ncommitter ${committer}\n${data(commitMessage(plan))}`;
      if (i === 0 && parent) text += `from ${parent}\n`;
      else if (i > 0) text += `from :${i}\n`;
      for (const f of plan.files) text += `M ${o.modeOf(f.relPath)} inline ${quotePath(f.relPath)}\n${data(f.content)}`;
      await write(`${text}\n`);
      written++;
      o.progress?.(written, plans.length);
      // let a signal handler run between packages
      if (written % 64 === 0) for (let k = 0; k < 2; k++) await new Promise<void>((done) => setImmediate(done));
    }
    await write('done\n');
    child.stdin.end();
    const status = await closed;
    if (status !== 0) throw new GitError(`git fast-import failed${stderr.trim() ? `: ${stderr.trim()}` : ` (exit status ${status})`}; no commit was made`, ['fast-import'], stderr, status);
    const shas = new Map(
      (existsSync(marks) ? readFileSync(marks, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );
    const made = plans.slice(0, written).map((plan, i) => ({ sha: shas.get(`:${i + 1}`) ?? '', title: plan.title, files: plan.files.map((f) => f.relPath) }));
    // the index as the new HEAD has it (the work tree holds the new texts already)
    if (written > 0) {
      git(['reset', '-q']);
      git(['update-index', '-q', '--refresh']);
    }
    return { made, stopped };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
