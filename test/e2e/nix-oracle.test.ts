/**
 * Every fixture (input and output) and every shipped example must be accepted by the real Nix
 * parser: a transform must never produce what Nix rejects, and fixtures must be real Nix.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_CI, NIX_INSTANTIATE, nixParseError, warnMissingNix } from '../helpers/nix.js';
import { nixFiles, ROOT } from '../helpers/tree.js';

const files = [...nixFiles(join(ROOT, 'fixtures')), ...nixFiles(join(ROOT, 'examples'))];

describe('nix-instantiate --parse accepts every fixture and example', () => {
  it('has nix-instantiate (required under CI)', () => {
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`${files.length} fixture and example files`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
    }
  });
  it.skipIf(!NIX_INSTANTIATE).each(files.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    expect(nixParseError(readFileSync(file, 'utf8'))).toBeUndefined();
  });
});
