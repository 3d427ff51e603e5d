/**
 * The properties of properties.test.ts over mutated fixtures: a fixture (input or expected
 * output, of any transform) with 1–4 small mutations that keep it parseable — drop, duplicate
 * or swap a binding / list element / formal, rename an identifier, add a comment or a
 * `# nixshift-ignore`, switch LF/CRLF, drop or add a trailing comma, insert blanks, add
 * parentheses (generate/mutations.ts `mutateSource`). Same environment variables as
 * properties.test.ts (default 260 cases here). A mutation Nix rejects (say, an attribute defined
 * twice) is still run through the transforms, but its outputs are not judged by nix-instantiate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/fixtures.js';
import { caseSeed, mutateSource, Rng } from './generate/index.js';
import { type CaseInput, definePropertySuite, ENV } from './harness.js';

const DEFAULT_CASES = 260;

const fixtures: { name: string; text: string }[] = readdirSync(FIXTURES)
  .sort()
  .flatMap((t) =>
    readdirSync(join(FIXTURES, t))
      .filter((f) => f.endsWith('.nix'))
      .sort()
      .map((f) => ({ name: `${t}/${f}`, text: readFileSync(join(FIXTURES, t, f), 'utf8') })),
  );

function mutated(seed: number): CaseInput {
  const f = new Rng(seed).pick(fixtures);
  const m = mutateSource(f.text, seed);
  return { seed, text: m.text, origin: `fixture ${f.name} with mutations [${m.mutations.join(', ')}]` };
}

function* cases(): Generator<CaseInput> {
  // another stream of seeds than the generated files
  const seeds = ENV.seed !== undefined ? [ENV.seed] : Array.from({ length: ENV.cases ?? DEFAULT_CASES }, (_, i) => caseSeed(ENV.baseSeed ^ 0x6d757461, i));
  for (const seed of seeds) yield mutated(seed);
}

describe('properties of mutated fixtures through every built-in transform', () => {
  it('has fixtures to mutate', () => {
    expect(fixtures.length).toBeGreaterThan(50);
  });
  definePropertySuite({ what: 'mutated fixtures', file: 'test/property/mutations.test.ts', cases, inputsMustBeNix: false, minOkShare: 0.1 });
});
