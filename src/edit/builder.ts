/**
 * The edit builder a transform gets as `api.edit`: raw edits (replace / insert / remove) plus
 * structural helpers that insert or remove formals, list elements and bindings in the style of
 * the surrounding code (indentation, one-per-line vs inline, leading- vs trailing-comma
 * formals). New multi-line code follows nixfmt (RFC 166): two-space indentation, one list
 * element per line once a list has two or more, trailing commas in multi-line formals.
 */
import type { SyntaxNode } from '../nix/tree.js';
import { applyEdits, detectEol, type Eol, normalizeEdits, type TextEdit } from './edits.js';
import { indentOfLine, lineStartOf } from '../nix/position.js';
import { bindingSet, type Formal, type FunctionInfo, listElements } from '../nix/syntax.js';
import { parseSuppressionComment, SUPPRESSION_MARKER } from '../nix/suppressions.js';

export interface Range {
  startIndex: number;
  endIndex: number;
}

export interface FileStyle {
  eol: Eol;
  /** One level of indentation. */
  indent: string;
  /** The file looks nixfmt-formatted (trailing commas in formals): new lists of 2+ elements are expanded. */
  nixfmt: boolean;
}

export function detectStyle(source: string, hasTrailingFormalCommas: boolean): FileStyle {
  const tabs = /^\t+\S/m.test(source);
  return { eol: detectEol(source), indent: tabs ? '\t' : '  ', nixfmt: hasTrailingFormalCommas };
}

/** Inline lists wider than this (the whole line) are written one element per line, as nixfmt would. */
export const MAX_INLINE_WIDTH = 100;

function isBlank(s: string): boolean {
  return /^[ \t]*$/.test(s);
}

export class EditBuilder {
  private readonly list: TextEdit[] = [];

  constructor(
    readonly source: string,
    readonly style: FileStyle,
    private readonly origin?: string,
  ) {}

  /** Names of `inherit` statements turned into bindings, per inherit (see `inheritAsBinding`). */
  private readonly inheritRewrites = new Map<number, { inherit: SyntaxNode; count: number; rewrites: { attr: SyntaxNode; binding: string }[] }>();

  /** The edits made so far (in creation order). */
  edits(): readonly TextEdit[] {
    this.flush();
    return this.list;
  }

  /**
   * Turn the name `attr` of `inherit … attr …;` into the binding `binding` (`attr = …;`). Decided
   * per inherit when the edits are taken: when every name of it goes, the whole inherit is
   * replaced by the bindings (never an empty `inherit ;`, which Nix rejects); otherwise the names
   * are removed from it and the bindings follow it.
   */
  inheritAsBinding(inherit: SyntaxNode, attr: SyntaxNode, binding: string): this {
    let entry = this.inheritRewrites.get(inherit.startIndex);
    if (!entry) {
      const count = inherit.childForFieldName('attrs')?.namedChildren.filter((a) => a.type !== 'comment').length ?? 0;
      this.inheritRewrites.set(inherit.startIndex, (entry = { inherit, count, rewrites: [] }));
    }
    if (!entry.rewrites.some((r) => r.attr.startIndex === attr.startIndex)) entry.rewrites.push({ attr, binding });
    return this;
  }

  private flush(): void {
    this.flushInherits();
    this.flushFormals();
  }

  private flushInherits(): void {
    for (const { inherit, count, rewrites } of this.inheritRewrites.values()) {
      const alone = this.aloneOnLine(inherit.startIndex, inherit.endIndex);
      const indent = alone ? /^[ \t]*/.exec(this.source.slice(lineStartOf(this.source, inherit.startIndex)))![0] : '';
      const sep = alone ? `\n${indent}` : ' ';
      const bindings = rewrites.sort((a, b) => a.attr.startIndex - b.attr.startIndex).map((r) => r.binding);
      if (rewrites.length >= count) {
        this.replace(inherit, bindings.join(sep));
      } else {
        for (const r of rewrites) this.removeRange(r.attr.startIndex, r.attr.endIndex);
        this.insertAfter(inherit, bindings.map((b) => sep + b).join(''));
      }
    }
    this.inheritRewrites.clear();
  }

  /** True when no edit has been made. */
  get empty(): boolean {
    return this.list.length === 0 && this.formalRemovals.size === 0 && this.inheritRewrites.size === 0;
  }

  /** Check the edits made so far for overlaps (throws OverlappingEditsError). */
  validate(): void {
    this.flush();
    normalizeEdits(this.list);
  }

