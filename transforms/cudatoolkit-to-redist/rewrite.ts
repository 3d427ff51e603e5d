/**
 * Rewriting each use, by its role (the modules under roles/): a dev shell or profile that
 * installs the whole toolkit keeps every use; otherwise each use goes to the role its place
 * names (input list, interpolated path, version, compiler, comparison, binding value).
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import { positionAt } from '../../src/nix/position.js';
import { hasRedist } from '../../src/cuda/facts.js';
import type { Ctx, Use } from './context.js';
import { isAliasDefinition } from './uses.js';
import { blockedBySibling, environmentOf, environmentUse, knownList, rewriteInList, rewriteOptional, shellCall } from './roles/inputs.js';
import { rewriteInterpolation } from './roles/paths.js';
import { rewriteBindingValue } from './roles/build-roots.js';
import { isVersionUse, rewriteComparison, rewriteCompiler, rewriteDoc, rewriteVersion } from './roles/versions.js';

const LIST_IT = 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …)';

/** Builders of derivations: a use inside one is migrated on its own merits, whatever a shell does. */
const DERIVATION_BUILDERS = /^(mkDerivation|overrideAttrs|overridePythonAttrs|build[A-Z]\w*|mkPythonPackage)$/;

/** Whether the use is inside the arguments of a derivation builder (`stdenv.mkDerivation { … }`). */
function inDerivation(ctx: Ctx, node: SyntaxNode): boolean {
  let prev = node;
  for (let p = node.parent; p; prev = p, p = p.parent) {
    if (p.type !== 'apply_expression' || p.childForFieldName('argument')?.id !== prev.id) continue;
    const fn = p.childForFieldName('function');
    const d = fn ? ctx.api.syntax.dottedName(ctx.src, ctx.api.syntax.unparen(fn)) : undefined;
    if (d && DERIVATION_BUILDERS.test(d[d.length - 1]!)) return true;
  }
  return false;
}

export function rewriteAll(ctx: Ctx): void {
  ctx.leftRegardless = (use) => leftWhateverTheSet(ctx, use);
  const env = environmentUse(ctx);
  if (env) {
    // The environment (a dev shell, a profile) keeps the whole toolkit, and so do the settings
    // around it (its library paths stay consistent); a derivation beside it (a flake's
    // packages.default) is migrated on its own merits.
    const whole = [...ctx.uses, ...ctx.inheritUses].filter((u) => !inDerivation(ctx, u.node) || environmentOf(ctx, u) !== undefined);
    keepWhole(ctx, env.use, env.where, whole);
  }
  for (const use of ctx.inheritUses) if (!ctx.ledger.settled(use.node)) rewriteInherit(ctx, use);
  for (const use of ctx.uses) {
    if (ctx.ledger.settled(use.node)) continue;
    if (!hasRedist(use.set.version)) {
      ctx.left(use, 'no-redist', `\`${ctx.text(use.node)}\` is CUDA ${use.set.version!.replace(/_/g, '.')}, which has no redist packages in nixpkgs (they start at 11.4); left as is`, 'move the package to CUDA 11.4 or newer first (or keep the legacy toolkit)');
      continue;
    }
    if (isAliasDefinition(ctx, use)) continue;
    rewriteUse(ctx, use);
  }
}

/**
 * A dev shell or a user/system profile that installs the toolkit: keep every use whole, so the
 * profile and its library paths stay consistent (decide by hand).
 */
function keepWhole(ctx: Ctx, envUse: Use, where: string, uses: readonly Use[]): void {
  const line = positionAt(ctx.src, envUse.node.startIndex).line;
  for (const use of uses) {
    if (ctx.ledger.settled(use.node)) continue;
    const message = use === envUse
      ? `\`${ctx.text(use.node)}\` is installed whole into ${where}; a whole toolkit may be intended`
      : `\`${ctx.text(use.node)}\` left whole, consistent with the toolkit installed into ${where} at line ${line}`;
    ctx.left(use, 'whole-toolkit-intended', message, 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …) everywhere in this file');
  }
}

/** `inherit cudatoolkit;` in passthru → `cudatoolkit = cudaPackages.cudatoolkit;`; elsewhere a finding. */
function rewriteInherit(ctx: Ctx, use: Use): void {
  const inherit = use.node.parent?.parent;
  if (!inherit || inherit.type !== 'inherit') return;
  const redist = hasRedist(use.set.version);
  if (!redist || !ctx.inPassthru(inherit)) {
    return ctx.left(use, redist ? 'unknown-use' : 'no-redist', `\`inherit ${ctx.text(use.node)};\` passes the legacy toolkit on`, 'pass the split packages (or `cudaPackages`) instead');
  }
  ctx.api.edit.inheritAsBinding(inherit, use.node, `${ctx.text(use.node)} = ${use.set.text}.cudatoolkit;`);
  ctx.handled(use);
  ctx.api.report(use.node, { rule: 'passthru-kept', message: `\`passthru.${ctx.text(use.node)}\` now refers to \`${use.set.text}.cudatoolkit\` for backward compatibility; passthru does not enter closures`, fix: 'drop it once no consumer reads it' });
}

