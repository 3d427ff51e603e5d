/** Part of the benchmark corpus generator (bench/corpus.ts): the derivation model, fields kept structured until rendered. */
import { Rng } from '../rng.js';
import { ind } from './random.js';
import { Names } from './text.js';

// can extend lists and phases.

export type Style = 'nixfmt' | 'old';

export interface ListOpt {
  fn: 'optionals' | 'optional';
  cond: string;
  items: string[];
  /** `lib.optionals cond (with x; [ … ])` */
  withPrefix?: string;
}
export type Field =
  | { t: 'raw'; text: string }
  | { t: 'list'; base: string[]; opts: ListOpt[]; withPrefix?: string }
  | { t: 'shell'; cond?: string; lines: string[] }
  | { t: 'attrs'; cond?: string; prefix?: string; entries: [string, string][] };

export const ORDER = [
  'name', 'pname', 'version', 'format', 'pyproject', 'disabled', 'outputs', 'src', 'sourceRoot', 'cargoHash', 'vendorHash', 'patches',
  'postPatch', 'strictDeps', 'build-system', 'nativeBuildInputs', 'buildInputs', 'propagatedBuildInputs', 'dependencies',
  'paths', 'pathsToLink', 'extraOutputsToInstall', 'ignoreCollisions', 'runtimeDependencies',
  'cmakeFlags', 'mesonFlags', 'configureFlags', 'makeFlags', 'ldflags', 'subPackages', 'tags', 'env', 'CUDA_PATH', 'enableParallelBuilding',
  'preConfigure', 'preBuild', 'buildPhase', 'postBuild', 'doCheck', 'nativeCheckInputs', 'checkFlags', 'disabledTests', 'disabledTestPaths',
  'pythonImportsCheck', 'checkPhase', 'installPhase', 'postInstall', 'postFixup', 'passthru', 'meta',
];
export const ORDER_INDEX = new Map(ORDER.map((k, i) => [k, i]));
export const BLANK_BEFORE = new Set(['src', 'strictDeps', 'checkFlags', 'patches', 'postPatch', 'build-system', 'nativeBuildInputs', 'buildInputs', 'dependencies', 'paths', 'cmakeFlags', 'mesonFlags', 'configureFlags', 'makeFlags', 'ldflags', 'env', 'preConfigure', 'preBuild', 'buildPhase', 'postBuild', 'doCheck', 'nativeCheckInputs', 'checkPhase', 'installPhase', 'postInstall', 'postFixup', 'passthru', 'meta', 'cargoHash', 'vendorHash', 'disabledTests', 'pythonImportsCheck']);

export type Template = 'mkDerivation' | 'python-module' | 'rust' | 'go' | 'python-app' | 'nocc' | 'nixos-module' | 'nixos-test' | 'symlinkJoin-wrapper' | 'buildEnv';

export class Drv {
  readonly formals = new Map<string, string | undefined>();
  ellipsis = false;
  readonly lets: string[] = [];
  readonly asserts: string[] = [];
  readonly fields = new Map<string, Field>();
  head = 'stdenv.mkDerivation';
  self: 'finalAttrs' | 'rec' | 'none' = 'finalAttrs';
  topComment: string | undefined;
  withLibTop = false;
  pname: string;
  version: string;
  /** The key of the flags list padding may grow (`cmakeFlags`, `disabledTests`, …). */
  flagsKey: string | undefined;
  buildSystem: 'cmake' | 'meson' | 'autotools' | 'make' | 'none' = 'none';

