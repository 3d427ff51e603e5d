/**
 * The floors the benchmark compares nixshift with, as plain programs on the same worker count:
 *
 * - `io`: walk the tree, read every `.nix` file, test the needles (what any tool must pay);
 * - `parse`: the same, and parse every file with tree-sitter (what a runner without a text
 *   prefilter pays).
 *
 * The main thread walks and hands paths to the workers in chunks while it walks, as nixshift
 * does, so both sides get the same overlap of walking and reading.
 *
 *   node dist/bench/floor.js <io|parse> <dir> <workers> <needle>…   → one JSON line
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface Tally {
  files: number;
  bytes: number;
  matched: number;
  parsed: number;
  errors: number;
}

type Mode = 'io' | 'parse';

async function workerMain(): Promise<void> {
  const { mode, needles } = workerData as { mode: Mode; needles: string[] };
  const bufs = needles.map((n) => Buffer.from(n, 'utf8'));
  const parser = mode === 'parse' ? await import('../src/nix/parser.js') : undefined;
  const decoder = new TextDecoder('utf-8');
  const tally: Tally = { files: 0, bytes: 0, matched: 0, parsed: 0, errors: 0 };
  parentPort!.on('message', (msg: string[] | null) => {
    if (msg === null) {
      parentPort!.postMessage(tally);
      parentPort!.close();
      return;
    }
    for (const path of msg) {
      let buf: Buffer;
      try {
        buf = readFileSync(path);
      } catch {
        tally.errors++;
        continue;
      }
      tally.files++;
      tally.bytes += buf.length;
      if (bufs.some((b) => buf.includes(b))) tally.matched++;
      if (parser) {
        // Parsed, and the native tree freed at once, as a runner does when done with a file.
        parser.releaseParsed(parser.parseNix(decoder.decode(buf)));
        tally.parsed++;
      }
    }
    parentPort!.postMessage('more');
  });
  parentPort!.postMessage('more');
}

export async function floor(mode: Mode, dir: string, workers: number, needles: string[]): Promise<Tally & { elapsedMs: number }> {
  const started = performance.now();
  const file = fileURLToPath(import.meta.url);
  const queue: string[][] = [];
  let chunk: string[] = [];
  let walked = false;
  const pool = Array.from({ length: workers }, () => new Worker(file, { workerData: { mode, needles } }));
  const waiting: Worker[] = [];
  const serve = (w: Worker): void => {
    const next = queue.shift();
    if (next) w.postMessage(next);
    else if (walked) w.postMessage(null);
    else waiting.push(w);
  };
  const results = pool.map(
    (w) =>
      new Promise<Tally>((resolve) => {
        w.on('message', (m: 'more' | Tally) => (m === 'more' ? serve(w) : resolve(m)));
      }),
  );
  const push = (c: string[]): void => {
    queue.push(c);
    while (waiting.length > 0 && queue.length > 0) serve(waiting.shift()!);
  };
  let sinceYield = 0;
  const walk = async (d: string): Promise<void> => {
    if (++sinceYield >= 64) {
      sinceYield = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git') await walk(p);
      } else if (e.isFile() && e.name.endsWith('.nix')) {
        chunk.push(p);
        if (chunk.length >= 64) {
          push(chunk);
          chunk = [];
        }
      }
    }
  };
  await walk(dir);
  if (chunk.length > 0) push(chunk);
  walked = true;
  while (waiting.length > 0) serve(waiting.shift()!);
  const tallies = await Promise.all(results);
  const total: Tally = { files: 0, bytes: 0, matched: 0, parsed: 0, errors: 0 };
  for (const t of tallies) for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k];
  return { ...total, elapsedMs: performance.now() - started };
}

if (!isMainThread) {
  void workerMain();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode, dir, workers, ...needles] = process.argv.slice(2);
  if ((mode !== 'io' && mode !== 'parse') || !dir) {
    process.stderr.write('usage: floor.js <io|parse> <dir> <workers> <needle>…\n');
    process.exitCode = 2;
  } else {
    const r = await floor(mode, dir, Number(workers ?? 2), needles);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
