/**
 * nixpkgs conventions the transforms share: what a package set looks like, where a package is
 * called with explicit arguments.
 */
import type { SyntaxNode } from './tree.js';
import type { ScopeIndex } from './scope.js';
import { dottedName, type FunctionInfo, nodesOfTypeContaining, unparen } from './syntax.js';

/** Names under which nixpkgs code holds the whole package set. */
export const PACKAGE_SET_NAMES: ReadonlySet<string> = new Set([
  'pkgs', 'final', 'prev', 'self', 'super', 'buildPackages', 'pkgsBuildBuild', 'pkgsBuildHost',
  'pkgsBuildTarget', 'pkgsHostHost', 'pkgsHostTarget', 'pkgsTargetTarget', 'targetPackages',
  'pkgsi686Linux', 'pkgsStatic', 'pkgsMusl', 'pkgsCuda',
]);

const CUDA_SET = /^cudaPackages(_\d+(_\d+)*)?$/;

/** `pkgs`, `final`, `pkgs.buildPackages` …: an expression that is (likely) the package set. */
export function isPackageSet(source: string, node: SyntaxNode): boolean {
  const name = dottedName(source, node);
  return name !== undefined && PACKAGE_SET_NAMES.has(name[name.length - 1]!);
}

/** `cudaPackages`, `cudaPackages_12_4`, `pkgs.cudaPackages` …: a CUDA package set. */
export function isCudaPackageSet(source: string, node: SyntaxNode): boolean {
  const name = dottedName(source, node);
  if (!name) return false;
  if (!CUDA_SET.test(name[name.length - 1]!)) return false;
  return name.length === 1 || name.slice(0, -1).every((p) => PACKAGE_SET_NAMES.has(p) || p === 'pkgs');
}

export interface CallSite {
  /** The attrset of explicit arguments. */
  args: SyntaxNode;
  /** `callPackage` or `override`. */
  kind: 'callPackage' | 'override';
  /** The whole application. */
  node: SyntaxNode;
}

/**
 * Attrsets passed as explicit arguments to a package: `callPackage ./x.nix { … }`,
 * `callPackages …`, `pkg.override { … }`.
 */
export function callSites(source: string, root: SyntaxNode, mentioning?: string): CallSite[] {
  const out: CallSite[] = [];
  // Only the call sites whose text mentions a name, when the caller only cares about those.
  const apps = mentioning === undefined ? root.descendantsOfType('apply_expression') : nodesOfTypeContaining(source, root, 'apply_expression', mentioning);
  for (const app of apps) {
    const arg = app.childForFieldName('argument');
    const fn = app.childForFieldName('function');
    if (!arg || !fn || unparen(arg).type !== 'attrset_expression') continue;
    const args = unparen(arg);
    const f = unparen(fn);
    if (f.type === 'apply_expression') {
      const callee = f.childForFieldName('function');
      const name = callee ? dottedName(source, callee) : undefined;
      if (name && /^callPackages?$/.test(name[name.length - 1]!)) out.push({ args, kind: 'callPackage', node: app });
    } else {
      const name = dottedName(source, f);
      if (name && name.length > 1 && name[name.length - 1] === 'override') out.push({ args, kind: 'override', node: app });
    }
  }
  return out;
}

/**
 * How a transform should name nixpkgs' `lib` in a file: `lib` when the top function takes it or
 * it is otherwise bound; `pkgs.lib` in a `{ pkgs, … }:` file without it (its callers may not pass
 * `lib`); else `lib`, which the transform must add to the formals (`addFormal`).
 */
export function libReference(top: FunctionInfo | undefined, scopes: ScopeIndex): { name: string; addFormal: boolean } {
  if (!top || top.formals.some((f) => f.name === 'lib')) return { name: 'lib', addFormal: false };
  if (scopes.resolveNameAt(top.body ?? top.node, 'lib').kind === 'bound') return { name: 'lib', addFormal: false };
  if (top.formals.some((f) => f.name === 'pkgs')) return { name: 'pkgs.lib', addFormal: false };
  return { name: 'lib', addFormal: true };
}
