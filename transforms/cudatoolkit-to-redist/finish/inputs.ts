/**
 * Finishing the input lists once every use is rewritten: the planned list replacements are
 * applied (one layout decision per list), nvcc goes to `nativeBuildInputs` where the toolkit was
 * a build input of a derivation that compiles CUDA, and libraries go to `buildInputs` where the
 * toolkit was only a build tool (without strictDeps, native inputs reach the compiler too) or
 * where header-only packages could not be propagated.
 */
import { SUPPRESSION_MARKER } from '../../../src/nix/suppressions.js';
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { chainOperands } from '../../../src/edit/builder.js';
import { addToListOfCondition, appendInputOperands, attrBinding, inputOperand, newInputBinding } from '../../../src/nixpkgs/inputs.js';
import type { Ctx, Pending, Presence } from '../context.js';
import { insideInterpolation } from '../../../src/nixpkgs/index.js';
import { componentKey, INPUT_LIBS, presentIn } from '../roles/inputs.js';
import { libraryPathText } from '../roles/paths.js';

export function applyListPlans(ctx: Ctx): void {
  for (const { list, replacements } of ctx.listPlans.values()) {
    // a list whose every element goes (the split packages are there already) goes with its `++`
    // (comments inside go with it: they were about what it held; a suppression keeps it)
    const elements = list.namedChildren.filter((c) => c.type !== 'comment');
    const emptied = elements.length === replacements.size && [...replacements.values()].every((r) => r.length === 0) && !ctx.text(list).includes(SUPPRESSION_MARKER);
    if (emptied && ctx.removeOperand(list)) continue;
    if (relayoutInterpolatedCall(ctx, list, replacements)) continue;
    ctx.api.edit.replaceListElements(list, replacements, { keepInline: insideInterpolation(list) });
  }
}

/**
 * `${lib.makeLibraryPath [ cudatoolkit ]}` in a nixfmt file, whose list now has two or more
 * elements: the whole call laid out inside `${ }` as nixfmt lays it out. True when done.
 */
function relayoutInterpolatedCall(ctx: Ctx, list: SyntaxNode, replacements: ReadonlyMap<number, string[]>): boolean {
  const app = list.parent;
  const interp = app?.parent;
  if (!ctx.api.style.nixfmt || app?.type !== 'apply_expression' || app.childForFieldName('argument')?.id !== list.id || interp?.type !== 'interpolation') return false;
  // (elements another rule rewrote, `cudatoolkit.version`, with that rewrite)
  const count = list.namedChildren.reduce((n, e) => n + (replacements.get(e.id)?.length ?? 1), 0);
  if (count < 2) return false;
  const elements = list.namedChildren.flatMap((e) => replacements.get(e.id) ?? [ctx.api.edit.takeEdited(e)]);
  const str = interp.parent!;
  const whole = str.type === 'string_expression' && str.startIndex + 1 === interp.startIndex && interp.endIndex + 1 === str.endIndex;
  ctx.replace(app, libraryPathText(ctx, elements, interp, whole, ctx.text(app.childForFieldName('function')!)));
  return true;
}

/**
 * In `drv.overrideAttrs (old: { … })` a new binding replaces the old list: keep it,
 * `(old.nativeBuildInputs or [ ]) ++ `. '' elsewhere.
 */
function keepOldList(ctx: Ctx, attrset: SyntaxNode, attr: string): string {
  const fn = attrset.parent;
  if (fn?.type !== 'function_expression') return '';
  const param = fn.childForFieldName('universal');
  let app = fn.parent;
  while (app?.type === 'parenthesized_expression') app = app.parent;
  const callee = app?.type === 'apply_expression' ? app.childForFieldName('function') : null;
  const d = callee ? ctx.api.syntax.dottedName(ctx.src, callee) : undefined;
  if (!param || !d || !/^override(Attrs|PythonAttrs|Derivation)$/.test(d[d.length - 1]!)) return '';
  return `(${ctx.text(param)}.${attr} or [ ]) ++ `;
}

