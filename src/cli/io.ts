/**
 * What every command shares: the process's streams and environment as data (`Io`), the exit
 * codes, and the error of a bad command line (printed as `nixshift: <message>`, exit 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '../model/sink.js';
import { PACKAGE_ROOT } from '../runner/load.js';

export interface Io {
  stdout: Sink & { isTTY?: boolean };
  stderr: Sink & { isTTY?: boolean };
  /** Reads all of standard input (for --stdin). */
  readStdin: () => Promise<string>;
  /** Asks a question on the terminal (for --interactive); undefined at end of input. */
  prompt?: (question: string) => Promise<string | undefined>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Subscribes to SIGINT/SIGTERM for the time of a run (bin/nixshift.js wires it to the process);
   * returns the unsubscribe function. Without it a run cannot be interrupted gracefully.
   */
  onSignal?: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
}

export const EXIT_OK = 0;
export const EXIT_CHANGES = 1;
export const EXIT_ERROR = 2;
/** An interrupted run: 128 + the signal number, as a shell reports it. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** A bad command line: `nixshift: <message>`, exit 2. */
export class UsageError extends Error {}

export function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
