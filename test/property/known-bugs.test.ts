/**
 * The known bugs of known-bugs.ts, one `it.fails` per minimal example: each asserts that every
 * property holds for the example, which today it does not. A bug that gets fixed makes its
 * cases fail here: then delete its entry from known-bugs.ts (the property tests stop excusing it).
 * Also checked: every example is valid Nix, and each bug's signature (`matches`) recognises the
 * failures of its own examples (so that the property tests excuse exactly that).
 */
import { describe, expect, it } from 'vitest';
import { parseNix } from '../../src/nix/parser.js';
import { NIX_INSTANTIATE } from '../helpers/nix.js';
import { checkInput, type Failure, nixMessage, type NixMode } from './harness.js';
import { type KnownBug, KNOWN_BUGS, type KnownBugExample } from './known-bugs.js';

const memo = new Map<KnownBugExample, Promise<Failure[]>>();
/** Every property failure of the example, as the property tests would see it (computed once). */
function failuresOf(ex: KnownBugExample): Promise<Failure[]> {
  if (!memo.has(ex)) memo.set(ex, computeFailures(ex));
  return memo.get(ex)!;
}

async function computeFailures(ex: KnownBugExample): Promise<Failure[]> {
  const p = parseNix(ex.input);
  if (p.syntaxError) {
    const detail = `parseNix rejects the input: ${p.syntaxError.line}:${p.syntaxError.column}: ${p.syntaxError.message}`;
    return [{ property: 'valid-input', chain: '-', prefilter: false, input: ex.input, detail }];
  }
  if (ex.chain === 'parse') return [];
  const r = await checkInput(ex.input, {}, { chain: ex.chain });
  const out = [...r.failures];
  if (NIX_INSTANTIATE) {
    const mode: NixMode = nixMessage(ex.input, 'closed') === undefined ? 'closed' : 'open';
    for (const o of r.outputs) {
      const m = nixMessage(o.output, mode);
      if (m !== undefined) out.push({ property: 'nix-parse', chain: o.chain, prefilter: o.prefilter, input: ex.input, detail: `nix-instantiate --parse rejects the output: ${m}\n--- output ---\n${o.output}` });
    }
  }
  return out;
}

const describeFailures = (fs: readonly Failure[]): string[] => fs.map((f) => `${f.property} [${f.chain}] (prefilter ${f.prefilter ? 'on' : 'off'}): ${f.detail}`);
const needsNix = (b: KnownBug): boolean => b.property === 'nix-parse' && !NIX_INSTANTIATE;

describe('known bugs (see known-bugs.ts)', () => {
  it('every example is valid Nix, and fails in a way its bug signature recognises', async () => {
    for (const b of KNOWN_BUGS) {
      for (const ex of b.examples) {
        const what = `${b.id}: ${JSON.stringify(ex.input)}`;
        if (NIX_INSTANTIATE) expect(nixMessage(ex.input, 'open'), what).toBeUndefined();
        if (needsNix(b)) continue;
        const fs = await failuresOf(ex);
        const hint = fs.length === 0 ? 'this example no longer fails: if the bug is fixed, delete its entry from known-bugs.ts' : describeFailures(fs).join('\n');
        expect(fs.some((f) => b.matches(f)), `${what}\n${hint}`).toBe(true);
      }
    }
  });

  for (const b of KNOWN_BUGS) {
    describe(`${b.id}: ${b.title} [${b.where}]`, () => {
      b.examples.forEach((ex, i) => {
        // a nix-parse bug cannot be seen without nix-instantiate
        it.skipIf(needsNix(b)).fails(`example ${i + 1} (${ex.chain}): ${JSON.stringify(ex.input).slice(0, 90)}`, async () => {
          expect(describeFailures(await failuresOf(ex))).toEqual([]);
        });
      });
    });
  }
});
