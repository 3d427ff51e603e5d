/**
 * A request to stop a run, from a signal. The first request stops it gracefully: no new file is
 * started, the files being processed are finished (a write is never cut in half), and the run
 * returns with `interrupted` set. A second request stops it at once: worker threads are
 * terminated and the temporary files of the writes they were doing are removed (the originals
 * are untouched: a file is replaced only by the final rename).
 */
export class Interrupt {
  reason: string | undefined;
  forced = false;
  private readonly listeners = new Set<() => void>();
  request(reason: string): void {
    if (this.reason !== undefined) this.forced = true;
    else this.reason = reason;
    for (const l of [...this.listeners]) l();
  }
  get requested(): boolean {
    return this.reason !== undefined;
  }
  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
