/**
 * Faults, end to end through the built CLI: a transform that loops forever or kills its thread,
 * a write that fails half-way (injected), and SIGINT/SIGTERM sent to a real `--write` run. In
 * every case: no file is lost, truncated or half-written, no temporary file is left behind, the
 * problem is reported, and the rest of the run goes on (or stops cleanly, for a signal).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNix } from '../../src/nix/parser.js';
import { BIN, cli, snapshot, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();

/** Every file under `dir` whose name looks like one of our temporary files. */
function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.nixshift-\d+-[0-9a-f]+\.tmp$/.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** A user transform: MARK loop → endless loop; MARK exit → process.exit in its thread; MARK edit → a rewrite. */
const MISBEHAVING = [
  'export default {',
  "  name: 'misbehaving', description: 'test transform', needles: ['MARK'],",
  '  transform(file, api) {',
  "    if (file.source.includes('MARK loop')) for (;;) {}",
  "    if (file.source.includes('MARK exit')) process.exit(3);",
  "    const at = file.source.indexOf('MARK edit');",
  "    if (at >= 0) api.edit.replace({ startIndex: at, endIndex: at + 9 }, 'DONE edit');",
  '  },',
  '};',
].join('\n');

/** Many files to rewrite (enough for worker threads), and one bad file in the middle. */
function manyFiles(bad: string): Record<string, string> {
  const files: Record<string, string> = { 'misbehaving.mjs': MISBEHAVING };
  for (let i = 0; i < 300; i++) files[`pkgs/p${String(i).padStart(3, '0')}.nix`] = `{ x = ${i}; } # MARK edit\n`;
  files['pkgs/p150-bad.nix'] = `{ y = 1; } # ${bad}\n`;
  return files;
}

function jsonRun(dir: string, extra: string[]): { status: number | null; doc: { files: { path: string; status: string; error: string | null; errorKind?: string; written?: boolean }[] }; stderr: string } {
  const r = cli(['run', '-t', './misbehaving.mjs', '--write', '--json', ...extra, 'pkgs'], { cwd: dir });
  return { status: r.status, doc: JSON.parse(r.stdout), stderr: r.stderr };
}

