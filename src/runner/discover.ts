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
import { toPosix } from '../util/posix.js';

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
  const d = new Discovery(inputs, opts);
  for (const input of inputs) {
    if (opts.stop?.()) break;
    await d.input(input);
  }
  return d.result();
}

function realpathOf(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

/** One discovery: the inputs named, the folders walked, the files found (see discoverFiles). */
class Discovery {
  private readonly cwd: string;
  private readonly useGitignore: boolean;
  private readonly userLayers: IgnoreLayer[] = [];
  private readonly files: DiscoveredFile[] = [];
  private readonly missing: string[] = [];
  private readonly unreadable: { path: string; reason: string }[] = [];
  /** Files are handed to `onFile` as the walk finds them (one input), else sorted at the end. */
  private readonly streaming: boolean;
  // One input is walked without meeting a file twice (links are not followed), so only several
  // inputs need the set of files seen, by real path (it would grow with the tree).
  private readonly seen: Set<string> | undefined;
  private sinceYield = 0;
  /** What a link named on the command line may be written through to (see insideRoots). */
  private roots: string[] | undefined;

  constructor(
    private readonly inputs: readonly string[],
    private readonly opts: DiscoverOptions,
  ) {
    this.cwd = opts.cwd ?? process.cwd();
    this.useGitignore = opts.gitignore ?? true;
    if (opts.ignorePatterns && opts.ignorePatterns.length > 0) this.userLayers.push({ base: this.cwd, ig: ignore().add(opts.ignorePatterns) });
    for (const { base, patterns } of opts.ignoreRelativeTo ?? []) if (patterns.length > 0) this.userLayers.push({ base, ig: ignore().add(patterns) });
    this.streaming = opts.onFile !== undefined && inputs.length === 1;
    this.seen = inputs.length > 1 ? new Set() : undefined;
  }

  /** Below a walked folder: what its .gitignore layers or the user's patterns exclude. */
  private ignored(layers: IgnoreLayer[], abs: string, isDir: boolean): boolean {
    return (this.useGitignore && layers.length > 0 && ignoredBy(layers, abs, isDir)) || this.userIgnored(abs, isDir);
  }

  private userIgnored(abs: string, isDir: boolean): boolean {
    return this.userLayers.length > 0 && ignoredBy(this.userLayers, abs, isDir);
  }

  /** `key`: the file's real path (dedup across overlapping inputs and links named twice). */
  private addFile(abs: string, key: string, display = displayPath(abs, this.cwd), extra: Partial<DiscoveredFile> = {}): void {
    if (this.seen) {
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    const f = { absolute: abs, display, ...extra };
    if (this.streaming) this.opts.onFile!(f);
    else this.files.push(f);
  }

  /** One path named on the command line: a folder is walked, a file (or a link to one) taken as is. */
  async input(input: string): Promise<void> {
    const abs = resolve(this.cwd, input);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') this.missing.push(input);
      else this.unreadable.push({ path: input, reason: describeError(code, err) });
      return;
    }
    if (st.isDirectory()) {
      // Links are not followed while walking, so a file found under a folder has the folder's
      // real path plus its own relative path as its real path: one realpath per input, not per file.
      // A folder named is searched whatever the ignore files above it say (as ripgrep does):
      // when they ignore the folder itself, only the ignore files inside it apply.
      let layers = this.useGitignore ? ancestorLayers(abs) : [];
      if (layers.length > 0 && ignoredBy(layers, abs, true)) layers = [];
      if (!this.userIgnored(abs, true)) await this.walk(abs, realpathOf(abs), displayPath(abs, this.cwd), layers);
      return;
    }
    if (this.userIgnored(abs, false)) return;
    const real = realpathOf(abs);
    let link = false;
    try {
      link = lstatSync(abs).isSymbolicLink();
    } catch {
      /* gone meanwhile: reading it will say so */
    }
    if (!link) this.addFile(abs, real);
    else if (this.insideRoots(real)) this.addFile(abs, real, undefined, { real });
    else this.addFile(abs, real, undefined, { real, writeRefusal: `is a symbolic link to ${real}, outside the paths given; not written through (name the target itself to rewrite it)` });
  }

  /**
   * Walk a folder. Paths are built by concatenation (`under`), and the display path is carried
   * down the walk: path.join/relative per file cost more than the walk itself.
   */
  private async walk(dir: string, realDir: string, display: string, layers: IgnoreLayer[]): Promise<void> {
    if (this.opts.stop?.()) return;
    // Let the event loop run now and then (worker threads waiting for files are served there).
    if (this.streaming && ++this.sinceYield >= 64) {
      this.sinceYield = 0;
      await new Promise<void>((done) => setImmediate(done));
      const paused = this.opts.pause?.();
      if (paused) await paused;
    }
    let list: string;
    try {
      list = listFolder(dir);
    } catch (err) {
      this.unreadable.push({ path: displayPath(dir, this.cwd), reason: describeError((err as NodeJS.ErrnoException).code, err) });
      return;
    }
    let here = layers;
    if (this.useGitignore && (list.startsWith('f.gitignore\0') || list.includes('\0f.gitignore\0'))) {
      const ig = readIgnoreFile(join(dir, '.gitignore'));
      if (ig) here = [...layers, { base: dir, ig }];
    }
    for (let at = 0; at < list.length; ) {
      const end = list.indexOf('\0', at);
      const type = list[at];
      const name = list.slice(at + 1, end);
      at = end + 1;
      // symlinks and other entries are not followed while walking
      if (type === 'd' && name !== '.git') {
        const abs = under(dir, name);
        if (!this.ignored(here, abs, true)) await this.walk(abs, under(realDir, name), display === '.' ? name : `${display}/${name}`, here);
      } else if (type === 'f' && name.endsWith('.nix')) {
        const abs = under(dir, name);
        if (!this.ignored(here, abs, false)) this.addFile(abs, under(realDir, name), display === '.' ? name : `${display}/${name}`, WALKED);
      }
    }
  }

  /**
   * Whether a link named on the command line points inside what the run may write: the real
   * paths of the folders and (non-link) files given, worked out at the first such link.
   */
  private insideRoots(real: string): boolean {
    if (!this.roots) {
      this.roots = [];
      for (const input of this.inputs) {
        const abs = resolve(this.cwd, input);
        try {
          if (lstatSync(abs).isSymbolicLink() && !statSync(abs).isDirectory()) continue;
          this.roots.push(realpathSync(abs));
        } catch {
          /* reported as missing or unreadable */
        }
      }
    }
    return this.roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
  }

  result(): DiscoverResult {
    const { files, missing, opts } = this;
    // A folder reached twice (named, and inside another one named) is reported once.
    const reported = new Set<string>();
    const unreadable = this.unreadable.filter((u) => !reported.has(u.path) && (reported.add(u.path), true));
    files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
    if (opts.onFile && !this.streaming) {
      for (const f of files) opts.onFile(f);
      return { files: [], missing, unreadable };
    }
    return { files, missing, unreadable };
  }
}
