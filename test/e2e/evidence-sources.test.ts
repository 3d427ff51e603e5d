/**
 * `nixshift run --evidence sources` end to end, with the real Nix, offline: a nixpkgs-shaped tree
 * made at test time (a root default.nix with a tiny callPackage, stub derivations, by-name
 * packages, all-packages.nix call sites), each package's source asked of nix-instantiate and
 * built with nix-store when it is not in the store. The options reach the transform: a user
 * transform named `cudatoolkit-to-redist` reports the options it was given as a finding.
 *
 * Needs the build (`npx tsc -p tsconfig.build.json`); skipped without nix-instantiate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NIX_INSTANTIATE } from '../helpers/nix.js';
import { cli, snapshot, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();

/** No binary cache to ask (offline: each ask would retry for seconds). */
const ENV = { NIX_CONFIG: 'substituters =' };

/** Reports the options it is given, once per file, as a finding. */
const OPTIONS_TRANSFORM = `export default {
  name: 'cudatoolkit-to-redist',
  description: 'reports its options',
  needles: ['cudatoolkit', 'symlinkJoin'],
  rules: { options: { severity: 'info', summary: 'the options of this file' } },
  transform(f, api, o) { api.report(0, { rule: 'options', message: JSON.stringify(o) }); },
};
`;

const DEFAULT_NIX = `{ config ? { } }:
let
  byNameDir = ./pkgs/by-name;
  byName = builtins.foldl' (acc: shard: acc // builtins.mapAttrs (name: _: pkgs.callPackage (byNameDir + "/\${shard}/\${name}/package.nix") { }) (builtins.readDir (byNameDir + "/\${shard}"))) { } (builtins.attrNames (builtins.readDir byNameDir));
  stub = name: script: derivation { inherit name; builder = "/bin/sh"; args = [ "-c" script ]; PATH = "/usr/bin:/bin"; system = builtins.currentSystem; };
  pkgs = {
    inherit config;
    lib = { };
    callPackage = f: args: let fn = if builtins.isFunction f then f else import f; in fn (builtins.intersectAttrs (builtins.functionArgs fn) pkgs // args);
    stdenv.mkDerivation = a: stub "\${a.pname}-\${a.version}" "echo > $out" // { inherit (a) src; };
    # a fetcher that needs no network: the script makes the source
    fetchStub = { name, script }: stub name script;
    cudaPackages.cudatoolkit = stub "cudatoolkit-12.4" "echo > $out";
    inherit (pkgs.cudaPackages) cudatoolkit;
  } // byName // import ./pkgs/top-level/all-packages.nix pkgs;
in
pkgs
`;

const ALL_PACKAGES = `pkgs: with pkgs; {
  foo = callPackage ../development/libraries/foo { };
}
`;

