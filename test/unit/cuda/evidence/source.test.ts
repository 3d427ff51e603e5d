/**
 * The source-tree evidence source: scanSource over the fixture trees (exact items), the comment
 * strippers, the place classifier, the rules of the build systems the fixtures do not cover, and
 * archives (tar.gz, tar.xz, tar.bz2, zip give what the folder gives; errors name the path and
 * the reason; the unpacked cache is reused).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialize } from '../../../../src/cuda/evidence/archive.js';
import { stripComments } from '../../../../src/cuda/evidence/source-comments.js';
import { placeOf } from '../../../../src/cuda/evidence/source-places.js';
import { languageOf, type Language } from '../../../../src/cuda/evidence/source-rules.js';
import { scanSource, scanText } from '../../../../src/cuda/evidence/source.js';
import type { EvidenceItem, EvidenceKind, EvidencePlace } from '../../../../src/cuda/evidence/types.js';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'cudatoolkit-to-redist');
const fixture = (name: string): string => join(FIXTURES, `${name}.source`);

/** An expected item, compactly: place, kind, package, `file:line`, text. */
type Row = [EvidencePlace, EvidenceKind, string, string, string];
const items = (rows: Row[]): EvidenceItem[] =>
  rows.map(([place, kind, pkg, at, text]) => {
    const colon = at.lastIndexOf(':');
    return { pkg, kind, file: at.slice(0, colon), line: Number(at.slice(colon + 1)), text, place };
  });

let tmp: string;
let savedCache: string | undefined;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nixshift-source-'));
  savedCache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = join(tmp, 'cache');
});

afterAll(() => {
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  rmSync(tmp, { recursive: true, force: true });
});

