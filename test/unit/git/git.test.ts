/** src/git: repository state, changed files, package attribution, one commit per package. */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitMessage, CommitError, makeCommits, planCommits, type PlanOptions, type RunChangedFile } from '../../../src/git/commit.js';
import { attrFromPath, callSiteOwners, isSharedFile } from '../../../src/git/packages.js';
import { changedFiles, dirtyState, GitError, gitRoot } from '../../../src/git/repo.js';
import type { Finding } from '../../../src/transform.js';
import { git, GIT_TEST_ENV, makeGitRepo, writeFiles } from '../../helpers/git.js';

const made: string[] = [];
const repo = (...args: Parameters<typeof makeGitRepo>): string => {
  const root = makeGitRepo(...args);
  made.push(root);
  return root;
};

const savedEnv = { ...process.env };
beforeAll(() => {
  // the library runs git with process.env: keep the machine's git config out of it
  Object.assign(process.env, GIT_TEST_ENV);
});
afterAll(() => {
  for (const k of Object.keys(GIT_TEST_ENV)) if (!(k in savedEnv)) delete process.env[k];
  for (const root of made) rmSync(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// A small nixpkgs-shaped tree (written for these tests)

const ALL_PACKAGES = `# Top-level package set of this test tree.
res: pkgs: super:

with pkgs;

{
  # GPU linear algebra, built against the CUDA toolkit
  magma = callPackage ../by-name/ma/magma/package.nix {
    cudatoolkit = cudaPackages.cudatoolkit;
  };

  libfoo = callPackage ../development/libraries/foo { cudatoolkit = cudaPackages.cudatoolkit; };
  bar = callPackage ../development/libraries/bar/default.nix { cudatoolkit = cudaPackages.cudatoolkit; };

  inherit (cudaPackages) cudatoolkit;

  hello = callPackage ../applications/misc/hello { };
}
`;

const ALL_PACKAGES_OUT = `# Top-level package set of this test tree.
res: pkgs: super:

with pkgs;

{
  # GPU linear algebra, built against the CUDA toolkit
  magma = callPackage ../by-name/ma/magma/package.nix { };

  libfoo = callPackage ../development/libraries/foo { };
  bar = callPackage ../development/libraries/bar/default.nix { };

  inherit (cudaPackages) cudatoolkit;

  hello = callPackage ../applications/misc/hello { };
}
`;

const PYTHON_PACKAGES = `# Python package set of this test tree.
self: super:

with self;

{
  numpy = callPackage ../development/python-modules/numpy { };

  torch = callPackage ../development/python-modules/torch {
    cudaSupport = pkgs.config.cudaSupport or false;
    inherit (pkgs.cudaPackages) cudatoolkit;
  };

  torchWithCuda = toPythonModule (python.pkgs.callPackage ../development/python-modules/torch/ {
    cudaSupport = true;
    inherit (pkgs.cudaPackages) cudatoolkit;
  });
}
`;

const PYTHON_PACKAGES_OUT = PYTHON_PACKAGES.replaceAll('    inherit (pkgs.cudaPackages) cudatoolkit;\n', '');

const MAGMA = `{
  lib,
  stdenv,
  fetchFromGitHub,
  cmake,
  cudatoolkit,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "magma";
  version = "2.8.0";
  src = fetchFromGitHub {
    owner = "example";
    repo = "magma";
    rev = "v\${finalAttrs.version}";
    hash = lib.fakeHash;
  };
  nativeBuildInputs = [ cmake cudatoolkit ];
  buildInputs = [ cudatoolkit ];
})
`;

const MAGMA_OUT = MAGMA.replace('  cudatoolkit,\n', '  cudaPackages,\n')
  .replace('[ cmake cudatoolkit ]', '[ cmake cudaPackages.cuda_nvcc ]')
  .replace('[ cudatoolkit ]', '[ cudaPackages.cuda_cudart cudaPackages.libcublas ]');

// CRLF, no final newline
const FOO = '{ stdenv, cudatoolkit }:\r\n\r\nstdenv.mkDerivation {\r\n  pname = "foo";\r\n  version = "1.0";\r\n  buildInputs = [ cudatoolkit ];\r\n}';
const FOO_OUT = FOO.replace('{ stdenv, cudatoolkit }', '{ stdenv, cudaPackages }').replace('[ cudatoolkit ]', '[ cudaPackages.cuda_cudart ]');

const TORCH = `{ lib, buildPythonPackage, cudaSupport ? false, cudatoolkit, addOpenGLRunpath }:

buildPythonPackage {
  pname = "torch";
  version = "2.5.0";
  buildInputs = lib.optionals cudaSupport [ cudatoolkit ];
  nativeBuildInputs = lib.optionals cudaSupport [ addOpenGLRunpath ];
}
`;
const TORCH_OUT = TORCH.replace('cudatoolkit, addOpenGLRunpath', 'cudaPackages, addDriverRunpath')
  .replace('[ cudatoolkit ]', '[ cudaPackages.cuda_cudart ]')
  .replace('[ addOpenGLRunpath ]', '[ addDriverRunpath ]');

const BAR = '{ stdenv, cudatoolkit }:\nstdenv.mkDerivation { pname = "bar"; version = "0.1"; buildInputs = [ cudatoolkit ]; }\n';
const HELLO = '{ stdenv }:\nstdenv.mkDerivation { pname = "hello"; version = "2.12"; }\n';

const TREE: Record<string, string> = {
  'pkgs/top-level/all-packages.nix': ALL_PACKAGES,
  'pkgs/top-level/python-packages.nix': PYTHON_PACKAGES,
  'pkgs/by-name/ma/magma/package.nix': MAGMA,
  'pkgs/development/libraries/foo/default.nix': FOO,
  'pkgs/development/libraries/bar/default.nix': BAR,
  'pkgs/development/python-modules/torch/default.nix': TORCH,
  'pkgs/applications/misc/hello/default.nix': HELLO,
};

const SUMMARY: Record<string, string> = {
  'cudatoolkit-to-redist': 'migrate from cudatoolkit to cudaPackages',
  'driver-runpath-rename': 'use addDriverRunpath',
};
const OPTS: PlanOptions = {
  summaries: (changedBy) => changedBy.map((t) => SUMMARY[t] ?? `apply ${t}`).join(', '),
  footer: 'Generated by nixshift 0.1.0 (cudatoolkit-to-redist)',
};

const finding = (rule: string, line: number, column: number, message: string, severity: Finding['severity'] = 'warning'): Finding => ({
  rule,
  severity,
  message,
  line,
  column,
});

/** The run of the scenario: four packages, two shared files. */
function runFiles(root: string): RunChangedFile[] {
  const f = (rel: string, output: string, changedBy: string[], findings: Finding[] = []): RunChangedFile => ({
    absolute: join(root, rel),
    original: TREE[rel]!,
    output,
    changedBy,
    findings,
  });
  return [
    f('pkgs/top-level/python-packages.nix', PYTHON_PACKAGES_OUT, ['cudatoolkit-to-redist']),
    f('pkgs/top-level/all-packages.nix', ALL_PACKAGES_OUT, ['cudatoolkit-to-redist'], [
      finding('cudatoolkit-to-redist/kept-binding', 15, 3, '`inherit (cudaPackages) cudatoolkit` kept'),
      finding('cudatoolkit-to-redist/call-site', 13, 3, 'call site of bar changed, bar itself not migrated', 'info'),
    ]),
    f('pkgs/by-name/ma/magma/package.nix', MAGMA_OUT, ['cudatoolkit-to-redist'], [
      finding('cudatoolkit-to-redist/guessed-libraries', 20, 18, 'libraries chosen from evidence in the file: libcublas'),
      finding('cudatoolkit-to-redist/version', 11, 3, 'version checks left alone', 'info'),
    ]),
    f('pkgs/development/python-modules/torch/default.nix', TORCH_OUT, ['cudatoolkit-to-redist', 'driver-runpath-rename']),
    f('pkgs/development/libraries/foo/default.nix', FOO_OUT, ['cudatoolkit-to-redist']),
  ];
}

const FOOTER = OPTS.footer;
const CUDA = 'migrate from cudatoolkit to cudaPackages';

// all-packages.nix after each commit of the scenario (bar, foo, magma, python3Packages.torch)
const AP_AFTER_BAR = ALL_PACKAGES.replace(
  'bar = callPackage ../development/libraries/bar/default.nix { cudatoolkit = cudaPackages.cudatoolkit; };',
  'bar = callPackage ../development/libraries/bar/default.nix { };',
);
const AP_AFTER_FOO = AP_AFTER_BAR.replace(
  'libfoo = callPackage ../development/libraries/foo { cudatoolkit = cudaPackages.cudatoolkit; };',
  'libfoo = callPackage ../development/libraries/foo { };',
);

// ---------------------------------------------------------------------------------------------

describe('attrFromPath', () => {
  it.each([
    ['pkgs/by-name/ma/magma/package.nix', 'magma'],
    ['pkgs/by-name/ma/magma/cmake-fixes.patch', 'magma'],
    ['pkgs/by-name/ma/magma/nested/dir/x.nix', 'magma'],
    ['pkgs/development/python-modules/torch/default.nix', 'python3Packages.torch'],
    ['pkgs/development/python-modules/torch/bin.nix', 'python3Packages.torch'],
    ['pkgs/development/python-modules/torch/nested/x.nix', 'python3Packages.torch'],
    ['nixos/modules/services/hardware/nvidia-container-toolkit.nix', 'nixos/nvidia-container-toolkit'],
    ['nixos/modules/hardware/video/nvidia/default.nix', 'nixos/nvidia'],
    ['nixos/modules/programs/foo/bar.nix', 'nixos/bar'],
    ['pkgs/development/libraries/magma/default.nix', 'magma'],
    ['pkgs/development/libraries/magma/generic.nix', 'magma'],
    ['pkgs/development/cuda-modules/cudnn/fixup.nix', 'cudnn'],
    ['pkgs/top-level/all-packages.nix', 'top-level'],
    ['flake.nix', 'flake'],
    ['./default.nix', 'default'],
  ])('%s → %s', (path, attr) => {
    expect(attrFromPath(path)).toBe(attr);
  });
});

describe('isSharedFile', () => {
  it.each([
    ['pkgs/top-level/all-packages.nix', true],
    ['pkgs/top-level/python-packages.nix', true],
    ['pkgs/top-level/cuda-packages.nix', true],
    ['pkgs/top-level/aliases.nix', true],
    ['pkgs/development/python-modules/aliases.nix', true],
    ['pkgs/by-name/ma/magma/package.nix', false],
    ['pkgs/development/libraries/magma/default.nix', false],
    ['pkgs/top-level-ish.nix', false],
  ])('%s → %s', (path, shared) => {
    expect(isSharedFile(path)).toBe(shared);
  });
});

describe('callSiteOwners', () => {
  const range = (text: string, from: string, to: string): { start: number; end: number } => {
    const start = text.indexOf(from);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = text.indexOf(to, start) + to.length;
    return { start, end };
  };

  it('lists the bindings of all-packages.nix with their callPackage targets', () => {
    expect(callSiteOwners('pkgs/top-level/all-packages.nix', ALL_PACKAGES)).toEqual([
      { ...range(ALL_PACKAGES, 'magma =', '};'), attr: 'magma', target: 'pkgs/by-name/ma/magma/package.nix' },
      { ...range(ALL_PACKAGES, 'libfoo =', '};'), attr: 'libfoo', target: 'pkgs/development/libraries/foo' },
      { ...range(ALL_PACKAGES, 'bar =', '};'), attr: 'bar', target: 'pkgs/development/libraries/bar/default.nix' },
      { ...range(ALL_PACKAGES, 'inherit (cudaPackages)', ';'), attr: 'cudatoolkit' },
      { ...range(ALL_PACKAGES, 'hello =', '};'), attr: 'hello', target: 'pkgs/applications/misc/hello' },
    ]);
  });

  it('prefixes python-packages.nix bindings and looks through toPythonModule and python.pkgs.callPackage', () => {
    expect(callSiteOwners('pkgs/top-level/python-packages.nix', PYTHON_PACKAGES)).toEqual([
      { ...range(PYTHON_PACKAGES, 'numpy =', '};'), attr: 'python3Packages.numpy', target: 'pkgs/development/python-modules/numpy' },
      { ...range(PYTHON_PACKAGES, 'torch =', '};'), attr: 'python3Packages.torch', target: 'pkgs/development/python-modules/torch' },
      { ...range(PYTHON_PACKAGES, 'torchWithCuda =', '});'), attr: 'python3Packages.torchWithCuda', target: 'pkgs/development/python-modules/torch' },
    ]);
  });

  it('looks through { … }: functions, let … in, //, rec, with, mapAliases; offsets are UTF-16', () => {
    const text = [
      '{ lib, config, ... }:',
      'let',
      '  helper = callPackage ../not/a/binding { };',
      'in',
      'with lib;',
      'rec {',
      '  "café-ü" = callPackage ./cafe { }; # ü',
      '  a.b = import ../development/a { inherit lib; };',
      '  ${"dyn"} = 1;',
      '  inherit (lib) x y;',
      '  inherit z;',
      '} // mapAliases {',
      '  old = throw "old was removed"; # 2024-01-01',
      '} // lib.makeScope newScope (self: { late = self.callPackage ../late/package.nix { }; })',
      '',
    ].join('\n');
    const at = (s: string): number => text.indexOf(s);
    expect(callSiteOwners('pkgs/top-level/aliases.nix', text)).toEqual([
      { start: at('"café-ü"'), end: at(' # ü'), attr: 'café-ü', target: 'pkgs/top-level/cafe' },
      { start: at('a.b ='), end: at('  ${"dyn"}') - 1, attr: 'a.b', target: 'pkgs/development/a' },
      { start: at('inherit z;'), end: at('inherit z;') + 'inherit z;'.length, attr: 'z' },
      { start: at('old ='), end: at(' # 2024'), attr: 'old' },
      { start: at('late ='), end: at(' })'), attr: 'late', target: 'pkgs/late/package.nix' },
    ]);
  });

  it('finds nothing in a file that is not an attrset', () => {
    expect(callSiteOwners('pkgs/top-level/x.nix', '[ 1 2 ]\n')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('gitRoot', () => {
  it('finds the top folder from a subfolder, and nothing outside a repository', () => {
    const root = repo({ 'pkgs/a/default.nix': '{ }\n' });
    expect(gitRoot(join(root, 'pkgs', 'a'))).toBe(root);
    expect(gitRoot(root)).toBe(root);
    const outside = join(tmpdir(), `nixshift-not-a-repo-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    made.push(outside);
    expect(gitRoot(outside)).toBeUndefined();
  });
});

describe('dirtyState', () => {
  it('separates staged, unstaged and untracked changes; untracked only under the given paths', () => {
    const root = repo({
      'a.nix': '1\n',
      'b.nix': '2\n',
      'c.nix': '3\n',
      'd.nix': '4\n',
      'pkgs/x/default.nix': '5\n',
      '.gitignore': 'result\nignored/\n',
    });
    writeFileSync(join(root, 'a.nix'), '1 changed\n'); // unstaged
    writeFileSync(join(root, 'b.nix'), '2 changed\n');
    git(root, 'add', 'b.nix'); // staged
    writeFileSync(join(root, 'd.nix'), '4 staged\n');
    git(root, 'add', 'd.nix');
    writeFileSync(join(root, 'd.nix'), '4 staged and changed\n'); // both
    git(root, 'mv', 'c.nix', 'c renamed é.nix'); // staged rename
    writeFiles(root, { 'pkgs/x/new file.nix': 'new\n', 'pkgs/y/other.nix': 'o\n', 'top.txt': 't\n', 'ignored/z.nix': 'z\n', result: 'r\n' });

    expect(dirtyState(root)).toEqual({
      staged: ['b.nix', 'c renamed é.nix', 'd.nix'],
      unstaged: ['a.nix', 'd.nix'],
      untracked: ['pkgs/x/new file.nix', 'pkgs/y/other.nix', 'top.txt'],
    });
    expect(dirtyState(root, ['pkgs/x']).untracked).toEqual(['pkgs/x/new file.nix']);
    expect(dirtyState(root, [join(root, 'pkgs', 'y', 'other.nix'), join(root, 'pkgs', 'x', 'default.nix')]).untracked).toEqual(['pkgs/y/other.nix']);
    expect(dirtyState(root, ['pkgs/']).untracked).toEqual(['pkgs/x/new file.nix', 'pkgs/y/other.nix']);
    expect(dirtyState(root, [root]).untracked).toEqual(['pkgs/x/new file.nix', 'pkgs/y/other.nix', 'top.txt']);
    expect(dirtyState(root, ['/somewhere/else']).untracked).toEqual([]);
  });

  it('is empty for a clean repository, also from a subfolder', () => {
    const root = repo({ 'pkgs/a/default.nix': '{ }\n' });
    expect(dirtyState(join(root, 'pkgs'))).toEqual({ staged: [], unstaged: [], untracked: [] });
  });
});

describe('changedFiles', () => {
  const base = (): string =>
    repo({
      'a.nix': 'a\n',
      'b.nix': 'b\n',
      'c.nix': 'c\n',
      'd.nix': 'd\n',
      'dir with space/é.nix': 'e\n',
      'README.md': '# r\n',
      '.gitignore': 'ignored/\n',
    });

  it('lists modified, staged, untracked and renamed .nix files, not deleted, ignored or other files', () => {
    const root = base();
    writeFileSync(join(root, 'a.nix'), 'a changed\n'); // modified, unstaged
    writeFileSync(join(root, 'b.nix'), 'b changed\n');
    git(root, 'add', 'b.nix'); // staged only
    mkdirSync(join(root, 'renamed'));
    git(root, 'mv', 'c.nix', 'renamed/c2.nix'); // renamed
    rmSync(join(root, 'd.nix')); // deleted
    writeFileSync(join(root, 'dir with space/é.nix'), 'e changed\n');
    writeFileSync(join(root, 'README.md'), '# changed\n'); // not .nix
    writeFiles(root, { 'new file ü.nix': 'n\n', 'ignored/x.nix': 'i\n', 'notes.txt': 'n\n' });
    mkdirSync(join(root, 'staged-new'));
    writeFileSync(join(root, 'staged-new', 'n.nix'), 'n\n');
    git(root, 'add', 'staged-new/n.nix'); // added in the index

    const expected = ['a.nix', 'b.nix', 'dir with space/é.nix', 'new file ü.nix', 'renamed/c2.nix', 'staged-new/n.nix'].map((p) => join(root, p)).sort();
    const head = git(root, 'rev-parse', 'HEAD').trim();
    expect(changedFiles(root)).toEqual({ base: head, baseDescription: 'HEAD (no upstream branch)', files: expected });
    // the same from a subfolder
    expect(changedFiles(join(root, 'dir with space')).files).toEqual(expected);
  });

  it('compares with a given base, and names a bad one', () => {
    const root = base();
    const first = git(root, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(root, 'b.nix'), 'b committed\n');
    git(root, 'commit', '-q', '-am', 'b');
    writeFileSync(join(root, 'a.nix'), 'a changed\n');
    const r = changedFiles(root, 'HEAD~1');
    expect(r).toEqual({
      base: first,
      baseDescription: `HEAD~1 (${git(root, 'rev-parse', '--short', first).trim()})`,
      files: [join(root, 'a.nix'), join(root, 'b.nix')],
    });
    expect(changedFiles(root, 'HEAD').files).toEqual([join(root, 'a.nix')]);
    expect(() => changedFiles(root, 'no-such-branch')).toThrow(GitError);
    expect(() => changedFiles(root, 'no-such-branch')).toThrow(/unknown base "no-such-branch"/);
    expect(() => changedFiles(root, '--output=/tmp/x')).toThrow(/unknown base "--output=\/tmp\/x"/);
    expect(() => changedFiles(root, 'HEAD:a.nix')).toThrow(/unknown base "HEAD:a.nix"/);
  });

  it('defaults to the merge base with the upstream branch', () => {
    const root = base();
    const origin = join(root, '..', `${root.split('/').pop()}-origin.git`);
    made.push(origin);
    git(root, 'init', '-q', '--bare', origin);
    git(root, 'remote', 'add', 'origin', origin);
    git(root, 'push', '-q', '-u', 'origin', 'master');
    const forkPoint = git(root, 'rev-parse', 'HEAD').trim();
    // upstream moves on (from another clone): its changes are not ours
    const other = join(root, '..', `${root.split('/').pop()}-other`);
    made.push(other);
    git(root, 'clone', '-q', origin, other);
    writeFileSync(join(other, 'c.nix'), 'c upstream\n');
    git(other, 'commit', '-q', '-am', 'upstream change');
    git(other, 'push', '-q', 'origin', 'master');
    git(root, 'fetch', '-q', 'origin');
    // local work: one commit and one uncommitted change
    writeFileSync(join(root, 'b.nix'), 'b local\n');
    git(root, 'commit', '-q', '-am', 'local');
    writeFileSync(join(root, 'a.nix'), 'a local\n');

    expect(changedFiles(root)).toEqual({
      base: forkPoint,
      baseDescription: `merge base with origin/master (${git(root, 'rev-parse', '--short', forkPoint).trim()})`,
      files: [join(root, 'a.nix'), join(root, 'b.nix')],
    });
  });

  it('takes every .nix file before the first commit', () => {
    const root = repo({ 'a.nix': 'a\n', 'x.txt': 'x\n', 'sub/b.nix': 'b\n' }, { commit: false });
    git(root, 'add', 'sub/b.nix');
    expect(changedFiles(root)).toEqual({
      base: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      baseDescription: 'the empty tree (no commits yet)',
      files: [join(root, 'a.nix'), join(root, 'sub/b.nix')],
    });
  });

  it('throws outside a repository', () => {
    const outside = join(tmpdir(), `nixshift-not-a-repo2-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    made.push(outside);
    expect(() => changedFiles(outside)).toThrow(/is not inside a git work tree/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('planCommits', () => {
  const root = '/repo';

  it('makes one commit per package and splits all-packages.nix across them', () => {
    const plans = planCommits(root, runFiles(root), OPTS);
    expect(plans.map((p) => p.title)).toEqual([
      `bar: ${CUDA}`,
      `foo: ${CUDA}`,
      `magma: ${CUDA}`,
      `python3Packages.torch: ${CUDA}, use addDriverRunpath`,
    ]);
    expect(plans.map((p) => p.attr)).toEqual(['bar', 'foo', 'magma', 'python3Packages.torch']);
    expect(plans.map((p) => p.body)).toEqual([
      `pkgs/top-level/all-packages.nix:13:3: info [cudatoolkit-to-redist/call-site] call site of bar changed, bar itself not migrated\n\n${FOOTER}`,
      FOOTER,
      [
        'pkgs/by-name/ma/magma/package.nix:11:3: info [cudatoolkit-to-redist/version] version checks left alone',
        'pkgs/by-name/ma/magma/package.nix:20:18: warning [cudatoolkit-to-redist/guessed-libraries] libraries chosen from evidence in the file: libcublas',
        '',
        FOOTER,
      ].join('\n'),
      FOOTER,
    ]);
    expect(plans.map((p) => p.files)).toEqual([
      [{ relPath: 'pkgs/top-level/all-packages.nix', content: AP_AFTER_BAR }],
      [
        { relPath: 'pkgs/development/libraries/foo/default.nix', content: FOO_OUT },
        { relPath: 'pkgs/top-level/all-packages.nix', content: AP_AFTER_FOO },
      ],
      [
        { relPath: 'pkgs/by-name/ma/magma/package.nix', content: MAGMA_OUT },
        { relPath: 'pkgs/top-level/all-packages.nix', content: ALL_PACKAGES_OUT },
      ],
      [
        { relPath: 'pkgs/development/python-modules/torch/default.nix', content: TORCH_OUT },
        { relPath: 'pkgs/top-level/python-packages.nix', content: PYTHON_PACKAGES_OUT },
      ],
    ]);
    expect(commitMessage(plans[0]!)).toBe(`bar: ${CUDA}\n\n${plans[0]!.body}\n`);
  });

  it('gives hunks outside any binding to a commit named after the shared file, and comments above a binding to the binding', () => {
    const original = ALL_PACKAGES;
    const output = ALL_PACKAGES.replace('# Top-level package set of this test tree.', '# Top-level package set (migrated).')
      .replace('  # GPU linear algebra, built against the CUDA toolkit\n', '  # GPU linear algebra, built against CUDA\n')
      .replace('  hello = callPackage', '  # says hello\n  hello = callPackage');
    const plans = planCommits(root, [{ absolute: '/repo/pkgs/top-level/all-packages.nix', original, output, findings: [], changedBy: ['x'] }], OPTS);
    expect(plans.map((p) => [p.title, p.files.map((f) => f.content)])).toEqual([
      ['hello: apply x', [original.replace('  hello = callPackage', '  # says hello\n  hello = callPackage')]],
      [
        'magma: apply x',
        [original.replace('  hello = callPackage', '  # says hello\n  hello = callPackage').replace('built against the CUDA toolkit', 'built against CUDA')],
      ],
      ['top-level: apply x', [output]],
    ]);
  });

  it('ends every shared file at its output byte for byte (CRLF, no final newline, added and removed bindings)', () => {
    const crlf = ALL_PACKAGES.replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    const variants: [string, string][] = [
      [crlf, crlf.replace('{\r\n    cudatoolkit = cudaPackages.cudatoolkit;\r\n  }', '{ }').replace(' cudatoolkit = cudaPackages.cudatoolkit; ', ' ')],
      [ALL_PACKAGES, ALL_PACKAGES.replace('  inherit (cudaPackages) cudatoolkit;\n\n', '').replace(/\n$/, '')],
      [ALL_PACKAGES, ALL_PACKAGES.replace('  hello =', '  added = callPackage ../by-name/ad/added/package.nix { };\n  hello =')],
      [ALL_PACKAGES, ALL_PACKAGES.replace(/cudatoolkit = cudaPackages\.cudatoolkit;/g, 'cudaPackages = cudaPackages_12;')],
      [ALL_PACKAGES, ALL_PACKAGES.replace(/\n\n/g, '\n').replace(/ = /g, '=')],
    ];
    for (const [original, output] of variants) {
      const files: RunChangedFile[] = [
        { absolute: '/repo/pkgs/top-level/all-packages.nix', original, output, findings: [], changedBy: ['x'] },
        { absolute: '/repo/pkgs/by-name/ma/magma/package.nix', original: MAGMA, output: MAGMA_OUT, findings: [], changedBy: ['x'] },
      ];
      const plans = planCommits(root, files, OPTS);
      const contents = plans.flatMap((p) => p.files.filter((f) => f.relPath === 'pkgs/top-level/all-packages.nix').map((f) => f.content));
      expect(contents.length).toBeGreaterThan(0);
      expect(contents[contents.length - 1]).toBe(output);
      expect(new Set(contents).size).toBe(contents.length); // each commit changes it
    }
  });

  it('skips unchanged files and refuses files outside the repository', () => {
    expect(planCommits(root, [{ absolute: '/repo/a/x.nix', original: 'x', output: 'x', findings: [], changedBy: [] }], OPTS)).toEqual([]);
    expect(() => planCommits(root, [{ absolute: '/elsewhere/x.nix', original: 'x', output: 'y', findings: [], changedBy: [] }], OPTS)).toThrow(
      '/elsewhere/x.nix is not inside the repository /repo',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('makeCommits', () => {
  /** The repository of the scenario with the run's outputs written to disk. */
  function scenario(): { root: string; files: RunChangedFile[] } {
    const root = repo(TREE);
    chmodSync(join(root, 'pkgs/development/python-modules/torch/default.nix'), 0o755);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'torch: executable (for the test)');
    const files = runFiles(root);
    for (const f of files) writeFileSync(f.absolute, f.output);
    return { root, files };
  }

  it('commits each package with its share of the shared files, leaving a clean tree', () => {
    const { root, files } = scenario();
    const plans = planCommits(root, files, OPTS);
    const commits = makeCommits(root, plans, GIT_TEST_ENV);

    expect(commits.map((c) => [c.title, c.files])).toEqual([
      [`bar: ${CUDA}`, ['pkgs/top-level/all-packages.nix']],
      [`foo: ${CUDA}`, ['pkgs/development/libraries/foo/default.nix', 'pkgs/top-level/all-packages.nix']],
      [`magma: ${CUDA}`, ['pkgs/by-name/ma/magma/package.nix', 'pkgs/top-level/all-packages.nix']],
      [`python3Packages.torch: ${CUDA}, use addDriverRunpath`, ['pkgs/development/python-modules/torch/default.nix', 'pkgs/top-level/python-packages.nix']],
    ]);
    expect(git(root, 'log', '--format=%s').trim().split('\n')).toEqual([
      `python3Packages.torch: ${CUDA}, use addDriverRunpath`,
      `magma: ${CUDA}`,
      `foo: ${CUDA}`,
      `bar: ${CUDA}`,
      'torch: executable (for the test)',
      'init',
    ]);
    for (const c of commits) {
      expect(git(root, 'rev-parse', c.sha).trim()).toBe(c.sha);
      expect(git(root, 'show', '--name-only', '--format=', c.sha).trim().split('\n')).toEqual(c.files);
    }
    const show = (sha: string, path: string): string => git(root, 'show', `${sha}:${path}`);
    const ap = 'pkgs/top-level/all-packages.nix';
    expect(commits.slice(0, 3).map((c) => show(c.sha, ap))).toEqual([AP_AFTER_BAR, AP_AFTER_FOO, ALL_PACKAGES_OUT]);
    expect(show(commits[1]!.sha, 'pkgs/development/libraries/foo/default.nix')).toBe(FOO_OUT); // CRLF, no final newline
    expect(show(commits[3]!.sha, 'pkgs/top-level/python-packages.nix')).toBe(PYTHON_PACKAGES_OUT);
    expect(git(root, 'log', '-1', '--format=%B', commits[2]!.sha)).toBe(
      [
        `magma: ${CUDA}`,
        '',
        'pkgs/by-name/ma/magma/package.nix:11:3: info [cudatoolkit-to-redist/version] version checks left alone',
        'pkgs/by-name/ma/magma/package.nix:20:18: warning [cudatoolkit-to-redist/guessed-libraries] libraries chosen from evidence in the file: libcublas',
        '',
        FOOTER,
        '', // the message ends with a newline
        '', // and git log adds one
      ].join('\n'),
    );
    expect(git(root, 'ls-tree', 'HEAD', 'pkgs/development/python-modules/torch/default.nix').split(' ')[0]).toBe('100755');
    expect(git(root, 'ls-tree', 'HEAD', 'pkgs/by-name/ma/magma/package.nix').split(' ')[0]).toBe('100644');
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(git(root, 'diff-files', '--name-only')).toBe(''); // index stat data refreshed
    expect(readFileSync(join(root, 'pkgs/development/libraries/foo/default.nix'), 'utf8')).toBe(FOO_OUT);
  });

  it('runs hooks; a failing commit names itself and git stderr, keeps earlier commits and unstages its files', () => {
    const { root, files } = scenario();
    const hook = join(root, '.git', 'hooks', 'commit-msg');
    writeFileSync(hook, '#!/bin/sh\nif head -n1 "$1" | grep -q "^foo:"; then echo "commit-msg: foo is frozen" >&2; exit 1; fi\nexit 0\n');
    chmodSync(hook, 0o755);
    const plans = planCommits(root, files, OPTS);
    let error: unknown;
    try {
      makeCommits(root, plans, GIT_TEST_ENV);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommitError);
    const err = error as CommitError;
    expect(err.message).toBe(`commit 2 of 4 ("foo: ${CUDA}") failed: git commit: commit-msg: foo is frozen; the 1 earlier commit is kept`);
    expect(err.index).toBe(1);
    expect(err.committed.map((c) => c.title)).toEqual([`bar: ${CUDA}`]);
    expect(git(root, 'log', '--format=%s').trim().split('\n')[0]).toBe(`bar: ${CUDA}`);
    expect(git(root, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(root, 'show', `HEAD:pkgs/top-level/all-packages.nix`)).toBe(AP_AFTER_BAR);
  });

  it('stores what git add would store when the repository converts line endings', () => {
    const root = repo({ '.gitattributes': '*.nix text eol=crlf\n', 'pkgs/by-name/ma/magma/package.nix': MAGMA });
    const crlfOut = MAGMA_OUT.replace(/\n/g, '\r\n');
    writeFileSync(join(root, 'pkgs/by-name/ma/magma/package.nix'), crlfOut);
    const plans = planCommits(
      root,
      [{ absolute: join(root, 'pkgs/by-name/ma/magma/package.nix'), original: MAGMA.replace(/\n/g, '\r\n'), output: crlfOut, findings: [], changedBy: ['x'] }],
      OPTS,
    );
    makeCommits(root, plans, GIT_TEST_ENV);
    expect(git(root, 'show', 'HEAD:pkgs/by-name/ma/magma/package.nix')).toBe(MAGMA_OUT);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('refuses a folder that is not the top of the repository', () => {
    const root = repo({ 'pkgs/a.nix': '1\n' });
    expect(() => makeCommits(join(root, 'pkgs'), [], GIT_TEST_ENV)).toThrow(/is not the top folder of its git repository/);
  });

  it('commits only what the run changed: unrelated untracked files stay untracked', () => {
    const root = repo(TREE);
    writeFileSync(join(root, 'scratch2.nix'), 'scratch\n');
    const files = runFiles(root).filter((f) => f.absolute.endsWith('magma/package.nix'));
    for (const f of files) writeFileSync(f.absolute, f.output);
    makeCommits(root, planCommits(root, files, OPTS), GIT_TEST_ENV);
    expect(git(root, 'status', '--porcelain')).toBe('?? scratch2.nix\n');
    expect(git(root, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe('pkgs/by-name/ma/magma/package.nix');
  });
});
