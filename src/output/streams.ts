/**
 * The streams a printer writes to. Output that is not going to a terminal is written in chunks
 * of 64 KiB, not a write per file (a run over nixpkgs prints 50,000 JSON entries). Anything on
 * stderr first flushes stdout, so the two keep their relative order; any output first erases the
 * progress line.
 */
import { relative, resolve } from 'node:path';
import type { Sink } from '../model/sink.js';
import { toPosix } from '../util/posix.js';
import { Progress } from './progress.js';
import type { FileResult, RunSummary } from '../model/result.js';
import type { Printer, PrinterOptions, RunEnd } from './printer.js';

export class Streams {
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly progress?: Progress;
  private pending = '';

  constructor(private readonly o: PrinterOptions) {
    if (o.progress) this.progress = new Progress(o.stderr, o.progress);
    const interactive = (o.stdout as { isTTY?: boolean }).isTTY === true;
    this.stdout = {
      write: (t: string) => {
        this.progress?.clear();
        if (interactive) {
          o.stdout.write(t);
          return;
        }
        this.pending += t;
        if (this.pending.length >= 1 << 16) this.flush();
      },
    };
    this.stderr = {
      write: (t: string) => {
        this.progress?.clear();
        this.flush();
        o.stderr.write(t);
      },
    };
  }

  /** Write what stdout holds. */
  flush(): void {
    if (this.pending === '') return;
    const t = this.pending;
    this.pending = '';
    this.o.stdout.write(t);
  }

  /** Unbuffered stdout. */
  get out(): Sink {
    return {
      write: (t: string) => {
        this.progress?.clear();
        this.flush();
        this.o.stdout.write(t);
      },
    };
  }
}

/** What every printer does the same way: the streams, the progress line, stdout unbuffered or flushed. */
export abstract class StreamPrinter implements Printer {
  protected readonly streams: Streams;

  constructor(protected readonly o: PrinterOptions) {
    this.streams = new Streams(o);
  }

  abstract start(): void;
  abstract file(r: FileResult): void;
  abstract end(summary: RunSummary, extra: RunEnd): void;

  total(n: number): void {
    this.streams.progress?.start(n);
  }

  get out(): Sink {
    return this.streams.out;
  }

  /** A display path (relative to the current folder) as a path from the repository root (github, sarif). */
  protected repoPath(display: string): string {
    const cwd = this.o.cwd ?? process.cwd();
    return toPosix(relative(this.o.root ?? cwd, resolve(cwd, display)));
  }

  flush(): void {
    this.streams.flush();
  }
}
