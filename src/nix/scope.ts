/**
 * Lexical scope resolution for Nix: what does an identifier refer to?
 *
 * Nix is lexically scoped with one dynamic exception, `with`. Static bindings (function
 * arguments and formals, `let`, `rec { }`, `let { }`, and `inherit` inside those) always win over
 * `with`; builtins such as `true`, `map` or `import` are static too and also win over `with`.
 * An identifier that no static scope binds resolves to the innermost enclosing `with` (it may
 * come from any enclosing `with`, so all of them are returned), and is "free" when there is none.
 *
 * `inherit x;` inside a `let`/`rec` takes `x` from the scope *outside* that binding set;
 * `inherit (e) x;` evaluates `e` inside it. Attribute names (binding attrpaths, select
 * attrpaths, `?` attrpaths) are not references; `${…}` interpolations inside them are.
 *
 * The walk is iterative (deeply nested input does not overflow the stack) and happens once per
 * parse: `references()` lists every reference with its resolution, `definitions()` every name a
 * scope introduces.
 */
import type { SyntaxNode } from './tree.js';
import { lowerBound } from '../util/search.js';
import { attrName } from './syntax.js';

export type DefinitionKind = 'formal' | 'argument' | 'let' | 'rec';

export interface Definition {
  name: string;
  kind: DefinitionKind;
  /** The identifier that introduces the name. */
  node: SyntaxNode;
  /** The node that opens the scope: function_expression, let_expression, rec/let attrset. */
  scope: SyntaxNode;
  /** The formal, binding, inherit or inherit_from node that holds the definition. */
  holder: SyntaxNode;
}

export type Resolution =
  | { kind: 'bound'; definition: Definition }
  /** Not statically bound; comes from one of these `with` expressions (innermost first). */
  | { kind: 'with'; withs: SyntaxNode[] }
  | { kind: 'builtin' }
  | { kind: 'free' };

export interface Reference {
  name: string;
  /** The identifier node of the reference. */
  node: SyntaxNode;
  /** `variable` for an expression `x`, `inherit` for `inherit x;` (an attribute taken from scope). */
  site: 'variable' | 'inherit';
  resolution: Resolution;
}

/** Names of the global scope of Nix (builtins available without `builtins.`). */
export const GLOBAL_NAMES: ReadonlySet<string> = new Set([
  'abort', 'baseNameOf', 'break', 'builtins', 'derivation', 'derivationStrict', 'dirOf', 'false',
  'fetchGit', 'fetchMercurial', 'fetchTarball', 'fetchTree', 'fromTOML', 'import', 'isNull',
  'map', 'null', 'placeholder', 'removeAttrs', 'scopedImport', 'throw', 'toString', 'true',
  '__curPos', '__nixPath', '__currentSystem', '__currentTime', '__storeDir',
]);

interface Frame {
  kind: 'static' | 'with';
  node: SyntaxNode;
  names?: Map<string, Definition>;
}

function bindingSetOf(node: SyntaxNode): SyntaxNode | null {
  for (const c of node.namedChildren) if (c.type === 'binding_set') return c;
  return null;
}

/** The names a binding_set introduces (for let / rec / let { }). */
function bindingSetDefinitions(source: string, set: SyntaxNode | null, scope: SyntaxNode, kind: DefinitionKind): Map<string, Definition> {
  const names = new Map<string, Definition>();
  if (!set) return names;
  for (const b of set.namedChildren) {
    if (b.type === 'binding') {
      const path = b.childForFieldName('attrpath');
      const first = path?.namedChildren[0];
      if (!first) continue;
      const name = attrName(source, first);
      if (name !== undefined && !names.has(name)) names.set(name, { name, kind, node: first, scope, holder: b });
    } else if (b.type === 'inherit' || b.type === 'inherit_from') {
      const attrs = b.childForFieldName('attrs');
      for (const a of attrs?.namedChildren ?? []) {
        const name = attrName(source, a);
        if (name !== undefined && !names.has(name)) names.set(name, { name, kind, node: a, scope, holder: b });
      }
    }
  }
  return names;
}

