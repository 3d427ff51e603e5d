/**
 * The progress line on standard error for long runs on a terminal: files done / total, rate and
 * time left, redrawn in place (`\r`, erase line) at most every `intervalMs`, shown only once a
 * run has taken `delayMs` (short runs never flash it). The printer clears it before any other
 * output and at the end, so nothing else is ever garbled by it.
 */
import type { Sink } from '../model/sink.js';

export interface ProgressOptions {
  delayMs: number;
  intervalMs: number;
  /** Clock, for tests. */
  now?: () => number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

export class Progress {
  /** Unknown while the files are still being found. */
  private total: number | undefined;
  private done = 0;
  private readonly started: number;
  private lastDraw = -Infinity;
  private shown = false;
  private readonly now: () => number;

  constructor(
    private readonly out: Sink,
    private readonly o: ProgressOptions,
  ) {
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** The number of files, once discovery has found them all. */
  start(total: number): void {
    this.total = total;
  }

  /** The line as it is drawn (exported for tests). */
  line(): string {
    const secs = (this.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    if (this.total === undefined) return `nixshift: [${this.done}/?] ${Math.round(rate)} files/s (still finding files)`;
    const pct = this.total > 0 ? Math.floor((this.done / this.total) * 100) : 100;
    const eta = rate > 0 ? duration((this.total - this.done) / rate) : '?';
    const width = String(this.total).length;
    return `nixshift: [${String(this.done).padStart(width)}/${this.total}] ${String(pct).padStart(3)}%  ${Math.round(rate)} files/s  ETA ${eta}`;
  }

  tick(): void {
    this.done++;
    const t = this.now();
    if (t - this.started < this.o.delayMs) return;
    if (t - this.lastDraw < this.o.intervalMs && this.done !== this.total) return;
    this.lastDraw = t;
    this.out.write(`\r\x1b[K${this.line()}`);
    this.shown = true;
  }

  /** Erase the line (before other output, and at the end). */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
    this.lastDraw = -Infinity;
  }
}