/** `lib.optional cond cudatoolkit`: the call, when the use is its last argument. */
function optionalCall(ctx: Ctx, n: SyntaxNode): { app: SyntaxNode; callee: SyntaxNode } | undefined {
  const app = n.parent;
  if (app?.type !== 'apply_expression' || app.childForFieldName('argument')?.id !== n.id) return undefined;
  const fn = app.childForFieldName('function');
  const callee = fn?.type === 'apply_expression' ? fn.childForFieldName('function') : null;
  const d = callee ? ctx.api.syntax.dottedName(ctx.src, callee) : undefined;
  return callee && d && d[d.length - 1] === 'optional' ? { app, callee } : undefined;
}

/** Where a use of the toolkit itself (no attribute, or one output) sits: what rewriteUse does with it. */
type Place =
  | { kind: 'whole-file' }
  | { kind: 'shell'; shell: string }
  | { kind: 'list'; node: SyntaxNode; list: SyntaxNode }
  | { kind: 'interpolation'; parent: SyntaxNode }
  | { kind: 'comparison'; parent: SyntaxNode }
  | { kind: 'binding-value'; parent: SyntaxNode }
  | { kind: 'optional'; app: SyntaxNode; callee: SyntaxNode }
  | { kind: 'other'; parent: SyntaxNode };

function placeOf(ctx: Ctx, n: SyntaxNode): Place {
  const parent = n.parent;
  if (!parent) return { kind: 'whole-file' };
  const shell = shellCall(ctx, n);
  if (shell) return { kind: 'shell', shell };
  if (parent.type === 'list_expression') return { kind: 'list', node: n, list: parent };
  if (parent.type === 'interpolation') return { kind: 'interpolation', parent };
  if (parent.type === 'binary_expression') return { kind: 'comparison', parent };
  if (parent.type === 'binding' && parent.childForFieldName('expression')?.id === n.id) return { kind: 'binding-value', parent };
  // `[ (cudatoolkit) ]`: the parentheses are the element; the use shares its fate
  if (parent.type === 'parenthesized_expression' && parent.parent?.type === 'list_expression') return { kind: 'list', node: parent, list: parent.parent };
  const optional = optionalCall(ctx, n);
  return optional ? { kind: 'optional', ...optional } : { kind: 'other', parent };
}

/**
 * A use that rewriteUse leaves whatever the library set is (a place it does not rewrite, a list
 * it does not know, a sibling list a `# nixshift-ignore` covers): it does not count among the
 * uses the set is decided for (Ctx.libOutputEvidence). Same places as rewriteUse (placeOf).
 */
function leftWhateverTheSet(ctx: Ctx, use: Use): boolean {
  if (use.attrs.length > 1) return true;
  const place = placeOf(ctx, use.node);
  switch (place.kind) {
    case 'list':
      return !knownList(ctx, place.list) || blockedBySibling(ctx, { ...use, node: place.node });
    case 'interpolation':
    case 'comparison':
    case 'binding-value':
    case 'optional':
      return false;
    default:
      return true;
  }
}

function rewriteUse(ctx: Ctx, use: Use): void {
  const first = use.attrs[0];
  const n = use.node;
  if (isVersionUse(use)) return rewriteVersion(ctx, use);
  if (first === 'cc') return rewriteCompiler(ctx, use);
  if (first === 'doc') return rewriteDoc(ctx, use);
  if (first !== undefined && !['out', 'lib', 'dev', 'static', 'bin'].includes(first)) {
    return ctx.left(use, 'unknown-use', `\`${ctx.text(n)}\`: \`${first}\` is not a known attribute of the toolkit`, 'rewrite by hand with the split packages of cudaPackages');
  }
  if (use.attrs.length > 1) return ctx.left(use, 'unknown-use', `\`${ctx.text(n)}\`: unexpected attribute path`, 'rewrite by hand');
  const place = placeOf(ctx, n);
  switch (place.kind) {
    case 'whole-file':
      return ctx.left(use, 'unknown-use', 'the toolkit is the whole file', 'rewrite by hand');
    case 'shell':
      return ctx.left(use, 'whole-toolkit-intended', `\`${ctx.text(n)}\` is part of a \`${place.shell}\` environment, where a whole toolkit may be intended`, LIST_IT);
    case 'list':
      if (place.node.id === n.id) return rewriteInList(ctx, use, place.list);
      rewriteInList(ctx, { ...use, node: place.node }, place.list);
      if (ctx.ledger.isHandled(place.node)) ctx.handled(use);
      else if (ctx.ledger.isLeft(place.node)) ctx.ledger.left(use.node);
      return;
    case 'interpolation':
      return rewriteInterpolation(ctx, use, place.parent);
    case 'comparison':
      return rewriteComparison(ctx, use, place.parent);
    case 'binding-value':
      return rewriteBindingValue(ctx, use, place.parent);
    case 'optional':
      return rewriteOptional(ctx, use, place.app, place.callee);
  }
  return ctx.left(use, 'unknown-use', `\`${ctx.text(n)}\` is used in a way this transform does not rewrite (${place.parent.type.replace(/_/g, ' ')})`, 'replace it by the split packages it needs, e.g. `cudaPackages.cuda_cudart`');
}
