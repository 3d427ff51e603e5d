/**
 * Call sites: `{ cudatoolkit = cudatoolkit_11; }` → `{ cudaPackages = cudaPackages_11; }`, and
 * `inherit (x) cudatoolkit;` in the arguments of a call, which defines an attribute, not a
 * variable.
 */
import { callSites } from '../../../src/nix/nixpkgs.js';
import { hasRedist, toolkitNameVersion } from '../../../src/cuda/facts.js';
import type { Ctx, SetRef, Use } from '../context.js';
import { setOfSelect } from '../uses.js';

const noRedist = (set: SetRef): string => `CUDA ${set.version!.replace(/_/g, '.')} has no redist packages (they start at 11.4); left as is`;

function hasPackagesBinding(ctx: Ctx, attrset: Parameters<Ctx['api']['syntax']['bindingsOf']>[1]): boolean {
  return ctx.api.syntax.bindingsOf(ctx.src, attrset).some((b) => b.path.length === 1 && b.path[0] === 'cudaPackages');
}

/** `inherit (x) cudatoolkit;` in a plain attrset: at a call site it becomes `cudaPackages = x;`; anywhere else it is reported. */
export function rewriteInheritedAttributes(ctx: Ctx): void {
  const sites = new Map(callSites(ctx.src, ctx.api.root, 'cudatoolkit').map((c) => [c.args.id, c]));
  for (const inh of ctx.api.syntax.nodesOfTypeContaining(ctx.src, ctx.api.root, 'inherit_from', 'cudatoolkit')) {
    const attrset = inh.parent?.parent;
    if (!attrset || attrset.type !== 'attrset_expression') continue; // let / rec: real definitions
    const from = inh.childForFieldName('expression');
    const attrs = inh.childForFieldName('attrs')?.namedChildren ?? [];
    const tk = attrs.find((a) => a.type === 'identifier' && toolkitNameVersion(ctx.text(a)) !== null);
    if (!from || !tk || ctx.api.suppressed(tk)) continue;
    const set = setOfSelect(ctx, from, ctx.text(tk));
    const fake: Use = { node: tk, attrs: [], set: set ?? { text: 'cudaPackages' } };
    const written = `\`inherit (${ctx.text(from)}) ${ctx.text(tk)};\``;
    const site = sites.get(attrset.id);
    if (!set || !site) {
      ctx.left(fake, 'unknown-use', `${written} passes the legacy toolkit on as an attribute`, 'pass `cudaPackages` (the package set) or the split packages instead');
      continue;
    }
    if (!hasRedist(set.version)) {
      ctx.left(fake, 'no-redist', `${written}: ${noRedist(set)}`, 'move to CUDA 11.4 or newer first');
      continue;
    }
    const replacement = hasPackagesBinding(ctx, attrset) ? '' : set.text === 'cudaPackages' ? 'inherit cudaPackages;' : `cudaPackages = ${set.text};`;
    if (attrs.length === 1) {
      if (replacement) ctx.api.edit.replace(inh, replacement);
      else ctx.api.edit.removeBinding(inh);
    } else {
      ctx.api.edit.removeRange(tk.startIndex, tk.endIndex);
      if (replacement) ctx.api.edit.insertAfter(inh, ` ${replacement}`);
    }
    ctx.api.report(tk, { rule: 'call-site', message: `${written} → \`${replacement || 'removed (cudaPackages is already passed)'}\` (${site.kind})`, fix: 'the called expression must take `cudaPackages` (run this transform on it too)' });
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
