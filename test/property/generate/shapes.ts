/**
 * The CUDA shapes the transforms are about: symlinkJoin / buildEnv of CUDA parts, call sites
 * passing the toolkit (`callPackage ./x.nix { cudatoolkit = …; }`, `.override`), derivations
 * (`stdenv.mkDerivation`, `rec`, `finalAttrs:`, other builders) with input lists, flags, phases,
 * environment variables, passthru and meta, and functions with formals in every style.
 */
import { app, type Bind, bind, type Expr, type Formal, type FormalsStyle, lit, type Param, type Scope, sel, str } from './ast.js';
import { ExprGen } from './expressions.js';
import { EVIDENCE_WORDS } from './vocabulary.js';

export class ShapeGen extends ExprGen {
  join(sc: Scope): Expr {
    const r = this.r;
    const fn = r.weighted<() => Expr>([
      [6, () => this.ref(sc, 'symlinkJoin')],
      [2, () => this.ref(sc, 'buildEnv')],
      [2, () => sel(this.ref(sc, r.pick(['pkgs', 'final'])), r.pick(['symlinkJoin', 'buildEnv']))],
      [1, () => this.ref(sc, 'runCommand')],
    ])();
    const binds = this.binds([
      () => bind(['name'], str(r.pick(['cuda-joined', 'cuda-libs', 'runtime-libs', 'cudatoolkit-joined', 'x']))),
      () => bind(['paths'], this.inputs(sc)),
      () => (r.chance(0.2) ? bind(['postBuild'], this.indented(sc)) : undefined),
      () => (r.chance(0.1) ? bind([this.attrName()], this.any(sc, 1)) : undefined),
    ]);
    if (r.chance(0.2)) r.shuffle(binds);
    return app(fn, this.attrs(binds));
  }

  callSite(sc: Scope): Expr {
    const r = this.r;
    const argBinds = this.binds(
      Array.from({ length: r.range(0, 3) }, () => () =>
        r.weighted<() => Bind | undefined>([
          [4, () => bind(['cudatoolkit'], this.toolkit(sc))],
          [3, () => bind([r.pick(['addOpenGLRunpath', 'autoAddOpenGLRunpathHook'])], r.chance(0.5) ? sel(this.ref(sc, 'pkgs'), r.pick(['addOpenGLRunpath', 'addDriverRunpath'])) : this.ref(sc, 'addOpenGLRunpath'))],
          [2, () => bind(['cudaPackages'], this.cudaSet(sc))],
          [2, () => bind([r.pick(['cudaSupport', 'enableCuda'])], lit('true'))],
          [1, () => this.inheritBind(sc)],
          [1, () => bind(['symlinkJoin'], this.ref(sc, 'symlinkJoin'))],
        ])(),
      ),
    );
    const args = this.attrs(argBinds);
    return r.weighted<() => Expr>([
      [4, () => app(r.chance(0.5) ? sel(this.ref(sc, 'pkgs'), 'callPackage') : this.ref(sc, 'callPackage'), lit(r.pick(['./detector.nix', './x', '../tools/gpu-tool'])), args)],
      [2, () => app(sel(this.ref(sc, 'pkgs'), r.pick(['trainer', 'gpu-tool']), 'override'), args)],
      [1, () => app(sel(this.ref(sc, 'pkgs'), 'callPackages'), lit('./set.nix'), args)],
    ])();
  }

  /** The attributes of a derivation. */
  derivationBinds(sc: Scope, depth: number): Bind[] {
    const r = this.r;
    const c: (() => Bind | undefined)[] = [
      () => bind(['pname'], str(r.pick(['gpu-app', 'cuarray', 'x', 'crlf']))),
      () => bind(['version'], str(r.pick(['1.0', '12.1.0', '0.1']))),
      () => (r.chance(0.6) ? bind(['src'], r.chance(0.7) ? lit('./.') : app(this.ref(sc, 'fetchurl'), this.attrs([bind(['url'], str('https://example.org/x-', this.ref(sc, 'version'), '.tar.gz')), bind(['hash'], str('sha256-AAAA='))]))) : undefined),
      () => (r.chance(0.8) ? bind(['nativeBuildInputs'], this.inputs(sc)) : undefined),
      () => (r.chance(0.85) ? bind(['buildInputs'], this.inputs(sc)) : undefined),
      () => (r.chance(0.2) ? bind(['propagatedBuildInputs'], this.inputs(sc)) : undefined),
      () => (r.chance(0.15) ? bind(['runtimeDependencies'], this.inputs(sc)) : undefined),
      () => (r.chance(0.15) ? bind(['packages'], this.inputs(sc)) : undefined),
      () => (r.chance(0.35) ? bind([r.pick(['cmakeFlags', 'makeFlags', 'configureFlags'])], this.flags(sc)) : undefined),
      () => (r.chance(0.45) ? bind([r.pick(['postFixup', 'preConfigure', 'installPhase', 'postInstall', 'shellHook', 'preBuild'])], this.phase(sc)) : undefined),
      () => (r.chance(0.3) ? bind([r.pick(['CUDA_PATH', 'CUDA_HOME', 'NVCC', 'LDFLAGS', 'CUDA_TOOLKIT_ROOT_DIR', 'TF_CUDA_PATHS'])], r.chance(0.8) ? this.string(sc) : this.toolkit(sc)) : undefined),
      () => (r.chance(0.25) ? bind(['env', r.pick(['LIBS', 'USE_CUBLAS', 'CUDA_LIBS', 'BT_GPU_DEPS'])], str(r.pick(EVIDENCE_WORDS), ' ', r.pick(EVIDENCE_WORDS))) : undefined),
      () => (r.chance(0.25) ? bind(['passthru'], this.attrs(this.binds([() => this.inheritBind(sc), () => bind([r.pick(['cudaVersion', 'tools', 'hook', 'cudatoolkit'])], r.chance(0.5) ? sel(this.toolkit(sc), 'version') : this.pkg(sc))]))) : undefined),
      () => (r.chance(0.15) ? bind(['passthru', r.pick(['cudaCompiler', 'runpathHook', 'joined'])], this.pkg(sc)) : undefined),
      () => (r.chance(0.2) ? bind(['meta'], this.attrs([bind(['description'], str('GPU thing with ', r.pick(EVIDENCE_WORDS))), bind(['license'], sel(this.ref(sc, 'lib'), 'licenses', 'mit'))])) : undefined),
      () => (r.chance(0.15) ? bind(['dlopenLibs'], this.list([str('libcublas.so.12'), str('libcufft.so.11')])) : undefined),
      () => (r.chance(0.1) && depth > 0 ? this.genericBind(sc, depth - 1) : undefined),
      () => (r.chance(0.1) ? this.inheritBind(sc) : undefined),
    ];
    const binds = this.binds(c);
    if (r.chance(0.25)) r.shuffle(binds);
    return binds;
  }