  replace(range: Range, text: string): this {
    // two removals that share characters (the blanks between neighbours removed one by one):
    // one removal of both
    if (text === '' && range.endIndex > range.startIndex) {
      const other = this.list.find((e) => e.text === '' && e.end > e.start && e.start < range.endIndex && range.startIndex < e.end);
      if (other) {
        other.start = Math.min(other.start, range.startIndex);
        other.end = Math.max(other.end, range.endIndex);
        return this;
      }
    }
    this.list.push({ start: range.startIndex, end: range.endIndex, text, origin: this.origin });
    return this;
  }

  insertAt(offset: number, text: string): this {
    this.list.push({ start: offset, end: offset, text, origin: this.origin });
    return this;
  }

  insertBefore(node: Range, text: string): this {
    return this.insertAt(node.startIndex, text);
  }

  insertAfter(node: Range, text: string): this {
    return this.insertAt(node.endIndex, text);
  }

  remove(range: Range): this {
    return this.replace(range, '');
  }

  // ------------------------------------------------------------------------------------------
  // Layout helpers

  private lineOf(offset: number): { start: number; end: number } {
    const start = lineStartOf(this.source, offset);
    let end = this.source.indexOf('\n', offset);
    if (end === -1) end = this.source.length;
    return { start, end };
  }

  /** Whether [start,end) is alone on its line(s) (only whitespace around it). */
  aloneOnLine(start: number, end: number): boolean {
    const first = this.lineOf(start);
    const last = this.lineOf(end);
    return isBlank(this.source.slice(first.start, start)) && isBlank(this.source.slice(end, last.end).replace(/\r$/, ''));
  }

  /**
   * Remove [start,end): the whole line(s) when nothing else is on them, otherwise the range plus
   * the blanks before it (or after it, when it starts the line).
   */
  removeRange(start: number, end: number): this {
    if (this.aloneOnLine(start, end)) {
      const first = this.lineOf(start);
      const last = this.lineOf(end);
      const stop = last.end < this.source.length ? last.end + 1 : last.end;
      // At end of file without a final newline, take the newline before instead.
      if (stop === last.end && first.start > 0) return this.replace({ startIndex: first.start - 1, endIndex: stop }, '');
      return this.replace({ startIndex: first.start, endIndex: stop }, '');
    }
    let s = start;
    while (s > 0 && (this.source[s - 1] === ' ' || this.source[s - 1] === '\t')) s--;
    const line = this.lineOf(start);
    if (s === line.start) {
      let e = end;
      while (e < this.source.length && (this.source[e] === ' ' || this.source[e] === '\t')) e++;
      return this.replace({ startIndex: start, endIndex: e }, '');
    }
    return this.replace({ startIndex: s, endIndex: end }, '');
  }

  private indentAt(offset: number): string {
    return indentOfLine(this.source, offset).replace(/^\uFEFF/, '');
  }

  private sameLine(a: number, b: number): boolean {
    return this.source.slice(Math.min(a, b), Math.max(a, b)).indexOf('\n') === -1;
  }

  /** The next non-blank, non-comment character offset at or after `offset`. */
  private nextToken(offset: number): number {
    let i = offset;
    for (;;) {
      while (i < this.source.length && /\s/.test(this.source[i]!)) i++;
      if (this.source.startsWith('#', i)) {
        const nl = this.source.indexOf('\n', i);
        i = nl === -1 ? this.source.length : nl;
        continue;
      }
      if (this.source.startsWith('/*', i)) {
        const close = this.source.indexOf('*/', i + 2);
        i = close === -1 ? this.source.length : close + 2;
        continue;
      }
      return i;
    }
  }

  /** The previous non-blank character offset before `offset` (comments are not skipped). */
  private prevToken(offset: number): number {
    let i = offset - 1;
    while (i >= 0 && /\s/.test(this.source[i]!)) i--;
    return i;
  }

  // ------------------------------------------------------------------------------------------
  // Formals

  renameFormal(formal: Formal, name: string): this {
    return this.replace(formal.nameNode, name);
  }

