/**
 * Fixture tests in one line: `defineFixtureTests('driver-runpath-rename')` turns every
 * `fixtures/<transform>/<case>.input.nix` into a vitest case that checks
 *  - the output equals `<case>.output.nix` byte for byte (an output equal to the input means
 *    "no change expected");
 *  - the findings equal `<case>.findings.json` (rule, severity, line, column; none when absent);
 *  - a second run on the output changes nothing (idempotency);
 *  - no input list holds a package twice under the same condition that the input did not;
 *  - `<case>.options.json`, when present, gives the transform options;
 *  - `<case>.source/`, when present, is the package's source tree: passed as the option
 *    `source=<absolute path>` (the evidence the CUDA transforms decide from);
 *  - a finding in `<case>.findings.json` that has a `message` must have exactly that message;
 *  - `<case>.chain.json`, when present, lists the transforms to run in order (to test how
 *    transforms compose; the fixture's own transform must be among them).
 * Every output is also checked by the real Nix parser in test/e2e/nix-oracle.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processSource } from '../../src/runner/process.js';
import { asTransform, type Transform, type TransformOptions } from '../../src/transform.js';
import { newDuplicates } from './duplicates.js';
import { silentJoins } from './joins.js';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export async function loadBuiltin(name: string): Promise<Transform> {
  return asTransform(await import(`../../transforms/${name}/index.ts`), name);
}

export function fixtureCases(name: string): string[] {
  return readdirSync(join(FIXTURES, name))
    .filter((f) => f.endsWith('.input.nix'))
    .map((f) => f.slice(0, -'.input.nix'.length))
    .sort();
}

export function defineFixtureTests(name: string): void {
  describe(`fixtures of ${name}`, () => {
    for (const c of fixtureCases(name)) {
      it(c, async () => {
        const dir = join(FIXTURES, name);
        const input = readFileSync(join(dir, `${c}.input.nix`), 'utf8');
        const expected = readFileSync(join(dir, `${c}.output.nix`), 'utf8');
        const optionsFile = join(dir, `${c}.options.json`);
        const options = (existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, 'utf8')) : {}) as TransformOptions;
        const sourceTree = join(dir, `${c}.source`);
        if (existsSync(sourceTree)) options.source = sourceTree;
        const findingsFile = join(dir, `${c}.findings.json`);
        const expectedFindings = existsSync(findingsFile) ? JSON.parse(readFileSync(findingsFile, 'utf8')) : [];
        const chainFile = join(dir, `${c}.chain.json`);
        const names = existsSync(chainFile) ? (JSON.parse(readFileSync(chainFile, 'utf8')) as string[]) : [name];
        expect(names).toContain(name);
        const chain = await Promise.all(names.map(async (n) => ({ transform: await loadBuiltin(n), options })));

        const first = await processSource(input, `${c}.input.nix`, chain);
        expect(first.error).toBeUndefined();
        // A file a transform's prefilter rules out is a `skip`; without the prefilter the
        // transform itself must then find nothing to do either.
        if (input === expected && first.status === 'skip') {
          const unfiltered = await processSource(input, `${c}.input.nix`, chain, { prefilter: false });
          expect(unfiltered.status).toBe('nochange');
          expect(unfiltered.findings).toEqual([]);
        }
        expect(first.status).toBe(input === expected ? (first.status === 'skip' ? 'skip' : 'nochange') : 'ok');
        expect(first.output ?? input).toBe(expected);
        const withMessage = (expectedFindings as { message?: string }[]).some((f) => f.message !== undefined);
        expect(first.findings.map((f) => ({ rule: f.rule, severity: f.severity, line: f.line, column: f.column, ...(withMessage ? { message: f.message } : {}) }))).toEqual(expectedFindings);
        for (const f of first.findings) expect(f.message.length).toBeGreaterThan(0);

        // never a package twice in an input list (under the same condition) that was not there twice
        expect(newDuplicates(input, expected)).toEqual([]);
        // never silent: every CUDA join rewritten or reported at the join
        if (names.includes('symlinkjoin-to-propagated')) expect(silentJoins(input, first.output ?? input, first.findings)).toEqual([]);

        const second = await processSource(expected, `${c}.output.nix`, chain);
        expect(second.error).toBeUndefined();
        expect(second.status === 'nochange' || second.status === 'skip').toBe(true);
      });
    }
  });
}
