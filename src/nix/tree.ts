/**
 * Syntax trees as flat arrays.
 *
 * Our native binding (native/binding.cc) parses with the tree-sitter runtime and hands back the
 * whole tree at once: one record of `STRIDE` int32 per visible node, in pre-order. A
 * `SyntaxNode` is a tree and a record index; every property is read from the array in plain
 * JavaScript. The API is the subset of the tree-sitter Node binding's `SyntaxNode` that a
 * transform needs, with the same meaning (the tests compare both on every fixture), but:
 *
 * - reading a property never crosses into native code (the Node binding did, for every
 *   property of every node: that was most of the time of a rewrite);
 * - `parent`, `nextSibling` and `descendantsOfType` cost O(1) per node (the Node binding finds
 *   a parent by descending from the root: O(depth));
 * - `id` is the node's pre-order index in its tree: unique within a tree, equal for two
 *   handles on the same node, and meaningless across trees.
 */

/** Offsets of the fields of one record (kept in step with native/binding.cc). */
const KIND = 0;
const START = 1;
const END = 2;
const PARENT = 3;
const NEXT = 4;
const FIELD = 5;
const SUBTREE = 6;
export const STRIDE = 7;

const SYMBOL_MASK = 0xffff;
const NAMED = 1 << 16;
const MISSING = 1 << 17;
const HAS_ERROR = 1 << 18;
const EXTRA = 1 << 19;
const IS_ERROR = 1 << 20;

export interface Point {
  row: number;
  column: number;
}

/** The names the grammar gives symbols and fields, by id (from the native binding). */
export interface Grammar {
  symbolNames: readonly string[];
  fieldNames: readonly string[];
}

export class NixTree {
  /** Record index of every field name's id, for `childForFieldName`. */
  private readonly fieldIds: ReadonlyMap<string, number>;
  private lineStarts: number[] | undefined;

  constructor(
    /** The text that was parsed (for a file with trailing formals commas: the shadow copy). */
    readonly text: string,
    /** The records, `STRIDE` int32 per node, in pre-order. */
    readonly data: Int32Array,
    readonly grammar: Grammar,
    fieldIds: ReadonlyMap<string, number>,
    /** The native tree, kept for an incremental re-parse. */
    readonly handle: unknown,
  ) {
    this.fieldIds = fieldIds;
  }

  get nodeCount(): number {
    return this.data.length / STRIDE;
  }

  get rootNode(): SyntaxNode {
    return new SyntaxNode(this, 0);
  }

  /** The node with pre-order index `id`. */
  node(id: number): SyntaxNode {
    return new SyntaxNode(this, id);
  }

  /** The children of wide nodes, by node (see `firstChildEndingAtOrAfter`). */
  private readonly childLists = new Map<number, Int32Array>();

  /** The first child of `id` whose end is at or after `offset` (-1: none), by a binary search. */
  firstChildEndingAtOrAfter(id: number, offset: number): number {
    const data = this.data;
    let list = this.childLists.get(id);
    if (!list) {
      let n = 0;
      for (let c = data[id * STRIDE + SUBTREE]! > id + 1 ? id + 1 : -1; c >= 0; c = data[c * STRIDE + NEXT]!) n++;
      list = new Int32Array(n);
      n = 0;
      for (let c = data[id * STRIDE + SUBTREE]! > id + 1 ? id + 1 : -1; c >= 0; c = data[c * STRIDE + NEXT]!) list[n++] = c;
      this.childLists.set(id, list);
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (data[list[mid]! * STRIDE + END]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo]! : -1;
  }

  fieldId(name: string): number | undefined {
    return this.fieldIds.get(name);
  }

  typeName(symbol: number): string {
    return symbol === SYMBOL_MASK ? 'ERROR' : (this.grammar.symbolNames[symbol] ?? '');
  }

  /** Row and column (UTF-16 units) of an offset. */
  point(offset: number): Point {
    if (!this.lineStarts) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - starts[lo]! };
  }
}

export class SyntaxNode {
  constructor(
    readonly tree: NixTree,
    /** Pre-order index of the node in its tree. */
    readonly id: number,
  ) {}

  private get kind(): number {
    return this.tree.data[this.id * STRIDE + KIND]!;
  }

  get typeId(): number {
    return this.kind & SYMBOL_MASK;
  }

  get type(): string {
    return this.tree.typeName(this.kind & SYMBOL_MASK);
  }

  get isNamed(): boolean {
    return (this.kind & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.kind & MISSING) !== 0;
  }

  /** True when the node is an error, is missing, or contains one. */
  get hasError(): boolean {
    return (this.kind & HAS_ERROR) !== 0;
  }

  get isError(): boolean {
    return (this.kind & IS_ERROR) !== 0;
  }

