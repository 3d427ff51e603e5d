/**
 * mulberry32: a seeded generator with 32 bits of state, identical on every platform. The
 * benchmark corpus and the property tests both use it, so a seed always gives the same tree or
 * the same cases. Tables of choices are `[weight, value]` pairs everywhere.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** 0 ≤ x < 1 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  /** lo ≤ n ≤ hi */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** One value of a table of `[weight, value]` pairs, in proportion to the weights. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of table) total += w;
    let r = this.next() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1]![1];
  }
  /** k distinct elements, in random order. */
  sample<T>(xs: readonly T[], k: number): T[] {
    const n = Math.min(k, xs.length);
    if (n * 4 < xs.length) {
      // few of many: draw indices (no copy of the array)
      const picked: number[] = [];
      while (picked.length < n) {
        const i = this.int(xs.length);
        if (!picked.includes(i)) picked.push(i);
      }
      return picked.map((i) => xs[i]!);
    }
    const a = xs.slice();
    for (let i = 0; i < n; i++) {
      const j = i + this.int(a.length - i);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, n);
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
