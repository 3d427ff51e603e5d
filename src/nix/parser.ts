/**
 * Parsing Nix with tree-sitter.
 *
 * The grammar is the one shipped (as C sources) by the npm package `tree-sitter-nix` 0.0.2,
 * compiled by our own N-API binding (native/binding.cc, binding.gyp). Two things it does not
 * know are handled here so that every offset still points into the user's original text:
 *
 * - trailing commas in formals (`{ lib, stdenv, }:`), the nixfmt style of current nixpkgs;
 * - nothing else is patched: every other error is a real syntax error and is reported.
 *
 * The trailing-comma fix works on a *shadow* copy of the source of the same length, where
 * each offending comma is replaced by a space, and re-parses it incrementally. Because the
 * shadow has the same length, node offsets of the shadow tree are offsets into the original.
 * Node text must therefore always be read from the original source (`nodeText()` in syntax.ts),
 * never from the shadow.
 */
import { PACKAGE_ROOT } from '../paths.js';
import { loadBinding } from './binding.js';
import { positionAt } from './position.js';
import { type Grammar, NixTree, SyntaxNode } from './tree.js';

export { NixTree, SyntaxNode };
export type Tree = NixTree;

/** Our native binding (native/binding.cc). */
export interface NativeBinding extends Grammar {
  /** The grammar as the tree-sitter Node binding takes it (the tests use it as an oracle). */
  language: unknown;
  parse(text: string, old: unknown, edits: Int32Array | null): [unknown, Int32Array];
  release(handle: unknown): void;
}

let cachedBinding: NativeBinding | undefined;
let fieldIds: Map<string, number> | undefined;
export function nativeBinding(): NativeBinding {
  if (cachedBinding) return cachedBinding;
  const binding = loadBinding() as unknown as NativeBinding;
  if (typeof binding.parse !== 'function') {
    throw new Error(`nixshift: the Nix grammar binding in ${PACKAGE_ROOT} is out of date. Run \`npm install\` (or \`npx node-gyp rebuild\`) there`);
  }
  fieldIds = new Map();
  binding.fieldNames.forEach((name, id) => {
    if (id > 0 && !fieldIds!.has(name)) fieldIds!.set(name, id);
  });
  cachedBinding = binding;
  return binding;
}

/** Parse `text` (reusing `old`, edited by `edits`, when given) into a flat tree. */
function parseTree(text: string, old?: NixTree, edits?: Int32Array): NixTree {
  const binding = nativeBinding();
  const [handle, data] = binding.parse(text, old?.handle ?? null, edits ?? null);
  return new NixTree(text, data, binding, fieldIds!, handle);
}

export interface SyntaxErrorInfo {
  /** Offset (UTF-16 code units) into the original source. */
  offset: number;
  line: number;
  column: number;
  message: string;
}

export interface ParsedFile {
  /** The original source, exactly as read. */
  source: string;
  tree: Tree;
  root: SyntaxNode;
  /** Offsets of trailing formals commas that were blanked in the shadow copy. */
  blankedCommas: number[];
  /**
   * Every offset blanked in the text the tree was parsed from (the trailing formals commas, and
   * maybe commas inside strings or comments, which change nothing): what `reparseNix` diffs.
   */
  shadowBlanks: number[];
  /** Present when the file has a real syntax error. */
  syntaxError?: SyntaxErrorInfo;
}

/**
 * A `,` followed only by blanks and comments up to a `}`: where a trailing formals comma may be.
 * A line comment runs to its newline and a block comment to its first `*\/`: neither may stop
 * short or run on (`{ a, # x }` and `{ a, /* x *\/ b }: { /* y *\/ }` have no trailing comma).
 */
