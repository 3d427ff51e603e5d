/**
 * `npm run bench`: nixshift against the floors and ast-grep, on one generated nixpkgs-shaped tree.
 *
 *   node dist/bench/run.js [--files 50000] [--mb 200] [--seed 1] [--runs 5] [--cpus 2]
 *                          [--corpus DIR] [--keep] [--out bench/results.json]
 *
 * Every measurement runs as its own process, `--runs` times after one warm-up run (page cache);
 * the table shows medians. Wall time, CPU time and peak RSS come from GNU time
 * (`/usr/bin/time -f '%e %M %U %S'`) when it is installed, else wall time only.
 *
 *   1 io-floor       a plain Node program, same worker count: walk, read every .nix, test needles
 *   2 parse-floor    the same, and tree-sitter parses every file (a runner without a prefilter)
 *   3 nixshift       run -t cudatoolkit-to-redist -t symlinkjoin-to-propagated --json > file
 *   4 in-band        the same with --run-in-band
 *   5 ast-grep       ast-grep scan with a Nix rule matching the same needles (when installed)
 *
 * Also, on the same tree: two workers against one on the parse-heavy work (--no-prefilter),
 * with the parse floor on one worker against N (what the machine itself gives); the same two
 * on a tree a tenth the size (where per-thread start-up weighs more); peak RSS on that tree
 * (does memory grow with the number of files?); start-up (`--version`, a single-file run); a
 * giant file.
 *
 * The ratios the targets are judged on (3/1, one worker/N) come from runs taken in alternation,
 * as the median of the ratios of each pair (see measurePair): this machine's speed drifts from
 * minute to minute by more than the differences measured.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus, type CorpusStats } from './corpus.js';
import { commitRates } from './commits.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'nixshift.js');
const FLOOR = join(ROOT, 'dist', 'bench', 'floor.js');
const AST_GREP = join(ROOT, 'node_modules', '.bin', 'ast-grep');
const TRANSFORMS = ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'];
/** The needles of those two transforms, and the suppression marker nixshift also looks for. */
const NEEDLES = ['cudatoolkit', 'symlinkJoin', 'buildEnv', 'nixshift-ignore'];

