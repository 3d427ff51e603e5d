/**
 * A nixpkgs checkout as Nix sees it: where its root is, and which attributes a file of it stands
 * for (`pkgs/by-name/xx/foo/…` → `foo`; the `callPackage` call sites of `pkgs/top-level/` that
 * call the file or its folder; `pkgs/development/python-modules/foo/…` → `python3Packages.foo`).
 * No guess beyond that: a wrong attribute would be worse than none. Used by `--evidence sources`
 * (the package's source) and `--verify eval` (does the package still evaluate).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { attrFromPath, callSiteOwners, isSharedFile } from '../git/packages.js';

/** Attributes per file, at most (several call sites of one folder: `foo`, `fooWithCuda`, …). */
export const MAX_CANDIDATES = 3;

/** `pkgs/top-level/` files whose call sites are read (callSiteOwners adds the set's prefix). */
export const CALL_SITE_FILES: readonly string[] = [
  'pkgs/top-level/all-packages.nix',
  'pkgs/top-level/python-packages.nix',
  'pkgs/top-level/perl-packages.nix',
  'pkgs/top-level/ocaml-packages.nix',
  'pkgs/top-level/lua-packages.nix',
  'pkgs/top-level/cuda-packages.nix',
];

/** A call site of a shared file that calls a package file or folder. */
export interface CallSite {
  /** The attribute path (`foo`, `python3Packages.foo`). */
  attr: string;
  /** Repository-relative file or folder it calls (`pkgs/development/libraries/foo`). */
  target: string;
}

/** The call sites (with a path target) of shared files, given as repository-relative path → text. */
export function callSitesOf(sharedFiles: ReadonlyMap<string, string>): CallSite[] {
  const out: CallSite[] = [];
  for (const [rel, text] of sharedFiles) {
    for (const o of callSiteOwners(rel, text)) if (o.target !== undefined) out.push({ attr: o.attr, target: o.target });
  }
  return out;
}

/**
 * The attributes each file stands for (paths relative to the checkout, POSIX), reading the
 * checkout's pkgs/top-level files (`readFile`: undefined when one cannot be read) only when a
 * file needs their call sites.
 */
export function planFiles(root: string, rels: readonly string[], readFile: (absolute: string) => string | undefined): Map<string, AttrPlan> {
  let callSites: CallSite[] = [];
  if (needsCallSites(rels)) {
    const shared = new Map<string, string>();
    for (const rel of CALL_SITE_FILES) {
      const text = readFile(join(root, rel));
      if (text !== undefined) shared.set(rel, text);
    }
    callSites = callSitesOf(shared);
  }
  return new Map(rels.map((rel) => [rel, planAttributes(rel, callSites)]));
}

/** Whether any of these files needs the call sites of the shared files (so they are parsed only then). */
export function needsCallSites(rels: readonly string[]): boolean {
  return rels.some((r) => !isSharedFile(r) && !r.startsWith('pkgs/by-name/') && !r.startsWith('nixos/') && !r.startsWith('../') && r.includes('/'));
}

export type AttrPlan = { attrs: string[] } | { missing: string };

/**
 * The attributes a file (path relative to the nixpkgs root, POSIX) stands for, best first, or
 * why it stands for none.
 */
export function planAttributes(rel: string, callSites: readonly CallSite[]): AttrPlan {
  if (rel === '' || rel.startsWith('../') || isAbsolute(rel)) return { missing: 'the file is outside the nixpkgs checkout' };
  if (isSharedFile(rel)) return { missing: 'a shared file (call sites of many packages), not one package' };
  if (rel.startsWith('nixos/')) return { missing: 'a NixOS file, not a package' };
  if (!rel.includes('/')) return { missing: "a file at the checkout's root, not a package" };
  const s = rel.split('/');
  if (s[0] === 'pkgs' && s[1] === 'by-name') {
    return s.length >= 5 ? { attrs: [attrFromPath(rel)] } : { missing: 'no attribute found for this file (not inside a pkgs/by-name/xx/<name>/ folder)' };
  }
  // Call sites: the file itself (`callPackage ../foo/2.x.nix`) before its folder
  // (`callPackage ../foo`), the deepest folder first; within one target, a binding named like
  // the folder first (`magma` before `magma-cuda`), then source order.
  const scored: { attr: string; depth: number; order: number; named: boolean }[] = [];
  callSites.forEach((c, order) => {
    let depth: number;
    if (c.target === rel) depth = Number.MAX_SAFE_INTEGER;
    else if (rel.startsWith(`${c.target}/`)) depth = c.target.split('/').length;
    else return;
    const last = c.target.replace(/\.nix$/, '').split('/').pop()!;
    const name = c.attr.split('.').pop()!;
    scored.push({ attr: c.attr, depth, order, named: name === last || (last === 'default' && name === c.target.split('/').at(-2)) });
  });
  scored.sort((a, b) => b.depth - a.depth || Number(b.named) - Number(a.named) || a.order - b.order);
  const attrs = [...new Set(scored.map((x) => x.attr))].slice(0, MAX_CANDIDATES);
  if (attrs.length > 0) return { attrs };
  if (s[0] === 'pkgs' && s[1] === 'development' && s[2] === 'python-modules' && s.length >= 5) return { attrs: [attrFromPath(rel)] };
  return { missing: 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' };
}

/** The attribute path as names (`python3Packages.foo` → `["python3Packages", "foo"]`). */
export const attrPath = (attr: string): string[] => attr.split('.');

/**
 * The nixpkgs checkout holding `start`: the nearest enclosing folder with
 * `pkgs/top-level/all-packages.nix` and a `default.nix`, else the git root (the nearest folder
 * with `.git`) when it has a `default.nix`.
 */
export function findNixpkgsRoot(start: string, exists: (p: string) => boolean = existsSync): string | undefined {
  let gitRoot: string | undefined;
  for (let d = resolve(start); ; d = dirname(d)) {
    if (exists(join(d, 'pkgs', 'top-level', 'all-packages.nix')) && exists(join(d, 'default.nix'))) return d;
    if (gitRoot === undefined && exists(join(d, '.git'))) gitRoot = d;
    if (dirname(d) === d) break;
  }
  return gitRoot !== undefined && exists(join(gitRoot, 'default.nix')) ? gitRoot : undefined;
}