const COMMA_BEFORE_BRACE = /,(?=(?:\s|#[^\n]*\n|\/\*(?:[^*]|\*(?!\/))*\*\/)*\})/g;

/** The last token before `offset` that is not a comment (skipping blanks), or undefined. */
function tokenBefore(root: SyntaxNode, source: string, offset: number): SyntaxNode | undefined {
  let i = offset - 1;
  for (;;) {
    while (i >= 0 && /\s/.test(source[i]!)) i--;
    if (i < 0) return undefined;
    const leaf = root.descendantForIndex(i, i + 1);
    if (leaf.type !== 'comment') return leaf;
    i = leaf.startIndex - 1;
  }
}

/**
 * Offsets of commas that end a formals list: `,` followed (after comments) by `}`, and preceded
 * by a formal (an identifier or a default value). A comma after `...` or `{` stays, because Nix
 * rejects those (`{ a, ..., }` is a syntax error in Nix too). Candidates come from a text scan;
 * the tree tells which of them are real comma tokens (not inside a string or a comment), so only
 * a handful of nodes are ever looked at, whatever the size of the file.
 */
function trailingFormalCommas(root: SyntaxNode, source: string): number[] {
  const out: number[] = [];
  for (const m of source.matchAll(COMMA_BEFORE_BRACE)) {
    const at = m.index;
    const leaf = root.descendantForIndex(at, at + 1);
    if (leaf.type !== ',' || leaf.startIndex !== at) continue;
    const before = tokenBefore(root, source, at);
    if (!before || ['...', '{', ',', 'ellipses'].includes(before.type)) continue;
    out.push(at);
  }
  return out;
}

function firstError(root: SyntaxNode): SyntaxNode | undefined {
  if (!root.hasError) return undefined;
  for (const node of root.descendants()) if (node.isError || node.isMissing) return node;
  return undefined;
}

/** The start of the first token at or after `from` (blanks and comments skipped), or the end. */
function nextToken(source: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (source[i] === '#') {
      const nl = source.indexOf('\n', i);
      i = nl < 0 ? source.length : nl + 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
    } else return Math.min(i, source.length);
  }
}

function describeError(source: string, node: SyntaxNode): string {
  if (node.isMissing) return `syntax error: missing ${JSON.stringify(node.type)}`;
  const bad = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 20));
  const first = bad.split(/\r?\n/)[0] ?? '';
  if (node.startIndex >= source.length || first.length === 0) return 'syntax error: unexpected end of input';
  return `syntax error: unexpected ${JSON.stringify(first)}`;
}

/**
 * A parsed file's tree-sitter tree lives in native memory, kept only for an incremental re-parse
 * (`reparseNix`); the flat tree the code reads is ordinary JavaScript memory. The runner frees the
 * native trees of a file as soon as it is done with it (`releaseParsed`). A tree that is never
 * released is freed when the garbage collector collects its handle: the handle tells V8 roughly
 * how much native memory it holds, so that happens in time.
 */
export function releaseParsed(p: ParsedFile): void {
  nativeBinding().release(p.tree.handle);
}

/**
 * Between files, the runners let the event loop turn now and then (after every few MB of parsed
 * text), so that the finalizers of collected tree handles run (Node-API runs them from the loop).
 * A promise to await when it is time; undefined otherwise.
 */
const RELEASE_EVERY_SOURCE_CHARS = 1 << 22;
let parsedSinceRelease = 0;
export function releaseTrees(force = false): Promise<void> | undefined {
  if (!force && parsedSinceRelease < RELEASE_EVERY_SOURCE_CHARS) return undefined;
  parsedSinceRelease = 0;
  return new Promise((resolve) => setImmediate(resolve));
}

function blank(source: string, offsets: readonly number[]): string {
  let shadow = '';
  let from = 0;
  for (const off of offsets) {
    shadow += source.slice(from, off) + ' ';
    from = off + 1;
  }
  return shadow + source.slice(from);
}

/** Commas that stand before a `}` (after blanks and comments): where a trailing formals comma may be. */
function commaCandidates(source: string): number[] {
  const out: number[] = [];
  for (const m of source.matchAll(COMMA_BEFORE_BRACE)) out.push(m.index);
  return out;
}