const once = (): ((p: Pending) => boolean) => {
  const seen = new Set<string>();
  return (p) => {
    const key = `${p.attrset.id}|${p.conditions.join('&&')}|${p.packages?.join(',') ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
};

function binding(ctx: Ctx, attrset: SyntaxNode, name: string) {
  return attrBinding(ctx.src, attrset, name);
}

/** The packages a binding already holds, by condition (and what this run added to it). */
function presence(ctx: Ctx, b: { node: SyntaxNode; value: SyntaxNode }): Presence {
  return presentIn(ctx, b.value, b.node);
}

/** Add `elements` to a binding's value under `conditions`: into its list of the same condition, or as a new `++` operand. */
function addToBinding(ctx: Ctx, b: { node: SyntaxNode; value: SyntaxNode }, conditions: string[], elements: (site: SyntaxNode) => string[]): void {
  const present = presence(ctx, b);
  const same = ctx.api.syntax.listParts(ctx.src, b.value).find((part) => part.conditions.join('&&') === conditions.join('&&'));
  const added = elements(same ? same.list : b.value).filter((e) => !present.has(componentKey(e), conditions));
  if (added.length === 0) return;
  // into the list of the same condition (its plan when it is rewritten already); else
  // `lib.optional c x` of the same condition becomes `lib.optionals c [ x … ]`; else a new operand
  if (!addToListOfCondition(ctx.api.edit, ctx.src, b.value, conditions, added, ctx.listPlans) && !joinSingle(ctx, b.value, conditions, added)) {
    const layout = { prefix: (c: readonly string[]) => ctx.optionalsPrefix([...c]), indent: ctx.lineIndent(b.node.startIndex) };
    appendInputOperands(ctx.api.edit, b, [inputOperand(ctx.api.edit, conditions, added, layout)], ctx.listPlans);
  }
  for (const e of added) present.add(componentKey(e), conditions);
}

/**
 * `lib.optional c x`, an operand of the value's `++` chain under the same condition: it becomes
 * `lib.optionals c [ x … ]` with the new elements, as a maintainer writes it, rather than a second
 * operand of the same condition. True when done.
 */
function joinSingle(ctx: Ctx, value: SyntaxNode, conditions: string[], added: string[]): boolean {
  if (conditions.length === 0) return false;
  const operands = chainOperands(value);
  for (const m of ctx.api.syntax.valueMembers(ctx.src, value)) {
    const app = m.node.parent;
    const fn = app?.type === 'apply_expression' ? app.childForFieldName('function') : null;
    const callee = fn?.type === 'apply_expression' ? fn.childForFieldName('function') : null;
    const cond = fn?.childForFieldName('argument');
    if (!app || !callee || !cond || m.conditions.join('&&') !== conditions.join('&&')) continue;
    if (!/optional\)*$/.test(ctx.text(callee)) || !operands.some((o) => o.id === app.id)) continue;
    if (ctx.touched(app) || ctx.api.suppressedWithin(app)) continue;
    const indent = ctx.lineIndent(app.startIndex);
    const head = `${ctx.text(callee).replace(/optional(\)*)$/, 'optionals$1')} ${ctx.api.edit.takeEdited(cond)} `;
    const column = app.startIndex - ctx.src.lastIndexOf('\n', app.startIndex) - 1 + head.length;
    ctx.replace(app, `${head}${ctx.api.edit.listText([ctx.api.edit.takeEdited(m.node), ...added], indent, column)}`);
    return true;
  }
  return false;
}

/**
 * The conditions a new `nativeBuildInputs` takes for nvcc when a derivation needs it under several:
 * none when one of them is unconditional, else their disjunction (one binding, never two).
 */
function mergedConditions(ctx: Ctx, pendings: readonly Pending[]): string[] {
  if (pendings.some((q) => q.conditions.length === 0)) return [];
  const each = [...new Set(pendings.map((q) => ctx.optionalsPrefix(q.conditions).replace(/^\S+\.optionals /, '').trim()))];
  return each.length === 1 ? pendings[0]!.conditions : [each.join(' || ')];
}

export function addNvcc(ctx: Ctx): void {
  const first = once();
  const created = new Set<number>();
  // unconditional first: what they add makes the same package under a condition redundant
  const byConditions = (a: Pending, b: Pending): number => a.conditions.length - b.conditions.length;
  for (const p of [...ctx.pendingNvcc].sort(byConditions).filter(first)) {
    const native = binding(ctx, p.attrset, 'nativeBuildInputs');
    const nvcc = (site: SyntaxNode): string => ctx.pkg(p.set, 'cuda_nvcc', site);
    if (native) {
      // a suppressed nativeBuildInputs has the toolkit (or nvcc) already: see blockedSibling
      if (ctx.touched(native.value) || ctx.api.suppressed(native.node)) continue;
      if (presence(ctx, native).has('cudatoolkit', p.conditions)) continue;
      addToBinding(ctx, native, p.conditions, (site) => [nvcc(site)]);
    } else if (!created.has(p.attrset.id)) {
      const before = ctx.api.syntax.bindingsOf(ctx.src, p.attrset).find((b) => b.path.length === 1 && INPUT_LIBS.test(b.path[0] ?? ''));
      if (!before) continue;
      created.add(p.attrset.id);
      const conditions = mergedConditions(ctx, ctx.pendingNvcc.filter((q) => q.attrset.id === p.attrset.id));
      const indent = ctx.lineIndent(before.node.startIndex);
      ctx.api.edit.insertAt(before.node.startIndex, `nativeBuildInputs = ${keepOldList(ctx, p.attrset, 'nativeBuildInputs')}${ctx.optionalsPrefix(conditions)}[ ${nvcc(before.node)} ];\n${indent}`);
    }
  }
}

export function addLibs(ctx: Ctx): void {
  const first = once();
  /** New `buildInputs` bindings, one per attrset: its operands by condition, and where it goes. */
  const created = new Map<number, { anchor: SyntaxNode; attrset: SyntaxNode; parts: { conditions: string[]; elements: string[] }[] }>();
  for (const p of [...ctx.pendingLibs].sort((a, b) => a.conditions.length - b.conditions.length)) {
    // a derivation that also had the toolkit as a build input has its libraries already
    if (!p.packages && ctx.pendingNvcc.some((q) => q.attrset.id === p.attrset.id)) continue;
    if (!first(p)) continue;
    const elements = (site: SyntaxNode): string[] => ctx.inputElements(p.set, 'libs', site, [], p.packages);
    const existing = binding(ctx, p.attrset, 'buildInputs');
    if (existing) {
      // a suppressed buildInputs has the toolkit already: see blockedSibling
      if (!ctx.api.suppressed(existing.node)) addToBinding(ctx, existing, p.conditions, elements);
      continue;
    }
    let c = created.get(p.attrset.id);
    if (!c) {
      // after the list the toolkit was in (`propagatedNativeBuildInputs`, …) when not one of these
      const anchor =
        binding(ctx, p.attrset, p.packages ? 'propagatedBuildInputs' : 'nativeBuildInputs') ??
        binding(ctx, p.attrset, 'nativeBuildInputs') ??
        ctx.api.syntax.bindingsOf(ctx.src, p.attrset).find((b) => b.path.length === 1 && /BuildInputs$/.test(b.path[0] ?? ''));
      if (!anchor) continue;
      created.set(p.attrset.id, (c = { anchor: anchor.node, attrset: p.attrset, parts: [] }));
    }
    const part = c.parts.find((x) => x.conditions.join('&&') === p.conditions.join('&&'));
    const els = elements(c.anchor);
    if (part) part.elements.push(...els.filter((e) => !part.elements.includes(e)));
    else c.parts.push({ conditions: p.conditions, elements: els });
  }
  // one binding per attrset: what is there unconditionally is not repeated under a condition
  for (const { anchor, attrset, parts } of created.values()) {
    const indent = ctx.lineIndent(anchor.startIndex);
    const layout = { prefix: (c: readonly string[]) => ctx.optionalsPrefix([...c]), indent, key: componentKey, before: keepOldList(ctx, attrset, 'buildInputs') };
    const text = newInputBinding(ctx.api.edit, 'buildInputs', parts, layout);
    if (text) ctx.api.edit.insertAt(ctx.api.edit.endOfLine(anchor), `\n${indent}${text}`);
  }
}
