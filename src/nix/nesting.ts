/**
 * How deeply a Nix text nests brackets, braces, parentheses and interpolations, from a scan of
 * the text (strings and comments understood, no parse). Used as a guard: real Nix files nest a
 * few dozen levels; hundreds of levels are generated or hostile input, and are not transformed
 * (with the reason). The guard was first a necessity (with the tree-sitter Node binding, walking
 * up from the innermost node of a text nested N deep cost N² steps: 990 nested lists took about
 * 10 s a file); with our flat trees `parent` is O(1), and it stays as a sanity limit.
 */
import { loadBinding } from './binding.js';

export const MAX_NESTING = 256;

/** The native scan (native/nesting.c), loaded at the first call. */
let native: ((source: string, limit: number) => number) | undefined;

/**
 * The deepest nesting of `( [ { ${` and `let … in` in `source`. Stops counting past `limit`.
 *
 * The scan runs in native code (native/nesting.c). In JavaScript, V8 compiled the scanning loop
 * again each time the text showed it a kind of character it had not met before: on the 250 files
 * of the benchmark that mention CUDA, more time went to compiling it than to running it.
 * test/unit/nix/nesting.test.ts keeps the JavaScript version as the reference the native one is checked
 * against.
 */
export function nestingDepth(source: string, limit = Infinity): number {
  native ??= loadBinding().nestingDepth as (source: string, limit: number) => number;
  return native(source, limit);
}
