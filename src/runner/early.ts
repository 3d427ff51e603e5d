/**
 * Large files near the root, started first.
 *
 * The walk meets files in path order, and output follows it. In nixpkgs the file that costs most,
 * `pkgs/top-level/all-packages.nix` (1.5 MB, and it mentions the legacy toolkit), is among the
 * last ones the walk finds: processed then, it runs alone at the end while the other threads
 * wait (about half a second on the benchmark tree). So, before the walk, the few folders near
 * the root are listed, and the large `.nix` files there are given to the transforming thread
 * first. Their results are kept until the walk reaches them, and then take their place in the
 * output as if they had been processed then. A file the walk never reaches (ignored) or reaches
 * with something of its own (per-file options) is processed the ordinary way, and what was done
 * early is dropped: early work is only ever a dry run's (nothing is written early).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath, under } from './discover.js';
import type { FileJob } from './intake.js';

/** Files at most this deep under the folder given (`pkgs/top-level/all-packages.nix`: 3). */
const EARLY_DEPTH = 3;
/** Files at least this large are started early. */
export const EARLY_MIN_BYTES = 256 << 10;
/** At most this many. */
const EARLY_MAX_FILES = 8;
/** The look stops after this many entries (a tree with huge folders near its root is walked as usual). */
const EARLY_MAX_ENTRIES = 4096;
/** Indices of early jobs (above any file count; an index is an int32 on its way to a thread). */
export const EARLY_BASE = 1 << 30;

/**
 * The large `.nix` files at most `EARLY_DEPTH` deep under `input` (a folder), largest first, as
 * jobs the walk would make for them (same absolute and display paths; folders named `.git` and
 * links are not entered, as in the walk).
 */
export function findEarlyFiles(input: string, cwd: string, maxBytes: number): FileJob[] {
  const found: { absolute: string; display: string; size: number }[] = [];
  let budget = EARLY_MAX_ENTRIES;
  const visit = (dir: string, display: string, depth: number): void => {
    let entries;
    try {
      // In name order, as the walk meets them (which folders fit in the budget does not vary).
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const e of entries) {
      if (--budget < 0) return;
      const abs = under(dir, e.name);
      const shown = display === '.' ? e.name : `${display}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== '.git' && depth + 1 < EARLY_DEPTH) visit(abs, shown, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.nix')) {
        try {
          const st = lstatSync(abs);
          if (st.isFile() && st.size >= EARLY_MIN_BYTES && st.size <= maxBytes) found.push({ absolute: abs, display: shown, size: st.size });
        } catch {
          /* gone: the walk will say */
        }
      }
    }
  };
  const root = resolve(cwd, input);
  visit(root, displayPath(root, cwd), 0);
  found.sort((a, b) => b.size - a.size || (a.absolute < b.absolute ? -1 : 1));
  return found.slice(0, EARLY_MAX_FILES).map((f, i) => ({ index: EARLY_BASE + i, absolute: f.absolute, display: f.display, walked: true }));
}

interface Entry<R> {
  job: FileJob;
  sent: boolean;
  /** The walk's index for this file, once the walk reached it with the same job. */
  claim?: number;
  /** The walk reached it with something else (or before early jobs started): dropped. */
  dropped: boolean;
  result?: R;
}

/**
 * The early jobs of a threaded run, and their results (`R`) until the walk reaches their files.
 * `deliver` is where a claimed result goes, with the walk's index.
 */
export class EarlyJobs<R> {
  private readonly byPath = new Map<string, Entry<R>>();
  private readonly byIndex = new Map<number, Entry<R>>();
  /** Early jobs are being sent (the run is threaded); before that, the walk takes every file. */
  active = false;
  deliver: (r: R, index: number) => void = () => undefined;

  constructor(jobs: readonly FileJob[]) {
    for (const job of jobs) {
      const e: Entry<R> = { job, sent: false, dropped: false };
      this.byPath.set(job.absolute, e);
      this.byIndex.set(job.index, e);
    }
  }

  static isEarly(index: number): boolean {
    return index >= EARLY_BASE;
  }

  /**
   * The walk found `job` (its index assigned): true when the early job stands for it (its result
   * will be delivered with `job.index`), false when the walk's job must be processed as usual.
   */
  claim(job: FileJob): boolean {
    const e = this.byPath.get(job.absolute);
    if (!e) return false;
    this.byPath.delete(job.absolute);
    const same = this.active && job.walked === true && job.display === e.job.display && !job.overrides && !job.real && !job.writeRefusal;
    if (!same) {
      e.dropped = true;
      e.result = undefined;
      return false;
    }
    e.claim = job.index;
    if (e.result) this.settle(e);
    return true;
  }

  /** The next early job to send to a transforming thread, if any is worth sending. */
  next(walkOver: boolean): FileJob | undefined {
    for (const e of this.byIndex.values()) {
      if (e.sent || e.dropped || (walkOver && e.claim === undefined)) continue;
      e.sent = true;
      return e.job;
    }
    return undefined;
  }

  /** Claimed jobs not sent yet (a run whose threads all died, or an interrupted one). */
  unsentClaims(): FileJob[] {
    const out: FileJob[] = [];
    for (const e of this.byIndex.values()) if (!e.sent && e.claim !== undefined) out.push({ ...e.job, index: e.claim });
    return out;
  }

  /** Whether the result of an early job counts in the run (its file was claimed by the walk). */
  claimed(index: number): boolean {
    return this.byIndex.get(index)?.claim !== undefined;
  }

  /** A thread answered for the early job `index` (a result, or a plain skip waiting for its index). */
  result(index: number, r: R): void {
    const e = this.byIndex.get(index);
    if (!e || e.dropped) return;
    e.result = r;
    if (e.claim !== undefined) this.settle(e);
  }

  /** The walk is over: a job it never reached is dropped (an ignored file). */
  walkOver(): void {
    for (const e of this.byIndex.values()) {
      if (e.claim === undefined) {
        e.dropped = true;
        e.result = undefined;
      }
    }
  }

  private settle(e: Entry<R>): void {
    const r = e.result!;
    e.result = undefined;
    this.byIndex.delete(e.job.index);
    this.deliver(r, e.claim!);
  }
}
