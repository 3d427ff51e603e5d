/**
 * The benchmark corpus generator (bench/corpus.ts): deterministic, the sizes and needle
 * fractions asked for, nixpkgs-shaped, every file valid Nix (tree-sitter and the real parser),
 * and the CUDA files are ones the built-in transforms really change.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, NEEDLES, parseArgs, type CorpusOptions, type CorpusStats } from '../../bench/corpus.js';
import { parseNix } from '../../src/nix/parser.js';
import { processSource, type ConfiguredTransform } from '../../src/runner/process.js';
import { loadBuiltin } from '../helpers/fixtures.js';
import { IN_CI, NIX_INSTANTIATE, nixParseError, warnMissingNix } from '../helpers/nix.js';
import { ROOT } from '../helpers/tree.js';

const MIB = 1024 * 1024;
const SMALL = { files: 600, megabytes: 3, giantFiles: 1, giantMegabytes: 1 } as const;
const GIANT = 'pkgs/development/haskell-modules/hackage-packages.nix';

interface Corpus {
  dir: string;
  stats: CorpusStats;
  /** path relative to the corpus → text, in path order */
  files: Map<string, string>;
}

const base = mkdtempSync(join(tmpdir(), 'nixshift-corpus-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }), 60_000);

function readTree(dir: string): Map<string, string> {
  const out: [string, string][] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push([p, readFileSync(join(dir, p), 'utf8')]);
    }
  };
  walk('');
  return new Map(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function make(name: string, opts: Omit<CorpusOptions, 'out'>): Corpus {
  const dir = join(base, name);
  const stats = generateCorpus({ out: dir, ...opts });
  return { dir, stats, files: readTree(dir) };
}

function treeHash(files: Map<string, string>): string {
  const h = createHash('sha256');
  for (const [p, t] of files) h.update(`${p}\0${t}\0`);
  return h.digest('hex');
}

const hasJoin = (t: string): boolean => t.includes('symlinkJoin') || t.includes('buildEnv');
/** The classes of needle files, CUDA first (a join of the legacy toolkit is a CUDA file). */
const isCuda = (t: string): boolean => t.includes('cudatoolkit') || (hasJoin(t) && t.includes('cudaPackages'));
const isJoin = (t: string): boolean => hasJoin(t) && !isCuda(t);
const isDriver = (t: string): boolean => (t.includes('addOpenGLRunpath') || t.includes('autoAddOpenGLRunpathHook')) && !isCuda(t);
const hasAnyNeedle = (t: string): boolean => NEEDLES.some((n) => t.includes(n));

/** Deterministic sample: every needle file, the giant and top-level files, and evenly spaced others. */
function sample(c: Corpus, others: number): string[] {
  const paths = [...c.files.keys()];
  const picked = new Set(paths.filter((p) => hasAnyNeedle(c.files.get(p)!) || p === GIANT || p.startsWith('pkgs/top-level/')));
  const rest = paths.filter((p) => !picked.has(p));
  for (let i = 0; i < others; i++) picked.add(rest[Math.floor((i * rest.length) / others)]!);
  return [...picked].sort();
}

let a: Corpus; // seed 1, the default fractions
let a2: Corpus; // seed 1 again
let b: Corpus; // seed 2
let cuda: Corpus; // many CUDA files, for the transforms

beforeAll(() => {
  a = make('a', { seed: 1, ...SMALL });
  a2 = make('a2', { seed: 1, ...SMALL });
  b = make('b', { seed: 2, ...SMALL });
  cuda = make('cuda', { seed: 3, ...SMALL, giantMegabytes: 0.1, cudaFraction: 0.06 });
});

describe('bench corpus: determinism', () => {
  it('the same seed and sizes give a byte-identical tree', () => {
    expect(a2.files.size).toBe(a.files.size);
    expect(treeHash(a2.files)).toBe(treeHash(a.files));
    expect(a2.stats).toEqual(a.stats);
  });

  it('another seed gives another tree', () => {
    expect(treeHash(b.files)).not.toBe(treeHash(a.files));
    const common = [...a.files.keys()].filter((p) => b.files.has(p));
    expect(common.length).toBeLessThan(a.files.size / 2); // mostly other package names
  });

  it('refuses a non-empty folder unless forced, and then replaces it', () => {
    const dir = join(base, 'force');
    generateCorpus({ out: dir, seed: 5, files: 30, megabytes: 0.1, giantFiles: 0 });
    writeFileSync(join(dir, 'stray.txt'), 'x');
    expect(() => generateCorpus({ out: dir, seed: 5, files: 30, megabytes: 0.1, giantFiles: 0 })).toThrow(/not empty/);
    const stats = generateCorpus({ out: dir, seed: 5, files: 30, megabytes: 0.1, giantFiles: 0, force: true });
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
    expect(readTree(dir).size).toBe(stats.files);
  });
});

describe('bench corpus: sizes and shape', () => {
  it('has the number of files and the total size asked for', () => {
    expect(a.stats.files).toBe(SMALL.files);
    expect(a.files.size).toBe(SMALL.files);
    let bytes = 0;
    for (const t of a.files.values()) bytes += Buffer.byteLength(t);
    expect(a.stats.bytes).toBe(bytes);
    expect(Math.abs(bytes - SMALL.megabytes * MIB) / (SMALL.megabytes * MIB)).toBeLessThan(0.03);
  });

  it('has the giant generated file, at least as large as asked, made of many small attrsets', () => {
    expect(a.stats.giantFiles).toBe(1);
    const giant = a.files.get(GIANT)!;
    expect(giant.length).toBeGreaterThanOrEqual(SMALL.giantMegabytes * MIB);
    expect(giant.match(/ = callPackage\n/g)!.length).toBeGreaterThan(1000);
  });

  it('sizes files like nixpkgs: mostly 1-8 KB, a tail of larger ones, nothing huge', () => {
    const sizes = [...a.files]
      .filter(([p]) => p !== GIANT && !p.startsWith('pkgs/top-level/') && !p.endsWith('module-list.nix') && !p.endsWith('all-tests.nix'))
      .map(([, t]) => t.length);
    const typical = sizes.filter((s) => s >= 1000 && s <= 8192).length;
    expect(typical / sizes.length).toBeGreaterThan(0.7);
    expect(sizes.filter((s) => s > 12_000).length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(100_000);
  });

  it('is laid out like nixpkgs', () => {
    const paths = [...a.files.keys()];
    const share = (re: RegExp): number => paths.filter((p) => re.test(p)).length / paths.length;
    expect(share(/^pkgs\/by-name\/[a-z0-9-]{2}\/[^/]+\/package\.nix$/)).toBeGreaterThan(0.4);
    expect(share(/^pkgs\/by-name\//)).toBeLessThan(0.6);
    for (const p of paths.filter((x) => x.startsWith('pkgs/by-name/'))) {
      const [, , shard, name] = p.split('/');
      expect(name!.slice(0, 2)).toBe(shard);
    }
    expect(share(/^pkgs\/development\/(libraries|tools|python-modules)\/[^/]+\/default\.nix$/)).toBeGreaterThan(0.1);
    expect(share(/^pkgs\/applications\/.+\/default\.nix$/)).toBeGreaterThan(0.05);
    expect(share(/^nixos\/modules\/services\/[^/]+\/[^/]+\.nix$/)).toBeGreaterThan(0.02);
    for (const p of ['pkgs/top-level/all-packages.nix', 'pkgs/top-level/python-packages.nix', 'pkgs/top-level/aliases.nix', 'nixos/modules/module-list.nix']) {
      expect(a.files.has(p), p).toBe(true);
    }
    // all-packages.nix calls packages that exist
    const calls = [...a.files.get('pkgs/top-level/all-packages.nix')!.matchAll(/callPackage \.\.\/([^ ]+) /g)].map((m) => m[1]!);
    expect(calls.length).toBeGreaterThan(100);
    for (const c of calls) expect(a.files.has(`pkgs/${c}`) || a.files.has(`pkgs/${c}/default.nix`), c).toBe(true);
  });

  it('mixes nixfmt and older styles and the usual builders', () => {
    const texts = [...a.files.values()];
    const count = (re: RegExp): number => texts.filter((t) => re.test(t)).length;
    expect(count(/^\{\n {2}lib,\n/m)).toBeGreaterThan(200); // nixfmt formals with trailing commas
    expect(count(/^\{ lib, /m)).toBeGreaterThan(10); // older inline formals
    expect(count(/^\{ lib\n, /m)).toBeGreaterThan(3); // older leading-comma formals
    expect(count(/stdenv\.mkDerivation \(finalAttrs: \{/)).toBeGreaterThan(50);
    expect(count(/stdenv\.mkDerivation rec \{/)).toBeGreaterThan(5);
    for (const re of [/buildPythonPackage rec \{/, /rustPlatform\.buildRustPackage/, /buildGoModule/, /lib\.mkIf cfg\.enable/, /^with lib;$/m, /lib\.optionals /, /^let$/m, /''\n/]) {
      expect(count(re), String(re)).toBeGreaterThan(3);
    }
  });
});

describe('bench corpus: needles', () => {
  it('has the configured fractions of CUDA, join and driver files, and no needle anywhere else', () => {
    for (const c of [a, b]) {
      const texts = [...c.files.values()];
      const nCuda = texts.filter(isCuda).length;
      const nJoin = texts.filter(isJoin).length;
      const nDriver = texts.filter(isDriver).length;
      expect([nCuda, nJoin, nDriver]).toEqual([c.stats.cudaFiles, c.stats.joinFiles, c.stats.driverFiles]);
      // defaults: 0.5 % CUDA, 1 % joins, 0.3 % driver (counts are rounded: ±1 file)
      expect(Math.abs(nCuda - 0.005 * SMALL.files)).toBeLessThanOrEqual(1);
      expect(Math.abs(nJoin - 0.01 * SMALL.files)).toBeLessThanOrEqual(1);
      expect(Math.abs(nDriver - 0.003 * SMALL.files)).toBeLessThanOrEqual(1);
      expect(texts.filter((t) => t.includes('nixshift-ignore'))).toHaveLength(0);
      const needleFiles = texts.filter(hasAnyNeedle).length;
      expect(needleFiles).toBe(nCuda + nJoin + nDriver);
    }
    const texts = [...cuda.files.values()];
    expect(Math.abs(texts.filter(isCuda).length - 0.06 * SMALL.files)).toBeLessThanOrEqual(1);
  });

  it('the giant generated file has no needle', () => {
    expect(hasAnyNeedle(a.files.get(GIANT)!)).toBe(false);
    expect(a.files.get(GIANT)!.includes('cuda')).toBe(false);
  });

  it('uses the fixtures\' shapes of the legacy toolkit and CUDA joins, in many variants', () => {
    const variants = Object.keys(cuda.stats.byKind).filter((k) => k.startsWith('cuda:'));
    expect(variants.length).toBeGreaterThanOrEqual(10);
    const texts = [...cuda.files.values()].filter(isCuda);
    const some = (re: RegExp): boolean => texts.some((t) => re.test(t));
    expect(some(/^ {2}cudatoolkit,$/m)).toBe(true); // a formal
    expect(some(/lib\.optionals \w+ \[ cudatoolkit \]/)).toBe(true);
    expect(some(/\$\{cudatoolkit\}\/(lib|bin|include)/)).toBe(true);
    expect(some(/cudaPackages\.cudatoolkit/)).toBe(true);
    expect(some(/symlinkJoin \{/) && some(/--prefix LD_LIBRARY_PATH : \$\{\w+\}\/lib/)).toBe(true);
    // call sites in all-packages.nix
    expect(cuda.files.get('pkgs/top-level/all-packages.nix')!).toMatch(/callPackage [^\n]+ \{ (cudatoolkit = [\w.]+|inherit \(cudaPackages\) cudatoolkit); \};/);
  });
});

describe('bench corpus: every file is valid Nix', () => {
  it('parses with tree-sitter', () => {
    for (const c of [a, cuda]) {
      for (const [p, t] of c.files) expect(parseNix(t).syntaxError, p).toBeUndefined();
    }
  });

  it('a sample (every needle file, the giant and top-level files, others) passes nix-instantiate --parse', () => {
    const picked = sample(a, 25);
    expect(picked.length).toBeGreaterThanOrEqual(35);
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`the bench corpus sample (${picked.length} files)`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
      return;
    }
    for (const p of picked) expect(nixParseError(a.files.get(p)!), p).toBeUndefined();
  });
});

describe('bench corpus: the built-in transforms', () => {
  let chain: ConfiguredTransform[];
  beforeAll(async () => {
    chain = await Promise.all(['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'].map(async (n) => ({ transform: await loadBuiltin(n), options: {} })));
  });

  it('change every CUDA and driver file (status ok, output valid Nix) and leave plain joins alone', { timeout: 60_000 }, async () => {
    const outputs: [string, string][] = [];
    let n = 0;
    for (const c of [a, cuda]) {
      for (const [p, t] of c.files) {
        if (!hasAnyNeedle(t)) continue;
        n++;
        const o = await processSource(t, p, chain);
        if (isCuda(t) || isDriver(t)) {
          expect(o.status, `${p}: ${o.error ?? ''}`).toBe('ok');
          expect(parseNix(o.output!).syntaxError, p).toBeUndefined();
          outputs.push([p, o.output!]);
        } else {
          // a join without CUDA: parsed and left alone, or not even parsed (the transform's prefilter)
          expect(['nochange', 'skip'], `${p}: ${o.status} ${o.error ?? ''}`).toContain(o.status);
          expect(o.output, p).toBeUndefined();
        }
      }
    }
    expect(n).toBeGreaterThan(40);
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`the transformed bench corpus files (${outputs.length})`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
      return;
    }
    for (const [p, out] of outputs) expect(nixParseError(out), p).toBeUndefined();
  });
});

describe('bench corpus: command line', () => {
  it('parses its flags', () => {
    expect(parseArgs(['--out', 'x'])).toEqual({ out: 'x', seed: 1, files: 50_000, megabytes: 200 });
    expect(parseArgs(['--out=y', '--seed', '7', '--files', '2000', '--mb', '8', '--cuda-fraction', '0.01', '--giant-files=2', '--giant-mb', '0.5', '--force'])).toEqual({
      out: 'y',
      seed: 7,
      files: 2000,
      megabytes: 8,
      cudaFraction: 0.01,
      giantFiles: 2,
      giantMegabytes: 0.5,
      force: true,
    });
    expect(() => parseArgs(['--files', '10'])).toThrow(/--out/);
    expect(() => parseArgs(['--out', 'x', '--mb', 'lots'])).toThrow(/--mb/);
    expect(() => parseArgs(['--out', 'x', '--bogus'])).toThrow(/--bogus/);
  });

  const script = join(ROOT, 'dist', 'bench', 'corpus.js');
  it.skipIf(!existsSync(script))('runs as a script (built by npm test) and prints the stats as JSON', () => {
    const out = join(base, 'cli');
    const r = spawnSync(process.execPath, [script, '--out', out, '--seed', '1', '--files', '600', '--mb', '3', '--giant-files', '1', '--giant-mb', '1'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as CorpusStats;
    expect(stats).toEqual(a.stats);
    expect(treeHash(readTree(out))).toBe(treeHash(a.files));
    const bad = spawnSync(process.execPath, [script, '--files', '10'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--out is required/);
  });
});
