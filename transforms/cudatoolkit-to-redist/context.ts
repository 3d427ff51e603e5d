/**
 * What every phase of the migration shares: the file, the uses of the toolkit and the state of
 * each (one ledger), how to name packages and `lib` at a place, and the library set decided from
 * evidence (src/cuda/evidence/decide.ts), worked out on first use: a file whose only uses are call
 * sites (all-packages.nix: a megabyte of strings) never needs it.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import type { Definition } from '../../src/nix/scope.js';
import type { FunctionInfo } from '../../src/nix/syntax.js';
import { enclosingBinding, interpolatedPath, libReference, optionalsPrefix } from '../../src/nixpkgs/index.js';
import type { TransformApi, TransformOptions } from '../../src/transform.js';
import { ALL_COMPONENTS, hasRedist } from '../../src/cuda/facts.js';
import { decide, type LibraryDecision } from '../../src/cuda/evidence/decide.js';
import { prebuiltHint, scanNixPackages, scanNixText } from '../../src/cuda/evidence/nix-text.js';
import { scanTrees } from '../../src/cuda/evidence/trees.js';
import type { RuleId } from './rules.js';
import type { EvidenceItem, TreeEvidence } from '../../src/cuda/evidence/types.js';
import { indentOfLine } from '../../src/nix/position.js';

export type Role = 'tools' | 'libs' | 'runtime';

export interface SetRef {
  /** How to name the package set where the use is (e.g. `cudaPackages`, `pkgs.cudaPackages_11`). */
  text: string;
  /** Version of a versioned set (`11_8`), if any. */
  version?: string;
  /**
   * A use under `with pkgs;` names the set `cudaPackages` through that `with`: `within` is the
   * `with` expression, and `qualified` (`pkgs.cudaPackages`) how to name it outside it.
   */
  within?: SyntaxNode;
  qualified?: string;
  /**
   * The set's name is bound only by these `with` expressions (innermost first): outside them it
   * is written under them, `(with env; pkgs.cudaPackages.cuda_nvcc)`.
   */
  withs?: SyntaxNode[];
}

export interface Use {
  /** The expression to replace: the toolkit reference plus selected attributes. */
  node: SyntaxNode;
  /** Attributes selected after the toolkit (`cc`, `lib`, `version`, …). */
  attrs: string[];
  set: SetRef;
  /** The definition it resolves through (formal, let alias, inherit), when any. */
  def?: Definition;
}

/** Something to add to a sibling input list of a derivation once every use is rewritten. */
export interface Pending {
  attrset: SyntaxNode;
  conditions: string[];
  set: SetRef;
  /** For libraries: the packages to add (default: the compile-time set). */
  packages?: string[];
}

/**
 * The packages an input binding holds, each with the conditions it is under: a package is
 * present for a condition when it is there unconditionally or under the same condition.
 */
/**
 * The conjuncts of conditions, canonical: `(a && (b))` and `[a, b]` are both `a`, `b` (split at
 * top-level `&&`, outer parentheses and blanks dropped, sorted).
 */
