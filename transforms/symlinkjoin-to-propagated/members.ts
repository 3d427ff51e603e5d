/**
 * The members of a join (docs/cuda.md#joins): what its `paths` lists, however it is written.
 *
 * `paths` is resolved through list literals, `++`, `lib.optionals c [ … ]` / `lib.optional c x`
 * (the member keeps its conditions), `with set; …`, names bound by `let` (and `rec`),
 * `map f xs` / `lib.map` / `builtins.map` over an output selector, `lib.concatMap (f: map f xs)
 * [ selector … ]` (the cupy form), `lib.attrValues` / `builtins.attrValues` of an attribute set
 * whose names are literal (`{ inherit (cudaPackages) a b; }`, `lib.getAttrs [ "a" ] set`), and
 * `lib.getOutput "x"`. Anything else makes the join opaque, with the expression that stopped it.
 *
 * Every member keeps the node it was read from, so that it can be named at the place it is
 * written (`outOfWith`): a name bound only by a `with` is written under that `with`.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import { ALL_COMPONENTS } from '../../src/cuda/facts.js';
import { isCudaPackageSet } from '../../src/nixpkgs/index.js';
import type { TransformApi } from '../../src/transform.js';

export type Output = 'lib' | 'dev' | 'bin' | 'static' | 'out' | 'stubs';
const OUTPUTS = new Set<string>(['lib', 'dev', 'bin', 'static', 'out', 'stubs']);

export interface Member {
  /** The package expression without output accessor (`cudaPackages.libcublas`), named out of `with`s. */
  pkg: string;
  name: string;
  output: Output;
  cuda: boolean;
  /** The element's own text, named out of `with`s. */
  text: string;
  /** The node and texts `pkg` and `text` are written from (to name them at another place). */
  pkgNode: SyntaxNode;
  rawPkg: string;
  rawText: string;
  /** The output was chosen by a selector applied to a list (`map lib.getLib xs`): `text` is not the element. */
  mapped: boolean;
  /** Conditions it is a member under (`lib.optionals c [ … ]`), outermost first. */
  conditions: string[];
}

/** CUDA packages outside the toolkit's component list (docs/cuda.md#packages). */
const OTHER_CUDA = /^(cudnn|nccl|libcutensor|cutensor|libcusparse_lt|cusparselt|libcufile|cuda_nvprof|cudaPackages.*|cuda_\w+|libcu\w+|libnv\w+|libnpp\w*)$/;

export interface Resolved {
  members: Member[];
  /** Why the members cannot all be listed (an expression that is not resolved). */
  opaque?: string;
  /** The list literals the members come from. */
  lists: SyntaxNode[];
}

type Selector = Output | undefined;

export class MemberResolver {
  private readonly src: string;

  constructor(private readonly api: TransformApi) {
    this.src = api.source;
  }

  private text(n: { startIndex: number; endIndex: number }): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  /** The members of `paths = value`. */
  resolve(value: SyntaxNode): Resolved {
    const out: Resolved = { members: [], lists: [] };
    this.walk(value, [], undefined, out, new Set());
    return out;
  }

  private walk(node: SyntaxNode, conditions: string[], selector: Selector, out: Resolved, seen: Set<number>): void {
    const syntax = this.api.syntax;
    const n = syntax.unparen(node);
    const stop = (why: string): void => {
      out.opaque ??= why;
    };
    switch (n.type) {
      case 'list_expression':
        out.lists.push(n);
        for (const el of syntax.listElements(n)) {
          const m = this.member(el, selector);
          m.conditions = conditions;
          out.members.push(m);
        }
        return;
      case 'with_expression':
        return this.walk(n.childForFieldName('body')!, conditions, selector, out, seen);
      case 'binary_expression': {
        if (n.childForFieldName('operator')?.text !== '++') return stop(this.text(n));
        this.walk(n.childForFieldName('left')!, conditions, selector, out, seen);
        return this.walk(n.childForFieldName('right')!, conditions, selector, out, seen);
      }
      case 'variable_expression': {
        // a name bound by `let` / `rec` to a list
        const r = this.api.scopes().resolveNameAt(n, this.text(n));
        const holder = r.kind === 'bound' ? r.definition.holder : undefined;
        const value = holder?.type === 'binding' ? holder.childForFieldName('expression') : undefined;
        if (!value || seen.has(holder!.id) || (r.kind === 'bound' && r.definition.kind !== 'let' && r.definition.kind !== 'rec')) return stop(this.text(n));
        seen.add(holder!.id);
        this.walk(value, conditions, selector, out, seen);
        seen.delete(holder!.id);
        return;
      }
      case 'apply_expression':
        return this.walkApply(n, conditions, selector, out, seen, stop);
      default:
        return stop(this.text(n));
    }
  }

