/**
 * Seeded generation of Nix inputs for the property tests (test/property/properties.test.ts):
 *
 *  - `Rng`: mulberry32, a tiny seeded PRNG; every case is reproducible from one 32-bit seed.
 *  - `generateFile(seed)`: a random, syntactically valid Nix file biased towards what the
 *    built-in transforms look at (package functions with formals in every style, derivations
 *    with input lists, `let` / `rec` / `with`, strings and indented strings interpolating CUDA
 *    paths, symlinkJoin / buildEnv, call sites, overlays, modules, `# nixshift-ignore` and other
 *    comments in odd places, the transforms' needles as identifiers, shadowing, CRLF).
 *    Most files are "closed" (every free variable is a formal of the top function) so that
 *    `nix-instantiate --parse`, which also rejects undefined variables, can judge them as is.
 *  - `mutateSource(text, seed)`: small mutations of an existing file (a fixture) that keep it
 *    parseable by tree-sitter (invalid mutations are retried / dropped).
 *
 * The generator builds a small AST and prints it, nixfmt-like most of the time, sometimes
 * compact (inline lists, attrsets and formals, leading-comma formals, `/* *\/` comments).
 */
import type { SyntaxNode } from '../../src/nix/tree.js';
import { parseNix } from '../../src/nix/parser.js';
import { Rng } from '../../bench/rng.js';

// ---------------------------------------------------------------------------------------------
// PRNG

export { Rng };

