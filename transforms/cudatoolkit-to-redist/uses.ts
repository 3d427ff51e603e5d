/**
 * Finding the uses: every expression that resolves to the legacy toolkit (a formal, a let
 * alias, `inherit (cudaPackages) cudatoolkit`, `with cudaPackages;`, `pkgs.cudatoolkit`,
 * `cudaPackages_11.cudatoolkit`, versioned `cudatoolkit_11`), with the package set it belongs to.
 *
 * `# nixshift-ignore` (src/nix/suppressions.ts): every use inside a suppressed range, and every
 * use of a suppressed definition (formal, let alias, inherit), is left as is, so the definition
 * it refers to is kept (`formal-kept`), with `cudaPackages` added beside it when other uses need it.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import type { Definition } from '../../src/nix/scope.js';
import { isCudaPackageSet, isPackageSet } from '../../src/nixpkgs/index.js';
import { packageSetVersion, toolkitNameVersion } from '../../src/cuda/facts.js';
import type { Ctx, SetRef, Use } from './context.js';

/** The set a toolkit expression belongs to, from the expression (select) text. */
export function setOfSelect(ctx: Ctx, base: SyntaxNode, attr: string): SetRef | undefined {
  if (isCudaPackageSet(ctx.src, base) && attr === 'cudatoolkit') {
    const name = ctx.api.syntax.dottedName(ctx.src, base)!;
    return { text: name.join('.'), version: packageSetVersion(name[name.length - 1]!), ...throughWith(ctx, base) };
  }
  if (isPackageSet(ctx.src, base)) {
    const v = toolkitNameVersion(attr);
    if (v === null) return undefined;
    return { text: `${ctx.text(base)}.cudaPackages${v ? `_${v}` : ''}`, version: v, ...throughWith(ctx, base) };
  }
  return undefined;
}

/**
 * `pkgs.cudatoolkit` where `pkgs` is bound by nothing but a `with` around it: the `with`s the
 * name comes through, so that what is written outside them is written under them too.
 */
function throughWith(ctx: Ctx, base: SyntaxNode): { withs: SyntaxNode[] } | undefined {
  let root = ctx.api.syntax.unparen(base);
  while (root.type === 'select_expression') root = ctx.api.syntax.unparen(root.childForFieldName('expression')!);
  if (root.type !== 'variable_expression') return undefined;
  const r = ctx.api.scopes().resolveNameAt(root, ctx.text(root));
  return r.kind === 'with' ? { withs: [...r.withs] } : undefined;
}

/** The set of a definition that stands for the toolkit, or undefined when it is something else. */
export function setOfDefinition(ctx: Ctx, def: Definition): SetRef | undefined {
  const v = toolkitNameVersion(def.name);
  if (ctx.top && def.kind === 'formal' && def.scope.id === ctx.top.node.id) {
    if (v === null) return undefined;
    return { text: `cudaPackages${v ? `_${v}` : ''}`, version: v };
  }
  if (def.holder.type === 'inherit_from') {
    const from = def.holder.childForFieldName('expression');
    return from ? setOfSelect(ctx, from, def.name) : undefined;
  }
  if (def.holder.type === 'binding' && (def.kind === 'let' || def.kind === 'rec')) {
    // let cudatoolkit = cudaPackages.cudatoolkit;  (an alias)
    const path = def.holder.childForFieldName('attrpath');
    if (path?.namedChildren.length !== 1) return undefined;
    const value = def.holder.childForFieldName('expression');
    if (!value) return undefined;
    const parts = ctx.api.syntax.selectParts(ctx.src, ctx.api.syntax.unparen(value));
    if (parts && parts.path.length === 1 && parts.path[0] && !parts.fallback) return setOfSelect(ctx, parts.base, parts.path[0]);
  }
  return undefined;
}

/**
 * The version of a set named by a local binding: `let cudaPackages = pkgs.cudaPackages_11_6;`
 * makes `cudaPackages` CUDA 11.6 (version-gated packages are left out for it).
 */
function withVersion(ctx: Ctx, set: SetRef, site: SyntaxNode): SetRef {
  if (set.version !== undefined) return set;
  const r = ctx.api.scopes().resolveNameAt(site, set.text.split('.')[0]!);
  if (r.kind !== 'bound' || r.definition.holder.type !== 'binding') return set;
  const value = r.definition.holder.childForFieldName('expression');
  const name = value ? ctx.api.syntax.dottedName(ctx.src, value) : undefined;
  const version = name ? packageSetVersion(name[name.length - 1]!) : undefined;
  return version ? { ...set, version } : set;
}

/** Extend a reference to the select expression that takes attributes from it. */
function useOf(ctx: Ctx, ref: SyntaxNode, setIn: SetRef, def?: Definition): Use {
  const set = withVersion(ctx, setIn, ref);
  const expr = ref.type === 'identifier' ? ref.parent! : ref;
  const parent = expr.parent;
  if (parent?.type === 'select_expression' && parent.childForFieldName('expression')?.id === expr.id && !parent.childForFieldName('default')) {
    const parts = ctx.api.syntax.selectParts(ctx.src, parent)!;
    if (parts.path.every((p) => p !== undefined)) return { node: parent, attrs: parts.path as string[], set, def };
  }
  return { node: expr, attrs: [], set, def };
}