  /**
   * Add a formal `name` (with an optional default) to a function's formals, after `after` (a
   * formal) or at the start or end. The layout of the formals decides the shape:
   * inline `{ a, b }` → `{ a, b, name }`; nixfmt one-per-line with trailing commas; the older
   * leading-comma style `{ a\n, b\n}`.
   */
  addFormal(fn: FunctionInfo, name: string, opts: { after?: Formal; atStart?: boolean; defaultText?: string } = {}): this {
    const formal = opts.defaultText !== undefined ? `${name} ? ${opts.defaultText}` : name;
    const formalsNode = fn.formalsNode;
    if (!formalsNode) throw new Error('addFormal: the function has no formals');
    // formals removed in this edit are no anchors (what is inserted next to them would go too)
    const formals = fn.formals.filter((f) => !this.removedFormals.has(f.node.startIndex));
    if (formals.length === 0) {
      // `{ }` or `{ ... }`
      if (fn.ellipsis) return this.insertBefore(fn.ellipsis, `${formal}, `);
      const open = formalsNode.startIndex;
      // formals rewritten whole already (`{ x }` whose only formal went: `{ }`; `{ }` given a
      // formal: `{ a }`): that edit takes this one too
      const whole = this.list.find((e) => e.start === open && e.end === formalsNode.endIndex && /^\{.*\}$/.test(e.text));
      if (whole) {
        whole.text = whole.text === '{ }' ? `{ ${formal} }` : whole.text.replace(/ \}$/, `, ${formal} }`);
        return this;
      }
      if (fn.formals.length > 0) throw new Error('addFormal: every formal of the function is being removed');
      return this.replace({ startIndex: open, endIndex: formalsNode.endIndex }, `{ ${formal} }`);
    }
    if (opts.after && this.removedFormals.has(opts.after.node.startIndex)) opts = { ...opts, after: undefined };
    if (opts.atStart) {
      const first = formals[0]!;
      const alone = this.aloneOnLine(first.node.startIndex, this.formalEnd(first));
      if (!alone) return this.insertBefore(first.node, `${formal}, `);
      const indent = this.indentAt(first.node.startIndex);
      const commaAfter = this.source[this.nextToken(first.node.endIndex)] === ',';
      if (commaAfter && this.sameLine(first.node.endIndex, this.nextToken(first.node.endIndex))) {
        return this.insertBefore(first.node, `${formal},\n${indent}`);
      }
      return this.insertBefore(first.node, `${formal}\n${indent}, `);
    }
    const anchor = opts.after ?? formals[formals.length - 1]!;
    const anchorEnd = anchor.node.endIndex;
    const multiline = !this.sameLine(formalsNode.startIndex, formalsNode.endIndex);
    const anchorLine = this.lineOf(anchor.node.startIndex);
    if (multiline && /^[ \t]*,[ \t]*$/.test(this.source.slice(anchorLine.start, anchor.node.startIndex)) && this.aloneOnLine(anchorLine.start, anchorEnd)) {
      // leading-comma style: `, a` → `, a\n, name`
      return this.insertAt(anchorEnd, `\n${this.indentAt(anchor.node.startIndex)}, ${formal}`);
    }
    const alone = this.aloneOnLine(anchor.node.startIndex, this.formalEnd(anchor));
    if (!multiline || !alone) return this.insertAt(anchorEnd, `, ${formal}`);
    const next = this.nextToken(anchorEnd);
    const indent = this.indentAt(anchor.node.startIndex);
    // the formal after the anchor, the last one, without a comma of its own, goes with the
    // anchor's comma (removeFormalRange): the new formal takes that comma's place
    const following = fn.formals[fn.formals.indexOf(anchor) + 1];
    const takesComma = following !== undefined && following === fn.formals[fn.formals.length - 1] && !fn.ellipsis && this.removedFormals.has(following.node.startIndex) && this.source[this.nextToken(following.node.endIndex)] !== ',';
    if (this.source[next] === ',' && this.sameLine(anchorEnd, next) && !takesComma) {
      // trailing-comma style: `  a,` → `  a,\n  name,`
      return this.insertAt(next + 1, `\n${indent}${formal},`);
    }
    // last formal of a one-per-line list without a trailing comma
    return this.insertAt(anchorEnd, `,\n${indent}${formal}`);
  }

  /** End of a formal including a trailing `,` on the same line. */
  private formalEnd(f: Formal): number {
    const next = this.nextToken(f.node.endIndex);
    return this.source[next] === ',' && this.sameLine(f.node.endIndex, next) ? next + 1 : f.node.endIndex;
  }

  /** Start offsets of the formals removed by `removeFormal`. */
  private readonly removedFormals = new Set<number>();
  /** Formals to remove, per function (made into edits when the edits are taken). */
  private readonly formalRemovals = new Map<number, { fn: FunctionInfo; idx: Set<number> }>();

  /**
   * Remove a formal and one adjacent comma; the whole line when it stood alone. Decided when the
   * edits are taken, so that neighbours removed one by one go as one range (`{ a ? x, b ? y, c }`).
   */
  removeFormal(fn: FunctionInfo, formal: Formal): this {
    this.removedFormals.add(formal.node.startIndex);
    if (fn.formals.length === 1 && !fn.ellipsis) {
      // `{ x }` → `{ }`
      return this.replace({ startIndex: fn.formalsNode!.startIndex, endIndex: fn.formalsNode!.endIndex }, '{ }');
    }
    let entry = this.formalRemovals.get(fn.node.startIndex);
    if (!entry) this.formalRemovals.set(fn.node.startIndex, (entry = { fn, idx: new Set() }));
    entry.idx.add(fn.formals.indexOf(formal));
    return this;
  }

  private flushFormals(): void {
    for (const { fn, idx } of this.formalRemovals.values()) {
      const sorted = [...idx].sort((a, b) => a - b);
      for (let i = 0; i < sorted.length; i++) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
        this.removeFormalRange(fn, sorted[i]!, sorted[j]!);
        i = j;
      }
    }
    this.formalRemovals.clear();
  }

  /** Remove the formals `from`..`to` (indexes) and one adjacent comma. */
  private removeFormalRange(fn: FunctionInfo, from: number, to: number): this {
    const idx = from;
    const start = fn.formals[from]!.node.startIndex;
    const end = fn.formals[to]!.node.endIndex;
    const next = this.nextToken(end);
    const hasCommaAfter = this.source[next] === ',';
    const prev = this.prevToken(start);
    const hasCommaBefore = this.source[prev] === ',';
    if (from === 0 && to === fn.formals.length - 1 && !fn.ellipsis) {
      // every formal: `{ }`
      return this.replace({ startIndex: fn.formalsNode!.startIndex, endIndex: fn.formalsNode!.endIndex }, '{ }');
    }
    // Trailing style (`a,` alone on its line) or leading style (`, a` alone on its line).
    if (hasCommaAfter && this.aloneOnLine(start, next + 1)) return this.removeRange(start, next + 1);
    if (hasCommaBefore && this.aloneOnLine(prev, end)) return this.removeRange(prev, end);
    // `  a, # why` (trailing style, a comment after it): the formal and its comma, not the comma
    // of the formal before (a new formal may go after that one)
    if (hasCommaAfter && this.sameLine(end, next) && /^[ \t]*$/.test(this.source.slice(lineStartOf(this.source, start), start)) && !this.sameLine(prev, start)) return this.removeRange(start, next + 1);
    if (idx === 0 && hasCommaAfter) {
      // `{ a, b }` → `{ b }`; `{ a\n, b }` → `{ b }`
      let e = this.nextToken(next + 1);
      if (this.source[e] === '}') e = next + 1;
      return this.replace({ startIndex: start, endIndex: this.sameLine(start, e) ? e : this.skipBlanks(next + 1) }, '');
    }
    if (hasCommaBefore) return this.replace({ startIndex: prev, endIndex: end }, '');
    if (hasCommaAfter) return this.replace({ startIndex: start, endIndex: this.skipBlanks(next + 1) }, '');
    return this.replace({ startIndex: start, endIndex: end }, '');
  }

  private skipBlanks(offset: number): number {
    let i = offset;
    while (i < this.source.length && (this.source[i] === ' ' || this.source[i] === '\t')) i++;
    return i;
  }

  // ------------------------------------------------------------------------------------------
  // Lists

  /**
   * Add elements to a list literal after `after` (an element) or at the end. One-per-line lists
   * get one line per new element at the indentation of their elements. Inline lists stay inline,
   * except in a nixfmt-formatted file, where a list that reaches two elements is expanded.
   */
  addListElements(list: SyntaxNode, texts: string[], opts: { after?: SyntaxNode } = {}): this {
    if (texts.length === 0) return this;
    const elements = listElements(list);
    const open = list.startIndex;
    const close = list.endIndex - 1; // the `]`
    const baseIndent = this.indentAt(open);
    if (elements.length === 0) {
      const inner = this.source.slice(open + 1, close);
      if (inner.includes('\n') || (this.style.nixfmt && texts.length > 1)) {
        const indent = baseIndent + this.style.indent;
        return this.replace({ startIndex: open, endIndex: list.endIndex }, `[\n${texts.map((t) => indent + t).join('\n')}\n${baseIndent}]`);
      }
      if (inner.trim() !== '') return this.insertAt(close, ` ${texts.join(' ')} `); // only comments inside
      return this.replace({ startIndex: open, endIndex: list.endIndex }, `[ ${texts.join(' ')} ]`);
    }
    const anchor = opts.after ?? elements[elements.length - 1]!;
    const multiline = !this.sameLine(open, close);
    if (multiline) {
      // End of the anchor's line content (keep a trailing comment on that line with the anchor).
      const indent = this.indentAt(anchor.startIndex);
      return this.insertAt(this.endOfElementLine(anchor), texts.map((t) => `\n${indent}${t}`).join(''));
    }
    // inline: the new elements after the anchor, in the list's layout (nixfmt expands); an
    // insertion when the list stays on its line, so that an edit of an element stays possible
    const lineStart = this.source.lastIndexOf('\n', open) + 1;
    const lineEnd = this.source.indexOf('\n', close);
    const width = (lineEnd < 0 ? this.source.length : lineEnd) - lineStart + texts.join(' ').length + 1;
    if (!this.style.nixfmt && width <= MAX_INLINE_WIDTH) return this.insertAt(anchor.endIndex, ` ${texts.join(' ')}`);
    // (the anchor as another rule rewrote it, `cudatoolkit.majorVersion`, when it did)
    return this.replaceListElements(list, new Map([[anchor.id, [this.takeEdited(anchor), ...texts]]]));
  }

  /**
   * Where to insert after a node: past a comment that ends its line (`foo # why`), but before a
   * `# nixshift-ignore` there, which covers what FOLLOWS it (src/nix/suppressions.ts): what is
   * inserted comes before the comment, which goes on covering what it covered.
   */
  endOfLine(node: Range): number {
    return this.endOfElementLine(node);
  }

  /** After an element, past a comment that ends its line (`foo # why`), unless it is a suppression. */
  private endOfElementLine(el: Range): number {
    const m = this.trailingComment(el);
    return m && !m.suppression ? m.end : el.endIndex;
  }

  /** After an element, past any comment that ends its line. */
  private pastTrailingComment(el: Range): number {
    return this.trailingComment(el)?.end ?? el.endIndex;
  }

  /** The `# …` comment that ends the line of a node, if any: its end, and whether it is a suppression. */
  private trailingComment(el: Range): { end: number; suppression: boolean } | undefined {
    const lineEnd = this.lineOf(el.endIndex).end;
    const rest = this.source.slice(el.endIndex, lineEnd);
    const m = /^[ \t]*(#.*?)(\r?)$/.exec(rest);
    if (!m) return undefined;
    return { end: lineEnd - (m[2] ? 1 : 0), suppression: parseSuppressionComment(m[1]!) !== undefined };
  }

  /** Remove one element of a list (its line when it stood alone). */
  removeListElement(element: SyntaxNode): this {
    return this.removeListElements(element, element);
  }

  /** Remove the elements from `first` to `last` of a list (their lines when they stood alone). */
  private removeListElements(first: Range, last: Range): this {
    const end = this.endOfElementLine(last);
    if (this.aloneOnLine(first.startIndex, end)) return this.removeRange(first.startIndex, end);
    return this.removeRange(first.startIndex, last.endIndex);
  }

  /**
   * Replace several elements of one list at once (element node id → new texts; none removes it),
   * keeping the list's layout; a nixfmt file's inline list that ends up with two or more elements
   * is expanded one per line, unless `keepInline` (say, a list inside a string interpolation).
   */
  replaceListElements(list: SyntaxNode, replacements: ReadonlyMap<number, string[]>, opts: { keepInline?: boolean } = {}): this {
    const elements = listElements(list);
    const multiline = !this.sameLine(list.startIndex, list.endIndex);
    const total = elements.reduce((n, e) => n + (replacements.get(e.id)?.length ?? 1), 0);
    const hasComments = list.namedChildren.some((c) => c.type === 'comment');
    const inlineTexts = elements.flatMap((e) => replacements.get(e.id) ?? [this.source.slice(e.startIndex, e.endIndex)]);
    const lineStart = lineStartOf(this.source, list.startIndex);
    const lineEnd = this.lineOf(list.endIndex).end;
    const inlineWidth = list.startIndex - lineStart + `[ ${inlineTexts.join(' ')} ]`.length + (lineEnd - list.endIndex);
    const tooWide = inlineWidth > MAX_INLINE_WIDTH;
    if (!multiline && !opts.keepInline && (this.style.nixfmt || tooWide) && total >= 2 && !hasComments) {
      // one element per line: the blanks between elements become line breaks, and elements kept
      // are not touched (so that an edit inside one, made by another rule, stays possible)
      const baseIndent = this.indentAt(list.startIndex);
      const indent = baseIndent + this.style.indent;
      const kept = elements.filter((e) => (replacements.get(e.id) ?? [null]).length > 0);
      if (kept.length === 0) {
        const all = elements.flatMap((e) => replacements.get(e.id) ?? []);
        return this.replace(list, `[\n${all.map((t) => indent + t).join('\n')}\n${baseIndent}]`);
      }
      // removed elements lie in the gaps, which are replaced whole
      const sep = `\n${indent}`;
      let at = list.startIndex + 1;
      for (const e of kept) {
        this.replace({ startIndex: at, endIndex: e.startIndex }, sep);
        const texts = replacements.get(e.id);
        // an element kept as it is with others after it (addListElements): inserted after it
        if (texts && texts[0] === this.source.slice(e.startIndex, e.endIndex)) {
          if (texts.length > 1) this.insertAt(e.endIndex, sep + texts.slice(1).join(sep));
        } else if (texts) this.replace(e, texts.join(sep));
        at = e.endIndex;
      }
      return this.replace({ startIndex: at, endIndex: list.endIndex }, `\n${baseIndent}]`);
    }
    if ((!multiline || !hasComments) && total === 0 && elements.length > 0) return this.replace(list, '[ ]');
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!;
      const texts = replacements.get(e.id);
      if (!texts) continue;
      if (texts.length === 0) {
        // neighbours removed with only blanks between them go as one range: they share blanks
        let last = e;
        while (i + 1 < elements.length && replacements.get(elements[i + 1]!.id)?.length === 0 && isBlank(this.source.slice(last.endIndex, elements[i + 1]!.startIndex).replace(/\r?\n/g, ''))) last = elements[++i]!;
        if (last === e) this.removeListElement(e);
        else this.removeListElements(e, last);
      } else if (multiline) {
        this.replace(e, texts[0]!);
        if (texts.length > 1) this.insertAt(this.endOfElementLine(e), texts.slice(1).map((t) => `\n${this.indentAt(e.startIndex)}${t}`).join(''));
      } else this.replace(e, texts.join(' '));
    }
    return this;
  }

  /** Replace one list element by several (none removes it), keeping the list's layout. */
  replaceListElement(list: SyntaxNode, element: SyntaxNode, texts: string[]): this {
    return this.replaceListElements(list, new Map([[element.id, texts]]));
  }

  // ------------------------------------------------------------------------------------------
  // Bindings

  /**
   * Add a binding (`name = value;` text, possibly multi-line with `\n` and relative indentation)
   * to an attrset-like node (`{ }`, `rec { }`, `let … in`), after `after` or at the end.
   */
  addBinding(attrset: SyntaxNode, bindingText: string, opts: { after?: SyntaxNode } = {}): this {
    const set = bindingSet(attrset);
    // (bindings removed in this edit are no anchors: what is inserted after them would go too)
    const bindings = set ? set.namedChildren.filter((c) => c.type !== 'comment' && !this.removedBindings.has(c.startIndex)) : [];
    if (bindings.length === 0) {
      // `{ }` → `{\n  name = value;\n}` (nixfmt expands non-empty attrsets)
      const baseIndent = this.indentAt(attrset.startIndex);
      const indent = baseIndent + this.style.indent;
      if (attrset.type === 'let_expression') return this.insertAt(attrset.startIndex + 3, `\n${this.reindent(bindingText, indent)}\n`);
      const open = this.source.indexOf('{', attrset.startIndex) + 1;
      const close = attrset.endIndex - 1;
      const inner = this.source.slice(open, close);
      const body = `\n${this.reindent(bindingText, indent)}\n${baseIndent}`;
      return inner.trim() === '' ? this.replace({ startIndex: open, endIndex: close }, body) : this.insertAt(open, body.trimEnd() === body ? body : `\n${this.reindent(bindingText, indent)}`);
    }
    const anchor = opts.after ?? bindings[bindings.length - 1]!;
    const indent = this.indentAt(anchor.startIndex);
    if (!this.aloneOnLine(anchor.startIndex, this.pastTrailingComment(anchor))) return this.insertAt(anchor.endIndex, ` ${bindingText}`);
    return this.insertAt(this.endOfElementLine(anchor), `\n${this.reindent(bindingText, indent)}`);
  }

  /** Start offsets of the bindings removed by `removeBinding`. */
  private readonly removedBindings = new Set<number>();

  /** Remove a binding / inherit (its lines when it stood alone). */
  removeBinding(binding: SyntaxNode): this {
    this.removedBindings.add(binding.startIndex);
    const end = this.endOfElementLine(binding);
    if (!this.aloneOnLine(binding.startIndex, end)) return this.removeRange(binding.startIndex, binding.endIndex);
    const paragraph = this.commentedParagraph(binding.startIndex, end);
    if (paragraph) return this.replace({ startIndex: paragraph.start, endIndex: paragraph.end }, '');
    return this.removeRange(binding.startIndex, end);
  }

  /**
   * A binding that is a paragraph of its own with the comments right above it (a blank line above
   * them and below it: `\n  # TODO: migrate\n  inherit (x) y;\n\n`): the comments are about it,
   * and go with it, with the blank line below. Undefined otherwise (a comment over a group of
   * bindings stays), or when a comment is a suppression.
   */
  private commentedParagraph(start: number, end: number): { start: number; end: number } | undefined {
    const src = this.source;
    const first = this.lineOf(start);
    const last = this.lineOf(end);
    if (last.end >= src.length) return undefined;
    const below = this.lineOf(last.end + 1);
    if (!isBlank(src.slice(below.start, below.end).replace(/\r$/, '')) || below.end >= src.length) return undefined;
    let top = first.start;
    while (top > 0) {
      const above = this.lineOf(top - 1);
      const text = src.slice(above.start, above.end).replace(/\r$/, '');
      if (!/^[ \t]*#/.test(text)) break;
      if (parseSuppressionComment(text.trim()) !== undefined) return undefined;
      top = above.start;
    }
    if (top === first.start || top === 0) return undefined;
    const before = this.lineOf(top - 1);
    if (!isBlank(src.slice(before.start, before.end).replace(/\r$/, ''))) return undefined;
    return { start: top, end: below.end + 1 };
  }

  /**
   * A new list literal for a line indented by `indent`: inline `[ a b ]`, or one element per line
   * when the file is nixfmt-formatted and has two or more, or when the line would be too wide.
   */
  listText(elements: string[], indent: string, lineSoFar = 0): string {
    const inline = elements.length === 0 ? '[ ]' : `[ ${elements.join(' ')} ]`;
    const wide = lineSoFar + inline.length > MAX_INLINE_WIDTH;
    if (elements.length < 2 || (!this.style.nixfmt && !wide)) return inline;
    return `[\n${elements.map((e) => `${indent}${this.style.indent}${e}`).join('\n')}\n${indent}]`;
  }

  /**
   * Append `++ operand` to the value of a binding (`binding`'s line gives the indentation), laid
   * out as the file is: in a nixfmt-formatted file, a value that spans lines gets the operand on a
   * line of its own starting with `++` at the binding's indentation; a one-line value stays on one
   * line while the line fits, and otherwise becomes nixfmt's chain (a first list operand expanded,
   * one `++ operand` per line). Elsewhere, and in files of nixfmt before 1.0 (which end a line with
   * `] ++ …`), ` ++ operand` follows the value. `operand` may span lines (indented for the binding's
   * line).
   */
  appendOperand(binding: SyntaxNode, value: SyntaxNode, operand: string): this {
    const src = this.source;
    const indent = /^[ \t]*/.exec(src.slice(src.lastIndexOf('\n', binding.startIndex) + 1))![0];
    const valueText = src.slice(value.startIndex, value.endIndex);
    // files of nixfmt before 1.0 end a line with `] ++ …` instead of starting one with `++`
    const trailingChains = !/^[ \t]*\+\+ /m.test(src) && /^[ \t]*[\])] \+\+ \S/m.test(src);
    if (!this.style.nixfmt || trailingChains) return this.insertAt(value.endIndex, ` ++ ${operand}`);
    if (valueText.includes('\n')) return this.insertAt(value.endIndex, `\n${indent}++ ${operand}`);
    const lineStart = src.lastIndexOf('\n', binding.startIndex) + 1;
    const lineEnd = src.indexOf('\n', value.endIndex);
    const line = `${src.slice(lineStart, value.endIndex)} ++ ${operand}${src.slice(value.endIndex, lineEnd < 0 ? src.length : lineEnd)}`;
    if (!operand.includes('\n') && line.length - indent.length <= MAX_INLINE_WIDTH) return this.insertAt(value.endIndex, ` ++ ${operand}`);
    // a chain holding a `nixshift-ignore` is not laid out anew: the runner would drop the whole
    // edit, this operand with it, for touching what the comment covers
    if (valueText.includes(SUPPRESSION_MARKER)) return this.insertAt(value.endIndex, `\n${indent}++ ${operand}`);
    // operands rewritten already (whole) are laid out with their new text, in one edit
    const inside = this.list.filter((e) => e.start >= value.startIndex && e.end <= value.endIndex && e.start < e.end);
    const ops = chainOperands(value);
    const replaced = new Map<number, string>();
    for (const e of inside) {
      const op = ops.find((o) => o.startIndex === e.start && o.endIndex === e.end);
      if (!op) return this.insertAt(value.endIndex, `\n${indent}++ ${operand}`);
      replaced.set(op.id, e.text);
    }
    for (const e of inside) this.list.splice(this.list.indexOf(e), 1);
    const first = replaced.get(ops[0]!.id) ?? src.slice(ops[0]!.startIndex, ops[0]!.endIndex);
    const eq = src.lastIndexOf('=', value.startIndex);
    if (!/^[[{]/.test(first) && /^=[ \t]+$/.test(src.slice(eq, value.startIndex))) {
      // nixfmt: a chain that does not start with a list goes on lines of its own, one level in
      const inner = indent + this.style.indent;
      const texts = [...ops.map((o) => replaced.get(o.id) ?? src.slice(o.startIndex, o.endIndex)), operand];
      return this.replace({ startIndex: eq + 1, endIndex: value.endIndex }, `\n${inner}${texts.join(`\n${inner}++ `)}`);
    }
    return this.replace(value, this.chainText(value, indent, replaced, operand));
  }

  /**
   * A one-line `++` chain laid out as nixfmt lays out one that does not fit: a first list operand
   * expanded, then one `++ operand` per line at `indent`; `replaced` gives new texts of operands,
   * `appended` one more at the end.
   */
  chainText(value: SyntaxNode, indent: string, replaced: ReadonlyMap<number, string>, appended?: string): string {
    const src = this.source;
    const operands = chainOperands(value);
    const texts = operands.map((o) => replaced.get(o.id) ?? src.slice(o.startIndex, o.endIndex));
    const first = operands[0]!;
    if (!replaced.has(first.id) && first.type === 'list_expression' && first.namedChildren.length > 0) {
      texts[0] = `[\n${first.namedChildren.map((e) => `${indent}${this.style.indent}${src.slice(e.startIndex, e.endIndex)}`).join('\n')}\n${indent}]`;
    }
    return [...texts, ...(appended === undefined ? [] : [appended])].join(`\n${indent}++ `);
  }

  /**
   * The text of `range` with the edits made so far inside it applied; those edits are taken out
   * (the caller writes the text into a larger edit of its own). For a rule that rewrites a whole
   * construct after another rule rewrote part of it (a condition inside a `lib.optional`).
   */
  takeEdited(range: Range, take = true): string {
    this.flush();
    const inside = this.list.filter((e) => e.start >= range.startIndex && e.end <= range.endIndex);
    if (inside.length === 0) return this.source.slice(range.startIndex, range.endIndex);
    const local = inside.map((e) => ({ ...e, start: e.start - range.startIndex, end: e.end - range.startIndex }));
    if (take) for (const e of inside) this.list.splice(this.list.indexOf(e), 1);
    return applyEdits(this.source.slice(range.startIndex, range.endIndex), local, '\n');
  }

  /**
   * Replace the edits made inside `range` by one edit of the whole range, whose text is `render`
   * of what those edits make of it (to lay out anew a construct edited in several places, such as
   * a one-line attribute set). Insertions at the range's edges count as inside. Nothing happens
   * when no edit falls inside, or when one straddles its edges.
   */
  collapse(range: Range, render: (edited: string) => string): this {
    this.flush();
    const inside = (e: TextEdit): boolean => e.start >= range.startIndex && e.end <= range.endIndex;
    const mine = this.list.filter(inside);
    if (mine.length === 0) return this;
    if (this.list.some((e) => !inside(e) && e.start < range.endIndex && e.end > range.startIndex)) return this;
    const local = mine.map((e) => ({ ...e, start: e.start - range.startIndex, end: e.end - range.startIndex }));
    const edited = applyEdits(this.source.slice(range.startIndex, range.endIndex), local, '\n');
    for (const e of mine) this.list.splice(this.list.indexOf(e), 1);
    return this.replace(range, render(edited));
  }

  /**
   * `call [ elements ]` as the text inside `${ }` at `interpStart`. In a nixfmt-formatted file a
   * list of two or more is laid out as nixfmt lays it out: one element per line, the call on lines
   * of its own inside `${ }`, unless the interpolation is the whole string (`"${call [`).
   */
  interpolatedCallText(call: string, elements: readonly string[], interpStart: number, wholeString: boolean): string {
    if (!this.style.nixfmt || elements.length < 2) return `${call} [ ${elements.join(' ')} ]`;
    const indent = this.indentAt(interpStart);
    const step = this.style.indent;
    if (wholeString) return `${call} [\n${elements.map((e) => `${indent}${step}${e}`).join('\n')}\n${indent}]`;
    return `\n${indent}${step}${call} [\n${elements.map((e) => `${indent}${step}${step}${e}`).join('\n')}\n${indent}${step}]\n${indent}`;
  }

  /** Indent every line of `text` by `indent` (blank lines stay empty). */
  reindent(text: string, indent: string): string {
    return text
      .split('\n')
      .map((l) => (l.trim() === '' ? '' : indent + l))
      .join('\n');
  }
}

/** The operands of a `++` chain, left to right (the value itself when it is no chain). */
export function chainOperands(value: SyntaxNode): SyntaxNode[] {
  if (value.type !== 'binary_expression') return [value];
  const op = value.childForFieldName('operator');
  const left = value.childForFieldName('left');
  const right = value.childForFieldName('right');
  if (!op || op.text !== '++' || !left || !right) return [value];
  // (`++` is right-associative: `a ++ b ++ c` is `a ++ (b ++ c)`)
  return [...chainOperands(left), ...chainOperands(right)];
}
