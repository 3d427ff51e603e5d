/**
 * Which nixpkgs package an edited file belongs to, for one-commit-per-package (`--commit`):
 * the attribute a file's path stands for, the shared files that hold call sites of many
 * packages (`pkgs/top-level/all-packages.nix` …), and the top-level bindings of such a file
 * with the package file each one calls.
 *
 * Paths here are POSIX paths relative to the repository root.
 */
import { posix } from 'node:path';
import type { SyntaxNode } from '../nix/tree.js';
import { parseNix } from '../nix/parser.js';
import { attrName, dottedName, nodeText, unparen } from '../nix/syntax.js';

function segments(relPath: string): string[] {
  return relPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

const stripNix = (name: string): string => name.replace(/\.nix$/, '');

/**
 * The attribute (nixpkgs commit-title prefix) a file stands for:
 *
 * - `pkgs/by-name/xx/foo/…` → `foo`
 * - `pkgs/development/python-modules/foo/…` → `python3Packages.foo`
 * - `nixos/modules/…/foo.nix` → `nixos/foo`, `nixos/modules/…/foo/default.nix` → `nixos/foo`
 * - otherwise the folder the file is in (`pkgs/development/libraries/magma/default.nix` →
 *   `magma`), and for a file at the repository root its name without `.nix`.
 */
export function attrFromPath(relPath: string): string {
  const s = segments(relPath);
  if (s.length === 0) return '';
  if (s[0] === 'pkgs' && s[1] === 'by-name' && s.length >= 4) return stripNix(s[3]!);
  if (s[0] === 'pkgs' && s[1] === 'development' && s[2] === 'python-modules' && s.length >= 4) return `python3Packages.${stripNix(s[3]!)}`;
  if (s[0] === 'nixos' && s[1] === 'modules' && s.length >= 3) {
    const last = s[s.length - 1]!;
    const name = last === 'default.nix' && s.length >= 4 ? s[s.length - 2]! : stripNix(last);
    return `nixos/${name}`;
  }
  if (s.length === 1) return stripNix(s[0]!);
  return s[s.length - 2]!;
}

/**
 * Files that hold the call sites of many packages: everything under `pkgs/top-level/`
 * (all-packages.nix, python-packages.nix, …) and any `aliases.nix`.
 */
export function isSharedFile(relPath: string): boolean {
  const s = segments(relPath);
  if (s[0] === 'pkgs' && s[1] === 'top-level' && s.length >= 3) return true;
  return s[s.length - 1] === 'aliases.nix';
}

/** Package sets whose top-level file lives in `pkgs/top-level/`: file name → attribute prefix. */
const SET_PREFIX: Readonly<Record<string, string>> = {
  'python-packages.nix': 'python3Packages.',
  'python-aliases.nix': 'python3Packages.',
  'perl-packages.nix': 'perlPackages.',
  'ocaml-packages.nix': 'ocamlPackages.',
  'lua-packages.nix': 'luaPackages.',
  'cuda-packages.nix': 'cudaPackages.',
};

export interface CallSiteOwner {
  /** UTF-16 offsets of the binding in the original text (`name = …;`, `inherit (x) name;`). */
  start: number;
  end: number;
  /** The binding's attribute path, with the package set's prefix (`python3Packages.torch`). */
  attr: string;
  /**
   * The repository-relative file or folder the binding calls (`callPackage ../x/foo { }` →
   * `pkgs/x/foo`), when its value calls a package with a path literal.
   */
  target?: string;
}

/** Functions whose path argument is the package a binding stands for. */
const CALLERS = /^(callPackages?|callPackage_i686|callPythonPackage|import)$/;

/**
 * The attrsets a shared file evaluates to, looking through functions (`self: super: …`,
 * `{ lib, … }: …`), `with`, `let … in`, `assert`, parentheses, `//` chains and applications
 * whose last argument is the set (`mapAliases { … }`, `makeScope newScope (self: { … })`).
 */
function resultSets(source: string, root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const start = root.childForFieldName('expression') ?? root.namedChildren.find((c) => c.type !== 'comment');
  const stack: SyntaxNode[] = start ? [start] : [];
  let guard = 0;
  while (stack.length > 0 && guard++ < 10_000) {
    const n = unparen(stack.pop()!);
    switch (n.type) {
      case 'attrset_expression':
      case 'rec_attrset_expression':
        out.push(n);
        break;
      case 'function_expression':
      case 'with_expression':
      case 'let_expression':
      case 'assert_expression': {
        const body = n.childForFieldName('body');
        if (body) stack.push(body);
        break;
      }
      case 'binary_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        // pushed right first so that the left side is visited first (source order)
        if (r) stack.push(r);
        if (l) stack.push(l);
        break;
      }
      case 'apply_expression': {
        const arg = n.childForFieldName('argument');
        if (arg && !isCaller(source, n)) stack.push(arg);
        break;
      }
      default:
        break;
    }
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** `callPackage ./x { }` / `import ./x { }`: an application whose head is a package caller. */
function isCaller(source: string, app: SyntaxNode): boolean {
  let head: SyntaxNode | null = app;
  while (head && unparen(head).type === 'apply_expression') head = unparen(head).childForFieldName('function');
  if (!head) return false;
  const name = dottedName(source, head);
  return name !== undefined && CALLERS.test(name[name.length - 1]!);
}

/** The first path literal in `value` passed to a package caller, resolved from `dir`. */
function targetOf(source: string, value: SyntaxNode, dir: string): string | undefined {
  for (const path of value.descendantsOfType('path_expression')) {
    if (path.namedChildren.some((c) => c.type === 'interpolation')) continue;
    const app = path.parent;
    if (!app || app.type !== 'apply_expression' || app.childForFieldName('argument')?.id !== path.id) continue;
    const fn = app.childForFieldName('function');
    const name = fn ? dottedName(source, fn) : undefined;
    if (!name || !CALLERS.test(name[name.length - 1]!)) continue;
    const text = nodeText(source, path);
    if (text.startsWith('/') || text.startsWith('~')) continue;
    const resolved = posix.normalize(posix.join(dir, text)).replace(/\/+$/, '');
    if (resolved === '..' || resolved.startsWith('../') || resolved === '.' || resolved === '') continue;
    return resolved;
  }
  return undefined;
}

/**
 * The top-level bindings of a shared file (see `isSharedFile`), from its original text, in
 * source order: each `name = …;` of the attrset(s) the file evaluates to, and each
 * `inherit …;` of a single name. Bindings with a dynamic name (`${x} = …`) are left out.
 * `target` is set when the value calls `callPackage` (any `….callPackage`, `callPackages`,
 * `import`) with a path literal, also inside wrappers such as `toPythonModule (…)`.
 */
export function callSiteOwners(relPath: string, originalText: string): CallSiteOwner[] {
  const rel = segments(relPath).join('/');
  const parsed = parseNix(originalText);
  const source = parsed.source;
  const prefix = SET_PREFIX[posix.basename(rel)] ?? '';
  const dir = posix.dirname(rel);
  const out: CallSiteOwner[] = [];
  for (const set of resultSets(source, parsed.root)) {
    const bindings = set.namedChildren.find((c) => c.type === 'binding_set')?.namedChildren ?? [];
    for (const b of bindings) {
      if (b.type === 'binding') {
        const attrpath = b.childForFieldName('attrpath');
        const value = b.childForFieldName('expression');
        if (!attrpath) continue;
        const names = attrpath.namedChildren.map((a) => attrName(source, a));
        if (names.length === 0 || names.some((n) => n === undefined)) continue;
        const owner: CallSiteOwner = { start: b.startIndex, end: b.endIndex, attr: prefix + names.join('.') };
        const target = value ? targetOf(source, value, dir) : undefined;
        if (target !== undefined) owner.target = target;
        out.push(owner);
      } else if (b.type === 'inherit' || b.type === 'inherit_from') {
        const attrs = b.childForFieldName('attrs')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        if (attrs.length !== 1) continue;
        const name = attrName(source, attrs[0]!);
        if (name === undefined) continue;
        out.push({ start: b.startIndex, end: b.endIndex, attr: prefix + name });
      }
    }
  }
  return out;
}
