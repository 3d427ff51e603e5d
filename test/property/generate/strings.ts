/**
 * Strings: `"…"` strings and `''…''` shell snippets (install phases, hooks) interpolating the
 * toolkit, its paths (`${cudatoolkit}/lib64`), `lib.makeLibraryPath` and the driver link, with
 * escapes (`\${`, `''${`, `'''`) and non-ASCII text beside them. The transforms read these for
 * evidence of which CUDA components a package uses, and rewrite the paths in them.
 */
import { app, type Expr, item, type Scope, sel, str, type StrPart } from './ast.js';
import { PackageGen } from './packages.js';
import { CUDA_COMPONENTS, EVIDENCE_WORDS, TOOLKIT_PATHS } from './vocabulary.js';

export class StringGen extends PackageGen {
  /** An interpolated expression inside a string. */
  interp(sc: Scope): Expr {
    const r = this.r;
    return r.weighted<() => Expr>([
      [6, () => this.toolkit(sc)],
      [2, () => sel(this.toolkit(sc), r.pick(['lib', 'out', 'cc', 'dev']))],
      [2, () => app(sel(this.ref(sc, 'lib'), 'makeLibraryPath'), { k: 'list', items: [item(this.pkg(sc)), ...(r.chance(0.5) ? [item(this.pkg(sc))] : [])], ml: false })],
      [2, () => sel(this.ref(sc, 'addOpenGLRunpath'), 'driverLink')],
      [2, () => this.ref(sc, this.name())],
      [1, () => sel(this.cudaSet(sc), r.pick(CUDA_COMPONENTS))],
      [1, () => app(sel(this.ref(sc, 'lib'), 'getLib'), this.pkg(sc))],
      [1, () => str('nested ', this.ref(sc, 'cudatoolkit'))],
    ])();
  }

  /** Raw text for a `"…"` string (escaped). */
  strText(): string {
    return this.r.pick([
      '-L', '-I', '--with-cuda=', '-DCUDA_TOOLKIT_ROOT_DIR=', 'LIBS=-l' + this.r.pick(EVIDENCE_WORDS), ' ', '/lib', ':', 'plain', '',
      '\\${cudatoolkit}', '\\"quoted\\"', '$out/lib', '\\n', 'cublas;cufft', 'addOpenGLRunpath $out/bin/x', 'é ü 😀',
    ]);
  }

  string(sc: Scope): Expr {
    const r = this.r;
    const parts: StrPart[] = [];
    const n = r.range(0, 4);
    for (let i = 0; i < n; i++) {
      if (r.chance(0.5)) parts.push(this.strText());
      else {
        parts.push(this.interp(sc));
        if (r.chance(0.7)) parts.push(r.pick(TOOLKIT_PATHS));
      }
    }
    return { k: 'str', parts };
  }

  shellLine(sc: Scope): StrPart[] {
    const r = this.r;
    const tk = (): StrPart[] => [this.interp(sc), r.pick(TOOLKIT_PATHS)];
    return r.weighted<() => StrPart[]>([
      [3, () => ['patchelf --add-rpath ', ...tk(), ' $out/lib/libfoo.so']],
      [2, () => ['patchelf --set-rpath "', ...tk(), ':', ...tk(), '" $out/bin/app']],
      [3, () => [r.pick(['addOpenGLRunpath', 'addDriverRunpath']), ' $out/', r.pick(['bin/app', 'lib/libx.so', 'lib/*.so'])]],
      [1, () => ['for f in $out/lib/*.so; do addOpenGLRunpath "$f"; done']],
      [2, () => ['export ', r.pick(['CUDA_PATH', 'CUDA_HOME', 'LD_LIBRARY_PATH', 'PTXAS', 'NVCC']), '=', ...tk()]],
      [2, () => ['wrapProgram $out/bin/app --prefix LD_LIBRARY_PATH : ', ...tk()]],
      [1, () => ['echo "driver: ', sel(this.ref(sc, 'addOpenGLRunpath'), 'driverLink'), '/lib" > $out/share/driver']],
      [1, () => ['ln -s ', ...tk(), ' $out/share/x']],
      [1, () => ['# links ', r.pick(EVIDENCE_WORDS), ' and ', r.pick(EVIDENCE_WORDS)]],
      [1, () => ["echo ''${escaped} '''quoted''' ''$HOME"]],
      [1, () => ['']],
      [1, () => ['cat >> .bazelrc <<EOF']],
      [1, () => ['build --action_env CUDA_TOOLKIT_PATH="', this.interp(sc), '"']],
      [1, () => ['runHook postInstall']],
    ])();
  }

  indented(sc: Scope): Expr {
    const n = this.r.range(0, 5);
    const lines = Array.from({ length: n }, () => this.shellLine(sc));
    return { k: 'istr', lines };
  }
}
