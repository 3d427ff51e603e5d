import { sep } from 'node:path';

/** A path with POSIX separators (as git, gitignore globs and the reports write them). */
export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
