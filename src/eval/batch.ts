/**
 * Many attributes in one `nix-instantiate` call (evaluating nixpkgs itself costs seconds, once
 * per call). The expression answers for each attribute, catching what Nix can catch (`tryEval`:
 * `throw` and `assert`); an error it cannot catch (a missing attribute, an undefined variable)
 * fails the whole call, and the batch is then split in halves until the broken attributes are
 * alone, each with Nix's own error.
 */
import { type Exec, type ExecResult, nixErrorLine, oneLine } from './nix.js';

export interface BatchCall<T> {
  exec: Exec;
  /** The `nix-instantiate` to run. */
  command: string;
  /** The checkout (Nix's errors name files relative to it). */
  root: string;
  /** The arguments of one call for these attributes (none: evaluate the checkout alone). */
  args(attrs: readonly string[]): string[];
  /** The call's answer, one per attribute; undefined when its output is not that. */
  parse(stdout: string, count: number): T[] | undefined;
  /** Told of each call made. */
  onCall?(): void;
}

/**
 * A call's JSON answer: a list of `count` objects, each read by `one` (undefined when it is not
 * what the expression gives); undefined when the output is not that.
 */
export function jsonAnswers<T>(stdout: string, count: number, one: (o: Record<string, unknown>) => T | undefined): T[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc) || doc.length !== count) return undefined;
  const out: T[] = [];
  for (const d of doc as unknown[]) {
    const v = d !== null && typeof d === 'object' ? one(d as Record<string, unknown>) : undefined;
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

export async function evaluateInHalves<T>(attrs: readonly string[], o: BatchCall<T>): Promise<Map<string, T | { error: string }>> {
  const results = new Map<string, T | { error: string }>();
  const call = async (batch: readonly string[]): Promise<ExecResult> => {
    o.onCall?.();
    return o.exec(o.command, o.args(batch));
  };
  const failure = (r: ExecResult): string => (r.error !== undefined ? `${o.command}: ${r.error}` : `nix-instantiate: ${nixErrorLine(r.stderr, o.root)}`);
  const settle = (batch: readonly string[], r: ExecResult): boolean => {
    if (r.status !== 0) return false;
    const parsed = o.parse(r.stdout, batch.length);
    if (!parsed) {
      for (const a of batch) results.set(a, { error: `nix-instantiate printed something else than the expected JSON: ${oneLine(r.stdout, 80)}` });
    } else {
      batch.forEach((a, i) => results.set(a, parsed[i]!));
    }
    return true;
  };
  if (attrs.length === 0) return results;
  const first = await call(attrs);
  if (settle(attrs, first)) return results;
  if (first.error !== undefined || attrs.length === 1) {
    for (const a of attrs) results.set(a, { error: failure(first) });
    return results;
  }
  // Is the checkout itself broken (then every attribute fails alike, and splitting would not help)?
  const probe = await call([]);
  if (probe.status !== 0) {
    for (const a of attrs) results.set(a, { error: `cannot evaluate the checkout: ${failure(probe)}` });
    return results;
  }
  const split = async (batch: readonly string[]): Promise<void> => {
    const r = batch === attrs ? first : await call(batch);
    if (settle(batch, r)) return;
    if (batch.length === 1) {
      results.set(batch[0]!, { error: failure(r) });
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    await split(batch.slice(0, mid));
    await split(batch.slice(mid));
  };
  await split(attrs);
  return results;
}