describe('per-file time limit', () => {
  for (const mode of [['--cpus', '2'], ['--run-in-band']]) {
    it(`stops a transform stuck in a loop (${mode.join(' ')}): that file is an error, every other file is rewritten`, () => {
      const dir = tree(manyFiles('MARK loop'));
      const before = snapshot(dir);
      const started = Date.now();
      const { status, doc } = jsonRun(dir, ['--timeout', '1', ...mode]);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(status).toBe(2);
      const bad = doc.files.find((f) => f.path === 'pkgs/p150-bad.nix')!;
      expect(bad).toMatchObject({ status: 'error', errorKind: 'timeout' });
      expect(bad.error).toMatch(/time limit of 1 s .*file left unchanged \(--timeout to change the limit\)$/);
      const others = doc.files.filter((f) => f.path !== 'pkgs/p150-bad.nix');
      expect(others).toHaveLength(300);
      expect(others.every((f) => f.status === 'ok' && f.written === true)).toBe(true);
      const after = snapshot(dir);
      expect(after['pkgs/p150-bad.nix']).toEqual(before['pkgs/p150-bad.nix']);
      expect(after['pkgs/p000.nix']!.text).toBe('{ x = 0; } # DONE edit\n');
      expect(after['pkgs/p299.nix']!.text).toBe('{ x = 299; } # DONE edit\n');
      expect(tempFiles(dir)).toEqual([]);
    }, 60_000);
  }

  it('rejects a time limit that is not a number of seconds', () => {
    const dir = tree({ 'a.nix': '1\n' });
    const r = cli(['run', '-t', 'driver-runpath-rename', '--timeout', 'soon', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--timeout takes a number of seconds (0: no limit), not "soon"');
  });
});

describe('a worker thread that dies', () => {
  it('is replaced: the file it was on is an error, the files it had not started are processed by its successor', () => {
    const dir = tree(manyFiles('MARK exit'));
    const before = snapshot(dir);
    const { status, doc } = jsonRun(dir, ['--cpus', '2']);
    expect(status).toBe(2);
    const bad = doc.files.find((f) => f.path === 'pkgs/p150-bad.nix')!;
    expect(bad).toMatchObject({ status: 'error', errorKind: 'worker-lost' });
    expect(bad.error).toMatch(/^worker thread exited \(code 3\) while processing this file .*; file left unchanged$/);
    const others = doc.files.filter((f) => f.path !== 'pkgs/p150-bad.nix');
    expect(others.map((f) => f.status)).toEqual(Array(300).fill('ok'));
    expect(snapshot(dir)['pkgs/p150-bad.nix']).toEqual(before['pkgs/p150-bad.nix']);
    expect(tempFiles(dir)).toEqual([]);
  }, 60_000);
});

describe('a worker thread that dies after writing files', () => {
  // One thread, files all of one size (so in path order: the largest-first order keeps it), the
  // bad one in the middle of a batch: the files before it in the batch are written by the thread
  // that dies. Their results must reach the main thread before it dies, or their files would be
  // given to the successor, which would find them rewritten (no needle left) and report a skip.
  it('reports the files it wrote as written (--cpus 1)', () => {
    const files: Record<string, string> = { 'misbehaving.mjs': MISBEHAVING };
    for (let i = 0; i < 300; i++) files[`pkgs/p${String(i).padStart(3, '0')}.nix`] = `{ x = ${String(i).padStart(3)}; } # MARK edit\n`;
    files['pkgs/p150-bad.nix'] = '{ y =   1; } # MARK exit\n';
    const dir = tree(files);
    const { status, doc } = jsonRun(dir, ['--cpus', '1']);
    expect(status).toBe(2);
    expect(doc.files.find((f) => f.path === 'pkgs/p150-bad.nix')).toMatchObject({ status: 'error' });
    const others = doc.files.filter((f) => f.path !== 'pkgs/p150-bad.nix');
    expect(others.map((f) => `${f.path} ${f.status} ${f.written}`)).toEqual(Array.from({ length: 300 }, (_, i) => `pkgs/p${String(i).padStart(3, '0')}.nix ok true`));
    expect(readFileSync(join(dir, 'pkgs/p149.nix'), 'utf8')).toBe('{ x = 149; } # DONE edit\n');
  }, 60_000);
});

describe('a write that fails half-way', () => {
  for (const mode of [['--cpus', '2'], ['--run-in-band']]) {
    it(`keeps the original and removes the temporary file (${mode.join(' ')}); the other files are written`, () => {
      const dir = tree(manyFiles('MARK edit'));
      const before = snapshot(dir);
      // the injected failure: the temporary file is written, then the write fails (as ENOSPC)
      const r = cli(['run', '-t', './misbehaving.mjs', '--write', ...mode, 'pkgs'], { cwd: dir, env: { ...process.env, NIXSHIFT_TEST_FAIL_WRITE: 'p150-bad' } });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('pkgs/p150-bad.nix: error: cannot write: no space left on the device; the original file is unchanged');
      expect(r.stderr).toMatch(/300 written/);
      const after = snapshot(dir);
      expect(after['pkgs/p150-bad.nix']).toEqual(before['pkgs/p150-bad.nix']);
      expect(after['pkgs/p149.nix']!.text).toBe('{ x = 149; } # DONE edit\n');
      expect(tempFiles(dir)).toEqual([]);
    }, 60_000);
  }
});

/**
 * A slow rewrite (20 ms a file), so that a signal lands in the middle of a run; 20 s a file once
 * a file `slow-down` exists in the working folder (a file that is in progress for certain).
 */
const SLOW = [
  "import { existsSync } from 'node:fs';",
  'export default {',
  "  name: 'slow', description: 'test transform', needles: ['VALUE'],",
  '  transform(file, api) {',
  "    const end = Date.now() + (existsSync('slow-down') ? 20_000 : 20);",
  '    while (Date.now() < end) {}',
  "    const at = file.source.indexOf('VALUE');",
  "    api.edit.replace({ startIndex: at, endIndex: at + 5 }, 'DONE_');",
  '  },',
  '};',
].join('\n');

interface SignalRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** How many files of a slow tree are rewritten on disk. */
function rewrittenCount(dir: string): number {
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const sub = join(dir, 'pkgs', `d${d}`);
    for (const f of readdirSync(sub)) if (f.endsWith('.nix') && readFileSync(join(sub, f), 'utf8').includes('DONE_')) n++;
  }
  return n;
}

/**
 * Start a --write run, send `signals` (50 ms apart) once `after` files are rewritten on disk, wait
 * for the end. With `slowDown`, every file started from then on takes 20 s, and the signals wait
 * until each thread is on such a file: the run is certainly still going when the last one lands.
 */
function runAndSignal(dir: string, signals: NodeJS.Signals[], after: number, extra: string[] = [], slowDown = false): Promise<SignalRun & { afterFirstSignalMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, 'run', '-t', './slow.mjs', '--write', ...extra, 'pkgs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstSignalAt = 0;
    // stdout is written in chunks when it is not a terminal: watch the files instead
    const poll = setInterval(() => {
      if (rewrittenCount(dir) < after) return;
      clearInterval(poll);
      if (slowDown) writeFileSync(join(dir, 'slow-down'), '');
      // a file in progress without the slow-down takes 20 ms: 200 ms is ample
      const wait = slowDown ? 200 : 0;
      signals.forEach((s, i) =>
        setTimeout(() => {
          if (i === 0) firstSignalAt = Date.now();
          child.kill(s);
        }, wait + i * 50),
      );
    }, 25);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, ms: Date.now() - started, afterFirstSignalMs: Date.now() - firstSignalAt });
    });
  });
}