function functionDefinitions(source: string, fn: SyntaxNode): Map<string, Definition> {
  const names = new Map<string, Definition>();
  const universal = fn.childForFieldName('universal');
  if (universal) names.set(source.slice(universal.startIndex, universal.endIndex), {
    name: source.slice(universal.startIndex, universal.endIndex), kind: 'argument', node: universal, scope: fn, holder: fn,
  });
  const formals = fn.childForFieldName('formals');
  for (const f of formals?.namedChildren ?? []) {
    if (f.type !== 'formal') continue;
    const id = f.childForFieldName('name');
    if (!id || id.startIndex === id.endIndex) continue;
    const name = source.slice(id.startIndex, id.endIndex);
    names.set(name, { name, kind: 'formal', node: id, scope: fn, holder: f });
  }
  return names;
}

/**
 * Where a focused index looks: the offsets at which any focus string occurs. A subtree with no
 * occurrence is not walked.
 */
class Focus {
  private starts: number[] = [];
  private readonly names = new Set<string>();
  constructor(
    private readonly source: string,
    strings: readonly string[],
  ) {
    for (const s of strings) this.add(s);
  }

  add(text: string): void {
    if (text === '' || this.names.has(text)) return;
    this.names.add(text);
    for (let i = this.source.indexOf(text); i !== -1; i = this.source.indexOf(text, i + 1)) this.starts.push(i);
    this.starts.sort((a, b) => a - b);
  }

  /** The occurrences that start in [start, end), in order. */
  within(start: number, end: number): number[] {
    const a = this.starts;
    const out: number[] = [];
    for (let i = lowerBound(a, start); i < a.length && a[i]! < end; i++) out.push(a[i]!);
    return out;
  }

  /** Whether an occurrence starts in [start, end). */
  covers(start: number, end: number): boolean {
    const a = this.starts;
    const i = lowerBound(a, start);
    return i < a.length && a[i]! < end;
  }
}

export interface ScopeIndexOptions {
  /**
   * Build a *focused* index: only subtrees whose text contains one of these strings are walked,
   * plus, as the walk meets them, the names of definitions whose text contains one (aliases:
   * `let cuda = cudaPackages.cudatoolkit;` adds `cuda`). Then `references()` is complete only for
   * references to names that contain a focus string or are such aliases, `definitions()` only for
   * the scopes walked; `resolveNameAt` is exact at any node inside a walked subtree (its enclosing
   * scopes are all walked). On a 1 MB `all-packages.nix` this is the difference between a second
   * and a few milliseconds.
   */
  focus?: readonly string[];
}

export class ScopeIndex {
  private refs: Reference[] = [];
  private defs: Definition[] = [];
  private byDefinition = new Map<number, Reference[]>();
  private scopeNames = new Map<number, Map<string, Definition>>();
  private readonly focus?: Focus;

  constructor(private readonly source: string, root: SyntaxNode, options: ScopeIndexOptions = {}) {
    if (options.focus) this.focus = new Focus(source, options.focus);
    this.walk(root);
    this.refs.sort((a, b) => a.node.startIndex - b.node.startIndex);
    for (const list of this.byDefinition.values()) list.sort((a, b) => a.node.startIndex - b.node.startIndex);
  }

  /** Every reference in the file, in source order. */
  references(): readonly Reference[] {
    return this.refs;
  }

  /** Every name a static scope introduces, in source order of the scopes. */
  definitions(): readonly Definition[] {
    return this.defs;
  }

  /** References that resolve to this definition. */
  referencesTo(def: Definition): readonly Reference[] {
    return this.byDefinition.get(def.node.id) ?? [];
  }

  /** The reference whose identifier is this node (or whose variable_expression is this node). */
  referenceAt(node: SyntaxNode): Reference | undefined {
    const id = node.type === 'variable_expression' ? node.childForFieldName('name') : node;
    if (!id) return undefined;
    return this.refs.find((r) => r.node.startIndex === id.startIndex && r.node.endIndex === id.endIndex);
  }

  /**
   * What `name` would refer to if written at `node` (for capture checks before renaming or
   * inserting an identifier).
   */
  resolveNameAt(node: SyntaxNode, name: string): Resolution {
    const withs: SyntaxNode[] = [];
    let prev = node;
    for (let p = node.parent; p; prev = p, p = p.parent) {
      if (p.type === 'with_expression') {
        if (p.childForFieldName('body')?.id === prev.id) withs.push(p);
        continue;
      }
      const names = this.scopeNames.get(p.id);
      if (!names) continue;
      // a function's names are not visible in its formals list itself, only in defaults and body
      const def = names.get(name);
      if (def) return { kind: 'bound', definition: def };
    }
    if (GLOBAL_NAMES.has(name)) return { kind: 'builtin' };
    if (withs.length > 0) return { kind: 'with', withs };
    return { kind: 'free' };
  }

