/**
 * --interactive: each changed file's diff is shown and the user answers
 * [y]es / [n]o / [a]ll / [q]uit; only accepted files are written (atomically, and only if the
 * file still has the text that was transformed). Results arrive in path order while the run is
 * still going, so the first question comes as soon as the first file is done.
 */
import { failure } from './model/errors.js';
import { colourDiff } from './diff/unified.js';
import type { Printer } from './output/printer.js';
import { writeError, type FileResult } from './runner/job.js';
import { writeFileAtomic } from './runner/files.js';

export interface PromptIo {
  /** Ask a question; resolves to the answer line, or undefined at end of input. */
  prompt?: (question: string) => Promise<string | undefined>;
}

export const QUESTION_HELP = 'y - write this file\nn - do not write this file\na - write this file and all later ones\nq - quit; do not write this file or any later one\n';

export class InteractiveSession {
  private readonly queue: FileResult[] = [];
  private readonly decided: FileResult[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private all = false;
  private quit = false;
  private accepted = 0;
  private declined = 0;
  private notAsked = 0;
  private readonly loop: Promise<void>;

  constructor(
    private readonly io: PromptIo,
    private readonly printer: Printer,
    private readonly colour: boolean,
  ) {
    this.loop = this.consume();
  }

  push(r: FileResult): void {
    this.queue.push(r);
    this.wake?.();
  }

  /** The run is over: answer the remaining files, then return every result in order. */
  async finish(): Promise<FileResult[]> {
    this.done = true;
    this.wake?.();
    await this.loop;
    return this.decided;
  }

  summaryLine(): string {
    return `nixshift: --interactive: ${this.accepted} accepted, ${this.declined} declined${this.notAsked > 0 ? `, ${this.notAsked} not asked (quit)` : ''}\n`;
  }

  private async next(): Promise<FileResult | undefined> {
    while (this.queue.length === 0 && !this.done) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    return this.queue.shift();
  }

  private async ask(path: string): Promise<'y' | 'n' | 'a' | 'q'> {
    for (;;) {
      this.printer.flush();
      const answer = await this.io.prompt!(`Write ${path}? [y]es / [n]o / [a]ll / [q]uit: `);
      if (answer === undefined) return 'q'; // end of input
      const a = answer.trim().toLowerCase();
      if (a === 'y' || a === 'yes') return 'y';
      if (a === 'n' || a === 'no') return 'n';
      if (a === 'a' || a === 'all') return 'a';
      if (a === 'q' || a === 'quit') return 'q';
      this.printer.out.write(QUESTION_HELP);
    }
  }

  private async consume(): Promise<void> {
    for (;;) {
      const r = await this.next();
      if (!r) return;
      let shown = false;
      if (r.status === 'ok' && r.output !== undefined) {
        if (this.quit) {
          this.notAsked++;
        } else {
          let answer: 'y' | 'n' | 'a' | 'q' = 'y';
          if (!this.all) {
            if (r.diff) this.printer.out.write(this.colour ? colourDiff(r.diff) : r.diff);
            // the findings with the diff, before the question (not after the answer)
            if (r.findings.length > 0) {
              this.printer.file({ ...r, status: 'nochange', error: undefined, written: false });
              shown = true;
            }
            answer = await this.ask(r.path);
          }
          if (answer === 'a') this.all = true;
          if (answer === 'q') {
            this.quit = true;
            this.notAsked++;
          } else if (answer === 'n') {
            this.declined++;
          } else {
            this.accepted++;
            try {
              await writeFileAtomic(r.absolute!, r.output, { expected: r.original });
              r.written = true;
            } catch (err) {
              Object.assign(r, failure('write-failed', writeError(err)));
            }
          }
        }
      }
      this.decided.push(r);
      this.printer.file(shown ? { ...r, findings: [] } : r); // findings (unless shown with the diff), errors, the path when written
    }
  }
}
