import { floorIndex } from '../util/search.js';

/** Line/column computations on the original source. Lines and columns are 1-based; columns
 * count Unicode code points (as editors and `nix-instantiate` do for ASCII text). */
export interface Position {
  line: number;
  column: number;
}

/** Line starts of the last source asked about: findings of one file come in a row. */
let indexed: { source: string; starts: number[] } | undefined;

function lineStarts(source: string): number[] {
  if (indexed?.source === source) return indexed.starts;
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  indexed = { source, starts };
  return starts;
}

export function positionAt(source: string, offset: number): Position {
  // Small sources: a scan is cheaper than an index. Large ones (all-packages.nix and its
  // hundreds of findings): a binary search in the line starts.
  let line = 1;
  let lineStart = 0;
  if (source.length > 16384) {
    const starts = lineStarts(source);
    const at = floorIndex(starts, offset);
    line = at + 1;
    lineStart = starts[at]!;
  } else {
    for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset && i < source.length; i++) {
    const c = source.charCodeAt(i);
    // count a surrogate pair once
    if (c >= 0xdc00 && c <= 0xdfff && i > lineStart) {
      const prev = source.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    if (c === 0xfeff && i === 0) continue; // a BOM is not a column
    column++;
  }
  return { line, column };
}

/** Start offset of the line containing `offset`. */
export function lineStartOf(source: string, offset: number): number {
  const i = source.lastIndexOf('\n', offset - 1);
  return i === -1 ? 0 : i + 1;
}

/** The leading whitespace of the line containing `offset`. */
export function indentOfLine(source: string, offset: number): string {
  const start = lineStartOf(source, offset);
  let end = start;
  while (end < source.length && (source[end] === ' ' || source[end] === '\t')) end++;
  // a BOM at the very start is not indentation
  return source.slice(start, end);
}
