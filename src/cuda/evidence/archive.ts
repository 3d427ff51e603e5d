/**
 * A package's source as a folder to scan: the folder itself, or an archive (`.tar.gz`, `.tgz`,
 * `.tar.xz`, `.tar.bz2`, `.tar.zst`, `.tar`, `.zip`, as `fetchurl`/`fetchFromGitHub` leave them in
 * the store) unpacked once into a cache folder:
 *
 *     ${XDG_CACHE_HOME:-~/.cache}/nixshift/unpacked/<sha256 of realpath, size and mtime>/
 *
 * The archive is unpacked into a temporary sibling and renamed into place, so a crash or a
 * failed unpack never leaves a half-filled cache folder, and two processes unpacking the same
 * archive at once both end up with one complete copy. Tar archives go through the system `tar`
 * (GNU tar detects the compression itself), zip archives through `adm-zip`; the type is read
 * from the file's first bytes, so a store path without an extension works too.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import AdmZip from 'adm-zip';

type ArchiveType = 'tar' | 'zip';

/** Magic numbers at the start of a file → how to unpack it (tar: GNU tar detects the compression). */
const MAGIC: ReadonlyArray<readonly [ArchiveType, string, Buffer]> = [
  ['tar', 'gzip', Buffer.from([0x1f, 0x8b])],
  ['tar', 'xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['tar', 'bzip2', Buffer.from('BZh')],
  ['tar', 'zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['zip', 'zip', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['zip', 'zip', Buffer.from([0x50, 0x4b, 0x05, 0x06])],
];

/** Offset of the `ustar` magic in a tar header (POSIX and GNU tar). */
const USTAR_OFFSET = 257;

/** The message of every error: names the path and the reason. */
function fail(path: string, reason: string): Error {
  return new Error(`nixshift: cannot read source ${path}: ${reason}`);
}

/** `statSync`, with an error that names the path and the reason. */
export function statSource(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(path, code === 'ENOENT' ? 'no such file or folder' : (e as Error).message);
  }
}

/**
 * The folder to scan for `pathOrArchive`: the folder itself, or the cache folder of the
 * unpacked archive (its single top folder when it has exactly one, as source archives do).
 * Throws an Error naming the path and the reason when the path is missing, is not an archive,
 * or cannot be unpacked.
 */
export function materialize(pathOrArchive: string): string {
  const st = statSource(pathOrArchive);
  if (st.isDirectory()) return pathOrArchive;
  if (!st.isFile()) throw fail(pathOrArchive, 'neither a folder nor a file');
  const type = archiveType(pathOrArchive);
  const target = join(unpackedRoot(), cacheKey(realpathSync(pathOrArchive), st));
  if (!isDirectory(target)) unpackAtomically(pathOrArchive, type, target);
  return topFolder(target);
}

/** `${XDG_CACHE_HOME:-~/.cache}/nixshift/unpacked` (a relative XDG_CACHE_HOME is ignored, as the spec says). */
export function unpackedRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'nixshift', 'unpacked');
}

function cacheKey(realPath: string, st: Stats): string {
  return createHash('sha256').update(`${realPath}\0${st.size}\0${st.mtimeMs}`).digest('hex');
}

/** The archive type of the file, from its first bytes. */
function archiveType(path: string): ArchiveType {
  const head = readHead(path, USTAR_OFFSET + 8);
  for (const [type, , magic] of MAGIC) if (head.subarray(0, magic.length).equals(magic)) return type;
  if (head.subarray(USTAR_OFFSET, USTAR_OFFSET + 5).toString('latin1') === 'ustar') return 'tar';
  throw fail(path, 'not an archive (expected a folder, or a .tar.gz, .tgz, .tar.xz, .tar.bz2, .tar.zst, .tar or .zip file)');
}

function readHead(path: string, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return buf.subarray(0, readSync(fd, buf, 0, length, 0));
  } catch (e) {
    throw fail(path, (e as Error).message);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Unpacks into a temporary sibling of `target`, then renames it into place. */
function unpackAtomically(path: string, type: ArchiveType, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(`${target}.tmp-`);
  try {
    if (type === 'zip') unzip(path, tmp);
    else untar(path, tmp);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process renamed its complete copy into place first: use that one.
    if (isDirectory(target)) return;
    throw e instanceof Error && e.message.startsWith('nixshift:') ? e : fail(path, (e as Error).message);
  }
}

function untar(path: string, dir: string): void {
  const r = spawnSync('tar', ['-xf', path, '-C', dir, '--no-same-owner', '--no-same-permissions'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw fail(path, `cannot run tar: ${r.error.message}`);
  if (r.status !== 0) {
    const said = r.stderr.trim().split('\n').slice(0, 3).join('; ');
    throw fail(path, `tar failed (exit ${r.status ?? r.signal}): ${said || 'no message'}`);
  }
}

function unzip(path: string, dir: string): void {
  try {
    new AdmZip(path).extractAllTo(dir, true, false);
  } catch (e) {
    throw fail(path, `corrupt or unsupported zip archive: ${(e as Error).message}`);
  }
}

/** The archive's single top folder, or the unpack folder itself when there are several entries. */
function topFolder(dir: string): string {
  const entries = readdirSync(dir, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  return only !== undefined && only.isDirectory() ? join(dir, only.name) : dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

