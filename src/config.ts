/**
 * The config file, `nixshift.config.json`: defaults for a tree, so that a batch migration or a
 * pre-commit hook does not repeat its flags.
 *
 *   {
 *     "transforms": ["cudatoolkit-to-redist", "symlinkjoin-to-propagated"],
 *     "ignore": ["pkgs/development/cuda-modules/"],
 *     "options": { "cudatoolkit-to-redist": { "style": "with" } },
 *     "packages": { "magma": { "cudatoolkit-to-redist": { "cuda-libs": "libcublas,libcusparse" } } },
 *     "overrides": [{ "files": ["pkgs/applications/science/"], "options": { "…": {} } }],
 *     "formatter": "nixfmt"
 *   }
 *
 * Found in the current folder or the nearest enclosing one, up to the root of the git work tree
 * (or given with --config). Paths and globs in it are relative to its folder. Precedence, lowest
 * first: a transform's defaults, `options`, matching `overrides` (in order), `packages` (by the
 * attribute derived from the file's path), then the command line (`-t`, `-o`, `--formatter`).
 * `ignore` adds to --ignore-pattern. Library code: errors are thrown as ConfigError.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { default as IgnoreFactory, Ignore } from 'ignore';
import type { OptionValue, TransformOptions } from './transform.js';
import { didYouMean } from './util/suggest.js';
import { toPosix } from './util/posix.js';

/** `ignore` is CommonJS: loaded with `require`, without Node's scan of its exports (see cli/main.ts). */
const ignore = createRequire(import.meta.url)('ignore') as typeof IgnoreFactory;

export const CONFIG_NAME = 'nixshift.config.json';

export class ConfigError extends Error {}

export type PerTransform = Record<string, TransformOptions>;

export interface NixshiftConfig {
  /** The file it was read from. */
  file: string;
  /** Its folder: paths and globs are relative to it. */
  dir: string;
  transforms?: string[];
  ignore?: string[];
  options?: PerTransform;
  packages?: Record<string, PerTransform>;
  overrides?: { files: string[]; options: PerTransform; matcher: Ignore }[];
  formatter?: string;
  /** Rules whose findings are not reported (`<transform>/<rule>`), as `--disable`. */
  disable?: string[];
}

const KEYS = new Set(['$schema', '$comment', 'transforms', 'ignore', 'options', 'packages', 'overrides', 'formatter', 'disable']);

/** The config file that applies to `cwd`: the nearest `nixshift.config.json` up to the git root. */
export function findConfig(cwd: string): string | undefined {
  let d = resolve(cwd);
  for (;;) {
    const candidate = join(d, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(d, '.git'))) return undefined;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new ConfigError(`${where} must be a list of non-empty strings`);
  return v as string[];
}

function optionValue(v: unknown, where: string): OptionValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  throw new ConfigError(`${where} must be a string, a boolean, a number or a list of strings`);
}

function perTransform(v: unknown, where: string): PerTransform {
  if (!isObject(v)) throw new ConfigError(`${where} must be an object: transform name → { option: value }`);
  const out: PerTransform = {};
  for (const [name, opts] of Object.entries(v)) {
    if (!isObject(opts)) throw new ConfigError(`${where}.${name} must be an object of options`);
    out[name] = {};
    for (const [k, val] of Object.entries(opts)) out[name][k] = optionValue(val, `${where}.${name}.${k}`);
  }
  return out;
}

export function parseConfig(text: string, file: string): NixshiftConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    if (!isObject(raw)) throw new ConfigError('the top level must be an object');
    for (const k of Object.keys(raw)) {
      const known = [...KEYS].filter((x) => !x.startsWith('$'));
      if (!KEYS.has(k)) throw new ConfigError(`unknown key "${k}"${didYouMean(k, known)} (known: ${known.join(', ')})`);
    }
    const config: NixshiftConfig = { file, dir: dirname(file) };
    if (raw.transforms !== undefined) config.transforms = stringList(raw.transforms, '"transforms"');
    if (raw.ignore !== undefined) config.ignore = stringList(raw.ignore, '"ignore"');
    if (raw.options !== undefined) config.options = perTransform(raw.options, '"options"');
    if (raw.packages !== undefined) {
      if (!isObject(raw.packages)) throw new ConfigError('"packages" must be an object: attribute (e.g. "python3Packages.torch") → { transform: { option: value } }');
      config.packages = {};
      for (const [attr, v] of Object.entries(raw.packages)) config.packages[attr] = perTransform(v, `"packages"."${attr}"`);
    }
    if (raw.overrides !== undefined) {
      if (!Array.isArray(raw.overrides)) throw new ConfigError('"overrides" must be a list of { "files": [globs], "options": {…} }');
      config.overrides = raw.overrides.map((o: unknown, i: number) => {
        if (!isObject(o)) throw new ConfigError(`"overrides"[${i}] must be an object`);
        for (const k of Object.keys(o)) if (k !== 'files' && k !== 'options') throw new ConfigError(`"overrides"[${i}]: unknown key "${k}" (known: files, options)`);
        const files = stringList(o.files, `"overrides"[${i}].files`);
        return { files, options: perTransform(o.options ?? {}, `"overrides"[${i}].options`), matcher: ignore().add(files) };
      });
    }
    if (raw.disable !== undefined) config.disable = stringList(raw.disable, '"disable"');
    if (raw.formatter !== undefined) {
      if (typeof raw.formatter !== 'string' || raw.formatter.trim() === '') throw new ConfigError('"formatter" must be a command line (a non-empty string)');
      config.formatter = raw.formatter;
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

export function loadConfig(file: string): NixshiftConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`cannot read config ${file}: ${e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message)}`);
  }
  return parseConfig(text, file);
}

function merge(into: PerTransform, from: PerTransform | undefined): void {
  if (!from) return;
  for (const [name, opts] of Object.entries(from)) into[name] = { ...into[name], ...opts };
}

/**
 * The options of the config that apply to one file beyond the run-wide `options`: matching
 * `overrides`, then `packages[attr]`. Undefined when none apply.
 */
export function fileOverrides(config: NixshiftConfig, absolute: string, attrOf: (relPath: string) => string): PerTransform | undefined {
  if (!config.overrides && !config.packages) return undefined;
  const rel = toPosix(relative(config.dir, absolute));
  if (rel.startsWith('..')) return undefined;
  const out: PerTransform = {};
  let any = false;
  for (const o of config.overrides ?? []) {
    if (o.matcher.ignores(rel)) {
      merge(out, o.options);
      any = true;
    }
  }
  const pkg = config.packages?.[attrOf(rel)];
  if (pkg) {
    merge(out, pkg);
    any = true;
  }
  return any ? out : undefined;
}
