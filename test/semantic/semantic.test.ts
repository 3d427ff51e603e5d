/**
 * Semantic checks of cudatoolkit-to-redist: evaluate fixture inputs and outputs with
 * `nix-instantiate --eval --strict` against stub package sets (stubs.nix: derivation builders
 * return their arguments, packages are attrsets with one attrset per output) and compare the
 * input lists — names and outputs — with what a maintainer would write by hand.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_CI, NIX_INSTANTIATE, warnMissingNix } from '../helpers/nix.js';
import { ROOT } from '../helpers/tree.js';
import { evaluate, type Lists } from './evaluate.js';

const fixture = (c: string, kind: 'input' | 'output'): string => join(ROOT, 'fixtures/cudatoolkit-to-redist', `${c}.${kind}.nix`);

const BASE = ['cuda_cudart', 'cuda_cccl'];
const FULL = [...BASE, 'libcublas', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'libnpp', 'cuda_nvrtc', 'cuda_nvtx', 'cuda_cupti', 'cuda_nvml_dev', 'cuda_profiler_api'];

const CASES: Record<string, Partial<Lists> & { strings?: string[] }> = {
  'cmake-library': { nativeBuildInputs: ['cmake', 'gfortran', 'cuda_nvcc'], buildInputs: ['blas', 'lapack', ...BASE, 'libcublas', 'libcusparse'] },
  'python-torch-like': {
    nativeBuildInputs: ['cuda_nvcc'],
    buildInputs: [...BASE, 'libcublas', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'cuda_cupti', 'cudnn', 'nccl'],
  },
  // header-only packages are never propagated: cuda_cccl goes to buildInputs
  'opencv-like': { nativeBuildInputs: ['cmake', 'pkg-config', 'cuda_nvcc'], buildInputs: ['zlib', 'cuda_cccl'], propagatedBuildInputs: ['cuda_cudart', 'libcublas', 'libcufft', 'libnpp'] },
  'cupy-like': {
    nativeBuildInputs: ['cython', 'addDriverRunpath', 'cuda_nvcc'],
    buildInputs: [...BASE, 'libcublas', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'cuda_nvrtc', 'cuda_profiler_api'],
    propagatedBuildInputs: ['fastrlock'],
  },
  autotools: { nativeBuildInputs: ['perl', 'cuda_nvcc'], buildInputs: FULL },
  'cc-stdenv': { nativeBuildInputs: ['cmake', 'cuda_nvcc'], buildInputs: [...BASE, 'libcurand'] },
  'versioned-formal': { nativeBuildInputs: ['cuda_nvcc'], buildInputs: [...BASE, 'libcublas', 'cudnn'] },
  'with-cudapackages': { nativeBuildInputs: ['ninja', 'cuda_nvcc'], buildInputs: [...BASE, 'libcublas', 'cudnn', 'nccl'] },
  'null-default': { nativeBuildInputs: ['cuda_nvcc'], buildInputs: [...BASE, 'cuda_nvrtc'] },
  'pkgs-flake': { nativeBuildInputs: ['cmake', 'cuda_nvcc'], buildInputs: [...BASE, 'libcufft'] },
  'cuda-libs-option': { nativeBuildInputs: ['cmake', 'cuda_nvcc'], buildInputs: [...BASE, 'libcublas', 'libcusparse'] },
  'explicit-style': {
    nativeBuildInputs: ['cmake', 'cuda_nvcc'],
    buildInputs: ['cuda_cudart.dev', 'cuda_cudart.lib', 'cuda_cudart.static', 'cuda_cccl.dev', 'libcublas.dev', 'libcublas.lib'],
  },
  'let-alias': { nativeBuildInputs: ['cuda_nvcc'], buildInputs: [...BASE, 'cuda_nvrtc'] },
  'xgboost-like': { nativeBuildInputs: ['cmake', 'autoAddDriverRunpath', 'cuda_nvcc'], buildInputs: BASE },
  'both-formals': { nativeBuildInputs: ['cuda_nvcc'], buildInputs: [...BASE, 'libcufft', 'cudnn'] },
  crlf: { nativeBuildInputs: ['cuda_nvcc'], buildInputs: [...BASE, 'libcurand'] },
  'runtime-rpath': {
    nativeBuildInputs: ['autoPatchelfHook', 'makeWrapper'],
    buildInputs: [],
    strings: ['postFixup'],
    postFixup:
      'patchelf --add-rpath /nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib $out/lib/libinfer.so\n' +
      'wrapProgram $out/bin/infer --prefix LD_LIBRARY_PATH : /nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib\n',
  },
  // decided from the package's source tree (<case>.source/)
  'cmake-cublas': { nativeBuildInputs: ['cmake', 'ninja', 'cuda_nvcc'], buildInputs: ['cuda_cudart', 'cuda_cccl', 'libcublas'] },
  'autotools-cufft': { nativeBuildInputs: ['autoreconfHook', 'pkg-config'], buildInputs: ['fftw', 'cuda_cudart', 'libcufft'], strings: ['configureFlags'], configureFlags: ['--with-cuda=/nix/store/cuda_cudart-dev'] },
  'python-dlopen-nvrtc': { buildInputs: ['cuda_cudart', 'cuda_nvrtc'] },
  bazel: { nativeBuildInputs: ['python3', 'cuda_nvcc'], buildInputs: ['cuda_cudart', 'cuda_cccl', 'libcublas', 'cudnn', 'nccl'], strings: ['TF_CUDA_PATHS'], TF_CUDA_PATHS: '/nix/store/join-cuda-joined,/nix/store/cudnn,/nix/store/nccl' },
  // a library the wheel loads at run time goes on autoPatchelfHook's runtime path, lib output only
  'prebuilt-bin': { nativeBuildInputs: ['autoPatchelfHook'], buildInputs: ['gcc.lib', 'libcusparse'], strings: ['runtimeDependencies'], runtimeDependencies: ['/nix/store/libcusparse-lib'] },
  'tests-only-curand': { nativeBuildInputs: ['cmake', 'cuda_nvcc'], buildInputs: ['cuda_cudart', 'cuda_cccl', 'libcublas'] },
  'bazel-jaxlib-like': {
    strings: ['buildAttrs.postInstall', 'preConfigure'],
    'buildAttrs.postInstall':
      '# the CUDA plugin dlopens the libraries at run time\n' +
      'patchelf --set-rpath "/nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib:/nix/store/libcusolver-lib/lib:/nix/store/cudnn/lib" $out/lib/libxla_cuda.so\n',
  },
};

describe('cudatoolkit-to-redist: evaluated input lists (nix-instantiate --eval --strict, stub packages)', () => {
  it('has nix-instantiate (required under CI)', () => {
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`${Object.keys(CASES).length} semantic cases`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
    }
  });

  it.skipIf(!NIX_INSTANTIATE).each(Object.keys(CASES))('%s', (c) => {
    const { strings = [], ...expected } = CASES[c]!;
    const before = evaluate(fixture(c, 'input'), strings);
    const after = evaluate(fixture(c, 'output'), strings);
    // the input really used the legacy toolkit, and the output does not, anywhere
    expect(JSON.stringify(before)).toContain('cudatoolkit');
    expect(JSON.stringify(after)).not.toContain('cudatoolkit');
    expect(after).toMatchObject(expected);
    // runtime strings never point at a join or a non-lib output
    for (const s of strings.filter((x) => /post(Install|Fixup)/.test(x))) {
      expect(after[s]).not.toMatch(/cuda-joined/);
      for (const p of String(after[s]).match(/\/nix\/store\/[^/:"\s]+/g) ?? []) expect(p).toMatch(/-lib$|\/cudnn$/);
    }
  });
});