const EXPECTED: Record<string, { files: number; prebuilt: boolean; rows: Row[] }> = {
  // the vendored Makefile is not read: a CMake project
  'cmake-cublas': {
    files: 8,
    prebuilt: false,
    rows: [
      ['main', 'compiles-cuda', 'cuda_nvcc', 'CMakeLists.txt:2', 'project(fastgemm VERSION 0.3.1 LANGUAGES CXX CUDA)'],
      ['main', 'cmake', 'cuda_cudart', 'CMakeLists.txt:17', 'CUDA::cudart'],
      ['main', 'cmake', 'libcublas', 'CMakeLists.txt:18', 'CUDA::cublas'],
      ['main', 'cmake', 'libcublas', 'cmake/CudaLibs.cmake:3', 'CUDA_CUBLAS_LIBRARIES'],
      ['main', 'cmake', 'libcusparse', 'cmake/CudaLibs.cmake:3', 'CUDA_cusparse_LIBRARY'],
      ['main', 'include', 'cuda_cudart', 'src/api.cpp:3', '#include <cuda_runtime_api.h>'],
      ['main', 'compiles-cuda', 'cuda_nvcc', 'src/gemm.cu:1', 'gemm.cu'],
      ['main', 'include', 'libcublas', 'src/gemm.cu:4', '#include <cublas_v2.h>'],
      ['main', 'include', 'cuda_cudart', 'src/gemm.cu:5', '#include <cuda_runtime.h>'],
      ['main', 'include', 'cuda_cccl', 'src/gemm.cu:6', '#include <thrust/device_vector.h>'],
      ['main', 'include', 'cuda_cccl', 'src/gemm.cu:7', '#include <thrust/fill.h>'],
      ['tests', 'cmake', 'libcurand', 'tests/CMakeLists.txt:2', 'CUDA::curand'],
      ['tests', 'compiles-cuda', 'cuda_nvcc', 'tests/test_gemm.cu:1', 'test_gemm.cu'],
      ['tests', 'include', 'cuda_cudart', 'tests/test_gemm.cu:2', '#include <cuda_runtime.h>'],
      ['tests', 'include', 'libcurand', 'tests/test_gemm.cu:3', '#include <curand.h>'],
    ],
  },
  'autotools-cufft': {
    files: 6,
    prebuilt: false,
    rows: [
      ['main', 'include', 'cuda_cudart', 'configure.ac:12', 'AC_CHECK_HEADERS([cuda_runtime.h cufft.h], [], [AC_MSG_ERROR'],
      ['main', 'include', 'libcufft', 'configure.ac:12', 'AC_CHECK_HEADERS([cuda_runtime.h cufft.h], [], [AC_MSG_ERROR'],
      ['main', 'link-flag', 'cuda_cudart', 'configure.ac:13', 'AC_CHECK_LIB([cudart], [cudaMalloc]'],
      ['main', 'link-flag', 'libcufft', 'configure.ac:14', 'AC_CHECK_LIB([cufft], [cufftPlan1d]'],
      ['main', 'link-flag', 'libcufft', 'src/Makefile.am:4', '-lcufft'],
      ['main', 'link-flag', 'cuda_cudart', 'src/Makefile.am:4', '-lcudart'],
      ['main', 'include', 'cuda_cudart', 'src/spectrum.c:3', '#include <cuda_runtime.h>'],
      ['main', 'include', 'libcufft', 'src/spectrum.c:4', '#include <cufft.h>'],
    ],
  },
  'python-dlopen-nvrtc': {
    files: 4,
    prebuilt: false,
    rows: [
      ['main', 'runtime-load', 'cuda_nvrtc', 'jitkern/_jit.py:12', 'ctypes.CDLL("libnvrtc.so.12")'],
      ['main', 'runtime-load', 'cuda_cudart', 'jitkern/_jit.py:22', 'ctypes.util.find_library("cudart")'],
      ['main', 'runtime-load', 'cuda_nvrtc', 'pyproject.toml:14', 'nvidia-cuda-nvrtc-cu12'],
      ['tests', 'runtime-load', 'cuda_cudart', 'tests/test_jit.py:10', 'ctypes.CDLL("libcudart.so.12")'],
    ],
  },
  bazel: {
    files: 7,
    prebuilt: false,
    rows: [
      ['main', 'link-flag', 'cudnn', 'BUILD:8', '@local_config_cuda//cuda:cudnn'],
      ['main', 'link-flag', 'libcublas', 'BUILD:11', '-lcublasLt'],
      ['main', 'link-flag', 'cuda_cudart', 'cuda.bzl:7', 'CUDA_LIBS = ["cudart", "cublas"]'],
      ['main', 'link-flag', 'libcublas', 'cuda.bzl:7', 'CUDA_LIBS = ["cudart", "cublas"]'],
      ['main', 'link-flag', 'cuda_cudart', 'cuda.bzl:29', '@local_config_cuda//cuda:cuda_headers'],
      ['main', 'compiles-cuda', 'cuda_nvcc', 'kernels/BUILD:3', 'cuda_library('],
      ['main', 'link-flag', 'libcublas', 'kernels/BUILD:7', '@local_config_cuda//cuda:cublas'],
      ['main', 'compiles-cuda', 'cuda_nvcc', 'kernels/reduce.cu.cc:1', 'reduce.cu.cc'],
      ['main', 'include', 'libcublas', 'kernels/reduce.cu.cc:2', '#include <cublas_v2.h>'],
      ['main', 'include', 'cuda_cccl', 'kernels/reduce.cu.cc:3', '#include <cub/block/block_reduce.cuh>'],
      ['main', 'include', 'cuda_cudart', 'kernels/reduce.cu.cc:4', '#include <cuda_runtime.h>'],
      ['vendored', 'link-flag', 'nccl', 'third_party/nccl_comm/BUILD:6', '@local_config_nccl//:nccl'],
      ['vendored', 'include', 'cuda_cudart', 'third_party/nccl_comm/comm.cc:2', '#include <cuda_runtime.h>'],
      ['vendored', 'include', 'nccl', 'third_party/nccl_comm/comm.cc:3', '#include <nccl.h>'],
    ],
  },
  'prebuilt-bin': {
    files: 3,
    prebuilt: true,
    rows: [['main', 'runtime-load', 'libcusparse', 'fastsparse/_loader.py:11', '"libcusparse.so.12"']],
  },
  'tests-only-curand': {
    files: 7,
    prebuilt: false,
    rows: [
      ['main', 'compiles-cuda', 'cuda_nvcc', 'CMakeLists.txt:2', 'project(cgsolve LANGUAGES CXX CUDA)'],
      ['main', 'cmake', 'libcublas', 'CMakeLists.txt:8', 'CUDA::cublas'],
      ['benchmarks', 'cmake', 'libcurand', 'benchmarks/CMakeLists.txt:2', 'target_link_libraries(bench_solver PRIVATE cgsolve curand)'],
      ['benchmarks', 'compiles-cuda', 'cuda_nvcc', 'benchmarks/bench_solver.cu:1', 'bench_solver.cu'],
      ['benchmarks', 'include', 'libcurand', 'benchmarks/bench_solver.cu:2', '#include <curand_kernel.h>'],
      ['main', 'compiles-cuda', 'cuda_nvcc', 'src/solver.cu:1', 'solver.cu'],
      ['main', 'include', 'cuda_cudart', 'src/solver.cu:3', '#include <cuda_runtime.h>'],
      ['main', 'include', 'libcublas', 'src/solver.hpp:3', '#include <cublas_v2.h>'],
      ['tests', 'cmake', 'libcurand', 'test/CMakeLists.txt:2', 'CUDA::curand'],
      ['tests', 'compiles-cuda', 'cuda_nvcc', 'test/solver_test.cu:1', 'solver_test.cu'],
      ['tests', 'include', 'libcurand', 'test/solver_test.cu:2', '#include <curand.h>'],
    ],
  },
};

