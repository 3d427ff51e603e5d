import { describe, expect, it } from 'vitest';
import { decide } from '../../../../src/cuda/evidence/decide.js';
import type { EvidenceItem, EvidencePlace, TreeEvidence } from '../../../../src/cuda/evidence/types.js';

const item = (pkg: string, kind: EvidenceItem['kind'], file: string, line: number, text: string, place: EvidencePlace = 'main'): EvidenceItem => ({ pkg, kind, file, line, text, place });
const tree = (...items: EvidenceItem[]): TreeEvidence => ({ origin: 'source', root: '/src', items, files: items.length });

describe('decide', () => {
  it('without evidence keeps every toolkit library and asks to prune (fallback)', () => {
    const d = decide({ nix: [], trees: [] });
    expect(d.basis).toBe('fallback');
    expect(d.compileLibs).toEqual(['cuda_cudart', 'cuda_cccl', 'libcublas', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'libnpp', 'cuda_nvrtc', 'cuda_nvtx', 'cuda_cupti', 'cuda_nvml_dev', 'cuda_profiler_api']);
    expect(d.tools).toEqual(['cuda_nvcc']);
  });

  it('a prebuilt package without evidence gets neither nvcc nor cccl', () => {
    const d = decide({ nix: [], trees: [], prebuilt: 'a wheel' });
    expect(d.tools).toEqual([]);
    expect(d.compileLibs).not.toContain('cuda_cccl');
    expect(d.compileLibs[0]).toBe('cuda_cudart');
  });

  it('from the .nix text: the libraries it names, with the runtime and headers', () => {
    const d = decide({ nix: [item('libcufft', 'nix', '', 12, 'CUFFT')], trees: [] });
    expect(d.basis).toBe('nix');
    expect(d.compileLibs).toEqual(['cuda_cudart', 'cuda_cccl', 'libcufft']);
    expect(d.runtimeLibs).toEqual(['cuda_cudart', 'libcufft']);
    expect(d.why.get('libcufft')).toBe('"CUFFT" at line 12');
  });

  it('from a source tree that compiles CUDA and links cuBLAS: nvcc, cudart, cublas; cccl only with its headers', () => {
    const d = decide({
      nix: [],
      trees: [tree(item('cuda_nvcc', 'compiles-cuda', 'src/k.cu', 1, 'k.cu'), item('libcublas', 'cmake', 'CMakeLists.txt', 9, 'CUDA::cublas'), item('libcurand', 'include', 'tests/t.cu', 2, '#include <curand.h>', 'tests'))],
    });
    expect(d.basis).toBe('trees');
    expect(d.compileLibs).toEqual(['cuda_cudart', 'libcublas']);
    expect(d.tools).toEqual(['cuda_nvcc']);
    expect(d.why.get('libcublas')).toBe('CMakeLists.txt:9 `CUDA::cublas`');
    expect(d.why.get('cuda_nvcc')).toBe('compiles CUDA code: src/k.cu:1 `k.cu`');
    expect(d.outside.map((i) => i.pkg)).toEqual(['libcurand']);
    expect(d.notShown).toEqual(['cuda_cccl', 'libcufft', 'libcurand', 'libcusolver', 'libcusparse', 'libnpp', 'cuda_nvrtc', 'cuda_nvtx', 'cuda_cupti', 'cuda_nvml_dev', 'cuda_profiler_api']);
  });

  it('a library only loaded at run time is on the runtime list; no compiler for a package that compiles nothing', () => {
    const d = decide({ nix: [], trees: [tree(item('cuda_nvrtc', 'runtime-load', 'pkg/jit.py', 4, 'ctypes.CDLL("libnvrtc.so.12")'))] });
    expect(d.compileLibs).toEqual(['cuda_nvrtc']);
    expect(d.loadedAtRunTime).toEqual(['cuda_nvrtc']);
    expect(d.tools).toEqual([]);
  });

  it('the old build decides too; packages outside the toolkit are named, not added', () => {
    const build: TreeEvidence = { origin: 'build', root: '/nix/store/x', files: 3, items: [item('libcufft', 'needed', 'lib/libx.so', 0, 'DT_NEEDED libcufft.so.11'), item('cudnn', 'needed', 'lib/libx.so', 0, 'DT_NEEDED libcudnn.so.9')], driverLibs: ['libcuda.so.1'] };
    const d = decide({ nix: [], trees: [build] });
    expect(d.compileLibs).toEqual(['cuda_cudart', 'libcufft']);
    expect(d.why.get('libcufft')).toBe('lib/libx.so `DT_NEEDED libcufft.so.11`');
    expect(d.beyondToolkit).toEqual(['cudnn']);
  });

  it('-o cuda-libs wins over every evidence', () => {
    const d = decide({ nix: [item('libcufft', 'nix', '', 1, 'cufft')], trees: [tree(item('libcublas', 'include', 'a.c', 1, '#include <cublas_v2.h>'))], forced: ['libcurand'] });
    expect(d.basis).toBe('forced');
    expect(d.compileLibs).toEqual(['cuda_cudart', 'cuda_cccl', 'libcurand']);
  });

  it('evidence only in tests keeps the decision on the .nix file', () => {
    const d = decide({ nix: [], trees: [tree(item('libcurand', 'include', 'test/a.cu', 1, '#include <curand.h>', 'tests'))] });
    expect(d.basis).toBe('fallback');
  });

  it('a library only named in build files, while the code includes other CUDA headers, is dead configuration: not kept, named', () => {
    const d = decide({
      nix: [],
      trees: [tree(item('libcusparse', 'cmake', 'cmake/cuda.cmake', 8, 'CUDA_cusparse_LIBRARY'), item('libcublas', 'cmake', 'CMakeLists.txt', 3, 'CUDA::cublas'), item('libcublas', 'include', 'src/a.cu', 2, '#include <cublas_v2.h>'))],
    });
    expect(d.compileLibs).toEqual(['cuda_cudart', 'cuda_cccl', 'libcublas']);
    expect(d.buildOnly.map((i) => `${i.pkg} ${i.file}:${i.line}`)).toEqual(['libcusparse cmake/cuda.cmake:8']);
    expect(d.why.get('cuda_cccl')).toBe('`<nv/target>` for src/a.cu:2 `#include <cublas_v2.h>`');
  });

  it('build files decide alone when no code names any CUDA header (a Fortran code linking cuBLAS)', () => {
    const d = decide({ nix: [], trees: [tree(item('libcublas', 'link-flag', 'Makefile', 4, '-lcublas'))] });
    expect(d.compileLibs).toEqual(['cuda_cudart', 'libcublas']);
    expect(d.buildOnly).toEqual([]);
  });
});

