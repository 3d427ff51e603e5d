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
import v8 from 'node:v8';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type ParserT from 'tree-sitter';
import type { SyntaxNode, Tree } from 'tree-sitter';
import { PACKAGE_ROOT } from '../paths.js';
import { positionAt } from './position.js';

export type { SyntaxNode, Tree };

const require = createRequire(import.meta.url);

let cachedLanguage: unknown;
function language(): unknown {
  if (cachedLanguage) return cachedLanguage;
  const root = PACKAGE_ROOT;
  const candidates = [
    join(root, 'build', 'Release', 'nixshift_tree_sitter_nix.node'),
    join(root, 'build', 'Debug', 'nixshift_tree_sitter_nix.node'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      'nixshift: the Nix grammar binding is not built (build/Release/nixshift_tree_sitter_nix.node). Run `npm install` (or `npx node-gyp rebuild`) in ' +
        root,
    );
  }
  cachedLanguage = require(found);
  return cachedLanguage;
}

let cachedParser: ParserT | undefined;
/** One parser per thread (tree-sitter parsers are not thread-safe, but each worker has its own). */
export function parser(): ParserT {
  if (cachedParser) return cachedParser;
  const Parser = require('tree-sitter') as typeof ParserT;
  const p = new Parser();
  p.setLanguage(language() as Parameters<ParserT['setLanguage']>[0]);
  cachedParser = p;
  return p;
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
  /** Present when the file has a real syntax error. */
  syntaxError?: SyntaxErrorInfo;
}

/** A `,` followed only by blanks and comments up to a `}`: where a trailing formals comma may be. */
const COMMA_BEFORE_BRACE = /,(?=(?:\s|#[^\n]*|\/\*[\s\S]*?\*\/)*\})/g;

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
  const cursor = root.walk();
  for (;;) {
    const node = cursor.currentNode;
    if (node.type === 'ERROR' || node.isMissing) return node;
    if (node.hasError && cursor.gotoFirstChild()) continue;
    // Move to the next sibling, or up and then next.
    for (;;) {
      if (cursor.gotoNextSibling()) break;
      if (!cursor.gotoParent()) return undefined;
    }
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
 * tree-sitter's trees live in native memory that V8 does not see. A tree is freed only when the
 * garbage collector has collected its JavaScript wrapper AND the event loop has turned (Node-API
 * runs such finalizers from the loop, not during the collection). A loop that parses file after
 * file without returning to the event loop, or with a heap too small to ever need a collection,
 * keeps every tree: about 25 bytes of native memory per byte of source, gigabytes over nixpkgs
 * with --no-prefilter. So the runners call `releaseTrees()` between files: after every few MB of
 * parsed text it forces a full collection and yields one turn of the event loop.
 */
const RELEASE_EVERY_SOURCE_CHARS = 1 << 20;
let parsedSinceRelease = 0;
let collect: (() => void) | null | undefined;

/** A promise to await between files when trees should be released now; undefined otherwise. */
export function releaseTrees(force = false): Promise<void> | undefined {
  if (!force && parsedSinceRelease < RELEASE_EVERY_SOURCE_CHARS) return undefined;
  parsedSinceRelease = 0;
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Parse a Nix source. Never throws on bad input: a syntax error is returned as `syntaxError`
 * (with a position in the original text).
 */
export function parseNix(source: string): ParsedFile {
  parsedSinceRelease += source.length;
  const p = parser();
  const blank = (offsets: number[]): string => {
    let shadow = '';
    let from = 0;
    for (const off of offsets) {
      shadow += source.slice(from, off) + ' ';
      from = off + 1;
    }
    return shadow + source.slice(from);
  };
  // Optimistic single parse: blank every comma that stands before a `}` (after blanks and
  // comments) and check the blanks in the resulting tree. Each must have been a trailing comma
  // of formals (its offset now lies in a `formals` node, after a formal) or a comma inside a
  // string or comment (harmless: the tree is the same). Anything else (say `{ a = 1, }`, an
  // error in Nix) and we parse again the careful way. nixfmt files are parsed once, not twice.
  const candidates: number[] = [];
  for (const m of source.matchAll(COMMA_BEFORE_BRACE)) candidates.push(m.index);
  let tree: Tree | undefined;
  let blanked: number[] = [];
  if (candidates.length > 0) {
    const optimistic = p.parse(blank(candidates));
    const root = optimistic.rootNode;
    const ok: number[] = [];
    let sound = true;
    for (const at of candidates) {
      const node = root.descendantForIndex(at, at + 1);
      if (node.type === 'formals' && node.startIndex < at && at < node.endIndex) {
        const before = tokenBefore(root, source, at);
        if (!before || ['...', '{', ',', 'ellipses'].includes(before.type)) {
          sound = false;
          break;
        }
        ok.push(at);
      } else if (!/string|comment|fragment/.test(node.type)) {
        sound = false;
        break;
      }
    }
    if (sound) {
      tree = ok.length === candidates.length ? optimistic : p.parse(blank(ok));
      blanked = ok;
    }
  }
  if (!tree) {
    tree = p.parse(source);
    if (tree.rootNode.hasError) {
      blanked = trailingFormalCommas(tree.rootNode, source);
      if (blanked.length > 0) tree = p.parse(blank(blanked));
    }
  }
  const root = tree.rootNode;
  const result: ParsedFile = { source, tree, root, blankedCommas: blanked };
  const err = firstError(root);
  if (err) {
    const pos = positionAt(source, err.startIndex);
    result.syntaxError = { offset: err.startIndex, line: pos.line, column: pos.column, message: describeError(source, err) };
  }
  return result;
}
