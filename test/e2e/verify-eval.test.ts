/**
 * `nixshift run --verify eval` end to end, with the real Nix, offline: a nixpkgs-shaped git tree
 * made at test time (test/helpers/stub-nixpkgs.ts: a root default.nix taking `{ config ? { } }`,
 * stub CUDA package sets, `cudaPackages_11_6` without `cuda_profiler_api`, pkgs/by-name packages
 * and all-packages.nix call sites), each changed package instantiated before and after the
 * change by nix-instantiate (which writes `.drv` files to the local store, nothing else).
 *
 * Needs the build (`npx tsc -p tsconfig.build.json`); skipped without nix-instantiate, a failure
 * under CI=true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyKindArgs } from '../../src/cli/main.js';
import { GIT_TEST_ENV, git, makeGitRepo } from '../helpers/git.js';
import { IN_CI, NIX_INSTANTIATE } from '../helpers/nix.js';
import { STUB_DEFAULT_NIX } from '../helpers/stub-nixpkgs.js';
import { cli, snapshot } from '../helpers/tree.js';

/** No binary cache to ask (offline), and git as the other tests have it. */
const ENV = { ...GIT_TEST_ENV, NIX_CONFIG: 'substituters =' };

const pkg = (pname: string, formals: string, inputs: string, extra = ''): string => `{ ${formals} }:

stdenv.mkDerivation {
  pname = "${pname}";
  version = "1.0";
  nativeBuildInputs = [ cmake ];
  buildInputs = [ ${inputs} ];${extra}
}
`;

const FILES: Record<string, string> = {
  'default.nix': STUB_DEFAULT_NIX,
  'pkgs/top-level/all-packages.nix': `pkgs: with pkgs; {
  bar = callPackage ../development/libraries/bar {
    cudatoolkit = cudaPackages_11_6.cudatoolkit;
  };
  old = callPackage ../development/libraries/old { };
}
`,
  // migrates cleanly: cudaPackages has every package the migration names
  'pkgs/by-name/fo/foo/package.nix': pkg('foo', 'lib, stdenv, cmake, cudatoolkit', 'cudatoolkit'),
  // its call site gives it CUDA 11.6, which has no cuda_profiler_api
  'pkgs/development/libraries/bar/default.nix': pkg('bar', 'lib, stdenv, cmake, cudatoolkit', 'cudatoolkit'),
  // broken before the change already (callPackage cannot fill `libfoo`)
  'pkgs/development/libraries/old/default.nix': pkg('old', 'stdenv, cmake, cudatoolkit, libfoo', 'cudatoolkit libfoo'),
  // no attribute stands for it
  'pkgs/misc/orphan/default.nix': pkg('orphan', 'stdenv, cmake, cudatoolkit', 'cudatoolkit'),
  // a use the transform must leave (suppressed): the legacy toolkit stays a direct input
  'pkgs/by-name/le/legacy/package.nix': pkg(
    'legacy',
    'stdenv, cmake, cudatoolkit_11_8',
    'cudatoolkit_11_8',
    '\n  # nixshift-ignore: cudatoolkit-to-redist -- the samples are the test suite\n  CUDA_SAMPLES = "${cudatoolkit_11_8}/samples";',
  ),
};

const RUN = ['run', '-t', 'cudatoolkit-to-redist', '-o', 'cudatoolkit-to-redist:cuda-libs=cuda_cudart,cuda_profiler_api', '--verify', 'eval', '--verify-jobs', '2', '--no-progress'];

const CONFIG = '{ allowUnfree = true; cudaSupport = true; }';
const BAR_BROKEN = `error: --verify eval (config \`${CONFIG}\`): \`bar\` evaluated before the change and no longer does: nix-instantiate: error: attribute 'cuda_profiler_api' missing (at pkgs/development/libraries/bar/default.nix:7:67, in the new text); file left unchanged`;

/** The lines of stderr that --verify eval wrote (its findings, errors and summary). */
const verifyLines = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => /verify|evaluat/.test(l))
    .map((l) => l.replace(/; [\d.]+s$/, '; <time>'));

describe('--verify eval: nix-instantiate is there', () => {
  it('has nix-instantiate (required under CI)', () => {
    expect(IN_CI && !NIX_INSTANTIATE, 'nix-instantiate must be installed when CI=true').toBe(false);
  });
});

