/**
 * Syntax helpers over the tree-sitter-nix tree. All of them read text from the original source
 * (the tree may come from a same-length shadow copy, see parser.ts).
 */
import type { SyntaxNode } from './tree.js';

export function nodeText(source: string, node: { startIndex: number; endIndex: number }): string {
  return source.slice(node.startIndex, node.endIndex);
}

/** The static name of an attribute (`a`, `"a"`), or undefined when it is dynamic (`${x}`). */
export function attrName(source: string, attr: SyntaxNode): string | undefined {
  if (attr.type === 'identifier') return nodeText(source, attr);
  if (attr.type === 'string_expression') {
    const parts = attr.namedChildren;
    if (parts.length === 0) return '';
    if (parts.every((p) => p.type === 'string_fragment')) return parts.map((p) => nodeText(source, p)).join('');
  }
  return undefined;
}

/** Unwrap parentheses: `((x))` → `x`. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.childForFieldName('expression');
    if (!inner) break;
    n = inner;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Formals of the file's top function

export interface Formal {
  name: string;
  /** The `formal` node (name plus optional `? default`). */
  node: SyntaxNode;
  nameNode: SyntaxNode;
  defaultNode: SyntaxNode | null;
}

export interface FunctionInfo {
  node: SyntaxNode;
  formalsNode: SyntaxNode | null;
  formals: Formal[];
  ellipsis: SyntaxNode | null;
  /** `args` in `args@{ … }:` or `{ … }@args:` or `x:` */
  universal: SyntaxNode | null;
  body: SyntaxNode | null;
}

export function functionInfo(source: string, fn: SyntaxNode): FunctionInfo {
  const formalsNode = fn.childForFieldName('formals');
  const formals: Formal[] = [];
  let ellipsis: SyntaxNode | null = null;
  for (const c of formalsNode?.namedChildren ?? []) {
    if (c.type === 'formal') {
      const nameNode = c.childForFieldName('name');
      if (!nameNode || nameNode.startIndex === nameNode.endIndex) continue;
      formals.push({ name: nodeText(source, nameNode), node: c, nameNode, defaultNode: c.childForFieldName('default') });
    } else if (c.type === 'ellipses') {
      ellipsis = c;
    }
  }
  return { node: fn, formalsNode, formals, ellipsis, universal: fn.childForFieldName('universal'), body: fn.childForFieldName('body') };
}

/**
 * The file's top function: the root expression when it is a function with formals, looking
 * through leading comments only. (`{ lib, stdenv, … }: …` — the shape of a nixpkgs package.)
 */
export function topFunction(source: string, root: SyntaxNode): FunctionInfo | undefined {
  const expr = root.childForFieldName('expression') ?? root.namedChildren.find((c) => c.type !== 'comment');
  if (!expr || expr.type !== 'function_expression') return undefined;
  const info = functionInfo(source, expr);
  return info.formalsNode ? info : undefined;
}

// ---------------------------------------------------------------------------------------------
// Select expressions

export interface SelectParts {
  /** The expression before the first dot. */
  base: SyntaxNode;
  /** Static attribute names after it (undefined entries for dynamic `${…}` parts). */
  path: (string | undefined)[];
  attrNodes: SyntaxNode[];
  /** The `or` default, when present. */
  fallback: SyntaxNode | null;
}

export function selectParts(source: string, node: SyntaxNode): SelectParts | undefined {
  if (node.type !== 'select_expression') return undefined;
  const base = node.childForFieldName('expression');
  const path = node.childForFieldName('attrpath');
  if (!base || !path) return undefined;
  const attrNodes = path.namedChildren;
  return { base, path: attrNodes.map((a) => attrName(source, a)), attrNodes, fallback: node.childForFieldName('default') };
}

