/**
 * Finishing the input lists once every use is rewritten: the planned list replacements are
 * applied (one layout decision per list), nvcc goes to `nativeBuildInputs` where the toolkit was
 * a build input of a derivation that compiles CUDA, and libraries go to `buildInputs` where the
 * toolkit was only a build tool (without strictDeps, native inputs reach the compiler too) or
 * where header-only packages could not be propagated.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { insideInterpolation, type Ctx, type Pending } from '../context.js';
import { INPUT_LIBS } from '../roles/inputs.js';

export function applyListPlans(ctx: Ctx): void {
  for (const { list, replacements } of ctx.listPlans.values()) {
    ctx.api.edit.replaceListElements(list, replacements, { keepInline: insideInterpolation(list) });
  }
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
  return ctx.api.syntax.bindingsOf(ctx.src, attrset).find((b) => b.path.length === 1 && b.path[0] === name);
}

export function addNvcc(ctx: Ctx): void {
  const first = once();
  for (const p of ctx.pendingNvcc.filter(first)) {
    const native = binding(ctx, p.attrset, 'nativeBuildInputs');
    const nvcc = (site: SyntaxNode): string => ctx.pkg(p.set, 'cuda_nvcc', site);
    if (native) {
      // a suppressed nativeBuildInputs has the toolkit (or nvcc) already: see blockedSibling
      if (ctx.touched(native.value) || ctx.api.suppressed(native.node)) continue;
      const parts = ctx.api.syntax.listParts(ctx.src, native.value);
      const has = parts.some((part) => ctx.api.syntax.listElements(part.list).some((e) => /(^|\.)cuda_nvcc$/.test(ctx.text(e)) || ctx.text(e) === 'cudatoolkit'));
      if (has || ctx.present.get(native.node.id)?.has('cuda_nvcc')) continue;
      const same = parts.find((part) => part.conditions.join('&&') === p.conditions.join('&&'));
      if (same) ctx.api.edit.addListElements(same.list, [nvcc(same.list)]);
      else ctx.api.edit.insertAt(native.value.endIndex, ` ++ ${ctx.optionalsPrefix(p.conditions)}[ ${nvcc(native.value)} ]`);
      ctx.present.set(native.node.id, new Set(['cuda_nvcc']));
    } else {
      const before = ctx.api.syntax.bindingsOf(ctx.src, p.attrset).find((b) => b.path.length === 1 && INPUT_LIBS.test(b.path[0] ?? ''));
      if (!before) continue;
      const indent = ctx.lineIndent(before.node.startIndex);
      ctx.api.edit.insertAt(before.node.startIndex, `nativeBuildInputs = ${keepOldList(ctx, p.attrset, 'nativeBuildInputs')}${ctx.optionalsPrefix(p.conditions)}[ ${nvcc(before.node)} ];\n${indent}`);
    }
  }
}

export function addLibs(ctx: Ctx): void {
  const first = once();
  for (const p of ctx.pendingLibs) {
    // a derivation that also had the toolkit as a build input has its libraries already
    if (!p.packages && ctx.pendingNvcc.some((q) => q.attrset.id === p.attrset.id)) continue;
    if (!first(p)) continue;
    const elements = (site: SyntaxNode): string[] => ctx.inputElements(p.set, 'libs', site, [], p.packages);
    const cond = ctx.optionalsPrefix(p.conditions);
    const existing = binding(ctx, p.attrset, 'buildInputs');
    if (existing) {
      // a suppressed buildInputs has the toolkit already: see blockedSibling
      if (ctx.api.suppressed(existing.node)) continue;
      const parts = ctx.api.syntax.listParts(ctx.src, existing.value);
      const same = parts.find((part) => part.conditions.join('&&') === p.conditions.join('&&'));
      if (same) ctx.api.edit.addListElements(same.list, elements(same.list));
      else ctx.api.edit.insertAt(existing.value.endIndex, ` ++ ${cond}[ ${elements(existing.value).join(' ')} ]`);
      continue;
    }
    const anchor = binding(ctx, p.attrset, p.packages ? 'propagatedBuildInputs' : 'nativeBuildInputs') ?? binding(ctx, p.attrset, 'nativeBuildInputs')!;
    const indent = ctx.lineIndent(anchor.node.startIndex);
    const inner = ctx.api.edit.listText(elements(anchor.node), indent, indent.length + 'buildInputs = '.length + cond.length);
    ctx.api.edit.insertAt(ctx.api.edit.endOfLine(anchor.node), `\n${indent}buildInputs = ${keepOldList(ctx, p.attrset, 'buildInputs')}${cond}${inner};`);
  }
}
