/**
 * Whole files, one method per kind: a package (a callPackage function, sometimes a `let`
 * around its derivation, sometimes `{ pkgs ? import <nixpkgs> { } }: with pkgs;`), a set of
 * call sites, an overlay, a NixOS or home-manager module, a flake (`import nixpkgs`,
 * `legacyPackages.${system}` or flake-parts), a dev shell, or an arbitrary expression. Most
 * are closed: `topFormals` makes every free name a formal of the top function, so that
 * `nix-instantiate --parse`, which also rejects undefined variables, can judge them as is.
 */
import { app, type Bind, bind, type Expr, type Formal, type FormalsStyle, id, lit, type Param, type Scope, sel, str } from './ast.js';
import { ShapeGen } from './shapes.js';

/** The generator of one file: every layer, from core.ts up to the files. */
export class FileGen extends ShapeGen {
  /** Formals of the top function: every free name (so the file is closed), plus some others. */
  topFormals(body: Expr, opts: { at?: string; extra?: string[] } = {}): Expr {
    const r = this.r;
    const names: string[] = [...(opts.extra ?? [])];
    for (const n of this.free) if (!names.includes(n)) names.push(n);
    // extra formals that are not used
    for (let i = r.range(0, 2); i > 0; i--) {
      const n = this.name();
      if (!names.includes(n)) names.push(n);
    }
    if (names.includes('lib') && r.chance(0.8)) {
      names.splice(names.indexOf('lib'), 1);
      names.unshift('lib');
    }
    if (r.chance(0.4)) r.shuffle(names);
    const at = opts.at !== undefined && !names.includes(opts.at) ? { name: opts.at, before: r.chance(0.7) } : undefined;
    const formals: Formal[] = [];
    const sc: Scope = { bound: new Set(names), withs: 0 };
    for (const n of names) {
      const f: Formal = { name: n, before: [] };
      if (r.chance(0.12)) {
        f.def = r.weighted<() => Expr>([
          [3, () => lit(r.pick(['null', 'false', 'true']))],
          [2, () => sel(id('config'), 'cudaSupport')],
          [1, () => app(id('import'), lit('<nixpkgs>'), this.attrs([]))],
          [1, () => this.attrs([])],
          [1, () => this.pkg(sc)],
        ])();
        if (f.def.k === 'sel' && f.def.base.k === 'id' && f.def.base.name === 'config' && !names.includes('config')) f.def = lit('false');
      }
      this.withComments(f);
      formals.push(f);
    }
    // names a default mentioned
    for (const n of this.free) if (!names.includes(n) && n !== at?.name) formals.push({ name: n, before: [] });
    const ellipsis = r.chance(0.25) || at !== undefined;
    const inner = r.chance(this.commentRate / 4) ? this.comment() : undefined;
    const param: Param = { k: 'formals', formals, ellipsis, style: this.formalsStyle(), ...(at ? { at } : {}), ...(inner !== undefined ? { inner } : {}) };
    return { k: 'fn', param, body, ml: !this.compact || r.chance(0.3) };
  }

  packageFile(): Expr {
    const r = this.r;
    const useWith = r.chance(0.12);
    const sc: Scope = { bound: new Set(useWith ? ['pkgs'] : []), withs: useWith ? 1 : 0 };
    const mkBody = (s: Scope): Expr => {
      const d = this.derivation(s, 2);
      return r.chance(0.1) ? { k: 'assert', cond: { k: 'op', op: '->', l: this.cond(s), r: { k: 'op', op: '!=', l: this.toolkit(s), r: lit('null'), ml: false }, ml: false }, body: d } : d;
    };
    let body: Expr;
    if (r.chance(0.55)) {
      const extra: ((s: Scope) => Bind | undefined)[] = [];
      if (r.chance(0.4)) extra.push((s) => bind(['cudatoolkit'], r.chance(0.7) ? sel(this.cudaSet(s), 'cudatoolkit') : lit('"not-a-package"')));
      if (r.chance(0.3)) extra.push((s) => ({ k: 'inherit', from: this.cudaSet(s), names: r.chance(0.5) ? ['cudatoolkit', 'cudnn'] : ['cudatoolkit'], before: [] }));
      if (r.chance(0.5)) extra.push((s) => bind([r.pick(['cudaLibs', 'cuda_joined', 'cudatoolkit_joined', 'cudaHome', 'runtimeLibs'])], this.join(s)));
      if (r.chance(0.3)) extra.push((s) => bind(['rpath'], app(sel(this.ref(s, 'lib'), 'makeLibraryPath'), this.inputs(s))));
      if (r.chance(0.15)) extra.push((s) => bind(['effectiveStdenv'], { k: 'if', c: this.cond(s), t: sel(this.toolkit(s), 'cc', 'stdenv'), e: this.ref(s, 'stdenv'), ml: false }));
      if (r.chance(0.15)) extra.push((s) => bind(['cudaComponents'], this.inputs(s)));
      body = this.letIn(sc, 2, mkBody, extra);
    } else {
      body = mkBody(sc);
    }
    if (useWith) {
      body = { k: 'with', env: id('pkgs'), body, ml: true };
      return { k: 'fn', param: { k: 'formals', formals: [{ name: 'pkgs', def: app(id('import'), lit('<nixpkgs>'), this.attrs([])), before: [] }], ellipsis: false, style: 'inline' }, body, ml: true };
    }
    return this.topFormals(body, r.chance(0.1) ? { at: r.pick(['args', 'inputs']) } : {});
  }