/** `a.b.c` as ['a','b','c'] when the base is a plain variable and every part is static. */
export function dottedName(source: string, node: SyntaxNode): string[] | undefined {
  const n = unparen(node);
  if (n.type === 'variable_expression') return [nodeText(source, n)];
  const parts = selectParts(source, n);
  if (!parts || parts.fallback) return undefined;
  const base = dottedName(source, parts.base);
  if (!base || parts.path.some((p) => p === undefined)) return undefined;
  return [...base, ...(parts.path as string[])];
}

// ---------------------------------------------------------------------------------------------
// Bindings and the lists in their values

/** The binding_set of an attrset-like node (`{ }`, `rec { }`, `let … in`), if any. */
export function bindingSet(node: SyntaxNode): SyntaxNode | null {
  for (const c of node.namedChildren) if (c.type === 'binding_set') return c;
  return null;
}

export interface BindingInfo {
  node: SyntaxNode;
  /** The attrpath as static names (undefined for dynamic parts). */
  path: (string | undefined)[];
  attrpath: SyntaxNode;
  value: SyntaxNode;
}

/** The bindings (`a.b = v;`, not inherits) directly in an attrset-like node. */
export function bindingsOf(source: string, attrset: SyntaxNode): BindingInfo[] {
  const set = bindingSet(attrset);
  const out: BindingInfo[] = [];
  for (const b of set?.namedChildren ?? []) {
    if (b.type !== 'binding') continue;
    const attrpath = b.childForFieldName('attrpath');
    const value = b.childForFieldName('expression');
    if (!attrpath || !value) continue;
    out.push({ node: b, attrpath, value, path: attrpath.namedChildren.map((a) => attrName(source, a)) });
  }
  return out;
}

/**
 * The attribute names an attrset-like node defines directly: the first name of each binding's
 * path and each inherited name (`inherit a;`, `inherit (x) b;`), with the node that defines it.
 */
export function definedAttributes(source: string, attrset: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const c of bindingSet(attrset)?.namedChildren ?? []) {
    if (c.type === 'binding') {
      const first = c.childForFieldName('attrpath')?.namedChildren[0];
      const name = first ? attrName(source, first) : undefined;
      if (name !== undefined && !out.has(name)) out.set(name, c);
    } else if (c.type === 'inherit' || c.type === 'inherit_from') {
      for (const a of c.childForFieldName('attrs')?.namedChildren ?? []) {
        const name = a.type === 'comment' ? undefined : attrName(source, a);
        if (name !== undefined && !out.has(name)) out.set(name, a);
      }
    }
  }
  return out;
}

/** Every binding in the file whose attrpath is exactly `path` (e.g. `buildInputs`, `passthru.x`). */
export function findBindings(source: string, root: SyntaxNode, path: string | string[]): BindingInfo[] {
  const want = Array.isArray(path) ? path : path.split('.');
  const out: BindingInfo[] = [];
  for (const b of descendantsOfType(root, 'binding')) {
    const attrpath = b.childForFieldName('attrpath');
    const value = b.childForFieldName('expression');
    if (!attrpath || !value) continue;
    const names = attrpath.namedChildren.map((a) => attrName(source, a));
    if (names.length === want.length && names.every((n, i) => n === want[i])) out.push({ node: b, attrpath, value, path: names });
  }
  return out;
}

/** The well-known dependency lists of a derivation. */
export const INPUT_ATTRS = [
  'nativeBuildInputs',
  'buildInputs',
  'propagatedBuildInputs',
  'propagatedNativeBuildInputs',
  'depsBuildBuild',
  'nativeCheckInputs',
  'checkInputs',
  'dependencies',
  'build-system',
] as const;

export interface ListPart {
  list: SyntaxNode;
  /** Source text of the conditions guarding this part (`lib.optionals cudaSupport`, `if c then`). */
  conditions: string[];
  /** Environments of enclosing `with e;` inside the value (innermost last). */
  withs: SyntaxNode[];
}

const OPTIONALS = new Set(['optionals', 'optional']);

/**
 * The list literals that make up a list-valued expression: through `++`, parentheses,
 * `lib.optionals cond [ … ]` (and `optionals` under `with lib;`), `if c then [ … ] else [ … ]`
 * and `with x; [ … ]`.
 */