  flags(sc: Scope): Expr {
    const r = this.r;
    const one = (): Expr =>
      r.weighted<() => Expr>([
        [3, () => this.string(sc)],
        [2, () => str(r.pick(['-DCUDA_TOOLKIT_ROOT_DIR=', '-DCUDA_HOST_COMPILER=', '--with-cuda=', 'CUDA_DIR=']), this.interp(sc), r.pick(['', '/bin/cc', '/lib']))],
        [1, () => str(`-DEXTRA_LIBS=${r.pick(EVIDENCE_WORDS)}`)],
        [1, () => app(sel(this.ref(sc, 'lib'), 'cmakeBool'), str('WITH_CUDA'), this.cond(sc))],
      ])();
    const l = this.list(Array.from({ length: r.range(0, 3) }, one));
    if (r.chance(0.3)) return { k: 'op', op: '++', l, r: app(sel(this.ref(sc, 'lib'), 'optionals'), this.cond(sc), this.list([one(), one()])), ml: r.chance(0.3) };
    return l;
  }

  phase(sc: Scope): Expr {
    const r = this.r;
    const body = r.chance(0.8) ? this.indented(sc) : this.string(sc);
    return r.chance(0.3) ? app(sel(this.ref(sc, 'lib'), 'optionalString'), this.cond(sc), body) : body;
  }

  derivation(sc: Scope, depth: number): Expr {
    const r = this.r;
    const fn = r.weighted<() => Expr>([
      [6, () => sel(this.ref(sc, 'stdenv'), 'mkDerivation')],
      [2, () => this.ref(sc, r.pick(['buildPythonPackage', 'mkShell', 'buildBazelPackage']))],
      [1, () => sel(this.ref(sc, 'pkgs'), r.chance(0.5) ? 'mkShell' : 'stdenv.mkDerivation')],
      [1, () => sel(this.ref(sc, r.pick(['effectiveStdenv', 'backendStdenv'])), 'mkDerivation')],
      [1, () => sel(this.toolkit(sc), 'cc', 'stdenv', 'mkDerivation')],
    ])();
    if (r.chance(0.2)) {
      const inner: Scope = { bound: new Set([...sc.bound, 'finalAttrs']), withs: sc.withs };
      return app(fn, { k: 'paren', e: { k: 'fn', param: { k: 'id', name: 'finalAttrs' }, body: this.attrs(this.derivationBinds(inner, depth)), ml: false }, ml: false });
    }
    const rec = r.chance(0.25);
    if (rec) {
      // rec: the attribute names are in scope
      const binds = this.derivationBinds({ bound: new Set([...sc.bound, 'pname', 'version']), withs: sc.withs }, depth);
      return app(fn, this.attrs(binds, true));
    }
    return app(fn, this.attrs(this.derivationBinds(sc, depth)));
  }

  funcWithFormals(sc: Scope, depth: number): Expr {
    const r = this.r;
    const names = [...new Set(Array.from({ length: r.range(0, 4) }, () => this.name()))];
    const inner: Scope = { bound: new Set([...sc.bound, ...names]), withs: sc.withs };
    const formals: Formal[] = names.map((n) => this.withComments({ name: n, before: [] }));
    const param: Param = { k: 'formals', formals, ellipsis: r.chance(0.3), style: this.formalsStyle() };
    return { k: 'fn', param, body: this.any(inner, depth), ml: false };
  }

  formalsStyle(): FormalsStyle {
    if (this.compact) return this.r.weighted<FormalsStyle>([[5, 'inline'], [2, 'inline-trailing'], [2, 'leading'], [1, 'nixfmt']]);
    return this.r.weighted<FormalsStyle>([[8, 'nixfmt'], [3, 'inline'], [1, 'inline-trailing'], [1, 'leading'], [1, 'nixfmt-no-trailing']]);
  }
}
