/**
 * One file's job, as a worker (or the main thread with --run-in-band) runs it: read, process,
 * format (--formatter), verify (--verify), diff, and write when asked. The result is small and
 * serialisable; the printer on the main thread turns it into output.
 */
import { failure } from '../model/errors.js';
import type { Finding, ReportExtension, Transform } from '../transform.js';
import { parseNix, releaseParsed } from '../nix/parser.js';
import { unifiedDiff } from '../diff/unified.js';
import { runCommand } from './exec.js';
import { SUPPRESSION_MARKER } from '../nix/suppressions.js';
import { decodeNix, writeFileAtomic } from './files.js';
import { type FileJob, type FileResult, intake, type JobOptions, Prefilter } from './intake.js';
import { type ConfiguredTransform, processSource } from './process.js';

export { type FileJob, type FileResult, isPlainSkip, type JobOptions } from './intake.js';

const prefilterCache = new WeakMap<readonly ConfiguredTransform[], Prefilter | undefined>();
function chainPrefilter(chain: readonly ConfiguredTransform[]): Prefilter | undefined {
  if (prefilterCache.has(chain)) return prefilterCache.get(chain);
  const needles = chainNeedles(chain);
  const p = needles === undefined ? undefined : new Prefilter(needles);
  prefilterCache.set(chain, p);
  return p;
}

/**
 * The needles of a chain's prefilter (plus the suppression marker), or undefined when some
 * transform has none (every file must be parsed). Worker threads get them as strings (see
 * `intake`), so that a thread that only reads needs no transform.
 */
export function chainNeedles(chain: readonly ConfiguredTransform[]): string[] | undefined {
  if (chain.some((c) => c.transform.needles.length === 0)) return undefined;
  return [...new Set([...chain.flatMap((c) => c.transform.needles), SUPPRESSION_MARKER])];
}

function withOverrides(chain: readonly ConfiguredTransform[], overrides: FileJob['overrides']): readonly ConfiguredTransform[] {
  if (!overrides) return chain;
  return chain.map((c) => (overrides[c.transform.name] ? { transform: c.transform, options: { ...c.options, ...overrides[c.transform.name] } } : c));
}

function firstLines(text: string, n = 3): string {
  const lines = text.trim().split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(0, n).join(' / ') + (lines.length > n ? ' / …' : '');
}

/** Pipe the text through the user's formatter. */
async function format(text: string, command: string, job: FileJob, cwd: string | undefined): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  const r = await runCommand(command, text, { cwd, env: { NIXSHIFT_FILE: job.absolute } });
  if (r.error) return { ok: false, reason: `formatter \`${command}\` could not run: ${r.error}; file left unchanged` };
  if (r.code !== 0) return { ok: false, reason: `formatter \`${command}\` failed (exit ${r.signal ?? r.code})${r.stderr.trim() ? `: ${firstLines(r.stderr)}` : ''}; file left unchanged` };
  if (r.stdout.trim() === '') return { ok: false, reason: `formatter \`${command}\` printed nothing (it must read Nix on stdin and print the formatted text on stdout); file left unchanged` };
  // Keep a BOM the formatter may have dropped.
  const out = text.startsWith('\uFEFF') && !r.stdout.startsWith('\uFEFF') ? `\uFEFF${r.stdout}` : r.stdout;
  return { ok: true, text: out };
}

/** `nix-instantiate --parse -` on the text: undefined when Nix accepts it, else Nix's message. */
async function verify(text: string, command: string, cwd: string | undefined): Promise<string | undefined> {
  const r = await runCommand(null, text.replace(/^\uFEFF/, ''), { cwd, argv: [command, '--parse', '-'] });
  if (r.error) return `--verify: cannot run ${command}: ${r.error}`;
  if (r.code === 0) return undefined;
  return firstLines(r.stderr.replace(/\u001b\[[0-9;]*m/g, ''), 4) || `exit ${r.code}`;
}

/** The report extensions of the transforms of a run, each once (transforms may share one). */
export function reportExtensions(transforms: readonly Pick<Transform, 'reportExtensions'>[]): ReportExtension[] {
  const byId = new Map<string, ReportExtension>();
  for (const t of transforms) for (const e of t.reportExtensions ?? []) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()];
}

const extensionCache = new WeakMap<readonly ConfiguredTransform[], ReportExtension[]>();
function chainExtensions(chain: readonly ConfiguredTransform[]): ReportExtension[] {
  let e = extensionCache.get(chain);
  if (!e) extensionCache.set(chain, (e = reportExtensions(chain.map((c) => c.transform))));
  return e;
}