export function listParts(source: string, value: SyntaxNode): ListPart[] {
  return walkListValue(source, value).parts;
}

/** One element a list-valued binding contributes, with the conditions guarding it. */
export interface ValueMember {
  node: SyntaxNode;
  conditions: string[];
}

/**
 * Every element a list-valued binding contributes: the elements of its list parts and the
 * argument of each `lib.optional cond x`, each with its conditions.
 */
export function valueMembers(source: string, value: SyntaxNode): ValueMember[] {
  const { parts, singles } = walkListValue(source, value);
  return [...parts.flatMap((p) => listElements(p.list).map((node) => ({ node, conditions: p.conditions }))), ...singles].sort((a, b) => a.node.startIndex - b.node.startIndex);
}

function walkListValue(source: string, value: SyntaxNode): { parts: ListPart[]; singles: ValueMember[] } {
  const out: ListPart[] = [];
  const singles: ValueMember[] = [];
  const stack: { node: SyntaxNode; conditions: string[]; withs: SyntaxNode[] }[] = [{ node: value, conditions: [], withs: [] }];
  while (stack.length > 0) {
    const { node, conditions, withs } = stack.pop()!;
    const n = unparen(node);
    switch (n.type) {
      case 'list_expression':
        out.push({ list: n, conditions, withs });
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator');
        if (op && nodeText(source, op) === '++') {
          const r = n.childForFieldName('right');
          const l = n.childForFieldName('left');
          if (r) stack.push({ node: r, conditions, withs });
          if (l) stack.push({ node: l, conditions, withs });
        }
        break;
      }
      case 'with_expression': {
        const body = n.childForFieldName('body');
        const env = n.childForFieldName('environment');
        if (body && env) stack.push({ node: body, conditions, withs: [...withs, env] });
        break;
      }
      case 'if_expression': {
        const c = n.childForFieldName('condition');
        const cond = c ? nodeText(source, c) : '?';
        const alt = n.childForFieldName('alternative');
        const cons = n.childForFieldName('consequence');
        if (alt) stack.push({ node: alt, conditions: [...conditions, `!(${cond})`], withs });
        if (cons) stack.push({ node: cons, conditions: [...conditions, cond], withs });
        break;
      }
      case 'apply_expression': {
        // lib.optionals cond [ … ]  ==  apply(apply(lib.optionals, cond), [ … ])
        const fn = n.childForFieldName('function');
        const arg = n.childForFieldName('argument');
        if (fn?.type === 'apply_expression' && arg) {
          const callee = fn.childForFieldName('function');
          const cond = fn.childForFieldName('argument');
          const name = callee ? dottedName(source, callee) : undefined;
          const last = name?.[name.length - 1];
          if (last === 'optionals' && cond) stack.push({ node: arg, conditions: [...conditions, nodeText(source, cond)], withs });
          else if (last === 'optional' && cond) singles.push({ node: arg, conditions: [...conditions, nodeText(source, cond)] });
        }
        break;
      }
      default:
        break;
    }
  }
  return { parts: out, singles };
}

export interface ListContext {
  /** The binding whose value holds the list (through `++`, optionals, `if`, `with`, parentheses). */
  binding?: SyntaxNode;
  /** Its attribute path, dotted (`buildInputs`, `passthru.x`). */
  name?: string;
  /** The function the list is passed to directly (`makeLibraryPath`), when any. */
  call?: string;
  /** The conditions guarding the list within the binding's value. */
  conditions: string[];
}

