/**
 * `--evidence sources`, the parts that need no Nix: which attributes a file stands for, the
 * expression and arguments given to nix-instantiate, reading its answer and its errors, and the
 * runner driven through a fake `exec` (one evaluation, halving on an error Nix cannot catch,
 * builds a few at a time).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { callSitesOf, findNixpkgsRoot, planAttributes } from '../../../../src/eval/checkout.js';
import { nixErrorLine, realiseErrorLine, type Exec, type ExecResult } from '../../../../src/eval/nix.js';
import {
  findSources,
  nixInstantiateArgs,
  parseEvalOutput,
  sourceFileOptions,
  SOURCES_EXPRESSION,
  summaryLine,
  type FileSource,
} from '../../../../src/cuda/evidence/nix-sources.js';
import { NIX_INSTANTIATE } from '../../../helpers/nix.js';

const ALL_PACKAGES = `{ lib, noSysDirs, config, overlays }:
res: pkgs: super:
with pkgs;
{
  foo = callPackage ../development/libraries/foo { };
  foo-cuda = callPackage ../development/libraries/foo { cudaSupport = true; };
  magma-cuda = callPackage ../development/libraries/science/math/magma { };
  magma = callPackage ../development/libraries/science/math/magma { cudaSupport = false; };
  opencv4 = callPackage ../development/libraries/opencv/4.x.nix { };
  opencv = opencv4;
  bar = callPackage ../by-name/ba/bar/package.nix { cudaSupport = true; };
  tool = callPackage ../tools/misc/tool { };
  toolkit-helper = callPackage ../tools/misc/tool/helper.nix { };
}
`;
const PYTHON_PACKAGES = `self: super: with self; {
  torch = callPackage ../development/python-modules/torch { };
  torchWithCuda = self.torch.override { cudaSupport = true; };
}
`;

const SITES = callSitesOf(
  new Map([
    ['pkgs/top-level/all-packages.nix', ALL_PACKAGES],
    ['pkgs/top-level/python-packages.nix', PYTHON_PACKAGES],
  ]),
);

describe('planAttributes: which attributes a file stands for', () => {
  it('reads call sites with their targets (and the set prefix of python-packages.nix)', () => {
    expect(SITES).toEqual([
      { attr: 'foo', target: 'pkgs/development/libraries/foo' },
      { attr: 'foo-cuda', target: 'pkgs/development/libraries/foo' },
      { attr: 'magma-cuda', target: 'pkgs/development/libraries/science/math/magma' },
      { attr: 'magma', target: 'pkgs/development/libraries/science/math/magma' },
      { attr: 'opencv4', target: 'pkgs/development/libraries/opencv/4.x.nix' },
      { attr: 'bar', target: 'pkgs/by-name/ba/bar/package.nix' },
      { attr: 'tool', target: 'pkgs/tools/misc/tool' },
      { attr: 'toolkit-helper', target: 'pkgs/tools/misc/tool/helper.nix' },
      { attr: 'python3Packages.torch', target: 'pkgs/development/python-modules/torch' },
    ]);
  });

  it('by-name: the folder name, whatever all-packages.nix says', () => {
    expect(planAttributes('pkgs/by-name/ba/bar/package.nix', SITES)).toEqual({ attrs: ['bar'] });
    expect(planAttributes('pkgs/by-name/ba/bar/cuda.nix', SITES)).toEqual({ attrs: ['bar'] });
    expect(planAttributes('pkgs/by-name/ba/README.nix', SITES)).toEqual({ missing: 'no attribute found for this file (not inside a pkgs/by-name/xx/<name>/ folder)' });
  });

  it('call sites of the folder (default.nix and files inside it), the one named like the folder first', () => {
    expect(planAttributes('pkgs/development/libraries/foo/default.nix', SITES)).toEqual({ attrs: ['foo', 'foo-cuda'] });
    expect(planAttributes('pkgs/development/libraries/foo/patches/cuda.nix', SITES)).toEqual({ attrs: ['foo', 'foo-cuda'] });
    expect(planAttributes('pkgs/development/libraries/science/math/magma/default.nix', SITES)).toEqual({ attrs: ['magma', 'magma-cuda'] });
  });

  it('a call site of the file itself comes before one of its folder; a file target matches only itself', () => {
    expect(planAttributes('pkgs/tools/misc/tool/helper.nix', SITES)).toEqual({ attrs: ['toolkit-helper', 'tool'] });
    expect(planAttributes('pkgs/development/libraries/opencv/4.x.nix', SITES)).toEqual({ attrs: ['opencv4'] });
    expect(planAttributes('pkgs/development/libraries/opencv/3.x.nix', SITES)).toEqual({ missing: 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' });
  });

  it('python-modules: the call site in python-packages.nix, else python3Packages.<folder>', () => {
    expect(planAttributes('pkgs/development/python-modules/torch/default.nix', SITES)).toEqual({ attrs: ['python3Packages.torch'] });
    expect(planAttributes('pkgs/development/python-modules/cupy/default.nix', SITES)).toEqual({ attrs: ['python3Packages.cupy'] });
  });

  it('files that are no package say so', () => {
    expect(planAttributes('pkgs/top-level/all-packages.nix', SITES)).toEqual({ missing: 'a shared file (call sites of many packages), not one package' });
    expect(planAttributes('pkgs/top-level/aliases.nix', SITES)).toEqual({ missing: 'a shared file (call sites of many packages), not one package' });
    expect(planAttributes('nixos/modules/hardware/nvidia.nix', SITES)).toEqual({ missing: 'a NixOS file, not a package' });
    expect(planAttributes('default.nix', SITES)).toEqual({ missing: "a file at the checkout's root, not a package" });
    expect(planAttributes('../elsewhere/x.nix', SITES)).toEqual({ missing: 'the file is outside the nixpkgs checkout' });
    expect(planAttributes('pkgs/development/misc/helper.nix', SITES)).toEqual({ missing: 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' });
  });
});

describe('the nix-instantiate call', () => {
  it('one call: --eval --strict --json --read-write-mode, the expression, the root and the attribute paths as JSON', () => {
    const args = nixInstantiateArgs('/src/nixpkgs', ['foo', 'python3Packages.torch']);
    expect(args).toEqual([
      '--eval',
      '--strict',
      '--json',
      '--read-write-mode',
      '--expr',
      SOURCES_EXPRESSION,
      '--argstr',
      'root',
      '/src/nixpkgs',
      '--argstr',
      'attrsJson',
      '[["foo"],["python3Packages","torch"]]',
    ]);
    // What the expression does, in outline (the e2e test evaluates it for real).
    expect(SOURCES_EXPRESSION).toMatch(/^\{ root, attrsJson \}:/);
    expect(SOURCES_EXPRESSION).toContain('builtins.intersectAttrs (builtins.functionArgs fn) wanted');
    expect(SOURCES_EXPRESSION).toContain('config = { allowUnfree = true; cudaSupport = true; }; overlays = [ ];');
    expect(SOURCES_EXPRESSION).toContain('builtins.tryEval r.value.src');
    expect(SOURCES_EXPRESSION).toContain('builtins.getContext');
    expect(SOURCES_EXPRESSION).toContain('builtins.seq pkgs (map one (builtins.fromJSON attrsJson))');
  });

  it.skipIf(!NIX_INSTANTIATE)('the expression parses with the real Nix', () => {
    const r = spawnSync('nix-instantiate', ['--parse', '--expr', SOURCES_EXPRESSION], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('reads its JSON answer, and refuses anything else', () => {
    const out = JSON.stringify([{ path: '/nix/store/x-src', drvs: ['/nix/store/y.drv'] }, { error: "attribute 'nope' missing" }]);
    expect(parseEvalOutput(out, 2)).toEqual([{ path: '/nix/store/x-src', drvs: ['/nix/store/y.drv'] }, { error: "attribute 'nope' missing" }]);
    expect(parseEvalOutput(out, 3)).toBeUndefined();
    expect(parseEvalOutput('[{"path": 1}]', 1)).toBeUndefined();
    expect(parseEvalOutput('warning: …', 1)).toBeUndefined();
  });

  it("Nix's errors on one line, with where, relative to the checkout", () => {
    const stderr = [
      "warning: unknown setting 'foo'",
      "error: attribute 'nope' missing",
      '',
      '       at /src/nixpkgs/pkgs/by-name/br/broken/package.nix:4:9:',
      '',
      '            3|   pname = "broken"; version = "1";',
      '            4|   src = lib.nope;',
      '             |         ^',
      "(use '--show-trace' to show detailed location information)",
    ].join('\n');
    expect(nixErrorLine(stderr, '/src/nixpkgs')).toBe("error: attribute 'nope' missing (at pkgs/by-name/br/broken/package.nix:4:9)");
    expect(nixErrorLine(stderr, '/elsewhere')).toBe("error: attribute 'nope' missing (at /src/nixpkgs/pkgs/by-name/br/broken/package.nix:4:9)");
    expect(nixErrorLine('\x1b[31;1merror:\x1b[0m cannot open \x1b[35;1m/x\x1b[0m\n')).toBe('error: cannot open /x');
    expect(nixErrorLine('something odd\n\n')).toBe('something odd');
    expect(nixErrorLine('')).toBe('failed without a message');
  });

  it("nix-store --realise's failure: its error and the builder's last log line", () => {
    const stderr = [
      "warning: error: unable to download 'https://cache.nixos.org/nix-cache-info': Couldn't resolve host name (6); retrying in 334 ms",
      'this derivation will be built:',
      '  /nix/store/cfwika7fy0q2jysqibbgqwb6n1piil1q-foo-src.drv',
      "building '/nix/store/cfwika7fy0q2jysqibbgqwb6n1piil1q-foo-src.drv'...",
      'curl: (6) Could not resolve host: example.org',
      "error: builder for '/nix/store/cfwika7fy0q2jysqibbgqwb6n1piil1q-foo-src.drv' failed with exit code 1",
      '',
    ].join('\n');
    expect(realiseErrorLine(stderr)).toBe(
      "error: builder for '/nix/store/cfwika7fy0q2jysqibbgqwb6n1piil1q-foo-src.drv' failed with exit code 1 (last log line: curl: (6) Could not resolve host: example.org)",
    );
    expect(realiseErrorLine("error: path '/nix/store/x.drv' is not valid\n")).toBe("error: path '/nix/store/x.drv' is not valid");
  });
});

describe('findNixpkgsRoot', () => {
  it('the nearest folder with pkgs/top-level/all-packages.nix and default.nix, else a git root with default.nix', () => {
    const tree = (paths: string[]) => (p: string) => paths.includes(p);
    expect(findNixpkgsRoot('/w/nixpkgs/pkgs/by-name/ba/bar', tree(['/w/nixpkgs/pkgs/top-level/all-packages.nix', '/w/nixpkgs/default.nix', '/w/nixpkgs/.git']))).toBe('/w/nixpkgs');
    expect(findNixpkgsRoot('/w/repo/sub', tree(['/w/repo/.git', '/w/repo/default.nix']))).toBe('/w/repo');
    expect(findNixpkgsRoot('/w/repo/sub', tree(['/w/repo/.git']))).toBeUndefined();
    expect(findNixpkgsRoot('/w/x', tree(['/w/x/pkgs/top-level/all-packages.nix']))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// The runner, with a fake Nix
// ---------------------------------------------------------------------------------------------

const ROOT = '/src/nixpkgs';
const NIX = { nixInstantiate: 'nix-instantiate', nixStore: 'nix-store' };

interface FakeNix {
  /** attribute → what the expression gives, or 'uncatchable' (the whole call fails). */
  attrs: Record<string, { path: string; drvs?: string[] } | { error: string } | 'uncatchable'>;
  /** drv → whether it builds (and then its path appears). */
  builds?: Record<string, { out: string; ok: boolean }>;
  /** The checkout itself fails to evaluate. */
  broken?: boolean;
  /** Paths on disk before any build. */
  onDisk?: string[];
}