  get isExtra(): boolean {
    return (this.kind & EXTRA) !== 0;
  }

  get startIndex(): number {
    return this.tree.data[this.id * STRIDE + START]!;
  }

  get endIndex(): number {
    return this.tree.data[this.id * STRIDE + END]!;
  }

  get startPosition(): Point {
    return this.tree.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.tree.point(this.endIndex);
  }

  /** The text the tree was parsed from, over this node (see `NixTree.text`). */
  get text(): string {
    return this.tree.text.slice(this.startIndex, this.endIndex);
  }

  /** The name of the field this node fills in its parent, or undefined. */
  get fieldName(): string | undefined {
    const f = this.tree.data[this.id * STRIDE + FIELD]!;
    return f === 0 ? undefined : this.tree.grammar.fieldNames[f];
  }

  /** The number of nodes in this node's subtree, itself included. */
  get descendantCount(): number {
    return this.tree.data[this.id * STRIDE + SUBTREE]! - this.id;
  }

  get parent(): SyntaxNode | null {
    const p = this.tree.data[this.id * STRIDE + PARENT]!;
    return p < 0 ? null : new SyntaxNode(this.tree, p);
  }

  get nextSibling(): SyntaxNode | null {
    const n = this.tree.data[this.id * STRIDE + NEXT]!;
    return n < 0 ? null : new SyntaxNode(this.tree, n);
  }

  get previousSibling(): SyntaxNode | null {
    const parent = this.tree.data[this.id * STRIDE + PARENT]!;
    if (parent < 0) return null;
    const data = this.tree.data;
    let prev = -1;
    for (let c = parent + 1; c !== this.id && c >= 0; c = data[c * STRIDE + NEXT]!) prev = c;
    return prev < 0 ? null : new SyntaxNode(this.tree, prev);
  }

