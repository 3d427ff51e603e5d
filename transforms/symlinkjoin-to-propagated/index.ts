/**
 * symlinkjoin-to-propagated: take CUDA `symlinkJoin`s out of closures (docs/cuda.md#joins).
 *
 * A join of CUDA parts is a build-time compromise for build systems that want one prefix. Used
 * anywhere that survives into the output it keeps every member alive. Per use of a join:
 *  - runtime reference (makeLibraryPath, rpath/LD_LIBRARY_PATH strings, wrappers,
 *    runtimeDependencies, `${join}/lib` in install/fixup phases) → `lib.getLib` of each member
 *    with libraries (headers-only, static-only and tool members drop out; nested joins flattened);
 *  - dependency bundle (in buildInputs & co.) → the members themselves, tools to nativeBuildInputs;
 *  - build-time root (CUDA_TOOLKIT_PATH, TF_CUDA_PATHS, CUDA_HOME, -DCUDA_TOOLKIT_ROOT_DIR=, …) →
 *    left, with an `info` finding;
 *  - exported (a passthru attribute, an overlay attribute) → a derivation that propagates the
 *    members.
 * A join with no use left is removed (and `symlinkJoin` from the formals when unused).
 *
 * `# nixshift-ignore` (see src/nix/suppressions.ts): a join whose definition, one of whose
 * members, or one of whose uses is suppressed is not converted at all — neither its definition
 * nor any of its uses — so what is left is the file as it was for that join. A dependency use
 * whose members would have to go to a suppressed sibling input list is left as is too.
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import { indentOfLine } from '../../src/nix/position.js';
import { ALL_COMPONENTS } from '../../src/cuda/facts.js';
import { closureReport } from '../../src/cuda/closure-report.js';
import { enclosingBinding, insideInterpolation, libReference, optionalsPrefix } from '../../src/nixpkgs/index.js';
import { addToListOfCondition, appendInputOperands, attrBinding, type InputPart, inputOperand, newInputBinding, orderedParts, siblingBinding } from '../../src/nixpkgs/inputs.js';
import type { Definition } from '../../src/nix/scope.js';
import type { FunctionInfo } from '../../src/nix/syntax.js';
import { type Member, MemberResolver } from './members.js';
import type { Transform, TransformApi, TransformOptions } from '../../src/transform.js';
import { withoutComments } from '../../src/nix/comments.js';

export const rules = {
  summary: { severity: 'info', summary: 'What happened to each CUDA join of the file, and why.' },
  'build-time-root': { severity: 'info', summary: 'A join used as a build-time prefix (read only during the build) is left as it is.' },
  'runtime-prefix': {
    severity: 'warning',
    summary: 'A join is used as a whole prefix in something that ends up in the output; it cannot be split safely.',
  },
  'unknown-use': { severity: 'warning', summary: 'A use of a CUDA join this transform cannot classify; left as is.' },
  'baked-build-root': {
    severity: 'warning',
    summary: 'A join given to a build-time variable that the build system bakes into its outputs: it is referenced at run time after all.',
  },
  'join-kept': {
    severity: 'info',
    summary: 'A CUDA join that stays after the run, at the join: where it is used and why it stays.',
  },
  'not-a-symlinkjoin': {
    severity: 'warning',
    summary: 'A buildEnv or runCommand symlink farm of CUDA parts; not rewritten (only symlinkJoin is).',
  },
  'exported-join': {
    severity: 'info',
    summary: 'An exported join became a derivation that propagates its members.',
  },
  'legacy-member': {
    severity: 'warning',
    summary: 'A member is the legacy cudatoolkit; run cudatoolkit-to-redist first.',
  },
} as const;

/** Any CUDA name: a file without one has no CUDA join (see `prefilter`). */
const CUDA_TEXT = /cuda|cudnn|nccl|cutensor|cusparse|cufile|libcu|libnv|libnpp/i;

const INPUT_LISTS = /^(buildInputs|propagatedBuildInputs|nativeBuildInputs|propagatedNativeBuildInputs|checkInputs|nativeCheckInputs|dependencies)$/;
const BUILD_ROOTS = /^(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_PATH|CUDA_TOOLKIT_ROOT_DIR|CUDAToolkit_ROOT|TF_CUDA_PATHS|CUDNN_INSTALL_PATH|CUDA_BIN_PATH|NCCL_INSTALL_PATH|GCC_HOST_COMPILER_PREFIX|GCC_HOST_COMPILER_PATH|TF_CUDA_COMPUTE_CAPABILITIES)$/;
const BUILD_PHASES = /^(preConfigure|configurePhase|postConfigure|preBuild|buildPhase|postBuild|configureFlags|cmakeFlags|mesonFlags|bazelFlags|bazelBuildFlags|bazelTargets|makeFlags|preCheck|checkPhase|postPatch|prePatch|env|NIX_CFLAGS_COMPILE|NIX_LDFLAGS)$/;
const RUNTIME_PHASES = /^(installPhase|preInstall|postInstall|fixupPhase|preFixup|postFixup|makeWrapperArgs|qtWrapperArgs|gappsWrapperArgs|runtimeDependencies|LD_LIBRARY_PATH|shellHook)$/;
const RUNTIME_TEXT = /patchelf|rpath|RUNPATH|LD_LIBRARY_PATH|wrapProgram|makeWrapper|makeBinaryWrapper|--prefix|--suffix|--set(-default)?\b|substituteInPlace|substitute\s|--replace(-fail|-warn|-quiet)?\b/;
/**
 * Attribute sets whose values are the environment of something that runs (NixOS and
 * home-manager modules, systemd units): `environment.variables`, `environment.sessionVariables`,
 * `home.sessionVariables`, `systemd.services.<name>.environment`.
 */
const RUNTIME_CONTAINERS = /^(environment|sessionVariables|variables|Environment)$/;
/** Variables that point a JIT compiler at a whole toolkit at run time (vLLM, cupy, numba). */
const JIT_ROOTS = /^(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_ROOT_DIR|CUDA_TOOLKIT_PATH)$/;
/**
 * Build-time variables that a build system is known to bake into its outputs: the join they
 * name ends up referenced at run time (cupy records `CUDA_PATH` in its installed module).
 */
