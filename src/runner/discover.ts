/**
 * Which files a run covers.
 *
 * - Files named on the command line (or on standard input with --stdin) are taken as they are,
 *   whatever their extension, unless an --ignore-pattern matches them.
 * - Folders are walked for `*.nix` files. `.git` is skipped, `.gitignore` files are respected
 *   (those inside the walked folders and those of enclosing folders up to the repository root,
 *   plus `.git/info/exclude`), and so are --ignore-pattern globs (gitignore syntax, relative to
 *   the current directory).
 * - Symbolic links met while walking are not followed (as rg and fd do by default), so a link
 *   loop cannot trap the walk and a link cannot lead outside the given folders. A link named on
 *   the command line is followed.
 * - Each file is listed once, even when given twice or reached through overlapping folders.
 *   The result is sorted by display path.
 */
import { existsSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface DiscoveredFile {
  /** Absolute path. */
  absolute: string;
  /** Path shown to the user: relative to the current directory when inside it, POSIX separators. */
  display: string;
}

export interface DiscoverResult {
  files: DiscoveredFile[];
  /** Inputs that do not exist. */
  missing: string[];
  /** Folders that could not be read, with the reason. */
  unreadable: { path: string; reason: string }[];
}

export interface DiscoverOptions {
  cwd?: string;
  /** gitignore-style globs relative to `cwd` (--ignore-pattern). */
  ignorePatterns?: string[];
  /** More globs relative to other folders (the config file's `ignore`, relative to its folder). */
  ignoreRelativeTo?: { base: string; patterns: string[] }[];
  /** Respect .gitignore files (default true). */
  gitignore?: boolean;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  if (rel === '') return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return toPosix(absolute);
  return toPosix(rel);
}

function findRepoRoot(dir: string): string | undefined {
  let d = dir;
  for (;;) {
    if (existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

interface IgnoreLayer {
  base: string;
  ig: Ignore;
}

function readIgnoreFile(file: string): Ignore | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return ignore().add(text);
  } catch {
    return undefined;
  }
}

function ignoredBy(layers: IgnoreLayer[], abs: string, isDir: boolean): boolean {
  for (const { base, ig } of layers) {
    const rel = relative(base, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    if (ig.ignores(toPosix(rel) + (isDir ? '/' : ''))) return true;
  }
  return false;
}

/** .gitignore layers that apply to `dir` from its enclosing folders (repo root down to dir, exclusive). */
function ancestorLayers(dir: string): IgnoreLayer[] {
  const root = findRepoRoot(dir);
  if (!root) return [];
  const layers: IgnoreLayer[] = [];
  const exclude = readIgnoreFile(join(root, '.git', 'info', 'exclude'));
  if (exclude) layers.push({ base: root, ig: exclude });
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === root || dirname(d) === d) break;
  }
  for (const d of chain.slice(0, -1)) {
    const ig = readIgnoreFile(join(d, '.gitignore'));
    if (ig) layers.push({ base: d, ig });
  }
  return layers;
}

export async function discoverFiles(inputs: string[], opts: DiscoverOptions = {}): Promise<DiscoverResult> {
  const cwd = opts.cwd ?? process.cwd();
  const useGitignore = opts.gitignore ?? true;
  const userLayers: IgnoreLayer[] = [];
  if (opts.ignorePatterns && opts.ignorePatterns.length > 0) userLayers.push({ base: cwd, ig: ignore().add(opts.ignorePatterns) });
  for (const { base, patterns } of opts.ignoreRelativeTo ?? []) if (patterns.length > 0) userLayers.push({ base, ig: ignore().add(patterns) });
  const userIgnored = (abs: string, isDir: boolean): boolean => userLayers.length > 0 && ignoredBy(userLayers, abs, isDir);
  const seen = new Set<string>();
  const files: DiscoveredFile[] = [];
  const missing: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];

  const addFile = (abs: string): void => {
    let key = abs;
    try {
      key = realpathSync(abs);
    } catch {
      /* keep abs */
    }
    if (seen.has(key)) return;
    seen.add(key);
    files.push({ absolute: abs, display: displayPath(abs, cwd) });
  };

  const walk = async (dir: string, layers: IgnoreLayer[]): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      unreadable.push({ path: displayPath(dir, cwd), reason: (err as NodeJS.ErrnoException).code ?? String(err) });
      return;
    }
    let here = layers;
    if (useGitignore && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      const ig = readIgnoreFile(join(dir, '.gitignore'));
      if (ig) here = [...layers, { base: dir, ig }];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === '.git') continue;
        if ((useGitignore && ignoredBy(here, abs, true)) || userIgnored(abs, true)) continue;
        subdirs.push(abs);
      } else if (e.isFile() && e.name.endsWith('.nix')) {
        if ((useGitignore && ignoredBy(here, abs, false)) || userIgnored(abs, false)) continue;
        addFile(abs);
      }
      // symlinks and other entries are not followed while walking
    }
    for (const d of subdirs) await walk(d, here);
  };

  for (const input of inputs) {
    const abs = resolve(cwd, input);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') missing.push(input);
      else unreadable.push({ path: input, reason: code ?? String(err) });
      continue;
    }
    if (st.isDirectory()) {
      if (userIgnored(abs, true)) continue;
      await walk(abs, useGitignore ? ancestorLayers(abs) : []);
    } else if (!userIgnored(abs, false)) {
      addFile(abs);
    }
  }
  files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { files, missing, unreadable };
}