  get nextNamedSibling(): SyntaxNode | null {
    const data = this.tree.data;
    for (let c = data[this.id * STRIDE + NEXT]!; c >= 0; c = data[c * STRIDE + NEXT]!) {
      if (data[c * STRIDE + KIND]! & NAMED) return new SyntaxNode(this.tree, c);
    }
    return null;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const parent = this.tree.data[this.id * STRIDE + PARENT]!;
    if (parent < 0) return null;
    const data = this.tree.data;
    let prev = -1;
    for (let c = parent + 1; c !== this.id && c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + KIND]! & NAMED) prev = c;
    return prev < 0 ? null : new SyntaxNode(this.tree, prev);
  }

  /** Record index of the first child, or -1. */
  private firstChildId(): number {
    return this.tree.data[this.id * STRIDE + SUBTREE]! > this.id + 1 ? this.id + 1 : -1;
  }

  get childCount(): number {
    const data = this.tree.data;
    let n = 0;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) n++;
    return n;
  }

  get namedChildCount(): number {
    const data = this.tree.data;
    let n = 0;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + KIND]! & NAMED) n++;
    return n;
  }

  get children(): SyntaxNode[] {
    const data = this.tree.data;
    const out: SyntaxNode[] = [];
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) out.push(new SyntaxNode(this.tree, c));
    return out;
  }

  get namedChildren(): SyntaxNode[] {
    const data = this.tree.data;
    const out: SyntaxNode[] = [];
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + KIND]! & NAMED) out.push(new SyntaxNode(this.tree, c));
    return out;
  }

  child(index: number): SyntaxNode | null {
    const data = this.tree.data;
    let i = 0;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (i++ === index) return new SyntaxNode(this.tree, c);
    return null;
  }

  namedChild(index: number): SyntaxNode | null {
    const data = this.tree.data;
    let i = 0;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) {
      if (data[c * STRIDE + KIND]! & NAMED && i++ === index) return new SyntaxNode(this.tree, c);
    }
    return null;
  }

  get firstChild(): SyntaxNode | null {
    const c = this.firstChildId();
    return c < 0 ? null : new SyntaxNode(this.tree, c);
  }

  get lastChild(): SyntaxNode | null {
    const data = this.tree.data;
    let last = -1;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) last = c;
    return last < 0 ? null : new SyntaxNode(this.tree, last);
  }

  get firstNamedChild(): SyntaxNode | null {
    return this.namedChild(0);
  }

  get lastNamedChild(): SyntaxNode | null {
    const data = this.tree.data;
    let last = -1;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + KIND]! & NAMED) last = c;
    return last < 0 ? null : new SyntaxNode(this.tree, last);
  }

  /** The first child in the field `name`, or null. */
  childForFieldName(name: string): SyntaxNode | null {
    const field = this.tree.fieldId(name);
    if (field === undefined) return null;
    const data = this.tree.data;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + FIELD] === field) return new SyntaxNode(this.tree, c);
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const field = this.tree.fieldId(name);
    const out: SyntaxNode[] = [];
    if (field === undefined) return out;
    const data = this.tree.data;
    for (let c = this.firstChildId(); c >= 0; c = data[c * STRIDE + NEXT]!) if (data[c * STRIDE + FIELD] === field) out.push(new SyntaxNode(this.tree, c));
    return out;
  }

  /** This node and its descendants of the given type(s), in pre-order (source order). */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const tree = this.tree;
    const data = tree.data;
    const names = tree.grammar.symbolNames;
    const wanted = new Set(typeof types === 'string' ? [types] : types);
    // Which symbols have a wanted name (a name may belong to several symbols).
    const symbols = new Uint8Array(names.length + 1);
    let any = false;
    for (let s = 0; s < names.length; s++) {
      if (wanted.has(names[s]!)) {
        symbols[s] = 1;
        any = true;
      }
    }
    const error = wanted.has('ERROR');
    const out: SyntaxNode[] = [];
    if (!any && !error) return out;
    const end = data[this.id * STRIDE + SUBTREE]!;
    for (let i = this.id; i < end; i++) {
      const s = data[i * STRIDE + KIND]! & SYMBOL_MASK;
      if (s === SYMBOL_MASK ? error : symbols[s] === 1) out.push(new SyntaxNode(tree, i));
    }
    return out;
  }

  /** Every node of this subtree, this one first, in pre-order. */
  *descendants(): Generator<SyntaxNode> {
    const end = this.tree.data[this.id * STRIDE + SUBTREE]!;
    for (let i = this.id; i < end; i++) yield new SyntaxNode(this.tree, i);
  }

  /**
   * The smallest node (named or not) that spans `start`…`end`, as tree-sitter's
   * `ts_node_descendant_for_byte_range` finds it.
   */
  descendantForIndex(start: number, end: number = start): SyntaxNode {
    return new SyntaxNode(this.tree, this.descendantFor(start, end, false));
  }

  /** The smallest named node that spans `start`…`end`. */
  namedDescendantForIndex(start: number, end: number = start): SyntaxNode {
    return new SyntaxNode(this.tree, this.descendantFor(start, end, true));
  }

  private descendantFor(start: number, end: number, namedOnly: boolean): number {
    const tree = this.tree;
    const data = tree.data;
    let node = this.id;
    let last = this.id;
    for (let descended = true; descended; ) {
      descended = false;
      let c = data[node * STRIDE + SUBTREE]! > node + 1 ? node + 1 : -1;
      // A wide node (the top set of all-packages.nix: tens of thousands of bindings): jump to
      // the first child that reaches the end of the range by a binary search.
      for (let seen = 0; c >= 0 && data[c * STRIDE + END]! < end; c = data[c * STRIDE + NEXT]!) {
        if (++seen === 16) {
          c = tree.firstChildEndingAtOrAfter(node, end);
          break;
        }
      }
      for (; c >= 0; c = data[c * STRIDE + NEXT]!) {
        const cEnd = data[c * STRIDE + END]!;
        const cStart = data[c * STRIDE + START]!;
        // The child must reach the end of the range, and go past its start (or, when the child
        // is empty, reach it).
        if (cEnd < end) continue;
        if (cStart === cEnd ? cEnd < start : cEnd <= start) continue;
        if (start < cStart) break;
        node = c;
        if (!namedOnly || data[c * STRIDE + KIND]! & NAMED) last = c;
        descended = true;
        break;
      }
    }
    return last;
  }

  /** The S-expression of the subtree (named nodes, fields, MISSING), as tree-sitter prints it. */
  toString(): string {
    const tree = this.tree;
    const data = tree.data;
    let out = '';
    // Iterative (any depth): a stack of nodes to open, and of ')' to close.
    const stack: (number | ')')[] = [this.id];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (top === ')') {
        out += ')';
        continue;
      }
      const kind = data[top * STRIDE + KIND]!;
      // Anonymous tokens are not printed (unless MISSING).
      if (!(kind & NAMED) && !(kind & MISSING)) continue;
      if (out.length > 0) out += ' ';
      const field = top === this.id ? 0 : data[top * STRIDE + FIELD]!;
      if (field !== 0) out += `${tree.grammar.fieldNames[field]}: `;
      const type = tree.typeName(kind & SYMBOL_MASK);
      if (kind & MISSING) {
        out += kind & NAMED ? `(MISSING ${type})` : `(MISSING "${type}")`;
        continue;
      }
      out += `(${type}`;
      stack.push(')');
      const children: number[] = [];
      for (let c = data[top * STRIDE + SUBTREE]! > top + 1 ? top + 1 : -1; c >= 0; c = data[c * STRIDE + NEXT]!) children.push(c);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return out;
  }
}
