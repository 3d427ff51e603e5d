/**
 * The base of the generator: the state one file is generated with (its `Rng`, the free names
 * it has used so far, its layout and comment densities, drawn once per file) and the pieces
 * every other layer builds with: references that record free names, identifiers and attribute
 * names biased towards the needles, comments (ordinary ones, comments that merely mention
 * nixshift, and `# nixshift-ignore` suppressions), and lists / attrsets / bindings with comments
 * in odd places. `Keys` keeps an attrset or `let` from defining a path twice, which Nix rejects.
 *
 * The generator is one class in layers, each in its own module and each extending the one
 * before: this one, packages.ts, strings.ts, expressions.ts, shapes.ts, files.ts. Every draw
 * goes through the one `Rng`, in call order, so the same seed gives the same file.
 */
import { type Bind, type Expr, id, item, type Scope } from './ast.js';
import { Printer } from './printer.js';
import type { Rng } from './rng.js';
import { CUDA_COMPONENTS, KEYWORDS, NEEDLES, PLAIN_NAMES, TRANSFORM_NAMES } from './vocabulary.js';

/** Tracks attribute paths of one attrset / let so that none is defined twice (Nix rejects that). */
export class Keys {
  private readonly paths: string[][] = [];
  /** True (and recorded) when `path` does not clash with a path defined before. */
  claim(raw: readonly string[]): boolean {
    // `"cudatoolkit"` and `cudatoolkit` are the same attribute
    const path = raw.map((a) => (/^"[^"\\$]*"$/.test(a) ? a.slice(1, -1) : a));
    for (const p of this.paths) {
      const n = Math.min(p.length, path.length);
      let same = true;
      for (let i = 0; i < n; i++) if (p[i] !== path[i]) same = false;
      if (same) return false;
    }
    this.paths.push([...path]);
    return true;
  }
}

/** The generator's base layer; mutations.ts uses it alone, for its comments. */
export class GenCore {
  readonly free = new Set<string>();
  private readonly p = new Printer();
  /** File-wide layout: most files nixfmt-like, some compact. */
  readonly compact: boolean;
  /** Comment density. */
  protected readonly commentRate: number;
  protected readonly ignoreRate: number;

  constructor(readonly r: Rng) {
    this.compact = r.chance(0.2);
    this.commentRate = r.pick([0, 0.02, 0.08, 0.2]);
    this.ignoreRate = r.pick([0, 0, 0.02, 0.08]);
  }

  print(e: Expr): string {
    return this.p.print(e, '');
  }

  // -- names -----------------------------------------------------------------------------------

  ref(sc: Scope, name: string): Expr {
    if (!sc.bound.has(name) && sc.withs === 0) this.free.add(name);
    return id(name);
  }

  name(): string {
    return this.r.chance(0.45) ? this.r.pick(NEEDLES) : this.r.pick(PLAIN_NAMES);
  }

  attrName(): string {
    const r = this.r;
    return r.weighted<() => string>([
      [5, () => r.pick(['pname', 'version', 'src', 'name', 'meta', 'passthru', 'env', 'description', 'paths', 'postBuild', 'tools', 'hook'])],
      [4, () => r.pick(NEEDLES)],
      [3, () => r.pick(CUDA_COMPONENTS)],
      [3, () => r.pick(PLAIN_NAMES.filter((n) => !KEYWORDS.has(n)))],
      [1, () => `"${r.pick(['a-b', 'cuda-libs', 'cudatoolkit', 'x.y', 'with space'])}"`],
      [1, () => `attr${r.int(50)}`],
    ])();
  }

  comment(): string {
    const r = this.r;
    if (r.chance(this.ignoreRate / Math.max(this.commentRate, 0.01))) return this.ignoreComment();
    return r.weighted<() => string>([
      [6, () => `# ${r.pick(['comment', 'TODO: drop this', 'uses cudatoolkit', 'addOpenGLRunpath here', 'symlinkJoin of CUDA parts', 'cuBLAS and cuFFT', '', 'keep  spacing', 'a } ] ; " \' ${x}', 'nixshift: not an ignore', 'do not use nixshift-ignore here'])}`],
      [2, () => `/* ${r.pick(['block', 'cudatoolkit', 'multi\n   line', 'nixshift-ignore-ish', '{ } [ ]', 'libcublas'])} */`],
      [1, () => '#'],
      [1, () => '/**/'],
    ])();
  }

  ignoreComment(): string {
    const r = this.r;
    const names = r.shuffle([...TRANSFORM_NAMES]).slice(0, r.range(0, 3));
    const list = names.length === 0 ? '' : r.pick([': ', ' ', ':']) + names.join(r.pick([', ', ' ', ',']));
    const reason = r.chance(0.4) ? ` -- ${r.pick(['kept for downstream', 'needs the whole toolkit', 'see #123', 'x -- y'])}` : '';
    const body = `nixshift-ignore${list}${reason}`;
    return r.chance(0.85) ? `# ${body}` : `/* ${body} */`;
  }

  comments(): string[] {
    const out: string[] = [];
    while (this.r.chance(this.commentRate + this.ignoreRate) && out.length < 3) out.push(this.comment());
    return out;
  }

  maybeAfter(): string | undefined {
    return this.r.chance((this.commentRate + this.ignoreRate) / 2) ? this.comment() : undefined;
  }

  ml(nItems: number): boolean {
    if (this.compact) return this.r.chance(0.1);
    if (nItems >= 2) return this.r.chance(0.85);
    return this.r.chance(0.3);
  }

  withComments<T extends { before: string[]; after?: string }>(x: T): T {
    x.before.push(...this.comments());
    const a = this.maybeAfter();
    if (a !== undefined) x.after = a;
    return x;
  }

  list(items: Expr[]): Expr {
    const its = items.map((e) => this.withComments(item(e)));
    const inner = this.r.chance(this.commentRate / 3) ? this.comment() : undefined;
    return { k: 'list', items: its, ml: this.ml(its.length), ...(inner !== undefined ? { inner } : {}) };
  }

  attrs(binds: Bind[], rec = false): Expr {
    for (const b of binds) this.withComments(b);
    for (const b of binds) if (b.k === 'bind' && this.r.chance(this.commentRate / 4 + this.ignoreRate / 4)) b.mid = this.comment();
    const inner = this.r.chance(this.commentRate / 4) ? this.comment() : undefined;
    return { k: 'attrs', rec, binds, ml: this.ml(binds.length), ...(inner !== undefined ? { inner } : {}) };
  }

  /** Bindings from candidate generators, skipping clashing paths. */
  binds(candidates: (() => Bind | undefined)[], keys = new Keys()): Bind[] {
    const out: Bind[] = [];
    for (const c of candidates) {
      const b = c();
      if (!b) continue;
      if (b.k === 'bind' ? keys.claim(b.path) : b.names.every((n) => keys.claim([n]))) out.push(b);
    }
    return out;
  }
}
