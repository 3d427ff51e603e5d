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
 *   the command line is followed for reading; its new text is written to its target (the link
 *   stays a link) only when the target lies inside one of the paths given, otherwise the file is
 *   refused for writing (`writeRefusal`). A link loop named on the command line is unreadable.
 * - Each file is listed once, even when given twice or reached through overlapping folders.
 *   The result is sorted by display path.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { default as IgnoreFactory, Ignore } from 'ignore';
import { nativeLister } from '../nix/binding.js';

/** `ignore` is CommonJS: loaded with `require`, without Node's scan of its exports (see cli/main.ts). */
const ignore = createRequire(import.meta.url)('ignore') as typeof IgnoreFactory;

export interface DiscoveredFile {
  /** Absolute path. */
  absolute: string;
  /** Path shown to the user: relative to the current directory when inside it, POSIX separators. */
  display: string;
  /** For a symbolic link named on the command line: the real path its new text goes to. */
  real?: string;
  /** Why the file may be read but not written (a link to a file outside the paths given). */
  writeRefusal?: string;
  /** Found by the walk, listed as a regular file (not named on the command line). */
  walked?: boolean;
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
  /**
   * Called with each file, in the final (sorted) order. With one folder as the only input the
   * files come while the walk goes on (the walk yields to the event loop now and then), so a
   * caller can start working before the walk is over; otherwise they come at the end. With
   * `onFile`, the returned `files` is empty.
   */
  onFile?: (file: DiscoveredFile) => void;
  /** Checked at every folder: true stops the walk (an interrupted run). */
  stop?: () => boolean;
  /**
   * While streaming: asked now and then during the walk; a promise makes the walk wait for it
   * (the files found are not being taken as fast as they are found: memory would grow).
   */
  pause?: () => Promise<void> | undefined;
}

/** A readable reason for a failed stat or readdir. */
function describeError(code: string | undefined, err: unknown): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'symbolic link loop';
  return code ?? String(err);
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

const WALKED = { walked: true } as const;

/**
 * The entries of a folder as the walk visits them: sorted as strings sort, a folder as `name/`
 * (then the walk meets files in the order of their sorted paths, `a-b/x` before `a/x` as `-` <
 * `/`, which lets files be handed out during the walk). One string: per entry a type letter (`d`
 * folder, `f` regular file, `l` symbolic link, `o` other), the name, a NUL. Made by the native
 * binding (`listDir`: no object per entry, and no `fstat` per folder; the walk of nixpkgs lists
 * 46,000 folders), or by `listFolderWithReaddir` when the binding is not there. Throws as
 * readdirSync does.
 */
export function listFolder(dir: string): string {
  const native = nativeLister();
  return native ? native(dir) : listFolderWithReaddir(dir);
}