describe.skipIf(!NIX_INSTANTIATE)('nixshift run --verify eval (real Nix)', { timeout: 60_000 }, () => {
  it('a dry run: each changed package evaluated before and after; a broken one is an error with Nix’s message; nothing written', () => {
    const root = makeGitRepo(FILES);
    const before = snapshot(root);
    const r = cli([...RUN, 'pkgs'], { cwd: root, env: ENV });
    expect(r.status).toBe(2);
    expect(verifyLines(r.stderr)).toEqual([
      `pkgs/by-name/fo/foo/package.nix:1:1: info[verify/evaluates] \`foo\` evaluates before and after the change (config \`${CONFIG}\`); CUDA inputs: cuda-merged-12.4 → cuda_cccl-12.4.89, cuda_cudart-12.4.89, cuda_nvcc-12.4.89, cuda_profiler_api-12.4.80`,
      `pkgs/by-name/le/legacy/package.nix:1:1: info[verify/evaluates] \`legacy\` evaluates before and after the change (config \`${CONFIG}\`); CUDA inputs: cudatoolkit-11.8.0 → cuda_cccl-11.8.89, cuda_cudart-11.8.89, cuda_nvcc-11.8.89, cuda_profiler_api-11.8.80, cudatoolkit-11.8.0`,
      'pkgs/by-name/le/legacy/package.nix:1:1: warning[verify/kept-input] `legacy` still takes `cudatoolkit-11.8.0` as a direct input after the change: the legacy monolithic CUDA toolkit, whose whole closure (several GB) comes with it',
      `pkgs/development/libraries/bar/default.nix: ${BAR_BROKEN}`,
      "pkgs/development/libraries/old/default.nix:1:1: info[verify/not-evaluating-before] `old` did not evaluate before the change (nix-instantiate: error: anonymous function at pkgs/development/libraries/old/default.nix:1:1 called without required argument 'libfoo' (at default.nix:41:87)), nor after it: not held to it",
      'pkgs/misc/orphan/default.nix:1:1: warning[verify/no-attribute] not verified by --verify eval: no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level)',
      '  fix: evaluate what uses this file by hand (nix-instantiate -A <attribute>)',
      `pkgs/top-level/all-packages.nix: ${BAR_BROKEN}`,
      'nixshift: verify eval: 4 packages of 5 files: 2 evaluate, 1 no longer does, 1 did not before; 1 file with no attribute, not verified; 13 nix-instantiate calls; <time>',
    ]);
    expect(r.stderr).toMatch(/^nixshift: 4 ok, 0 nochange, 0 skip, 2 error; 6 files in/m);
    expect(snapshot(root)).toEqual(before);
  });

  it('--write writes the packages that evaluate (and those not held to it or not verifiable), never a broken one', () => {
    const root = makeGitRepo(FILES);
    const r = cli([...RUN, '--write', 'pkgs'], { cwd: root, env: ENV });
    expect(r.status).toBe(2);
    expect(git(root, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([
      ' M pkgs/by-name/fo/foo/package.nix',
      ' M pkgs/by-name/le/legacy/package.nix',
      ' M pkgs/development/libraries/old/default.nix',
      ' M pkgs/misc/orphan/default.nix',
    ]);
    expect(readFileSync(join(root, 'pkgs/by-name/fo/foo/package.nix'), 'utf8')).toBe(`{ lib, stdenv, cmake, cudaPackages }:

stdenv.mkDerivation {
  pname = "foo";
  version = "1.0";
  nativeBuildInputs = [ cmake cudaPackages.cuda_nvcc ];
  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.cuda_cccl cudaPackages.cuda_profiler_api ];
}
`);
    expect(r.stderr).toMatch(/^nixshift: 4 ok, 0 nochange, 0 skip, 2 error, 4 written; 6 files in /m);
  });

  it('--json: per package, its .drv and direct inputs before and after', () => {
    const root = makeGitRepo(FILES);
    const r = cli([...RUN, '--json', 'pkgs/by-name/fo'], { cwd: root, env: ENV });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { files: { path: string; evaluation: unknown }[] };
    const ev = doc.files[0]!.evaluation as { attr: string; broken: boolean; before: { drv: string; inputs: unknown[] }; after: { drv: string; inputs: unknown[] }; flags: unknown[] }[];
    expect(ev.map((p) => ({ ...p, before: { ...p.before, drv: p.before.drv.replace(/^\/nix\/store\/[0-9a-z]{32}-/, '') }, after: { ...p.after, drv: p.after.drv.replace(/^\/nix\/store\/[0-9a-z]{32}-/, '') } }))).toEqual([
      {
        attr: 'foo',
        broken: false,
        before: {
          drv: 'foo-1.0.drv',
          inputs: [
            { name: 'cmake-3.29.2', outputs: ['out'] },
            { name: 'cuda-merged-12.4', outputs: ['out'], join: true },
          ],
        },
        after: {
          drv: 'foo-1.0.drv',
          inputs: [
            { name: 'cmake-3.29.2', outputs: ['out'] },
            { name: 'cuda_cccl-12.4.89', outputs: ['out'] },
            { name: 'cuda_cudart-12.4.89', outputs: ['out'] },
            { name: 'cuda_nvcc-12.4.89', outputs: ['out'] },
            { name: 'cuda_profiler_api-12.4.80', outputs: ['out'] },
          ],
        },
        flags: [],
      },
    ]);
  });

  it('--report: a section lists every package evaluated', () => {
    const root = makeGitRepo(FILES);
    const r = cli([...RUN, '--report', 'r.md', 'pkgs/by-name', 'pkgs/misc'], { cwd: root, env: ENV });
    expect(r.status).toBe(0);
    const md = readFileSync(join(root, 'r.md'), 'utf8');
    expect(md).toContain(`## Evaluation (\`--verify eval\`)

| file | package | result | CUDA inputs before → after | flagged |
|---|---|---|---|---|
| \`pkgs/by-name/fo/foo/package.nix\` | \`foo\` | evaluates | cuda-merged-12.4 → cuda_cccl-12.4.89, cuda_cudart-12.4.89, cuda_nvcc-12.4.89, cuda_profiler_api-12.4.80 | — |
| \`pkgs/by-name/le/legacy/package.nix\` | \`legacy\` | evaluates | cudatoolkit-11.8.0 → cuda_cccl-11.8.89, cuda_cudart-11.8.89, cuda_nvcc-11.8.89, cuda_profiler_api-11.8.80, cudatoolkit-11.8.0 | cudatoolkit-11.8.0: the legacy monolithic CUDA toolkit, whose whole closure (several GB) comes with it |
| \`pkgs/misc/orphan/default.nix\` | — | not verified: no attribute found for this file (not under pkgs/by-name, and no callPackage of it or its folder in pkgs/top-level) | | |

2 packages evaluated with \`nix-instantiate\`, before and after the change; evaluation proves the package still instantiates, not that it builds.
`);
  });

  it('--commit commits only the packages that still evaluate', () => {
    const root = makeGitRepo(FILES);
    const r = cli([...RUN, '--commit', 'pkgs'], { cwd: root, env: ENV });
    expect(r.status).toBe(2);
    expect(git(root, 'log', '--format=%s').trim().split('\n')).toEqual([
      'orphan: migrate from cudatoolkit to cudaPackages',
      'old: migrate from cudatoolkit to cudaPackages',
      'legacy: migrate from cudatoolkit to cudaPackages',
      'foo: migrate from cudatoolkit to cudaPackages',
      'init',
    ]);
    // bar and its call site: not written, so nothing left behind
    expect(git(root, 'status', '--porcelain')).toBe('');
  });
});

describe('nixshift run --verify eval: usage errors (exit 2)', () => {
  it('says how to install Nix when nix-instantiate is missing', () => {
    const root = makeGitRepo(FILES);
    const r = cli([...RUN, 'pkgs'], { cwd: root, env: { ...ENV, NIXSHIFT_NIX_INSTANTIATE: '/nonexistent/nix-instantiate' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--verify eval: nix-instantiate is not installed (or not on PATH); it is what evaluates each package. Install Nix (Debian: apt-get install nix-bin;');
  });

  it.skipIf(!NIX_INSTANTIATE)('needs a nixpkgs checkout, found or named', () => {
    const root = makeGitRepo({ 'a.nix': '{ cudatoolkit }: cudatoolkit\n' });
    const r = cli([...RUN, 'a.nix'], { cwd: root, env: ENV });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--verify eval: no nixpkgs checkout holds ${root} (looked for a folder with pkgs/top-level/all-packages.nix and a default.nix, or a git root with a default.nix); name it with --nixpkgs <dir>`);
  });

  it('checks its own flags', () => {
    const root = makeGitRepo(FILES);
    expect(cli(['run', '-t', 'cudatoolkit-to-redist', '--verify=build', 'pkgs'], { cwd: root, env: ENV }).stderr).toContain('--verify takes `parse` or `eval`, not "build"');
    expect(cli(['run', '-t', 'cudatoolkit-to-redist', '--verify-jobs', '2', 'pkgs'], { cwd: root, env: ENV }).stderr).toContain('--verify-jobs only applies with --verify eval');
    expect(cli(['run', '-t', 'cudatoolkit-to-redist', '--verify', 'eval', '--verify-jobs', '0', 'pkgs'], { cwd: root, env: ENV }).stderr).toContain('--verify-jobs takes a whole number of at least 1, not "0"');
    expect(cli([...RUN, '--verify-jobs', '3', 'pkgs'], { cwd: root, env: ENV }).stderr).toBe('nixshift: --verify-jobs was given twice (2, 3); give it once\n');
    expect(cli([...RUN, '--interactive', 'pkgs'], { cwd: root, env: ENV }).status).toBe(2);
  });
});

describe('--verify and the paths after it', () => {
  it('takes `eval` or `parse` as its kind, never a path', () => {
    expect(verifyKindArgs(['run', '--verify', 'pkgs/'])).toEqual(['run', '--verify', 'pkgs/']);
    expect(verifyKindArgs(['run', '--verify', 'eval', 'pkgs/'])).toEqual(['run', '--verify', '--verify-kind', 'eval', 'pkgs/']);
    expect(verifyKindArgs(['run', '--verify=parse'])).toEqual(['run', '--verify', '--verify-kind', 'parse']);
    expect(verifyKindArgs(['run', '--', '--verify', 'eval'])).toEqual(['run', '--', '--verify', 'eval']);
  });
});
