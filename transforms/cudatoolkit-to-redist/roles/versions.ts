/**
 * Versions, the compiler and other attributes of the toolkit (docs/cuda.md#legacy-forms):
 * `cudatoolkit.version` → `cudaPackages.cudaMajorMinorVersion`, `lib.versions.major
 * cudatoolkit.version` → `cudaMajorVersion`, `cudatoolkit.cc` → `backendStdenv.cc`,
 * `cudatoolkit.doc` dropped from lists, `cudatoolkit == null` → `cudaPackages == null`.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import type { Ctx, Use } from '../context.js';
import { isCmakeRootFlag } from './build-roots.js';
import { planElement } from './inputs.js';

const VERSION_ATTRS = new Set(['version', 'majorMinorVersion', 'majorVersion']);

export function isVersionUse(use: Use): boolean {
  return VERSION_ATTRS.has(use.attrs[0] ?? '');
}

export function rewriteVersion(ctx: Ctx, use: Use): void {
  const n = use.node;
  const first = use.attrs[0]!;
  if (use.attrs.length > 1) return ctx.left(use, 'unknown-use', `\`${ctx.text(n)}\`: not a known toolkit attribute path`, 'rewrite by hand');
  // lib.versions.major cudatoolkit.version → cudaPackages.cudaMajorVersion (and majorMinor)
  const app = n.parent?.type === 'apply_expression' && n.parent.childForFieldName('argument')?.id === n.id ? n.parent : undefined;
  const fn = app?.childForFieldName('function');
  const d = fn ? ctx.api.syntax.dottedName(ctx.src, fn) : undefined;
  const which = d && d.length >= 2 && d[d.length - 2] === 'versions' ? d[d.length - 1] : undefined;
  if (app && first === 'version' && ctx.versionAttr === 'cudaMajorMinorVersion' && (which === 'major' || which === 'majorMinor')) {
    ctx.replace(app, `${use.set.text}.${which === 'major' ? 'cudaMajorVersion' : 'cudaMajorMinorVersion'}`);
    return ctx.handled(use);
  }
  ctx.replace(n, `${use.set.text}.${ctx.versionAttr}`);
  if (first === 'majorVersion') ctx.api.report(n, { rule: 'major-version', message: `\`${ctx.text(n)}\` was the major.minor version of the toolkit; now \`${use.set.text}.${ctx.versionAttr}\``, fix: `use \`${use.set.text}.cudaMajorVersion\` if the major version was meant` });
  ctx.handled(use);
}

/** `cudatoolkit.cc` → `cudaPackages.backendStdenv.cc` (and `.cc.stdenv` → `backendStdenv`). */
export function rewriteCompiler(ctx: Ctx, use: Use): void {
  if (isCmakeRootFlag(ctx, use)) return;
  const rest = use.attrs.slice(1);
  const text = use.attrs[1] === 'stdenv'
    ? `${use.set.text}.backendStdenv${rest.length > 1 ? `.${rest.slice(1).join('.')}` : ''}`
    : `${use.set.text}.backendStdenv.cc${rest.length ? `.${rest.join('.')}` : ''}`;
  ctx.replace(use.node, text);
  ctx.handled(use);
}

/** `cudatoolkit.doc` in a list: dropped (no redist replacement). */
export function rewriteDoc(ctx: Ctx, use: Use): void {
  if (use.node.parent?.type !== 'list_expression') return ctx.left(use, 'unknown-use', `\`${ctx.text(use.node)}\`: the toolkit documentation has no redist replacement`, 'drop it');
  planElement(ctx, use.node.parent, use.node, []);
  ctx.handled(use);
}

/** `cudatoolkit == null` → `cudaPackages == null`; other comparisons are reported. */
export function rewriteComparison(ctx: Ctx, use: Use, expr: SyntaxNode): void {
  const op = expr.childForFieldName('operator');
  const other = expr.childForFieldName('left')?.id === use.node.id ? expr.childForFieldName('right') : expr.childForFieldName('left');
  if (op && ['==', '!='].includes(ctx.text(op)) && other && ctx.text(other) === 'null' && use.attrs.length === 0) {
    ctx.replace(use.node, use.set.text);
    return ctx.handled(use);
  }
  ctx.left(use, 'unknown-use', `\`${ctx.text(use.node)}\` in an expression (\`${ctx.text(expr).slice(0, 60)}\`)`, 'rewrite by hand with the split packages of cudaPackages');
}