function nixpkgsTree(): string {
  const root = tree({});
  const nonce = root.replace(/[^A-Za-z0-9]/g, '-'); // a new derivation for each run: it must be built
  const files: Record<string, string> = {
    'default.nix': DEFAULT_NIX,
    'pkgs/top-level/all-packages.nix': ALL_PACKAGES,
    'pkgs/development/libraries/foo/default.nix': `{ stdenv, fetchStub, cudatoolkit }:
stdenv.mkDerivation {
  pname = "foo";
  version = "1.0";
  src = fetchStub { name = "foo-src"; script = "mkdir -p $out/src && printf '#include <cufft.h>\\\\n' > $out/src/fft.cu # ${nonce}"; };
  buildInputs = [ cudatoolkit ];
}
`,
    'pkgs/by-name/ba/bar/package.nix': `{ stdenv, cudatoolkit }:
stdenv.mkDerivation {
  pname = "bar";
  version = "1.0";
  src = ./src;
  buildInputs = [ cudatoolkit ];
}
`,
    'pkgs/by-name/ba/bar/src/main.c': '#include <cublas_v2.h>\nint main(void) { return 0; }\n',
    'pkgs/by-name/ba/baz/package.nix': `{ stdenv, cudatoolkit }:
stdenv.mkDerivation {
  pname = "baz";
  version = "1.0";
  src = builtins.fetchTarball "file://${root}/baz-1.0.tar.gz";
  buildInputs = [ cudatoolkit ];
}
`,
    'pkgs/by-name/br/broken/package.nix': `{ stdenv, lib, cudatoolkit }:
stdenv.mkDerivation {
  pname = "broken";
  version = "1.0";
  src = lib.nope;
  buildInputs = [ cudatoolkit ];
}
`,
    'pkgs/by-name/un/unfetchable/package.nix': `{ stdenv, fetchStub, cudatoolkit }:
stdenv.mkDerivation {
  pname = "unfetchable";
  version = "1.0";
  src = fetchStub { name = "unfetchable-src"; script = "echo 'curl: (6) Could not resolve host: example.org' >&2; exit 1 # ${nonce}"; };
  buildInputs = [ cudatoolkit ];
}
`,
    // names cudatoolkit, but no attribute stands for it
    'pkgs/development/misc/cuda-helper.nix': '{ cudatoolkit }: { CUDA_PATH = cudatoolkit; }\n',
    // no cudatoolkit: nothing asked
    'pkgs/by-name/pl/plain/package.nix': '{ stdenv }: stdenv.mkDerivation { pname = "plain"; version = "1"; src = ./.; }\n',
    'opts.mjs': OPTIONS_TRANSFORM,
    'baz-1.0/src/kernel.cu': '#include <curand.h>\n__global__ void k() {}\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  execFileSync('tar', ['-czf', 'baz-1.0.tar.gz', 'baz-1.0'], { cwd: root });
  rmSync(join(root, 'baz-1.0'), { recursive: true });
  return root;
}

interface JsonRun {
  files: { path: string; status: string; findings: { rule: string; message: string }[] }[];
}

/** path → the options the transform saw (files it ran on only). */
function optionsSeen(stdout: string): Record<string, Record<string, unknown>> {
  const doc = JSON.parse(stdout) as JsonRun;
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of doc.files) {
    const seen = f.findings.find((x) => x.rule === 'cudatoolkit-to-redist/options');
    if (seen) out[f.path] = JSON.parse(seen.message) as Record<string, unknown>;
  }
  return out;
}

