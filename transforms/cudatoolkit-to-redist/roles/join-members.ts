/**
 * The members of a join of the split packages (the build-time join of build-roots.ts, and a
 * symlinkJoin's paths that held the toolkit, inputs.ts): nvcc's programs, and the headers and
 * libraries of the decided set.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { ALL_COMPONENTS } from '../../../src/cuda/facts.js';
import type { Ctx, SetRef } from '../context.js';

/** Outputs of the split packages that stand for the toolkit in a symlinkJoin's paths. */
export function joinMembers(ctx: Ctx, set: SetRef, site: SyntaxNode | undefined, attrs: string[], isUse = true): string[] {
  const lib = site && !isUse ? ctx.libAt(site) : ctx.lib();
  if (attrs[0] === 'lib') return [`(${lib}.getLib ${ctx.pkg(set, 'cuda_cudart', site)})`];
  const out = ctx.libs.tools.map((t) => `(${lib}.getBin ${ctx.pkg(set, t, site)})`);
  for (const l of ctx.libs.compileLibs.filter((n) => ctx.available(n, set))) {
    out.push(`(${lib}.getDev ${ctx.pkg(set, l, site)})`);
    if (ALL_COMPONENTS.get(l)?.runtime) out.push(`(${lib}.getLib ${ctx.pkg(set, l, site)})`);
  }
  if (site && isUse) ctx.libSite ??= site;
  return out;
}
