/**
 * The "old build" evidence source: which CUDA libraries the ELF files of a package's previous
 * build actually link. Each `DT_NEEDED` soname that names a CUDA library becomes a `needed`
 * item; driver libraries (`libcuda.so.1`, …) are listed apart because no package ships them.
 * This is the strongest evidence there is (the linker kept only what is used), so it has to be
 * exact and must never fail on odd files: unreadable files and malformed ELF files are skipped.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { hasElfMagic, readNeeded } from './elf.js';
import { DRIVER_LIBRARIES, libraryBaseName, packageOfLibrary } from './libraries.js';
import type { EvidenceItem, TreeEvidence } from './types.js';

/** Longest `text` an item may carry (types.ts). */
const MAX_TEXT = 60;

/** A file to examine: its real path and the path it is reported under (relative to the root). */
interface Candidate {
  real: string;
  rel: string;
}

/**
 * Scans `root` (a store path, a folder, a symlink to one such as `./result`, or a single file)
 * for ELF files and turns their `DT_NEEDED` entries into evidence. Throws only when `root`
 * itself does not exist or cannot be read.
 */
export function scanBuild(root: string): TreeEvidence {
  const realRoot = realpathSync(root);
  const candidates = statSync(realRoot).isDirectory()
    ? walk(realRoot)
    : [{ real: realRoot, rel: path.basename(realRoot) }];
  const items = new Map<string, EvidenceItem>();
  const driverLibs = new Set<string>();
  let files = 0;
  for (const c of candidates) {
    const needed = neededOf(c.real);
    if (needed === undefined) continue;
    files++;
    for (const soname of needed) addNeeded(items, driverLibs, c.rel, soname);
  }
  return {
    origin: 'build',
    root,
    items: [...items.values()].sort(compareItems),
    files,
    driverLibs: [...driverLibs].sort(compareStrings),
  };
}

/** Records one soname seen in `file`: a driver library, an item, or nothing. */
function addNeeded(items: Map<string, EvidenceItem>, driverLibs: Set<string>, file: string, soname: string): void {
  const base = libraryBaseName(soname);
  if (base !== undefined && DRIVER_LIBRARIES.has(base)) {
    driverLibs.add(soname);
    return;
  }
  const pkg = packageOfLibrary(soname);
  if (pkg === undefined) return;
  const text = `DT_NEEDED ${soname}`.slice(0, MAX_TEXT);
  items.set(`${file}\0${soname}`, { pkg, kind: 'needed', file, line: 0, text, place: 'main' });
}

/**
 * The `DT_NEEDED` sonames of the file at `file`: [] for a file that is not ELF or is malformed,
 * undefined when it cannot be opened or read at all (such a file is not counted).
 */
function neededOf(file: string): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(4);
    const got = readSync(fd, head, 0, 4, 0);
    if (got < 4 || !hasElfMagic(head)) return [];
    try {
      return readNeeded(fd, fstatSync(fd).size);
    } catch {
      return [];
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Every regular file under `realRoot`, in a stable order. Symlinked files are followed wherever
 * they point (one small read each), each real file examined once; a link to a file inside the
 * root is skipped because the walk reaches that file itself. Symlinked directories are not
 * followed: inside the root they would be walked twice, outside it they lead into other store
 * paths or the host (`/run/opengl-driver/lib`), whose libraries are not this package's evidence.
 */
function walk(realRoot: string): Candidate[] {
  const byReal = new Map<string, string>();
  const stack = [''];
  while (stack.length > 0) {
    const relDir = stack.pop() as string;
    for (const entry of listDir(path.join(realRoot, relDir))) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      const abs = path.join(realRoot, rel);
      if (entry.isDirectory()) stack.push(rel);
      else if (entry.isFile()) keepFirst(byReal, abs, rel);
      else if (entry.isSymbolicLink()) {
        const real = linkedFile(abs);
        if (real !== undefined && !isInside(realRoot, real)) keepFirst(byReal, real, rel);
      }
    }
  }
  return [...byReal].map(([real, rel]) => ({ real, rel })).sort((a, b) => compareStrings(a.rel, b.rel));
}

/** Keeps the smallest reported path for a real file reached more than once. */
function keepFirst(byReal: Map<string, string>, real: string, rel: string): void {
  const seen = byReal.get(real);
  if (seen === undefined || compareStrings(rel, seen) < 0) byReal.set(real, rel);
}

/** The entries of a folder, or none when it cannot be read. */
function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The real path of the regular file a symlink leads to; undefined for anything else or a dangling link. */
function linkedFile(link: string): string | undefined {
  try {
    return statSync(link).isFile() ? realpathSync(link) : undefined;
  } catch {
    return undefined;
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function compareItems(a: EvidenceItem, b: EvidenceItem): number {
  return compareStrings(a.file, b.file) || compareStrings(a.text, b.text);
}

/** Code-unit order: the same on every machine and locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