describe.skipIf(!NIX_INSTANTIATE)('nixshift run --evidence sources (real Nix)', () => {
  it('gives each CUDA file its source (built when missing) or the reason there is none, and touches no file', () => {
    const root = nixpkgsTree();
    const before = snapshot(root);
    const r = cli(['run', '-t', './opts.mjs', '--evidence', 'sources', '--json', '.'], { cwd: root, env: ENV });
    expect(r.stderr).toMatch(/^nixshift: sources: 3 of 7 files have a source \(1 built\), 4 have none \(option source-missing=\); \d+\.\ds\n/);
    expect(r.status).toBe(0);
    const seen = optionsSeen(r.stdout);
    const foo = seen['pkgs/development/libraries/foo/default.nix']!.source as string;
    const baz = seen['pkgs/by-name/ba/baz/package.nix']!.source as string;
    expect(foo).toMatch(/^\/nix\/store\/[0-9a-z]{32}-foo-src$/);
    expect(baz).toMatch(/^\/nix\/store\/[0-9a-z]{32}-source$/);
    expect(seen).toEqual({
      'default.nix': { 'source-missing': "a file at the checkout's root, not a package" },
      'pkgs/development/libraries/foo/default.nix': { source: foo },
      // a path literal: the folder in the checkout, as it is
      'pkgs/by-name/ba/bar/package.nix': { source: join(root, 'pkgs/by-name/ba/bar/src') },
      'pkgs/by-name/ba/baz/package.nix': { source: baz },
      'pkgs/by-name/br/broken/package.nix': { 'source-missing': "nix-instantiate: error: attribute 'nope' missing (at pkgs/by-name/br/broken/package.nix:5:9)" },
      'pkgs/by-name/un/unfetchable/package.nix': {
        'source-missing': expect.stringMatching(
          /^the source is not in the store and could not be built: nix-store --realise: error: builder for '\/nix\/store\/[0-9a-z]{32}-unfetchable-src\.drv' failed with exit code 1 \(last log line: curl: \(6\) Could not resolve host: example\.org\)$/,
        ),
      },
      'pkgs/development/misc/cuda-helper.nix': { 'source-missing': 'no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)' },
    });
    // The sources are there, with their files.
    expect(readFileSync(join(foo, 'src/fft.cu'), 'utf8')).toBe('#include <cufft.h>\n');
    expect(readFileSync(join(baz, 'src/kernel.cu'), 'utf8')).toContain('#include <curand.h>');
    expect(existsSync(join(root, 'pkgs/by-name/ba/bar/src/main.c'))).toBe(true);
    expect(snapshot(root)).toEqual(before);

    // A second run: foo's source is in the store now, nothing is built.
    const again = cli(['run', '-t', './opts.mjs', '--evidence', 'sources', '--json', '--nixpkgs', '.', 'pkgs/development/libraries/foo'], { cwd: root, env: ENV });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/^nixshift: sources: 1 of 1 file has a source, 0 have none \(option source-missing=\); \d+\.\ds\n/);
    expect(optionsSeen(again.stdout)).toEqual({ 'pkgs/development/libraries/foo/default.nix': { source: foo } });
  });

  it('a -o source= on the command line wins (no source-missing= beside it); a transform that takes no source gets none; a dry run exits as usual and writes nothing', () => {
    const root = nixpkgsTree();
    const r = cli(['run', '-t', './opts.mjs', '--evidence', 'sources', '-o', 'cudatoolkit-to-redist:source=/my/src', '--json', '-q', 'pkgs/by-name'], { cwd: root, env: ENV });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const seen = optionsSeen(r.stdout);
    expect(Object.keys(seen).sort()).toEqual(['pkgs/by-name/ba/bar/package.nix', 'pkgs/by-name/ba/baz/package.nix', 'pkgs/by-name/br/broken/package.nix', 'pkgs/by-name/un/unfetchable/package.nix']);
    // and the reason found for broken is not passed beside it
    for (const o of Object.values(seen)) expect(o).toEqual({ source: '/my/src' });

    const other = cli(['run', '-t', 'driver-runpath-rename', '--evidence', 'sources', 'pkgs/by-name/ba/bar'], { cwd: root, env: ENV });
    expect(other.status).toBe(0);
    expect(other.stderr).toContain('nixshift: warning: --evidence sources: no transform of this run takes a source (cudatoolkit-to-redist, symlinkjoin-to-propagated); nothing asked of Nix\n');

    // A dry run (diffs, not --json), with the progress line asked for: exits as it does without
    // --evidence, writes nothing. (A user transform: the built-in one's use of source= is not
    // this test's business.)
    const before = snapshot(root);
    const plain = cli(['run', '-t', './opts.mjs', 'pkgs/by-name/ba'], { cwd: root, env: ENV });
    const dry = cli(['run', '-t', './opts.mjs', '--evidence', 'sources', '--progress', 'pkgs/by-name/ba'], { cwd: root, env: ENV });
    expect(dry.stderr).toContain('\r\x1b[Knixshift: sources: 0/2 evaluating 2 attributes…');
    expect(dry.stderr).toContain('\r\x1b[Knixshift: sources: 2 of 2 files have a source, 0 have none');
    expect(dry.stderr).toContain(`pkgs/by-name/ba/bar/package.nix:1:1: info[cudatoolkit-to-redist/options] {"source":"${join(root, 'pkgs/by-name/ba/bar/src')}"}`);
    expect([dry.status, dry.stdout]).toEqual([plain.status, plain.stdout]);
    expect(dry.status).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });
});