/** The seed of case `index` of a run with base seed `base` (well spread, never 0). */
export function caseSeed(base: number, index: number): number {
  let h = (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 1 : h;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** The transforms' needles and their neighbours. */
export const NEEDLES = [
  'cudatoolkit',
  'cudatoolkit_11',
  'cudatoolkit_12',
  'cudatoolkit_10_2',
  'cudatoolkit_11_8',
  'cudaPackages',
  'cudaPackages_12',
  'cudaPackages_11_8',
  'cudaPackages_10_2',
  'symlinkJoin',
  'buildEnv',
  'addOpenGLRunpath',
  'addDriverRunpath',
  'autoAddOpenGLRunpathHook',
  'autoAddDriverRunpath',
] as const;

const PLAIN_NAMES = [
  'lib', 'stdenv', 'fetchurl', 'fetchFromGitHub', 'cmake', 'ninja', 'pkg-config', 'python3', 'zlib', 'openssl', 'makeWrapper',
  'autoPatchelfHook', 'config', 'cudaSupport', 'enableCuda', 'pkgs', 'cudnn', 'nccl', 'perl', 'gfortran', 'blas', 'numpy',
  'callPackage', 'runCommand', 'writeShellScript', 'glibc', 'x', 'y', 'foo', 'bar_baz', "foo'", 'self', 'super',
];

/** Attributes of a CUDA package set. */
const CUDA_COMPONENTS = [
  'cuda_cudart', 'cuda_nvcc', 'cuda_cccl', 'libcublas', 'libcufft', 'libcurand', 'libcusparse', 'libcusolver', 'cuda_cupti',
  'cuda_nvrtc', 'cuda_nvml_dev', 'cuda_profiler_api', 'cudnn', 'nccl', 'libnpp', 'cudatoolkit', 'autoAddOpenGLRunpathHook',
  'cudaVersion', 'cudaMajorMinorVersion', 'backendStdenv',
];

/** Attributes selected on the toolkit (and friends). */
const TOOLKIT_ATTRS = ['lib', 'out', 'dev', 'cc', 'version', 'majorVersion', 'static', 'doc', 'driverLink', 'cc.stdenv', 'passthru.foo', 'bin'];

const TOOLKIT_PATHS = [
  '/lib', '/lib64', '/lib/stubs', '/lib/libcudart.so', '/lib64/libcublas.so', '/lib/stubs/libcuda.so', '/bin/nvcc', '/bin/ptxas',
  '/include', '/include/cufft.h', '/nvvm/libdevice', '/extras/CUPTI/lib64', '/nsight-compute', '', '/share', '/lib/libnvrtc.so.12',
];

const EVIDENCE_WORDS = ['cublas', 'cufft', 'curand', 'cusparse', 'cusolver', 'nvrtc', 'cupti', 'nvml', 'thrust', 'npp', 'cudnn', 'nccl'];

const TRANSFORM_NAMES = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'];

const KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);

// ---------------------------------------------------------------------------------------------
// AST

type StrPart = string | Expr; // a string: raw source text (already escaped)

export type Expr =
  | { k: 'id'; name: string }
  | { k: 'lit'; text: string }
  | { k: 'str'; parts: StrPart[] }
  | { k: 'istr'; lines: StrPart[][] }
  | { k: 'sel'; base: Expr; path: string[]; or?: Expr }
  | { k: 'list'; items: Item[]; ml: boolean; inner?: string }
  | { k: 'attrs'; rec: boolean; binds: Bind[]; ml: boolean; inner?: string }
  | { k: 'let'; binds: Bind[]; body: Expr; ml: boolean }
  | { k: 'with'; env: Expr; body: Expr; ml: boolean }
  | { k: 'assert'; cond: Expr; body: Expr }
  | { k: 'app'; fn: Expr; args: Expr[] }
  | { k: 'fn'; param: Param; body: Expr; ml: boolean }
  | { k: 'if'; c: Expr; t: Expr; e: Expr; ml: boolean }
  | { k: 'op'; op: string; l: Expr; r: Expr; ml: boolean }
  | { k: 'not'; e: Expr }
  | { k: 'has'; e: Expr; path: string[] }
  | { k: 'paren'; e: Expr; ml: boolean };

interface Item {
  e: Expr;
  before: string[];
  after?: string;
}

type Bind =
  | { k: 'bind'; path: string[]; value: Expr; before: string[]; after?: string; mid?: string }
  | { k: 'inherit'; from?: Expr; names: string[]; before: string[]; after?: string };

interface Formal {
  name: string;
  def?: Expr;
  before: string[];
  after?: string;
}

type Param =
  | { k: 'id'; name: string }
  | { k: 'formals'; formals: Formal[]; ellipsis: boolean; at?: { name: string; before: boolean }; style: FormalsStyle; inner?: string };

type FormalsStyle = 'nixfmt' | 'inline' | 'inline-trailing' | 'leading' | 'nixfmt-no-trailing';

// ---------------------------------------------------------------------------------------------
// Printing

const INDENT = '  ';

function isAtom(e: Expr): boolean {
  switch (e.k) {
    case 'id':
    case 'lit':
    case 'str':
    case 'istr':
    case 'list':
    case 'attrs':
    case 'paren':
      return true;
    case 'sel':
      return e.or === undefined;
    default:
      return false;
  }
}

/** `#` comments need a line break after them; inline layouts turn them into block comments. */
function inlineComment(c: string): string {
  return c.startsWith('#') ? `/*${c.slice(1).replace(/\*\//g, '* /')} */` : c;
}

function hasLineComment(cs: readonly (string | undefined)[]): boolean {
  return cs.some((c) => c !== undefined && c.startsWith('#'));
}

class Printer {
  print(e: Expr, ind: string): string {
    switch (e.k) {
      case 'id':
        return e.name;
      case 'lit':
        return e.text;
      case 'str':
        return `"${e.parts.map((p) => (typeof p === 'string' ? p : `\${${this.print(p, ind)}}`)).join('')}"`;
      case 'istr': {
        const inner = ind + INDENT;
        const lines = e.lines.map((l) => {
          const text = l.map((p) => (typeof p === 'string' ? p : `\${${this.print(p, inner)}}`)).join('');
          return text === '' ? '' : inner + text;
        });
        return `''\n${lines.join('\n')}\n${ind}''`;
      }
      case 'sel': {
        // a path or number followed by `.x` would be read as one literal
        const base = isAtom(e.base) && e.base.k !== 'lit' ? this.print(e.base, ind) : `(${this.print(e.base, ind)})`;
        const s = `${base}.${e.path.join('.')}`;
        if (!e.or) return s;
        return `${s} or ${isAtom(e.or) ? this.print(e.or, ind) : `(${this.print(e.or, ind)})`}`;
      }
      case 'list':
        return this.list(e, ind);
      case 'attrs':
        return this.attrs(e, ind);
      case 'let': {
        const ml = e.ml || e.binds.some((b) => hasLineComment([...b.before, b.after, b.k === 'bind' ? b.mid : undefined]));
        if (!ml) return `let ${e.binds.map((b) => this.bind(b, ind, false)).join(' ')} in ${this.print(e.body, ind)}`;
        const inner = ind + INDENT;
        const bs = e.binds.map((b) => this.bindMl(b, inner)).join('');
        return `let\n${bs}${ind}in\n${ind}${this.print(e.body, ind)}`;
      }
      case 'with':
        return `with ${this.print(e.env, ind)};${e.ml ? `\n${ind}` : ' '}${this.print(e.body, ind)}`;
      case 'assert':
        return `assert ${this.print(e.cond, ind)};\n\n${ind}${this.print(e.body, ind)}`;
      case 'app': {
        const fn = e.fn.k === 'app' || isAtom(e.fn) ? this.print(e.fn, ind) : `(${this.print(e.fn, ind)})`;
        return [fn, ...e.args.map((a) => (isAtom(a) ? this.print(a, ind) : `(${this.print(a, ind)})`))].join(' ');
      }
      case 'fn':
        return `${this.param(e.param, ind)}:${e.ml ? `\n\n${ind}` : ' '}${this.print(e.body, ind)}`;
      case 'if':
        if (e.ml) {
          const inner = ind + INDENT;
          return `if ${this.print(e.c, ind)} then\n${inner}${this.print(e.t, inner)}\n${ind}else\n${inner}${this.print(e.e, inner)}`;
        }
        return `if ${this.print(e.c, ind)} then ${this.print(e.t, ind)} else ${this.print(e.e, ind)}`;
      case 'op': {
        const side = (x: Expr): string => (isAtom(x) || x.k === 'app' ? this.print(x, ind) : `(${this.print(x, ind)})`);
        return `${side(e.l)}${e.ml ? `\n${ind}` : ' '}${e.op} ${side(e.r)}`;
      }
      case 'not':
        return `!${isAtom(e.e) ? this.print(e.e, ind) : `(${this.print(e.e, ind)})`}`;
      case 'has':
        return `${isAtom(e.e) && e.e.k !== 'lit' ? this.print(e.e, ind) : `(${this.print(e.e, ind)})`} ? ${e.path.join('.')}`;
      case 'paren':
        if (e.ml) {
          const inner = ind + INDENT;
          return `(\n${inner}${this.print(e.e, inner)}\n${ind})`;
        }
        return `(${this.print(e.e, ind)})`;
    }
  }

  private list(e: Extract<Expr, { k: 'list' }>, ind: string): string {
    const ml = e.ml || e.items.some((i) => hasLineComment([...i.before, i.after])) || (e.inner !== undefined && e.inner.startsWith('#'));
    const item = (x: Expr, at: string): string => (isAtom(x) ? this.print(x, at) : `(${this.print(x, at)})`);
    if (e.items.length === 0) {
      if (e.inner === undefined) return '[ ]';
      if (!ml) return `[ ${e.inner} ]`;
      return `[\n${ind}${INDENT}${e.inner}\n${ind}]`;
    }
    if (!ml) {
      const parts = e.items.map((i) => [...i.before.map(inlineComment), item(i.e, ind), ...(i.after ? [inlineComment(i.after)] : [])].join(' '));
      return `[ ${parts.join(' ')} ]`;
    }
    const inner = ind + INDENT;
    const lines = e.items.map((i) => `${i.before.map((c) => `${inner}${c}\n`).join('')}${inner}${item(i.e, inner)}${i.after ? ` ${i.after}` : ''}\n`);
    return `[\n${lines.join('')}${e.inner !== undefined ? `${inner}${e.inner}\n` : ''}${ind}]`;
  }

  private attrs(e: Extract<Expr, { k: 'attrs' }>, ind: string): string {
    const open = e.rec ? 'rec {' : '{';
    const ml = e.ml || e.binds.some((b) => hasLineComment([...b.before, b.after, b.k === 'bind' ? b.mid : undefined])) || (e.inner !== undefined && e.inner.startsWith('#'));
    if (e.binds.length === 0) {
      if (e.inner === undefined) return `${open} }`;
      if (!ml) return `${open} ${e.inner} }`;
      return `${open}\n${ind}${INDENT}${e.inner}\n${ind}}`;
    }
    if (!ml) return `${open} ${e.binds.map((b) => this.bind(b, ind, false)).join(' ')} }`;
    const inner = ind + INDENT;
    return `${open}\n${e.binds.map((b) => this.bindMl(b, inner)).join('')}${e.inner !== undefined ? `${inner}${e.inner}\n` : ''}${ind}}`;
  }

  private bindMl(b: Bind, ind: string): string {
    return `${b.before.map((c) => `${ind}${c}\n`).join('')}${ind}${this.bind(b, ind, true)}${b.after ? ` ${b.after}` : ''}\n`;
  }

  private bind(b: Bind, ind: string, ml: boolean): string {
    const pre = ml ? '' : b.before.map((c) => `${inlineComment(c)} `).join('');
    const post = !ml && b.after ? ` ${inlineComment(b.after)}` : '';
    if (b.k === 'inherit') {
      const from = b.from ? ` (${this.print(b.from, ind)})` : '';
      return `${pre}inherit${from} ${b.names.join(' ')};${post}`;
    }
    if (b.mid !== undefined) {
      if (ml && b.mid.startsWith('#')) {
        const inner = ind + INDENT;
        return `${pre}${b.path.join('.')} = ${b.mid}\n${inner}${this.print(b.value, inner)};${post}`;
      }
      return `${pre}${b.path.join('.')} = ${inlineComment(b.mid)} ${this.print(b.value, ind)};${post}`;
    }
    return `${pre}${b.path.join('.')} = ${this.print(b.value, ind)};${post}`;
  }

  private param(p: Param, ind: string): string {
    if (p.k === 'id') return p.name;
    const wrap = (body: string): string => (p.at ? (p.at.before ? `${p.at.name}@${body}` : `${body}@${p.at.name}`) : body);
    const all: Formal[] = p.formals;
    const hasComments = all.some((f) => hasLineComment([...f.before, f.after])) || (p.inner !== undefined && p.inner.startsWith('#'));
    let style = p.style;
    if (hasComments && (style === 'inline' || style === 'inline-trailing')) style = 'nixfmt';
    const formal = (f: Formal, at: string): string => (f.def ? `${f.name} ? ${this.print(f.def, at)}` : f.name);
    if (all.length === 0 && !p.ellipsis) return wrap(p.inner !== undefined && !hasComments ? `{ ${p.inner} }` : '{ }');
    if (style === 'inline' || style === 'inline-trailing') {
      const parts = all.map((f) => [...f.before.map(inlineComment), formal(f, ind), ...(f.after ? [inlineComment(f.after)] : [])].join(' '));
      if (p.ellipsis) parts.push('...');
      const trailing = style === 'inline-trailing' && !p.ellipsis && all.length > 0 ? ',' : '';
      return wrap(`{ ${parts.join(', ')}${trailing} }`);
    }
    const inner = ind + INDENT;
    if (style === 'leading') {
      // { a
      // , b ? x
      // , ...
      // }
      let out = '{';
      all.forEach((f, i) => {
        if (i === 0) out += f.before.length > 0 ? `\n${f.before.map((c) => `${inner}${c}\n`).join('')}${inner}` : ' ';
        else out += `${f.before.map((c) => `${inner}${c}\n`).join('')}${ind}, `;
        out += `${formal(f, inner)}${f.after ? ` ${f.after}` : ''}\n`;
      });
      if (p.ellipsis) out += all.length === 0 ? ' ...\n' : `${ind}, ...\n`;
      if (p.inner !== undefined) out += `${inner}${p.inner}\n`;
      return wrap(`${out}${ind}}`);
    }
    // nixfmt: one formal per line, trailing commas (or none after the last one)
    const rows: string[] = [];
    all.forEach((f, i) => {
      for (const c of f.before) rows.push(`${inner}${c}\n`);
      const last = i === all.length - 1 && !p.ellipsis;
      const comma = last && style === 'nixfmt-no-trailing' ? '' : ',';
      rows.push(`${inner}${formal(f, inner)}${comma}${f.after ? ` ${f.after}` : ''}\n`);
    });
    if (p.ellipsis) rows.push(`${inner}...\n`);
    if (p.inner !== undefined) rows.push(`${inner}${p.inner}\n`);
    return wrap(`{\n${rows.join('')}${ind}}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Generation

interface Scope {
  bound: ReadonlySet<string>;
  /** Under a `with`: unknown names are not free for Nix. */
  withs: number;
}

const id = (name: string): Expr => ({ k: 'id', name });
const lit = (text: string): Expr => ({ k: 'lit', text });
const sel = (base: Expr, ...path: string[]): Expr => ({ k: 'sel', base, path });
const app = (fn: Expr, ...args: Expr[]): Expr => ({ k: 'app', fn, args });
const str = (...parts: StrPart[]): Expr => ({ k: 'str', parts });
const item = (e: Expr): Item => ({ e, before: [] });
const bind = (path: string[], value: Expr): Bind => ({ k: 'bind', path, value, before: [] });

/** Tracks attribute paths of one attrset / let so that none is defined twice (Nix rejects that). */
class Keys {
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

export type FileKind = 'package' | 'call-sites' | 'overlay' | 'module' | 'devshell' | 'flake' | 'expression';

export interface GeneratedFile {
  seed: number;
  kind: FileKind;
  text: string;
}

class Gen {
  readonly free = new Set<string>();
  private readonly p = new Printer();
  /** File-wide layout: most files nixfmt-like, some compact. */
  readonly compact: boolean;
  /** Comment density. */
  private readonly commentRate: number;
  private readonly ignoreRate: number;

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

  // -- package references ----------------------------------------------------------------------

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

  // -- strings ---------------------------------------------------------------------------------

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

  // -- generic expressions ---------------------------------------------------------------------

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

  // -- CUDA shapes -----------------------------------------------------------------------------

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

  // -- files -----------------------------------------------------------------------------------

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

/** Top-of-file comments, sometimes a whole-file suppression. */
function header(g: Gen): string {
  const r = g.r;
  const lines: string[] = [];
  if (r.chance(0.15)) lines.push(`# ${r.pick(['A package.', 'Mentions addOpenGLRunpath and cudatoolkit only here.', 'generated', ''])}`);
  if (r.chance(0.05)) lines.push(g.ignoreComment());
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function generateFile(seed: number): GeneratedFile {
  const r = new Rng(seed);
  const g = new Gen(r);
  const kind = r.weighted<FileKind>([
    [60, 'package'],
    [8, 'call-sites'],
    [7, 'overlay'],
    [7, 'module'],
    [6, 'devshell'],
    [6, 'flake'],
    [12, 'expression'],
  ]);
  const e = kind === 'package' ? g.packageFile() : kind === 'call-sites' ? g.callSitesFile() : kind === 'overlay' ? g.overlayFile() : kind === 'module' ? g.moduleFile() : kind === 'devshell' ? g.devshellFile() : kind === 'flake' ? g.flakeFile() : g.expressionFile();
  let text = header(g) + g.print(e);
  text += r.weighted([[8, '\n'], [1, ''], [1, '\n\n'], [1, ' # trailing comment\n']]);
  if (r.chance(0.1)) text = text.replace(/\n/g, '\r\n');
  if (r.chance(0.02)) text = `\uFEFF${text}`;
  if (r.chance(0.03)) text = text.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2));
  return { seed, kind, text };
}

// ---------------------------------------------------------------------------------------------
// Mutations of existing files (fixtures)

export type Mutation =
  | 'drop-node'
  | 'duplicate-element'
  | 'duplicate-binding'
  | 'swap-siblings'
  | 'rename-identifier'
  | 'add-comment'
  | 'add-ignore'
  | 'toggle-crlf'
  | 'drop-trailing-comma'
  | 'add-trailing-comma'
  | 'insert-whitespace'
  | 'paren-wrap'
  | 'replace-element';

const MUTATIONS: readonly Mutation[] = [
  'drop-node', 'duplicate-element', 'duplicate-binding', 'swap-siblings', 'rename-identifier', 'add-comment', 'add-ignore',
  'toggle-crlf', 'drop-trailing-comma', 'add-trailing-comma', 'insert-whitespace', 'paren-wrap', 'replace-element',
];

function nodesOf(root: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  return root.descendantsOfType([...types]);
}

const splice = (text: string, start: number, end: number, by: string): string => text.slice(0, start) + by + text.slice(end);

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** One mutation; undefined when it does not apply. */
function mutateOnce(text: string, m: Mutation, r: Rng): string | undefined {
  const parsed = parseNix(text);
  if (parsed.syntaxError) return undefined;
  const root = parsed.root;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  switch (m) {
    case 'drop-node': {
      const ns = nodesOf(root, ['binding', 'inherit', 'inherit_from', 'formal']).concat(root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment')));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.startIndex, n.endIndex, '');
    }
    case 'duplicate-element': {
      const ns = root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment'));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.endIndex, n.endIndex, ` ${text.slice(n.startIndex, n.endIndex)}`);
    }
    case 'duplicate-binding': {
      const ns = nodesOf(root, ['binding']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const copy = text.slice(n.startIndex, n.endIndex).replace(/^([A-Za-z_][\w'-]*)/, `$1${r.pick(['_2', 'Copy', 'X'])}`);
      const ls = lineStart(text, n.startIndex);
      const indent = /^[ \t]*/.exec(text.slice(ls))![0];
      return splice(text, n.endIndex, n.endIndex, `${eol}${indent}${copy}`);
    }
    case 'swap-siblings': {
      const parents = [...nodesOf(root, ['binding_set', 'list_expression', 'formals'])];
      const pairs: [SyntaxNode, SyntaxNode][] = [];
      for (const p of parents) {
        const kids = p.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'ellipses');
        for (let i = 0; i + 1 < kids.length; i++) pairs.push([kids[i]!, kids[i + 1]!]);
      }
      if (pairs.length === 0) return undefined;
      const [a, b] = r.pick(pairs);
      const ta = text.slice(a.startIndex, a.endIndex);
      const tb = text.slice(b.startIndex, b.endIndex);
      return text.slice(0, a.startIndex) + tb + text.slice(a.endIndex, b.startIndex) + ta + text.slice(b.endIndex);
    }
    case 'rename-identifier': {
      const ns = nodesOf(root, ['identifier']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const name = r.chance(0.7) ? r.pick(NEEDLES) : r.pick(PLAIN_NAMES);
      // rename every occurrence of that name (keeps bindings and uses in sync) or just this one
      const old = text.slice(n.startIndex, n.endIndex);
      if (r.chance(0.5)) {
        let out = text;
        for (const x of [...ns].reverse()) if (text.slice(x.startIndex, x.endIndex) === old) out = splice(out, x.startIndex, x.endIndex, name);
        return out;
      }
      return splice(text, n.startIndex, n.endIndex, name);
    }
    case 'add-comment':
    case 'add-ignore': {
      const g = new Gen(r);
      const c = m === 'add-ignore' ? g.ignoreComment() : g.comment();
      const lines = text.split('\n');
      if (c.startsWith('#') || r.chance(0.5)) {
        // on a line of its own, before a random line, indented like it
        const i = r.int(lines.length);
        const indent = /^[ \t]*/.exec(lines[i]!)![0];
        lines.splice(i, 0, `${indent}${c}${eol === '\r\n' ? '\r' : ''}`);
        return lines.join('\n');
      }
      // a block comment before a random token
      const leaves = root.descendantsOfType(['identifier', '[', ']', '{', '}', '=', ';', ':', ',', 'string_expression', 'list_expression']);
      if (leaves.length === 0) return undefined;
      const n = r.pick(leaves);
      return splice(text, n.startIndex, n.startIndex, `${c} `);
    }
    case 'toggle-crlf':
      return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
    case 'drop-trailing-comma': {
      const at = [...text.matchAll(/,(\s*)\}/g)].map((x) => x.index);
      if (at.length === 0) return undefined;
      const i = r.pick(at);
      return splice(text, i, i + 1, '');
    }
    case 'add-trailing-comma': {
      const fs = nodesOf(root, ['formals']);
      if (fs.length === 0) return undefined;
      const f = r.pick(fs);
      const formals = f.namedChildren.filter((c) => c.type === 'formal');
      if (formals.length === 0 || f.namedChildren.some((c) => c.type === 'ellipses')) return undefined;
      const last = formals[formals.length - 1]!;
      const after = text.slice(last.endIndex, f.endIndex);
      if (/^\s*,/.test(after)) return undefined;
      return splice(text, last.endIndex, last.endIndex, ',');
    }
    case 'insert-whitespace': {
      const leaves: SyntaxNode[] = [];
      const walk = (n: SyntaxNode): void => {
        if (n.childCount === 0) leaves.push(n);
        else for (const c of n.children) walk(c);
      };
      walk(root);
      if (leaves.length === 0) return undefined;
      const n = r.pick(leaves);
      const ws = r.pick([' ', '  ', '\t', eol, `${eol}${eol}`, `${eol}    `]);
      return splice(text, n.endIndex, n.endIndex, ws);
    }
    case 'paren-wrap': {
      const ns = nodesOf(root, ['variable_expression', 'select_expression', 'list_expression', 'attrset_expression', 'apply_expression', 'string_expression']);
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      return splice(text, n.startIndex, n.endIndex, `(${text.slice(n.startIndex, n.endIndex)})`);
    }
    case 'replace-element': {
      const ns = root.descendantsOfType('list_expression').flatMap((l) => l.namedChildren.filter((c) => c.type !== 'comment'));
      if (ns.length === 0) return undefined;
      const n = r.pick(ns);
      const by = r.pick(['cudatoolkit', 'cudaPackages.cudatoolkit', 'addOpenGLRunpath', 'cudaPackages.libcublas', '(lib.getLib cudatoolkit)', 'cudatoolkit.lib', 'pkgs.cudatoolkit', 'symlinkJoin']);
      return splice(text, n.startIndex, n.endIndex, by);
    }
  }
}

export interface Mutated {
  seed: number;
  text: string;
  mutations: Mutation[];
}

/**
 * 1–4 mutations of `text`, each kept only when the result still parses (tree-sitter); the
 * result may equal the input when no mutation applied.
 */
export function mutateSource(text: string, seed: number): Mutated {
  const r = new Rng(seed);
  const n = r.range(1, 4);
  const done: Mutation[] = [];
  let cur = text;
  for (let i = 0, tries = 0; i < n && tries < 12; tries++) {
    const m = r.pick(MUTATIONS);
    const next = mutateOnce(cur, m, r);
    if (next === undefined || next === cur) continue;
    if (parseNix(next).syntaxError) continue;
    cur = next;
    done.push(m);
    i++;
  }
  return { seed, text: cur, mutations: done };
}
