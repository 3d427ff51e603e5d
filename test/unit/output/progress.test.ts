import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/output/progress.js';

function harness(delayMs: number, intervalMs: number) {
  let now = 0;
  const out: string[] = [];
  const p = new Progress({ write: (t: string) => out.push(t) }, { delayMs, intervalMs, now: () => now });
  return { p, out, at: (ms: number) => (now = ms) };
}

describe('Progress', () => {
  it('shows files done / total, percent, rate and time left, once the delay has passed', () => {
    const { p, out, at } = harness(500, 100);
    p.start(1000);
    at(100);
    p.tick(); // before the delay: nothing
    expect(out).toEqual([]);
    at(400);
    for (let i = 0; i < 98; i++) p.tick();
    expect(out).toEqual([]);
    at(1000);
    p.tick(); // 100 done in 1 s
    expect(out).toEqual(['\r\x1b[Knixshift: [ 100/1000]  10%  100 files/s  ETA 9s']);
    at(1050);
    p.tick(); // within the interval: not redrawn
    expect(out).toHaveLength(1);
    p.clear();
    expect(out.at(-1)).toBe('\r\x1b[K');
    p.clear(); // already clear: nothing more
    expect(out).toHaveLength(2);
  });

  it('writes minutes for long runs and always draws the last file', () => {
    const { p, out, at } = harness(0, 10_000);
    p.start(3);
    at(60_000);
    p.tick();
    expect(out.at(-1)).toBe('\r\x1b[Knixshift: [1/3]  33%  0 files/s  ETA 2m00s');
    at(61_000);
    p.tick(); // throttled
    p.tick(); // the last one is drawn anyway
    expect(out.at(-1)).toBe('\r\x1b[Knixshift: [3/3] 100%  0 files/s  ETA 0s');
  });

  it('counts without a total while files are still being found', () => {
    const { p, out, at } = harness(0, 0);
    at(2000);
    p.tick();
    p.tick();
    expect(out.at(-1)).toBe('\r\x1b[Knixshift: [2/?] 1 files/s (still finding files)');
    p.start(4);
    p.tick();
    expect(out.at(-1)).toBe('\r\x1b[Knixshift: [3/4]  75%  2 files/s  ETA 1s');
  });
});