describe.skipIf(!NIX_INSTANTIATE)('nixshift run -t cudatoolkit-to-redist --evidence sources (real Nix, the built-in transform)', () => {
  it("decides each package's set from its own source, and says why where there is none", () => {
    const root = nixpkgsTree();
    const before = snapshot(root);
    const r = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'sources', '--json', '-q', 'pkgs/by-name/ba', 'pkgs/by-name/br', 'pkgs/development/libraries'], { cwd: root, env: ENV });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { files: (JsonRun['files'][number] & { diff?: string })[] };
    const added = (path: string): string[] => (doc.files.find((f) => f.path === path)!.diff ?? '').split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1).trim());
    const findings = (path: string): string[] => doc.files.find((f) => f.path === path)!.findings.map((f) => `${f.rule} ${f.message}`);
    // bar: a C file that includes cuBLAS (whose headers need cccl), compiles no CUDA: no compiler
    expect(added('pkgs/by-name/ba/bar/package.nix')).toEqual(['{ stdenv, cudaPackages }:', 'buildInputs = [ cudaPackages.cuda_cudart cudaPackages.cuda_cccl cudaPackages.libcublas ];']);
    expect(findings('pkgs/by-name/ba/bar/package.nix')[0]).toMatch(/^cudatoolkit-to-redist\/libraries-from-evidence cudatoolkit → cuda_cudart \(the CUDA runtime, whose headers libcublas's include\); cuda_cccl \(`<nv\/target>` for main\.c:1 `#include <cublas_v2\.h>`\); libcublas \(main\.c:1 `#include <cublas_v2\.h>`\)\. /);
    // foo (a fetched source) and baz (fetchTarball): a .cu file each, so nvcc, and their library
    expect(added('pkgs/development/libraries/foo/default.nix')).toEqual(['{ stdenv, fetchStub, cudaPackages }:', 'nativeBuildInputs = [ cudaPackages.cuda_nvcc ];', 'buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcufft ];']);
    expect(added('pkgs/by-name/ba/baz/package.nix')).toEqual(['{ stdenv, cudaPackages }:', 'nativeBuildInputs = [ cudaPackages.cuda_nvcc ];', 'buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcurand ];']);
    // broken: no source, the .nix file alone decides (nothing in it: every library, to prune)
    expect(findings('pkgs/by-name/br/broken/package.nix').map((f) => f.split(' ')[0])).toEqual(['cudatoolkit-to-redist/review-library-set', 'cudatoolkit-to-redist/no-source-evidence']);
    expect(findings('pkgs/by-name/br/broken/package.nix')[1]).toBe(
      "cudatoolkit-to-redist/no-source-evidence no source evidence: nix-instantiate: error: attribute 'nope' missing (at pkgs/by-name/br/broken/package.nix:5:9); the set was decided from the .nix file alone",
    );
    expect(snapshot(root)).toEqual(before);
  });
});

describe('nixshift run --evidence sources: usage errors (exit 2)', () => {
  it('without nix-instantiate on PATH: says so and how to install it', () => {
    const root = tree({ 'default.nix': '{ }: { }\n', 'pkgs/top-level/all-packages.nix': '{ }\n', 'pkgs/by-name/fo/foo/package.nix': '{ cudatoolkit }: cudatoolkit\n' });
    const before = snapshot(root);
    const r = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'sources', '.'], { cwd: root, env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "nixshift: --evidence sources: nix-instantiate is not installed (or not on PATH); it is needed to ask Nix for each package's source. Install Nix (Debian: apt-get install nix-bin; elsewhere: https://nixos.org/download), or run without --evidence\n",
    );
    expect(r.stdout).toBe('');
    expect(snapshot(root)).toEqual(before);
  });

  it('bad values, the flags that need --evidence, and no checkout to evaluate', () => {
    const root = tree({ 'pkgs/foo/default.nix': '{ cudatoolkit }: cudatoolkit\n' });
    const bad = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'build', '.'], { cwd: root });
    expect([bad.status, bad.stderr]).toEqual([2, 'nixshift: --evidence takes `sources`, not "build"\n']);
    const jobs = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'sources', '--evidence-jobs', '0', '.'], { cwd: root });
    expect([jobs.status, jobs.stderr]).toEqual([2, 'nixshift: --evidence-jobs takes a whole number of at least 1, not "0"\n']);
    const alone = cli(['run', '-t', 'cudatoolkit-to-redist', '--nixpkgs', '.', '.'], { cwd: root });
    expect([alone.status, alone.stderr]).toEqual([2, 'nixshift: --nixpkgs only applies with --evidence sources or --verify eval\n']);
    if (NIX_INSTANTIATE) {
      const none = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'sources', 'pkgs'], { cwd: root, env: ENV });
      expect(none.status).toBe(2);
      expect(none.stderr).toBe(
        `nixshift: --evidence sources: no nixpkgs checkout holds ${join(root, 'pkgs')} (looked for a folder with pkgs/top-level/all-packages.nix and a default.nix, or a git root with a default.nix); name it with --nixpkgs <dir>\n`,
      );
      const named = cli(['run', '-t', 'cudatoolkit-to-redist', '--evidence', 'sources', '--nixpkgs', 'pkgs', 'pkgs'], { cwd: root, env: ENV });
      expect([named.status, named.stderr]).toEqual([2, `nixshift: --nixpkgs pkgs: ${join(root, 'pkgs')} has no default.nix, so it is not a nixpkgs checkout Nix can evaluate\n`]);
    }
  });
});