/** What the chain's report extensions measure on a changed file (see Transform.reportExtensions). */
function measure(chain: readonly ConfiguredTransform[], original: string, output: string): { measured?: Record<string, unknown> } | { error: string } {
  let measured: Record<string, unknown> | undefined;
  for (const e of chainExtensions(chain)) {
    try {
      const data = e.measure(original, output);
      if (data !== undefined) (measured ??= {})[e.id] = data;
    } catch (err) {
      return { error: `report extension \`${e.id}\` threw: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return measured ? { measured } : {};
}

export async function runJob(job: FileJob, chain: readonly ConfiguredTransform[], opts: JobOptions): Promise<FileResult> {
  const first = intake(job, opts.prefilter ? chainPrefilter(chain) : undefined, opts);
  if (!('candidate' in first)) return first;
  return finishJob(job, first.candidate, chain, opts);
}

/** The rest of a file's job once it is read and passed the prefilter (see `intake`). */
export async function finishJob(job: FileJob, buf: Buffer, chain: readonly ConfiguredTransform[], opts: JobOptions): Promise<FileResult> {
  const base = { index: job.index, path: job.display, findings: [] as Finding[], written: false, changedBy: [] as string[], bytes: 0 };
  const read = decodeNix(buf);
  if (!read.ok) return { ...base, bytes: buf.length, ...failure(read.kind, read.reason) };
  let outcome;
  try {
    outcome = await processSource(read.text, job.display, withOverrides(chain, job.overrides), { prefilter: opts.prefilter, timeLimitMs: opts.inBandTimeLimitMs });
  } catch (err) {
    return { ...base, bytes: read.bytes, ...failure('internal', `internal error: ${err instanceof Error ? err.message : String(err)}`) };
  }
  const result: FileResult = { ...base, bytes: read.bytes, status: outcome.status, findings: outcome.findings, changedBy: outcome.changedBy };
  if (outcome.error) result.error = outcome.error;
  if (outcome.errorKind) result.errorKind = outcome.errorKind;
  if (outcome.status !== 'ok' || outcome.output === undefined) return result;

  let output = outcome.output;
  if (opts.formatter) {
    const f = await format(output, opts.formatter, job, opts.cwd);
    if (!f.ok) return { ...result, ...failure('formatter-failed', f.reason) };
    const reparsed = parseNix(f.text);
    releaseParsed(reparsed);
    if (reparsed.syntaxError) {
      const e = reparsed.syntaxError;
      return { ...result, ...failure('formatter-failed', `formatter \`${opts.formatter}\` produced invalid Nix (${e.line}:${e.column}: ${e.message} in its output); file left unchanged`) };
    }
    output = f.text;
    if (output === read.text) return { ...result, status: 'nochange' };
  }
  if (opts.verify) {
    const problem = await verify(output, opts.verify, opts.cwd);
    if (problem !== undefined) {
      return { ...result, ...failure('verify-failed', `nix-instantiate --parse rejects the new text (${problem}); file left unchanged`) };
    }
  }
  if (job.writeRefusal && (opts.write || opts.keepText)) return { ...result, ...failure('write-refused', `${job.writeRefusal}; file left unchanged`) };
  if (opts.diff) result.diff = unifiedDiff(job.display, read.text, output);
  if (opts.measure) {
    const m = measure(chain, read.text, output);
    if ('error' in m) return { ...result, ...failure('transform-threw', `${m.error}; file left unchanged`) };
    if (m.measured) result.measured = m.measured;
  }
  if (opts.keepText) {
    result.original = read.text;
    result.output = output;
    result.absolute = job.real ?? job.absolute;
  }
  if (opts.write) {
    // The last line of defence before the disk: the new text is parsed once more from scratch
    // (the runner's own check used trees re-parsed incrementally around the edits).
    const fresh = opts.formatter ? undefined : parseNix(output);
    if (fresh) releaseParsed(fresh);
    if (fresh?.syntaxError) {
      return { ...result, ...failure('internal', `internal: the new text does not parse when parsed from scratch; file left unchanged`) };
    }
    try {
      await writeFileAtomic(job.real ?? job.absolute, output, { expected: read.text, ...(faultInjection ? { failAfterTempWrite: faultInjection(job) } : {}) });
      result.written = true;
    } catch (err) {
      Object.assign(result, failure('write-failed', writeError(err)));
    }
  }
  return result;
}

/**
 * Fault injection for the tests of the built CLI: NIXSHIFT_TEST_FAIL_WRITE=<substring> makes the
 * write of every file whose path contains it fail after its temporary file was written (as a
 * full disk would). Read once; unset in normal use.
 */
const FAIL_WRITE = process.env.NIXSHIFT_TEST_FAIL_WRITE;
const faultInjection = FAIL_WRITE ? (job: FileJob): boolean => job.absolute.includes(FAIL_WRITE) : undefined;

export function writeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'EROFILE'
        ? 'the file is read-only'
        : e.code === 'ECHANGED'
          ? 'the file changed on disk since it was read'
          : e.code === 'ENOSPC'
            ? 'no space left on the device'
            : (e.code ?? e.message);
  return `cannot write: ${why}; the original file is unchanged`;
}
