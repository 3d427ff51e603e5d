/**
 * schema/nixshift.config.schema.json agrees with the loader (src/config.ts): what one accepts the
 * other accepts, on the README's example, the starter config of `nixshift init`, and bad configs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/cli/init.js';
import { parseConfig } from '../../src/config.js';
import { ROOT } from './../helpers/tree.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): (d: unknown) => boolean };
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'nixshift.config.schema.json'), 'utf8')) as object);

const loads = (text: string): boolean => {
  try {
    parseConfig(text, '/x/nixshift.config.json');
    return true;
  } catch {
    return false;
  }
};

describe('the config schema', () => {
  const readmeExample = /\*\*Config file\.\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))![1]!;
  const good = [readmeExample, starterConfig('./schema.json'), '{}', '{ "$schema": "x", "$comment": "y", "formatter": "nixfmt" }'];
  const bad = ['{ "transfroms": [] }', '{ "transforms": "x" }', '{ "ignore": [""] }', '{ "options": { "t": { "k": null } } }', '{ "overrides": [{ "options": {} }] }', '{ "formatter": " " }', '{ "disable": [1] }', '[]'];

  it('accepts what the loader accepts', () => {
    expect(good.map((t) => [loads(t), validate(JSON.parse(t))])).toEqual(good.map(() => [true, true]));
  });

  it('refuses what the loader refuses', () => {
    expect(bad.map((t) => [loads(t), validate(JSON.parse(t))])).toEqual(bad.map(() => [false, false]));
  });
});
