/** Part of the benchmark corpus generator (bench/corpus.ts): text helpers. */
import { Rng } from '../rng.js';
import { cap } from './random.js';
import { ADJ, FILLER, FORBIDDEN_NAME, GERUND, NAME_SUFFIXES, NIX_KEYWORDS, NOUN, OBJECT, SYLLABLES } from './vocabulary.js';


export function sentence(r: Rng): string {
  return `${cap(r.pick(ADJ))} ${r.pick(NOUN)} for ${r.pick(GERUND)} ${r.pick(OBJECT)}`;
}

export function paragraphLines(r: Rng, width: number, budget: number): string[] {
  const words: string[] = [];
  let len = 0;
  while (len < budget) {
    const s = r.chance(0.5) ? r.pick(FILLER) : `${sentence(r)}.`;
    for (const w of s.split(' ')) {
      words.push(w);
      len += w.length + 1;
    }
  }
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** Unique made-up package names. */
export class Names {
  private readonly used = new Set<string>();
  constructor(private readonly r: Rng) {}
  fresh(prefix = '', suffixChance = 0.15): string {
    for (let attempt = 0; ; attempt++) {
      const n = this.r.chance(0.7) ? 2 : this.r.chance(0.7) ? 3 : 1;
      let s = '';
      for (let i = 0; i < n; i++) s += this.r.pick(SYLLABLES);
      if (s.length < 3) s += this.r.pick(SYLLABLES);
      if (this.r.chance(suffixChance)) s += this.r.pick(NAME_SUFFIXES);
      s = prefix + s;
      if (attempt > 20) s += String(attempt);
      if (FORBIDDEN_NAME.test(s) || NIX_KEYWORDS.has(s) || this.used.has(s)) continue;
      this.used.add(s);
      return s;
    }
  }
  /** A name that may repeat (maintainers, owners). */
  any(): string {
    for (;;) {
      const s = this.r.pick(SYLLABLES) + this.r.pick(SYLLABLES) + (this.r.chance(0.3) ? this.r.pick(SYLLABLES) : '');
      if (!FORBIDDEN_NAME.test(s) && !NIX_KEYWORDS.has(s)) return s;
    }
  }
}