const BAKED_ROOTS: readonly { pname: RegExp; variable: RegExp; why: string }[] = [{ pname: /^cupy/, variable: /^CUDA_PATH$/, why: 'cupy records CUDA_PATH at build time and reads it at run time (cupy/_environment.py)' }];
const ROOT_TEXT = /(CUDA_TOOLKIT_PATH|TF_CUDA_PATHS|CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDNN_INSTALL_PATH|CUDA_TOOLKIT_ROOT_DIR|CUDAToolkit_ROOT|--with-cuda(-dir)?)[=:]?["']?$/;

interface Join {
  name: string;
  /** The `symlinkJoin { … }` application. */
  call: SyntaxNode;
  /** The binding whose value is the join. */
  binding: SyntaxNode;
  def?: Definition;
  members: Member[];
  /** Prefix of the symlinkJoin callee (`pkgs.`, `final.`, ``). */
  calleePrefix: string;
  /** `paths` holds an expression the resolver does not follow (members.ts): members cannot be listed. */
  opaque: boolean;
  opaqueWhy?: string;
  /** The elements of the `paths` list literals. */
  elements: SyntaxNode[];
  /** Joins defined inside its arguments (they go with it). */
  inner?: string[];
  /** It has a `postBuild`: the prefix holds more than its members. */
  postBuild: boolean;
}

type Verdict = 'runtime' | 'bundle' | 'root' | 'exported' | 'left' | 'nested';

class JoinRewriter {
  private readonly src: string;
  private readonly top: FunctionInfo | undefined;
  private readonly joins = new Map<number, Join>(); // binding id → join
  private readonly summaries: string[] = [];
  private needLib = false;
  private libRef: { name: string; addFormal: boolean } | undefined;
  private usesStdenvNoCC = false;

  constructor(
    private readonly api: TransformApi,
    private readonly options: TransformOptions,
  ) {
    this.src = api.source;
    this.top = api.syntax.topFunction(api.source, api.root);
    this.resolver = new MemberResolver(api);
  }

  private readonly resolver: MemberResolver;

  private text(n: { startIndex: number; endIndex: number }): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  /** How to name nixpkgs' `lib` here (see libReference); remembers to add the formal when needed. */
  private lib(): string {
    this.libRef ??= libReference(this.top, this.api.scopes(), this.api.syntax.nodesOfTypeContaining(this.api.source, this.api.root, 'apply_expression', 'symlinkJoin')[0]);
    if (this.libRef.addFormal) this.needLib = true;
    return this.libRef.name;
  }

  // ------------------------------------------------------------------------------------------
  // Find joins and their members

  collect(): void {
    const syntax = this.api.syntax;
    // Only calls that name one of the functions below (found from their names' occurrences).
    const byId = new Map<number, SyntaxNode>();
    for (const name of ['symlinkJoin', 'buildEnv', 'runCommand']) for (const a of syntax.nodesOfTypeContaining(this.src, this.api.root, 'apply_expression', name)) byId.set(a.id, a);
    const apps = [...byId.values()].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
    for (const app of apps) {
      const fn = app.childForFieldName('function');
      const arg = app.childForFieldName('argument');
      const d = fn ? syntax.dottedName(this.src, fn) : undefined;
      const last = d?.[d.length - 1];
      if (!arg || !last || syntax.unparen(arg).type !== 'attrset_expression') continue;
      const attrset = syntax.unparen(arg);
      const paths = attrBinding(this.src, attrset, 'paths');
      if (!paths) continue;
      const resolved = this.resolver.resolve(paths.value);
      const elements = resolved.lists.flatMap((l) => syntax.listElements(l));
      const members = resolved.members;
      if (last === 'buildEnv') {
        const parts = [...new Set(members.filter((m) => m.cuda).map((m) => m.name))];
        if (parts.length === 0 && resolved.opaque !== undefined && /cuda|cudnn|nccl/i.test(resolved.opaque)) parts.push(resolved.opaque.slice(0, 40));
        if (parts.length > 0) this.reportOtherJoin(app, 'buildEnv', parts);
        continue;
      }
      if (last !== 'symlinkJoin') continue;
      const binding = app.parent;
      if (binding?.type !== 'binding' || binding.childForFieldName('expression')?.id !== app.id) continue;
      const path = binding.childForFieldName('attrpath')!;
      // (`passthru.runtime = symlinkJoin { … }`, `env.CUDA_HOME = …`: a join named by its path)
      const names = path.namedChildren.map((a) => syntax.attrName(this.src, a));
      if (names.some((n) => n === undefined)) continue;
      const name = names.join('.');
      // `pkgs.symlinkJoin`, `(final.symlinkJoin)`: the set it comes from (`pkgs.`, `final.`)
      const prefix = d!.slice(0, -1).map((x) => `${x}.`).join('');
      // members that cannot all be listed (an expression the resolver does not follow)
      const opaque = resolved.opaque !== undefined && (/cuda|cudnn|nccl/i.test(this.text(paths.value)) || members.some((m) => m.cuda));
      // a `postBuild` adds to the prefix what its members do not have: not a plain join
      const postBuild = syntax.bindingsOf(this.src, attrset).some((b) => b.path[0] === 'postBuild');
      this.joins.set(binding.id, { name, call: app, binding, members, calleePrefix: prefix, opaque, opaqueWhy: resolved.opaque, elements, postBuild });
    }
    // `runCommand "x" { } ''… ln -s ${cudaPackages.libcublas}/lib/* $out/lib …''`: a join in all but name
    for (const name of ['runCommand', 'runCommandLocal', 'runCommandNoCC', 'runCommandCC']) {
      for (const app of syntax.nodesOfTypeContaining(this.src, this.api.root, 'apply_expression', name)) {
        if (app.parent?.type === 'apply_expression' && app.parent.childForFieldName('function')?.id === app.id) continue; // not the whole call
        const script = app.childForFieldName('argument');
        let fn = app.childForFieldName('function');
        while (fn?.type === 'apply_expression') fn = fn.childForFieldName('function');
        if (!script || !fn || syntax.dottedName(this.src, syntax.unparen(fn))?.at(-1) !== name) continue;
        if (!/\bln\s+-[a-zA-Z]*s/.test(this.text(script))) continue;
        const parts = new Set<string>();
        for (const i of script.descendantsOfType('interpolation')) {
          const t = this.text(i);
          const pkg = /(?:cudaPackages(?:_\d+)*\.|\b)(cuda_\w+|libcu\w+|libnpp\w*|libnv\w+|cudnn|nccl|cudatoolkit\w*)\b/.exec(t)?.[1] ?? /\b(cudaPackages(?:_\d+)*)\b/.exec(t)?.[1];
          if (pkg) parts.add(pkg);
        }
        if (parts.size > 0) this.reportOtherJoin(app, name, [...parts]);
      }
    }
    // a join defined inside the arguments of another (`a = symlinkJoin { … b = symlinkJoin …; }`)
    // is part of it: whatever happens to the outer join happens to it
    for (const [id, j] of this.joins) {
      // (only into a join this transform handles: a CUDA one)
      const outer = [...this.joins.values()].find((o) => o !== j && o.call.startIndex <= j.binding.startIndex && j.binding.endIndex <= o.call.endIndex && this.isCudaJoin(o));
      if (outer) {
        this.joins.delete(id);
        (outer.inner ??= []).push(j.name);
      }
    }
    // definitions (let / rec) of the joins
    for (const def of this.api.scopes().definitions()) {
      if (def.holder.type !== 'binding') continue;
      const j = this.joins.get(def.holder.id);
      if (j) j.def = def;
    }
    // nested joins: a member that is another join is replaced by its members
    for (const j of this.joins.values()) j.members = this.flatten(j, new Set());
  }

  private joinOfName(name: string, site: SyntaxNode): Join | undefined {
    const r = this.api.scopes().resolveNameAt(site, name);
    if (r.kind !== 'bound' || r.definition.holder.type !== 'binding') return undefined;
    return this.joins.get(r.definition.holder.id);
  }

  /** The members with nested joins replaced by theirs (`seen`: the joins on the way, for cycles). */
  private flatten(j: Join, seen: Set<number>): Member[] {
    seen.add(j.binding.id);
    const out: Member[] = [];
    for (const m of j.members) {
      const inner = /^[A-Za-z_][\w'-]*$/.test(m.pkg) ? this.joinOfName(m.pkg, j.call) : undefined;
      if (inner && !seen.has(inner.binding.id)) out.push(...this.flatten(inner, seen));
      else out.push(m);
    }
    seen.delete(j.binding.id);
    return out;
  }

  private isCudaJoin(j: Join): boolean {
    return this.options['all-joins'] === true || j.opaque || j.members.some((m) => m.cuda);
  }

  // ------------------------------------------------------------------------------------------
  // Member sets

  /** `lib.getLib` of each member with libraries, in order, without duplicates. */
  private runtimeMembers(j: Join, site: SyntaxNode): string[] {
    const out: string[] = [];
    for (const m of j.members) {
      if (m.output === 'dev' || m.output === 'bin' || m.output === 'static' || m.output === 'stubs') continue;
      const c = ALL_COMPONENTS.get(m.name);
      if (c && (!c.runtime || c.tool)) continue;
      if (m.name === 'cudatoolkit' || /^cudatoolkit_/.test(m.name)) continue; // reported separately
      const t = `(${this.lib()}.getLib ${this.resolver.pkgAt(m, site)})`;
      if (!out.some((o) => packageKey(o) === packageKey(t))) out.push(t);
    }
    return out;
  }

  /** The members as dependencies: tools and the rest, packages without output selectors. */
  private bundleMembers(j: Join, site: SyntaxNode, conditional = false): { tools: string[]; libs: string[] } {
    const tools: string[] = [];
    const libs: string[] = [];
    // static archives and stub drivers only where the file shows they are linked
    // (`-lcudart_static`, `lib/stubs`): a build input gets a package's default outputs
    const linked = /_static\b|\/stubs\b|\.a["'\s]/.test(this.src.slice(0, j.call.startIndex) + this.src.slice(j.call.endIndex));
    for (const m of j.members) {
      if ((m.output === 'static' || m.output === 'stubs') && !linked) continue;
      // (the members under a condition of their own apart: `conditional`)
      if ((m.conditions.length > 0) !== conditional) continue;
      const c = ALL_COMPONENTS.get(m.name);
      const text = m.cuda ? this.resolver.pkgAt(m, site) : this.resolver.textAt(m, site);
      const target = c?.tool || (m.output === 'bin' && m.cuda && !c) ? tools : libs;
      // one package however it is named (`cudaPackages.libcublas`, `libcublas`)
      if (![...tools, ...libs].some((t) => packageKey(t) === packageKey(text))) target.push(text);
    }
    return { tools, libs };
  }

  // ------------------------------------------------------------------------------------------
  // Uses

  /** Outer joins first, so an inner join knows whether the join that contains it is gone. */
  private ordered(): Join[] {
    const all = [...this.joins.values()];
    const depth = (j: Join): number => all.filter((o) => o !== j && this.contains(o, j)).length;
    return all.sort((a, b) => depth(a) - depth(b));
  }

  private contains(outer: Join, inner: Join): boolean {
    if (!inner.def) return false;
    return this.api.scopes().referencesTo(inner.def).some((r) => outer.call.startIndex <= r.node.startIndex && r.node.endIndex <= outer.call.endIndex);
  }

  run(): void {
    for (const j of this.ordered()) {
      if (!this.isCudaJoin(j)) continue;
      for (const m of j.members.filter((x) => x.name === 'cudatoolkit' || /^cudatoolkit_/.test(x.name))) {
        this.api.report(j.call, { rule: 'legacy-member', message: `\`${j.name}\` joins the legacy \`${m.text}\``, fix: 'run cudatoolkit-to-redist first (both transforms can run in one pass, in that order)' });
      }
      if (j.members.some((x) => x.name === 'cudatoolkit' || /^cudatoolkit_/.test(x.name))) continue;
      const suppressed = this.suppressedParts(j);
      if (suppressed.length > 0) {
        this.summaries.push(`\`${j.name}\`: left as is, because \`# nixshift-ignore\` covers ${suppressed.join(' and ')}`);
        continue;
      }
      this.rewriteJoin(j);
    }
  }

  /**
   * What of a join a `# nixshift-ignore` covers (its definition, members, uses); empty when
   * nothing. Every part is asked, so that each suppression involved counts as used.
   */
  private suppressedParts(j: Join): string[] {
    const out: string[] = [];
    if (this.api.suppressed(j.binding)) out.push('its definition');
    else if (j.elements.filter((e) => this.api.suppressed(e)).length > 0) out.push('a member');
    else if (this.api.suppressedWithin(j.binding)) out.push('part of its definition');
    const refs = j.def ? this.api.scopes().referencesTo(j.def) : [];
    if (refs.filter((r) => this.api.suppressed(r.node)).length > 0) out.push('a use');
    return out;
  }

  /** The sibling input list a dependency use would move some members to, when it is suppressed. */
  private suppressedSibling(j: Join, id: SyntaxNode): string | undefined {
    const list = this.exprOf(id).parent!;
    const ctx = this.api.syntax.listContext(this.src, list);
    if (!ctx.binding) return undefined;
    const { tools, libs } = this.bundleMembers(j, id);
    const native = /^native|^propagatedNative/.test(ctx.name ?? '');
    if ((native ? libs : tools).length === 0) return undefined;
    const attr = native ? 'buildInputs' : 'nativeBuildInputs';
    const sibling = siblingBinding(this.src, ctx.binding, attr);
    return sibling && this.api.suppressed(sibling.node) ? attr : undefined;
  }

  private rewriteJoin(j: Join): void {
    // a use inside a join removed or converted before (outer joins come first) is gone with it
    const gone = (n: SyntaxNode): boolean => [...this.joins.values()].some((o) => (this.removed.has(o.binding.id) || this.converted(o)) && o.binding.startIndex <= n.startIndex && n.endIndex <= o.binding.endIndex);
    const all: { node: SyntaxNode; site: 'variable' | 'inherit' }[] = j.def ? [...this.api.scopes().referencesTo(j.def)] : [];
    // an exported join is also used through the set it is exported to (`final.cuda-prefix`)
    if (!j.def || j.def.kind === 'rec') all.push(...this.exportedUses(j).map((node) => ({ node, site: 'variable' as const })));
    const refs = all.filter((r) => !gone(r.node));
    const verdicts: { node: SyntaxNode; verdict: Verdict; why: string }[] = [];
    for (const ref of refs) {
      const v = this.classify(ref.node, ref.site);
      // a member of an outer join: gone with it when it was removed or converted, else it stays
      if (v.verdict === 'nested') {
        const outer = [...this.joins.values()].find((o) => o.name === v.why);
        if (outer && (this.removed.has(outer.binding.id) || this.converted(outer))) continue;
        verdicts.push({ node: ref.node, verdict: 'root', why: `member of \`${v.why}\`, which stays` });
        continue;
      }
      // computed members cannot be listed: only build roots are fine
      if (j.opaque && (v.verdict === 'runtime' || v.verdict === 'bundle' || v.verdict === 'exported')) {
        verdicts.push({ node: ref.node, verdict: 'left', why: `its members cannot all be listed (\`${(j.opaqueWhy ?? '').slice(0, 60)}\` is not followed), so they cannot be spliced in here (${v.why})` });
        continue;
      }
      if (j.members.some((m) => m.conditions.length > 0) && (v.verdict === 'runtime' || v.verdict === 'exported')) {
        verdicts.push({ node: ref.node, verdict: 'left', why: `some members are under conditions of their own, which cannot be written here (${v.why})` });
        continue;
      }
      if (j.postBuild && (v.verdict === 'runtime' || v.verdict === 'bundle' || v.verdict === 'exported')) {
        verdicts.push({ node: ref.node, verdict: 'left', why: `its \`postBuild\` adds to the prefix what its members do not have, so they cannot stand for it here (${v.why})` });
        continue;
      }
      const sibling = v.verdict === 'bundle' ? this.suppressedSibling(j, ref.node) : undefined;
      if (sibling) {
        verdicts.push({ node: ref.node, verdict: 'left', why: `some members belong in \`${sibling}\`, which \`# nixshift-ignore\` covers (${v.why})` });
        continue;
      }
      verdicts.push({ node: ref.node, ...v });
    }
    // an attribute of a non-let attrset (an overlay, passthru) is exported as it is
    // the join is itself the value of a build root or of a run-time variable
    // (`env.CUDA_HOME = symlinkJoin { … }`): that is its use
    if (!j.def) {
      const self = this.classifyValue(j.call);
      if (self) verdicts.push({ node: j.call, ...self });
    }
    const exportedItself = (!j.def || j.def.kind === 'rec') && !verdicts.some((v) => v.node === j.call) ? this.exportedBinding(j.binding) : undefined;
    const roots = verdicts.filter((v) => v.verdict === 'root');
    const left = verdicts.filter((v) => v.verdict === 'left');
    const exported = verdicts.filter((v) => v.verdict === 'exported');
    for (const v of verdicts) {
      if (v.verdict === 'runtime') this.rewriteRuntime(j, v.node);
      else if (v.verdict === 'bundle') this.rewriteBundle(j, v.node);
      else if (v.verdict === 'root') this.reportRoot(j, v.node, v.why);
      else if (v.verdict === 'left') this.reportLeft(j, v.node, v.why);
    }
    const parts: string[] = [];
    const count = (k: Verdict): number => verdicts.filter((v) => v.verdict === k).length;
    if (count('runtime')) parts.push(`${count('runtime')} runtime use(s) → lib outputs of its members`);
    if (count('bundle')) parts.push(`${count('bundle')} dependency use(s) → its members`);
    if (exported.length > 0 || exportedItself) {
      if (roots.length === 0 && left.length === 0) {
        this.toPropagating(j);
        parts.push(`exported (${exportedItself ?? 'passthru'}) → a derivation that propagates its members`);
      } else {
        parts.push('exported, but also used as a prefix: kept as a join');
      }
    } else if (roots.length === 0 && left.length === 0 && j.def && all.length === 0) {
      // unused before this run: dead code, but not this transform's to delete (an unused `let`
      // binding enters no closure), and its members may be what another rule reads
      parts.push('not used in this file: left as is (remove it if nothing needs it)');
    } else if (roots.length === 0 && left.length === 0 && j.def) {
      this.removeDefinition(j);
      parts.push('removed (no use left)');
    }
    if (roots.length) parts.push(`kept as build-time root: ${[...new Set(roots.map((r) => r.why))].join('; ')}`);
    if (j.inner) parts.push(`${j.inner.map((n) => `\`${n}\``).join(', ')}, defined inside it, with it`);
    if (left.length) parts.push(`kept: ${left.length} use(s) left as is (see the other findings)`);
    this.summaries.push(`\`${j.name}\`: ${parts.join('; ') || 'no use in this file'}`);
    // never silent: a join that stays says so where it is defined, with each use that keeps it
    if (!this.removed.has(j.binding.id) && !this.converted(j)) {
      const line = (n: SyntaxNode): number => n.startPosition.row + 1;
      const why = [...roots.map((v) => `a build-time root at line ${line(v.node)} (${v.why})`), ...left.map((v) => `left at line ${line(v.node)} (${v.why.replace(/^jit /, 'the run-time ')})`)];
      const exportedWhy = exported.length > 0 || exportedItself ? [`exported (${exportedItself ?? 'passthru'})`] : [];
      const reasons = [...why, ...exportedWhy];
      this.api.report(j.call, {
        rule: 'join-kept',
        message: `\`${j.name}\` stays: ${reasons.length > 0 ? reasons.join('; ') : 'nothing in this file uses it'}`,
        fix: reasons.length > 0 ? 'see the finding at each use' : 'remove it if nothing outside this file needs it',
      });
    }
  }

  /** A `buildEnv` or a `runCommand` symlink farm of CUDA parts: reported with where it is used and what to do. */
  private reportOtherJoin(app: SyntaxNode, kind: string, parts: string[]): void {
    const binding = app.parent?.type === 'binding' ? app.parent : undefined;
    const name = binding ? this.text(binding.childForFieldName('attrpath')!) : undefined;
    const def = binding ? this.api.scopes().definitions().find((d) => d.holder.id === binding.id) : undefined;
    const uses = def ? this.api.scopes().referencesTo(def).map((r) => `line ${r.node.startPosition.row + 1} (${this.enclosingBinding(r.node)?.path ?? 'an expression'})`) : [];
    this.api.report(app, {
      rule: 'not-a-symlinkjoin',
      message: `${name ? `\`${name}\` is ` : ''}a \`${kind}\` that joins CUDA parts (${parts.join(', ')}) into one prefix${uses.length > 0 ? `, used at ${uses.join(', ')}` : ''}; not rewritten (only symlinkJoin is)`,
      fix: 'keep it to build time; where it reaches a runtime path (RUNPATH, wrappers, LD_LIBRARY_PATH), use `lib.makeLibraryPath` of the lib outputs of its parts instead, and the parts themselves as build inputs',
    });
  }

  /** What a join keeps alive where it is referenced at run time (from the outputs its members name). */
  private drags(j: Join): string {
    const of = (o: string): string[] => [...new Set(j.members.filter((m) => m.output === o).map((m) => m.name))];
    const named = (what: string, names: string[]): string => (names.length === 0 ? '' : names.length <= 3 ? `${what} (${names.join(', ')})` : `${what} (of ${names.length} packages)`);
    const parts = [named('static archives', of('static')), named('stub drivers', of('stubs')), named('headers', of('dev'))].filter(Boolean);
    return parts.length > 0 ? `every member alive, ${parts.join(', ')} included` : `every member alive (${[...new Set(j.members.map((m) => m.name))].join(', ') || 'its paths'})`;
  }

  private reportRoot(j: Join, node: SyntaxNode, why: string): void {
    const pname = /\bpname\s*=\s*"([^"$]+)"/.exec(this.src)?.[1] ?? '';
    const baked = BAKED_ROOTS.find((b) => b.pname.test(pname) && b.variable.test(why));
    if (baked) {
      this.api.report(node, {
        rule: 'baked-build-root',
        message: `\`${j.name}\` is \`${why}\` at build time, but ${baked.why}: the join is referenced at run time and keeps ${this.drags(j)}`,
        fix: `give \`${why}\` a join of only what the build and the run need (no static archives, no stubs), or patch the recorded path after the build`,
      });
      return;
    }
    this.api.report(node, { rule: 'build-time-root', message: `\`${j.name}\` is a build-time root here (${why}); left as is`, fix: 'nothing to do while it stays out of runtime paths' });
  }

  private reportLeft(j: Join, node: SyntaxNode, why: string): void {
    const jit = /^jit (\w+)$/.exec(why)?.[1];
    if (jit) {
      this.api.report(node, {
        rule: 'runtime-prefix',
        message: `\`${j.name}\` is the run-time \`${jit}\`: a JIT compiler (vLLM, cupy, numba, bitsandbytes) reads headers and runs nvcc from it, a deliberate choice this transform cannot make smaller; it keeps ${this.drags(j)}`,
        fix: 'if the JIT needs only some parts, give it a join of those (cuda_nvcc, the dev outputs of cuda_cudart and cuda_cccl) without static archives and stubs; if nothing compiles at run time, drop the variable',
      });
      return;
    }
    const prefix = why.startsWith('prefix');
    this.api.report(node, {
      rule: prefix ? 'runtime-prefix' : 'unknown-use',
      message: `\`${j.name}\`: ${why}; left as is${prefix ? `; it keeps ${this.drags(j)}` : ''}`,
      fix: prefix ? 'point it at the one member it needs (`lib.getLib …`), or at `${lib.makeLibraryPath [ … ]}` for a library path' : 'replace it by the members it needs',
    });
  }

  /** The name under which a join that is an attribute (not a let binding) is exported. */
  private exportedBinding(binding: SyntaxNode): string | undefined {
    const owner = binding.parent?.parent;
    if (!owner || owner.type === 'let_expression') return undefined;
    return `attribute \`${this.text(binding.childForFieldName('attrpath')!)}\``;
  }

  private enclosingBinding(node: SyntaxNode): { binding: SyntaxNode; name: string; path: string } | undefined {
    return enclosingBinding(this.src, node);
  }

  /** The names of every binding around a node, outermost first (`systemd.services.x.environment.LD_LIBRARY_PATH`). */
  private bindingChain(node: SyntaxNode): string[] {
    const out: string[] = [];
    for (let p = node.parent; p; p = p.parent) {
      if (p.type !== 'binding') continue;
      const path = p.childForFieldName('attrpath')!;
      out.unshift(...path.namedChildren.map((a) => this.api.syntax.attrName(this.src, a) ?? '?'));
    }
    return out;
  }

  /** In the environment of something that runs (a module's `environment`, a unit's). */
  private inRuntimeContainer(node: SyntaxNode): boolean {
    return this.bindingChain(node).slice(0, -1).some((n) => RUNTIME_CONTAINERS.test(n));
  }

  private inPassthru(node: SyntaxNode): boolean {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'binding' && this.text(p.childForFieldName('attrpath')!).split('.')[0] === 'passthru') return true;
    }
    return false;
  }

  /** A join that is the value of a build root or a run-time variable itself; undefined otherwise. */
  private classifyValue(value: SyntaxNode): { verdict: Verdict; why: string } | undefined {
    const b = this.enclosingBinding(value);
    if (!b) return undefined;
    if (this.inRuntimeContainer(value)) return { verdict: 'left', why: JIT_ROOTS.test(b.name) ? `jit ${b.name}` : `prefix used in something that ends up in the output (\`${b.path}\`)` };
    if (BUILD_ROOTS.test(b.name)) return { verdict: 'root', why: b.name };
    return undefined;
  }

  /** `final.<join>`, `self.<join>`, … in the file: uses of a join exported to that set. */
  private exportedUses(j: Join): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const sel of this.api.syntax.nodesOfTypeContaining(this.src, this.api.root, 'select_expression', j.name)) {
      const parts = this.api.syntax.selectParts(this.src, sel);
      if (!parts || parts.path.length !== 1 || parts.path[0] !== j.name || parts.fallback) continue;
      // (the overlay's result, `final` / `self`, bound as a parameter: `prev.x` is the layer below)
      const base = parts.base;
      if (base.type !== 'variable_expression' || !/^(final|self)$/.test(this.text(base)) || this.api.scopes().resolveNameAt(base, this.text(base)).kind !== 'bound') continue;
      if (!(j.call.startIndex <= sel.startIndex && sel.endIndex <= j.call.endIndex)) out.push(sel);
    }
    return out;
  }

  /** The expression a use is: the variable of an identifier, or a selection (`final.x`). */
  private exprOf(node: SyntaxNode): SyntaxNode {
    return node.type === 'select_expression' ? node : node.parent!;
  }

  private classify(id: SyntaxNode, site: 'variable' | 'inherit'): { verdict: Verdict; why: string } {
    if (site === 'inherit') return this.inPassthru(id) ? { verdict: 'exported', why: 'passthru' } : { verdict: 'left', why: 'inherited into an attribute set' };
    const expr = this.exprOf(id); // variable_expression, or `final.x`
    const parent = expr.parent;
    if (!parent) return { verdict: 'left', why: 'unexpected position' };
    if (parent.type === 'list_expression') {
      const ctx = this.api.syntax.listContext(this.src, parent);
      if (ctx.call && /^(makeLibraryPath|makeSearchPath\w*)$/.test(ctx.call)) return { verdict: 'runtime', why: ctx.call };
      if (ctx.name === 'runtimeDependencies') return { verdict: 'runtime', why: 'runtimeDependencies' };
      if (ctx.name && INPUT_LISTS.test(ctx.name)) return { verdict: 'bundle', why: ctx.name };
      if (ctx.name === 'paths') {
        const outer = ctx.binding ? [...this.joins.values()].find((o) => o.call.startIndex <= ctx.binding!.startIndex && ctx.binding!.endIndex <= o.call.endIndex) : undefined;
        return outer ? { verdict: 'nested', why: outer.name } : { verdict: 'left', why: 'used as a member of an environment' };
      }
      return { verdict: 'left', why: `in a list${ctx.name ? ` (\`${ctx.name}\`)` : ''} this transform does not know` };
    }
    if (parent.type === 'interpolation') {
      const str = parent.parent!;
      const info = this.api.syntax.interpolations(this.src, str).find((i) => i.node.id === parent.id)!;
      const b = this.enclosingBinding(str);
      const line = `${info.before.split('\n').pop() ?? ''}${info.after.split('\n')[0] ?? ''}`;
      const libDir = /^\/lib(64)?(?=$|[:"'\s;])/.test(info.after);
      const runtimeContext = (b && RUNTIME_PHASES.test(b.name)) || RUNTIME_TEXT.test(line) || this.inRuntimeContainer(str);
      if (runtimeContext) {
        if (libDir) return { verdict: 'runtime', why: 'library path' };
        // `--set CUDA_HOME ${join}` in one string, or as list elements `"--set" "CUDA_HOME" "${join}"`
        const before = str.parent?.type === 'list_expression' && info.before === '' ? `${this.api.syntax.listElements(str.parent).filter((e) => e.endIndex <= str.startIndex).slice(-2).map((e) => this.text(e).replace(/^"|"$/g, '')).join(' ')} ` : info.before;
        const jit = (b && JIT_ROOTS.test(b.name) ? b.name : undefined) ?? /--set(?:-default)?\s+["']?(\w+)["']?\s+["']?$/.exec(before)?.[1];
        return { verdict: 'left', why: jit && JIT_ROOTS.test(jit) ? `jit ${jit}` : 'prefix used in something that ends up in the output' };
      }
      if (ROOT_TEXT.test(info.before) || (b && (BUILD_ROOTS.test(b.name) || BUILD_PHASES.test(b.name) || BUILD_PHASES.test(b.path.split('.')[0]!)))) {
        const m = ROOT_TEXT.exec(info.before);
        return { verdict: 'root', why: m ? m[1]! : b ? b.path : 'build phase' };
      }
      return { verdict: 'left', why: `interpolated where build and run time cannot be told apart${b ? ` (\`${b.path}\`)` : ''}` };
    }
    if (parent.type === 'binding' && parent.childForFieldName('expression')?.id === expr.id) {
      const b = this.enclosingBinding(expr)!;
      if (this.inRuntimeContainer(expr)) return { verdict: 'left', why: JIT_ROOTS.test(b.name) ? `jit ${b.name}` : `prefix used in something that ends up in the output (\`${b.path}\`)` };
      if (BUILD_ROOTS.test(b.name)) return { verdict: 'root', why: b.name };
      if (this.inPassthru(expr)) return { verdict: 'exported', why: 'passthru' };
      return { verdict: 'left', why: `the value of \`${b.path}\`` };
    }
    if (parent.type === 'apply_expression') {
      const fn = parent.childForFieldName('function');
      const d = fn ? this.api.syntax.dottedName(this.src, fn) : undefined;
      if (d?.[d.length - 1] === 'makeLibraryPath' || d?.[d.length - 1] === 'getLib') return { verdict: 'left', why: `passed to \`${d.join('.')}\` as a whole` };
      return { verdict: 'left', why: `passed to a function this transform does not know${d ? ` (\`${d.join('.')}\`)` : ''}` };
    }
    return { verdict: 'left', why: `used in ${parent.type.replace(/_/g, ' ')}` };
  }



  // ------------------------------------------------------------------------------------------
  // Rewrites

  private rewriteRuntime(j: Join, id: SyntaxNode): void {
    const expr = this.exprOf(id);
    const members = this.runtimeMembers(j, id);
    if (expr.parent?.type === 'list_expression') {
      const list = expr.parent;
      this.planList(list, expr, members, insideInterpolation(expr));
      return;
    }
    // `${join}/lib` → `${lib.makeLibraryPath [ … ]}`
    const interp = expr.parent!;
    const after = /^\/lib(64)?/.exec(this.src.slice(interp.endIndex))![0];
    const str = interp.parent!;
    const whole = str.type === 'string_expression' && str.startIndex + 1 === interp.startIndex && interp.endIndex + after.length + 1 === str.endIndex;
    this.copied.push(...members);
    const call = this.api.edit.interpolatedCallText(`${this.lib()}.makeLibraryPath`, members, interp.startIndex, whole);
    this.api.edit.replace({ startIndex: interp.startIndex, endIndex: interp.endIndex + after.length }, `\${${call}}`);
  }

  private rewriteBundle(j: Join, id: SyntaxNode): void {
    const expr = this.exprOf(id);
    const list = expr.parent!;
    const ctx = this.api.syntax.listContext(this.src, list);
    const { tools, libs } = this.bundleMembers(j, id);
    const native = /^native|^propagatedNative/.test(ctx.name ?? '');
    const here = native ? [...tools] : [...libs];
    const elsewhere = native ? libs : tools;
    this.planList(list, expr, here);
    if (!ctx.binding) return;
    const sibling = (attr: string, elements: string[], conditions: string[]): void => {
      if (elements.length === 0) return;
      const key = `${ctx.binding!.parent!.parent!.id} ${attr} ${conditions.join('&&')}`;
      const plan = this.siblingPlans.get(key);
      // (one package however it is named: `cudaPackages.cuda_nvcc`, `pkgs.cudaPackages.cuda_nvcc`)
      if (plan) plan.elements.push(...elements.filter((e) => !plan.elements.some((x) => packageKey(x) === packageKey(e))));
      else this.siblingPlans.set(key, { binding: ctx.binding!, attr, elements: [...elements], conditions });
      this.copied.push(...elements);
    };
    sibling(native ? 'buildInputs' : 'nativeBuildInputs', elsewhere, ctx.conditions);
    // members under conditions of their own (`lib.optionals c [ … ]` in `paths`): the same
    // lists, under the use's conditions and theirs
    const byCond = new Map<string, Member[]>();
    for (const m of j.members.filter((x) => x.conditions.length > 0)) byCond.set(m.conditions.join('\u0000'), [...(byCond.get(m.conditions.join('\u0000')) ?? []), m]);
    for (const ms of byCond.values()) {
      const sub = this.bundleMembers({ ...j, members: ms }, id, true);
      const conditions = [...ctx.conditions, ...ms[0]!.conditions];
      sibling(native ? ctx.name! : 'nativeBuildInputs', sub.tools, conditions);
      sibling(native ? 'buildInputs' : ctx.name!, sub.libs, conditions);
    }
  }

  /**
   * The edits of each list, made once at the end: a list that holds a join twice, or two joins,
   * gets one edit (the members once: those already in it, or put in by an earlier use, are not
   * added again).
   */
  private readonly listPlans = new Map<number, { list: SyntaxNode; replacements: Map<number, string[]>; keepInline: boolean; present: Set<string> }>();
  /** Members for sibling input lists (`nativeBuildInputs` for the tools of a join in `buildInputs`). */
  private readonly siblingPlans = new Map<string, { binding: SyntaxNode; attr: string; elements: string[]; conditions: string[] }>();
  /** Texts this run copied out of joins (a formal they use must stay). */
  private readonly copied: string[] = [];

  private planList(list: SyntaxNode, element: SyntaxNode, texts: string[], keepInline = false): void {
    let plan = this.listPlans.get(list.id);
    if (!plan) {
      const present = new Set(this.api.syntax.listElements(list).map((e) => packageKey(this.text(e))));
      this.listPlans.set(list.id, (plan = { list, replacements: new Map(), keepInline, present }));
    }
    // in `[ … ] ++ lib.optionals c [ … ]`, what the unconditional lists have is there already
    const ctx = this.api.syntax.listContext(this.src, list);
    const always = new Set<string>();
    if (ctx.binding && ctx.conditions.length > 0) {
      for (const part of this.api.syntax.listParts(this.src, ctx.binding.childForFieldName('expression')!)) {
        if (part.conditions.length > 0 || part.list.id === list.id) continue;
        for (const e of this.api.syntax.listElements(part.list)) always.add(packageKey(this.text(e)));
        for (const k of this.listPlans.get(part.list.id)?.present ?? []) always.add(k);
      }
    }
    const fresh = texts.filter((t) => !plan!.present.has(packageKey(t)) && !always.has(packageKey(t)));
    for (const t of fresh) plan.present.add(packageKey(t));
    plan.replacements.set(element.id, fresh);
    this.copied.push(...fresh);
  }

  private flushPlans(): void {
    // one addition per sibling list (its parts under their conditions); first, so that what goes
    // into a list with a plan of its own joins that plan
    const bySibling = new Map<string, { binding: SyntaxNode; attr: string; parts: { elements: string[]; conditions: string[] }[] }>();
    for (const p of this.siblingPlans.values()) {
      const key = `${p.binding.parent!.parent!.id} ${p.attr}`;
      const g = bySibling.get(key) ?? { binding: p.binding, attr: p.attr, parts: [] };
      g.parts.push({ elements: p.elements, conditions: p.conditions });
      bySibling.set(key, g);
    }
    for (const g of bySibling.values()) this.addToSibling(g.binding, g.attr, g.parts);
    for (const p of this.listPlans.values()) this.api.edit.replaceListElements(p.list, p.replacements, { keepInline: p.keepInline });
  }

  /**
   * Add elements to a sibling input list of the same attrset, under each part's conditions;
   * created when missing: one binding, whose operands are the parts (what is there
   * unconditionally is not repeated under a condition).
   */
  private addToSibling(binding: SyntaxNode, attr: string, parts: InputPart[]): void {
    const sibling = siblingBinding(this.src, binding, attr);
    const indent = indentOfLine(this.src, binding.startIndex);
    const layout = { prefix: (conditions: readonly string[]) => optionalsPrefix(this.lib(), conditions), indent, key: packageKey };
    if (sibling) {
      const lists = this.api.syntax.listParts(this.src, sibling.value);
      // what the lists hold, and what their own plans put in them (a join used in both lists)
      const present = new Set(lists.flatMap((p) => [...this.api.syntax.listElements(p.list).map((e) => packageKey(this.text(e))), ...(this.listPlans.get(p.list.id)?.present ?? [])]));
      const appended: string[] = [];
      for (const part of orderedParts(parts, packageKey)) {
        const fresh = part.elements.filter((e) => !present.has(packageKey(e)));
        for (const e of fresh) present.add(packageKey(e));
        if (fresh.length === 0) continue;
        if (!addToListOfCondition(this.api.edit, this.src, sibling.value, part.conditions, fresh, this.listPlans)) appended.push(inputOperand(this.api.edit, part.conditions, fresh, layout));
      }
      appendInputOperands(this.api.edit, sibling, appended, this.listPlans);
      return;
    }
    const text = newInputBinding(this.api.edit, attr, parts, layout);
    if (!text) return;
    if (attr === 'nativeBuildInputs') this.api.edit.insertAt(binding.startIndex, `${text}\n${indent}`);
    else this.api.edit.insertAt(this.api.edit.endOfLine(binding), `\n${indent}${text}`);
  }

  /** An exported join becomes a derivation that propagates its members. */
  private toPropagating(j: Join): void {
    const { tools, libs } = this.bundleMembers(j, j.call);
    const args = j.call.childForFieldName('argument')!;
    const attrset = this.api.syntax.unparen(args);
    const nameBinding = this.api.syntax.bindingsOf(this.src, attrset).find((b) => b.path[0] === 'name' || b.path[0] === 'pname');
    const name = nameBinding ? this.text(nameBinding.value) : JSON.stringify(j.name);
    const stdenvNoCC = this.stdenvNoCC(j);
    const indent = /^[ \t]*/.exec(this.src.slice(this.src.lastIndexOf('\n', j.binding.startIndex) + 1))![0];
    const one = this.api.style.indent;
    const list = (xs: string[]): string => (xs.length === 0 ? '[ ]' : `[\n${xs.map((x) => `${indent}${one}${one}${x}`).join('\n')}\n${indent}${one}]`);
    const body = [
      `${stdenvNoCC}.mkDerivation {`,
      `${indent}${one}# Propagates the parts it used to join, so consumers that take it as a build input`,
      `${indent}${one}# get them (headers, libraries, setup hooks) without a symlink farm in their closure.`,
      `${indent}${one}name = ${name};`,
      `${indent}${one}dontUnpack = true;`,
      `${indent}${one}dontBuild = true;`,
      `${indent}${one}installPhase = "mkdir -p $out";`,
      ...(tools.length > 0 ? [`${indent}${one}propagatedNativeBuildInputs = ${list(tools)};`] : []),
      `${indent}${one}propagatedBuildInputs = ${list(libs)};`,
      `${indent}}`,
    ].join('\n');
    this.api.edit.replace(j.call, body);
    this.copied.push(...tools, ...libs);
    this.convertedJoins.add(j.binding.id);
    this.api.report(j.call, {
      rule: 'exported-join',
      message: `\`${j.name}\` is exported, so it became a derivation that propagates ${[...tools, ...libs].join(', ')} instead of a symlink farm`,
      fix: 'consumers that read files under its prefix (`${join}/include`) must use the members instead',
    });
  }

  private stdenvNoCC(j: Join): string {
    if (j.calleePrefix) return `${j.calleePrefix}stdenvNoCC`;
    this.usesStdenvNoCC = true;
    return 'stdenvNoCC';
  }

  private removeDefinition(j: Join): void {
    const owner = j.binding.parent?.parent;
    const body = owner?.type === 'let_expression' ? owner.childForFieldName('body') : null;
    this.removed.add(j.binding.id);
    // the last binding of a `let` removed (by this join or with those removed before): the
    // whole `let … in` goes (the removals of the others fall inside it)
    if (body && j.binding.parent!.namedChildren.every((c) => c.type === 'comment' || this.removed.has(c.id))) {
      // up to `in` and the blanks after it: comments before the body stay (a `# nixshift-ignore`
      // there covers the body, perhaps for another transform)
      const inToken = owner!.children.find((c) => c.type === 'in');
      let end = inToken ? inToken.endIndex : body.startIndex;
      while (end < body.startIndex && /\s/.test(this.src[end]!)) end++;
      this.api.edit.remove({ startIndex: owner!.startIndex, endIndex: end });
    } else {
      this.api.edit.removeBinding(j.binding);
    }
  }

  private readonly removed = new Set<number>();
  private readonly convertedJoins = new Set<number>();

  finish(): void {
    this.flushPlans();
    if (this.summaries.length === 0) return;
    this.api.report(this.api.root, { rule: 'summary', message: `CUDA joins: ${this.summaries.join('. ')}` });
    if (!this.top) return;
    const names = new Set(this.top.formals.map((f) => f.name));
    const added: { name: string; atStart?: boolean }[] = [];
    if (this.needLib) added.push({ name: 'lib', atStart: true });
    if (this.usesStdenvNoCC && !names.has('stdenvNoCC')) added.push({ name: 'stdenvNoCC' });
    // `symlinkJoin` formal: drop it when every use was in a removed or converted join
    const formal = this.top.formals.find((f) => f.name === 'symlinkJoin');
    let drop = false;
    if (formal) {
      const def = this.api.scopes().definitions().find((d) => d.node.id === formal.nameNode.id);
      const refs = def ? this.api.scopes().referencesTo(def) : [];
      const gone = refs.every((r) => [...this.joins.values()].some((j) => (this.removed.has(j.binding.id) || this.converted(j)) && j.call.startIndex <= r.node.startIndex && r.node.endIndex <= j.call.endIndex));
      const copied = this.copied.some((t) => /(^|[^\w'.-])symlinkJoin(?![\w'-])/.test(t));
      // (a suppressed formal stays as it is: the net would drop any edit of it)
      drop = refs.length > 0 && gone && !copied && !this.api.suppressed(formal.node);
    }
    // the formal that goes while others come becomes the first of them, in its place (its
    // commas stay as they are: no removal next to an insertion)
    if (drop && formal && added.length > 0) {
      this.api.edit.replace(formal.node, added.shift()!.name);
      drop = false;
    }
    if (drop && formal) this.api.edit.removeFormal(this.top, formal);
    for (const a of added) this.api.edit.addFormal(this.top, a.name, a.atStart ? { atStart: true } : {});
  }

  private converted(j: Join): boolean {
    return this.convertedJoins.has(j.binding.id);
  }
}

const transform: Transform = {
  name: 'symlinkjoin-to-propagated',
  description: 'take CUDA symlinkJoins out of closures: lib outputs at run time, members as dependencies, build roots kept',
  changeSummary: 'use CUDA outputs directly instead of a symlinkJoin',
  reportExtensions: [closureReport],
  needles: ['symlinkJoin', 'buildEnv', 'runCommand'],
  // Most joins in nixpkgs have nothing to do with CUDA: a file without any CUDA name (in the
  // sense of OTHER_CUDA, the toolkit components, or a cudaPackages set) is not parsed for it.
  prefilter: (text: string, options: TransformOptions) => options['all-joins'] === true || CUDA_TEXT.test(text),
  scopeFocus: ['symlinkJoin', 'buildEnv', 'runCommand'],
  rules,
  options: {
    'all-joins': 'also rewrite joins that have no CUDA member (default: only CUDA joins)',
  },
  transform(_file, api, options) {
    const r = new JoinRewriter(api, options);
    r.collect();
    r.run();
    r.finish();
  },
};

export default transform;

/**
 * What an element stands for, to tell a package already in a list however it is named:
 * `cudaPackages.cuda_cudart`, `pkgs.cudaPackages.cuda_cudart` and `cuda_cudart` (under `with`)
 * are one package; other elements are their text.
 */
function packageKey(element: string): string {
  // (comments inside an element are not part of its name: `cudaPackages./* x */ libcublas`)
  const flat = withoutComments(element).replace(/\s+/g, '');
  const last = flat.replace(/[()]/g, '').split('.').pop()!;
  return ALL_COMPONENTS.has(last) ? last : flat;
}
