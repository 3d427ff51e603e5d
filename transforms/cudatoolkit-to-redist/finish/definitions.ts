/**
 * What defined the toolkit (the `cudatoolkit` formal, a let alias, an inherit): renamed to
 * `cudaPackages` or removed when nothing uses it any more, kept with a finding when code left as
 * is still does; and the formals the new code needs (`lib`, `symlinkJoin`).
 */
import type { Definition } from '../../../src/nix/scope.js';
import { hasRedist } from '../../../src/cuda/facts.js';
import type { Ctx, SetRef, Use } from '../context.js';
import { isAliasDefinition, setOfDefinition } from '../uses.js';
import { joinHostLet } from '../roles/build-roots.js';

/** Whether some rewritten use names `set` (so a kept formal needs `cudaPackages` beside it). */
function usesSet(ctx: Ctx, set: SetRef): boolean {
  return [...ctx.uses, ...ctx.inheritUses].some((u) => u.set.text === set.text && ctx.ledger.isHandled(u.node));
}

interface Usage {
  stillUsed: boolean;
  leftBy: string;
}

function usage(ctx: Ctx, def: Definition, all: Use[]): Usage {
  const owners = ctx.api.scopes().referencesTo(def).map((r) => all.find((x) => x.node.startIndex <= r.node.startIndex && r.node.endIndex <= x.node.endIndex));
  const stillUsed = owners.some((u) => !u || ctx.ledger.isLeft(u.node) || (!ctx.ledger.isHandled(u.node) && !isAliasDefinition(ctx, u)));
  const bySuppression = owners.some((u) => u !== undefined && ctx.ledger.isSuppressed(u.node));
  return { stillUsed, leftBy: bySuppression ? 'code left as is (a `# nixshift-ignore` covers a use)' : 'code left as is' };
}

function fixFormal(ctx: Ctx, def: Definition, set: SetRef, u: Usage, suppressed: boolean): void {
  const top = ctx.top!;
  const formal = top.formals.find((f) => f.nameNode.id === def.node.id)!;
  const existing = top.formals.some((f) => f.name === set.text);
  if (u.stillUsed || suppressed) {
    if (!hasRedist(set.version)) return;
    if (!suppressed) ctx.api.report(def.node, { rule: 'formal-kept', message: `\`${def.name}\` is still used by ${u.leftBy}, so the argument stays`, fix: 'rewrite the remaining uses (see the other findings), then drop the argument' });
    if (!existing && usesSet(ctx, set)) ctx.api.edit.addFormal(top, set.text, { after: formal });
    return;
  }
  if (existing) {
    ctx.api.edit.removeFormal(top, formal);
    ctx.removedFormals.add(formal.name);
  } else ctx.api.edit.renameFormal(formal, set.text);
}

function removeDefinition(ctx: Ctx, def: Definition): void {
  const letOwner = def.holder.parent?.parent;
  const letBody = letOwner?.type === 'let_expression' ? letOwner.childForFieldName('body') : null;
  const onlyBinding = letBody && def.holder.parent!.namedChildren.length === 1 && (def.holder.type === 'binding' || def.holder.childForFieldName('attrs')!.namedChildren.length === 1);
  // the let that will host the build-time join (roles/build-roots.ts addJoin) stays: the join
  // takes the alias's place
  const hostsJoin = ctx.joinSet !== undefined && letOwner?.id === (joinHostLet(ctx) ?? ctx.top?.body)?.id;
  if (onlyBinding && hostsJoin) {
    ctx.joinTarget = def.holder;
  } else if (onlyBinding) {
    // `let cudatoolkit = …; in body` with nothing else: drop the whole `let … in`
    ctx.api.edit.remove({ startIndex: letOwner!.startIndex, endIndex: letBody!.startIndex });
  } else if (def.holder.type === 'inherit_from') {
    if (def.holder.childForFieldName('attrs')!.namedChildren.length === 1) ctx.api.edit.removeBinding(def.holder);
    else ctx.api.edit.removeRange(def.node.startIndex, def.node.endIndex);
  } else if (def.holder.type === 'binding') {
    ctx.api.edit.removeBinding(def.holder);
  }
}

/** Rename or remove what defined the toolkit, when nothing uses it any more. */
export function fixDefinitions(ctx: Ctx): void {
  const all = [...ctx.uses, ...ctx.inheritUses];
  const defs = new Map<number, Definition>();
  for (const u of all) if (u.def) defs.set(u.def.node.id, u.def);
  for (const def of defs.values()) {
    const u = usage(ctx, def, all);
    // A suppressed definition stays (its uses were all left as is, see applySuppressions).
    const suppressed = ctx.api.suppressed(def.node);
    const set = setOfDefinition(ctx, def)!;
    if (ctx.top && def.kind === 'formal' && def.scope.id === ctx.top.node.id) {
      fixFormal(ctx, def, set, u, suppressed);
    } else if (u.stillUsed || suppressed) {
      if (hasRedist(set.version) && !suppressed) ctx.api.report(def.node, { rule: 'formal-kept', message: `\`${def.name}\` (${def.holder.type === 'binding' ? 'a let binding' : 'inherited'}) is still used by ${u.leftBy}, so it stays`, fix: 'rewrite the remaining uses (see the other findings), then drop it' });
    } else {
      removeDefinition(ctx, def);
    }
  }
}

export function addFormals(ctx: Ctx): void {
  if (!ctx.top) return;
  const names = new Set(ctx.top.formals.map((f) => f.name));
  const removed = ctx.removedFormals;
  if (ctx.needLib) {
    // `lib` goes first, unless the first formal is the one removed: then after the first that stays
    const first = ctx.top.formals[0];
    const anchor = first && removed.has(first.name) ? ctx.top.formals.find((f) => !removed.has(f.name)) : undefined;
    ctx.api.edit.addFormal(ctx.top, 'lib', anchor ? { after: anchor } : { atStart: true });
  }
  if (ctx.needSymlinkJoin && !names.has('symlinkJoin')) ctx.api.edit.addFormal(ctx.top, 'symlinkJoin');
}
