/**
 * nixpkgs conventions the transforms share: what a package set looks like, where a package is
 * called with explicit arguments.
 */
import type { SyntaxNode } from '../nix/tree.js';
import type { ScopeIndex } from '../nix/scope.js';
import { dottedName, type FunctionInfo, nodesOfTypeContaining, unparen } from '../nix/syntax.js';

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
 * Package sets that carry `lib`, in the order a file's own names are preferred: `pkgs` (a
 * `{ pkgs }:` file, a flake's `let pkgs = import nixpkgs { … }`, a module), an overlay's `final` /
 * `prev` (or `super`; not `self`, which in a flake is its own outputs), a flake's `nixpkgs` input.
 */
const LIB_CARRIERS = ['pkgs', 'final', 'prev', 'super', 'nixpkgs'] as const;

/**
 * How a transform should name nixpkgs' `lib` at `site` (the place it writes, default the top
 * function's body): `lib` when it is bound there; else `<set>.lib` of a package set bound there
 * (`pkgs.lib` in a `{ pkgs, … }:` file, whose callers may not pass `lib`; `final.lib` in an
 * overlay; `nixpkgs.lib` in a flake); else, in a `{ … }:` function, `lib`, which the transform
 * must add to the formals (`addFormal`).
 */
export function libReference(top: FunctionInfo | undefined, scopes: ScopeIndex, site?: SyntaxNode): { name: string; addFormal: boolean } {
  if (top?.formals.some((f) => f.name === 'lib')) return { name: 'lib', addFormal: false };
  const at = site ?? top?.body ?? top?.node;
  if (at) {
    // bound there, or brought by `with pkgs;` (a package set has `lib`)
    const r = scopes.resolveNameAt(at, 'lib');
    if (r.kind === 'bound') return { name: 'lib', addFormal: false };
    // (a `with` around the whole body: the name is used at other places than `at` too)
    const body = top?.body;
    const packageSetEnv = (w: SyntaxNode): boolean => PACKAGE_SET_NAMES.has(w.childForFieldName('environment')?.text.split('.').pop() ?? '') && body !== null && body !== undefined && w.startIndex <= body.startIndex && body.endIndex <= w.endIndex;
    if (r.kind === 'with' && r.withs.some(packageSetEnv)) return { name: 'lib', addFormal: false };
  }
  if (top?.formals.some((f) => f.name === 'pkgs')) return { name: 'pkgs.lib', addFormal: false };
  if (at) {
    const carrier = LIB_CARRIERS.find((n) => scopes.resolveNameAt(at, n).kind === 'bound');
    if (carrier) return { name: `${carrier}.lib`, addFormal: false };
  }
  return { name: 'lib', addFormal: top !== undefined };
}
