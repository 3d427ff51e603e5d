/**
 * A deterministic generator of a nixpkgs-shaped corpus for the benchmark.
 *
 * The tree looks like nixpkgs (by-name packages, `pkgs/development/…`, `pkgs/applications/…`,
 * NixOS modules and tests, `pkgs/top-level/all-packages.nix` with the call sites, a few other
 * top-level files, and giant generated package sets), but every line of it is made up here from
 * small vocabularies and a seeded PRNG: the same seed and sizes give a byte-identical tree.
 *
 * Needles: about `cudaFraction` of the files use the legacy `cudatoolkit` or CUDA `symlinkJoin`s
 * (in the shapes the fixtures cover), about 1 % use `symlinkJoin`/`buildEnv` without CUDA and
 * about 0.3 % use `addOpenGLRunpath`. No other file contains any of `NEEDLES` (checked for every
 * file written: random text cannot produce them).
 *
 * Every file parses with tree-sitter and with `nix-instantiate --parse` (formals cover every
 * free name, attribute names are unique in each set).
 *
 * As a script: `node dist/bench/corpus.js --out DIR [--seed 1] [--files 50000] [--mb 200]
 * [--cuda-fraction 0.005] [--giant-files 3] [--giant-mb 12] [--force]` prints the stats as JSON.
 */
import { packageText, topLevelFiles } from './corpus/files.js';
import { giantPath, giantText } from './corpus/giant.js';
import { FIXED_FILES, MIB, hasNeedle, type CorpusOptions, type CorpusStats } from './corpus/options.js';
import { assignNeedles, assignTargets, plan } from './corpus/plan.js';
import { mix, seedOf } from './corpus/random.js';
import { Names } from './corpus/text.js';
import { Rng } from './rng.js';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
export { NEEDLES, type CorpusOptions, type CorpusStats } from './corpus/options.js';

// ---------------------------------------------------------------------------------------------
// Entry point

