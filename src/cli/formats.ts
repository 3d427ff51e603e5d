/**
 * What a run prints and when it fails, for CI: `--format` (text, json, github, sarif), the rules
 * `--disable` turns off (also "disable" in the config), and the `--fail-on` gate.
 */
import type { NixshiftConfig } from '../config.js';
import type { SarifRule } from '../output/printer.js';
import { builtinExplanation } from '../runner/load.js';
import type { Finding, Severity, Transform } from '../transform.js';
import { UsageError } from './io.js';
import type { RunFlags } from './options.js';

export type Format = 'text' | 'json' | 'github' | 'sarif';
const FORMATS: readonly Format[] = ['text', 'json', 'github', 'sarif'];
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

/** The output format asked for (`--json` is `--format json`); usage errors throw. */
export function formatOf(flags: RunFlags): Format {
  const f = flags.format;
  if (f !== undefined && !(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format takes ${FORMATS.join(', ')}, not "${f}"`);
  if (flags.json && f !== undefined && f !== 'json') throw new UsageError(`--json is --format json: it cannot be used with --format ${f}`);
  const format = flags.json ? 'json' : ((f ?? 'text') as Format);
  if (format === 'github' || format === 'sarif') {
    for (const [flag, on] of [['--interactive', flags.interactive], ['--treefmt', flags.treefmt]] as const) {
      if (on) throw new UsageError(`--format ${format} and ${flag} cannot be used together`);
    }
  }
  return format;
}

/** The least severity that fails the run (`--fail-on`), if any. */
export function failOnOf(flags: RunFlags): Severity | undefined {
  const s = flags.failOn;
  if (s === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`--fail-on takes ${SEVERITIES.join(', ')}, not "${s}"`);
  return s as Severity;
}

/** The least severity of the findings printed: `--severity`, else warning under `-q`. */
export function severityOf(flags: RunFlags): Severity | undefined {
  const s = flags.severity;
  if (s !== undefined && !(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`--severity takes ${SEVERITIES.join(', ')}, not "${s}"`);
  return (s as Severity | undefined) ?? (flags.quiet ? 'warning' : undefined);
}

/** Whether a finding is at or above the `--fail-on` severity. */
export function reaches(f: Finding, level: Severity): boolean {
  return SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(level);
}

/** Rules of the core, reported beside the transforms' own (`--verify eval`). */
const CORE_RULES = ['verify/evaluates', 'verify/not-evaluating-before', 'verify/no-attribute', 'verify/kept-input'];

/**
 * The rules turned off (`--disable`, and "disable" in the config), checked against the rules the
 * run's transforms declare: a name no transform of the run has is a usage error.
 */
export function disabledOf(flags: RunFlags, config: NixshiftConfig | undefined, loaded: readonly Transform[]): Set<string> {
  const wanted = [...(config?.disable ?? []), ...(flags.disable ?? [])];
  const known = new Set([...CORE_RULES, ...loaded.flatMap((t) => Object.keys(t.rules ?? {}).map((id) => `${t.name}/${id}`))]);
  // a transform that declares no rules may report any
  const open = loaded.filter((t) => !t.rules || Object.keys(t.rules).length === 0).map((t) => `${t.name}/`);
  for (const rule of wanted) {
    if (known.has(rule) || open.some((p) => rule.startsWith(p) && rule.length > p.length)) continue;
    const mine = [...known].filter((k) => k.startsWith(`${rule.split('/')[0]}/`));
    throw new UsageError(`--disable ${rule}: no transform of this run reports it${mine.length > 0 ? ` (its rules: ${mine.join(', ')})` : ` (the run's transforms: ${loaded.map((t) => t.name).join(', ')}; \`nixshift explain <transform>\` lists their rules)`}`);
  }
  return new Set(wanted);
}

/**
 * `tool.driver.rules` for SARIF: each transform's rewrite, with its `explain` text as help, and
 * every rule it declares (help: its summary and where the whole explanation is).
 */
export function sarifRules(loaded: readonly Transform[]): SarifRule[] {
  const out: SarifRule[] = [];
  for (const t of loaded) {
    const explain = builtinExplanation(t.name) ?? `# ${t.name}\n\n${t.description}\n`;
    out.push({ id: `${t.name}/rewrite`, summary: t.description || `${t.name} rewrites the file`, help: explain, severity: 'info' });
    for (const [id, r] of Object.entries(t.rules ?? {})) out.push({ id: `${t.name}/${id}`, summary: r.summary, help: `${r.summary}\n\nSee \`nixshift explain ${t.name}\`.`, severity: r.severity });
  }
  return out;
}