  callSitesFile(): Expr {
    const r = this.r;
    const sc: Scope = { bound: new Set(), withs: 0 };
    const binds = this.binds(
      Array.from({ length: r.range(1, 5) }, () => () =>
        r.weighted<() => Bind | undefined>([
          [4, () => bind([r.pick(['detector', 'solver', 'trainer', 'old-bench', 'gpu-tool', 'tool'])], this.callSite(sc))],
          [1, () => bind([r.pick(['addOpenGLRunpath', 'cudatoolkit'])], sel(this.ref(sc, 'pkgs'), r.pick(['addDriverRunpath', 'cudaPackages.cudatoolkit'])))],
          [1, () => this.genericBind(sc, 1)],
        ])(),
      ),
    );
    const body = this.attrs(binds);
    if (r.chance(0.3)) {
      const free = [...this.free];
      if (free.every((n) => n === 'pkgs')) return { k: 'fn', param: { k: 'id', name: 'pkgs' }, body, ml: true };
    }
    return this.topFormals(body);
  }

  overlayFile(): Expr {
    const r = this.r;
    const [f, p] = r.chance(0.8) ? ['final', 'prev'] : ['self', 'super'];
    const sc: Scope = { bound: new Set([f!, p!]), withs: 0 };
    const binds = this.binds(
      Array.from({ length: r.range(1, 4) }, () => () =>
        r.weighted<() => Bind | undefined>([
          [3, () => bind([r.pick(['cuda-dev-env', 'cudaEnv', 'joined'])], app(sel(id(f!), r.pick(['symlinkJoin', 'buildEnv'])), this.attrs([bind(['name'], str('env')), bind(['paths'], { k: 'with', env: sel(id(f!), 'cudaPackages'), body: this.list([id('cuda_nvcc'), id('cuda_cudart')]), ml: false })])))],
          [2, () => bind(['addOpenGLRunpath'], sel(id(p!), 'addDriverRunpath'))],
          [2, () => bind([r.pick(['tool', 'gpu-tool'])], app(sel(id(p!), 'gpu-tool', 'override'), this.attrs([bind(['cudatoolkit'], sel(id(f!), 'cudaPackages', 'cudatoolkit'))])))],
          [1, () => bind(['description'], str('replaces the addOpenGLRunpath package'))],
          [1, () => this.genericBind(sc, 1)],
        ])(),
      ),
    );
    const body: Expr = { k: 'fn', param: { k: 'id', name: p! }, body: this.attrs(binds), ml: false };
    const top: Expr = { k: 'fn', param: { k: 'id', name: f! }, body, ml: false };
    return this.free.size === 0 ? top : this.topFormals(top);
  }

