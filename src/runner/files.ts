/**
 * Reading and writing files safely.
 *
 * Reading: a file with a NUL byte is refused as binary; a file that is not valid UTF-8 is refused
 * (never re-encoded). A BOM is kept as U+FEFF at offset 0 so it is written back as it was.
 *
 * Writing is atomic: the new text goes to a temporary file in the same folder, is flushed to
 * disk (fsync), gets the original's mode (and owner, when we may set it), and is renamed over
 * the original. A failure at any step removes the temporary file and leaves the original intact.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type ReadResult = { ok: true; text: string; bytes: number } | { ok: false; reason: string; kind: 'binary' | 'not-utf8' };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeNix(buf: Buffer): ReadResult {
  if (buf.includes(0)) return { ok: false, kind: 'binary', reason: 'binary file (contains a NUL byte); not a Nix expression' };
  try {
    return { ok: true, text: decoder.decode(buf), bytes: buf.length };
  } catch {
    return { ok: false, kind: 'not-utf8', reason: 'not valid UTF-8; nixshift does not re-encode files' };
  }
}

/** Above this a file is never read whole (a JavaScript string holds at most 512 MiB). */
export const HARD_MAX_BYTES = 256 << 20;

export type RawReadResult = { ok: true; buf: Buffer } | { ok: false; reason: string } | { ok: false; tooLarge: number };

/** Where small files are read to (one per thread: each worker has its own module instance). */
const scratch = Buffer.allocUnsafe(1 << 17);

/**
 * The bytes of a regular file of at most `limit` bytes. Synchronous on purpose: on a worker
 * thread (or in band) it has no thread-pool round trips, several times faster for the small files
 * nixpkgs is made of. The open does not block (a FIFO named on the command line would wait for a
 * writer).
 *
 * - `checkType` (a file named on the command line): open, fstat, read, close. Anything else than
 *   a regular file, or a file over the limit (`tooLarge`: its size), is not read.
 * - Otherwise (a file the walk listed as regular): open, one read into a reused buffer, close;
 *   only a file that fills the buffer costs an fstat (its size, its type). The returned bytes are
 *   then a view of that buffer, valid until the next call.
 */
export function readRaw(path: string, limit = HARD_MAX_BYTES, checkType = true): RawReadResult {
  let fd: number | undefined;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    let head = 0;
    if (!checkType) {
      head = readSync(fd, scratch, 0, scratch.length, 0);
      if (head < scratch.length) return head > limit ? { ok: false, tooLarge: head } : { ok: true, buf: scratch.subarray(0, head) };
    }
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, reason: 'cannot read: is a directory' };
    if (!st.isFile()) return { ok: false, reason: 'not a regular file (a FIFO, device or socket); not read' };
    if (st.size > Math.min(limit, HARD_MAX_BYTES)) return { ok: false, tooLarge: st.size };
    // Read to the end (the file may have grown or shrunk since the fstat).
    let buf = Buffer.allocUnsafe(Math.max(st.size, head) + 1);
    if (head > 0) scratch.copy(buf, 0, 0, head);
    let got = head;
    for (;;) {
      if (got === buf.length) {
        if (got > Math.min(limit, HARD_MAX_BYTES)) return { ok: false, tooLarge: got };
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, HARD_MAX_BYTES + 1));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got > Math.min(limit, HARD_MAX_BYTES)) return { ok: false, tooLarge: got };
    return { ok: true, buf: buf.subarray(0, got) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'ELOOP' ? 'symbolic link loop' : (e.code ?? e.message);
    return { ok: false, reason: `cannot read: ${why}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface WriteOptions {
  /**
   * The text the new one was made from. When given, the file is read again just before the
   * rename and left alone (error code ECHANGED) if it no longer has this text: an editor or
   * another tool changed it meanwhile (an --interactive session can be long).
   */
  expected?: string;
  /** Test hook: make the write fail after the temp file is written (fault-injection tests). */
  failAfterTempWrite?: boolean;
}

/** The temporary file names of this process's writes of `path` (see `writeFileAtomic`). */
function tempPrefix(path: string): string {
  return `.${basename(path)}.nixshift-${process.pid}-`;
}

/**
 * Remove the temporary files this process left for `path` (a worker thread stopped in the
 * middle of a write). The original is untouched: only the final rename replaces it.
 */
export function removeTempFiles(path: string): void {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(prefix) && n.endsWith('.tmp')) {
      try {
        rmSync(join(dirname(path), n), { force: true });
      } catch {
        /* best effort */
      }
    }
  }
}

export async function writeFileAtomic(path: string, text: string, opts: WriteOptions = {}): Promise<void> {
  // Loaded here, not at the top: every worker thread loads this module to read files, and
  // `node:fs/promises` and `node:crypto` are some forty of Node's own modules to compile per
  // thread; only writing runs need them.
  const [fs, { randomBytes }] = await Promise.all([import('node:fs/promises'), import('node:crypto')]);
  const faults = opts;
  const st = await fs.stat(path);
  // Read-only for us: the rename would replace the file anyway (it needs only the folder to be
  // writable), so ask first. The kernel knows (owner, group, ACLs); root may write anything, so
  // for root a file without any write bit counts as read-only.
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root ? (st.mode & 0o222) === 0 : !(await fs.access(path, fsConstants.W_OK).then(() => true, () => false))) {
    throw Object.assign(new Error('file is read-only'), { code: 'EROFILE' });
  }
  const tmp = join(dirname(path), `${tempPrefix(path)}${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', st.mode & 0o7777);
    await handle.writeFile(text, 'utf8');
    if (faults.failAfterTempWrite) throw Object.assign(new Error('injected write failure'), { code: 'ENOSPC' });
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.chmod(tmp, st.mode & 0o7777);
    try {
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || st.gid !== process.getgid?.())) await fs.chown(tmp, st.uid, st.gid);
    } catch {
      /* not permitted: keep our ownership */
    }
    if (opts.expected !== undefined) {
      const now = decodeNix(await fs.readFile(path));
      if (!now.ok || now.text !== opts.expected) throw Object.assign(new Error('the file changed on disk since it was read'), { code: 'ECHANGED' });
    }
    await fs.rename(tmp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
