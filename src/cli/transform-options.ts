/**
 * The transforms' options checked once, before the run: every name given (`-o`, and the
 * config's "options", "overrides" and "packages") must be an option of a transform of the run
 * that declares its options, with a suggestion for a typo; every value is checked by the
 * transform's own `checkOptions`. A mistake is a usage error (exit 2), never a run that ignores
 * it or fails once per file.
 */
import type { NixshiftConfig, PerTransform } from '../config.js';
import type { Transform, TransformOptions } from '../transform.js';
import { didYouMean } from '../util/suggest.js';
import { UsageError } from './io.js';
import { parseOptionArg } from './options.js';

const accepted = (t: Transform): string => `${t.name} takes: ${Object.keys(t.options!).join(', ') || 'no option'} (\`nixshift explain ${t.name}\`)`;

function checkName(where: string, key: string, scope: Transform | undefined, loaded: readonly Transform[]): void {
  if (scope) {
    if (!scope.options || key in scope.options) return;
    throw new UsageError(`${where}: ${scope.name} has no option "${key}"${didYouMean(key, Object.keys(scope.options))}; ${accepted(scope)}`);
  }
  // a name for every transform: one of them must take it (a transform that declares nothing may)
  if (loaded.some((t) => !t.options || key in t.options)) return;
  const all = loaded.flatMap((t) => Object.keys(t.options ?? {}));
  throw new UsageError(`${where}: no transform of this run has an option "${key}"${didYouMean(key, all)}; ${loaded.map(accepted).join('; ')}`);
}

function checkValues(where: string, t: Transform, options: TransformOptions): void {
  let problem: string | undefined;
  try {
    problem = t.checkOptions?.(options);
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (problem) throw new UsageError(`${where}: ${problem}`);
}

/** `-o` arguments and the config's options, by name and value. */
export function checkTransformOptions(args: readonly string[], loaded: readonly Transform[], specs: readonly string[], config: NixshiftConfig | undefined, effective: (i: number) => TransformOptions): void {
  const byName = (n: string): Transform | undefined => loaded.find((t, i) => t.name === n || specs[i] === n);
  for (const arg of args) {
    const o = parseOptionArg(arg);
    if (o) checkName(`-o ${arg}`, o.key, o.scope !== undefined ? byName(o.scope) : undefined, loaded);
  }
  const perTransform = (where: string, p: PerTransform | undefined): void => {
    for (const [name, opts] of Object.entries(p ?? {})) {
      const t = byName(name);
      if (!t) continue; // options for a transform this run does not use
      for (const key of Object.keys(opts)) checkName(`${where}.${name}`, key, t, loaded);
      checkValues(`${where}.${name}`, t, { ...effective(loaded.indexOf(t)), ...opts });
    }
  };
  if (config) {
    perTransform(`${config.file}: "options"`, config.options);
    config.overrides?.forEach((o, i) => perTransform(`${config.file}: "overrides"[${i}].options`, o.options));
    for (const [attr, p] of Object.entries(config.packages ?? {})) perTransform(`${config.file}: "packages"."${attr}"`, p);
  }
  loaded.forEach((t, i) => checkValues(`transform ${t.name}`, t, effective(i)));
}