  constructor(
    readonly r: Rng,
    readonly style: Style,
    readonly names: Names,
    name: string,
    readonly template: Template,
  ) {
    this.pname = name;
    this.version = `${r.range(0, 12)}.${r.range(0, 30)}.${r.range(0, 15)}`;
  }
  /** Add formals for the free names of an expression (`xorg.libX11` → `xorg`). */
  use(...exprs: string[]): void {
    for (const e of exprs) {
      const root = e.replace(/^\(/, '').split(/[.\s]/)[0]!;
      if (!this.formals.has(root)) this.formals.set(root, undefined);
    }
  }
  optFormal(name: string, def: string): void {
    this.formals.set(name, def);
  }
  get vref(): string | undefined {
    return this.self === 'finalAttrs' ? 'finalAttrs.version' : this.self === 'rec' ? 'version' : undefined;
  }
  get pref(): string | undefined {
    return this.self === 'finalAttrs' ? 'finalAttrs.pname' : this.self === 'rec' ? 'pname' : undefined;
  }
  /** `${version}` in a string, or the literal version. */
  get vstr(): string {
    return this.vref ? `\${${this.vref}}` : this.version;
  }
  get pstr(): string {
    return this.pref ? `\${${this.pref}}` : this.pname;
  }
  raw(key: string, text: string): void {
    this.fields.set(key, { t: 'raw', text });
  }
  list(key: string): Extract<Field, { t: 'list' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'list') throw new Error(`nixshift corpus: internal error: ${key} is not a list`);
    if (!f) {
      f = { t: 'list', base: [], opts: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  shell(key: string): Extract<Field, { t: 'shell' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'shell') throw new Error(`nixshift corpus: internal error: ${key} is not a shell phase`);
    if (!f) {
      f = { t: 'shell', lines: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  attrs(key: string): Extract<Field, { t: 'attrs' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'attrs') throw new Error(`nixshift corpus: internal error: ${key} is not an attribute set`);
    if (!f) {
      f = { t: 'attrs', entries: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  /** Add a package to a list (and the formals), once. */
  addTo(key: string, ...exprs: string[]): void {
    const l = this.list(key);
    for (const e of exprs) {
      if (l.base.includes(e)) continue;
      l.base.push(e);
      if (!l.withPrefix) this.use(e);
    }
  }
  addNative(e: string): void {
    this.addTo('nativeBuildInputs', e);
  }
  /** Add a let-bound name to a list (no formal). */
  addLocal(key: string, name: string): void {
    const l = this.list(key);
    if (!l.base.includes(name)) l.base.push(name);
  }
}

export function renderList(style: Style, items: readonly string[], level: number): string {
  if (items.length === 0) return '[ ]';
  const multiLine = items.some((i) => i.includes('\n') || i.startsWith('#'));
  if (style === 'nixfmt') {
    if (items.length === 1 && !multiLine) return `[ ${items[0]} ]`;
  } else {
    const inline = `[ ${items.join(' ')} ]`;
    if (!multiLine && inline.length <= 72) return inline;
  }
  return `[\n${items.map((i) => ind(level + 1) + i).join('\n')}\n${ind(level)}]`;
}

export function renderField(d: Drv, f: Field, level: number): string {
  switch (f.t) {
    case 'raw':
      return f.text;
    case 'list': {
      const parts: string[] = [];
      if (f.base.length > 0 || f.opts.length === 0) parts.push((f.withPrefix ? `with ${f.withPrefix}; ` : '') + renderList(d.style, f.base, level));
      for (const o of f.opts) {
        if (o.fn === 'optional') parts.push(`lib.optional ${o.cond} ${o.items[0]}`);
        else if (o.withPrefix) parts.push(`lib.optionals ${o.cond} (with ${o.withPrefix}; ${renderList(d.style, o.items, level)})`);
        else parts.push(`lib.optionals ${o.cond} ${renderList(d.style, o.items, level)}`);
      }
      return parts.join(' ++ ');
    }
    case 'shell': {
      const body = f.lines.map((l) => (l ? ind(level + 1) + l : '')).join('\n');
      const s = `''\n${body}\n${ind(level)}''`;
      return f.cond ? `lib.optionalString ${f.cond} ${s}` : s;
    }
    case 'attrs': {
      // an entry with an empty value is an `inherit …;`
      const body = f.entries.map(([k, v]) => (v === '' ? `${ind(level + 1)}${k};` : `${ind(level + 1)}${k} = ${v};`)).join('\n');
      const s = f.entries.length === 0 ? '{ }' : `{\n${body}\n${ind(level)}}`;
      return (f.cond ? `lib.optionalAttrs ${f.cond} ` : '') + (f.prefix ?? '') + s;
    }
  }
}

export function renderFormals(d: Drv): string {
  const items = [...d.formals].map(([n, def]) => (def === undefined ? n : `${n} ? ${def}`));
  if (d.ellipsis) items.push('...');
  if (d.style === 'nixfmt') {
    return `{\n${items.map((i) => `  ${i}${i === '...' ? '' : ','}`).join('\n')}\n}:`;
  }
  const inline = `{ ${items.join(', ')} }:`;
  if (inline.length <= 90) return inline;
  // leading-comma style of older nixpkgs
  return `{ ${items.join('\n, ')}\n}:`;
}

export function renderDrv(d: Drv): string {
  const keys = [...d.fields.keys()].sort((a, b) => (ORDER_INDEX.get(a) ?? 45) - (ORDER_INDEX.get(b) ?? 45));
  const lines: string[] = [];
  let first = true;
  for (const k of keys) {
    if (!first && BLANK_BEFORE.has(k) && d.style === 'nixfmt') lines.push('');
    first = false;
    lines.push(`${ind(1)}${k} = ${renderField(d, d.fields.get(k)!, 1)};`);
  }
  let body: string;
  if (d.self === 'finalAttrs') body = `${d.head} (finalAttrs: {\n${lines.join('\n')}\n})\n`;
  else if (d.self === 'rec') body = `${d.head} rec {\n${lines.join('\n')}\n}\n`;
  else body = `${d.head} {\n${lines.join('\n')}\n}\n`;
  let out = '';
  if (d.topComment) out += `${d.topComment}\n`;
  out += `${renderFormals(d)}\n\n`;
  if (d.withLibTop) out += 'with lib;\n\n';
  if (d.lets.length > 0) out += `let\n${d.lets.join(d.style === 'nixfmt' ? '\n\n' : '\n')}\nin\n`;
  for (const a of d.asserts) out += `assert ${a};\n\n`;
  return out + body;
}