  moduleFile(): Expr {
    const r = this.r;
    const sc: Scope = { bound: new Set(['config', 'lib', 'pkgs']), withs: 0 };
    const pk = (): Expr => (r.chance(0.7) ? sel(id('pkgs'), r.pick(['cudatoolkit', 'nvtopPackages.nvidia', 'addOpenGLRunpath', 'cudaPackages.cudatoolkit', 'python3'])) : this.pkg(sc));
    const binds = this.binds([
      () => bind([r.pick(['environment', 'home'])].concat(r.pick([['systemPackages'], ['packages']])), r.chance(0.4) ? { k: 'with', env: id('pkgs'), body: this.list([id('cudatoolkit'), id('python3')]), ml: false } : this.list([pk(), pk()])),
      () => (r.chance(0.5) ? bind(['home', 'sessionVariables'], this.attrs([bind(['CUDA_PATH'], str(this.interp(sc))), bind(['LD_LIBRARY_PATH'], str('/run/opengl-driver/lib:', this.interp(sc), '/lib'))])) : undefined),
      () => (r.chance(0.3) ? bind(['hardware', 'nvidia', 'open'], lit('false')) : undefined),
      // a service (NixOS) run with the toolkit on its paths
      () =>
        r.chance(0.4)
          ? bind(
              ['systemd', 'services', r.pick(['ollama', 'gpu-worker', 'jupyter'])],
              this.attrs([
                bind(['environment'], this.attrs([bind(['LD_LIBRARY_PATH'], str(this.interp(sc), '/lib')), bind(['CUDA_HOME'], str(this.interp(sc)))])),
                bind(['serviceConfig', 'ExecStart'], str(sel(id('pkgs'), r.pick(['python3', 'cudatoolkit'])), '/bin/run')),
              ]),
            )
          : undefined,
      () => (r.chance(0.2) ? bind(['environment', 'variables', 'CUDA_PATH'], str(this.interp(sc))) : undefined),
      () => (r.chance(0.3) ? this.genericBind(sc, 1) : undefined),
    ]);
    return this.topFormals(this.attrs(binds), { extra: ['config', 'lib', 'pkgs'] });
  }

  /**
   * A flake: `outputs` names `pkgs` with `let pkgs = import nixpkgs { … }` or
   * `nixpkgs.legacyPackages.${system}`, or flake-parts' `perSystem = { pkgs, … }:`; a package
   * built with the toolkit (under `with pkgs;`, or with `pkgs.` everywhere) and a dev shell.
   */
  flakeFile(): Expr {
    const r = this.r;
    const style = r.weighted<'import' | 'legacy' | 'perSystem'>([
      [4, 'import'],
      [3, 'legacy'],
      [3, 'perSystem'],
    ]);
    const inner: Scope = { bound: new Set(['pkgs', 'lib', 'system', 'self', 'nixpkgs', 'inputs']), withs: 1 };
    const pk = (name: string): Expr => sel(id('pkgs'), ...name.split('.'));
    const explicitDrv = (): Expr =>
      app(
        pk('stdenv.mkDerivation'),
        this.attrs(
          this.binds([
            () => bind(['pname'], str('gpu-app')),
            () => bind(['version'], str('0.1')),
            () => bind(['src'], lit('./.')),
            () => bind(['nativeBuildInputs'], this.list([pk(r.pick(['cmake', 'cudaPackages.cuda_nvcc', 'cudatoolkit'])), pk('autoAddDriverRunpath')])),
            () => bind(['buildInputs'], this.list([pk(r.pick(['cudatoolkit', 'cudaPackages.cudatoolkit', 'cudaPackages.libcublas'])), pk('zlib')])),
            () => (r.chance(0.4) ? bind(['cmakeFlags'], this.list([str('-DCUDAToolkit_ROOT=', pk('cudatoolkit'))])) : undefined),
            () => (r.chance(0.3) ? bind(['postFixup'], { k: 'istr', lines: [['wrapProgram $out/bin/gpu-app --prefix LD_LIBRARY_PATH : ', app(sel(id('lib'), 'makeLibraryPath'), this.list([pk('cudatoolkit')]))]] }) : undefined),
          ]),
        ),
      );
    const pkgDrv = (): Expr => (r.chance(0.5) ? { k: 'with', env: id('pkgs'), body: this.derivation(inner, 2), ml: true } : explicitDrv());
    const shell = (): Expr => app(pk('mkShell'), this.attrs([bind([r.pick(['packages', 'buildInputs'])], r.chance(0.5) ? { k: 'with', env: id('pkgs'), body: this.list([id('cudatoolkit'), id('python3')]), ml: false } : this.list([pk('cudatoolkit'), pk('python3')]))]));
    const outputsFor = (prefix: string[]): Bind[] => this.binds([() => bind([...prefix.length ? ['packages', ...prefix] : ['packages'], 'default'], pkgDrv()), () => (r.chance(0.7) ? bind([...prefix.length ? ['devShells', ...prefix] : ['devShells'], 'default'], shell()) : undefined)]);
    let outputs: Expr;
    if (style === 'perSystem') {
      const perSystem: Expr = { k: 'fn', param: { k: 'formals', formals: [{ name: 'pkgs', before: [] }, { name: 'lib', before: [] }], ellipsis: true, style: r.pick<FormalsStyle>(['inline', 'nixfmt']) }, body: this.attrs(outputsFor([])), ml: true };
      const mk = app(sel(id('inputs'), 'flake-parts', 'lib', 'mkFlake'), this.attrs([{ k: 'inherit', names: ['inputs'], before: [] }]), this.attrs([bind(['systems'], this.list([str('x86_64-linux')])), bind(['perSystem'], perSystem)]));
      outputs = { k: 'fn', param: { k: 'formals', formals: [{ name: 'flake-parts', before: [] }], ellipsis: true, style: 'inline', at: { name: 'inputs', before: false } }, body: mk, ml: true };
    } else {
      const pkgsValue: Expr = style === 'import' ? app(id('import'), id('nixpkgs'), this.attrs([{ k: 'inherit', names: ['system'], before: [] }, bind(['config', 'allowUnfree'], lit('true'))])) : sel(id('nixpkgs'), 'legacyPackages', '${system}');
      const lets: Bind[] = [bind(['system'], str('x86_64-linux')), bind(['pkgs'], pkgsValue), bind(['lib'], sel(id('pkgs'), 'lib'))];
      outputs = { k: 'fn', param: { k: 'formals', formals: [{ name: 'self', before: [] }, { name: 'nixpkgs', before: [] }], ellipsis: true, style: 'inline' }, body: { k: 'let', binds: lets, body: this.attrs(outputsFor(['${system}'])), ml: true }, ml: true };
    }
    return this.attrs([bind(['description'], str('A GPU application')), bind(['inputs', 'nixpkgs', 'url'], str('github:NixOS/nixpkgs/nixos-unstable')), bind(['outputs'], outputs)]);
  }