interface Options {
  files: number;
  mb: number;
  seed: number;
  runs: number;
  cpus: number;
  corpus?: string;
  keep: boolean;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { files: 50_000, mb: 200, seed: 1, runs: 5, cpus: 2, keep: false, out: join(ROOT, 'bench', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--files') o.files = Number(next());
    else if (a === '--mb') o.mb = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--cpus') o.cpus = Number(next());
    else if (a === '--corpus') o.corpus = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') o.out = resolve(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const HAVE_GNU_TIME = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0;

interface Sample {
  wallS: number;
  rssMb?: number;
  /** User and system CPU time of the process and its threads (GNU time). */
  cpuS?: number;
  status: number | null;
}

/** Run a command once; stdout to `stdoutFile` (or discarded). */
function once(cmd: string, args: string[], stdoutFile?: string): Sample {
  const started = performance.now();
  const timed = HAVE_GNU_TIME ? ['/usr/bin/time', ['-f', '@@%e %M %U %S', cmd, ...args]] : [cmd, args];
  const r = spawnSync(timed[0] as string, timed[1] as string[], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = (performance.now() - started) / 1000;
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /@@([\d.]+) (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wallS: m ? Number(m[1]) : wall, ...(m ? { rssMb: Number(m[2]) / 1024, cpuS: Number(m[3]) + Number(m[4]) } : {}), status: r.status };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Measurement {
  name: string;
  wallS: number;
  rssMb?: number;
  /**
   * CPU seconds (user + system, all threads), median. On a busy or shared machine wall times
   * swing by 15 % and more from run to run; CPU time moves much less, and on a machine whose
   * cores are all busy it is what the wall time follows.
   */
  cpuS?: number;
  filesPerS: number;
  mbPerS: number;
  runs: number[];
}

/** One command of a measurement: what it is called, what it processes, how it is run. */
interface Command {
  name: string;
  files: number;
  bytes: number;
  cmd: string;
  args: string[];
  stdoutFile?: string;
}

function summarize(c: Command, samples: Sample[]): Measurement {
  const wallS = median(samples.map((s) => s.wallS));
  const rss = samples.every((s) => s.rssMb !== undefined) ? median(samples.map((s) => s.rssMb!)) : undefined;
  const cpu = samples.every((s) => s.cpuS !== undefined) ? median(samples.map((s) => s.cpuS!)) : undefined;
  return { name: c.name, wallS, ...(rss !== undefined ? { rssMb: rss } : {}), ...(cpu !== undefined ? { cpuS: cpu } : {}), filesPerS: c.files / wallS, mbPerS: c.bytes / (1 << 20) / wallS, runs: samples.map((s) => s.wallS) };
}

function measure(name: string, runs: number, files: number, bytes: number, cmd: string, args: string[], stdoutFile?: string): Measurement {
  const c: Command = { name, files, bytes, cmd, args, ...(stdoutFile !== undefined ? { stdoutFile } : {}) };
  process.stderr.write(`bench: ${name} …`);
  once(cmd, args, stdoutFile); // warm-up
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(once(cmd, args, stdoutFile));
  const m = summarize(c, samples);
  process.stderr.write(` ${m.wallS.toFixed(2)} s\n`);
  return m;
}

/** Two measurements taken in alternation, and the ratio a/b of each pair of runs. */
interface Paired {
  a: Measurement;
  b: Measurement;
  /** Wall time of a over b, run by run; `ratio` is their median. */
  ratios: number[];
  ratio: number;
  /** The same on CPU time (GNU time), when measured. */
  cpuRatios: number[] | null;
  cpuRatio: number | null;
}

/**
 * Measure two commands in alternation (a b, b a, a b, …), after a warm-up of each unless told
 * not to. The load of this machine drifts from minute to minute (other guests of the host):
 * the same run takes 15 % and more longer in one minute than in the next. A ratio of two runs
 * taken side by side is much steadier than a ratio of two medians taken minutes apart, so the
 * ratios the targets are judged on are medians of per-pair ratios.
 */
function measurePair(a: Command, b: Command, runs: number, warm = true): Paired {
  process.stderr.write(`bench: ${a.name} / ${b.name} …`);
  if (warm) {
    once(a.cmd, a.args, a.stdoutFile);
    once(b.cmd, b.args, b.stdoutFile);
  }
  const sa: Sample[] = [];
  const sb: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const first = i % 2 === 0;
    if (first) sa.push(once(a.cmd, a.args, a.stdoutFile));
    sb.push(once(b.cmd, b.args, b.stdoutFile));
    if (!first) sa.push(once(a.cmd, a.args, a.stdoutFile));
  }
  const ratios = sa.map((s, i) => s.wallS / sb[i]!.wallS);
  const cpuRatios = sa.every((s, i) => s.cpuS !== undefined && sb[i]!.cpuS !== undefined) ? sa.map((s, i) => s.cpuS! / sb[i]!.cpuS!) : null;
  const pair: Paired = { a: summarize(a, sa), b: summarize(b, sb), ratios, ratio: median(ratios), cpuRatios, cpuRatio: cpuRatios ? median(cpuRatios) : null };
  process.stderr.write(` ${pair.a.wallS.toFixed(2)} s / ${pair.b.wallS.toFixed(2)} s\n`);
  return pair;
}

function corpusAt(dir: string, o: Options, files: number, mb: number, giant: number): CorpusStats {
  process.stderr.write(`bench: generating ${files} files / ${mb} MiB in ${dir} …\n`);
  return generateCorpus({ out: dir, seed: o.seed, files, megabytes: mb, giantFiles: giant, force: true });
}

function table(rows: Measurement[]): string {
  const head = ['measurement', 'wall s', 'CPU s', 'files/s', 'MB/s', 'peak RSS MB'];
  const body = rows.map((r) => [
    r.name,
    r.wallS.toFixed(2),
    r.cpuS !== undefined ? r.cpuS.toFixed(2) : 'n/a',
    Math.round(r.filesPerS).toLocaleString('en-US'),
    r.mbPerS.toFixed(0),
    r.rssMb !== undefined ? r.rssMb.toFixed(0) : 'n/a',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'nixshift-bench-'));
  const dir = o.corpus ?? join(work, 'tree');
  const stats = o.corpus && existsSync(o.corpus) ? undefined : corpusAt(dir, o, o.files, o.mb, 3);
  const count = stats?.files ?? Number(execFileSync('sh', ['-c', `find "${dir}" -name '*.nix' | wc -l`], { encoding: 'utf8' }).trim());
  const bytes = stats?.bytes ?? Number(execFileSync('sh', ['-c', `find "${dir}" -name '*.nix' -print0 | du -cb --files0-from=- | tail -1 | cut -f1`], { encoding: 'utf8' }).trim());
  const node = process.execPath;
  const ts = TRANSFORMS.flatMap((t) => ['-t', t]);
  const json = join(work, 'out.json');
  const rows: Measurement[] = [];
  const workers = (cpus: number): string => (cpus === 1 ? 'one worker' : `${cpus} workers`);
  // The whole-tree run against the I/O floor, in alternation (see measurePair).
  const main3 = measurePair(
    { name: '3 nixshift', files: count, bytes, cmd: node, args: [BIN, 'run', ...ts, '--json', '--cpus', String(o.cpus), dir], stdoutFile: json },
    { name: '1 io-floor', files: count, bytes, cmd: node, args: [FLOOR, 'io', dir, String(o.cpus), ...NEEDLES] },
    o.runs,
  );
  const io = main3.b;
  const threaded = main3.a;
  // Two workers against one where parsing dominates: --no-prefilter on the same tree, with
  // `--cpus 1` (one worker thread, the main thread walking and printing beside it) against
  // `--cpus N`; and what the machine itself gives: the parse floor (tree-sitter and nothing
  // else) on one worker against N. The runs are long (half a minute), so no warm-up: the page
  // cache is warm from the runs above, and V8 keeps nothing from one process to the next.
  // As many pairs as other runs (`o.runs`): a pair's ratio swings by 20 % on this machine (1.42
  // to 1.98 over two benches), so fewer pairs would make the median a coin toss around a target.
  const npCmd = (cpus: number, tree: string, files: number, treeBytes: number, label = ''): Command => ({
    name: `no-prefilter, ${workers(cpus)}${label}`,
    files,
    bytes: treeBytes,
    cmd: node,
    args: [BIN, 'run', ...ts, '--json', '--no-prefilter', '--cpus', String(cpus), tree],
    stdoutFile: json,
  });
  const pfCmd = (cpus: number, tree: string, files: number, treeBytes: number, name: string): Command => ({ name, files, bytes: treeBytes, cmd: node, args: [FLOOR, 'parse', tree, String(cpus), ...NEEDLES] });
  const parse = measurePair(pfCmd(1, dir, count, bytes, 'parse-floor, one worker'), pfCmd(o.cpus, dir, count, bytes, '2 parse-floor'), o.runs, false);
  rows.push(io, parse.b, threaded);
  const inBand = measure('4 nixshift --run-in-band', o.runs, count, bytes, node, [BIN, 'run', ...ts, '--json', '--run-in-band', dir], json);
  rows.push(inBand);
  let astGrep: Measurement | undefined;
  if (existsSync(AST_GREP)) {
    const rule = ['id: legacy-cuda', 'language: nix', 'rule:', '  any:', ...NEEDLES.filter((n) => /^\w+$/.test(n)).map((n) => `    - pattern: ${n}`)].join('\n');
    astGrep = measure('5 ast-grep scan', o.runs, count, bytes, AST_GREP, ['scan', '--inline-rules', rule, '--json=stream', '-j', String(o.cpus), dir], join(work, 'sg.json'));
    rows.push(astGrep);
  }
  const scaling = measurePair(npCmd(1, dir, count, bytes), npCmd(o.cpus, dir, count, bytes), o.runs, false);
  rows.push(scaling.a, scaling.b, parse.a);

  // The same on a tree a tenth the size, where what each thread pays once (start-up, V8
  // compiling the transforms) weighs ten times more.
  const small = join(work, 'small');
  const smallStats = corpusAt(small, o, Math.max(500, Math.round(o.files / 10)), Math.max(2, Math.round(o.mb / 10)), 0);
  const on = ` (${smallStats.files} files)`;
  const smallScaling = measurePair(npCmd(1, small, smallStats.files, smallStats.bytes, on), npCmd(o.cpus, small, smallStats.files, smallStats.bytes, on), o.runs);
  const smallParse = measurePair(pfCmd(1, small, smallStats.files, smallStats.bytes, `parse-floor, one worker${on}`), pfCmd(o.cpus, small, smallStats.files, smallStats.bytes, `parse-floor, ${workers(o.cpus)}${on}`), o.runs);
  rows.push(smallScaling.a, smallScaling.b, smallParse.a, smallParse.b);
  // Memory against the number of files: the same run on the tree a tenth the size.
  const smallRun = measure(`3 nixshift on the small tree (${smallStats.files} files)`, o.runs, smallStats.files, smallStats.bytes, node, [BIN, 'run', ...ts, '--json', '--cpus', String(o.cpus), small], json);
  rows.push(smallRun);
  // Start-up and one file.
  const oneFile = join(ROOT, 'examples', 'pkgs', 'development', 'libraries', 'linalg-gpu', 'default.nix');
  const version = measure('nixshift --version', 10, 1, 0, node, [BIN, '--version']);
  const single = measure('nixshift run, one file', 10, 1, 0, node, [BIN, 'run', ...ts, oneFile]);
  rows.push(version, single);
  // A giant file with a needle: processed or skipped with the reason, never a stall.
  const giantDir = join(work, 'giant');
  mkdirSync(giantDir);
  const entries = Array.from({ length: 120_000 }, (_, i) => `  pkg${i} = { version = "1.${i}"; sha256 = "${'0'.repeat(52)}"; };\n`).join('');
  writeFileSync(join(giantDir, 'generated.nix'), `{ cudatoolkit }:\n{\n${entries}  gpu = cudatoolkit;\n}\n`);
  const giant = measure('giant file with a needle (12 MB)', 3, 1, 0, node, [BIN, 'run', ...ts, giantDir]);
  rows.push(giant);

  // The commit phase of --commit (bench/commits.ts), in commits per second.
  const commits = commitRates(BIN, work, 400);

  const ratios = {
    /** Medians of the ratios of runs taken side by side (see measurePair). */
    nixshiftOverIoFloor: main3.ratio,
    nixshiftOverIoFloorCpu: main3.cpuRatio,
    nixshiftOverAstGrep: astGrep ? threaded.wallS / astGrep.wallS : null,
    inBandOverThreaded: inBand.wallS / threaded.wallS,
    oneWorkerOverTwo: scaling.ratio,
    parseFloorOneOverTwo: parse.ratio,
    smallTreeOneWorkerOverTwo: smallScaling.ratio,
    smallTreeParseFloorOneOverTwo: smallParse.ratio,
    rssFullOverSmall: threaded.rssMb !== undefined && smallRun.rssMb !== undefined ? threaded.rssMb / smallRun.rssMb : null,
    commitsFastOverPerCommit: commits.fast.perSecond / commits.perCommit.perSecond,
  };
  const pairs = {
    nixshiftOverIoFloor: main3.ratios,
    oneWorkerOverTwo: scaling.ratios,
    parseFloorOneOverTwo: parse.ratios,
    smallTreeOneWorkerOverTwo: smallScaling.ratios,
    smallTreeParseFloorOneOverTwo: smallParse.ratios,
  };
  const targets = {
    'whole-tree run within 1.5x of the I/O floor': ratios.nixshiftOverIoFloor <= 1.5,
    'faster than ast-grep': ratios.nixshiftOverAstGrep === null ? null : ratios.nixshiftOverAstGrep < 1,
    'two workers at least 1.6x one (no prefilter)': ratios.oneWorkerOverTwo >= 1.6,
    'peak RSS under 400 MB': threaded.rssMb === undefined ? null : threaded.rssMb < 400,
    '--version under 150 ms': version.wallS < 0.15,
    'single-file run under 300 ms': single.wallS < 0.3,
    '--commit at least 10x faster than a git commit per package': ratios.commitsFastOverPerCommit >= 10,
  };
  const fmt = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(2)}x`);
  let out = `\nCorpus: ${count.toLocaleString('en-US')} files, ${(bytes / (1 << 20)).toFixed(0)} MiB (seed ${o.seed}); ${o.cpus} workers; median of ${o.runs} runs (after a warm-up, but for the half-minute runs on one worker or two)\n\n`;
  out += `${table(rows)}\n\n`;
  const each = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
  out += `Ratios marked * are medians of the ratios of runs taken side by side (each run's ratio in brackets).\n\n`;
  out += `3/1 nixshift / io-floor *:   ${fmt(ratios.nixshiftOverIoFloor)} [${each(pairs.nixshiftOverIoFloor)}] (CPU time: ${fmt(ratios.nixshiftOverIoFloorCpu)})\n`;
  out += `3/5 nixshift / ast-grep:     ${fmt(ratios.nixshiftOverAstGrep)}\n`;
  out += `4/3 in-band / threaded:      ${fmt(ratios.inBandOverThreaded)}\n`;
  out += `one worker / ${o.cpus} (no prefilter) *: ${fmt(ratios.oneWorkerOverTwo)} [${each(pairs.oneWorkerOverTwo)}]\n`;
  out += `parse floor, one worker / ${o.cpus} *: ${fmt(ratios.parseFloorOneOverTwo)} [${each(pairs.parseFloorOneOverTwo)}] (what this machine gives parsing on ${o.cpus} threads)\n`;
  out += `the same on the tenth tree *: ${fmt(ratios.smallTreeOneWorkerOverTwo)} [${each(pairs.smallTreeOneWorkerOverTwo)}]; parse floor ${fmt(ratios.smallTreeParseFloorOneOverTwo)} [${each(pairs.smallTreeParseFloorOneOverTwo)}]\n`;
  out += `peak RSS full / tenth tree:  ${fmt(ratios.rssFullOverSmall)}\n`;
  out += `--commit of ${commits.fast.commits} packages: ${Math.round(commits.fast.perSecond)} commits/s (git fast-import), ${Math.round(commits.perCommit.perSecond)} commits/s (git commit per package, a hook in the repository): ${fmt(ratios.commitsFastOverPerCommit)}\n\n`;
  for (const [k, v] of Object.entries(targets)) out += `${v === null ? 'n/a ' : v ? 'PASS' : 'MISS'}  ${k}\n`;
  process.stdout.write(out);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: o.cpus, corpus: { dir: o.corpus ?? null, files: count, bytes, seed: o.seed, stats: stats ?? null }, gnuTime: HAVE_GNU_TIME, rows, ratios, pairs, commits, targets }, null, 2)}\n`);
  process.stderr.write(`bench: results written to ${o.out}\n`);
  if (!o.keep) rmSync(work, { recursive: true, force: true });
  else process.stderr.write(`bench: kept ${work}\n`);
}

await main();
