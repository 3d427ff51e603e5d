/**
 * driver-runpath-rename: `addOpenGLRunpath` → `addDriverRunpath`, `autoAddOpenGLRunpathHook`
 * (also `cudaPackages.autoAddOpenGLRunpathHook`) → `autoAddDriverRunpath`.
 *
 * Facts: docs/cuda.md#conventions (the hook renames; `addOpenGLRunpath = addDriverRunpath` is
 * an alias "Added 2024-05-25" in pkgs/top-level/aliases.nix, and the new setup hook defines only
 * the shell function `addDriverRunpath`, so shell calls in phases are renamed too).
 *
 * Scope-aware: only names that resolve to the package are renamed — the top function's formal,
 * `inherit (pkgs) …`, names under `with pkgs;` / `with cudaPackages;`, and `pkgs.…` selections.
 * A `let` binding, an inner function's formal or an attribute name that happens to have the same
 * name is left alone.
 *
 * `# nixshift-ignore` (see src/nix/suppressions.ts): a suppressed use keeps the old name, so the
 * old formal (or `inherit (pkgs) …` name) stays, with the new name added beside it when other
 * uses were renamed; a suppressed definition keeps its name and every use that refers to it.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import type { Definition } from '../../src/nix/scope.js';
import type { Formal, FunctionInfo } from '../../src/nix/syntax.js';
import { callSites, isCudaPackageSet, isPackageSet } from '../../src/nixpkgs/index.js';
import type { Transform, TransformApi } from '../../src/transform.js';

// No prototype: `toString` or `constructor` is a name like any other (found by the property tests).
const RENAMES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  addOpenGLRunpath: 'addDriverRunpath',
  autoAddOpenGLRunpathHook: 'autoAddDriverRunpath',
});
/** The new hook is top-level only: `cudaPackages.autoAddOpenGLRunpathHook` → top-level. */
const TOP_LEVEL_ONLY = new Set(['autoAddOpenGLRunpathHook']);

