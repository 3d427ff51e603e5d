/**
 * Why a file is an `error` (or a `skip` with a reason), as data: one kind per case, each with a
 * title, the help a user needs, and the exit code it leads to. The message of a result stays the
 * full sentence (with the transform, the place and what to do); the kind lets `--json` readers
 * and CI tell a timeout from a syntax error from a refused output without parsing it.
 */

export type ErrorKind =
  // reading the file
  | 'unreadable'
  | 'binary'
  | 'not-utf8'
  | 'too-large'
  | 'too-deep'
  | 'suppressed'
  | 'syntax'
  // a transform
  | 'transform-threw'
  | 'timeout'
  | 'overlapping-edits'
  | 'invalid-output'
  | 'duplicate-attribute'
  | 'unbound-name'
  // after the chain
  | 'formatter-failed'
  | 'verify-failed'
  | 'write-refused'
  | 'write-failed'
  // the runner
  | 'worker-lost'
  | 'interrupted'
  | 'internal';

export interface ErrorKindInfo {
  /** A few words, for tables and annotations. */
  title: string;
  /** What the user can do about it. */
  help: string;
  /** The exit code a file of this kind leads to (0: a skip, which is no failure). */
  exitCode: 0 | 2;
}

export const ERROR_KINDS: Readonly<Record<ErrorKind, ErrorKindInfo>> = {
  unreadable: { title: 'cannot read the file', help: 'check that it exists, is a regular file and is readable', exitCode: 2 },
  binary: { title: 'binary file', help: 'a Nix expression never contains a NUL byte; exclude the file', exitCode: 2 },
  'not-utf8': { title: 'not UTF-8', help: 'nixshift does not re-encode files; convert it to UTF-8 or exclude it', exitCode: 2 },
  'too-large': { title: 'over the size limit', help: 'raise --max-file-size to process it', exitCode: 0 },
  'too-deep': { title: 'nested too deeply', help: 'generated or malformed input; the file is left as it is', exitCode: 0 },
  suppressed: { title: 'suppressed for the whole file', help: 'a nixshift-ignore comment at the top covers every transform of the run', exitCode: 0 },
  syntax: { title: 'syntax error', help: 'fix the file (nix-instantiate --parse shows the same error); the run goes on without it', exitCode: 2 },
  'transform-threw': { title: 'transform threw', help: 'a bug in the transform: report it with the file', exitCode: 2 },
  timeout: { title: 'time limit', help: 'a transform stuck in a loop, or a huge file: --timeout changes the limit', exitCode: 2 },
  'overlapping-edits': { title: 'overlapping edits', help: 'a bug in the transform: its output was refused and the file left unchanged', exitCode: 2 },
  'invalid-output': { title: 'output does not parse', help: 'a bug in the transform: its output was refused and the file left unchanged', exitCode: 2 },
  'duplicate-attribute': { title: 'attribute defined twice', help: 'a bug in the transform: its output was refused and the file left unchanged', exitCode: 2 },
  'unbound-name': { title: 'undefined variable', help: 'a bug in the transform: its output was refused and the file left unchanged', exitCode: 2 },
  'formatter-failed': { title: 'formatter failed', help: 'the --formatter command must read Nix on stdin and print it on stdout', exitCode: 2 },
  'verify-failed': { title: 'verification failed', help: 'the new text was refused by --verify and the file left unchanged', exitCode: 2 },
  'write-refused': { title: 'not written', help: 'the file is outside what the run may write (a symbolic link out of the tree, a file changed meanwhile)', exitCode: 2 },
  'write-failed': { title: 'write failed', help: 'the original is intact; free space or fix permissions and run again', exitCode: 2 },
  'worker-lost': { title: 'worker lost', help: 'a transform crashed its thread (or called process.exit); the file is left unchanged', exitCode: 2 },
  interrupted: { title: 'interrupted', help: 'the run was stopped while this file was processed; it is left unchanged', exitCode: 2 },
  internal: { title: 'internal error', help: 'a bug in nixshift: report it with the file', exitCode: 2 },
};

/** An error (or a skip's reason) of one file: its kind, and the full message. */
export interface FileError {
  kind: ErrorKind;
  message: string;
}

/** The fields of a result for an error of this kind. */
export function failure(kind: ErrorKind, message: string): { status: 'error'; errorKind: ErrorKind; error: string } {
  return { status: 'error', errorKind: kind, error: message };
}

/** The fields of a skip that has a reason of this kind. */
export function skipped(kind: ErrorKind, message: string): { status: 'skip'; errorKind: ErrorKind; error: string } {
  return { status: 'skip', errorKind: kind, error: message };
}
