/**
 * The seeds of the property tests: `Rng` (mulberry32, shared with the benchmark corpus, so every
 * case is reproducible from one 32-bit seed) and `caseSeed`, which spreads a run's base seed
 * over its cases.
 */
import { Rng } from '../../../bench/rng.js';

export { Rng };

/** The seed of case `index` of a run with base seed `base` (well spread, never 0). */
export function caseSeed(base: number, index: number): number {
  let h = (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 1 : h;
}