/** `addOpenGLRunpath` used as a shell command in a string (the setup hook's function). */
/** Attributes whose string value is shell code run by stdenv (phases, hooks, scripts). */
const SHELL_ATTR = /(Phase|Hook|Script|Command|Commands)$|^(pre|post)[A-Z]|^(script|buildCommand|shellHook)$/;
const SHELL_CALL = /(^|[\s;&|(`])addOpenGLRunpath(?=[\s;&|)`]|$)/g;

export const rules = {
  'inherit-keeps-name': {
    severity: 'info',
    summary: '`inherit addOpenGLRunpath;` became `addOpenGLRunpath = addDriverRunpath;` so the attribute keeps its name.',
  },
  'call-site-renamed': {
    severity: 'info',
    summary: 'An explicit argument of callPackage/override was renamed; the called expression must take the new name.',
  },
  'unresolved-name': {
    severity: 'warning',
    summary: 'The old name is used but does not resolve to a package nixshift can recognise (it comes from `with` of an unknown set, or is unbound); it was left as is.',
  },
  'no-top-function': {
    severity: 'warning',
    summary: '`cudaPackages.autoAddOpenGLRunpathHook` needs the top-level `autoAddDriverRunpath`, but the file has no top function to take it as an argument.',
  },
  'name-captured': {
    severity: 'warning',
    summary: 'The new name is already bound to something else where the old one is used; renaming would change what the code refers to.',
  },
} as const;

class Rewriter {
  private readonly src: string;
  private readonly top: FunctionInfo | undefined;
  /** Formals of the top function the rewrite needs → the formal to add each one after (if any). */
  private needTopFormal = new Map<string, Formal | undefined>();
  private touched = new Set<number>();
  /** Definitions (identifier ids) left as they are: suppressed, or kept for suppressed uses. */
  private readonly keptDefinitions = new Set<number>();
  /** Start offsets of the argument sets of call sites (computed when first needed). */
  private callSiteArgs: Set<number> | undefined;

  constructor(private readonly api: TransformApi) {
    this.src = api.source;
    this.top = api.syntax.topFunction(api.source, api.root);
  }

  private replaceOnce(node: SyntaxNode, text: string): void {
    if (this.touched.has(node.startIndex)) return;
    this.touched.add(node.startIndex);
    this.api.edit.replace(node, text);
  }

  private isTopFormal(def: Definition): boolean {
    return this.top !== undefined && def.kind === 'formal' && def.scope.id === this.top.node.id;
  }

  run(): void {
    const scopes = this.api.scopes();
    // 1. Definitions that are the package: formals of the top function, `inherit (pkgs) …`.
    for (const def of scopes.definitions()) {
      const to = RENAMES[def.name];
      if (!to) continue;
      if (this.isTopFormal(def)) this.renameDefinition(def, to);
      else if (def.holder.type === 'inherit_from') this.renameInheritFrom(def, to);
    }
    // 2. References that come from `with pkgs;` / `with cudaPackages;`.
    for (const ref of scopes.references()) {
      const to = RENAMES[ref.name];
      if (!to || ref.resolution.kind === 'bound' || ref.resolution.kind === 'builtin') continue;
      if (this.api.suppressed(ref.node)) continue;
      if (ref.resolution.kind === 'free') {
        this.api.report(ref.node, {
          rule: 'unresolved-name',
          message: `\`${ref.name}\` is not bound in this file; left as is`,
          fix: `take \`${to}\` as an argument and use it instead`,
        });
        continue;
      }
      const envs = ref.resolution.withs.map((w) => w.childForFieldName('environment')!).filter(Boolean);
      const fromCuda = envs.some((e) => isCudaPackageSet(this.src, e));
      const fromPkgs = envs.some((e) => isPackageSet(this.src, e));
      if (!fromCuda && !fromPkgs) {
        // `with something-else;`: we cannot tell whether it is the package; say so.
        this.api.report(ref.node, {
          rule: 'unresolved-name',
          message: `\`${ref.name}\` comes from \`with ${envs.map((e) => this.api.text(e)).join('; with ')};\`, which nixshift cannot see into; left as is`,
          fix: `if it is the package, use \`${to}\` (or \`pkgs.${to}\`) instead`,
        });
        continue;
      }
      if (TOP_LEVEL_ONLY.has(ref.name) && !fromPkgs) {
        if (!this.requireTopFormal(to, ref.node)) continue;
      }
      this.renameReference(ref.node, ref.site, ref.name, to);
    }
    // 3. Selections: pkgs.addOpenGLRunpath, cudaPackages.autoAddOpenGLRunpathHook, args.x
    for (const sel of this.api.root.descendantsOfType('select_expression')) this.rewriteSelect(sel);
    // 4. Explicit arguments at call sites: callPackage ./x { addOpenGLRunpath = …; }
    for (const site of callSites(this.src, this.api.root)) {
      for (const b of this.api.syntax.bindingsOf(this.src, site.args)) {
        const name = b.path[0];
        if (b.path.length !== 1 || name === undefined || !RENAMES[name]) continue;
        if (this.api.suppressed(b.node)) continue;
        // the callee already gets the new name (`inherit addDriverRunpath;` beside it): the old
        // argument goes, as the migrated callee takes only the new one
        const present = this.api.syntax.definedAttributes(this.src, site.args).get(RENAMES[name]);
        if (present) {
          this.api.edit.removeBinding(b.node);
          this.api.report(b.attrpath, {
            rule: 'call-site-renamed',
            message: `argument \`${name}\` of ${site.kind} removed: \`${RENAMES[name]}\` is already passed (line ${present.startPosition.row + 1})`,
            fix: 'make sure the called expression takes the new name (run this transform on it too)',
          });
          continue;
        }
        this.replaceOnce(b.attrpath, RENAMES[name]);
        this.api.report(b.attrpath, {
          rule: 'call-site-renamed',
          message: `argument \`${name}\` of ${site.kind} renamed to \`${RENAMES[name]}\``,
          fix: 'make sure the called expression takes the new name (run this transform on it too)',
        });
      }
    }
    // 5. Shell calls of the setup hook's function in strings.
    for (const frag of this.api.root.descendantsOfType('string_fragment')) {
      const text = this.api.text(frag);
      if (!text.includes('addOpenGLRunpath') || !this.inShellCode(frag) || this.api.suppressed(frag)) continue;
      const next = text.replace(SHELL_CALL, (_m, pre: string) => `${pre}addDriverRunpath`);
      if (next !== text) this.api.edit.replace(frag, next);
    }
    // 6. Formals the rewrite needs.
    if (this.top) {
      const have = new Set(this.top.formals.map((f) => f.name));
      for (const [name, beside] of [...this.needTopFormal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (have.has(name) || this.renamedFormals.has(name)) continue;
        const after = beside ?? this.top.formals.find((f) => f.name === 'cudaPackages' || /^cudaPackages_/.test(f.name));
        this.api.edit.addFormal(this.top, name, after ? { after } : {});
      }
    }
  }

  /** A string that is shell code: the value of a phase, hook or script attribute. */
  private inShellCode(node: SyntaxNode): boolean {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type !== 'binding') continue;
      const path = p.childForFieldName('attrpath');
      const last = path?.namedChildren[path.namedChildren.length - 1];
      const name = last ? this.api.syntax.attrName(this.src, last) : undefined;
      return name !== undefined && SHELL_ATTR.test(name);
    }
    return false;
  }

  /** Make `name` available as a formal of the top function; false (with a finding) if impossible. */
  private requireTopFormal(name: string, at: SyntaxNode): boolean {
    if (!this.top) {
      this.api.report(at, {
        rule: 'no-top-function',
        message: `\`${this.api.text(at)}\` needs the top-level \`${name}\`, but this file has no top function to take it`,
        fix: `use \`pkgs.${name}\` (or pass \`${name}\` in) by hand`,
      });
      return false;
    }
    const scopes = this.api.scopes();
    const r = scopes.resolveNameAt(at, name);
    const topDef = scopes.namesOf(this.top.node).get(name);
    if (r.kind === 'bound' && r.definition !== topDef) {
      this.api.report(at, {
        rule: 'name-captured',
        message: `\`${name}\` is bound to something else here (line of its definition: ${this.api.text(r.definition.node)}); left as is`,
        fix: `rename the local \`${name}\` first`,
      });
      return false;
    }
    if (!this.needTopFormal.has(name)) this.needTopFormal.set(name, undefined);
    return true;
  }

  /** New names that renamed formals of the top function provide. */
  private readonly renamedFormals = new Set<string>();

  private renameDefinition(def: Definition, to: string): void {
    const scopes = this.api.scopes();
    // A suppressed definition keeps its name, and so every use of it stays as it is.
    if (this.api.suppressed(def.node)) {
      this.keptDefinitions.add(def.node.id);
      return;
    }
    const existing = scopes.namesOf(def.scope).get(to);
    const refs = [...scopes.referencesTo(def)];
    const suppressed = refs.filter((r) => this.api.suppressed(r.node));
    const renamed = refs.filter((r) => !suppressed.includes(r));
    // Every use must see the new name as the same thing (no capture by an inner binding).
    for (const ref of renamed) {
      const r = scopes.resolveNameAt(ref.node, to);
      if (r.kind === 'bound' && r.definition.scope.id !== def.scope.id) {
        this.api.report(ref.node, {
          rule: 'name-captured',
          message: `\`${to}\` is bound to something else where \`${def.name}\` is used; left as is`,
          fix: `rename the inner \`${to}\` first`,
        });
        return;
      }
    }
    if (suppressed.length > 0) {
      // Suppressed uses keep the old name: it stays defined, and the new one comes beside it.
      this.keptDefinitions.add(def.node.id);
      if (renamed.length > 0 && !existing) this.defineBeside(def, to);
    } else if (existing && this.top) {
      // (every formal of the old name: one written twice goes in one run)
      for (const formal of this.top.formals.filter((f) => f.nameNode.id === def.node.id || (this.isTopFormal(def) && f.name === def.name))) this.api.edit.removeFormal(this.top, formal);
    } else if (!existing) {
      this.replaceOnce(def.node, to);
      // a formal written twice (Nix rejects it, but the file is not ours to fix): both renamed,
      // so that a second run has nothing left to do
      if (this.isTopFormal(def)) for (const f of this.top!.formals) if (f.name === def.name && f.nameNode.id !== def.node.id) this.replaceOnce(f.nameNode, to);
      // a renamed formal provides the new name: step 6 must not add it again
      if (this.isTopFormal(def)) this.renamedFormals.add(to);
    }
    for (const ref of renamed) this.renameReference(ref.node, ref.site, def.name, to);
  }

  /** Define `to` next to a definition that stays: a formal after it, or a name in its `inherit (pkgs)`. */
  private defineBeside(def: Definition, to: string): void {
    if (this.isTopFormal(def)) {
      this.needTopFormal.set(to, this.top!.formals.find((f) => f.nameNode.id === def.node.id));
    } else if (def.holder.type === 'inherit_from') {
      this.api.edit.insertAfter(def.node, ` ${to}`);
    }
  }

  private renameInheritFrom(def: Definition, to: string): void {
    const from = def.holder.childForFieldName('expression');
    if (!from) return;
    if (isPackageSet(this.src, from)) {
      this.renameDefinition(def, to);
    } else if (isCudaPackageSet(this.src, from) && TOP_LEVEL_ONLY.has(def.name)) {
      this.api.report(def.node, {
        rule: 'no-top-function',
        message: `\`inherit (${this.api.text(from)}) ${def.name}\`: the new hook \`${to}\` is top-level, not in the CUDA package set; left as is`,
        fix: `take \`${to}\` as an argument of the file and drop it from this inherit`,
      });
    }
  }

  private renameReference(node: SyntaxNode, site: 'variable' | 'inherit', from: string, to: string): void {
    if (site === 'variable') {
      this.replaceOnce(node, to);
      return;
    }
    // `inherit addOpenGLRunpath;` defines an attribute: keep its name.
    const inherit = node.parent?.parent;
    if (!inherit || inherit.type !== 'inherit') return;
    // ... except among the arguments of a call site, whose names the callee takes: they are
    // renamed like the callee's formals (`addOpenGLRunpath = addDriverRunpath;` there would be
    // renamed again by the next run).
    const args = inherit.parent?.parent;
    if (args && (this.callSiteArgs ??= new Set(callSites(this.src, this.api.root).map((c) => c.args.startIndex))).has(args.startIndex)) {
      if (this.api.syntax.definedAttributes(this.src, args).has(to)) {
        // `inherit addOpenGLRunpath addDriverRunpath;`: the new name is passed already
        const names = inherit.childForFieldName('attrs')!.namedChildren.filter((a) => a.type !== 'comment');
        if (names.length === 1) this.api.edit.removeBinding(inherit);
        else this.api.edit.removeRange(node.startIndex, node.endIndex);
        this.api.report(node, {
          rule: 'call-site-renamed',
          message: `argument \`${from}\` of a call site removed: \`${to}\` is already passed`,
          fix: 'make sure the called expression takes the new name (run this transform on it too)',
        });
        return;
      }
      this.replaceOnce(node, to);
      this.api.report(node, {
        rule: 'call-site-renamed',
        message: `argument \`${from}\` of a call site renamed to \`${to}\``,
        fix: 'make sure the called expression takes the new name (run this transform on it too)',
      });
      return;
    }
    const binding = `${from} = ${to};`;
    this.api.edit.inheritAsBinding(inherit, node, binding);
    this.api.report(node, {
      rule: 'inherit-keeps-name',
      message: `\`inherit ${from};\` rewritten as \`${binding}\` to keep the attribute name`,
    });
  }

  private rewriteSelect(sel: SyntaxNode): void {
    const parts = this.api.syntax.selectParts(this.src, sel);
    if (!parts) return;
    const first = parts.path[0];
    if (first === undefined || !RENAMES[first]) return;
    const to = RENAMES[first];
    const base = parts.base;
    const attr = parts.attrNodes[0]!;
    if (TOP_LEVEL_ONLY.has(first) && isCudaPackageSet(this.src, base)) {
      if (this.api.suppressed(sel)) return;
      // cudaPackages.autoAddOpenGLRunpathHook → autoAddDriverRunpath (top-level)
      const baseName = this.api.syntax.dottedName(this.src, base)!;
      const prefix = baseName.slice(0, -1);
      const rest = parts.attrNodes.slice(1).map((a) => this.api.text(a));
      if (prefix.length > 0) {
        this.replaceOnce(sel, [...prefix, to, ...rest].join('.') + (parts.fallback ? this.src.slice(parts.attrNodes[parts.attrNodes.length - 1]!.endIndex, sel.endIndex) : ''));
        return;
      }
      if (!this.requireTopFormal(to, sel)) return;
      const replacement = [to, ...rest].join('.');
      // `cudaPackages.autoAddOpenGLRunpathHook or null`: a bare name takes no `or` (and the
      // top-level hook is always there), unless attributes are still selected after it
      const tail = parts.fallback && rest.length > 0 ? this.src.slice(parts.attrNodes[parts.attrNodes.length - 1]!.endIndex, sel.endIndex) : '';
      this.replaceOnce(sel, replacement + tail);
      return;
    }
    if (isPackageSet(this.src, base)) {
      if (!this.api.suppressed(sel)) this.replaceOnce(attr, to);
      return;
    }
    // args.addOpenGLRunpath where args@{ … } is the top function's argument set
    if (this.top?.universal && base.type === 'variable_expression') {
      const ref = this.api.scopes().referenceAt(base);
      if (ref?.resolution.kind === 'bound' && ref.resolution.definition.node.id === this.top.universal.id) {
        const formal = this.top.formals.find((f) => f.name === first);
        // a formal that kept its name (suppressed, or kept for suppressed uses) is still `args.<old>`
        if (formal && !this.keptDefinitions.has(formal.nameNode.id) && !this.api.suppressed(sel)) this.replaceOnce(attr, to);
      }
    }
  }
}

const transform: Transform = {
  name: 'driver-runpath-rename',
  description: 'addOpenGLRunpath → addDriverRunpath, autoAddOpenGLRunpathHook → autoAddDriverRunpath (scope-aware)',
  changeSummary: 'addOpenGLRunpath -> addDriverRunpath',
  needles: ['addOpenGLRunpath', 'autoAddOpenGLRunpathHook'],
  rules,
  transform(_file, api) {
    new Rewriter(api).run();
  },
};

export default transform;