describe('scanSource over the fixture trees', () => {
  for (const [name, want] of Object.entries(EXPECTED)) {
    it(name, () => {
      const ev = scanSource(fixture(name));
      expect(ev.origin).toBe('source');
      expect(ev.root).toBe(fixture(name));
      expect(ev.items).toEqual(items(want.rows));
      expect(ev.files).toBe(want.files);
      expect(ev.prebuilt).toBe(want.prebuilt);
    });
  }

  it('returns a copy from its cache: the same evidence, not the same objects', () => {
    const a = scanSource(fixture('cmake-cublas'));
    a.items[0]!.pkg = 'changed';
    const b = scanSource(fixture('cmake-cublas'));
    expect(b.items[0]!.pkg).toBe('cuda_nvcc');
  });

  it('throws naming the path when it is missing', () => {
    const missing = join(tmp, 'no-such-source');
    expect(() => scanSource(missing)).toThrow(`nixshift: cannot read source ${missing}: no such file or folder`);
  });
});

describe('the walk', () => {
  it('skips VCS folders, build output, symlinks, binary and huge files', () => {
    const root = join(tmp, 'walk');
    const put = (rel: string, text: string | Buffer): void => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    put('src/a.c', '#include <cufft.h>\n');
    put('.git/hooks/x.c', '#include <curand.h>\n');
    put('node_modules/m/x.c', '#include <curand.h>\n');
    put('out/CMakeCache.txt', 'CMAKE_CUDA_COMPILER:FILEPATH=/usr/bin/nvcc\n');
    put('out/gen.c', '#include <curand.h>\n');
    put('bin.c', Buffer.concat([Buffer.from('#include <curand.h>\n'), Buffer.from([0])]));
    put('big.c', `#include <curand.h>\n${' '.repeat(2 * 1024 * 1024)}`);
    symlinkSync(join(root, 'src'), join(root, 'linked'));
    const ev = scanSource(root);
    expect(ev.items).toEqual(items([['main', 'include', 'libcufft', 'src/a.c:1', '#include <cufft.h>']]));
    expect(ev.files).toBe(1);
    expect(ev.prebuilt).toBe(false);
  });

  it("does not count a project's own header as CUDA's", () => {
    const root = join(tmp, 'own-header');
    mkdirSync(join(root, 'src', 'gpu'), { recursive: true });
    mkdirSync(join(root, 'include'), { recursive: true });
    writeFileSync(join(root, 'include', 'cuda.h'), '/* the project driver-API shim */\n');
    writeFileSync(join(root, 'src', 'gpu', 'x.c'), '#include "cuda.h"\n#include <cudaGL.h>\n');
    expect(scanSource(root).items).toEqual(items([['main', 'include', 'cuda_cudart', 'src/gpu/x.c:2', '#include <cudaGL.h>']]));
  });

  it('reads the folders .gitmodules names as vendored, and no make file in a CMake project', () => {
    const root = join(tmp, 'submodules');
    const put = (rel: string, text: string): void => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    put('.gitmodules', '[submodule "cub"]\n\tpath = lib/include/cub/\n\turl = https://example.org/cub.git\n');
    put('CMakeLists.txt', 'target_link_libraries(x CUDA::cublas)\n');
    put('lib/include/cub/util.cuh', '#include <cufft.h>\n');
    put('lib/include/cub/common.mk', 'LIBS += -lnppc\n');
    put('tools/Makefile', 'LDLIBS = -lcurand\n');
    expect(scanSource(root).items).toEqual(
      items([
        ['main', 'cmake', 'libcublas', 'CMakeLists.txt:1', 'CUDA::cublas'],
        ['vendored', 'include', 'libcufft', 'lib/include/cub/util.cuh:1', '#include <cufft.h>'],
      ]),
    );
  });

  it('calls a tree with a wheel or .so files and no compilable source prebuilt', () => {
    const root = join(tmp, 'wheel');
    mkdirSync(join(root, 'include'), { recursive: true });
    writeFileSync(join(root, 'include', 'api.h'), '#include <cuda_runtime.h>\n');
    writeFileSync(join(root, 'pkg-1.0-cp311-linux_x86_64.whl'), 'PK');
    expect(scanSource(root).prebuilt).toBe(true);
  });
});

