/**
 * `nixshift/testing`: fixture tests for a transform of your own, in your own vitest run, as the
 * built-in transforms have them (jscodeshift's `defineTest`, with `__testfixtures__`).
 *
 *   import { defineFixtureTests } from 'nixshift/testing';
 *   defineFixtureTests(import.meta.url, './index.ts');
 *
 * Every `<case>.input.nix` in `__testfixtures__/` beside the test file (or `opts.fixtures`)
 * becomes a test: the output equals `<case>.output.nix` byte for byte (the same text as the input:
 * no change expected); the findings equal `<case>.findings.json` when it exists (rule, severity,
 * line, column, and the message when the file gives one; none expected when it does not);
 * `<case>.options.json` gives the options; a second run on the output changes nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTransform } from './runner/load.js';
import { processSource } from './runner/process.js';
import type { Transform, TransformOptions } from './transform.js';

export interface FixtureTestOptions {
  /** The fixtures folder, relative to the caller (default `__testfixtures__`). */
  fixtures?: string;
}

interface ExpectedFinding {
  rule: string;
  severity: string;
  line: number;
  column: number;
  message?: string;
}

/** The folder of the caller: `import.meta.url`, a file path, or a folder (`__dirname`). */
function callerDir(caller: string | URL): string {
  const path = caller instanceof URL || /^file:/.test(caller) ? fileURLToPath(caller) : caller;
  return /\.[cm]?[jt]s$/.test(path) ? dirname(path) : path;
}

/** The cases of a fixtures folder: the names of its `<case>.input.nix` files, sorted. */
export function fixtureCases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.input.nix'))
    .map((f) => f.slice(0, -'.input.nix'.length))
    .sort();
}

/**
 * One vitest test per fixture of `transform` (a module path relative to the caller, or the name
 * of a built-in transform).
 */
export function defineFixtureTests(caller: string | URL, transform: string, opts: FixtureTestOptions = {}): void {
  const base = callerDir(caller);
  const dir = resolve(base, opts.fixtures ?? '__testfixtures__');
  const spec = transform.startsWith('.') ? resolve(base, transform) : transform;
  let loaded: Promise<Transform> | undefined;
  const load = (): Promise<Transform> => (loaded ??= loadTransform(spec, base));
  describe(`fixtures of ${transform}`, () => {
    for (const c of fixtureCases(dir)) {
      it(c, async () => {
        const t = await load();
        const read = (suffix: string): string | undefined => (existsSync(join(dir, c + suffix)) ? readFileSync(join(dir, c + suffix), 'utf8') : undefined);
        const input = read('.input.nix')!;
        const expected = read('.output.nix') ?? input;
        const options = JSON.parse(read('.options.json') ?? '{}') as TransformOptions;
        const wanted = JSON.parse(read('.findings.json') ?? '[]') as ExpectedFinding[];
        const chain = [{ transform: t, options }];
        const first = await processSource(input, `${c}.input.nix`, chain);
        expect(first.error, 'the transform refused or failed').toBeUndefined();
        expect(first.output ?? input).toBe(expected);
        const withMessage = wanted.some((f) => f.message !== undefined);
        expect(first.findings.map((f) => ({ rule: f.rule, severity: f.severity, line: f.line, column: f.column, ...(withMessage ? { message: f.message } : {}) }))).toEqual(wanted);
        const second = await processSource(expected, `${c}.output.nix`, chain);
        expect(second.error).toBeUndefined();
        expect(second.output ?? expected, 'a second run changes nothing').toBe(expected);
      });
    }
  });
}
