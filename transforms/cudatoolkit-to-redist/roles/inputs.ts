/**
 * Input lists: the toolkit in `nativeBuildInputs` becomes the tools the evidence shows (nvcc
 * where CUDA is compiled), in `buildInputs` the libraries, in `propagatedBuildInputs` the
 * libraries with shared objects (header-only and stub packages are never propagated: they go to
 * `buildInputs`), in `lib.makeLibraryPath`/`runtimeDependencies` the runtime libraries;
 * `lib.optional c cudatoolkit` becomes `lib.optionals c [ … ]`. Every list keeps what it had:
 * a package already present is not added again.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { ALL_COMPONENTS, toolkitNameVersion } from '../../../src/cuda/facts.js';
import { chainOperands, MAX_INLINE_WIDTH } from '../../../src/edit/builder.js';
import { Presence, type Ctx, type Role, type Use } from '../context.js';
import { joinMembers } from './join-members.js';
import { withoutComments } from '../../../src/nix/comments.js';
import { siblingBinding } from '../../../src/nixpkgs/inputs.js';

export const RUNTIME_BINDINGS = /^(runtimeDependencies|LD_LIBRARY_PATH|makeWrapperArgs|qtWrapperArgs|gappsWrapperArgs)$/;
export const INPUT_TOOLS = /^(nativeBuildInputs|depsBuildBuild|nativeCheckInputs|nativeInstallCheckInputs|build-system)$/;
export const INPUT_LIBS = /^(buildInputs|propagatedBuildInputs|checkInputs|installCheckInputs|dependencies|propagatedNativeBuildInputs|depsTargetTarget)$/;
const ENVIRONMENT_PLACES = /^(packages|systemPackages|home\.packages|environment\.systemPackages|users\.users\..*\.packages)$/;
const WHOLE_TOOLKIT_PLACES = /^(packages|systemPackages|home\.packages|environment\.systemPackages|paths|contents|extraPackages)$/;
const SHELL_FUNCTIONS = /^(mkShell|mkShellNoCC|buildFHSEnv|buildFHSUserEnv|buildEnv|symlinkJoin|mkDerivationShell)$/;
const SHELLS = /^(mkShell|mkShellNoCC|buildFHSEnv|buildFHSUserEnv)$/;

/** `cudaPackages.libcublas` → `libcublas`; `cudaPackages.cuda_cudart.dev` → `cuda_cudart.dev`. */
export function componentKey(elementText: string): string {
  // (comments inside an element are not part of its name: `cudaPackages./* x */ cuda_nvcc`)
  const element = withoutComments(elementText);
  // (lib.getDev cudaPackages.cuda_cudart) → cuda_cudart.dev
  const acc = /get(Lib|Dev|Bin|Output\s+"(\w+)")\s+([\w.'-]+)/.exec(element);
  if (acc) return `${acc[3]!.split('.').pop()}.${(acc[2] ?? acc[1]!).toLowerCase()}`;
  const parts = element.replace(/[()\s]/g, '').split('.');
  const last = parts[parts.length - 1]!;
  return parts.length > 1 && /^(dev|lib|static|bin|out|stubs|include)$/.test(last) ? `${parts[parts.length - 2]}.${last}` : last;
}

/** The name of an enclosing mkShell-like call whose argument holds `node`. */
export function shellCall(ctx: Ctx, node: SyntaxNode): string | undefined {
  let prev = node;
  for (let p = node.parent; p; prev = p, p = p.parent) {
    if (p.type !== 'apply_expression' || p.childForFieldName('argument')?.id !== prev.id) continue;
    const fn = p.childForFieldName('function');
    const d = fn ? ctx.api.syntax.dottedName(ctx.src, ctx.api.syntax.unparen(fn)) : undefined;
    const last = d?.[d.length - 1];
    if (last && SHELLS.test(last)) return last;
  }
  return undefined;
}

/** The function the attrset of a binding is passed to (mkShell, symlinkJoin, …). */
function ownerCall(ctx: Ctx, binding: SyntaxNode): string | undefined {
  let p = binding.parent?.parent?.parent;
  while (p && (p.type === 'parenthesized_expression' || p.type === 'function_expression')) p = p.parent;
  if (p?.type !== 'apply_expression') return undefined;
  const fn = p.childForFieldName('function');
  const d = fn ? ctx.api.syntax.dottedName(ctx.src, ctx.api.syntax.unparen(fn)) : undefined;
  return d?.[d.length - 1];
}

/** Where a use installs the whole toolkit into an environment (shell, profile, system), if it does. */
export function environmentOf(ctx: Ctx, use: Use): string | undefined {
  const shell = shellCall(ctx, use.node);
  if (shell) return `a \`${shell}\` environment`;
  const list = use.node.parent?.type === 'list_expression' ? use.node.parent : undefined;
  const name = list ? ctx.api.syntax.listContext(ctx.src, list).name : undefined;
  return name && ENVIRONMENT_PLACES.test(name) ? `\`${name}\`` : undefined;
}

/** The first use that installs the whole toolkit into an environment (shell, profile, system). */
export function environmentUse(ctx: Ctx): { use: Use; where: string } | undefined {
  for (const use of ctx.uses) {
    if (ctx.ledger.isSuppressed(use.node)) continue;
    const where = environmentOf(ctx, use);
    if (where) return { use, where };
  }
  return undefined;
}

/** Header-only and stub packages: never propagated, never on a runtime path. */
const compileOnly = (n: string): boolean => ALL_COMPONENTS.get(n)?.runtime === false;

export function rewriteInList(ctx: Ctx, use: Use, list: SyntaxNode): void {
  const lc = ctx.api.syntax.listContext(ctx.src, list);
  const n = use.node;
  const shown = `\`${ctx.text(n)}\``;
  if (lc.call && /^makeLibraryPath$|^makeSearchPath/.test(lc.call)) {
    ctx.wroteRuntimePath = true;
    return spliceList(ctx, use, list, ctx.inputElements(use.set, 'runtime', n, use.attrs), undefined);
  }
  if (lc.call && SHELL_FUNCTIONS.test(lc.call)) return ctx.left(use, 'whole-toolkit-intended', `${shown} is passed whole to \`${lc.call}\``, 'list the split packages the environment needs instead');
  if (!lc.binding || !lc.name) return ctx.left(use, 'unknown-use', `${shown} is in a list that is not a known input list`, 'replace it by the split packages it needs');
  const owner = ownerCall(ctx, lc.binding);
  if (owner === 'symlinkJoin' && lc.name === 'paths') {
    // A join of the toolkit (a build-time prefix): the same join of the split packages' outputs.
    // Whether the join itself belongs in the closure is symlinkjoin-to-propagated's business.
    spliceList(ctx, use, list, joinMembers(ctx, use.set, n, use.attrs), lc.binding);
    ctx.api.report(n, { rule: 'join-members-split', message: `${shown} in the paths of a symlinkJoin became the outputs of the split packages`, fix: 'run symlinkjoin-to-propagated to keep the join out of runtime closures' });
    return;
  }
  if ((owner && SHELL_FUNCTIONS.test(owner)) || WHOLE_TOOLKIT_PLACES.test(lc.name)) {
    return ctx.left(use, 'whole-toolkit-intended', `${shown} in \`${lc.name}\`${owner ? ` of \`${owner}\`` : ''}: a whole toolkit may be intended here`, 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …)');
  }
  // a `let` list an input binding takes whole (`buildInputs = [ … ] ++ deps;`) is that input list,
  // of that derivation
  const taker = INPUT_TOOLS.test(lc.name) || INPUT_LIBS.test(lc.name) || RUNTIME_BINDINGS.test(lc.name) ? undefined : inputBindingTaking(ctx, lc.binding);
  const name = taker?.name ?? lc.name;
  const attrset = taker?.attrset ?? lc.binding.parent!.parent!;
  return rewriteInputList(ctx, use, list, lc.binding, name, attrset, lc.conditions);
}

/**
 * A `let` binding whose list an input binding takes whole, as the value or an operand of its `++`
 * chain (`buildInputs = [ … ] ++ depsAlsoForPython;`): that binding's name and attribute set.
 */
function inputBindingTaking(ctx: Ctx, binding: SyntaxNode): { name: string; attrset: SyntaxNode } | undefined {
  if (binding.parent?.parent?.type !== 'let_expression') return undefined;
  const scopes = ctx.api.scopes();
  const def = scopes.definitions().find((d) => d.holder.id === binding.id);
  if (!def) return undefined;
  let found: { name: string; attrset: SyntaxNode } | undefined;
  for (const ref of scopes.referencesTo(def)) {
    let node = ref.node.parent?.type === 'variable_expression' ? ref.node.parent : ref.node;
    let p = node.parent;
    while (p && (p.type === 'parenthesized_expression' || (p.type === 'binary_expression' && ctx.text(p.childForFieldName('operator') ?? p) === '++'))) {
      node = p;
      p = p.parent;
    }
    if (p?.type !== 'binding' || p.childForFieldName('expression')?.id !== node.id) continue;
    const name = ctx.text(p.childForFieldName('attrpath')!);
    if (INPUT_LIBS.test(name) && !/^propagated/.test(name)) return { name, attrset: p.parent!.parent! };
    if (INPUT_TOOLS.test(name)) found ??= { name, attrset: p.parent!.parent! };
  }
  return found;
}

function rewriteInputList(ctx: Ctx, use: Use, list: SyntaxNode, binding: SyntaxNode, name: string, attrset: SyntaxNode, conditions: string[]): void {
  const n = use.node;
  const shown = `\`${ctx.text(n)}\``;
  const lc = { binding, name, conditions };
  if (INPUT_TOOLS.test(lc.name) || INPUT_LIBS.test(lc.name)) ctx.inputSites.push({ attrset, conditions: lc.conditions, set: use.set });
  if (INPUT_TOOLS.test(lc.name)) {
    const blocked = blockedSibling(ctx, lc.binding, 'buildInputs');
    if (blocked) return ctx.left(use, 'unknown-use', blocked, 'add the split packages to `buildInputs` by hand, or move the comment');
    ctx.pendingLibs.push({ attrset, conditions: lc.conditions, set: use.set });
    return spliceList(ctx, use, list, ctx.inputElements(use.set, 'tools', n, use.attrs), lc.binding);
  }
  if (INPUT_LIBS.test(lc.name)) {
    const needsNvcc = use.attrs[0] !== 'lib' && ctx.libs.tools.includes('cuda_nvcc');
    const blocked = needsNvcc ? blockedSibling(ctx, lc.binding, 'nativeBuildInputs') : undefined;
    if (blocked) return ctx.left(use, 'unknown-use', blocked, 'add `cudaPackages.cuda_nvcc` to `nativeBuildInputs` by hand, or move the comment');
    if (/^propagated/.test(lc.name) && use.attrs[0] !== 'lib') {
      const headers = ctx.libs.compileLibs.filter(compileOnly);
      spliceList(ctx, use, list, ctx.inputElements(use.set, 'libs', n, use.attrs, ctx.libs.compileLibs.filter((p) => !compileOnly(p))), lc.binding);
      if (headers.length > 0) ctx.pendingLibs.push({ attrset, conditions: lc.conditions, set: use.set, packages: headers });
    } else {
      spliceList(ctx, use, list, ctx.inputElements(use.set, 'libs', n, use.attrs), lc.binding);
    }
    if (needsNvcc) ctx.pendingNvcc.push({ attrset, conditions: lc.conditions, set: use.set });
    return;
  }
  if (RUNTIME_BINDINGS.test(lc.name)) {
    ctx.wroteRuntimePath = true;
    return spliceList(ctx, use, list, ctx.inputElements(use.set, 'runtime', n, use.attrs), lc.binding);
  }
  return ctx.left(use, 'unknown-use', `${shown} in \`${lc.name}\` (not an input list this transform knows)`, 'replace it by the split packages it needs');
}

/** `lib.optional c cudatoolkit` in an input list binding: becomes `lib.optionals c [ … ]`. */
export function rewriteOptional(ctx: Ctx, use: Use, app: SyntaxNode, callee: SyntaxNode): void {
  // the binding whose value holds it, through `++` chains and parentheses
  let binding: SyntaxNode | null = app.parent;
  while (binding && (binding.type === 'binary_expression' || binding.type === 'parenthesized_expression')) binding = binding.parent;
  const name = binding?.type === 'binding' ? ctx.text(binding.childForFieldName('attrpath')!) : undefined;
  const cond = app.childForFieldName('function')!.childForFieldName('argument')!;
  const role: Role | undefined = name && INPUT_TOOLS.test(name) ? 'tools' : name && INPUT_LIBS.test(name) ? 'libs' : undefined;
  if (!role || !binding) return ctx.left(use, 'unknown-use', `\`${ctx.text(app)}\` is not in an input list this transform knows`, 'replace it by the split packages it needs');
  const needsNvcc = role === 'libs' && ctx.libs.tools.includes('cuda_nvcc');
  const blocked = role === 'tools' || needsNvcc ? blockedSibling(ctx, binding, role === 'libs' ? 'nativeBuildInputs' : 'buildInputs') : undefined;
  if (blocked) return ctx.left(use, 'unknown-use', blocked, 'rewrite it by hand, or move the comment');
  const condText = ctx.text(cond);
  const present = presentIn(ctx, app, binding);
  const elements = ctx.inputElements(use.set, role, use.node, use.attrs).filter((e) => !present.has(componentKey(e), [condText]));
  for (const e of elements) present.add(componentKey(e), [condText]);
  const attrset = binding.parent!.parent!;
  ctx.inputSites.push({ attrset, conditions: [condText], set: use.set });
  if (needsNvcc) ctx.pendingNvcc.push({ attrset, conditions: [condText], set: use.set });
  // only in nativeBuildInputs: the toolkit gave the libraries too (as rewriteInList does)
  if (role === 'tools') ctx.pendingLibs.push({ attrset, conditions: [condText], set: use.set });
  if (elements.length === 0 && ctx.removeOperand(use.node)) return ctx.handled(use);
  const indent = ctx.lineIndent(app.startIndex);
  // `lib.optional` → `lib.optionals`, also written `(lib.optional)`
  const plural = ctx.text(callee).replace(/optional(\)*)$/, 'optionals$1');
  const inline = `${plural} ${ctx.text(cond)} [ ${elements.join(' ')} ]`;
  const wide = app.startIndex - ctx.src.lastIndexOf('\n', app.startIndex) + inline.length > MAX_INLINE_WIDTH;
  const list = (ctx.api.style.nixfmt || wide) && elements.length > 1
    ? `[\n${elements.map((e) => `${indent}${ctx.api.style.indent}${e}`).join('\n')}\n${indent}]`
    : `[ ${elements.join(' ')} ]`;
  // the condition as rewritten already (`cudatoolkit != null` → `cudaPackages != null`)
  const newText = `${plural} ${ctx.api.edit.takeEdited(cond)} ${list}`;
  const value = binding.childForFieldName('expression')!;
  const operand = chainOperandOf(app, value);
  // (the whole chain is laid out anew only when no other use in it is rewritten on its own)
  const others = ctx.uses.some((u) => u !== use && value.startIndex <= u.node.startIndex && u.node.endIndex <= value.endIndex && !(app.startIndex <= u.node.startIndex && u.node.endIndex <= app.endIndex));
  // (nor when a `nixshift-ignore` covers part of it: that edit would be dropped whole)
  if (ctx.api.style.nixfmt && list.includes('\n') && operand && !ctx.text(value).includes('\n') && !others && !ctx.api.suppressedWithin(value)) {
    // a one-line chain that now spans lines: nixfmt's layout of the whole chain
    ctx.replace(value, ctx.api.edit.chainText(value, indent, new Map([[operand.id, newText]])));
  } else if (ctx.api.suppressedWithin(cond)) {
    // a `nixshift-ignore` inside the condition: it stays as it is, the edits go around it
    if (plural !== ctx.text(callee)) ctx.api.edit.replace(callee, plural);
    ctx.api.edit.replace(app.childForFieldName('argument')!, list);
  } else {
    ctx.api.edit.replace({ startIndex: callee.startIndex, endIndex: app.endIndex }, newText);
  }
  ctx.handled(use);
}

/** The operand of the `++` chain `value` that is `app` (through parentheses), when `value` is such a chain. */
function chainOperandOf(app: SyntaxNode, value: SyntaxNode): SyntaxNode | undefined {
  if (value.type !== 'binary_expression') return undefined;
  return chainOperands(value).find((o) => o.id === app.id);
}

/**
 * Why the rewrite of a use in `binding` cannot add what it needs to the sibling input list
 * `attr` (nvcc to `nativeBuildInputs`, libraries to `buildInputs`): that list is covered by a
 * `# nixshift-ignore` and does not have it already (the toolkit, or nvcc). Undefined when fine.
 */
/** Whether rewriteInList rewrites a toolkit in this list (a list of a binding or call it knows). */
export function knownList(ctx: Ctx, list: SyntaxNode): boolean {
  const lc = ctx.api.syntax.listContext(ctx.src, list);
  if (lc.call) return /^makeLibraryPath$|^makeSearchPath/.test(lc.call);
  if (!lc.binding || !lc.name) return false;
  if (INPUT_TOOLS.test(lc.name) || INPUT_LIBS.test(lc.name) || RUNTIME_BINDINGS.test(lc.name) || (lc.name === 'paths' && ownerCall(ctx, lc.binding) === 'symlinkJoin')) return true;
  return lc.binding.parent?.parent?.type === 'let_expression' && inputBindingTaking(ctx, lc.binding) !== undefined;
}

/**
 * Whether a bare toolkit in an input list is left because the sibling list it needs is covered by
 * a `# nixshift-ignore` (rewriteInList: `blockedSibling`), whatever the library set.
 */
export function blockedBySibling(ctx: Ctx, use: Use): boolean {
  const list = use.node.parent;
  if (list?.type !== 'list_expression' || use.attrs[0] === 'lib') return false;
  const lc = ctx.api.syntax.listContext(ctx.src, list);
  if (!lc.binding || !lc.name) return false;
  if (INPUT_LIBS.test(lc.name)) return blockedSibling(ctx, lc.binding, 'nativeBuildInputs') !== undefined;
  if (INPUT_TOOLS.test(lc.name)) return blockedSibling(ctx, lc.binding, 'buildInputs') !== undefined;
  return false;
}

function blockedSibling(ctx: Ctx, binding: SyntaxNode, attr: 'nativeBuildInputs' | 'buildInputs'): string | undefined {
  const sibling = siblingBinding(ctx.src, binding, attr);
  if (!sibling || sibling.node.id === binding.id) return undefined;
  const elements = ctx.api.syntax.listParts(ctx.src, sibling.value).flatMap((p) => ctx.api.syntax.listElements(p.list).map((e) => ctx.text(e)));
  const has = elements.some((e) => toolkitNameVersion(e.split('.').pop()!) !== null || (attr === 'nativeBuildInputs' && /(^|\.)cuda_nvcc$/.test(e)));
  if (has || !ctx.api.suppressed(sibling.node)) return undefined;
  return `\`${ctx.text(binding.childForFieldName('attrpath')!)}\` keeps the toolkit: its split packages need \`${attr}\` too, which \`# nixshift-ignore\` covers`;
}

/** The packages a binding's value holds (by component key and condition), remembered across uses. */
export function presentIn(ctx: Ctx, list: SyntaxNode, binding: SyntaxNode | undefined): Presence {
  const key = binding?.id ?? list.id;
  let present = ctx.present.get(key);
  if (present) return present;
  present = new Presence();
  const value = binding?.childForFieldName('expression');
  const members = value ? ctx.api.syntax.valueMembers(ctx.src, value) : ctx.api.syntax.listElements(list).map((node) => ({ node, conditions: [] as string[] }));
  for (const m of members) present.add(componentKey(ctx.text(m.node)), m.conditions);
  ctx.present.set(key, present);
  return present;
}

/** Plan the replacement of the use by `elements` in `list`, minus what the binding already has. */
function spliceList(ctx: Ctx, use: Use, list: SyntaxNode, elements: string[], binding: SyntaxNode | undefined): void {
  const present = presentIn(ctx, list, binding);
  const conditions = binding ? ctx.api.syntax.listContext(ctx.src, list).conditions : [];
  const fresh = elements.filter((e) => {
    const k = componentKey(e);
    if (present.has(k, conditions)) return false;
    present.add(k, conditions);
    return true;
  });
  planElement(ctx, list, use.node, fresh);
  ctx.handled(use);
}

/** Plan the replacement of one element of a list (applied once per list, finish/inputs.ts). */
export function planElement(ctx: Ctx, list: SyntaxNode, element: SyntaxNode, texts: string[]): void {
  let plan = ctx.listPlans.get(list.id);
  if (!plan) ctx.listPlans.set(list.id, (plan = { list, replacements: new Map() }));
  plan.replacements.set(element.id, texts);
}