function slowTree(n: number): string {
  const files: Record<string, string> = { 'slow.mjs': SLOW };
  for (let i = 0; i < n; i++) files[`pkgs/d${i % 10}/p${String(i).padStart(4, '0')}.nix`] = `{ v = "VALUE ${i}"; }\n`;
  return tree(files);
}

/** Each file is either exactly as it was or exactly rewritten; returns the rewritten ones. */
function checkAllOrNothing(dir: string, n: number): string[] {
  const done: string[] = [];
  for (let i = 0; i < n; i++) {
    const rel = `pkgs/d${i % 10}/p${String(i).padStart(4, '0')}.nix`;
    const text = readFileSync(join(dir, rel), 'utf8');
    if (text === `{ v = "DONE_ ${i}"; }\n`) done.push(rel);
    else expect(text).toBe(`{ v = "VALUE ${i}"; }\n`);
    expect(parseNix(text).syntaxError).toBeUndefined();
  }
  return done;
}

describe('SIGINT and SIGTERM during --write', () => {
  const N = 1200;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: stops after the files in progress, says what was and was not written, exits ${code}`, async () => {
      const dir = slowTree(N);
      const r = await runAndSignal(dir, [signal], 40);
      expect(r.code).toBe(code);
      const written = checkAllOrNothing(dir, N);
      expect(written.length).toBeGreaterThanOrEqual(40);
      expect(written.length).toBeLessThan(N);
      // stdout lists exactly the files written
      expect(r.stdout.trim().split('\n').sort()).toEqual([...written].sort());
      expect(r.stderr).toContain(`nixshift: ${signal}: stopping after the files being processed`);
      const m = /nixshift: interrupted \((SIG\w+)\): (\d+) files? written before the stop \(listed above\); (\d+) files? not processed, left as they were/.exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      expect(m![1]).toBe(signal);
      expect(Number(m![2])).toBe(written.length);
      // every file found is accounted for: written, or not processed (no error here)
      expect(Number(m![2]) + Number(m![3])).toBe(N);
      // the summary line counts the files processed, of the ones found
      expect(r.stderr).toMatch(new RegExp(`; ${written.length} of ${N} files in [\\d.]+s \\(`));
      expect(tempFiles(dir)).toEqual([]);
    }, 120_000);
  }

  it('a second SIGINT stops at once: threads terminated, no temporary file left, no file half-written', async () => {
    const dir = slowTree(N);
    const r = await runAndSignal(dir, ['SIGINT', 'SIGINT'], 40, [], true);
    expect(r.code, r.stderr).toBe(130);
    // the files in progress take 20 s each: the run did not wait for them
    expect(r.afterFirstSignalMs).toBeLessThan(10_000);
    const written = checkAllOrNothing(dir, N);
    expect(written.length).toBeLessThan(N);
    expect(tempFiles(dir)).toEqual([]);
    expect(r.stderr).toMatch(/nixshift: interrupted \(SIGINT\)/);
  }, 120_000);

  it('in band too: stops between files', async () => {
    const dir = slowTree(300);
    const r = await runAndSignal(dir, ['SIGINT'], 20, ['--run-in-band']);
    expect(r.code).toBe(130);
    const written = checkAllOrNothing(dir, 300);
    expect(r.stdout.trim().split('\n').sort()).toEqual([...written].sort());
    expect(r.stderr).toMatch(new RegExp(`nixshift: interrupted \\(SIGINT\\): ${written.length} files? written before the stop`));
    expect(tempFiles(dir)).toEqual([]);
  }, 120_000);
});
