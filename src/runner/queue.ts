import { statSync } from 'node:fs';
import type { FileJob } from './job.js';

/**
 * Jobs as discovery finds them: the walk pushes, the worker pool (or the in-band loop) takes.
 * Taken jobs are dropped (the pool keeps the ones in flight, to name a crashed worker's files).
 */
export class JobQueue {
  /** Jobs not yet taken (taken ones are dropped: memory does not grow with the tree). */
  private pending: FileJob[] = [];
  private head = 0;
  /** Jobs pushed so far. */
  count = 0;
  ended = false;
  private listeners: (() => void)[] = [];
  push(job: FileJob): void {
    this.pending.push(job);
    this.count++;
    this.notify();
  }
  /** Count a file whose job is already under way elsewhere (see early.ts): its index is taken. */
  reserve(): void {
    this.count++;
    this.notify();
  }
  end(): void {
    this.ended = true;
    this.notify();
  }
  get available(): number {
    return this.pending.length - this.head;
  }
  take(n: number): FileJob[] {
    const batch = this.pending.slice(this.head, this.head + n);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (this.resume && this.available <= this.resumeAt) this.unthrottle();
    return batch;
  }
  private resume: (() => void) | undefined;
  private resumeAt = 0;
  private throttling = true;
  /**
   * Backpressure for the walk: when more than `high` jobs wait, a promise that resolves once no
   * more than `low` do (undefined otherwise). The queue, and the results a largest-first order
   * holds back, then stay bounded however large the tree.
   */
  throttle(high: number, low: number): Promise<void> | undefined {
    if (!this.throttling || this.available <= high) return undefined;
    this.resumeAt = low;
    return new Promise<void>((resolve) => {
      this.resume = resolve;
    });
  }
  /** Let the walk run free from now on (interrupted, or no thread left to take jobs). */
  unthrottle(permanently = false): void {
    if (permanently) this.throttling = false;
    const r = this.resume;
    this.resume = undefined;
    r?.();
  }
  /**
   * Hand out the jobs not yet taken largest file first (longest processing time first: a big
   * file that comes last in path order, like `pkgs/top-level/all-packages.nix`, does not run
   * alone at the end while the other threads wait). Output order does not change: the printer
   * orders results by index. Called by the main thread when the walk is over and it has nothing
   * else to do; a stat each (a few ms per thousand files).
   */
  largestFirst(): void {
    const rest = this.pending.slice(this.head);
    const sized = rest.map((job) => {
      let size = 0;
      try {
        size = statSync(job.absolute).size;
      } catch {
        /* it will be an error when read */
      }
      return { job, size };
    });
    sized.sort((a, b) => b.size - a.size || a.job.index - b.job.index);
    this.pending = sized.map((s) => s.job);
    this.head = 0;
  }
  /** Put jobs back at the front (the unstarted jobs of a worker that died). */
  requeue(jobs: FileJob[]): void {
    if (jobs.length === 0) return;
    this.pending = [...jobs, ...this.pending.slice(this.head)];
    this.head = 0;
    this.notify();
  }
  /** Drop every job not taken yet (an interrupted run); how many were dropped. */
  drain(): number {
    const n = this.available;
    this.pending = [];
    this.head = 0;
    return n;
  }
  /** Resolves when at least `n` jobs were pushed, or the queue ended. */
  reached(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (this.count >= n || this.ended) {
          resolve();
          return true;
        }
        return false;
      };
      if (check()) return;
      const listener = (): void => {
        if (check()) this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }
  onChange(f: () => void): void {
    this.listeners.push(f);
  }
  private notify(): void {
    for (const l of this.listeners) l();
  }
}