  /** `f a b` (curried): optionals, map, concatMap, attrValues. */
  private walkApply(n: SyntaxNode, conditions: string[], selector: Selector, out: Resolved, seen: Set<number>, stop: (why: string) => void): void {
    const syntax = this.api.syntax;
    const { fn, args } = this.applyParts(n);
    const d = syntax.dottedName(this.src, fn);
    const name = d?.[d.length - 1];
    if ((name === 'optionals' || name === 'optional') && args.length === 2) {
      const cond = [...conditions, this.text(args[0]!)];
      if (name === 'optionals') return this.walk(args[1]!, cond, selector, out, seen);
      const m = this.member(args[1]!, selector);
      m.conditions = cond;
      out.members.push(m);
      return;
    }
    if ((name === 'map' || name === 'forEach') && args.length === 2) {
      const [f, xs] = name === 'map' ? args : [args[1]!, args[0]!];
      const sel = this.selector(f!);
      if (sel === null || selector !== undefined) return stop(this.text(n));
      return this.walk(xs!, conditions, sel, out, seen);
    }
    if (name === 'concatMap' && args.length === 2) {
      // lib.concatMap (f: lib.map f xs) [ lib.getLib lib.getDev (lib.getOutput "static") … ]
      const [f, sels] = args;
      const lambda = syntax.unparen(f!);
      const selList = syntax.unparen(sels!);
      if (lambda.type !== 'function_expression' || selList.type !== 'list_expression') return stop(this.text(n));
      const param = lambda.childForFieldName('universal');
      const body = syntax.unparen(lambda.childForFieldName('body')!);
      const inner = body.type === 'apply_expression' ? this.applyParts(body) : undefined;
      const mapName = inner?.fn ? syntax.dottedName(this.src, inner.fn)?.at(-1) : undefined;
      if (!param || mapName !== 'map' || inner!.args.length !== 2 || this.text(inner!.args[0]!) !== this.text(param)) return stop(this.text(n));
      for (const s of syntax.listElements(selList)) {
        const sel = this.selector(s);
        if (sel === null) return stop(this.text(s));
        this.walk(inner!.args[1]!, conditions, sel, out, seen);
      }
      return;
    }
    if (name === 'attrValues' && args.length === 1) {
      const set = syntax.unparen(args[0]!);
      if (set.type === 'attrset_expression') {
        for (const c of syntax.bindingSet(set)?.namedChildren ?? []) {
          if (c.type === 'inherit_from') {
            for (const a of c.childForFieldName('attrs')?.namedChildren ?? []) if (a.type !== 'comment') out.members.push({ ...this.member(a, selector, c.childForFieldName('expression')!), conditions });
          } else if (c.type === 'binding') {
            const v = c.childForFieldName('expression');
            if (v) out.members.push({ ...this.member(v, selector), conditions });
          } else if (c.type !== 'comment') return stop(this.text(c));
        }
        return;
      }
      // lib.getAttrs [ "a" "b" ] set
      const inner = set.type === 'apply_expression' ? this.applyParts(set) : undefined;
      if (inner && syntax.dottedName(this.src, inner.fn)?.at(-1) === 'getAttrs' && inner.args.length === 2) {
        const names = syntax.unparen(inner.args[0]!);
        if (names.type !== 'list_expression') return stop(this.text(n));
        for (const s of syntax.listElements(names)) {
          if (s.type !== 'string_expression' || /\$\{/.test(this.text(s))) return stop(this.text(s));
          out.members.push({ ...this.member(s, selector, inner.args[1]!, this.text(s).slice(1, -1)), conditions });
        }
        return;
      }
    }
    return stop(this.text(n));
  }

  private applyParts(app: SyntaxNode): { fn: SyntaxNode; args: SyntaxNode[] } {
    const args: SyntaxNode[] = [];
    let fn: SyntaxNode = app;
    while (fn.type === 'apply_expression') {
      args.unshift(fn.childForFieldName('argument')!);
      fn = this.api.syntax.unparen(fn.childForFieldName('function')!);
    }
    return { fn, args };
  }

  /** The output an output selector picks (`lib.getLib`, `(lib.getOutput "static")`, `(p: p.dev)`); null when it is not one. */
  selector(node: SyntaxNode): Selector | null {
    const syntax = this.api.syntax;
    const n = syntax.unparen(node);
    const d = syntax.dottedName(this.src, n);
    const last = d?.[d.length - 1];
    if (last === 'getLib' || last === 'getDev' || last === 'getBin') return last.slice(3).toLowerCase() as Output;
    if (n.type === 'apply_expression') {
      const { fn, args } = this.applyParts(n);
      if (syntax.dottedName(this.src, fn)?.at(-1) === 'getOutput' && args.length === 1 && args[0]!.type === 'string_expression') {
        const o = this.text(args[0]!).slice(1, -1);
        return OUTPUTS.has(o) ? (o as Output) : null;
      }
    }
    if (n.type === 'function_expression') {
      const param = n.childForFieldName('universal');
      const body = syntax.unparen(n.childForFieldName('body')!);
      const parts = body.type === 'select_expression' ? syntax.selectParts(this.src, body) : undefined;
      if (param && parts && parts.path.length === 1 && this.text(parts.base) === this.text(param) && OUTPUTS.has(parts.path[0]!)) return parts.path[0] as Output;
    }
    return null;
  }

  /**
   * One member: an element (`cudaPackages.libcublas`, `libcublas.dev`, `(lib.getLib x)`,
   * `(lib.getOutput "static" x)`), under a selector applied to its list, or an inherited name of
   * `from` (`inherit (cudaPackages) x;`, `getAttrs [ "x" ] from`).
   */
  member(el: SyntaxNode, selector?: Selector, from?: SyntaxNode, attr?: string): Member {
    const syntax = this.api.syntax;
    if (from) {
      const name = attr ?? this.text(el);
      const rawPkg = `${this.text(from)}.${name}`;
      const pkg = this.outOfWith(rawPkg, from);
      return { pkg, name, output: selector ?? 'out', cuda: this.isCuda(name, pkg, undefined, from), text: pkg, pkgNode: from, rawPkg, rawText: rawPkg, mapped: selector !== undefined, conditions: [] };
    }
    const n = syntax.unparen(el);
    let pkgNode = n;
    let output: Output = 'out';
    if (n.type === 'apply_expression') {
      const { fn, args } = this.applyParts(n);
      const last = syntax.dottedName(this.src, fn)?.at(-1);
      if ((last === 'getLib' || last === 'getDev' || last === 'getBin') && args.length === 1) {
        output = last.slice(3).toLowerCase() as Output;
        pkgNode = syntax.unparen(args[0]!);
      } else if (last === 'getOutput' && args.length === 2) {
        const o = this.text(args[0]!).replace(/"/g, '');
        output = (OUTPUTS.has(o) ? o : 'out') as Output;
        pkgNode = syntax.unparen(args[1]!);
      }
    } else if (n.type === 'select_expression') {
      const parts = syntax.selectParts(this.src, n);
      const last = parts?.path[parts.path.length - 1];
      if (parts && last && OUTPUTS.has(last) && !parts.fallback) {
        output = last as Output;
        if (parts.path.length === 1) pkgNode = parts.base;
        else {
          const t = this.text(n);
          const rawPkg = t.slice(0, t.lastIndexOf('.'));
          const pkg = this.outOfWith(rawPkg, n);
          const name = pkg.split('.').pop()!;
          return { pkg, name, output: selector ?? output, cuda: this.isCuda(name, pkg), text: this.outOfWith(this.text(el), n, true), pkgNode: n, rawPkg, rawText: this.text(el), mapped: selector !== undefined, conditions: [] };
        }
      }
    }
    const pkg = this.outOfWith(this.text(pkgNode), pkgNode);
    const d = syntax.dottedName(this.src, pkgNode);
    const name = d ? d[d.length - 1]! : pkg;
    return { pkg, name, output: selector ?? output, cuda: this.isCuda(name, pkg, pkgNode), text: this.outOfWith(this.text(el), pkgNode, true), pkgNode, rawPkg: this.text(pkgNode), rawText: this.text(el), mapped: selector !== undefined, conditions: [] };
  }

  /**
   * `text`, an expression whose leftmost name is that of `node`, written so that it means at
   * `site` what it means where it is: a name bound only by `with`s that do not hold `site` is
   * written under them: `with cudaPackages; [ cuda_cudart ]` → `cudaPackages.cuda_cudart`,
   * `with final; [ cudaPackages.x ]` → `final.cudaPackages.x`, several `with`s of unknown sets
   * `(with a; with b; x)`. `whole`: `text` is a whole element (`(lib.getLib x)`), wrapped unless
   * it is the package itself. Without `site`: named for anywhere.
   */
  outOfWith(text: string, node: SyntaxNode, whole = false, site?: SyntaxNode): string {
    const away = (withs: readonly SyntaxNode[]): SyntaxNode[] => (site ? withs.filter((w) => !(w.startIndex <= site.startIndex && site.endIndex <= w.endIndex)) : [...withs]);
    const env = (e: SyntaxNode): string => this.outOfWith(this.text(e), e, false, site);
    let root = this.api.syntax.unparen(node);
    while (root.type === 'select_expression') root = this.api.syntax.unparen(root.childForFieldName('expression')!);
    if (root.type === 'variable_expression' && (!whole || text === this.text(node))) {
      const r = this.api.scopes().resolveNameAt(root, this.text(root));
      if (r.kind !== 'with') return text;
      const withs = away(r.withs);
      if (withs.length === 0) return text;
      const envs = withs.map((w) => w.childForFieldName('environment')!).filter(Boolean);
      const cuda = envs.find((e) => isCudaPackageSet(this.src, e));
      const one = cuda ?? (envs.length === 1 && this.api.syntax.dottedName(this.src, envs[0]!) ? envs[0] : undefined);
      // (a prefix only where the text starts with the name: not `(cudaPackages).x`)
      if (one && text.startsWith(this.text(root))) return `${env(one)}.${text}`;
      return `(${envs.map((e) => `with ${env(e)}; `).reverse().join('')}${text})`;
    }
    // any other expression (`(lib.getLib libcurand)`, `(f x)`): under every `with` one of its
    // names comes through
    const withs: SyntaxNode[] = [];
    for (const v of [node, ...node.descendantsOfType('variable_expression')]) {
      if (v.type !== 'variable_expression') continue;
      const r = this.api.scopes().resolveNameAt(v, this.text(v));
      if (r.kind === 'with') for (const w of away(r.withs)) if (!withs.includes(w)) withs.push(w);
    }
    if (withs.length === 0) return text;
    withs.sort((a, b) => a.startIndex - b.startIndex);
    return `(${withs.map((w) => `with ${env(w.childForFieldName('environment')!)}; `).join('')}${text})`;
  }

  /** A member's package, named at `site`. */
  pkgAt(m: Member, site: SyntaxNode): string {
    return this.outOfWith(m.rawPkg, m.pkgNode, false, site);
  }

  /** A member's element text, named at `site`. */
  textAt(m: Member, site: SyntaxNode): string {
    if (m.rawText === m.rawPkg || m.mapped) return this.pkgAt(m, site);
    return this.outOfWith(m.rawText, m.pkgNode, true, site);
  }

  isCuda(name: string, pkg: string, node?: SyntaxNode, from?: SyntaxNode): boolean {
    const cudaName = (n: string): boolean => ALL_COMPONENTS.has(n) || OTHER_CUDA.test(n) || n === 'cudatoolkit' || /^cudatoolkit_/.test(n);
    // (any part of its path: `cudatoolkit.passthru`, `cudaPackages.cudnn.lib`)
    if (cudaName(name) || pkg.split(/[^\w'-]+/).some(cudaName)) return true;
    if (from && isCudaPackageSet(this.src, from)) return true;
    if (node?.type === 'select_expression') {
      const base = node.childForFieldName('expression');
      if (base && isCudaPackageSet(this.src, base)) return true;
    }
    return /(^|\.)cudaPackages(_\d+)*\./.test(pkg) || /^cudaPackages/.test(pkg.split('.').slice(-2)[0] ?? '');
  }
}