/**
 * Which candidates of a tree parsed with every candidate blanked were trailing commas of formals,
 * or undefined when one of them was something else (say `{ a = 1, }`, an error in Nix): then the
 * careful way must be taken. A blank inside a string or a comment is harmless (the tree is the
 * same), so it is not reported but does not spoil the tree either.
 */
function checkBlanks(root: SyntaxNode, source: string, candidates: readonly number[]): number[] | undefined {
  const ok: number[] = [];
  for (const at of candidates) {
    const node = root.descendantForIndex(at, at + 1);
    if (node.type === 'formals' && node.startIndex < at && at < node.endIndex) {
      const before = tokenBefore(root, source, at);
      if (!before || ['...', '{', ',', 'ellipses'].includes(before.type)) return undefined;
      ok.push(at);
    } else if (!/string|comment|fragment/.test(node.type)) {
      return undefined;
    }
  }
  return ok;
}


function finish(source: string, tree: Tree, blanked: number[], shadowBlanks: number[]): ParsedFile {
  const root = tree.rootNode;
  const result: ParsedFile = { source, tree, root, blankedCommas: blanked, shadowBlanks };
  const err = firstError(root);
  if (err) {
    // a missing token is placed where Nix places it: at the token it did not expect (at the end
    // of the input, right after the last token)
    const next = err.isMissing ? nextToken(source, err.startIndex) : err.startIndex;
    const offset = next >= source.length ? err.startIndex : next;
    const pos = positionAt(source, offset);
    result.syntaxError = { offset, line: pos.line, column: pos.column, message: describeError(source, err) };
  }
  return result;
}

/**
 * Parse a Nix source. Never throws on bad input: a syntax error is returned as `syntaxError`
 * (with a position in the original text).
 */
export function parseNix(source: string): ParsedFile {
  parsedSinceRelease += source.length;
  // Optimistic single parse: blank every comma that stands before a `}` (after blanks and
  // comments) and check the blanks in the resulting tree (`checkBlanks`). nixfmt files are
  // parsed once, not twice.
  const candidates = commaCandidates(source);
  if (candidates.length > 0) {
    const optimistic = parseTree(blank(source, candidates));
    const ok = checkBlanks(optimistic.rootNode, source, candidates);
    // A tree with an error: maybe a blank made it (the careful way tells), maybe a real one.
    if (ok && !optimistic.rootNode.hasError) return finish(source, optimistic, ok, candidates);
  }
  let tree = parseTree(source);
  let blanked: number[] = [];
  if (tree.rootNode.hasError) {
    blanked = trailingFormalCommas(tree.rootNode, source);
    if (blanked.length > 0) tree = parseTree(blank(source, blanked));
  }
  return finish(source, tree, blanked, blanked);
}

/** Row and column (UTF-16 units, as the Node binding counts them) of offsets, in increasing order. */
class Points {
  private row = 0;
  private lineStart = 0;
  private at = 0;
  constructor(private readonly text: string) {}
  /** The point of `offset`; offsets must not decrease from call to call. */
  point(offset: number): { row: number; column: number } {
    for (let i = this.text.indexOf('\n', this.at); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) {
      this.row++;
      this.lineStart = i + 1;
    }
    this.at = Math.max(this.at, offset);
    return { row: this.row, column: offset - this.lineStart };
  }
}

/** The point reached from `start` after the text `inserted`. */
function advance(start: { row: number; column: number }, inserted: string): { row: number; column: number } {
  const last = inserted.lastIndexOf('\n');
  if (last === -1) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - last - 1 };
}

/**
 * Parse `next`, the text `previous.source` becomes with `edits` (sorted, not overlapping, in
 * `previous.source` offsets, their text exactly as inserted), reusing the previous tree: tree-sitter
 * re-parses only around the edits, so a rewrite of a few lines of `all-packages.nix` costs
 * milliseconds, not a full parse. The result is the tree a full `parseNix(next)` gives (tree-sitter
 * guarantees it; test/unit/nix/parser-incremental.test.ts checks it on every fixture and on generated
 * edits). `previous` must not be used afterwards: its tree is edited in place.
 */
