/**
 * Call sites: `{ cudatoolkit = cudatoolkit_11; }` → `{ cudaPackages = cudaPackages_11; }`, and
 * `inherit (x) cudatoolkit;` in the arguments of a call, which defines an attribute, not a
 * variable.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { callSites } from '../../../src/nixpkgs/index.js';
import { hasRedist, toolkitNameVersion } from '../../../src/cuda/facts.js';
import type { Ctx, SetRef, Use } from '../context.js';
import { setOfSelect } from '../uses.js';

const noRedist = (set: SetRef): string => `CUDA ${set.version!.replace(/_/g, '.')} has no redist packages (they start at 11.4); left as is`;

function hasPackagesBinding(ctx: Ctx, attrset: SyntaxNode): boolean {
  // a binding or an inherited name (`inherit (pkgs) cudaPackages;`)
  return ctx.api.syntax.definedAttributes(ctx.src, attrset).has('cudaPackages');
}

/**
 * `inherit (x) cudatoolkit cudatoolkit_11;` in a plain attrset: at a call site each toolkit
 * becomes the package set the callee now takes under the same version (`cudatoolkit` →
 * `cudaPackages = x.cudaPackages;`, `cudatoolkit_11` → `cudaPackages_11 = x.cudaPackages_11;`,
 * as the callee's formals are renamed); anywhere else it is reported.
 */
export function rewriteInheritedAttributes(ctx: Ctx): void {
  const sites = new Map(callSites(ctx.src, ctx.api.root, 'cudatoolkit').map((c) => [c.args.id, c]));
  for (const inh of ctx.api.syntax.nodesOfTypeContaining(ctx.src, ctx.api.root, 'inherit_from', 'cudatoolkit')) {
    const attrset = inh.parent?.parent;
    if (!attrset || attrset.type !== 'attrset_expression') continue; // let / rec: real definitions
    const from = inh.childForFieldName('expression');
    const attrs = inh.childForFieldName('attrs')?.namedChildren ?? [];
    const tks = attrs.filter((a) => a.type === 'identifier' && toolkitNameVersion(ctx.text(a)) !== null && !ctx.api.suppressed(a));
    if (!from || tks.length === 0) continue;
    const site = sites.get(attrset.id);
    // names the arguments define already (bindings, other inherits, this inherit's other names)
    const taken = new Set(ctx.api.syntax.definedAttributes(ctx.src, attrset).keys());
    const handled = new Set<number>();
    const added: string[] = [];
    const inheritedTargets = new Map<number, string>();
    for (const tk of tks) {
      const set = setOfSelect(ctx, from, ctx.text(tk));
      const fake: Use = { node: tk, attrs: [], set: set ?? { text: 'cudaPackages' } };
      const written = `\`inherit (${ctx.text(from)}) ${ctx.text(tk)};\``;
      if (!set || !site) {
        ctx.left(fake, 'unknown-use', `${written} passes the legacy toolkit on as an attribute`, 'pass `cudaPackages` (the package set) or the split packages instead');
        continue;
      }
      if (!hasRedist(set.version)) {
        ctx.left(fake, 'no-redist', `${written}: ${noRedist(set)}`, 'move to CUDA 11.4 or newer first');
        continue;
      }
      const v = toolkitNameVersion(ctx.text(tk));
      const target = `cudaPackages${v ? `_${v}` : ''}`;
      // `inherit (pkgs) cudatoolkit_11;` keeps its form: `inherit (pkgs) cudaPackages_11;`
      const sameSource = set.text === `${ctx.text(from)}.${target}`;
      const replacement = taken.has(target) ? '' : set.text === target ? `inherit ${target};` : sameSource ? `inherit (${ctx.text(from)}) ${target};` : `${target} = ${set.text};`;
      taken.add(target);
      handled.add(tk.id);
      if (replacement && sameSource) inheritedTargets.set(tk.id, target);
      else if (replacement) added.push(replacement);
      ctx.api.report(tk, { rule: 'call-site', message: `${written} → \`${replacement || `removed (${target} is already passed)`}\` (${site.kind})`, fix: `the called expression must take \`${target}\` (run this transform on it too)` });
    }
    if (handled.size === 0) continue;
    const rest = attrs.filter((a) => !handled.has(a.id) || inheritedTargets.has(a.id)).map((a) => inheritedTargets.get(a.id) ?? ctx.text(a));
    const text = [...(rest.length > 0 ? [`inherit (${ctx.text(from)}) ${rest.join(' ')};`] : []), ...added].join(' ');
    if (text) ctx.api.edit.replace(inh, text);
    else ctx.api.edit.removeBinding(inh);
  }
}

export function rewriteCallSites(ctx: Ctx): void {
  for (const site of callSites(ctx.src, ctx.api.root, 'cudatoolkit')) {
    const hasPackages = hasPackagesBinding(ctx, site.args);
    for (const b of ctx.api.syntax.bindingsOf(ctx.src, site.args)) {
      if (b.path.length !== 1 || b.path[0] !== 'cudatoolkit' || ctx.api.suppressed(b.node)) continue;
      const value = ctx.api.syntax.unparen(b.value);
      const use = ctx.uses.find((u) => u.node.id === value.id);
      if (use && ctx.ledger.isSuppressed(use.node)) continue;
      if (!use) {
        ctx.api.report(b.attrpath, { rule: 'unknown-use', message: `\`cudatoolkit = ${ctx.text(b.value)};\` at a call site: the value is not a recognisable toolkit`, fix: 'pass `cudaPackages = …;` with the package set instead' });
        continue;
      }
      if (!hasRedist(use.set.version)) {
        ctx.left(use, 'no-redist', `\`${ctx.text(b.node)}\`: ${noRedist(use.set)}`, 'move to CUDA 11.4 or newer first');
        continue;
      }
      ctx.handled(use);
      const replacement = hasPackages ? '' : use.set.text === 'cudaPackages' ? 'inherit cudaPackages;' : `cudaPackages = ${use.set.text};`;
      if (hasPackages) ctx.api.edit.removeBinding(b.node);
      else ctx.api.edit.replace(b.node, replacement);
      ctx.api.report(b.attrpath, { rule: 'call-site', message: `\`${ctx.text(b.node)}\` → \`${replacement || 'removed (cudaPackages is already passed)'}\` (${site.kind})`, fix: 'the called expression must take `cudaPackages` (run this transform on it too)' });
    }
  }
}
