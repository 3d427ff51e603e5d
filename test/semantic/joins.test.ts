/**
 * Semantic checks of symlinkjoin-to-propagated: evaluate fixture inputs and outputs against stub
 * package sets. A join evaluates to `/nix/store/join-<name>`, so a runtime string that still
 * mentions a join is caught; dependency lists must hold the join's members.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_CI, NIX_INSTANTIATE, warnMissingNix } from '../helpers/nix.js';
import { ROOT } from '../helpers/tree.js';
import { evaluate, type Lists } from './evaluate.js';

const RUNTIME = ['postFixup', 'buildAttrs.postInstall', 'runtimeDependencies'];

const CASES: Record<string, { expected: Partial<Lists>; strings?: string[]; runtime?: string[] }> = {
  // the joins nixpkgs and its users write today (issue: symlinkjoin-to-propagated, never silent)
  'cupy-computed': {
    strings: ['env.CUDA_PATH'],
    expected: {
      nativeBuildInputs: ['cuda_nvcc'],
      buildInputs: ['cuda_cccl', 'cuda_cudart', 'cuda_nvrtc', 'libcublas', 'libcufft', 'libcurand'],
      'env.CUDA_PATH': '/nix/store/join-cudatoolkit-joined-12.4',
    },
  },
  'tensorflow-bin-rpath': {
    expected: {
      postFixup:
        'find $out -name \'*.so\' -exec patchelf --set-rpath "/nix/store/gcc-lib/lib:/nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib:/nix/store/libcurand-lib/lib:/nix/store/libcusolver-lib/lib:/nix/store/libcusparse-lib/lib:/nix/store/cudnn-lib/lib:$out/lib" {} \\;\n',
    },
  },
  'bitsandbytes-substitute': {
    runtime: ['postPatch'],
    expected: {
      postPatch: 'substituteInPlace bitsandbytes/cuda_specs.py \\\n  --replace-fail "/usr/local/cuda/lib64" "/nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcusparse-lib/lib"\n',
    },
  },
  'jaxlib-pair': {
    runtime: ['postFixup'],
    strings: ['preConfigure'],
    expected: {
      postFixup:
        'patchelf --add-rpath "/nix/store/cuda_cudart-lib/lib:/nix/store/cuda_cupti-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib:/nix/store/libcusolver-lib/lib:/nix/store/libcusparse-lib/lib:/nix/store/cudnn-lib/lib:/nix/store/nccl-lib/lib" $out/lib/*.so\n',
      preConfigure: 'export TF_CUDA_PATHS="/nix/store/join-cuda-build-deps-joined"\n',
    },
  },
  'join-listed-twice': {
    expected: { nativeBuildInputs: ['cuda_nvcc'], buildInputs: ['cuda_cudart', 'libcublas'], runtimeDependencies: ['/nix/store/libcublas-lib', '/nix/store/libcufft-lib'] },
  },
  'jaxlib-like': {
    expected: {
      'buildAttrs.postInstall':
        'for lib in $out/lib/*.so; do\n  patchelf --add-rpath "/nix/store/cuda_cudart-lib/lib:/nix/store/cuda_cupti-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/libcufft-lib/lib:/nix/store/libcusolver-lib/lib:/nix/store/cudnn-lib/lib:/nix/store/nccl-lib/lib" "$lib"\ndone\n',
    },
  },
  'torch-like': { expected: { nativeBuildInputs: ['cmake', 'cuda_nvcc'], buildInputs: ['cuda_cudart', 'libcublas', 'nccl'] } },
  'cupy-like': {
    strings: ['CUDA_PATH'],
    expected: { nativeBuildInputs: ['cuda_nvcc'], buildInputs: ['cuda_cccl', 'cuda_cudart', 'libcublas', 'libcurand'], propagatedBuildInputs: ['fastrlock'], CUDA_PATH: '/nix/store/join-cuda-joined' },
  },
  wrapper: { expected: { postFixup: 'wrapProgram $out/bin/gpu-tool --prefix LD_LIBRARY_PATH : /nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib\n' } },
  nested: { expected: { runtimeDependencies: ['/nix/store/libcublas-lib', '/nix/store/libcufft-lib', '/nix/store/cuda_cudart-lib'] } },
  'passthru-export': {
    strings: ['passthru.cudaEnv.propagatedBuildInputs'],
    expected: { buildInputs: ['cuda_cudart', 'libcusparse'], 'passthru.cudaEnv.propagatedBuildInputs': ['/nix/store/cuda_cudart', '/nix/store/libcusparse'] },
  },
  mixed: { expected: { postFixup: 'patchelf --set-rpath /nix/store/cuda_cudart-lib/lib:/nix/store/zlib-lib/lib:/nix/store/openssl-lib/lib $out/bin/mixed\n' } },
  'makelibrarypath-binding': {
    expected: { nativeBuildInputs: ['cuda_nvcc'], postFixup: 'patchelf --set-rpath "/nix/store/gcc-lib/lib:/nix/store/cuda_cudart-lib/lib:/nix/store/libcurand-lib/lib" $out/bin/rpath-user\n' },
  },
  'compose-legacy': {
    expected: {
      nativeBuildInputs: ['cuda_nvcc'],
      buildInputs: ['cuda_cudart', 'cuda_cccl', 'libcublas', 'cudnn'],
      postFixup: 'patchelf --set-rpath /nix/store/cuda_cudart-lib/lib:/nix/store/libcublas-lib/lib:/nix/store/cudnn-lib/lib $out/bin/legacy\n',
    },
  },
};

const file = (c: string, kind: string): string => join(ROOT, 'fixtures/symlinkjoin-to-propagated', `${c}.${kind}.nix`);

describe('symlinkjoin-to-propagated: no join on a runtime path, members in the dependency lists', () => {
  it('has nix-instantiate (required under CI)', () => {
    if (!NIX_INSTANTIATE) {
      warnMissingNix(`${Object.keys(CASES).length} semantic cases`);
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
    }
  });

  it.skipIf(!NIX_INSTANTIATE).each(Object.keys(CASES))('%s', (c) => {
    const { expected, strings = [], runtime: extra = [] } = CASES[c]!;
    const RUNTIME_HERE = [...RUNTIME, ...extra];
    const attrs = [...new Set([...RUNTIME_HERE, ...strings])];
    const before = evaluate(file(c, 'input'), attrs);
    const after = evaluate(file(c, 'output'), attrs);
    expect(after).toMatchObject(expected);
    const runtime = (x: Lists): string => JSON.stringify(RUNTIME_HERE.map((k) => x[k] ?? null));
    // the input did use a join (or the legacy toolkit) somewhere the output does not
    expect(JSON.stringify(before)).not.toBe(JSON.stringify(after));
    if (RUNTIME_HERE.some((k) => k in expected)) expect(runtime(before)).toMatch(/\/nix\/store\/join-|cudatoolkit/);
    expect(runtime(after)).not.toMatch(/\/nix\/store\/join-|cudatoolkit/);
    for (const p of runtime(after).match(/\/nix\/store\/[^/:"\s\\]+/g) ?? []) expect(p).toMatch(/-lib$|-lib"?$/);
  });
});
