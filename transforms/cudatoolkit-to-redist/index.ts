/**
 * cudatoolkit-to-redist: rewrite uses of the legacy monolithic `cudatoolkit` into the split
 * `cudaPackages.*` redist packages, scope-aware, with the library set taken from evidence in the
 * file (../shared/cuda-facts.md §2), and findings for everything it does not rewrite.
 *
 * Structure: `collectUses` finds every expression that resolves to the legacy toolkit (a formal,
 * an alias, `inherit (cudaPackages) cudatoolkit`, `with cudaPackages;`, `pkgs.cudatoolkit`,
 * `cudaPackages_11.cudatoolkit`, versioned `cudatoolkit_11`); `rewriteUse` decides by the role of
 * each use (input list, runtime path, interpolated path, version, compiler, build root,
 * comparison); `finish` adds nvcc where the toolkit was a build input, and fixes the formals.
 *
 * `# nixshift-ignore` (see src/nix/suppressions.ts): `applySuppressions` marks every use inside
 * a suppressed range — and every use of a suppressed definition (formal, let alias, inherit) — as
 * left as is, so the definition it refers to is kept (`formal-kept`), with `cudaPackages` added
 * beside it when other uses need it. A use whose rewrite needs a sibling input list that a
 * suppression covers (nvcc into `nativeBuildInputs`, libraries into `buildInputs`) is left too.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import type { Definition } from '../../src/nix/scope.js';
import type { FunctionInfo } from '../../src/nix/syntax.js';
import { callSites, isCudaPackageSet, isPackageSet, libReference } from '../../src/nix/nixpkgs.js';
import { positionAt } from '../../src/nix/position.js';
import type { Transform, TransformApi, TransformOptions } from '../../src/transform.js';
import { MAX_INLINE_WIDTH } from '../../src/edit/builder.js';
import { ALL_COMPONENTS, hasRedist, LIBRARIES, mapToolkitPath, packageSetVersion, TOOLKIT_LIBRARIES, TOOLS, toolkitNameVersion } from '../../src/cuda/facts.js';

export const rules = {
  'libraries-from-evidence': { severity: 'info', summary: 'Which redist packages replace the toolkit, and the evidence for each.' },
  'review-library-set': {
    severity: 'warning',
    summary: 'No evidence of which CUDA libraries the package uses: every library of the legacy toolkit was kept. Prune the list.',
  },
  'no-redist': { severity: 'warning', summary: 'CUDA before 11.4 has no redist packages in nixpkgs; the toolkit was left as is.' },
  'cmake-root-removed': { severity: 'info', summary: 'A CMake toolkit root or host compiler flag was removed: the CUDA setup hook sets it now.' },
  'build-time-join': {
    severity: 'info',
    summary: 'A build system that needs one CUDA prefix gets a build-time-only symlinkJoin of the needed components; it must not reach a runtime path.',
  },
  'whole-toolkit-intended': {
    severity: 'warning',
    summary: 'The toolkit is used where a whole toolkit may be intended (a dev shell, system packages, a join); left as is.',
  },
  'unknown-use': { severity: 'warning', summary: 'A use of the legacy toolkit this transform cannot rewrite safely; left as is.' },
  'join-members-split': {
    severity: 'info',
    summary: 'The toolkit in the paths of a symlinkJoin became the outputs of the split packages; the join itself is left to symlinkjoin-to-propagated.',
  },
  'passthru-kept': { severity: 'info', summary: '`passthru.cudatoolkit` is kept for backward compatibility (it does not enter closures).' },
  'call-site': { severity: 'info', summary: 'An explicit `cudatoolkit` argument became `cudaPackages`.' },
  'formal-kept': {
    severity: 'warning',
    summary: 'The `cudatoolkit` argument is still used by code left as is (see the other findings), so it was kept.',
  },
  'major-version': {
    severity: 'info',
    summary: '`cudatoolkit.majorVersion` was the major.minor version (a known bug); it became `cudaMajorMinorVersion` to keep behaviour.',
  },
} as const;

type Role = 'tools' | 'libs' | 'runtime';

interface SetRef {
  /** How to name the package set where the use is (e.g. `cudaPackages`, `pkgs.cudaPackages_11`). */
  text: string;
  /** Version of a versioned set (`11_8`), if any. */
  version?: string;
}

interface Use {
  /** The expression to replace: the toolkit reference plus selected attributes. */
  node: SyntaxNode;
  /** Attributes selected after the toolkit (`cc`, `lib`, `version`, …). */
  attrs: string[];
  set: SetRef;
  /** The definition it resolves through (formal, let alias, inherit), when any. */
  def?: Definition;
}

interface PendingNvcc {
  attrset: SyntaxNode;
  conditions: string[];
  set: SetRef;
}

const RUNTIME_BINDINGS = /^(runtimeDependencies|LD_LIBRARY_PATH|makeWrapperArgs|qtWrapperArgs|gappsWrapperArgs)$/;
const RUNTIME_TEXT = /patchelf|rpath|RUNPATH|LD_LIBRARY_PATH|wrapProgram|makeWrapper|--prefix|--suffix|--set\b/;
const BUILD_ROOT_NAMES = /^(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_PATH|CUDA_TOOLKIT_ROOT_DIR|CUDAToolkit_ROOT|TF_CUDA_PATHS|CUDA_BIN_PATH|CUDA_TOOLKIT_ROOT)$/;
const INPUT_TOOLS = /^(nativeBuildInputs|depsBuildBuild|nativeCheckInputs|nativeInstallCheckInputs|build-system)$/;
const INPUT_LIBS = /^(buildInputs|propagatedBuildInputs|checkInputs|installCheckInputs|dependencies|propagatedNativeBuildInputs|depsTargetTarget)$/;
const ENVIRONMENT_PLACES = /^(packages|systemPackages|home\.packages|environment\.systemPackages|users\.users\..*\.packages)$/;
const WHOLE_TOOLKIT_PLACES = /^(packages|systemPackages|home\.packages|environment\.systemPackages|paths|contents|extraPackages)$/;
const SHELL_FUNCTIONS = /^(mkShell|mkShellNoCC|buildFHSEnv|buildFHSUserEnv|buildEnv|symlinkJoin|mkDerivationShell)$/;

const EVIDENCE_COMPONENTS = [...LIBRARIES, ...TOOLS];
/** Matches wherever one of the components' evidence does (and maybe more): one test per string. */
const ANY_EVIDENCE = new RegExp(EVIDENCE_COMPONENTS.map((c) => `(?:${c.evidence.source})`).join('|'), 'i');