describe('prebuiltHint', () => {
  it('knows a prebuilt package by autoPatchelfHook, a wheel source, dontBuild or a -bin name, and not by a wheel the build makes', async () => {
    const { prebuiltHint } = await import('../../../../src/cuda/evidence/nix-text.js');
    expect(prebuiltHint('{ nativeBuildInputs = [ autoPatchelfHook ]; }', 'pkgs/x/default.nix')).toBe('`autoPatchelfHook` (it patches binaries it did not build)');
    expect(prebuiltHint('{ format = "wheel"; }', 'x.nix')).toBe('a wheel');
    expect(prebuiltHint('{ src = fetchurl { url = "https://e.org/x-1.0-cp312-manylinux.whl"; }; }', 'x.nix')).toBe('a wheel');
    expect(prebuiltHint('{ dontBuild = true; }', 'x.nix')).toBe('`dontBuild = true`');
    expect(prebuiltHint('{ pname = "foo-bin"; }', 'x.nix')).toBe('a `-bin` package (`foo-bin`)');
    expect(prebuiltHint('{ }', 'pkgs/by-name/fo/foo-bin/package.nix')).toBe('a `-bin` package (`foo-bin`)');
    expect(prebuiltHint("{ postBuild = ''\n  python -m build --wheel\n  python -m installer dist/*.whl\n''; }", 'x.nix')).toBeUndefined();
  });
});
