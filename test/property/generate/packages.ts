/**
 * Package references, the expressions the CUDA transforms rewrite: the toolkit in all its
 * spellings (`cudatoolkit`, `cudatoolkit_12`, `cudaPackages.cudatoolkit`, `pkgs.cudatoolkit`),
 * its outputs and `lib.getLib` / `lib.getOutput` wrappers, CUDA package-set components, the
 * runpath hooks, ordinary packages beside them; input lists of those, under
 * `with cudaPackages;`, `lib.optionals`, `++` or `lib.concatMap`; and the CUDA-support
 * conditions they hang on.
 */
import { app, type Expr, id, lit, type Scope, sel, str } from './ast.js';
import { GenCore } from './core.js';
import { CUDA_COMPONENTS, NEEDLES, TOOLKIT_ATTRS } from './vocabulary.js';

export class PackageGen extends GenCore {
  cudaSet(sc: Scope): Expr {
    const r = this.r;
    return r.weighted<() => Expr>([
      [6, () => this.ref(sc, 'cudaPackages')],
      [2, () => this.ref(sc, r.pick(['cudaPackages_12', 'cudaPackages_11_8', 'cudaPackages_10_2']))],
      [2, () => sel(this.ref(sc, r.pick(['pkgs', 'final', 'prev'])), r.pick(['cudaPackages', 'cudaPackages_12', 'cudaPackages_12_2']))],
    ])();
  }

  toolkit(sc: Scope): Expr {
    const r = this.r;
    return r.weighted<() => Expr>([
      [8, () => this.ref(sc, 'cudatoolkit')],
      [2, () => this.ref(sc, r.pick(['cudatoolkit_11', 'cudatoolkit_12', 'cudatoolkit_10_2', 'cudatoolkit_11_8']))],
      [2, () => sel(this.cudaSet(sc), 'cudatoolkit')],
      [2, () => sel(this.ref(sc, r.pick(['pkgs', 'final', 'prev'])), 'cudatoolkit')],
    ])();
  }

  /** Something that looks like a package. */
  pkg(sc: Scope, depth = 0): Expr {
    const r = this.r;
    return r.weighted<() => Expr>([
      [6, () => this.toolkit(sc)],
      [3, () => sel(this.toolkit(sc), r.pick(TOOLKIT_ATTRS).split('.')[0]!)],
      [5, () => sel(this.cudaSet(sc), r.pick(CUDA_COMPONENTS))],
      [4, () => this.ref(sc, r.pick(['addOpenGLRunpath', 'autoAddOpenGLRunpathHook', 'addDriverRunpath', 'autoAddDriverRunpath']))],
      [1, () => sel(this.ref(sc, 'addOpenGLRunpath'), 'driverLink')],
      [5, () => this.ref(sc, r.pick(['cmake', 'ninja', 'pkg-config', 'python3', 'zlib', 'openssl', 'makeWrapper', 'cudnn', 'nccl', 'perl']))],
      [2, () => sel(this.ref(sc, r.pick(['pkgs', 'final', 'prev', 'args'])), r.pick([...NEEDLES, 'zlib', 'cmake']))],
      [2, () => (depth < 2 ? app(sel(this.ref(sc, 'lib'), r.pick(['getLib', 'getDev', 'getBin'])), this.pkg(sc, depth + 1)) : this.toolkit(sc))],
      [1, () => (depth < 2 ? app(sel(this.ref(sc, 'lib'), 'getOutput'), str('static'), this.pkg(sc, depth + 1)) : this.toolkit(sc))],
      [2, () => this.ref(sc, this.name())],
      [1, () => ({ k: 'sel', base: this.ref(sc, 'pkgs'), path: [r.pick(['cudatoolkit', 'foo'])], or: r.chance(0.5) ? lit('null') : this.ref(sc, 'cudatoolkit') })],
    ])();
  }

  /** A list of packages, maybe under `with cudaPackages;`, `lib.optionals`, `++`. */
  inputs(sc: Scope, depth = 0): Expr {
    const r = this.r;
    const plainList = (s: Scope, under: boolean): Expr =>
      this.list(
        Array.from({ length: r.weighted([[1, 0], [4, 1], [4, 2], [3, 3], [1, 6]]) }, () =>
          under && r.chance(0.6) ? this.ref(s, r.pick(CUDA_COMPONENTS)) : this.pkg(s),
        ),
      );
    return r.weighted<() => Expr>([
      [6, () => plainList(sc, false)],
      [3, () => {
        const s2: Scope = { bound: sc.bound, withs: sc.withs + 1 };
        return { k: 'with', env: this.cudaSet(sc), body: plainList(s2, true), ml: r.chance(0.5) && !this.compact };
      }],
      [3, () => app(sel(this.ref(sc, 'lib'), 'optionals'), this.cond(sc), depth < 2 ? this.inputs(sc, depth + 1) : plainList(sc, false))],
      [1, () => app(sel(this.ref(sc, 'lib'), 'optional'), this.cond(sc), this.pkg(sc))],
      // a split package beside the toolkit, as files that began migrating have it
      [1, () => ({ k: 'op', op: '++', l: app(sel(this.ref(sc, 'lib'), 'optional'), this.cond(sc), sel(this.ref(sc, 'cudaPackages'), r.pick(CUDA_COMPONENTS))), r: this.inputs(sc, depth + 1), ml: r.chance(0.5) })],
      [2, () => (depth < 2 ? { k: 'op', op: '++', l: plainList(sc, false), r: this.inputs(sc, depth + 1), ml: r.chance(0.3) } : plainList(sc, false))],
      [1, () => ({ k: 'paren', e: { k: 'with', env: this.cudaSet(sc), body: plainList({ bound: sc.bound, withs: sc.withs + 1 }, true), ml: true }, ml: r.chance(0.5) })],
      [1, () => app(sel(this.ref(sc, 'lib'), 'concatMap'), { k: 'paren', e: this.lambda(sc), ml: false }, plainList(sc, false))],
    ])();
  }

  cond(sc: Scope): Expr {
    const r = this.r;
    return r.weighted<() => Expr>([
      [5, () => this.ref(sc, r.pick(['cudaSupport', 'enableCuda']))],
      [1, () => sel(this.ref(sc, 'config'), 'cudaSupport')],
      [1, () => lit(r.pick(['true', 'false']))],
      [1, () => ({ k: 'op', op: r.pick(['==', '!=']), l: this.toolkit(sc), r: lit('null'), ml: false })],
      [1, () => ({ k: 'not', e: this.ref(sc, 'cudaSupport') })],
      [1, () => ({ k: 'has', e: this.ref(sc, 'cudaPackages'), path: [r.pick(['cudatoolkit', 'libcublas'])] })],
    ])();
  }

  lambda(sc: Scope): Expr {
    const r = this.r;
    const p = r.pick(['p', 'x', 'cudatoolkit', 'addOpenGLRunpath', 'pkg']);
    const inner: Scope = { bound: new Set([...sc.bound, p]), withs: sc.withs };
    return { k: 'fn', param: { k: 'id', name: p }, body: this.list([app(sel(this.ref(inner, 'lib'), 'getLib'), id(p)), app(sel(this.ref(inner, 'lib'), 'getDev'), id(p))]), ml: false };
  }
}
