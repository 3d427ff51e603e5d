/**
 * Libraries the source loads at run time (dlopen, ctypes) must be on a runtime path: being in
 * `buildInputs` links nothing to them. Where a rewrite already wrote a runtime path
 * (`lib.makeLibraryPath`, `runtimeDependencies`, a wrapper), they are in it. Otherwise, in a
 * package patched by `autoPatchelfHook`, they go to `runtimeDependencies` (whose `lib` folders the
 * hook adds to every patched file's RUNPATH); anywhere else a `runtime-load` warning says what to
 * add, since only the maintainer knows which file loads them.
 */
import type { Ctx } from '../context.js';
import { attrBinding } from '../../../src/nixpkgs/inputs.js';

/** True when the libraries loaded at run time were put on a runtime path here. */
export function addRuntimeDependencies(ctx: Ctx): boolean {
  const loaded = ctx.libs.loadedAtRunTime;
  if (loaded.length === 0 || ctx.wroteRuntimePath || !/\bautoPatchelfHook\b/.test(ctx.src)) return false;
  const site = ctx.inputSites[0];
  if (!site) return false;
  const existing = attrBinding(ctx.src, site.attrset, 'runtimeDependencies');
  if (existing && ctx.api.suppressed(existing.node)) return false;
  const elements = (at: Parameters<Ctx['pkg']>[2]): string[] => loaded.filter((n) => ctx.available(n, site.set)).map((n) => `(${ctx.accessor('lib', ctx.pkg(site.set, n, at))})`);
  const cond = ctx.optionalsPrefix(site.conditions);
  if (existing) {
    const same = ctx.api.syntax.listParts(ctx.src, existing.value).find((part) => part.conditions.join('&&') === site.conditions.join('&&'));
    if (same) ctx.api.edit.addListElements(same.list, elements(same.list));
    else ctx.api.edit.insertAt(existing.value.endIndex, ` ++ ${cond}[ ${elements(existing.value).join(' ')} ]`);
  } else {
    const bindings = ctx.api.syntax.bindingsOf(ctx.src, site.attrset);
    const anchor = ['buildInputs', 'propagatedBuildInputs', 'dependencies', 'nativeBuildInputs'].map((n) => bindings.find((b) => b.path.length === 1 && b.path[0] === n)).find((b) => b !== undefined);
    if (!anchor) return false;
    const indent = ctx.lineIndent(anchor.node.startIndex);
    const inner = ctx.api.edit.listText(elements(anchor.node), indent, indent.length + 'runtimeDependencies = '.length + cond.length);
    const end = ctx.api.edit.endOfLine(anchor.node);
    // a binding of its own, separated as the file separates its bindings
    const gap = ctx.src.startsWith('\n\n', end) || ctx.src.startsWith('\r\n\r\n', end) ? '\n' : '';
    ctx.api.edit.insertAt(end, `\n${gap}${indent}runtimeDependencies = ${cond}${inner};`);
  }
  ctx.wroteRuntimePath = true;
  return true;
}