describe('stripComments', () => {
  const same = (text: string, stripped: string): void => {
    expect(stripped).toHaveLength(text.length);
    expect(stripped.split('\n').length).toBe(text.split('\n').length);
  };

  it('C: line and block comments, keeping strings, raw strings, char literals and digit separators', () => {
    const text = [
      'a = "http://x//y"; // #include <cufft.h>',
      "b = '/'; /* #include <curand.h>",
      '*/ c = R"d(// kept)d"; int k = 1\'000; // gone',
      '// continued \\',
      'still a comment',
    ].join('\n');
    const out = stripComments(text, 'c');
    same(text, out);
    expect(out.split('\n').map((l) => l.trimEnd())).toEqual([
      'a = "http://x//y";',
      "b = '/';",
      '   c = R"d(// kept)d"; int k = 1\'000;',
      '',
      '',
    ]);
  });

  it('Python: # comments and docstrings, not strings that are assigned or contain #', () => {
    const text = ['"""Doc: ctypes.CDLL("libcufft.so")."""', 'x = "#not" # gone', 'y = """', 'kept', '"""', "def f():", "    r'''doc'''  # too"].join('\n');
    const out = stripComments(text, 'python-doc');
    same(text, out);
    expect(out.split('\n').map((l) => l.trimEnd())).toEqual(['', 'x = "#not"', 'y = """', 'kept', '"""', 'def f():', '']);
    expect(stripComments(text, 'python').split('\n')[0]).toBe('"""Doc: ctypes.CDLL("libcufft.so")."""');
  });

  it('CMake: # and bracket comments, not quoted # or bracket arguments', () => {
    const text = ['#[[ CUDA::cufft', ']] set(A "#x") # CUDA::curand', '#[==[ x ]] ]==] set(B [[#y]])'].join('\n');
    const out = stripComments(text, 'cmake');
    same(text, out);
    expect(out.split('\n').map((l) => l.trim())).toEqual(['', 'set(A "#x")', 'set(B [[#y]])']);
  });

  it('make, shell and m4', () => {
    expect(stripComments('LIBS = -lcudart # -lcufft\nX = a\\#b', 'make')).toBe('LIBS = -lcudart          \nX = a\\#b');
    expect(stripComments('echo "#x" $# # -lcufft', 'shell')).toBe('echo "#x" $#'.padEnd(22));
    expect(stripComments('dnl -lcufft\nAC_CHECK_LIB([m]) # -lcurand\nAC_X([a#b])', 'm4')).toBe('           \nAC_CHECK_LIB([m])           \nAC_X([a#b])');
  });
});

describe('placeOf', () => {
  it.each([
    ['src/kernels/gemm.cu', 'main'],
    ['tests/test_gemm.cu', 'tests'],
    ['Testing/x.c', 'tests'],
    ['src/foo_test.cc', 'tests'],
    ['python/test_ops.py', 'tests'],
    ['conftest.py', 'tests'],
    ['examples/cublas/main.cu', 'examples'],
    ['samples/a.cu', 'examples'],
    ['bench/x.cu', 'benchmarks'],
    ['benchmarks/x.cu', 'benchmarks'],
    ['src/perf/counters.cc', 'main'],
    ['docs/conf.py', 'docs'],
    ['third_party/nccl/src/init.cc', 'vendored'],
    ['external/cub/cub.cuh', 'vendored'],
    ['subprojects/fmt/x.cc', 'vendored'],
    ['contrib/extra/x.cc', 'vendored'],
    ['third_party/nccl/tests/x.cc', 'tests'],
    ['tests/third_party/x.cc', 'tests'],
    ['third_party/lib/foo_test.cc', 'tests'],
    ['dependencies/cutlass/include/x.h', 'vendored'],
  ] as const)('%s is %s', (path, place) => {
    expect(placeOf(path)).toBe(place);
  });

  it('a folder .gitmodules names is vendored, whatever it is called', () => {
    expect(placeOf('cupy/_core/include/cupy/cub/common.mk', ['cupy/_core/include/cupy/cub'])).toBe('vendored');
    expect(placeOf('cupy/_core/include/cupy/cub.h', ['cupy/_core/include/cupy/cub'])).toBe('main');
  });
});

