/** Part of the benchmark corpus generator (bench/corpus.ts): pRNG (mulberry32) and helpers. */
import { Rng } from '../rng.js';


export function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function seedOf(seed: number): number {
  // Any number (also fractional or negative) to 32 bits.
  const s = Math.floor(seed * 1000003) | 0;
  return mix(s >>> 0, Math.floor(seed / 4294967296) | 0);
}


export const ind = (n: number): string => '  '.repeat(n);
export const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// Hash alphabets that cannot spell any needle: nix base32 has no e/o/t/u; the base64 subset
// leaves out u, O and J (every needle has one of them, or a `-`).
export const NIX32 = '0123456789abcdfghijklmnpqrsvwxyz';
export const B64 = 'ABCDEFGHIKLMNPQRSTUVWXYZabcdefghijklmnopqrstvwxyz0123456789+/';
export const HEX = '0123456789abcdef';
export function randChars(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[r.int(alphabet.length)];
  return s;
}
export const sri = (r: Rng): string => `sha256-${randChars(r, B64, 43)}=`;
export const nix32 = (r: Rng): string => randChars(r, NIX32, 52);
export const gitRev = (r: Rng): string => randChars(r, HEX, 40);