export function reparseNix(previous: ParsedFile, edits: readonly { start: number; end: number; text: string }[], next: string): ParsedFile {
  const old = previous.source;
  if (edits.length === 0 && next === old) return previous;
  // Changed ranges: edits that touch are merged (two insertions at one offset, an insertion
  // at the start of a replaced range). In old offsets, with the inserted text.
  const ranges: { start: number; end: number; text: string }[] = [];
  let delta = 0;
  for (const e of edits) {
    const last = ranges[ranges.length - 1];
    if (last && e.start <= last.end) {
      last.text += old.slice(last.end, e.start) + e.text;
      last.end = Math.max(last.end, e.end);
    } else {
      ranges.push({ start: e.start, end: e.end, text: e.text });
    }
  }
  for (const r of ranges) delta += r.text.length - (r.end - r.start);
  if (old.length + delta !== next.length) throw new RangeError('reparseNix: the edits do not turn the previous source into the new one');
  // The shadow of the new text blanks every candidate; outside the edited ranges a character of
  // the new shadow differs from the old shadow only where one of them blanks a comma.
  const candidates = commaCandidates(next);
  const toNew = (offset: number): number | undefined => {
    let shift = 0;
    for (const r of ranges) {
      if (offset < r.start) break;
      if (offset < r.end) return undefined;
      shift += r.text.length - (r.end - r.start);
    }
    return offset + shift;
  };
  const oldBlanks = new Set<number>();
  for (const b of previous.shadowBlanks) {
    const at = toNew(b);
    if (at !== undefined) oldBlanks.add(at);
  }
  const insertedAt = (offsetInNew: number): boolean => {
    let shift = 0;
    for (const r of ranges) {
      const s = r.start + shift;
      if (offsetInNew < s) return false;
      if (offsetInNew < s + r.text.length) return true;
      shift += r.text.length - (r.end - r.start);
    }
    return false;
  };
  const toOld = (offsetInNew: number): number => {
    let shift = 0;
    for (const r of ranges) {
      if (offsetInNew < r.start + shift + r.text.length) break;
      shift += r.text.length - (r.end - r.start);
    }
    return offsetInNew - shift;
  };
  const changes = ranges.map((r) => ({ start: r.start, end: r.end, text: r.text }));
  const newSet = new Set(candidates);
  for (const at of candidates) if (!oldBlanks.has(at) && !insertedAt(at)) changes.push({ start: toOld(at), end: toOld(at) + 1, text: ' ' });
  for (const at of oldBlanks) if (!newSet.has(at)) changes.push({ start: toOld(at), end: toOld(at) + 1, text: ',' });
  changes.sort((a, b) => a.start - b.start);

  const tree = previous.tree;
  const points = new Points(old);
  const withPoints = changes.map((c) => {
    const startPosition = points.point(c.start);
    return { c, startPosition, oldEndPosition: points.point(c.end) };
  });
  // Last first: an edit does not move the offsets before it, so each one is in the coordinates
  // of the tree as the later edits left it.
  const packed = new Int32Array(withPoints.length * 9);
  for (let i = withPoints.length - 1, k = 0; i >= 0; i--, k += 9) {
    const { c, startPosition, oldEndPosition } = withPoints[i]!;
    const newEnd = advance(startPosition, c.text);
    packed.set([c.start, c.end, c.start + c.text.length, startPosition.row, startPosition.column, oldEndPosition.row, oldEndPosition.column, newEnd.row, newEnd.column], k);
  }
  parsedSinceRelease += next.length;
  let reparsed: NixTree;
  try {
    reparsed = parseTree(blank(next, candidates), tree, packed);
  } catch {
    // The previous tree was released (`releaseParsed`): parse from scratch.
    return parseNix(next);
  }
  const ok = checkBlanks(reparsed.rootNode, next, candidates);
  // The careful way, as parseNix takes it (an error tree is rare: the text a transform makes is
  // checked, and refused when it does not parse).
  if (!ok || reparsed.rootNode.hasError) return parseNix(next);
  return finish(next, reparsed, ok, candidates);
}