  devshellFile(): Expr {
    const r = this.r;
    const sc: Scope = { bound: new Set(['pkgs']), withs: 0 };
    const withPkgs = r.chance(0.4);
    const s: Scope = withPkgs ? { bound: sc.bound, withs: 1 } : sc;
    const binds = this.binds([
      () => bind(['name'], str('cuda-dev')),
      () => bind([r.pick(['buildInputs', 'packages', 'nativeBuildInputs'])], withPkgs ? this.list([id('cudatoolkit'), id('addOpenGLRunpath'), sel(id('cudaPackages'), 'cuda_nvcc')]) : this.list([sel(id('pkgs'), 'cudatoolkit'), sel(id('pkgs'), 'python3')])),
      () => bind(['shellHook'], { k: 'istr', lines: [['export CUDA_PATH=', withPkgs ? id('cudatoolkit') : sel(id('pkgs'), 'cudatoolkit')], ['export LD_LIBRARY_PATH=', sel(withPkgs ? id('addOpenGLRunpath') : sel(id('pkgs'), 'addOpenGLRunpath'), 'driverLink'), '/lib']] }),
      () => (r.chance(0.3) ? bind(['passthru', 'runpathHook'], sel(id('pkgs'), 'addOpenGLRunpath')) : undefined),
      () => (r.chance(0.3) ? this.genericBind(s, 1) : undefined),
    ]);
    const call = app(withPkgs ? id('mkShell') : sel(id('pkgs'), 'mkShell'), this.attrs(binds));
    const body: Expr = withPkgs ? { k: 'with', env: id('pkgs'), body: call, ml: true } : call;
    const def = app(id('import'), lit('<nixpkgs>'), this.attrs(r.chance(0.5) ? [] : [bind(['config', 'allowUnfree'], lit('true'))]));
    const formals: Formal[] = [{ name: 'pkgs', def, before: [] }];
    for (const n of this.free) if (n !== 'pkgs') formals.push({ name: n, before: [] });
    return { k: 'fn', param: { k: 'formals', formals, ellipsis: false, style: this.compact ? 'inline' : r.pick<FormalsStyle>(['inline', 'nixfmt']) }, body, ml: true };
  }

  expressionFile(): Expr {
    const r = this.r;
    const e = this.any({ bound: new Set(), withs: 0 }, r.range(2, 4));
    // closed most of the time; sometimes left open (only the tree-sitter and wrapped Nix checks)
    return r.chance(0.8) ? this.topFormals(e) : e;
  }
}