/** Uses through names: formals, aliases, inherits, `with`. */
function collectReferences(ctx: Ctx): void {
  for (const ref of ctx.api.scopes().references()) {
    const r = ref.resolution;
    if (ref.site === 'inherit') {
      const set = r.kind === 'bound' ? setOfDefinition(ctx, r.definition) : undefined;
      if (set) ctx.inheritUses.push({ node: ref.node, attrs: [], set, def: r.kind === 'bound' ? r.definition : undefined });
      continue;
    }
    if (r.kind === 'bound') {
      const set = setOfDefinition(ctx, r.definition);
      if (set) ctx.uses.push(useOf(ctx, ref.node, set, r.definition));
    } else if (r.kind === 'with') {
      const envs = r.withs.map((w) => w.childForFieldName('environment')).filter((e): e is SyntaxNode => !!e);
      const cuda = envs.find((e) => isCudaPackageSet(ctx.src, e));
      if (cuda && ref.name === 'cudatoolkit') {
        const name = ctx.api.syntax.dottedName(ctx.src, cuda)!;
        ctx.uses.push(useOf(ctx, ref.node, { text: name.join('.'), version: packageSetVersion(name[name.length - 1]!) }));
        continue;
      }
      const pkgs = envs.find((e) => isPackageSet(ctx.src, e));
      const v = toolkitNameVersion(ref.name);
      const setName = `cudaPackages${v ? `_${v}` : ''}`;
      if (pkgs && v !== null) ctx.uses.push(useOf(ctx, ref.node, { text: setName, version: v, within: pkgs.parent!, qualified: `${ctx.text(pkgs)}.${setName}` }));
    }
  }
}

/** The set of `a.b.cudatoolkit` at path index `i`, when the base is a package set. */
function setOfPath(ctx: Ctx, base: SyntaxNode, path: (string | undefined)[], i: number): SetRef | undefined {
  const attr = path[i]!;
  if (i === 0) return setOfSelect(ctx, base, attr);
  if (!path.slice(0, i).every((p) => p !== undefined)) return undefined;
  const baseText = [ctx.text(base), ...path.slice(0, i)].join('.');
  const names = [...(ctx.api.syntax.dottedName(ctx.src, base) ?? []), ...(path.slice(0, i) as string[])];
  const last = names[names.length - 1] ?? '';
  if (/^cudaPackages(_\d+(_\d+)*)?$/.test(last) && attr === 'cudatoolkit') return { text: baseText, version: packageSetVersion(last), ...throughWith(ctx, base) };
  if (/^(pkgs|final|prev|self|super|buildPackages)$/.test(last)) {
    const v = toolkitNameVersion(attr) ?? undefined;
    return { text: `${baseText}.cudaPackages${v ? `_${v}` : ''}`, version: v, ...throughWith(ctx, base) };
  }
  return undefined;
}

/** Uses through selections: `pkgs.cudatoolkit`, `cudaPackages_11.cudatoolkit.lib`, … */
function collectSelections(ctx: Ctx): void {
  for (const sel of ctx.api.syntax.nodesOfTypeContaining(ctx.src, ctx.api.root, 'select_expression', 'cudatoolkit')) {
    const parts = ctx.api.syntax.selectParts(ctx.src, sel);
    if (!parts || parts.fallback) continue;
    const i = parts.path.findIndex((attr) => attr !== undefined && toolkitNameVersion(attr) !== null);
    if (i < 0) continue;
    const set = setOfPath(ctx, parts.base, parts.path, i);
    if (set) ctx.uses.push({ node: sel, attrs: parts.path.slice(i + 1) as string[], set: withVersion(ctx, set, sel) });
  }
}

export function collectUses(ctx: Ctx): void {
  collectReferences(ctx);
  collectSelections(ctx);
  ctx.uses.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** Mark the uses a `# nixshift-ignore` covers, in whole or in part (a comment inside `x.y`), directly or through their definition. */
export function applySuppressions(ctx: Ctx): void {
  for (const use of [...ctx.uses, ...ctx.inheritUses]) {
    const direct = ctx.api.suppressedWithin(use.node);
    const viaDefinition = use.def !== undefined && ctx.api.suppressed(use.def.node);
    if (direct || viaDefinition) ctx.ledger.suppressed(use.node);
  }
}

/** The value of `let cudatoolkit = cudaPackages.cudatoolkit;`: rewritten with the binding. */
export function isAliasDefinition(ctx: Ctx, use: Use): boolean {
  // only `name = cudaPackages.cudatoolkit;` (setOfDefinition's alias); `b = a;` with `a` an alias
  // is a use of `a` that stays, so `a` stays too
  if (use.node.type !== 'select_expression') return false;
  const binding = use.node.parent;
  if (binding?.type !== 'binding' || binding.childForFieldName('expression')?.id !== use.node.id) return false;
  const owner = binding.parent?.parent;
  if (!owner || (owner.type !== 'let_expression' && owner.type !== 'rec_attrset_expression')) return false;
  const path = binding.childForFieldName('attrpath');
  const name = path?.namedChildren.length === 1 ? ctx.api.syntax.attrName(ctx.src, path.namedChildren[0]!) : undefined;
  return name !== undefined && ctx.api.scopes().namesOf(owner).has(name) && use.attrs.length === 0;
}