/** `listFolder` made with readdirSync (the same string; test/e2e/list-folder.test.ts compares them). */
export function listFolderWithReaddir(dir: string): string {
  const keyed = readdirSync(dir, { withFileTypes: true }).map((e) => ({ e, k: e.isDirectory() ? `${e.name}/` : e.name }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const letter = (e: Dirent): string => (e.isDirectory() ? 'd' : e.isFile() ? 'f' : e.isSymbolicLink() ? 'l' : 'o');
  return keyed.map(({ e }) => `${letter(e)}${e.name}\0`).join('');
}

/** The path of `name` in the folder `parent`, by concatenation (a walked folder's path is already normal). */
export function under(parent: string, name: string): string {
  return parent.endsWith(sep) ? parent + name : parent + sep + name;
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

  const streaming = opts.onFile !== undefined && inputs.length === 1;
  /** `key`: the file's real path (dedup across overlapping inputs and links named twice). */
  // One input is walked without meeting a file twice (links are not followed), so only several
  // inputs need the set of files seen (it would grow with the tree).
  const dedup = inputs.length > 1;
  const addFile = (abs: string, key: string, display = displayPath(abs, cwd), extra: Partial<DiscoveredFile> = {}): void => {
    if (dedup) {
      if (seen.has(key)) return;
      seen.add(key);
    }
    const f = { absolute: abs, display, ...extra };
    if (streaming) opts.onFile!(f);
    else files.push(f);
  };
  const realpathOf = (abs: string): string => {
    try {
      return realpathSync(abs);
    } catch {
      return abs;
    }
  };

  // Links are not followed while walking, so a file found under a folder has the folder's real
  // path plus its own relative path as its real path: one realpath per input, not per file.
  let sinceYield = 0;
  // Paths are built by concatenation (`under`), and the display path is carried down the walk:
  // path.join/relative per file cost more than the walk itself.
  const walk = async (dir: string, realDir: string, display: string, layers: IgnoreLayer[]): Promise<void> => {
    // Let the event loop run now and then (worker threads waiting for files are served there).
    if (opts.stop?.()) return;
    if (streaming && ++sinceYield >= 64) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      const paused = opts.pause?.();
      if (paused) await paused;
    }
    let list: string;
    try {
      list = listFolder(dir);
    } catch (err) {
      unreadable.push({ path: displayPath(dir, cwd), reason: describeError((err as NodeJS.ErrnoException).code, err) });
      return;
    }
    let here = layers;
    if (useGitignore && (list.startsWith('f.gitignore\0') || list.includes('\0f.gitignore\0'))) {
      const ig = readIgnoreFile(join(dir, '.gitignore'));
      if (ig) here = [...layers, { base: dir, ig }];
    }
    for (let at = 0; at < list.length; ) {
      const end = list.indexOf('\0', at);
      const type = list[at];
      const name = list.slice(at + 1, end);
      at = end + 1;
      if (type === 'd') {
        if (name === '.git') continue;
        const abs = under(dir, name);
        if ((useGitignore && here.length > 0 && ignoredBy(here, abs, true)) || userIgnored(abs, true)) continue;
        await walk(abs, under(realDir, name), display === '.' ? name : `${display}/${name}`, here);
      } else if (type === 'f' && name.endsWith('.nix')) {
        const abs = under(dir, name);
        if ((useGitignore && here.length > 0 && ignoredBy(here, abs, false)) || userIgnored(abs, false)) continue;
        addFile(abs, under(realDir, name), display === '.' ? name : `${display}/${name}`, WALKED);
      }
      // symlinks and other entries are not followed while walking
    }
  };

  // What a link named on the command line may be written through to: the real paths of the
  // folders and (non-link) files given. Worked out at the first such link.
  let roots: string[] | undefined;
  const insideRoots = (real: string): boolean => {
    if (!roots) {
      roots = [];
      for (const input of inputs) {
        const abs = resolve(cwd, input);
        try {
          if (lstatSync(abs).isSymbolicLink() && !statSync(abs).isDirectory()) continue;
          roots.push(realpathSync(abs));
        } catch {
          /* reported as missing or unreadable */
        }
      }
    }
    return roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
  };

  for (const input of inputs) {
    if (opts.stop?.()) break;
    const abs = resolve(cwd, input);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') missing.push(input);
      else unreadable.push({ path: input, reason: describeError(code, err) });
      continue;
    }
    if (st.isDirectory()) {
      if (userIgnored(abs, true)) continue;
      await walk(abs, realpathOf(abs), displayPath(abs, cwd), useGitignore ? ancestorLayers(abs) : []);
    } else if (!userIgnored(abs, false)) {
      const real = realpathOf(abs);
      let link = false;
      try {
        link = lstatSync(abs).isSymbolicLink();
      } catch {
        /* gone meanwhile: reading it will say so */
      }
      if (!link) addFile(abs, real);
      else if (insideRoots(real)) addFile(abs, real, undefined, { real });
      else addFile(abs, real, undefined, { real, writeRefusal: `is a symbolic link to ${real}, outside the paths given; not written through (name the target itself to rewrite it)` });
    }
  }
  // A folder reached twice (named, and inside another one named) is reported once.
  const reported = new Set<string>();
  const unique = unreadable.filter((u) => !reported.has(u.path) && (reported.add(u.path), true));
  unreadable.length = 0;
  unreadable.push(...unique);
  files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  if (opts.onFile && !streaming) {
    for (const f of files) opts.onFile(f);
    return { files: [], missing, unreadable };
  }
  return { files, missing, unreadable };
}