function fakeNix(f: FakeNix) {
  const onDisk = new Set<string>(f.onDisk);
  const calls: { cmd: string; attrs?: string[]; drvs?: string[] }[] = [];
  let running = 0;
  let maxRunning = 0;
  const exec: Exec = async (cmd, args): Promise<ExecResult> => {
    if (cmd === 'nix-instantiate') {
      const attrs = (JSON.parse(args[args.length - 1]!) as string[][]).map((p) => p.join('.'));
      calls.push({ cmd, attrs });
      if (f.broken) return { status: 1, stdout: '', stderr: 'error: syntax error, unexpected end of file\n\n       at /src/nixpkgs/default.nix:3:1:\n' };
      const bad = attrs.find((a) => f.attrs[a] === 'uncatchable');
      if (bad) return { status: 1, stdout: '[', stderr: `error: attribute 'nope' missing\n\n       at /src/nixpkgs/pkgs/by-name/${bad}/package.nix:4:9:\n` };
      return { status: 0, stdout: JSON.stringify(attrs.map((a) => { const v = f.attrs[a] ?? { error: `attribute '${a}' missing` }; return typeof v === 'object' && 'path' in v ? { path: v.path, drvs: v.drvs ?? [] } : v; })), stderr: '' };
    }
    const drvs = args.slice(1) as string[];
    calls.push({ cmd, drvs });
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    const failing = drvs.find((d) => !f.builds?.[d]?.ok);
    if (failing) return { status: 100, stdout: '', stderr: `building '${failing}'...\ncurl: (6) Could not resolve host: example.org\nerror: builder for '${failing}' failed with exit code 1\n` };
    for (const d of drvs) onDisk.add(f.builds![d]!.out);
    return { status: 0, stdout: drvs.map((d) => f.builds![d]!.out).join('\n'), stderr: '' };
  };
  return { exec, calls, exists: (p: string) => onDisk.has(p), maxRunning: () => maxRunning };
}