/** Where a list literal sits: the binding that holds it, or the function it is passed to. */
export function listContext(source: string, list: SyntaxNode): ListContext {
  let node = list;
  for (let p = list.parent; p; node = p, p = p.parent) {
    if (p.type === 'binding') {
      if (p.childForFieldName('expression')?.id !== node.id) return { conditions: [] };
      const path = p.childForFieldName('attrpath')!;
      const name = path.namedChildren.map((a) => attrName(source, a) ?? '?').join('.');
      const part = listParts(source, p.childForFieldName('expression')!).find((x) => x.list.id === list.id);
      return { binding: p, name, conditions: part?.conditions ?? [] };
    }
    if (p.type === 'apply_expression') {
      const fn = p.childForFieldName('function');
      const dotted = fn ? dottedName(source, unparen(fn)) : undefined;
      const last = dotted?.[dotted.length - 1];
      if (fn?.type === 'apply_expression') {
        const inner = fn.childForFieldName('function');
        const d = inner ? dottedName(source, inner) : undefined;
        if (d && OPTIONALS.has(d[d.length - 1]!)) continue; // lib.optionals cond [ … ]
      }
      if (p.childForFieldName('argument')?.id === node.id && last) return { call: last, conditions: [] };
      return { conditions: [] };
    }
    if (['binary_expression', 'parenthesized_expression', 'with_expression', 'if_expression'].includes(p.type)) continue;
    return { conditions: [] };
  }
  return { conditions: [] };
}

/** Elements of a list literal (comments excluded). */
export function listElements(list: SyntaxNode): SyntaxNode[] {
  return list.namedChildren.filter((c) => c.type !== 'comment');
}

// ---------------------------------------------------------------------------------------------
// Strings

export interface InterpolationInfo {
  node: SyntaxNode;
  expression: SyntaxNode;
  /** The literal text that follows the interpolation in the same string, up to the next one. */
  after: string;
  /** The literal text that precedes it, back to the previous interpolation. */
  before: string;
  /** The string node (string_expression / indented_string_expression / path) that holds it. */
  string: SyntaxNode;
}

/** Interpolations of a string or path node, with the literal text around each. */
export function interpolations(source: string, str: SyntaxNode): InterpolationInfo[] {
  const parts = str.namedChildren;
  const out: InterpolationInfo[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.type !== 'interpolation') continue;
    const expression = p.childForFieldName('expression');
    if (!expression) continue;
    let before = '';
    for (let j = i - 1; j >= 0 && parts[j]!.type !== 'interpolation'; j--) before = nodeText(source, parts[j]!) + before;
    let after = '';
    for (let j = i + 1; j < parts.length && parts[j]!.type !== 'interpolation'; j++) after += nodeText(source, parts[j]!);
    out.push({ node: p, expression, before, after, string: str });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tree walking (iterative: deep nesting must not overflow the stack)

export function descendants(root: SyntaxNode): Generator<SyntaxNode> {
  return root.descendants();
}

/** The node and its descendants of the given types, in source order. */
export function descendantsOfType(root: SyntaxNode, type: string | string[]): SyntaxNode[] {
  return root.descendantsOfType(type);
}

/** Ancestors of a node, nearest first. */
export function* ancestors(node: SyntaxNode): Generator<SyntaxNode> {
  for (let p = node.parent; p; p = p.parent) yield p;
}

/**
 * Nodes of a type whose text contains `needle`, in source order (outer before inner): the same
 * as filtering `descendantsOfType(root, type)` by text, but found from the needle's occurrences
 * upwards, so the cost follows the number of occurrences, not the size of the file (a megabyte
 * of `all-packages.nix` has 40,000 applications and a hundred that matter).
 */
export function nodesOfTypeContaining(source: string, root: SyntaxNode, type: string, needle: string): SyntaxNode[] {
  const found = new Map<number, SyntaxNode>();
  for (let at = source.indexOf(needle); at !== -1; at = source.indexOf(needle, at + needle.length)) {
    const end = at + needle.length;
    for (let n: SyntaxNode | null = root.descendantForIndex(at, end); n; n = n.parent) {
      if (n.startIndex > at || n.endIndex < end) continue;
      if (n.type === type) {
        if (found.has(n.id)) break; // its ancestors were seen through an earlier occurrence
        found.set(n.id, n);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}