export function generateCorpus(opts: CorpusOptions): CorpusStats {
  const files = Math.floor(opts.files);
  const totalBytes = Math.floor(opts.megabytes * MIB);
  const cudaFraction = opts.cudaFraction ?? 0.005;
  const joinFraction = opts.joinFraction ?? 0.01;
  const driverFraction = opts.driverFraction ?? 0.003;
  const giantFiles = Math.max(0, Math.floor(opts.giantFiles ?? 3));
  const giantMegabytes = opts.giantMegabytes ?? Math.min(12, opts.megabytes * 0.06);
  const regularCount = files - FIXED_FILES - giantFiles;
  if (!(regularCount >= 1)) throw new Error(`nixshift corpus: --files must be at least ${FIXED_FILES + giantFiles + 1} (${FIXED_FILES} top-level files and ${giantFiles} giant files)`);
  if (!(opts.megabytes > 0)) throw new Error('nixshift corpus: --mb must be positive');

  const out = resolve(opts.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!opts.force) throw new Error(`nixshift corpus: ${out} is not empty (use --force to replace it)`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  // `out` is empty: each folder is made once, parents first, without `recursive` (which stats every level).
  const madeDirs = new Set<string>(['']);
  const ensureDir = (dir: string): void => {
    if (madeDirs.has(dir)) return;
    const slash = dir.lastIndexOf('/');
    ensureDir(slash < 0 ? '' : dir.slice(0, slash));
    mkdirSync(join(out, dir));
    madeDirs.add(dir);
  };
  const stats: CorpusStats = { files: 0, bytes: 0, cudaFiles: 0, joinFiles: 0, driverFiles: 0, giantFiles: 0, byKind: {} };
  const kind = (k: string): void => {
    stats.byKind[k] = (stats.byKind[k] ?? 0) + 1;
  };
  const write = (rel: string, text: string, expect: 'none' | 'cuda' | 'join' | 'driver'): void => {
    // Guard: a file gets needles only when the generator meant it to.
    const has = hasNeedle(text);
    if (expect === 'none' ? has : !has) throw new Error(`nixshift corpus: internal error: ${rel} ${has ? 'contains' : 'lacks'} a needle (expected ${expect})`);
    ensureDir(rel.slice(0, Math.max(0, rel.lastIndexOf('/'))));
    writeFileSync(`${out}/${rel}`, text);
    stats.files++;
    stats.bytes += text.length; // ASCII only
    if (expect === 'cuda') stats.cudaFiles++;
    else if (expect === 'join') stats.joinFiles++;
    else if (expect === 'driver') stats.driverFiles++;
  };

  const root = seedOf(opts.seed);
  const planRng = new Rng(mix(root, 1));
  const names = new Names(planRng);
  const planned = plan(planRng, names, regularCount);
  let nCuda = Math.round(files * cudaFraction);
  const cudaCallSites = nCuda >= 3;
  if (cudaCallSites) nCuda--; // all-packages.nix then has CUDA call sites: it is one of the CUDA files
  assignNeedles(planRng, planned, nCuda, Math.round(files * joinFraction), Math.round(files * driverFraction));

  // Giant files first: they take a fixed share of the budget.
  let fixedBytes = 0;
  for (let i = 0; i < giantFiles; i++) {
    const g = giantPath(i);
    const text = giantText(new Rng(mix(root, 1000 + i)), g.kind, Math.ceil(giantMegabytes * MIB));
    write(g.path, text, 'none');
    fixedBytes += text.length;
    stats.giantFiles++;
    kind(`giant:${g.kind}`);
  }
  const tops = topLevelFiles(new Rng(mix(root, 2)), planned, cudaCallSites);
  for (const t of tops) {
    const cuda = t.text.includes('cudatoolkit');
    write(t.path, t.text, cuda ? 'cuda' : 'none');
    fixedBytes += t.text.length;
    kind('top-level');
  }

  // Regular files: targets scaled to what is left, with the running error carried forward.
  const sizeRng = new Rng(mix(root, 3));
  assignTargets(sizeRng, planned, Math.max(0, totalBytes - fixedBytes));
  let carry = 0;
  planned.forEach((f, i) => {
    const r = new Rng(mix(root, 10_000 + i));
    const fileNames = new Names(r);
    const target = Math.max(200, Math.min(f.target * 1.5 + 200, f.target + carry));
    const text = packageText(f, r, fileNames, target);
    carry = f.target + carry - text.length;
    write(f.path, text, f.needle?.kind ?? 'none');
    kind(f.needle ? `${f.needle.kind}:${f.needle.variant}` : f.template);
  });
  return stats;
}


// ---------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: node dist/bench/corpus.js --out DIR [options]

  --out DIR              folder to write (must be empty or missing, unless --force)
  --seed N               PRNG seed (default 1)
  --files N              total number of files (default 50000)
  --mb N                 total size in MiB, giant files included (default 200)
  --cuda-fraction F      fraction of files with the legacy toolkit or CUDA joins (default 0.005)
  --join-fraction F      fraction of files with a non-CUDA symlinkJoin/buildEnv (default 0.01)
  --driver-fraction F    fraction of files with addOpenGLRunpath (default 0.003)
  --giant-files N        giant generated package sets (default 3)
  --giant-mb N           size of each giant file in MiB (default min(12, 6% of --mb))
  --force                replace DIR if it is not empty
`;

export function parseArgs(argv: readonly string[]): CorpusOptions {
  const o: CorpusOptions = { out: '', seed: 1, files: 50_000, megabytes: 200 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--out':
        o.out = value() ?? '';
        break;
      case '--seed':
        o.seed = num(flag, value());
        break;
      case '--files':
        o.files = num(flag, value());
        break;
      case '--mb':
        o.megabytes = num(flag, value());
        break;
      case '--cuda-fraction':
        o.cudaFraction = num(flag, value());
        break;
      case '--join-fraction':
        o.joinFraction = num(flag, value());
        break;
      case '--driver-fraction':
        o.driverFraction = num(flag, value());
        break;
      case '--giant-files':
        o.giantFiles = num(flag, value());
        break;
      case '--giant-mb':
        o.giantMegabytes = num(flag, value());
        break;
      case '--force':
        o.force = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.out) throw new Error('--out is required');
  return o;
}

function main(): void {
  let opts: CorpusOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`nixshift corpus: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  try {
    const stats = generateCorpus(opts);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
    process.stderr.write(`nixshift corpus: ${stats.files} files, ${(stats.bytes / MIB).toFixed(1)} MiB in ${s.toFixed(2)}s → ${resolve(opts.out)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
