/**
 * Unified diffs in the format `git apply` and `patch -p1` accept: `--- a/path`, `+++ b/path`,
 * three lines of context, `\ No newline at end of file` where it applies. CR characters of CRLF
 * files stay on their lines, so the patch reproduces the file byte for byte.
 */
// The one module needed, not the package's index (which loads all 19 of its modules at start-up).
import { structuredPatch } from 'diff/lib/patch/create.js';

export function unifiedDiff(displayPath: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  // an absolute path (outside the current folder) is written relative to / so `-p1` still works
  const path = displayPath.replace(/^\/+/, '');
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before, after, '', '', { context });
  let out = `--- a/${path}\n+++ b/${path}\n`;
  for (const h of patch.hunks) {
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out += `@@ -${oldStart}${h.oldLines === 1 ? '' : `,${h.oldLines}`} +${newStart}${h.newLines === 1 ? '' : `,${h.newLines}`} @@\n`;
    for (const line of h.lines) out += `${line}\n`;
  }
  return out;
}

const RESET = '\x1b[0m';
const colours: Record<string, string> = { '+': '\x1b[32m', '-': '\x1b[31m', '@': '\x1b[36m', '\\': '\x1b[2m' };

/** Colour a unified diff for a terminal (headers bold, hunks cyan, -/+ red/green). */
export function colourDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('--- ') || line.startsWith('+++ ')) return `\x1b[1m${line}${RESET}`;
      const c = colours[line[0] ?? ''];
      return c && line.length > 0 ? `${c}${line}${RESET}` : line;
    })
    .join('\n');
}
