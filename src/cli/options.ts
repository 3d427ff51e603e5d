/** The flags of `nixshift run` as data, and the checks and conversions they need before a run. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { NixshiftConfig } from '../config.js';
import type { ProgressOptions } from '../output/progress.js';
import type { OptionValue, TransformOptions } from '../transform.js';
import { didYouMean } from '../util/suggest.js';
import { UsageError, type Io } from './io.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `-o key=value` applies to every transform of the run; `-o name:key=value` to one transform.
 * `true`/`false` become booleans; a bare `key` is `true`.
 */
/** `-o [transform:]key[=value]`: a bare key is true, `true`/`false` are booleans; undefined when malformed. */
export function parseOptionArg(arg: string): { scope?: string; key: string; value: OptionValue } | undefined {
  const m = /^(?:([A-Za-z0-9_.\-/]+):)?([A-Za-z0-9_.\-]+)(?:=(.*))?$/s.exec(arg);
  if (!m) return undefined;
  const [, scope, key, raw] = m;
  const value: OptionValue = raw === undefined || raw === 'true' ? true : raw === 'false' ? false : raw;
  return { ...(scope !== undefined ? { scope } : {}), key: key!, value };
}

export function parseOptionArgs(args: string[], transformNames: string[]): Map<string, TransformOptions> {
  const perTransform = new Map<string, TransformOptions>(transformNames.map((n) => [n, {}]));
  for (const arg of args) {
    const parsed = parseOptionArg(arg);
    if (!parsed) throw new UsageError(`bad --option "${arg}": expected key=value or transform:key=value`);
    const { scope, key, value } = parsed;
    if (scope !== undefined) {
      if (!perTransform.has(scope)) throw new UsageError(`--option "${arg}" names transform "${scope}", which is not in this run${didYouMean(scope, transformNames)} (${transformNames.join(', ')})`);
      perTransform.get(scope)![key!] = value;
    } else {
      for (const opts of perTransform.values()) opts[key!] = value;
    }
  }
  return perTransform;
}

export function useColour(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export interface RunFlags {
  transform?: string[];
  write?: boolean;
  check?: boolean;
  json?: boolean;
  stdin?: boolean;
  ignorePattern?: string[];
  gitignore: boolean;
  prefilter: boolean;
  cpus?: string;
  runInBand?: boolean;
  option?: string[];
  color?: boolean;
  quiet?: boolean;
  config?: string | false;
  commit?: boolean;
  changed?: string | boolean;
  formatter?: string;
  verify?: boolean;
  /** --format text|json|github|sarif (--json: json). */
  format?: string;
  /** --severity info|warning|error: the least severity printed */
  severity?: string;
  /** --fail-on info|warning|error */
  failOn?: string;
  /** --disable <rule> (repeatable) */
  disable?: string[];
  /** `--verify eval` / `--verify parse` (main.ts turns them into --verify --verify-kind <kind>). */
  verifyKind?: string;
  verifyConfig?: string;
  verifyJobs?: string;
  interactive?: boolean;
  /** --report <file>, repeatable: one report per file, each in the format its name asks for. */
  report?: string[];
  progress?: boolean;
  treefmt?: boolean;
  maxFileSize?: string;
  timeout?: string;
  // --evidence (src/cuda/evidence/nix-sources.ts)
  evidence?: string;
  /** The checkout --evidence sources and --verify eval evaluate. */
  nixpkgs?: string;
  evidenceJobs?: string;
}

export function exclusive(flags: RunFlags, pairs: [keyof RunFlags, keyof RunFlags][]): void {
  const name = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const [a, b] of pairs) if (flags[a] && flags[b]) throw new UsageError(`${name(a)} and ${name(b)} cannot be used together`);
}

/** A transform spec from the config file: paths are relative to the config's folder. */
export function configSpec(spec: string, config: NixshiftConfig): string {
  return spec.startsWith('.') || spec.includes('/') ? resolve(config.dir, spec) : spec;
}

export function findNixInstantiate(env: NodeJS.ProcessEnv): string | undefined {
  const cmd = env.NIXSHIFT_NIX_INSTANTIATE || 'nix-instantiate';
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? cmd : undefined;
}

export function progressOptions(flags: RunFlags, io: Io, quietOutput: boolean): ProgressOptions | undefined {
  const want = flags.progress ?? (io.stderr.isTTY === true && !quietOutput);
  if (!want) return undefined;
  const num = (v: string | undefined, d: number): number => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);
  return { delayMs: num(io.env.NIXSHIFT_PROGRESS_DELAY_MS, 500), intervalMs: num(io.env.NIXSHIFT_PROGRESS_INTERVAL_MS, 100) };
}
