/** Where the package is installed (the folder with package.json and binding.gyp). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  // src/… (vitest) or dist/src/… (built): walk up to the folder with binding.gyp.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('nixshift: cannot find the package root (binding.gyp)');
}

export const PACKAGE_ROOT = findRoot();
