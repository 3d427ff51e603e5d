/**
 * Where our native binding (native/binding.cc, built by `npm install`) is loaded from. Kept apart
 * from parser.ts so that a thread that only reads files (runner/intake.ts) can use the binding's
 * scanner without loading the parser's modules.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

const require = createRequire(import.meta.url);

let loaded: Record<string, unknown> | undefined;

/** The binding's exports (throws, saying what to do, when it is not built). */
export function loadBinding(): Record<string, unknown> {
  if (loaded) return loaded;
  const root = PACKAGE_ROOT;
  const candidates = [join(root, 'build', 'Release', 'nixshift_tree_sitter_nix.node'), join(root, 'build', 'Debug', 'nixshift_tree_sitter_nix.node')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      'nixshift: the Nix grammar binding is not built (build/Release/nixshift_tree_sitter_nix.node). Run `npm install` (or `npx node-gyp rebuild`) in ' +
        root,
    );
  }
  loaded = require(found) as Record<string, unknown>;
  return loaded;
}

/** The prefilter's native fast path (see `scan` in native/binding.cc). */
export interface Scanner {
  setNeedles(needles: string[]): void;
  scan(path: string, limit: number): number;
  /** `scan` for a batch of paths joined by NULs (see `scanBatch` in native/binding.cc); absent in an older build. */
  scanBatch?(paths: string, limit: number, indices: Int32Array, control: Int32Array | null, epoch: number, abort: Int32Array | null): Float64Array;
}

let scanner: Scanner | null | undefined;

/** The scanner, or null when the binding cannot be loaded or is older than the scanner. */
export function nativeScanner(): Scanner | null {
  if (scanner !== undefined) return scanner;
  try {
    const b = loadBinding();
    scanner = typeof b.scan === 'function' && typeof b.setNeedles === 'function' ? (b as unknown as Scanner) : null;
  } catch {
    scanner = null;
  }
  return scanner;
}

let lister: ((path: string) => string) | null | undefined;

/**
 * The binding's folder listing (see `listDir` in native/binding.cc and `listFolder` in
 * runner/discover.ts), or null when the binding cannot be loaded or is older than it.
 */
export function nativeLister(): ((path: string) => string) | null {
  if (lister !== undefined) return lister;
  try {
    const b = loadBinding();
    lister = typeof b.listDir === 'function' ? (b.listDir as (path: string) => string) : null;
  } catch {
    lister = null;
  }
  return lister;
}