describe('rules of other build systems', () => {
  const hits = (language: Language, text: string): string[] => scanText(text, language).map((h) => `${h.kind} ${h.pkg} ${h.text.trim()}`);

  it('knows files by name', () => {
    expect(['CMakeLists.txt', 'x.cmake', 'Makefile.am', 'configure.ac', 'meson.build', 'BUILD.bazel', 'setup.py', 'k.cu.cc', 'k.cuh', 'config.h.in', 'README.md'].map(languageOf)).toEqual([
      'cmake', 'cmake', 'make', 'autotools', 'meson', 'bazel', 'setup-py', 'cuda', 'cuda', 'c', undefined,
    ]);
  });

  it('meson', () => {
    const text = "project('fx', 'cpp', 'cuda')\n# dependency('cuda', modules: ['curand'])\ndep = dependency('cuda', modules: ['cublas', 'nvidia-ml'])\nnpp = cc.find_library('nppc')\n";
    expect(hits('meson', text)).toEqual([
      "compiles-cuda cuda_nvcc project('fx', 'cpp', 'cuda')",
      "link-flag cuda_cudart dependency('cuda'",
      "link-flag libcublas dep = dependency('cuda', modules: ['cublas', 'nvidia-ml'])",
      "link-flag cuda_nvml_dev dep = dependency('cuda', modules: ['cublas', 'nvidia-ml'])",
      "link-flag libnpp find_library('nppc'",
    ]);
  });

  it('make: link flags (the driver as its stub, no OpenCL) and nvcc in a rule', () => {
    const text = 'NVCC ?= nvcc\nLIBS = -lcuda -lnvidia-ml -lOpenCL # -lcurand\n%.o: %.cu\n\t$(NVCC) -c $<\n';
    expect(hits('make', text)).toEqual([
      'link-flag cuda_cudart -lcuda',
      'link-flag cuda_nvml_dev -lnvidia-ml',
      'compiles-cuda cuda_nvcc %.cu',
      'compiles-cuda cuda_nvcc $(NVCC)',
    ]);
  });

  it('CMake: FindCUDA variables, find_library names, bare link names, driver and nvml targets', () => {
    const text = [
      'find_library(CUBLAS_LIB NAMES cublas HINTS /usr/local/cuda)',
      'target_link_libraries(app ${CUDA_LIBRARIES} ${CUDA_CUFFT_LIBRARIES} cudnn Threads::Threads)',
      'target_link_libraries(app CUDA::cuda_driver CUDA::nvml CUDA::cusparse_static)',
      'cuda_add_executable(app main.cu)',
    ].join('\n');
    expect(hits('cmake', text)).toEqual([
      'cmake libcublas find_library(CUBLAS_LIB NAMES cublas HINTS /usr/local/cuda)',
      'cmake cuda_cudart CUDA_LIBRARIES',
      'cmake libcufft CUDA_CUFFT_LIBRARIES',
      'cmake cudnn target_link_libraries(app ${CUDA_LIBRARIES} ${CUDA_CUFFT_LIBRARIES} cudnn Threads::Threads)',
      'cmake cuda_cudart CUDA::cuda_driver',
      'cmake cuda_nvml_dev CUDA::nvml',
      'cmake libcusparse CUDA::cusparse_static',
      'compiles-cuda cuda_nvcc cuda_add_executable(',
    ]);
  });

  it('setup.py, C dlopen of the driver, Cython externs', () => {
    expect(hits('setup-py', 'Extension("x", ["x.c"], libraries=["cublas", "m"])\nrequires = ["nvidia-cudnn-cu12"]\n')).toEqual([
      'link-flag libcublas Extension("x", ["x.c"], libraries=["cublas", "m"])',
      'runtime-load cudnn nvidia-cudnn-cu12',
    ]);
    expect(hits('c', 'h = dlopen("libcuda.so.1", RTLD_NOW);\ng = dlopen("libcublasLt.so.12", RTLD_NOW);\n')).toEqual([
      'runtime-load libcublas dlopen("libcublasLt.so.12", RTLD_NOW)',
      'runtime-load libcublas "libcublasLt.so.12"',
    ]);
    expect(hits('cython', 'cdef extern from "cusolverDn.h":\n    pass\n')).toEqual(['include libcusolver cdef extern from "cusolverDn.h"']);
  });

  it('headers: libcu++, cudnn_frontend, CUTLASS, project headers under a folder', () => {
    const text = ['<cuda/std/atomic>', '<cuda/barrier>', '"cuda/helpers.h"', '<cudnn_frontend.h>', '<cutlass/gemm/gemm.h>', '"mylib/cublas_wrapper.h"', '"third_party/gpus/cuda/include/cublas_v2.h"']
      .map((h) => `#include ${h}`)
      .join('\n');
    expect(hits('c', text)).toEqual([
      'include cuda_cccl #include <cuda/std/atomic>',
      'include cuda_cccl #include <cuda/barrier>',
      'include libcublas #include "third_party/gpus/cuda/include/cublas_v2.h"',
    ]);
  });
});