export function conjuncts(conditions: readonly string[]): string[] {
  const out: string[] = [];
  const strip = (t: string): string => {
    let x = t.trim().replace(/\s+/g, ' ');
    while (x.startsWith('(') && x.endsWith(')') && balanced(x.slice(1, -1))) x = x.slice(1, -1).trim();
    return x;
  };
  const split = (t: string): void => {
    const x = strip(t);
    let depth = 0;
    let last = 0;
    const parts: string[] = [];
    for (let i = 0; i < x.length; i++) {
      const c = x[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (depth === 0 && x.startsWith('&&', i)) {
        parts.push(x.slice(last, i));
        last = i + 2;
        i++;
      }
    }
    parts.push(x.slice(last));
    if (parts.length === 1) out.push(strip(parts[0]!));
    else for (const p of parts) split(p);
  };
  for (const c of conditions) split(c);
  return [...new Set(out.filter(Boolean))].sort();
}

function balanced(t: string): boolean {
  let depth = 0;
  for (const c of t) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export class Presence {
  private readonly byKey = new Map<string, Set<string>>();
  private static cond(conditions: readonly string[]): string {
    return conjuncts(conditions).join('\u0000');
  }
  add(key: string, conditions: readonly string[]): void {
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(Presence.cond(conditions));
  }
  /**
   * A bare package (`libcublas`) is present when any of its outputs is (`(lib.getDev libcublas)`,
   * `libcublas.lib`); an output (`libcublas.dev`) when it or the bare package is.
   */
  has(key: string, conditions: readonly string[]): boolean {
    const base = key.split('.')[0]!;
    const keys = key === base ? [...this.byKey.keys()].filter((k) => k === base || k.startsWith(`${base}.`)) : [key, base];
    // present under conditions that the wanted ones imply (a subset of their conjuncts)
    const wanted = new Set(conjuncts(conditions));
    return keys.some((k) => [...(this.byKey.get(k) ?? [])].some((c) => c === '' || c.split('\u0000').every((x) => wanted.has(x))));
  }
}

export function asList(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The state of each use, keyed by where it starts: rewritten, left as is, or left by a suppression. */
export class UseLedger {
  private readonly states = new Map<number, 'handled' | 'left' | 'suppressed'>();
  handled(node: SyntaxNode): void {
    this.states.set(node.startIndex, 'handled');
  }
  left(node: SyntaxNode): void {
    this.states.set(node.startIndex, 'left');
  }
  suppressed(node: SyntaxNode): void {
    this.states.set(node.startIndex, 'suppressed');
  }
  /** Settled one way or another: no phase touches it again. */
  settled(node: SyntaxNode): boolean {
    return this.states.has(node.startIndex);
  }
  isHandled(node: SyntaxNode): boolean {
    return this.states.get(node.startIndex) === 'handled';
  }
  isLeft(node: SyntaxNode): boolean {
    const s = this.states.get(node.startIndex);
    return s === 'left' || s === 'suppressed';
  }
  isSuppressed(node: SyntaxNode): boolean {
    return this.states.get(node.startIndex) === 'suppressed';
  }
}

export class Ctx {
  readonly src: string;
  readonly top: FunctionInfo | undefined;
  readonly uses: Use[] = [];
  /** `inherit cudatoolkit;` (an attribute taken from the scope). */
  readonly inheritUses: Use[] = [];
  readonly ledger = new UseLedger();
  readonly explicit: boolean;
  readonly versionAttr: string;
  /** Packages the rewrite refers to (for the evidence finding). */
  readonly emitted = new Set<string>();
  /** Packages left out because the set's CUDA version predates them. */
  readonly versionGated = new Set<string>();
  /** Where the first library list was written (anchor of the library findings). */
  libSite: SyntaxNode | undefined;
  /** Whether a rewrite put libraries on a runtime path (RUNPATH, wrapper, runtimeDependencies). */
  wroteRuntimePath = false;
  /** A build root asked for a build-time join of the components (see roles/build-roots.ts). */
  joinSet: SetRef | undefined;
  /** The use that asked for the join first (where the set's name is resolved). */
  joinAt: SyntaxNode | undefined;
  /** A binding the join replaces (the only binding of the let that hosts it, an alias going away). */
  joinTarget: SyntaxNode | undefined;
  /** Derivations that got libraries and still need nvcc in `nativeBuildInputs`. */
  readonly pendingNvcc: Pending[] = [];
  /** Derivations whose input lists held the toolkit, with the condition it was under. */
  readonly inputSites: Pending[] = [];
  /** Libraries to add to a derivation's `buildInputs` (see finish/inputs.ts). */
  readonly pendingLibs: Pending[] = [];
  /** Per list literal: the elements to replace, applied at once (one layout decision per list). */
  readonly listPlans = new Map<number, { list: SyntaxNode; replacements: Map<number, string[]> }>();
  /** Per input binding: the packages it has or was given, by condition (no package is added twice). */
  readonly present = new Map<number, Presence>();
  /** Strings that got a `lib.makeLibraryPath` of the libraries (libcudart included). */
  readonly runtimePathStrings = new Set<number>();
  needLib = false;
  needSymlinkJoin = false;
  /** Formals of the top function this run removes (a new formal is not placed beside one that goes). */
  readonly removedFormals = new Set<string>();
  private libRef: { name: string; addFormal: boolean } | undefined;
  private readonly replaced = new Set<number>();
  private decision?: LibraryDecision;

  constructor(
    readonly api: TransformApi,
    readonly options: TransformOptions,
    readonly path: string,
  ) {
    this.src = api.source;
    this.top = api.syntax.topFunction(api.source, api.root);
    this.explicit = options.style === 'explicit';
    this.versionAttr = typeof options['version-attr'] === 'string' ? options['version-attr'] : 'cudaMajorMinorVersion';
  }

  text(n: { startIndex: number; endIndex: number }): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  /** The library set, decided from evidence on first use. */
  get libs(): LibraryDecision {
    return (this.decision ??= decide({
      nix: [...scanNixText(this.src, this.api.root), ...scanNixPackages(this.src, this.api.root), ...this.libOutputEvidence()],
      trees: (this.trees ??= scanTrees(this.options)),
      forced: asList(this.options['cuda-libs']),
      prebuilt: prebuiltHint(this.src, this.path),
    }));
  }

  /**
   * `cudatoolkit.lib` outside strings, when no other use outside strings takes the library set:
   * the runfile's `lib` output holds only libcudart, and the rewrite writes `cuda_cudart` for it,
   * which a second run reads as the file's own choice (scanNixPackages). Read it so on the first
   * run too, so both runs decide the same set. Uses that do not take the set: those left whole
   * (an environment: settled before the set is first read, in rewriteAll), those left whatever
   * the set (`leftRegardless`: a sibling list a `# nixshift-ignore` covers), `cudatoolkit.cc`,
   * `.version` and other attributes that are no output.
   */
  private libOutputEvidence(): EvidenceItem[] {
    const takesSet = (u: Use): boolean => u.attrs.length === 0 || /^(out|dev|lib|static|bin|doc)$/.test(u.attrs[0]!);
    const outside = [...this.uses, ...this.inheritUses].filter((u) => !interpolatedPath(u.node) && !this.ledger.settled(u.node) && takesSet(u) && !this.leftRegardless(u));
    const first = outside[0];
    if (!first || !outside.every((u) => u.attrs[0] === 'lib')) return [];
    const line = this.src.slice(0, first.node.startIndex).split('\n').length;
    return [{ pkg: 'cuda_cudart', kind: 'nix-package', file: '', line, text: this.text(first.node), place: 'main' }];
  }

  /** Where the package's configure script takes nvcc from the `--with-cuda=` prefix (source evidence). */
  nvccFromPrefix(): TreeEvidence['nvccFromPrefix'] {
    return (this.trees ??= scanTrees(this.options)).find((t) => t.nvccFromPrefix)?.nvccFromPrefix;
  }

  private trees: TreeEvidence[] | undefined;

  /** Whether a use is left whatever the library set (set by rewriteAll; see libOutputEvidence). */
  leftRegardless: (use: Use) => boolean = () => false;

  /** How to name nixpkgs' `lib` here (see libReference); remembers to add the formal when needed. */
  lib(): string {
    this.libRef ??= libReference(this.top, this.api.scopes(), this.uses[0]?.node ?? this.inheritUses[0]?.node);
    if (this.libRef.addFormal) this.needLib = true;
    return this.libRef.name;
  }

  /** How to name `lib` at `site`, for text written away from the uses (the build-time join). */
  libAt(site: SyntaxNode): string {
    const r = libReference(this.top, this.api.scopes(), site);
    if (r.addFormal) this.needLib = true;
    return r.name;
  }

  /** How to name package `pkg` of set `set` at `site`. */
  pkg(set: SetRef, pkg: string, site?: SyntaxNode): string {
    this.emitted.add(pkg);
    if (site && this.underWith(site, set)) return pkg;
    if (set.qualified && !(site && set.within && set.within.startIndex <= site.startIndex && site.endIndex <= set.within.endIndex)) return `${set.qualified}.${pkg}`;
    const outside = site ? (set.withs ?? []).filter((w) => !(w.startIndex <= site.startIndex && site.endIndex <= w.endIndex)) : [];
    if (outside.length > 0) {
      // one `with` of a plain name (`with pkgs;`): the name is its attribute, `pkgs.cudaPackages.x`
      const envs = outside.map((w) => w.childForFieldName('environment')!);
      if (envs.length === 1 && this.api.syntax.dottedName(this.src, envs[0]!)) return `${this.text(envs[0]!)}.${set.text}.${pkg}`;
      return `(${envs.map((e) => `with ${this.text(e)}; `).reverse().join('')}${set.text}.${pkg})`;
    }
    return `${set.text}.${pkg}`;
  }

  private underWith(site: SyntaxNode, set: SetRef): boolean {
    for (let p = site.parent; p; p = p.parent) {
      if (p.type === 'with_expression') {
        const env = p.childForFieldName('environment');
        if (env && this.text(env) === set.text) return true;
      }
    }
    return false;
  }

  accessor(output: 'lib' | 'dev' | 'bin' | 'out' | 'stubs', pkgText: string): string {
    if (output === 'out') return pkgText;
    const fn = { lib: 'getLib', dev: 'getDev', bin: 'getBin', stubs: 'getOutput "stubs"' }[output];
    return `${this.lib()}.${fn} ${pkgText}`;
  }

  /** Whether package `name` exists in the set (known version only; unknown versions: assume current). */
  available(name: string, set: SetRef): boolean {
    const since = ALL_COMPONENTS.get(name)?.since;
    if (!since || set.version === undefined) return true;
    const [a, b] = set.version.split('_').map(Number);
    const [c, d] = since.split('.').map(Number);
    // a major-only set (`cudaPackages_11`) is the newest minor of that major
    const ok = a! > c! || (a === c && (b === undefined || b >= d!));
    if (!ok) this.versionGated.add(`${name} (from CUDA ${since}; this set is ${set.version.replace(/_/g, '.')})`);
    return ok;
  }

  /** Elements that replace the toolkit in an input list. */
  inputElements(set: SetRef, role: Role, site: SyntaxNode, attrs: string[], only?: string[]): string[] {
    if (role === 'tools') return this.libs.tools.map((t) => this.pkg(set, t, site));
    let names = (only ?? (role === 'runtime' ? this.runtimeLibs() : this.libs.compileLibs)).filter((n) => this.available(n, set));
    if (attrs[0] === 'lib') names = ['cuda_cudart']; // the runfile's `lib` output holds only libcudart (docs/cuda.md#legacy-forms)
    this.libSite ??= site;
    if (role === 'runtime' || !this.explicit) return names.map((n) => this.pkg(set, n, site));
    return names.flatMap((n) => {
      const p = this.pkg(set, n, site);
      if (!ALL_COMPONENTS.get(n)?.runtime) return [`${p}.dev`];
      return n === 'cuda_cudart' ? [`${p}.dev`, `${p}.lib`, `${p}.static`] : [`${p}.dev`, `${p}.lib`];
    });
  }

  /** Libraries for runtime paths: the linked ones and the ones loaded at run time. */
  runtimeLibs(): string[] {
    const { runtimeLibs, loadedAtRunTime } = this.libs;
    return [...runtimeLibs, ...loadedAtRunTime.filter((n) => !runtimeLibs.includes(n))];
  }

  /** Replace a node's text once (a second replacement of the same node is ignored). */
  replace(node: { startIndex: number; endIndex: number }, text: string): void {
    if (this.replaced.has(node.startIndex)) return;
    this.replaced.add(node.startIndex);
    this.api.edit.replace(node, text);
  }

  /** Whether a phase already rewrote or settled what starts at this node. */
  touched(node: SyntaxNode): boolean {
    return this.replaced.has(node.startIndex) || this.ledger.settled(node);
  }

  handled(use: Use): void {
    this.ledger.handled(use.node);
  }

  left(use: Use, rule: RuleId, message: string, fix: string): void {
    this.ledger.left(use.node);
    this.api.report(use.node, { rule, message, fix });
  }

  /**
   * Remove a `++` operand of a binding's value: `list`, or the `lib.optionals c list` (or
   * `lib.optional c x`) around it, together with its `++`. False when it is no such operand (the
   * caller then empties the list instead).
   */
  removeOperand(node: SyntaxNode): boolean {
    let operand = node;
    const app = node.parent?.type === 'apply_expression' && node.parent.childForFieldName('argument')?.id === node.id ? node.parent : undefined;
    const callee = app?.childForFieldName('function')?.childForFieldName('function');
    const d = callee ? this.api.syntax.dottedName(this.src, callee) : undefined;
    if (app && d && /^optionals?$/.test(d[d.length - 1]!)) operand = app;
    while (operand.parent?.type === 'parenthesized_expression') operand = operand.parent;
    const chain = operand.parent;
    if (chain?.type !== 'binary_expression' || chain.childForFieldName('operator')?.text !== '++') return false;
    const left = chain.childForFieldName('left')!;
    const right = chain.childForFieldName('right')!;
    if (right.id === operand.id) {
      let start = chain.childForFieldName('operator')!.startIndex;
      while (start > left.endIndex && /\s/.test(this.src[start - 1]!)) start--;
      // comments between the operands are about the one going (and one left before the `;`
      // would swallow it)
      if (/^(\s|#[^\n]*|\/\*[\s\S]*?\*\/)*$/.test(this.src.slice(left.endIndex, start))) start = left.endIndex;
      this.api.edit.remove({ startIndex: start, endIndex: operand.endIndex });
    } else {
      this.api.edit.remove({ startIndex: operand.startIndex, endIndex: right.startIndex });
    }
    return true;
  }

  /** `lib.optionals cond ` for a list under these conditions ('' when unconditional). */
  optionalsPrefix(conditionsIn: string[]): string {
    if (conditionsIn.length === 0) return '';
    // a condition copied to a new place says what the rewritten one says (`cudaPackages != null`)
    // (a toolkit whose argument is kept, `# nixshift-ignore`, keeps its name in the copy too)
    const kept = (name: string): boolean => this.top?.formals.some((f) => f.name === name && this.api.suppressed(f.node)) ?? false;
    return optionalsPrefix(this.lib(), conditionsIn.map((c) => renameToolkit(c, kept)));
  }

  /** The indentation of the line that holds `offset`. */
  lineIndent(offset: number): string {
    return indentOfLine(this.src, offset);
  }

  enclosingBindingName(node: SyntaxNode): string | undefined {
    const b = enclosingBinding(this.src, node);
    return b && b.name !== '?' ? b.name : undefined;
  }

  inPassthru(binding: SyntaxNode): boolean {
    const outer = binding.parent?.parent?.parent;
    if (outer?.type !== 'binding') return false;
    const p = outer.childForFieldName('attrpath');
    return p !== null && this.text(p) === 'passthru';
  }
}

/**
 * The toolkit's names in a condition, as the rewrite names them: `cudatoolkit` → `cudaPackages`,
 * `cudatoolkit_11` → `cudaPackages_11`, `pkgs.cudatoolkit` → `pkgs.cudaPackages`,
 * `cudaPackages.cudatoolkit` → `cudaPackages` (so `cudatoolkit != null` stays true exactly when it was).
 */
export function renameToolkit(text: string, kept: (name: string) => boolean = () => false): string {
  // only in `… != null` / `… == null` tests, the one form the rewrite gives such a condition
  // (a `cudatoolkit` bound to something else, say a let string, is not the toolkit)
  // (a toolkit of a CUDA without redist packages, `cudatoolkit_10_2`, is left as it is everywhere)
  return text.replace(/(?<![\w'-])((?:[A-Za-z_][\w'-]*\.)*)cudatoolkit((?:_\d+)*)(?=\s*[!=]=\s*null\b)/g, (m, prefix: string, version: string) =>
    !hasRedist(version ? version.slice(1) : undefined) || (prefix === '' && kept(`cudatoolkit${version}`)) ? m : /(?:^|\.)cudaPackages(?:_\d+)*\.$/.test(prefix) ? prefix.slice(0, -1) : `${prefix}cudaPackages${version}`,
  );
}

