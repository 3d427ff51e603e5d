import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, fileOverrides, findConfig, parseConfig } from '../../src/config.js';
import { attrFromPath } from '../../src/git/packages.js';
import { makeTree, removeTree } from '../helpers/tree.js';

const trees: string[] = [];
afterEach(() => {
  while (trees.length > 0) removeTree(trees.pop()!);
});

describe('parseConfig', () => {
  it('reads every key, with numbers and lists as option strings', () => {
    const c = parseConfig(
      JSON.stringify({
        transforms: ['cudatoolkit-to-redist'],
        ignore: ['vendor/'],
        options: { 'cudatoolkit-to-redist': { style: 'explicit', 'cuda-libs': ['libcublas', 'libcufft'], strict: true, width: 80 } },
        packages: { 'python3Packages.torch': { 'cudatoolkit-to-redist': { 'cuda-libs': 'libcublas' } } },
        overrides: [{ files: ['pkgs/science/'], options: { x: { a: 'b' } } }],
        formatter: 'nixfmt',
      }),
      '/repo/nixshift.config.json',
    );
    expect(c.dir).toBe('/repo');
    expect(c.transforms).toEqual(['cudatoolkit-to-redist']);
    expect(c.options).toEqual({ 'cudatoolkit-to-redist': { style: 'explicit', 'cuda-libs': 'libcublas,libcufft', strict: true, width: '80' } });
    expect(c.formatter).toBe('nixfmt');
    expect(c.overrides?.[0]?.files).toEqual(['pkgs/science/']);
  });

  it.each([
    ['{', /not valid JSON/],
    ['[]', /the top level must be an object/],
    ['{"transfroms": []}', /unknown key "transfroms" \(did you mean "transforms"\?\) \(known: transforms, ignore, options, packages, overrides, formatter, disable\)/],
    ['{"transforms": "a"}', /"transforms" must be a list of non-empty strings/],
    ['{"ignore": [""]}', /"ignore" must be a list of non-empty strings/],
    ['{"options": {"t": 1}}', /"options".t must be an object of options/],
    ['{"options": {"t": {"k": null}}}', /"options".t.k must be a string, a boolean, a number or a list of strings/],
    ['{"packages": []}', /"packages" must be an object/],
    ['{"overrides": [{"files": ["a"], "option": {}}]}', /"overrides"\[0\]: unknown key "option"/],
    ['{"formatter": " "}', /"formatter" must be a command line/],
  ])('rejects %s with a clear message naming the file', (text, message) => {
    expect(() => parseConfig(text, '/r/nixshift.config.json')).toThrow(ConfigError);
    expect(() => parseConfig(text, '/r/nixshift.config.json')).toThrow(/^\/r\/nixshift\.config\.json: /);
    expect(() => parseConfig(text, '/r/nixshift.config.json')).toThrow(message);
  });
});

describe('fileOverrides', () => {
  const config = parseConfig(
    JSON.stringify({
      overrides: [
        { files: ['pkgs/science/'], options: { t: { a: '1', b: '1' } } },
        { files: ['*.generated.nix'], options: { t: { b: '2' } } },
      ],
      packages: { magma: { t: { b: '3' } }, 'python3Packages.torch': { u: { c: 'x' } } },
    }),
    '/repo/nixshift.config.json',
  );
  const at = (rel: string) => fileOverrides(config, `/repo/${rel}`, attrFromPath);

  it('merges matching overrides in order, then the package entry', () => {
    expect(at('pkgs/science/x/default.nix')).toEqual({ t: { a: '1', b: '1' } });
    expect(at('pkgs/science/x/y.generated.nix')).toEqual({ t: { a: '1', b: '2' } });
    expect(at('pkgs/science/magma/default.nix')).toEqual({ t: { a: '1', b: '3' } });
    expect(at('pkgs/by-name/ma/magma/package.nix')).toEqual({ t: { b: '3' } });
    expect(at('pkgs/development/python-modules/torch/default.nix')).toEqual({ u: { c: 'x' } });
  });

  it('gives nothing to other files and to files outside the config folder', () => {
    expect(at('pkgs/other/default.nix')).toBeUndefined();
    expect(fileOverrides(config, '/elsewhere/pkgs/science/a.nix', attrFromPath)).toBeUndefined();
  });
});

describe('findConfig', () => {
  it('finds the nearest config up to the git root, not beyond', () => {
    const root = makeTree({ 'outer/nixshift.config.json': '{}', 'outer/repo/.git/HEAD': 'ref: refs/heads/master\n', 'outer/repo/pkgs/a.nix': '1' });
    trees.push(root);
    expect(findConfig(join(root, 'outer/repo/pkgs'))).toBeUndefined();
    writeFileSync(join(root, 'outer/repo/nixshift.config.json'), '{}');
    expect(findConfig(join(root, 'outer/repo/pkgs'))).toBe(join(root, 'outer/repo/nixshift.config.json'));
    mkdirSync(join(root, 'outer/repo/pkgs/sub'));
    writeFileSync(join(root, 'outer/repo/pkgs/nixshift.config.json'), '{}');
    expect(findConfig(join(root, 'outer/repo/pkgs/sub'))).toBe(join(root, 'outer/repo/pkgs/nixshift.config.json'));
  });
});