  /** The names a scope node (function, let, rec attrset) introduces. */
  namesOf(scope: SyntaxNode): ReadonlyMap<string, Definition> {
    return this.scopeNames.get(scope.id) ?? new Map();
  }

  private resolve(name: string, frames: Frame[]): Resolution {
    const withs: SyntaxNode[] = [];
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.kind === 'with') {
        withs.push(f.node);
        continue;
      }
      const def = f.names!.get(name);
      if (def) return { kind: 'bound', definition: def };
    }
    if (GLOBAL_NAMES.has(name)) return { kind: 'builtin' };
    if (withs.length > 0) return { kind: 'with', withs };
    return { kind: 'free' };
  }

  private addRef(name: string, node: SyntaxNode, site: Reference['site'], frames: Frame[]): void {
    const resolution = this.resolve(name, frames);
    const ref: Reference = { name, node, site, resolution };
    this.refs.push(ref);
    if (resolution.kind === 'bound') {
      const key = resolution.definition.node.id;
      let list = this.byDefinition.get(key);
      if (!list) this.byDefinition.set(key, (list = []));
      list.push(ref);
    }
  }

  private walk(root: SyntaxNode): void {
    const source = this.source;
    const frames: Frame[] = [];
    // Work items: visit a node with the frame depth it sees, or pop frames to a depth.
    // `whole`: a subtree walked entirely, focus or not (the arguments of a focused call).
    type Item = { node: SyntaxNode; depth: number; newFrames?: Frame[]; whole?: boolean };
    const stack: Item[] = [{ node: root, depth: 0 }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      frames.length = item.depth;
      if (item.newFrames) frames.push(...item.newFrames);
      const node = item.node;
      const depth = frames.length;
      const whole = item.whole === true;
      const focus = whole ? undefined : this.focus;
      const push = (child: SyntaxNode | null | undefined, extra?: Frame[], all = false): void => {
        if (child && (all || !focus || focus.covers(child.startIndex, child.endIndex))) stack.push({ node: child, depth, newFrames: extra, whole: whole || all });
      };
      const pushAll = (children: SyntaxNode[], extra?: Frame[]): void => {
        for (let i = children.length - 1; i >= 0; i--) push(children[i], extra);
      };
      switch (node.type) {
        case 'variable_expression': {
          const id = node.childForFieldName('name');
          if (id && id.startIndex !== id.endIndex) this.addRef(source.slice(id.startIndex, id.endIndex), id, 'variable', frames);
          break;
        }
        case 'function_expression': {
          const names = functionDefinitions(source, node);
          this.defs.push(...names.values());
          this.widenFocus(names);
          this.scopeNames.set(node.id, names);
          const frame: Frame = { kind: 'static', node, names };
          // Defaults of formals see every formal and the @-argument.
          const formals = node.childForFieldName('formals');
          for (const f of formals?.namedChildren ?? []) {
            if (f.type === 'formal') push(f.childForFieldName('default'), [frame]);
          }
          push(node.childForFieldName('body'), [frame]);
          break;
        }
        case 'let_expression':
        case 'rec_attrset_expression':
        case 'let_attrset_expression': {
          const set = bindingSetOf(node);
          const kind: DefinitionKind = node.type === 'let_expression' ? 'let' : 'rec';
          const names = bindingSetDefinitions(source, set, node, kind);
          this.defs.push(...names.values());
          this.widenFocus(names);
          this.scopeNames.set(node.id, names);
          const frame: Frame = { kind: 'static', node, names };
          if (set) this.visitBindingSet(set, frame, frames, push, focus);
          if (node.type === 'let_expression') push(node.childForFieldName('body'), [frame]);
          break;
        }
        case 'attrset_expression': {
          const set = bindingSetOf(node);
          if (set) this.visitBindingSet(set, undefined, frames, push, focus);
          break;
        }
        case 'with_expression': {
          push(node.childForFieldName('body'), [{ kind: 'with', node }]);
          push(node.childForFieldName('environment'));
          break;
        }
        case 'select_expression': {
          push(node.childForFieldName('default'));
          this.visitAttrpath(node.childForFieldName('attrpath'), push);
          push(node.childForFieldName('expression'));
          break;
        }
        case 'has_attr_expression': {
          this.visitAttrpath(node.childForFieldName('attrpath'), push);
          push(node.childForFieldName('expression'));
          break;
        }
        case 'apply_expression': {
          // A call of a focused function (`symlinkJoin { … }`) is walked whole: its arguments
          // say what the call is made of, even where they do not repeat the name.
          const fn = node.childForFieldName('function');
          const all = focus !== undefined && fn !== null && focus.covers(fn.startIndex, fn.endIndex);
          push(node.childForFieldName('argument'), undefined, all);
          push(fn);
          break;
        }
        default:
          pushAll(node.namedChildren);
      }
    }
  }

  /** A definition whose text mentions the focus is an alias: its name joins the focus. */
  private widenFocus(names: Map<string, Definition>): void {
    const focus = this.focus;
    if (!focus) return;
    // To a fixed point: `libPath = makeLibraryPath [ cudaJoined ];` is an alias of an alias.
    const pending = new Set(names.values());
    for (let changed = true; changed; ) {
      changed = false;
      for (const d of pending) {
        const h = d.holder;
        // the function itself holds `args@`: its whole text is not a reason
        const [start, end] = h.type === 'function_expression' ? [d.node.startIndex, d.node.endIndex] : [h.startIndex, h.endIndex];
        if (focus.covers(start, end)) {
          focus.add(d.name);
          pending.delete(d);
          changed = true;
        }
      }
    }
  }

  /** Interpolations inside an attrpath are expressions; names are not. */
  private visitAttrpath(path: SyntaxNode | null, push: (n: SyntaxNode | null | undefined) => void): void {
    if (!path) return;
    const attrs = path.namedChildren;
    for (let i = attrs.length - 1; i >= 0; i--) {
      const a = attrs[i]!;
      if (a.type === 'interpolation') push(a);
      else if (a.type === 'string_expression') push(a);
    }
  }

  /** The children of `set` that hold a focus occurrence, in order. */
  private bindingsAtFocus(set: SyntaxNode, focus: Focus): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const children = set.namedChildren;
    const ends = children.map((c) => c.endIndex);
    let end = -1;
    for (const at of focus.within(set.startIndex, set.endIndex)) {
      if (at < end) continue;
      // The first named child that extends beyond `at`.
      const child = children[lowerBound(ends, at + 1)];
      if (!child) break;
      if (child.startIndex > at) continue; // between two children
      out.push(child);
      end = child.endIndex;
    }
    return out;
  }

  private visitBindingSet(
    set: SyntaxNode,
    frame: Frame | undefined,
    frames: Frame[],
    push: (n: SyntaxNode | null | undefined, extra?: Frame[]) => void,
    focus: Focus | undefined,
  ): void {
    const extra = frame ? [frame] : undefined;
    // A large set (all-packages.nix: tens of thousands of bindings) is entered at the focus
    // occurrences only, instead of looking at every binding.
    const bindings = focus && set.namedChildCount > 64 ? this.bindingsAtFocus(set, focus) : set.namedChildren;
    for (let i = bindings.length - 1; i >= 0; i--) {
      const b = bindings[i]!;
      if (focus && !focus.covers(b.startIndex, b.endIndex)) continue;
      if (b.type === 'binding') {
        push(b.childForFieldName('expression'), extra);
        this.visitAttrpath(b.childForFieldName('attrpath'), (n) => push(n, extra));
      } else if (b.type === 'inherit') {
        // `inherit x;` takes x from the scope outside this binding set.
        for (const a of b.childForFieldName('attrs')?.namedChildren ?? []) {
          const name = attrName(this.source, a);
          if (name !== undefined && a.type === 'identifier') this.addRef(name, a, 'inherit', frames);
        }
      } else if (b.type === 'inherit_from') {
        push(b.childForFieldName('expression'), extra);
      } else {
        push(b, extra);
      }
    }
  }
}
