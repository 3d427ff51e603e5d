/**
 * Seeded property tests over generated Nix files (issue "Reliability: bad input, faults and
 * interruptions never lose data"). Every generated file (generate/) goes through each built-in
 * transform alone and all three together, prefilter on and off (harness.ts):
 *  - processSource never throws, and never returns an `error` that is a bug (harness.BUG_ERRORS);
 *  - every `ok` output parses (tree-sitter), and nix-instantiate --parse accepts it (batched);
 *  - a second run on an output changes nothing; prefilter on and off give the same text.
 * A failure is shrunk and reported with its seed, chain, property and minimal input.
 *
 *   NIXSHIFT_PROPERTY_CASES=20000      more cases (default 320 here, 260 in mutations.test.ts)
 *   NIXSHIFT_PROPERTY_SEED=123456      replay one case (the seed a failure prints)
 *   NIXSHIFT_PROPERTY_BASE_SEED=7      another set of cases
 *   NIXSHIFT_PROPERTY_DEBUG=1          also print the slowest cases
 *
 * Mutated fixtures: mutations.test.ts. The CLI end to end: cli.test.ts. Nothing is excused: a
 * bug the properties find is fixed, with a regression fixture named after what it shows.
 */
import { describe } from 'vitest';
import { caseSeed, generateFile } from './generate/index.js';
import { type CaseInput, definePropertySuite, ENV } from './harness.js';

const DEFAULT_CASES = 320;

function* cases(): Generator<CaseInput> {
  const seeds = ENV.seed !== undefined ? [ENV.seed] : Array.from({ length: ENV.cases ?? DEFAULT_CASES }, (_, i) => caseSeed(ENV.baseSeed, i));
  for (const seed of seeds) {
    const g = generateFile(seed);
    yield { seed, text: g.text, origin: `generated ${g.kind} file` };
  }
}

describe('properties of generated Nix files through every built-in transform', () => {
  definePropertySuite({ what: 'generated files', file: 'test/property/properties.test.ts', cases, inputsMustBeNix: true, minOkShare: 0.3 });
});