const file = (rel: string): string => `${ROOT}/${rel}`;
const READ = (p: string): string | undefined => (p === file('pkgs/top-level/all-packages.nix') ? ALL_PACKAGES : undefined);

describe('findSources (fake Nix)', () => {
  it('evaluates every attribute once, in one call; builds what is not on disk; says why for the rest', async () => {
    const nix = fakeNix({
      attrs: {
        foo: { path: '/nix/store/aaa-foo-src', drvs: ['/nix/store/aaa-foo-src.drv'] },
        bar: { path: `${ROOT}/pkgs/by-name/ba/bar/src` },
        baz: { path: '/nix/store/bbb-source' },
        gone: { path: '/nix/store/ccc-gone', drvs: ['/nix/store/ccc-gone.drv'] },
        nosrc: { error: 'nosrc has no src attribute' },
        ghost: { path: '/nix/store/ddd-ghost' },
      },
      builds: { '/nix/store/aaa-foo-src.drv': { out: '/nix/store/aaa-foo-src', ok: true }, '/nix/store/ccc-gone.drv': { out: '/nix/store/ccc-gone', ok: false } },
      // baz is in the store already; bar is in the checkout.
      onDisk: ['/nix/store/bbb-source', `${ROOT}/pkgs/by-name/ba/bar/src`],
    });
    const exists = nix.exists;
    const progress: string[] = [];
    const files = [
      'pkgs/development/libraries/foo/default.nix',
      'pkgs/development/libraries/foo/cuda.nix',
      'pkgs/by-name/ba/bar/package.nix',
      'pkgs/by-name/ba/baz/package.nix',
      'pkgs/by-name/go/gone/package.nix',
      'pkgs/by-name/no/nosrc/package.nix',
      'pkgs/by-name/gh/ghost/package.nix',
      'pkgs/development/misc/helper.nix',
      'pkgs/top-level/all-packages.nix',
    ].map(file);
    const r = await findSources({ root: ROOT, files, readFile: READ, exec: nix.exec, nix: NIX, exists, onProgress: (d, t, doing) => progress.push(`${d}/${t} ${doing}`) });
    const get = (rel: string): FileSource | undefined => r.files.get(file(rel));
    expect(get('pkgs/development/libraries/foo/default.nix')).toEqual({ attr: 'foo', source: '/nix/store/aaa-foo-src', built: true });
    expect(get('pkgs/development/libraries/foo/cuda.nix')).toEqual({ attr: 'foo', source: '/nix/store/aaa-foo-src', built: true });
    expect(get('pkgs/by-name/ba/bar/package.nix')).toEqual({ attr: 'bar', source: `${ROOT}/pkgs/by-name/ba/bar/src` });
    expect(get('pkgs/by-name/ba/baz/package.nix')).toEqual({ attr: 'baz', source: '/nix/store/bbb-source' });
    expect(get('pkgs/by-name/go/gone/package.nix')).toEqual({
      attr: 'gone',
      missing:
        "the source is not in the store and could not be built: nix-store --realise: error: builder for '/nix/store/ccc-gone.drv' failed with exit code 1 (last log line: curl: (6) Could not resolve host: example.org)",
    });
    expect(get('pkgs/by-name/no/nosrc/package.nix')).toEqual({ attr: 'nosrc', missing: 'nosrc has no src attribute' });
    expect(get('pkgs/by-name/gh/ghost/package.nix')).toEqual({ attr: 'ghost', missing: 'the source /nix/store/ddd-ghost of ghost does not exist, and is not something Nix can build' });
    expect(get('pkgs/development/misc/helper.nix')).toEqual({ missing: 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' });
    expect(get('pkgs/top-level/all-packages.nix')).toEqual({ missing: 'a shared file (call sites of many packages), not one package' });
    expect(r.files.size).toBe(files.length);
    // One evaluation: each attribute once (foo and foo-cuda for the two files of foo's folder).
    expect(nix.calls.filter((c) => c.cmd === 'nix-instantiate')).toEqual([{ cmd: 'nix-instantiate', attrs: ['foo', 'foo-cuda', 'bar', 'baz', 'gone', 'nosrc', 'ghost'] }]);
    // One build per derivation, even for two files.
    expect(nix.calls.filter((c) => c.cmd === 'nix-store')).toEqual([
      { cmd: 'nix-store', drvs: ['/nix/store/aaa-foo-src.drv'] },
      { cmd: 'nix-store', drvs: ['/nix/store/ccc-gone.drv'] },
    ]);
    expect(r.stats).toEqual({ attributes: 7, evalCalls: 1, built: 1 });
    expect(progress[0]).toBe('2/9 evaluating 7 attributes');
    expect(progress.at(-1)).toBe('9/9 ');
    expect(summaryLine(r, 1.234)).toBe('nixshift: sources: 4 of 9 files have a source (2 built), 5 have none (option source-missing=); 1.2s\n');
  });

  it('an error Nix cannot catch fails the call: the batch is halved until the broken attribute is alone', async () => {
    const attrs: FakeNix['attrs'] = {};
    const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'];
    for (const n of names) attrs[n] = { path: `/nix/store/${n}` };
    attrs.a6 = 'uncatchable';
    const nix = fakeNix({ attrs, onDisk: names.map((n) => `/nix/store/${n}`) });
    const files = names.map((n) => file(`pkgs/by-name/${n}/${n}/package.nix`));
    const r = await findSources({ root: ROOT, files, readFile: READ, exec: nix.exec, nix: NIX, exists: nix.exists });
    expect(r.files.get(files[5]!)).toEqual({ attr: 'a6', missing: "nix-instantiate: error: attribute 'nope' missing (at pkgs/by-name/a6/package.nix:4:9)" });
    for (const [i, f] of files.entries()) if (i !== 5) expect(r.files.get(f)).toEqual({ attr: names[i], source: `/nix/store/${names[i]}` });
    // all; the probe (no attribute); then halves: [a1..a4] ok, [a5..a8] fails, [a5 a6] fails, [a5], [a6], then [a7 a8].
    expect(nix.calls.map((c) => c.attrs!.join(' '))).toEqual(['a1 a2 a3 a4 a5 a6 a7 a8', '', 'a1 a2 a3 a4', 'a5 a6 a7 a8', 'a5 a6', 'a5', 'a6', 'a7 a8']);
    expect(r.stats.evalCalls).toBe(8);
  });

  it('a checkout that does not evaluate: every attribute says so, after one probe (no halving)', async () => {
    const nix = fakeNix({ attrs: { a: { path: '/nix/store/a' }, b: { path: '/nix/store/b' } }, broken: true });
    const files = [file('pkgs/by-name/a/a/package.nix'), file('pkgs/by-name/b/b/package.nix')];
    const r = await findSources({ root: ROOT, files, readFile: READ, exec: nix.exec, nix: NIX, exists: nix.exists });
    expect(r.files.get(files[0]!)).toEqual({ attr: 'a', missing: 'cannot evaluate the checkout: nix-instantiate: error: syntax error, unexpected end of file (at default.nix:3:1)' });
    expect(nix.calls).toHaveLength(2);
  });

  it('nix-instantiate that does not start: every attribute says why', async () => {
    const exec: Exec = async () => ({ status: null, stdout: '', stderr: '', error: 'spawn nix-instantiate ENOENT' });
    const r = await findSources({ root: ROOT, files: [file('pkgs/by-name/a/a/package.nix')], readFile: READ, exec, nix: NIX });
    expect([...r.files.values()]).toEqual([{ attr: 'a', missing: 'nix-instantiate: spawn nix-instantiate ENOENT' }]);
  });

  it('the first candidate with a source wins; when none has one, the first one says why', async () => {
    const nix = fakeNix({ attrs: { foo: { error: 'foo.src throws an error or fails an assertion' }, 'foo-cuda': { path: '/nix/store/fc' } }, onDisk: ['/nix/store/fc'] });
    const r = await findSources({ root: ROOT, files: [file('pkgs/development/libraries/foo/default.nix')], readFile: READ, exec: nix.exec, nix: NIX, exists: nix.exists });
    expect([...r.files.values()]).toEqual([{ attr: 'foo-cuda', source: '/nix/store/fc' }]);
    const none = fakeNix({ attrs: { foo: { error: 'foo.src throws an error or fails an assertion' } } });
    const r2 = await findSources({ root: ROOT, files: [file('pkgs/development/libraries/foo/default.nix')], readFile: READ, exec: none.exec, nix: NIX, exists: none.exists });
    expect([...r2.files.values()]).toEqual([{ attr: 'foo', missing: 'foo.src throws an error or fails an assertion (also tried foo-cuda)' }]);
  });

  it('builds at most `jobs` at a time', async () => {
    const attrs: FakeNix['attrs'] = {};
    const builds: NonNullable<FakeNix['builds']> = {};
    const files: string[] = [];
    for (let i = 0; i < 7; i++) {
      attrs[`p${i}`] = { path: `/nix/store/p${i}`, drvs: [`/nix/store/p${i}.drv`] };
      builds[`/nix/store/p${i}.drv`] = { out: `/nix/store/p${i}`, ok: true };
      files.push(file(`pkgs/by-name/p${i}/p${i}/package.nix`));
    }
    for (const jobs of [1, 3]) {
      const nix = fakeNix({ attrs, builds });
      const r = await findSources({ root: ROOT, files, readFile: READ, exec: nix.exec, nix: NIX, exists: nix.exists, jobs });
      expect(nix.maxRunning()).toBe(jobs);
      expect(r.stats.built).toBe(7);
      expect([...r.files.values()].every((s) => s.built === true)).toBe(true);
    }
  });
});

describe('the per-file options', () => {
  it('source= or source-missing=, for the CUDA transforms of the run only', () => {
    const files = new Map<string, FileSource>([
      ['/a.nix', { attr: 'a', source: '/nix/store/a' }],
      ['/b.nix', { missing: 'no attribute found for this file' }],
    ]);
    const opts = sourceFileOptions(files, ['driver-runpath-rename', 'cudatoolkit-to-redist', 'symlinkjoin-to-propagated']);
    expect(opts('/a.nix')).toEqual({ 'cudatoolkit-to-redist': { source: '/nix/store/a' }, 'symlinkjoin-to-propagated': { source: '/nix/store/a' } });
    expect(opts('/b.nix')).toEqual({
      'cudatoolkit-to-redist': { 'source-missing': 'no attribute found for this file' },
      'symlinkjoin-to-propagated': { 'source-missing': 'no attribute found for this file' },
    });
    expect(opts('/c.nix')).toBeUndefined();
    expect(sourceFileOptions(files, ['driver-runpath-rename'])('/a.nix')).toBeUndefined();
  });
});
