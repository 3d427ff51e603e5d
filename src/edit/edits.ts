/**
 * The text-edit model: a transform produces edits (a range of the original source and its
 * replacement); they are applied in one pass, so every byte outside an edited range stays as it
 * was (comments, CRLF, BOM, trailing newline).
 *
 * Offsets are UTF-16 code units into the original source string (what tree-sitter reports for
 * string input and what `String.prototype.slice` uses).
 */

export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Who asked for it (a transform name, a helper); used in error messages. */
  origin?: string;
}

export class OverlappingEditsError extends Error {
  constructor(
    readonly first: TextEdit,
    readonly second: TextEdit,
  ) {
    super(
      `overlapping edits: [${first.start},${first.end})${first.origin ? ` from ${first.origin}` : ''} and [${second.start},${second.end})${second.origin ? ` from ${second.origin}` : ''}`,
    );
    this.name = 'OverlappingEditsError';
  }
}

export type Eol = '\n' | '\r\n';

/** The line ending a file mostly uses ('\n' when it has none). */
export function detectEol(source: string): Eol {
  let crlf = 0;
  let lf = 0;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) {
    if (i > 0 && source.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** Rewrite the line endings of inserted text to the file's. */
export function withEol(text: string, eol: Eol): string {
  return eol === '\n' ? text.replace(/\r\n/g, '\n') : text.replace(/\r?\n/g, '\r\n');
}

/**
 * Sort edits, drop exact duplicates, and throw OverlappingEditsError when two of them touch the
 * same characters. Several insertions at one offset are kept in the order they were made; an
 * insertion at the start or end of a replaced range is not an overlap. A replacement that lies
 * wholly inside a removed range (an edit with empty text) is moot, the text it rewrites being
 * gone, and is dropped: renaming a name inside a formal's default while the formal is removed is
 * not a conflict. An insertion strictly inside a removed range still is (what it adds would be
 * lost).
 */
export function normalizeEdits(edits: readonly TextEdit[]): TextEdit[] {
  const rank = (e: TextEdit): number => (e.start === e.end ? 0 : 1);
  const indexed = edits.map((e, i) => ({ e, i }));
  indexed.sort((a, b) => a.e.start - b.e.start || rank(a.e) - rank(b.e) || a.i - b.i);
  const out: TextEdit[] = [];
  let cover: TextEdit | undefined; // the non-empty edit reaching furthest so far
  for (const { e } of indexed) {
    if (e.start > e.end || e.start < 0) throw new RangeError(`invalid edit range [${e.start},${e.end})`);
    const prev = out[out.length - 1];
    if (prev && rank(e) === 1 && prev.start === e.start && prev.end === e.end && prev.text === e.text) continue; // duplicate
    if (cover && rank(e) === 1 && cover.text === '' && e.start >= cover.start && e.end <= cover.end) continue; // moot
    if (cover && e.start < cover.end) throw new OverlappingEditsError(cover, e);
    if (rank(e) === 1 && (!cover || e.end > cover.end)) cover = e;
    out.push(e);
  }
  return out;
}

/** Apply edits to the source. Replacement text gets the file's line endings. */
export function applyEdits(source: string, edits: readonly TextEdit[], eol: Eol = detectEol(source)): string {
  const sorted = normalizeEdits(edits);
  if (sorted.length === 0) return source;
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.end > source.length) throw new RangeError(`edit [${e.start},${e.end}) is past the end of the source (${source.length})`);
    out += source.slice(pos, e.start) + withEol(e.text, eol);
    pos = e.end;
  }
  return out + source.slice(pos);
}
