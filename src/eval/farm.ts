/**
 * The checkout as it would be after the run, for Nix to evaluate without a file of the real
 * tree being touched (a dry run writes nothing; a `--write` run writes only what verified): a
 * copy in a temporary folder made of hard links (no file content copied; a plain copy where the
 * temporary folder is on another file system), with the new texts written as new files (the
 * link unlinked first, so the original is never written through). `.git` is left out.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

export interface Farm {
  /** The copy's root: the checkout's paths below it. */
  root: string;
  /** Files were copied, not linked (the temporary folder is on another file system). */
  copied: boolean;
  /** Write `text` as the copy's version of `absolute` (a file of the checkout). */
  put(absolute: string, text: string): void;
  /** Put the checkout's own version of `absolute` back. */
  restore(absolute: string): void;
  remove(): void;
}

export function makeFarm(checkout: string): Farm {
  const base = mkdtempSync(join(tmpdir(), 'nixshift-verify-'));
  const root = join(base, 'nixpkgs');
  let copied = false;
  const place = (from: string, to: string): void => {
    if (!copied) {
      try {
        linkSync(from, to);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
        copied = true;
      }
    }
    copyFileSync(from, to);
  };
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (e.name === '.git' && from === checkout) continue;
      const src = join(from, e.name);
      const dst = join(to, e.name);
      if (e.isDirectory()) walk(src, dst);
      else if (e.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
      else if (e.isFile()) place(src, dst);
    }
  };
  try {
    walk(checkout, root);
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
  const inCopy = (absolute: string): string => {
    const rel = relative(checkout, absolute);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..') throw new Error(`${absolute} is not inside ${checkout}`);
    return join(root, rel);
  };
  return {
    root,
    get copied() {
      return copied;
    },
    put(absolute, text) {
      const p = inCopy(absolute);
      try {
        if (lstatSync(p)) unlinkSync(p);
      } catch {
        /* a new file */
      }
      writeFileSync(p, text, { flag: 'wx' });
    },
    restore(absolute) {
      const p = inCopy(absolute);
      rmSync(p, { force: true });
      place(absolute, p);
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}