describe('archives', () => {
  const tree = 'cmake-cublas';
  const folderItems = (): EvidenceItem[] => scanSource(fixture(tree)).items;
  const tar = (flag: string, file: string): string => {
    const out = join(tmp, file);
    const r = spawnSync('tar', [flag, out, '-C', FIXTURES, `${tree}.source`]);
    expect(r.status, String(r.stderr)).toBe(0);
    return out;
  };

  it.each([
    ['-czf', 'src.tar.gz'],
    ['-cJf', 'src.tar.xz'],
    ['-cjf', 'src.tar.bz2'],
    ['-cf', 'src.tar'],
  ])('tar %s: the same items as the folder', (flag, file) => {
    const archive = tar(flag, file);
    const ev = scanSource(archive);
    expect(ev.root).toBe(archive);
    expect(ev.items).toEqual(folderItems());
  });

  it('zip: the same items as the folder', () => {
    const zip = new AdmZip();
    zip.addLocalFolder(fixture(tree), `${tree}.source`);
    const archive = join(tmp, 'src.zip');
    zip.writeZip(archive);
    expect(scanSource(archive).items).toEqual(folderItems());
  });

  it('an archive without a single top folder is scanned from its unpack folder', () => {
    const archive = join(tmp, 'flat.tar.gz');
    expect(spawnSync('tar', ['-czf', archive, '-C', fixture(tree), 'CMakeLists.txt', 'src']).status).toBe(0);
    const dir = materialize(archive);
    expect(readdirSync(dir).sort()).toEqual(['CMakeLists.txt', 'src']);
    expect(scanSource(archive).items.map((i) => i.file)).toContain('src/gemm.cu');
  });

  it('is unpacked once: the second materialize reuses the cache folder', () => {
    const archive = tar('-czf', 'once.tar.gz');
    const first = materialize(archive);
    expect(first.startsWith(join(tmp, 'cache', 'nixshift', 'unpacked'))).toBe(true);
    const marker = join(first, 'marker-left-by-the-test');
    writeFileSync(marker, '');
    const before = statSync(dirname(first)).mtimeMs;
    expect(materialize(archive)).toBe(first);
    expect(existsSync(marker)).toBe(true);
    expect(statSync(dirname(first)).mtimeMs).toBe(before);
  });

  it('a folder is its own folder to scan', () => {
    expect(materialize(fixture(tree))).toBe(fixture(tree));
  });

  it.each([
    ['corrupt.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 7)]), /tar failed/],
    ['corrupt.zip', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 7)]), /corrupt or unsupported zip archive/],
    ['notes.txt', Buffer.from('just text\n'), /not an archive/],
  ])('%s: an error naming the path and the reason, and no cache folder', (name, bytes, reason) => {
    const file = join(tmp, name);
    writeFileSync(file, bytes);
    const cacheRoot = join(tmp, 'cache', 'nixshift', 'unpacked');
    const before = existsSync(cacheRoot) ? readdirSync(cacheRoot).length : 0;
    expect(() => scanSource(file)).toThrow(`nixshift: cannot read source ${file}: `);
    expect(() => materialize(file)).toThrow(reason);
    expect(existsSync(cacheRoot) ? readdirSync(cacheRoot).length : 0).toBe(before);
  });
});