/** `cudaPackages.libcublas` → `libcublas`; `cudaPackages.cuda_cudart.dev` → `cuda_cudart.dev`. */
function componentKey(element: string): string {
  // (lib.getDev cudaPackages.cuda_cudart) → cuda_cudart.dev
  const acc = /get(Lib|Dev|Bin|Output\s+"(\w+)")\s+([\w.'-]+)/.exec(element);
  if (acc) return `${acc[3]!.split('.').pop()}.${(acc[2] ?? acc[1]!).toLowerCase()}`;
  const parts = element.replace(/[()]/g, '').trim().split('.');
  const last = parts[parts.length - 1]!;
  return parts.length > 1 && /^(dev|lib|static|bin|out|stubs|include)$/.test(last) ? `${parts[parts.length - 2]}.${last}` : last;
}

function asList(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

class Migration {
  private readonly src: string;
  private readonly top: FunctionInfo | undefined;
  private readonly uses: Use[] = [];
  /** `inherit cudatoolkit;` (an attribute taken from the scope). */
  private readonly inheritUses: Use[] = [];
  /** Definitions (formal, alias, inherit) whose every use was handled. */
  private readonly handledUses = new Set<number>();
  private readonly leftUses = new Set<number>();
  /** Uses left as is because a `# nixshift-ignore` covers them or their definition. */
  private readonly suppressedUses = new Set<number>();
  private readonly done = new Set<number>();
  private readonly pendingNvcc: PendingNvcc[] = [];
  /** Derivations that had the toolkit as a build tool only: its headers and libraries were used too. */
  private readonly pendingLibs: PendingNvcc[] = [];
  /** Per list literal: the elements to replace, applied at once (one layout decision per list). */
  private readonly listPlans = new Map<number, { list: SyntaxNode; replacements: Map<number, string[]> }>();
  private readonly addedPerBinding = new Map<number, Set<string>>();
  private needLib = false;
  private libRef: { name: string; addFormal: boolean } | undefined;
  /** Packages the rewrite refers to (for the evidence finding). */
  private readonly emitted = new Set<string>();
  /** Packages left out because the set's CUDA version predates them. */
  private readonly versionGated = new Set<string>();
  /** Strings that got a `lib.makeLibraryPath` of the libraries (libcudart included). */
  private readonly runtimePathStrings = new Set<number>();
  /** Where the first library list was written (anchor of the library findings). */
  private libSite: SyntaxNode | undefined;
  private needJoin: SetRef | undefined;
  private joinName = 'cudaJoined';
  // The library set from evidence is worked out on first use: a file whose only uses are call
  // sites (all-packages.nix: a megabyte of strings) never needs it.
  private evidenceState?: { evidence: Map<string, string>; compileLibs: string[]; runtimeLibs: string[]; tools: string[]; fromFallback: boolean };
  private get ev(): NonNullable<Migration['evidenceState']> {
    return (this.evidenceState ??= this.collectEvidence());
  }
  /** package -> its first evidence */
  private get evidence(): Map<string, string> {
    return this.ev.evidence;
  }
  private get compileLibs(): string[] {
    return this.ev.compileLibs;
  }
  private get runtimeLibs(): string[] {
    return this.ev.runtimeLibs;
  }
  private get tools(): string[] {
    return this.ev.tools;
  }
  private get fromFallback(): boolean {
    return this.ev.fromFallback;
  }
  private readonly explicit: boolean;
  private readonly versionAttr: string;

  constructor(
    private readonly api: TransformApi,
    private readonly options: TransformOptions,
  ) {
    this.src = api.source;
    this.top = api.syntax.topFunction(api.source, api.root);
    this.explicit = options.style === 'explicit';
    this.versionAttr = typeof options['version-attr'] === 'string' ? options['version-attr'] : 'cudaMajorMinorVersion';
  }

  private text(n: { startIndex: number; endIndex: number }): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  /** How to name nixpkgs' `lib` here (see libReference); remembers to add the formal when needed. */
  private lib(): string {
    this.libRef ??= libReference(this.top, this.api.scopes());
    if (this.libRef.addFormal) this.needLib = true;
    return this.libRef.name;
  }

  // ------------------------------------------------------------------------------------------
  // 1. Find uses

  /** The set a toolkit expression belongs to, from the expression (select) text. */
  private setOfSelect(base: SyntaxNode, attr: string): SetRef | undefined {
    if (isCudaPackageSet(this.src, base) && attr === 'cudatoolkit') {
      const name = this.api.syntax.dottedName(this.src, base)!;
      return { text: name.join('.'), version: packageSetVersion(name[name.length - 1]!) };
    }
    if (isPackageSet(this.src, base)) {
      const v = toolkitNameVersion(attr);
      if (v === null) return undefined;
      return { text: `${this.text(base)}.cudaPackages${v ? `_${v}` : ''}`, version: v };
    }
    return undefined;
  }

  /** The set of a definition that stands for the toolkit, or undefined when it is something else. */
  private setOfDefinition(def: Definition): SetRef | undefined {
    const v = toolkitNameVersion(def.name);
    if (this.top && def.kind === 'formal' && def.scope.id === this.top.node.id) {
      if (v === null) return undefined;
      return { text: `cudaPackages${v ? `_${v}` : ''}`, version: v };
    }
    if (def.holder.type === 'inherit_from') {
      const from = def.holder.childForFieldName('expression');
      if (!from) return undefined;
      return this.setOfSelect(from, def.name);
    }
    if (def.holder.type === 'binding' && (def.kind === 'let' || def.kind === 'rec')) {
      // let cudatoolkit = cudaPackages.cudatoolkit;  (an alias)
      const path = def.holder.childForFieldName('attrpath');
      if (path?.namedChildren.length !== 1) return undefined;
      const value = def.holder.childForFieldName('expression');
      if (!value) return undefined;
      const parts = this.api.syntax.selectParts(this.src, this.api.syntax.unparen(value));
      if (parts && parts.path.length === 1 && parts.path[0] && !parts.fallback) return this.setOfSelect(parts.base, parts.path[0]);
    }
    return undefined;
  }

  /**
   * The version of a set named by a local binding: `let cudaPackages = pkgs.cudaPackages_11_6;`
   * makes `cudaPackages` CUDA 11.6 (version-gated packages are left out for it).
   */
  private withVersion(set: SetRef, site: SyntaxNode): SetRef {
    if (set.version !== undefined) return set;
    const head = set.text.split('.')[0]!;
    const r = this.api.scopes().resolveNameAt(site, head);
    if (r.kind !== 'bound' || r.definition.holder.type !== 'binding') return set;
    const value = r.definition.holder.childForFieldName('expression');
    const name = value ? this.api.syntax.dottedName(this.src, value) : undefined;
    const version = name ? packageSetVersion(name[name.length - 1]!) : undefined;
    return version ? { ...set, version } : set;
  }

  /** Whether package `name` exists in the set (known version only; unknown versions: assume current). */
  private available(name: string, set: SetRef): boolean {
    const since = ALL_COMPONENTS.get(name)?.since;
    if (!since || set.version === undefined) return true;
    const [a, b] = set.version.split('_').map(Number);
    const [c, d] = since.split('.').map(Number);
    // a major-only set (`cudaPackages_11`) is the newest minor of that major
    const ok = a! > c! || (a === c && (b === undefined || b >= d!));
    if (!ok) this.versionGated.add(`${name} (from CUDA ${since}; this set is ${set.version.replace(/_/g, '.')})`);
    return ok;
  }

  /** Extend a reference to the select expression that takes attributes from it. */
  private useOf(ref: SyntaxNode, setIn: SetRef, def?: Definition, attrsAlready: string[] = []): Use {
    const set = this.withVersion(setIn, ref);
    const expr = ref.type === 'identifier' ? ref.parent! : ref;
    const parent = expr.parent;
    if (parent?.type === 'select_expression' && parent.childForFieldName('expression')?.id === expr.id && !parent.childForFieldName('default')) {
      const parts = this.api.syntax.selectParts(this.src, parent)!;
      if (parts.path.every((p) => p !== undefined)) return { node: parent, attrs: [...attrsAlready, ...(parts.path as string[])], set, def };
    }
    return { node: expr, attrs: attrsAlready, set, def };
  }

  /**
   * Uses a `# nixshift-ignore` covers, directly or through their definition (a suppressed
   * formal, let alias or inherit keeps its name, so every use of it stays too): left as is.
   */
  applySuppressions(): void {
    for (const use of [...this.uses, ...this.inheritUses]) {
      const direct = this.api.suppressed(use.node);
      const viaDefinition = use.def !== undefined && this.api.suppressed(use.def.node);
      if (!direct && !viaDefinition) continue;
      this.suppressedUses.add(use.node.startIndex);
      this.leftUses.add(use.node.startIndex);
      this.done.add(use.node.startIndex);
    }
  }

  get hasUses(): boolean {
    return this.uses.length > 0 || this.inheritUses.length > 0;
  }

  collectUses(): void {
    const scopes = this.api.scopes();
    for (const ref of scopes.references()) {
      const r = ref.resolution;
      if (ref.site === 'inherit') {
        const set = r.kind === 'bound' ? this.setOfDefinition(r.definition) : undefined;
        if (set) this.inheritUses.push({ node: ref.node, attrs: [], set, def: r.kind === 'bound' ? r.definition : undefined });
        continue;
      }
      if (r.kind === 'bound') {
        const set = this.setOfDefinition(r.definition);
        if (set) this.uses.push(this.useOf(ref.node, set, r.definition));
      } else if (r.kind === 'with') {
        const envs = r.withs.map((w) => w.childForFieldName('environment')).filter((e): e is SyntaxNode => !!e);
        const cuda = envs.find((e) => isCudaPackageSet(this.src, e));
        if (cuda && ref.name === 'cudatoolkit') {
          const name = this.api.syntax.dottedName(this.src, cuda)!;
          this.uses.push(this.useOf(ref.node, { text: name.join('.'), version: packageSetVersion(name[name.length - 1]!) }));
          continue;
        }
        const pkgs = envs.find((e) => isPackageSet(this.src, e));
        const v = toolkitNameVersion(ref.name);
        if (pkgs && v !== null) this.uses.push(this.useOf(ref.node, { text: `cudaPackages${v ? `_${v}` : ''}`, version: v }));
      }
    }
    for (const sel of this.api.syntax.nodesOfTypeContaining(this.src, this.api.root, 'select_expression', 'cudatoolkit')) {
      const parts = this.api.syntax.selectParts(this.src, sel);
      if (!parts || parts.fallback) continue;
      // `a.b.cudatoolkit.x`: find the toolkit attribute position
      for (let i = 0; i < parts.path.length; i++) {
        const attr = parts.path[i];
        if (attr === undefined || toolkitNameVersion(attr) === null) continue;
        const baseText = [this.text(parts.base), ...parts.path.slice(0, i)].join('.');
        const baseNode = i === 0 ? parts.base : undefined;
        let set: SetRef | undefined;
        if (baseNode) set = this.setOfSelect(baseNode, attr);
        else if (parts.path.slice(0, i).every((p) => p !== undefined)) {
          const names = [...(this.api.syntax.dottedName(this.src, parts.base) ?? []), ...(parts.path.slice(0, i) as string[])];
          const last = names[names.length - 1] ?? '';
          if (/^cudaPackages(_\d+(_\d+)*)?$/.test(last) && attr === 'cudatoolkit') set = { text: baseText, version: packageSetVersion(last) };
          else if (/^(pkgs|final|prev|self|super|buildPackages)$/.test(last) && toolkitNameVersion(attr) !== null) {
            const v = toolkitNameVersion(attr) ?? undefined;
            set = { text: `${baseText}.cudaPackages${v ? `_${v}` : ''}`, version: v };
          }
        }
        if (set) {
          this.uses.push({ node: sel, attrs: parts.path.slice(i + 1) as string[], set: this.withVersion(set, sel) });
        }
        break;
      }
    }
    this.uses.sort((a, b) => a.node.startIndex - b.node.startIndex);
  }

  // ------------------------------------------------------------------------------------------
  // 2. Evidence → library set

  private libsFor(text: string): string | undefined {
    for (const c of LIBRARIES) if (c.evidence.test(text)) return c.name;
    return undefined;
  }

  /** Check the options that do not depend on the file (at once, not on first use). */
  checkOptions(): void {
    const forced = asList(this.options['cuda-libs']);
    const unknown = (forced ?? []).filter((n) => !ALL_COMPONENTS.has(n));
    if (unknown.length > 0) throw new Error(`option cuda-libs: unknown package(s) ${unknown.join(', ')} (known: ${[...ALL_COMPONENTS.keys()].join(', ')})`);
  }

  private collectEvidence(): NonNullable<Migration['evidenceState']> {
    const evidence = new Map<string, string>();
    const note = (pkg: string, what: string, at: number): void => {
      if (!evidence.has(pkg)) {
        const line = positionAt(this.src, at).line;
        evidence.set(pkg, `${JSON.stringify(what.length > 40 ? `${what.slice(0, 40)}…` : what)} at line ${line}`);
      }
    };
    const sources = [
      ...this.api.root.descendantsOfType('string_fragment'),
      // flag-like attribute names: env.USE_CUBLAS = …; CUPTI_DIR = …;
      ...this.api.root.descendantsOfType('attrpath').flatMap((p) => p.namedChildren.filter((a) => a.type === 'identifier' && /^[A-Z][A-Z0-9_]+$/.test(this.text(a)))),
    ];
    for (const frag of sources) {
      const t = this.text(frag);
      if (!ANY_EVIDENCE.test(t)) continue;
      for (const c of EVIDENCE_COMPONENTS) {
        const m = c.evidence.exec(t);
        if (m) note(c.name, m[0], frag.startIndex + m.index);
      }
    }
    const forced = asList(this.options['cuda-libs']);
    let libs: string[];
    if (forced) {
      libs = forced;
    } else {
      libs = LIBRARIES.map((c) => c.name).filter((n) => evidence.has(n) && n !== 'cuda_cudart' && n !== 'cuda_cccl');
    }
    const fromFallback = !forced && libs.length === 0 && !evidence.has('cuda_cudart') && !evidence.has('cuda_cccl');
    if (fromFallback) libs = TOOLKIT_LIBRARIES.filter((n) => n !== 'cuda_cudart' && n !== 'cuda_cccl');
    const order = (names: string[]): string[] => LIBRARIES.map((c) => c.name).filter((n) => names.includes(n));
    return {
      evidence,
      fromFallback,
      compileLibs: order(['cuda_cudart', 'cuda_cccl', ...libs]),
      runtimeLibs: order(['cuda_cudart', ...libs]).filter((n) => ALL_COMPONENTS.get(n)?.runtime),
      tools: ['cuda_nvcc', ...TOOLS.filter((t) => t.name !== 'cuda_nvcc' && evidence.has(t.name)).map((t) => t.name)],
    };
  }

  // ------------------------------------------------------------------------------------------
  // Naming

  /** How to name package `pkg` of set `set` at `site`. */
  private pkg(set: SetRef, pkg: string, site?: SyntaxNode): string {
    this.emitted.add(pkg);
    if (site && this.underWith(site, set)) return pkg;
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

  private accessor(output: 'lib' | 'dev' | 'bin' | 'out' | 'stubs', pkgText: string): string {
    switch (output) {
      case 'lib':
        return `${this.lib()}.getLib ${pkgText}`;
      case 'dev':
        return `${this.lib()}.getDev ${pkgText}`;
      case 'bin':
        return `${this.lib()}.getBin ${pkgText}`;
      case 'stubs':
        return `${this.lib()}.getOutput "stubs" ${pkgText}`;
      default:
        return pkgText;
    }
  }

  /** Elements that replace the toolkit in an input list. */
  private inputElements(set: SetRef, role: Role, site: SyntaxNode, attrs: string[]): string[] {
    if (role === 'tools') return this.tools.map((t) => this.pkg(set, t, site));
    let names = (role === 'runtime' ? this.runtimeLibs : this.compileLibs).filter((n) => this.available(n, set));
    if (attrs[0] === 'lib') names = ['cuda_cudart']; // the runfile's `lib` output holds only libcudart (§4)
    this.libSite ??= site;
    if (role === 'runtime') return names.map((n) => this.pkg(set, n, site));
    if (!this.explicit) return names.map((n) => this.pkg(set, n, site));
    const out: string[] = [];
    for (const n of names) {
      const p = this.pkg(set, n, site);
      if (n === 'cuda_cccl' || n === 'cuda_profiler_api') out.push(`${p}.dev`);
      else if (n === 'cuda_nvml_dev') out.push(`${p}.dev`);
      else {
        out.push(`${p}.dev`, `${p}.lib`);
        if (n === 'cuda_cudart') out.push(`${p}.static`);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // 3. Rewrite each use

  private left(use: Use, rule: keyof typeof rules, message: string, fix: string): void {
    this.leftUses.add(use.node.startIndex);
    this.api.report(use.node, { rule, message, fix });
  }

  private replace(node: { startIndex: number; endIndex: number }, text: string): void {
    if (this.done.has(node.startIndex)) return;
    this.done.add(node.startIndex);
    this.api.edit.replace(node, text);
  }

  /** The first use that installs the whole toolkit into an environment (shell, profile, system). */
  private environmentUse(): { use: Use; where: string } | undefined {
    for (const use of this.uses) {
      if (this.suppressedUses.has(use.node.startIndex)) continue;
      const shell = this.shellCall(use.node);
      if (shell) return { use, where: `a \`${shell}\` environment` };
      const list = use.node.parent?.type === 'list_expression' ? use.node.parent : undefined;
      const ctx = list ? this.api.syntax.listContext(this.src, list) : undefined;
      if (ctx?.name && ENVIRONMENT_PLACES.test(ctx.name)) return { use, where: `\`${ctx.name}\`` };
    }
    return undefined;
  }

  rewriteAll(): void {
    const env = this.environmentUse();
    if (env) {
      // A dev shell or a user/system profile that installs the toolkit: keep every use whole,
      // so the profile and its library paths stay consistent (decide by hand).
      const line = positionAt(this.src, env.use.node.startIndex).line;
      for (const use of [...this.uses, ...this.inheritUses]) {
        if (this.done.has(use.node.startIndex)) continue;
        this.left(use, 'whole-toolkit-intended', use === env.use ? `\`${this.text(use.node)}\` is installed whole into ${env.where}; a whole toolkit may be intended` : `\`${this.text(use.node)}\` left whole, consistent with the toolkit installed into ${env.where} at line ${line}`, 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …) everywhere in this file');
      }
      return;
    }
    for (const use of this.inheritUses) if (!this.done.has(use.node.startIndex)) this.rewriteInherit(use);
    for (const use of this.uses) {
      if (this.done.has(use.node.startIndex)) continue;
      if (!hasRedist(use.set.version)) {
        this.left(use, 'no-redist', `\`${this.text(use.node)}\` is CUDA ${use.set.version!.replace(/_/g, '.')}, which has no redist packages in nixpkgs (they start at 11.4); left as is`, 'move the package to CUDA 11.4 or newer first (or keep the legacy toolkit)');
        continue;
      }
      if (this.isAliasDefinition(use)) continue;
      this.rewriteUse(use);
    }
  }

  /** `inherit cudatoolkit;` in passthru → `cudatoolkit = cudaPackages.cudatoolkit;`; elsewhere a finding. */
  private rewriteInherit(use: Use): void {
    const inherit = use.node.parent?.parent;
    if (!inherit || inherit.type !== 'inherit') return;
    const binding = `${this.text(use.node)} = ${use.set.text}.cudatoolkit;`;
    if (!hasRedist(use.set.version) || !this.inPassthru(inherit)) {
      this.left(use, hasRedist(use.set.version) ? 'unknown-use' : 'no-redist', `\`inherit ${this.text(use.node)};\` passes the legacy toolkit on`, 'pass the split packages (or `cudaPackages`) instead');
      return;
    }
    this.api.edit.inheritAsBinding(inherit, use.node, binding);
    this.handledUses.add(use.node.startIndex);
    this.api.report(use.node, { rule: 'passthru-kept', message: `\`passthru.${this.text(use.node)}\` now refers to \`${use.set.text}.cudatoolkit\` for backward compatibility; passthru does not enter closures`, fix: 'drop it once no consumer reads it' });
  }

  /** The value of `let cudatoolkit = cudaPackages.cudatoolkit;` is rewritten with the binding. */
  private isAliasDefinition(use: Use): boolean {
    const binding = use.node.parent;
    if (binding?.type !== 'binding' || binding.childForFieldName('expression')?.id !== use.node.id) return false;
    const set = binding.parent;
    const owner = set?.parent;
    if (!owner || (owner.type !== 'let_expression' && owner.type !== 'rec_attrset_expression')) return false;
    const defs = this.api.scopes().namesOf(owner);
    const path = binding.childForFieldName('attrpath');
    const name = path?.namedChildren.length === 1 ? this.api.syntax.attrName(this.src, path.namedChildren[0]!) : undefined;
    return name !== undefined && defs.has(name) && use.attrs.length === 0;
  }

  private rewriteUse(use: Use): void {
    const [first, second] = use.attrs;
    const n = use.node;
    // Versions and the compiler (§4)
    if (first === 'version' || first === 'majorMinorVersion' || first === 'majorVersion') {
      if (use.attrs.length > 1) return this.left(use, 'unknown-use', `\`${this.text(n)}\`: not a known toolkit attribute path`, 'rewrite by hand');
      // lib.versions.major cudatoolkit.version → cudaPackages.cudaMajorVersion (and majorMinor)
      const app = n.parent?.type === 'apply_expression' && n.parent.childForFieldName('argument')?.id === n.id ? n.parent : undefined;
      const fn = app?.childForFieldName('function');
      const d = fn ? this.api.syntax.dottedName(this.src, fn) : undefined;
      const which = d && d.length >= 2 && d[d.length - 2] === 'versions' ? d[d.length - 1] : undefined;
      if (app && first === 'version' && this.versionAttr === 'cudaMajorMinorVersion' && (which === 'major' || which === 'majorMinor')) {
        this.replace(app, `${use.set.text}.${which === 'major' ? 'cudaMajorVersion' : 'cudaMajorMinorVersion'}`);
        this.handledUses.add(n.startIndex);
        return;
      }
      this.replace(n, `${use.set.text}.${this.versionAttr}`);
      if (first === 'majorVersion') this.api.report(n, { rule: 'major-version', message: `\`${this.text(n)}\` was the major.minor version of the toolkit; now \`${use.set.text}.${this.versionAttr}\``, fix: `use \`${use.set.text}.cudaMajorVersion\` if the major version was meant` });
      this.handledUses.add(n.startIndex);
      return;
    }
    if (first === 'cc') {
      if (this.isCmakeRootFlag(use)) return;
      const rest = use.attrs.slice(1);
      const text = second === 'stdenv' ? `${use.set.text}.backendStdenv${rest.length > 1 ? `.${rest.slice(1).join('.')}` : ''}` : `${use.set.text}.backendStdenv.cc${rest.length ? `.${rest.join('.')}` : ''}`;
      this.replace(n, text);
      this.handledUses.add(n.startIndex);
      return;
    }
    if (first === 'doc') {
      if (n.parent?.type === 'list_expression') {
        this.api.edit.removeListElement(n);
        this.done.add(n.startIndex);
        this.handledUses.add(n.startIndex);
        return;
      }
      return this.left(use, 'unknown-use', `\`${this.text(n)}\`: the toolkit documentation has no redist replacement`, 'drop it');
    }
    if (first !== undefined && !['out', 'lib', 'dev', 'static', 'bin'].includes(first)) {
      return this.left(use, 'unknown-use', `\`${this.text(n)}\`: \`${first}\` is not a known attribute of the toolkit`, 'rewrite by hand with the split packages of cudaPackages');
    }
    if (use.attrs.length > 1) return this.left(use, 'unknown-use', `\`${this.text(n)}\`: unexpected attribute path`, 'rewrite by hand');
    const parent = n.parent;
    if (!parent) return this.left(use, 'unknown-use', 'the toolkit is the whole file', 'rewrite by hand');
    const shell = this.shellCall(n);
    if (shell) {
      return this.left(use, 'whole-toolkit-intended', `\`${this.text(n)}\` is part of a \`${shell}\` environment, where a whole toolkit may be intended`, 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …)');
    }
    if (parent.type === 'list_expression') return this.rewriteInList(use, parent);
    if (parent.type === 'interpolation') return this.rewriteInterpolation(use, parent);
    if (parent.type === 'binary_expression') return this.rewriteComparison(use, parent);
    if (parent.type === 'binding' && parent.childForFieldName('expression')?.id === n.id) return this.rewriteBindingValue(use, parent);
    if (parent.type === 'parenthesized_expression' && parent.parent?.type === 'list_expression') return this.rewriteInList({ ...use, node: parent }, parent.parent);
    if (parent.type === 'apply_expression' && parent.childForFieldName('argument')?.id === n.id) {
      // lib.optional cond cudatoolkit  →  lib.optionals cond [ … ]
      const fn = parent.childForFieldName('function');
      const callee = fn?.type === 'apply_expression' ? fn.childForFieldName('function') : null;
      const d = callee ? this.api.syntax.dottedName(this.src, callee) : undefined;
      if (callee && d && d[d.length - 1] === 'optional') return this.rewriteOptional(use, parent, callee);
    }
    return this.left(use, 'unknown-use', `\`${this.text(n)}\` is used in a way this transform does not rewrite (${parent.type.replace(/_/g, ' ')})`, 'replace it by the split packages it needs, e.g. `cudaPackages.cuda_cudart`');
  }



  /** The name of an enclosing mkShell-like call whose argument holds `node`. */
  private shellCall(node: SyntaxNode): string | undefined {
    let prev = node;
    for (let p = node.parent; p; prev = p, p = p.parent) {
      if (p.type !== 'apply_expression' || p.childForFieldName('argument')?.id !== prev.id) continue;
      const fn = p.childForFieldName('function');
      const d = fn ? this.api.syntax.dottedName(this.src, this.api.syntax.unparen(fn)) : undefined;
      const last = d?.[d.length - 1];
      if (last && /^(mkShell|mkShellNoCC|buildFHSEnv|buildFHSUserEnv)$/.test(last)) return last;
    }
    return undefined;
  }

  /** The attrset a binding belongs to, and the function it is passed to (mkShell, …). */
  private ownerCall(binding: SyntaxNode): string | undefined {
    const attrset = binding.parent?.parent;
    let p = attrset?.parent;
    while (p && (p.type === 'parenthesized_expression' || p.type === 'function_expression')) p = p.parent;
    if (p?.type !== 'apply_expression') return undefined;
    const fn = p.childForFieldName('function');
    const d = fn ? this.api.syntax.dottedName(this.src, this.api.syntax.unparen(fn)) : undefined;
    return d?.[d.length - 1];
  }

  private rewriteInList(use: Use, list: SyntaxNode): void {
    const ctx = this.api.syntax.listContext(this.src, list);
    const n = use.node;
    if (ctx.call && /^makeLibraryPath$|^makeSearchPath/.test(ctx.call)) {
      return this.spliceList(use, list, this.inputElements(use.set, 'runtime', n, use.attrs), undefined);
    }
    if (ctx.call && SHELL_FUNCTIONS.test(ctx.call)) {
      return this.left(use, 'whole-toolkit-intended', `\`${this.text(n)}\` is passed whole to \`${ctx.call}\``, 'list the split packages the environment needs instead');
    }
    if (!ctx.binding || !ctx.name) {
      return this.left(use, 'unknown-use', `\`${this.text(n)}\` is in a list that is not a known input list`, 'replace it by the split packages it needs');
    }
    const owner = this.ownerCall(ctx.binding);
    if (owner === 'symlinkJoin' && ctx.name === 'paths') {
      // A join of the toolkit (a build-time prefix): the same join of the split packages' outputs.
      // Whether the join itself belongs in the closure is symlinkjoin-to-propagated's business.
      this.spliceList(use, list, this.joinMembers(use.set, n, use.attrs), ctx.binding);
      this.api.report(n, { rule: 'join-members-split', message: `\`${this.text(n)}\` in the paths of a symlinkJoin became the outputs of the split packages`, fix: 'run symlinkjoin-to-propagated to keep the join out of runtime closures' });
      return;
    }
    if ((owner && SHELL_FUNCTIONS.test(owner)) || WHOLE_TOOLKIT_PLACES.test(ctx.name)) {
      return this.left(use, 'whole-toolkit-intended', `\`${this.text(n)}\` in \`${ctx.name}\`${owner ? ` of \`${owner}\`` : ''}: a whole toolkit may be intended here`, 'if only some parts are needed, list them (`cudaPackages.cuda_nvcc`, `cudaPackages.cuda_cudart`, …)');
    }
    if (INPUT_TOOLS.test(ctx.name)) {
      const blocked = this.blockedSibling(ctx.binding, 'buildInputs');
      if (blocked) return this.left(use, 'unknown-use', blocked, 'add the split packages to `buildInputs` by hand, or move the comment');
      this.pendingLibs.push({ attrset: ctx.binding.parent!.parent!, conditions: ctx.conditions, set: use.set });
      return this.spliceList(use, list, this.inputElements(use.set, 'tools', n, use.attrs), ctx.binding);
    }
    if (INPUT_LIBS.test(ctx.name)) {
      const blocked = use.attrs[0] !== 'lib' ? this.blockedSibling(ctx.binding, 'nativeBuildInputs') : undefined;
      if (blocked) return this.left(use, 'unknown-use', blocked, 'add `cudaPackages.cuda_nvcc` to `nativeBuildInputs` by hand, or move the comment');
      this.spliceList(use, list, this.inputElements(use.set, 'libs', n, use.attrs), ctx.binding);
      if (use.attrs[0] !== 'lib') {
        const attrset = ctx.binding.parent!.parent!;
        this.pendingNvcc.push({ attrset, conditions: ctx.conditions, set: use.set });
      }
      return;
    }
    if (RUNTIME_BINDINGS.test(ctx.name)) return this.spliceList(use, list, this.inputElements(use.set, 'runtime', n, use.attrs), ctx.binding);
    return this.left(use, 'unknown-use', `\`${this.text(n)}\` in \`${ctx.name}\` (not an input list this transform knows)`, 'replace it by the split packages it needs');
  }

  /** `lib.optional c cudatoolkit` in an input list binding: becomes `lib.optionals c [ … ]`. */
  private rewriteOptional(use: Use, app: SyntaxNode, callee: SyntaxNode): void {
    // the binding whose value holds it, through `++` chains and parentheses
    let binding: SyntaxNode | null = app.parent;
    while (binding && (binding.type === 'binary_expression' || binding.type === 'parenthesized_expression')) binding = binding.parent;
    const name = binding?.type === 'binding' ? this.text(binding.childForFieldName('attrpath')!) : undefined;
    const cond = app.childForFieldName('function')!.childForFieldName('argument')!;
    const role: Role | undefined = name && INPUT_TOOLS.test(name) ? 'tools' : name && INPUT_LIBS.test(name) ? 'libs' : undefined;
    if (!role || !binding) return this.left(use, 'unknown-use', `\`${this.text(app)}\` is not in an input list this transform knows`, 'replace it by the split packages it needs');
    const blocked = this.blockedSibling(binding, role === 'libs' ? 'nativeBuildInputs' : 'buildInputs');
    if (blocked) return this.left(use, 'unknown-use', blocked, 'rewrite it by hand, or move the comment');
    const elements = this.inputElements(use.set, role, use.node, use.attrs);
    const indent = this.lineIndent(app.startIndex);
    const inline = `${this.text(callee)}s ${this.text(cond)} [ ${elements.join(' ')} ]`;
    const wide = app.startIndex - this.src.lastIndexOf('\n', app.startIndex) + inline.length > MAX_INLINE_WIDTH;
    const list = (this.api.style.nixfmt || wide) && elements.length > 1
      ? `[\n${elements.map((e) => `${indent}${this.api.style.indent}${e}`).join('\n')}\n${indent}]`
      : `[ ${elements.join(' ')} ]`;
    this.api.edit.replace({ startIndex: callee.startIndex, endIndex: app.endIndex }, `${this.text(callee)}s ${this.text(cond)} ${list}`);
    this.done.add(use.node.startIndex);
    this.handledUses.add(use.node.startIndex);
    if (role === 'libs') this.pendingNvcc.push({ attrset: binding.parent!.parent!, conditions: [this.text(cond)], set: use.set });
  }

  /**
   * Why the rewrite of a use in `binding` cannot add what it needs to the sibling input list
   * `attr` (nvcc to `nativeBuildInputs`, libraries to `buildInputs`): that list is covered by a
   * `# nixshift-ignore` and does not have it already (the toolkit, or nvcc). Undefined when fine.
   */
  private blockedSibling(binding: SyntaxNode, attr: 'nativeBuildInputs' | 'buildInputs'): string | undefined {
    const attrset = binding.parent?.parent;
    if (!attrset) return undefined;
    const sibling = this.api.syntax.bindingsOf(this.src, attrset).find((b) => b.path.length === 1 && b.path[0] === attr);
    if (!sibling || sibling.node.id === binding.id) return undefined;
    const elements = this.api.syntax.listParts(this.src, sibling.value).flatMap((p) => this.api.syntax.listElements(p.list).map((e) => this.text(e)));
    const has = elements.some((e) => toolkitNameVersion(e.split('.').pop()!) !== null || (attr === 'nativeBuildInputs' && /(^|\.)cuda_nvcc$/.test(e)));
    if (has || !this.api.suppressed(sibling.node)) return undefined;
    return `\`${this.text(binding.childForFieldName('attrpath')!)}\` keeps the toolkit: its split packages need \`${attr}\` too, which \`# nixshift-ignore\` covers`;
  }

  private spliceList(use: Use, list: SyntaxNode, elements: string[], binding: SyntaxNode | undefined): void {
    const key = binding?.id ?? list.id;
    let present = this.addedPerBinding.get(key);
    if (!present) {
      present = new Set<string>();
      const value = binding?.childForFieldName('expression');
      const lists = value ? this.api.syntax.listParts(this.src, value).map((p) => p.list) : [list];
      for (const l of lists) {
        for (const el of this.api.syntax.listElements(l)) present.add(componentKey(this.text(el)));
      }
      this.addedPerBinding.set(key, present);
    }
    const fresh = elements.filter((e) => {
      const k = componentKey(e);
      if (present!.has(e) || present!.has(k)) return false;
      present!.add(e);
      present!.add(k);
      return true;
    });
    let plan = this.listPlans.get(list.id);
    if (!plan) this.listPlans.set(list.id, (plan = { list, replacements: new Map() }));
    plan.replacements.set(use.node.id, fresh);
    this.done.add(use.node.startIndex);
    this.handledUses.add(use.node.startIndex);
  }

  private rewriteComparison(use: Use, expr: SyntaxNode): void {
    const op = expr.childForFieldName('operator');
    const other = expr.childForFieldName('left')?.id === use.node.id ? expr.childForFieldName('right') : expr.childForFieldName('left');
    if (op && ['==', '!='].includes(this.text(op)) && other && this.text(other) === 'null' && use.attrs.length === 0) {
      this.replace(use.node, use.set.text);
      this.handledUses.add(use.node.startIndex);
      return;
    }
    this.left(use, 'unknown-use', `\`${this.text(use.node)}\` in an expression (\`${this.text(expr).slice(0, 60)}\`)`, 'rewrite by hand with the split packages of cudaPackages');
  }

  private rewriteBindingValue(use: Use, binding: SyntaxNode): void {
    const path = binding.childForFieldName('attrpath')!;
    const names = path.namedChildren.map((a) => this.api.syntax.attrName(this.src, a) ?? '?');
    const name = names[names.length - 1]!;
    if (BUILD_ROOT_NAMES.test(name)) {
      this.replace(use.node, this.join(use.set));
      this.handledUses.add(use.node.startIndex);
      return;
    }
    // passthru.cudatoolkit (openmpi keeps it for backward compatibility, §4)
    if (name === 'cudatoolkit' && (names[0] === 'passthru' || this.inPassthru(binding))) {
      this.replace(use.node, `${use.set.text}.cudatoolkit`);
      this.api.report(use.node, { rule: 'passthru-kept', message: `\`passthru.cudatoolkit\` now refers to \`${use.set.text}.cudatoolkit\` for backward compatibility; passthru does not enter closures` , fix: 'drop it once no consumer reads it' });
      this.handledUses.add(use.node.startIndex);
      return;
    }
    this.left(use, 'unknown-use', `\`${name} = ${this.text(use.node)};\`: the transform cannot tell what \`${name}\` needs`, 'replace it by the split packages it needs');
  }

  private inPassthru(binding: SyntaxNode): boolean {
    const attrset = binding.parent?.parent;
    const outer = attrset?.parent;
    if (outer?.type !== 'binding') return false;
    const p = outer.childForFieldName('attrpath');
    return p !== null && this.text(p) === 'passthru';
  }

  /** -DCUDA_HOST_COMPILER=${cudatoolkit.cc}/… and -DCUDA_TOOLKIT_ROOT_DIR=${cudatoolkit}: remove. */
  private isCmakeRootFlag(use: Use): boolean {
    const interp = use.node.parent;
    if (interp?.type !== 'interpolation') return false;
    const str = interp.parent!;
    const info = this.api.syntax.interpolations(this.src, str).find((i) => i.node.id === interp.id);
    if (!info) return false;
    const m = /(-D(CUDA_TOOLKIT_ROOT_DIR|CUDA_HOST_COMPILER|CMAKE_CUDA_HOST_COMPILER|CUDAToolkit_ROOT)(:[A-Z]+)?=)$/.exec(info.before);
    if (!m) return false;
    const flag = m[1]!;
    const flagStart = interp.startIndex - flag.length;
    // the flag runs to the next blank or the end of the string
    const afterMatch = /^[^\s"']*/.exec(info.after)![0];
    const flagEnd = interp.endIndex + afterMatch.length;
    const whole = str.startIndex + 1 === flagStart && flagEnd === str.endIndex - 1;
    if (whole && str.parent?.type === 'list_expression') {
      this.api.edit.removeListElement(str);
    } else {
      let s = flagStart;
      while (s > 0 && (this.src[s - 1] === ' ' || this.src[s - 1] === '\t')) s--;
      this.api.edit.replace({ startIndex: s, endIndex: flagEnd }, '');
    }
    this.done.add(use.node.startIndex);
    this.handledUses.add(use.node.startIndex);
    this.api.report(flagStart, {
      rule: 'cmake-root-removed',
      message: `removed \`${flag}\${${this.text(use.node)}}${afterMatch}\`: the CUDA setup hook of the redist packages passes the toolkit root and host compiler to CMake`,
    });
    return true;
  }

  private rewriteInterpolation(use: Use, interp: SyntaxNode): void {
    if (this.isCmakeRootFlag(use)) return;
    const str = interp.parent!;
    const info = this.api.syntax.interpolations(this.src, str).find((i) => i.node.id === interp.id)!;
    const after = info.after;
    const site = use.node;
    const set = use.set;
    // `${cudatoolkit.lib}/lib…`: the runfile's lib output holds libcudart only (§4)
    if (use.attrs[0] === 'lib' && /^\/lib(64)?(?=$|[:"'\s])/.test(after) && info.before.endsWith(':') && this.runtimePathStrings.has(str.id)) {
      // `${cudatoolkit}/lib:${cudatoolkit.lib}/lib`: libcudart is already on the path just written
      const consumed = after.startsWith('/lib64') ? '/lib64' : '/lib';
      this.api.edit.remove({ startIndex: interp.startIndex - 1, endIndex: interp.endIndex + consumed.length });
      this.done.add(use.node.startIndex);
      this.handledUses.add(use.node.startIndex);
      return;
    }
    if (use.attrs[0] === 'lib' && /^\/lib(64)?(?=$|[/:"'\s])/.test(after)) {
      return this.replacePath(use, interp, `${this.accessor('lib', this.pkg(set, 'cuda_cudart', site))}`, after.startsWith('/lib64') ? '/lib64' : '/lib', '/lib');
    }
    const mapping = mapToolkitPath(after, (t) => this.libsFor(t));
    if (mapping) {
      if (mapping.output === 'exe') {
        const exe = `${this.lib()}.getExe' ${this.pkg(set, mapping.pkg, site)} ${JSON.stringify(mapping.program)}`;
        this.api.edit.replace({ startIndex: interp.startIndex, endIndex: interp.endIndex + mapping.consumed.length }, `\${${exe}}`);
        this.done.add(use.node.startIndex);
        this.handledUses.add(use.node.startIndex);
        return;
      }
      return this.replacePath(use, interp, this.accessor(mapping.output, this.pkg(set, mapping.pkg, site)), mapping.consumed, mapping.replacementSuffix);
    }
    // A bare library folder: `${cudatoolkit}/lib`
    const libDir = /^\/lib(64)?(?=$|[:"'\s;])/.exec(after);
    if (libDir) {
      const runtime = this.isRuntimeString(str, info.before, after);
      if (runtime) this.runtimePathStrings.add(str.id);
      const libs = this.runtimeLibs.filter((n) => this.available(n, set));
      if (runtime || libs.length === 1) {
        this.libSite ??= use.node;
        const text = runtime
          ? `${this.lib()}.makeLibraryPath [ ${libs.map((p) => this.pkg(set, p, site)).join(' ')} ]`
          : this.accessor('lib', this.pkg(set, libs[0]!, site));
        return this.replacePath(use, interp, text, libDir[0], runtime ? '' : '/lib');
      }
      return this.left(use, 'unknown-use', `\`\${${this.text(use.node)}}${libDir[0]}\` is a library folder, but this build-time flag cannot name several packages`, `use one \`-L\${lib.getLib cudaPackages.<pkg>}/lib\` per library (evidence: ${this.runtimeLibs.join(', ')})`);
    }
    // The whole prefix: build roots (§4)
    if (/^($|[\s"':;,])/.test(after)) {
      if (/--with-cuda(-dir)?=$/.test(info.before)) {
        this.replace(use.node, this.accessor('dev', this.pkg(set, 'cuda_cudart', site)));
        this.handledUses.add(use.node.startIndex);
        return;
      }
      const binding = this.enclosingBindingName(str);
      if (/(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_PATH|TF_CUDA_PATHS|CUDAToolkit_ROOT|CUDA_TOOLKIT_ROOT_DIR)[=:]?["']?$/.test(info.before) || (binding !== undefined && BUILD_ROOT_NAMES.test(binding))) {
        this.replace(use.node, this.join(set));
        this.handledUses.add(use.node.startIndex);
        return;
      }
    }
    this.left(use, 'unknown-use', `\`\${${this.text(use.node)}}${after.slice(0, 30).split('\n')[0]}\`: a path under the legacy toolkit this transform cannot map`, 'point it at the split package that owns the file (see `nixshift explain cudatoolkit-to-redist`)');
  }

  private replacePath(use: Use, interp: SyntaxNode, expr: string, consumed: string, replacement: string): void {
    this.replace(use.node, expr);
    if (consumed !== replacement) this.api.edit.replace({ startIndex: interp.endIndex, endIndex: interp.endIndex + consumed.length }, replacement);
    this.handledUses.add(use.node.startIndex);
  }

  private enclosingBindingName(node: SyntaxNode): string | undefined {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'binding') {
        const path = p.childForFieldName('attrpath')!;
        const last = path.namedChildren[path.namedChildren.length - 1];
        return last ? this.api.syntax.attrName(this.src, last) : undefined;
      }
    }
    return undefined;
  }

  private isRuntimeString(str: SyntaxNode, before: string, after: string): boolean {
    const name = this.enclosingBindingName(str);
    if (name && RUNTIME_BINDINGS.test(name)) return true;
    const line = `${before.split('\n').pop() ?? ''}${after.split('\n')[0] ?? ''}`;
    return RUNTIME_TEXT.test(line) || /:$/.test(before) || /^\/lib(64)?:/.test(after);
  }

  /** Outputs of the split packages that stand for the toolkit in a symlinkJoin's paths. */
  private joinMembers(set: SetRef, site: SyntaxNode | undefined, attrs: string[]): string[] {
    const lib = this.lib();
    if (attrs[0] === 'lib') return [`(${lib}.getLib ${this.pkg(set, 'cuda_cudart', site)})`];
    const out = this.tools.map((t) => `(${lib}.getBin ${this.pkg(set, t, site)})`);
    for (const l of this.compileLibs.filter((n) => this.available(n, set))) {
      out.push(`(${lib}.getDev ${this.pkg(set, l, site)})`);
      if (ALL_COMPONENTS.get(l)?.runtime) out.push(`(${lib}.getLib ${this.pkg(set, l, site)})`);
    }
    if (site) this.libSite ??= site;
    return out;
  }

  /** The build-time-only join for build systems that need one prefix. */
  private join(set: SetRef): string {
    this.needJoin ??= set;
    return this.joinName;
  }

  // ------------------------------------------------------------------------------------------
  // 4. Call sites: { cudatoolkit = cudatoolkit_11; } → { cudaPackages = cudaPackages_11; }

  /**
   * `inherit (x) cudatoolkit;` in a plain attrset defines an attribute, not a variable: at a call
   * site it becomes `cudaPackages = x;`; anywhere else it is reported.
   */
  rewriteInheritedAttributes(): void {
    const sites = new Map(callSites(this.src, this.api.root, 'cudatoolkit').map((c) => [c.args.id, c]));
    for (const inh of this.api.syntax.nodesOfTypeContaining(this.src, this.api.root, 'inherit_from', 'cudatoolkit')) {
      const attrset = inh.parent?.parent;
      if (!attrset || attrset.type !== 'attrset_expression') continue; // let / rec: real definitions
      const from = inh.childForFieldName('expression');
      const attrs = inh.childForFieldName('attrs')?.namedChildren ?? [];
      const tk = attrs.find((a) => a.type === 'identifier' && toolkitNameVersion(this.text(a)) !== null);
      if (!from || !tk || this.api.suppressed(tk)) continue;
      const set = this.setOfSelect(from, this.text(tk));
      const fake: Use = { node: tk, attrs: [], set: set ?? { text: 'cudaPackages' } };
      const site = sites.get(attrset.id);
      if (!set || !site) {
        this.left(fake, 'unknown-use', `\`inherit (${this.text(from)}) ${this.text(tk)};\` passes the legacy toolkit on as an attribute`, 'pass `cudaPackages` (the package set) or the split packages instead');
        continue;
      }
      if (!hasRedist(set.version)) {
        this.left(fake, 'no-redist', `\`inherit (${this.text(from)}) ${this.text(tk)};\`: CUDA ${set.version!.replace(/_/g, '.')} has no redist packages (they start at 11.4); left as is`, 'move to CUDA 11.4 or newer first');
        continue;
      }
      const hasPackages = this.api.syntax.bindingsOf(this.src, attrset).some((b) => b.path.length === 1 && b.path[0] === 'cudaPackages');
      const replacement = hasPackages ? '' : set.text === 'cudaPackages' ? 'inherit cudaPackages;' : `cudaPackages = ${set.text};`;
      if (attrs.length === 1) {
        if (replacement) this.api.edit.replace(inh, replacement);
        else this.api.edit.removeBinding(inh);
      } else {
        this.api.edit.removeRange(tk.startIndex, tk.endIndex);
        if (replacement) this.api.edit.insertAfter(inh, ` ${replacement}`);
      }
      this.api.report(tk, { rule: 'call-site', message: `\`inherit (${this.text(from)}) ${this.text(tk)};\` → \`${replacement || 'removed (cudaPackages is already passed)'}\` (${site.kind})`, fix: 'the called expression must take `cudaPackages` (run this transform on it too)' });
    }
  }

  rewriteCallSites(): void {
    for (const site of callSites(this.src, this.api.root, 'cudatoolkit')) {
      const bindings = this.api.syntax.bindingsOf(this.src, site.args);
      const hasPackages = bindings.some((b) => b.path.length === 1 && b.path[0] === 'cudaPackages');
      for (const b of bindings) {
        if (b.path.length !== 1 || b.path[0] !== 'cudatoolkit' || this.api.suppressed(b.node)) continue;
        const value = this.api.syntax.unparen(b.value);
        const use = this.uses.find((u) => u.node.id === value.id);
        if (use && this.suppressedUses.has(use.node.startIndex)) continue;
        if (!use) {
          this.api.report(b.attrpath, { rule: 'unknown-use', message: `\`cudatoolkit = ${this.text(b.value)};\` at a call site: the value is not a recognisable toolkit`, fix: 'pass `cudaPackages = …;` with the package set instead' });
          continue;
        }
        this.done.add(use.node.startIndex);
        if (!hasRedist(use.set.version)) {
          this.left(use, 'no-redist', `\`${this.text(b.node)}\`: CUDA ${use.set.version!.replace(/_/g, '.')} has no redist packages (they start at 11.4); left as is`, 'move to CUDA 11.4 or newer first');
          continue;
        }
        this.handledUses.add(use.node.startIndex);
        const replacement = hasPackages ? '' : use.set.text === 'cudaPackages' ? 'inherit cudaPackages;' : `cudaPackages = ${use.set.text};`;
        if (hasPackages) this.api.edit.removeBinding(b.node);
        else this.api.edit.replace(b.node, replacement);
        this.api.report(b.attrpath, { rule: 'call-site', message: `\`${this.text(b.node)}\` → \`${replacement || 'removed (cudaPackages is already passed)'}\` (${site.kind})`, fix: 'the called expression must take `cudaPackages` (run this transform on it too)' });
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // 5. nvcc, formals, join, evidence findings

  finish(): void {
    for (const { list, replacements } of this.listPlans.values()) {
      const inString = this.insideInterpolation(list);
      this.api.edit.replaceListElements(list, replacements, { keepInline: inString });
    }
    this.addNvcc();
    this.addLibs();
    this.fixDefinitions();
    this.addJoin();
    this.addFormals();
    this.reportLibraries();
  }

  private addNvcc(): void {
    const seen = new Set<string>();
    for (const p of this.pendingNvcc) {
      const key = `${p.attrset.id}|${p.conditions.join('&&')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const bindings = this.api.syntax.bindingsOf(this.src, p.attrset);
      const native = bindings.find((b) => b.path.length === 1 && b.path[0] === 'nativeBuildInputs');
      const nvcc = (site: SyntaxNode): string => this.pkg(p.set, 'cuda_nvcc', site);
      if (native) {
        // a suppressed nativeBuildInputs has the toolkit (or nvcc) already: see blockedSibling
        if (this.done.has(native.value.startIndex) || this.api.suppressed(native.node)) continue;
        const parts = this.api.syntax.listParts(this.src, native.value);
        const has = parts.some((part) => this.api.syntax.listElements(part.list).some((e) => /(^|\.)cuda_nvcc$/.test(this.text(e)) || this.text(e) === 'cudatoolkit'));
        if (has || this.addedPerBinding.get(native.node.id)?.has('cuda_nvcc')) continue;
        const same = parts.find((part) => part.conditions.join('&&') === p.conditions.join('&&'));
        if (same) {
          this.api.edit.addListElements(same.list, [nvcc(same.list)]);
        } else {
          const cond = this.optionalsPrefix(p.conditions);
          this.api.edit.insertAt(native.value.endIndex, ` ++ ${cond}[ ${nvcc(native.value)} ]`);
        }
        this.addedPerBinding.set(native.node.id, new Set(['cuda_nvcc']));
      } else {
        const before = bindings.find((b) => b.path.length === 1 && INPUT_LIBS.test(b.path[0] ?? ''));
        if (!before) continue;
        const cond = this.optionalsPrefix(p.conditions);
        const indent = this.lineIndent(before.node.startIndex);
        this.api.edit.insertAt(before.node.startIndex, `nativeBuildInputs = ${this.keepOldList(p.attrset, 'nativeBuildInputs')}${cond}[ ${nvcc(before.node)} ];\n${indent}`);
      }
    }
  }

  /**
   * The toolkit only in nativeBuildInputs still gave the build its headers and libraries
   * (without strictDeps, native inputs reach the compiler too): add them to buildInputs, under the
   * same condition, unless the derivation also had the toolkit as a build input.
   */
  private addLibs(): void {
    const seen = new Set<string>();
    for (const p of this.pendingLibs) {
      if (this.pendingNvcc.some((q) => q.attrset.id === p.attrset.id)) continue;
      const key = `${p.attrset.id}|${p.conditions.join('&&')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const elements = (site: SyntaxNode): string[] => this.inputElements(p.set, 'libs', site, []);
      const cond = this.optionalsPrefix(p.conditions);
      const bindings = this.api.syntax.bindingsOf(this.src, p.attrset);
      const existing = bindings.find((b) => b.path.length === 1 && b.path[0] === 'buildInputs');
      if (existing) {
        // a suppressed buildInputs has the toolkit already: see blockedSibling
        if (this.api.suppressed(existing.node)) continue;
        const parts = this.api.syntax.listParts(this.src, existing.value);
        const same = parts.find((part) => part.conditions.join('&&') === p.conditions.join('&&'));
        if (same) this.api.edit.addListElements(same.list, elements(same.list));
        else this.api.edit.insertAt(existing.value.endIndex, ` ++ ${cond}[ ${elements(existing.value).join(' ')} ]`);
        continue;
      }
      const native = bindings.find((b) => b.path.length === 1 && b.path[0] === 'nativeBuildInputs')!;
      const indent = this.lineIndent(native.node.startIndex);
      const inner = this.api.edit.listText(elements(native.node), indent, indent.length + 'buildInputs = '.length + cond.length);
      this.api.edit.insertAt(this.api.edit.endOfLine(native.node), `\n${indent}buildInputs = ${this.keepOldList(p.attrset, 'buildInputs')}${cond}${inner};`);
    }
  }

  private insideInterpolation(node: SyntaxNode): boolean {
    for (let p = node.parent; p; p = p.parent) if (p.type === 'interpolation') return true;
    return false;
  }

  /** `lib.optionals cond ` for a list under these conditions ('' when unconditional). */
  private optionalsPrefix(conditions: string[]): string {
    if (conditions.length === 0) return '';
    const cond = conditions.length === 1 ? this.maybeParen(conditions[0]!) : `(${conditions.join(' && ')})`;
    return `${this.lib()}.optionals ${cond} `;
  }

  /** The indentation of the line that holds `offset`. */
  private lineIndent(offset: number): string {
    return /^[ \t]*/.exec(this.src.slice(this.src.lastIndexOf('\n', offset) + 1))![0];
  }

  /**
   * In `drv.overrideAttrs (old: { … })` a new binding replaces the old list: keep it,
   * `(old.nativeBuildInputs or [ ]) ++ `. '' elsewhere.
   */
  private keepOldList(attrset: SyntaxNode, attr: string): string {
    const fn = attrset.parent;
    if (fn?.type !== 'function_expression') return '';
    const param = fn.childForFieldName('universal');
    let app = fn.parent;
    while (app?.type === 'parenthesized_expression') app = app.parent;
    const callee = app?.type === 'apply_expression' ? app.childForFieldName('function') : null;
    const d = callee ? this.api.syntax.dottedName(this.src, callee) : undefined;
    if (!param || !d || !/^override(Attrs|PythonAttrs|Derivation)$/.test(d[d.length - 1]!)) return '';
    return `(${this.text(param)}.${attr} or [ ]) ++ `;
  }

  private maybeParen(cond: string): string {
    return /^[A-Za-z_][\w'.-]*$/.test(cond) ? cond : `(${cond})`;
  }

  /** Rename or remove what defined the toolkit, when nothing uses it any more. */
  private fixDefinitions(): void {
    const scopes = this.api.scopes();
    const defs = new Map<number, Definition>();
    const all = [...this.uses, ...this.inheritUses];
    for (const u of all) if (u.def) defs.set(u.def.node.id, u.def);
    for (const def of defs.values()) {
      const refs = scopes.referencesTo(def);
      const stillUsed = refs.some((r) => {
        const u = all.find((x) => x.node.startIndex <= r.node.startIndex && r.node.endIndex <= x.node.endIndex);
        return !u || this.leftUses.has(u.node.startIndex) || (!this.handledUses.has(u.node.startIndex) && !this.isAliasDefinition(u));
      });
      // A suppressed definition stays (its uses were all left as is, see applySuppressions).
      const defSuppressed = this.api.suppressed(def.node);
      const bySuppression = refs.some((r) => {
        const u = all.find((x) => x.node.startIndex <= r.node.startIndex && r.node.endIndex <= x.node.endIndex);
        return u !== undefined && this.suppressedUses.has(u.node.startIndex);
      });
      const leftBy = bySuppression ? 'code left as is (a `# nixshift-ignore` covers a use)' : 'code left as is';
      const set = this.setOfDefinition(def)!;
      if (this.top && def.kind === 'formal' && def.scope.id === this.top.node.id) {
        const formal = this.top.formals.find((f) => f.nameNode.id === def.node.id)!;
        const existing = this.top.formals.some((f) => f.name === set.text);
        if (stillUsed || defSuppressed) {
          if (!hasRedist(set.version)) continue;
          if (!defSuppressed) this.api.report(def.node, { rule: 'formal-kept', message: `\`${def.name}\` is still used by ${leftBy}, so the argument stays`, fix: 'rewrite the remaining uses (see the other findings), then drop the argument' });
          if (!existing && this.usesSet(set)) this.api.edit.addFormal(this.top, set.text, { after: formal });
          continue;
        }
        if (existing) this.api.edit.removeFormal(this.top, formal);
        else this.api.edit.renameFormal(formal, set.text);
        continue;
      }
      if (stillUsed || defSuppressed) {
        if (hasRedist(set.version) && !defSuppressed) this.api.report(def.node, { rule: 'formal-kept', message: `\`${def.name}\` (${def.holder.type === 'binding' ? 'a let binding' : 'inherited'}) is still used by ${leftBy}, so it stays`, fix: 'rewrite the remaining uses (see the other findings), then drop it' });
        continue;
      }
      const letOwner = def.holder.parent?.parent;
      const letBody = letOwner?.type === 'let_expression' ? letOwner.childForFieldName('body') : null;
      const onlyBinding = letBody && def.holder.parent!.namedChildren.length === 1 && (def.holder.type === 'binding' || def.holder.childForFieldName('attrs')!.namedChildren.length === 1);
      if (onlyBinding) {
        // `let cudatoolkit = …; in body` with nothing else: drop the whole `let … in`
        this.api.edit.remove({ startIndex: letOwner!.startIndex, endIndex: letBody!.startIndex });
        continue;
      }
      if (def.holder.type === 'inherit_from') {
        const attrs = def.holder.childForFieldName('attrs')!.namedChildren;
        if (attrs.length === 1) this.api.edit.removeBinding(def.holder);
        else this.api.edit.removeRange(def.node.startIndex, def.node.endIndex);
      } else if (def.holder.type === 'binding') {
        this.api.edit.removeBinding(def.holder);
      }
    }
  }

  private usesSet(set: SetRef): boolean {
    return this.uses.some((u) => u.set.text === set.text && this.handledUses.has(u.node.startIndex));
  }

  private addJoin(): void {
    const set = this.needJoin;
    if (!set || !this.top) {
      if (set) this.api.report(0, { rule: 'build-time-join', message: 'a build-time join is needed but the file has no top function to host it', fix: 'add a symlinkJoin of the needed components by hand' });
      return;
    }
    const parts = this.joinMembers(set, undefined, []);
    const binding = [
      '# Build-time only: one prefix for a build system that cannot use split packages.',
      '# It must not reach a runtime path (RUNPATH, wrappers), or it keeps every part alive.',
      `${this.joinName} = ${this.symlinkJoinName()} {`,
      '  name = "cuda-joined";',
      '  paths = [',
      ...parts.map((p) => `    ${p}`),
      '  ];',
      '};',
    ].join('\n');
    const body = this.top.body!;
    if (body.type === 'let_expression') {
      this.api.edit.addBinding(body, binding, { after: undefined });
    } else {
      const indent = this.api.style.indent;
      this.api.edit.insertBefore(body, `let\n${this.api.edit.reindent(binding, indent)}\nin\n`);
    }
    this.api.report(body, {
      rule: 'build-time-join',
      message: `added \`${this.joinName}\`, a build-time-only symlinkJoin of ${[...this.tools, ...this.compileLibs].join(', ')}, for the build-root variable(s) that need one CUDA prefix`,
      fix: 'keep it out of runtime paths; prefer the split packages if the build system can use them',
    });
  }

  private needSymlinkJoin = false;

  private symlinkJoinName(): string {
    const names = new Set(this.top?.formals.map((f) => f.name));
    if (!names.has('symlinkJoin') && names.has('pkgs')) return 'pkgs.symlinkJoin';
    this.needSymlinkJoin = true;
    return 'symlinkJoin';
  }

  private addFormals(): void {
    if (!this.top) return;
    const names = new Set(this.top.formals.map((f) => f.name));
    if (this.needLib) this.api.edit.addFormal(this.top, 'lib', { atStart: true });
    if (this.needSymlinkJoin && !names.has('symlinkJoin')) this.api.edit.addFormal(this.top, 'symlinkJoin');
  }

  private reportLibraries(): void {
    const handled = this.uses.filter((u) => this.handledUses.has(u.node.startIndex));
    const libsEmitted = [...this.emitted].some((n) => LIBRARIES.some((c) => c.name === n));
    if (handled.length === 0 || !libsEmitted || !this.libSite) {
      if (handled.length > 0 && this.emitted.has('cuda_nvcc')) this.api.report(handled[0]!.node, { rule: 'libraries-from-evidence', message: `cudatoolkit → cuda_nvcc (${this.evidence.get('cuda_nvcc') ?? 'the toolkit was a build tool: the compiler'})` });
      return;
    }
    const at = this.libSite;
    const gated = this.versionGated.size > 0 ? `; left out for the CUDA version of the set: ${[...this.versionGated].join(', ')}` : '';
    const described = [...this.compileLibs, ...this.tools]
      .filter((n, i, all) => all.indexOf(n) === i && this.emitted.has(n))
      .map((n) => `${n} (${this.evidence.get(n) ?? (n === 'cuda_cudart' ? 'the CUDA runtime, always' : n === 'cuda_cccl' ? 'CUDA headers for compiled code' : n === 'cuda_nvcc' ? 'the toolkit was a build input: the compiler' : this.fromFallback ? 'legacy toolkit contents' : 'option cuda-libs')})`);
    if (this.fromFallback) {
      this.api.report(at, {
        rule: 'review-library-set',
        message: `no evidence of which CUDA libraries this package uses; kept every library of the legacy toolkit: ${this.compileLibs.filter((n) => this.emitted.has(n)).join(', ')}${gated}`,
        fix: 'remove the ones the package does not use (or rerun with -o cuda-libs=libcublas,libcufft,…)',
      });
    } else {
      const forced = asList(this.options['cuda-libs']) !== undefined;
      const without = TOOLKIT_LIBRARIES.filter((n) => !this.compileLibs.includes(n));
      const rest = !forced && without.length > 0 ? `. Not kept, for lack of evidence: ${without.join(', ')}; add any the package needs (the legacy toolkit provided them)` : '';
      this.api.report(at, { rule: 'libraries-from-evidence', message: `cudatoolkit → ${described.join('; ')}${gated}${rest}` });
    }
  }
}

const transform: Transform = {
  name: 'cudatoolkit-to-redist',
  description: 'legacy cudatoolkit → split cudaPackages.* redist packages, from evidence in the file (scope-aware)',
  changeSummary: 'migrate from cudatoolkit to cudaPackages',
  needles: ['cudatoolkit'],
  // Every use it rewrites names the toolkit or an alias of it.
  scopeFocus: ['cudatoolkit'],
  rules,
  options: {
    style: '`bare` (default: `cudaPackages.libcublas`) or `explicit` (`libcublas.dev libcublas.lib`, the 2023–2024 style)',
    'cuda-libs': 'comma-separated library packages to use instead of the ones inferred from evidence (e.g. `libcublas,libcufft`)',
    'version-attr': 'attribute of cudaPackages for `cudatoolkit.version` (default `cudaMajorMinorVersion`; `cudaVersion` for older nixpkgs)',
  },
  transform(_file, api, options) {
    const m = new Migration(api, options);
    m.checkOptions();
    m.collectUses();
    m.applySuppressions();
    m.rewriteInheritedAttributes();
    if (!m.hasUses) return;
    m.rewriteCallSites();
    m.rewriteAll();
    m.finish();
  },
};

export default transform;
