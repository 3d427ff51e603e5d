import { describe, expect, it } from 'vitest';
import type { FileJob } from '../../../src/runner/job.js';
import { JobQueue } from '../../../src/runner/queue.js';

describe('JobQueue', () => {
  const jobs = (from: number, n: number): FileJob[] => Array.from({ length: n }, (_, i) => ({ index: from + i, absolute: `/w/${from + i}.nix`, display: `${from + i}.nix` }));

  it('makes the walk wait while more than `high` jobs wait, until no more than `low` do', async () => {
    const q = new JobQueue();
    for (const j of jobs(0, 10)) q.push(j);
    expect(q.throttle(10, 4)).toBeUndefined();
    q.push(jobs(10, 1)[0]!);
    const paused = q.throttle(10, 4);
    expect(paused).toBeInstanceOf(Promise);
    let resumed = false;
    void paused!.then(() => (resumed = true));
    q.take(6); // 5 left
    await Promise.resolve();
    expect(resumed).toBe(false);
    expect(q.take(1).map((j) => j.index)).toEqual([6]); // 4 left
    await Promise.resolve();
    expect(resumed).toBe(true);
  });

  it('lets the walk go when told (an interrupt, no thread left)', async () => {
    const q = new JobQueue();
    for (const j of jobs(0, 20)) q.push(j);
    const paused = q.throttle(8, 4)!;
    q.unthrottle(true);
    await paused;
    expect(q.throttle(8, 4)).toBeUndefined();
    expect(q.available).toBe(20);
  });
  it('hands out jobs in order, takes requeued jobs first, and counts what it holds', () => {
    const q = new JobQueue();
    for (const j of jobs(0, 5)) q.push(j);
    expect(q.count).toBe(5);
    expect(q.take(2).map((j) => j.index)).toEqual([0, 1]);
    q.requeue(jobs(0, 2));
    expect(q.available).toBe(5);
    expect(q.take(3).map((j) => j.index)).toEqual([0, 1, 2]);
    expect(q.ended).toBe(false);
    q.end();
    expect(q.ended).toBe(true);
    expect(q.drain()).toBe(2);
    expect(q.available).toBe(0);
  });
});
