/**
 * Generic expressions, for robustness: literals, names, nested lists and attrsets, `let` (its
 * names in scope for its values and body), `with`, `if`, `assert`, operators, functions,
 * selections with `or`, parentheses, and bindings and `inherit`s. `any` draws among these and
 * the CUDA shapes; the shapes (shapes.ts, the next layer) call back into `any`, so they are
 * declared here as abstract methods rather than imported, which keeps the modules acyclic.
 */
import { app, type Bind, bind, type Expr, lit, type Scope } from './ast.js';
import { Keys } from './core.js';
import { StringGen } from './strings.js';
import { NEEDLES } from './vocabulary.js';

export abstract class ExprGen extends StringGen {
  // the CUDA shapes (shapes.ts)
  abstract join(sc: Scope): Expr;
  abstract callSite(sc: Scope): Expr;
  abstract derivation(sc: Scope, depth: number): Expr;
  abstract funcWithFormals(sc: Scope, depth: number): Expr;

  literal(): Expr {
    return lit(this.r.pick(['1', '0', '42', '3.14', 'null', 'true', 'false', './.', './x.nix', '../tools/gpu-tool', '<nixpkgs>', 'https://example.org/x.tar.gz', '1.5e3']));
  }

  /** Anything, for robustness. */
  any(sc: Scope, depth: number): Expr {
    const r = this.r;
    if (depth <= 0) {
      return r.weighted<() => Expr>([
        [3, () => this.literal()],
        [4, () => this.ref(sc, this.name())],
        [3, () => this.pkg(sc)],
        [2, () => this.string(sc)],
        [1, () => this.list([])],
        [1, () => this.attrs([])],
      ])();
    }
    const d = depth - 1;
    return r.weighted<() => Expr>([
      [3, () => this.any(sc, 0)],
      [3, () => this.list(Array.from({ length: r.range(0, 4) }, () => this.any(sc, d)))],
      [3, () => this.attrs(this.binds(Array.from({ length: r.range(0, 4) }, () => () => this.genericBind(sc, d))), r.chance(0.15))],
      [2, () => this.inputs(sc)],
      [2, () => this.string(sc)],
      [1, () => this.indented(sc)],
      [2, () => this.letIn(sc, d, (s) => this.any(s, d))],
      [1, () => ({ k: 'with', env: r.chance(0.5) ? this.cudaSet(sc) : this.ref(sc, r.pick(['pkgs', 'lib', 'helpers'])), body: this.any({ bound: sc.bound, withs: sc.withs + 1 }, d), ml: r.chance(0.5) })],
      [1, () => ({ k: 'if', c: this.cond(sc), t: this.any(sc, d), e: this.any(sc, d), ml: r.chance(0.4) })],
      [1, () => ({ k: 'op', op: r.pick(['++', '//', '+', '==', '&&', '||', '->']), l: this.any(sc, d), r: this.any(sc, d), ml: r.chance(0.2) })],
      [1, () => ({ k: 'assert', cond: this.cond(sc), body: this.any(sc, d) })],
      [1, () => {
        const p = r.pick(['cudatoolkit', 'x', 'addOpenGLRunpath', 'p', 'symlinkJoin']);
        return { k: 'fn', param: { k: 'id', name: p }, body: this.any({ bound: new Set([...sc.bound, p]), withs: sc.withs }, d), ml: false };
      }],
      [1, () => this.funcWithFormals(sc, d)],
      [1, () => app(this.ref(sc, r.pick(['map', 'toString', 'builtins'])), this.any(sc, d))],
      [2, () => this.join(sc)],
      [1, () => this.callSite(sc)],
      [1, () => ({ k: 'sel', base: this.any(sc, 0), path: [this.attrName()], ...(r.chance(0.5) ? { or: this.any(sc, 0) } : {}) })],
      [1, () => ({ k: 'paren', e: this.any(sc, d), ml: r.chance(0.2) })],
      [1, () => this.derivation(sc, d)],
    ])();
  }

  genericBind(sc: Scope, depth: number): Bind | undefined {
    const r = this.r;
    if (r.chance(0.12)) return this.inheritBind(sc);
    const path = r.chance(0.2) ? [this.attrName(), this.attrName()] : [this.attrName()];
    return bind(path, this.any(sc, depth));
  }

  inheritBind(sc: Scope): Bind {
    const r = this.r;
    const names = [...new Set(Array.from({ length: r.range(1, 3) }, () => r.pick([...NEEDLES, 'cudnn', 'zlib', 'lib'])))];
    if (r.chance(0.6)) {
      const from = r.chance(0.6) ? this.cudaSet(sc) : this.ref(sc, r.pick(['pkgs', 'prev', 'final']));
      return { k: 'inherit', from, names, before: [] };
    }
    for (const n of names) this.ref(sc, n);
    return { k: 'inherit', names, before: [] };
  }

  /** `let <bindings> in <body>`; the let names are in scope for values and body. */
  letIn(sc: Scope, depth: number, body: (s: Scope) => Expr, extra: ((s: Scope) => Bind | undefined)[] = []): Expr {
    const r = this.r;
    // decide names first: let bindings are recursive
    const keys = new Keys();
    const protos: { path: string[]; make: (s: Scope) => Expr }[] = [];
    const inherits: ((s: Scope) => Bind)[] = [];
    const n = r.range(extra.length === 0 ? 1 : 0, 3);
    for (let i = 0; i < n; i++) {
      const name = r.chance(0.4) ? r.pick(NEEDLES) : r.pick(['rpath', 'cudaLibs', 'cudaEnv', 'cuda_joined', 'deps', 'effectiveStdenv', 'helper', 'version', 'x']);
      if (r.chance(0.15)) {
        inherits.push((s) => this.inheritBind(s));
        continue;
      }
      if (!keys.claim([name])) continue;
      protos.push({ path: [name], make: (s) => this.any(s, Math.max(0, depth - 1)) });
    }
    const names = new Set([...sc.bound, ...protos.map((p) => p.path[0]!)]);
    const inner: Scope = { bound: names, withs: sc.withs };
    const binds: Bind[] = [];
    for (const e of extra) {
      const b = e(inner);
      if (!b) continue;
      if (b.k === 'bind' ? keys.claim(b.path) : b.names.every((x) => keys.claim([x]))) {
        binds.push(b);
        if (b.k === 'bind') names.add(b.path[0]!);
        else for (const x of b.names) names.add(x);
      }
    }
    for (const p of protos) binds.push(bind(p.path, p.make(inner)));
    for (const mk of inherits) {
      const b = mk(inner) as Extract<Bind, { k: 'inherit' }>;
      // `let inherit x;` is `x = x`, which is not the outer x: only `inherit (e) x;` in a let
      if (!b.from) continue;
      if (b.names.every((x) => keys.claim([x]))) {
        binds.push(b);
        for (const x of b.names) names.add(x);
      }
    }
    r.shuffle(binds);
    for (const b of binds) this.withComments(b);
    return { k: 'let', binds, body: body(inner), ml: this.ml(binds.length) };
  }
}
