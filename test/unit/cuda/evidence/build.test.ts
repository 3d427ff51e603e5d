/**
 * Tests of the "old build" evidence source: the ELF reader against real objects built with `cc`
 * at test time (64-bit, and 32-bit when the compiler can target it) and against ELF files
 * written byte by byte here (the only way to get big-endian files without a cross toolchain),
 * the folder walk (symlinks, loops, FIFOs, garbage), and the soname → package table.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanBuild } from '../../../../src/cuda/evidence/build.js';
import { ElfFormatError, readNeeded } from '../../../../src/cuda/evidence/elf.js';
import { libraryBaseName, packageOfLibrary } from '../../../../src/cuda/evidence/libraries.js';
import type { EvidenceItem } from '../../../../src/cuda/evidence/types.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nixshift-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `cc`; false when it fails (no compiler, or no support for the flags). */
function cc(args: string[], cwd: string): boolean {
  try {
    execFileSync('cc', args, { cwd, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `cc` can build shared objects for the given extra flags (probed once, in a scratch folder). */
function canBuild(flags: string[]): boolean {
  const dir = mkdtempSync(path.join(tmp, 'probe-'));
  writeFileSync(path.join(dir, 'p.c'), 'int p(void) { return 0; }\n');
  return cc([...flags, '-shared', '-fPIC', '-nostdlib', '-o', 'p.so', 'p.c'], dir);
}

const hasCc = canBuild([]);
const hasCc32 = hasCc && canBuild(['-m32']);

/** Builds a stub library `soname` in `dir` exporting one function named after it. */
function stub(dir: string, soname: string, flags: string[] = []): void {
  const fn = `f_${soname.replace(/[^A-Za-z0-9]/g, '_')}`;
  writeFileSync(path.join(dir, `${soname}.c`), `int ${fn}(void) { return 1; }\n`);
  if (!cc([...flags, '-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', soname, `${soname}.c`], dir)) {
    throw new Error(`cc failed to build ${soname}`);
  }
}

/** Links `out` (a program, or a shared object with `-shared`) against the named libraries of `libDir`. */
function link(dir: string, out: string, libs: string[], libDir: string, flags: string[] = []): void {
  mkdirSync(path.dirname(path.join(dir, out)), { recursive: true });
  const src = path.join(dir, `${path.basename(out)}.c`);
  writeFileSync(src, 'int main(void) { return 0; }\nint g(void) { return 2; }\n');
  const args = [...flags, src, `-L${libDir}`, '-Wl,--no-as-needed', ...libs.map((l) => `-l:${l}`), '-o', out];
  if (!cc(args, dir)) throw new Error(`cc failed to link ${out}`);
}

function item(file: string, soname: string, pkg: string): EvidenceItem {
  return { pkg, kind: 'needed', file, line: 0, text: `DT_NEEDED ${soname}`, place: 'main' };
}

/** The sonames `readNeeded` reads from a file on disk. */
function neededOfFile(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    return readNeeded(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

interface SynthOptions {
  is64: boolean;
  le: boolean;
  needed: string[];
  /** Program headers (PT_LOAD + PT_DYNAMIC); without them only section headers lead to the names. */
  segments?: boolean;
  sections?: boolean;
  /** Put DT_STRTAB at an address no PT_LOAD covers (forces the section fallback). */
  strtabOutsideLoad?: boolean;
}

/**
 * A minimal ELF shared object written field by field from the ELF specification: header,
 * optional program headers, `.dynstr`, `.dynamic`, `.shstrtab` and optional section headers.
 */
function synthElf(o: SynthOptions): Buffer {
  const { is64, le } = o;
  const segments = o.segments ?? true;
  const sections = o.sections ?? true;
  const word = is64 ? 8 : 4;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const base = 0x10000;
  const align = (n: number): number => Math.ceil(n / 8) * 8;

  const names = ['', ...o.needed];
  const strOffsets: number[] = [];
  let dynstr = '';
  for (const n of names) {
    strOffsets.push(Buffer.byteLength(dynstr));
    dynstr += `${n}\0`;
  }
  const shstr = '\0.dynstr\0.dynamic\0.shstrtab\0';
  const phoff = segments ? ehsize : 0;
  const strOff = align(ehsize + (segments ? 2 * phentsize : 0));
  const dynOff = align(strOff + Buffer.byteLength(dynstr));
  const dynEntries: Array<[number, number]> = [
    ...o.needed.map((_, i): [number, number] => [1, strOffsets[i + 1]]),
    [5, (o.strtabOutsideLoad ? 0x7000000 : base) + strOff],
    [10, Buffer.byteLength(dynstr)],
    [0, 0],
  ];
  const dynSize = dynEntries.length * 2 * word;
  const shstrOff = dynOff + dynSize;
  const shoff = sections ? align(shstrOff + shstr.length) : 0;
  const size = sections ? shoff + 4 * shentsize : shstrOff + shstr.length;
  const b = Buffer.alloc(size);

  const put = (at: number, bytes: number, v: number): void => {
    if (bytes === 8) (le ? b.writeBigUInt64LE : b.writeBigUInt64BE).call(b, BigInt(v), at);
    else if (bytes === 4) (le ? b.writeUInt32LE : b.writeUInt32BE).call(b, v, at);
    else (le ? b.writeUInt16LE : b.writeUInt16BE).call(b, v, at);
  };

  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  put(16, 2, 3); // ET_DYN
  put(18, 2, le ? (is64 ? 62 : 3) : is64 ? 21 : 20); // x86-64 / i386 / PPC64 / PPC
  put(20, 4, 1);
  put(is64 ? 32 : 28, word, phoff);
  put(is64 ? 40 : 32, word, shoff);
  put(is64 ? 52 : 40, 2, ehsize);
  put(is64 ? 54 : 42, 2, phentsize);
  put(is64 ? 56 : 44, 2, segments ? 2 : 0);
  put(is64 ? 58 : 46, 2, shentsize);
  put(is64 ? 60 : 48, 2, sections ? 4 : 0);
  put(is64 ? 62 : 50, 2, sections ? 3 : 0);

  const phdr = (at: number, type: number, offset: number, vaddr: number, filesz: number): void => {
    put(at, 4, type);
    if (is64) {
      put(at + 4, 4, 4);
      [offset, vaddr, vaddr, filesz, filesz, 8].forEach((v, i) => put(at + 8 + i * 8, 8, v));
    } else {
      [offset, vaddr, vaddr, filesz, filesz, 4, 8].forEach((v, i) => put(at + 4 + i * 4, 4, v));
    }
  };
  if (segments) {
    phdr(ehsize, 1, 0, base, size);
    phdr(ehsize + phentsize, 2, dynOff, base + dynOff, dynSize);
  }

  b.write(dynstr, strOff, 'utf8');
  dynEntries.forEach(([tag, val], i) => {
    put(dynOff + i * 2 * word, word, tag);
    put(dynOff + i * 2 * word + word, word, val);
  });
  b.write(shstr, shstrOff, 'latin1');

  const shdr = (i: number, name: number, type: number, offset: number, sz: number, link: number): void => {
    const at = shoff + i * shentsize;
    put(at, 4, name);
    put(at + 4, 4, type);
    put(at + (is64 ? 24 : 16), word, offset);
    put(at + (is64 ? 32 : 20), word, sz);
    put(at + (is64 ? 40 : 24), 4, link);
  };
  if (sections) {
    shdr(1, 1, 3, strOff, Buffer.byteLength(dynstr), 0);
    shdr(2, 9, 6, dynOff, dynSize, 1);
    shdr(3, 18, 3, shstrOff, shstr.length, 0);
  }
  return b;
}

describe('libraryBaseName / packageOfLibrary', () => {
  it.each([
    ['libcublas.so.12', 'cublas', 'libcublas'],
    ['libcublasLt.so.12', 'cublasLt', 'libcublas'],
    ['libcudart.so.11.0', 'cudart', 'cuda_cudart'],
    ['libcudart.so.12.1.105', 'cudart', 'cuda_cudart'],
    ['libnvrtc-builtins.so.12.4', 'nvrtc-builtins', 'cuda_nvrtc'],
    ['libnvrtc.alt.so.12', 'nvrtc', 'cuda_nvrtc'],
    ['libnvrtc-builtins.alt.so.12.4', 'nvrtc-builtins', 'cuda_nvrtc'],
    ['libnvvm.so.4', 'nvvm', 'cuda_nvcc'],
    ['libcudnn_ops.so.9', 'cudnn_ops', 'cudnn'],
    ['libcudnn_engines_runtime_compiled.so.9', 'cudnn_engines_runtime_compiled', 'cudnn'],
    ['libcudnn_cnn_infer.so.8', 'cudnn_cnn_infer', 'cudnn'],
    ['libnccl.so.2', 'nccl', 'nccl'],
    ['libcufft.so.11', 'cufft', 'libcufft'],
    ['libfoo.so', 'foo', undefined],
    ['libcuda.so.1', 'cuda', undefined],
  ])('%s → %s → %s', (name, base, pkg) => {
    expect(libraryBaseName(name)).toBe(base);
    expect(packageOfLibrary(name)).toBe(pkg);
  });

  it('maps every cuDNN 8 and 9 sub-library to cudnn', () => {
    const subs = ['ops', 'cnn', 'adv', 'graph', 'engines_precompiled', 'engines_runtime_compiled', 'heuristic'];
    const subs8 = ['ops_infer', 'ops_train', 'cnn_infer', 'cnn_train', 'adv_infer', 'adv_train'];
    const pkgs = [...subs, ...subs8].map((s) => packageOfLibrary(`libcudnn_${s}.so.9`));
    expect(pkgs).toEqual(Array(subs.length + subs8.length).fill('cudnn'));
  });
});

describe('readNeeded on hand-written ELF files', () => {
  const variants = [
    { name: 'ELF64 little-endian', is64: true, le: true },
    { name: 'ELF64 big-endian', is64: true, le: false },
    { name: 'ELF32 little-endian', is64: false, le: true },
    { name: 'ELF32 big-endian', is64: false, le: false },
  ];
  const needed = ['libcublas.so.12', 'libc.so.6', 'libnvrtc-builtins.so.12.4'];

  function neededOf(bytes: Buffer, name: string): string[] {
    const file = path.join(tmp, `synth-${name.replace(/\W+/g, '-')}`);
    writeFileSync(file, bytes);
    return neededOfFile(file);
  }

  describe.each(variants)('$name', ({ name, is64, le }) => {
    it('reads DT_NEEDED through PT_DYNAMIC and DT_STRTAB', () => {
      expect(neededOf(synthElf({ is64, le, needed, sections: false }), `${name}-seg`)).toEqual(needed);
    });

    it('reads DT_NEEDED through the section headers when there are no program headers', () => {
      expect(neededOf(synthElf({ is64, le, needed, segments: false }), `${name}-sec`)).toEqual(needed);
    });

    it('falls back to the section headers when DT_STRTAB maps to no segment', () => {
      expect(neededOf(synthElf({ is64, le, needed, strtabOutsideLoad: true }), `${name}-out`)).toEqual(needed);
    });

    it('returns [] for an ELF file without a dynamic section', () => {
      expect(neededOf(synthElf({ is64, le, needed: [], segments: false, sections: false }), `${name}-static`)).toEqual([]);
    });
  });

  it('throws ElfFormatError on truncated and corrupt files', () => {
    const good = synthElf({ is64: true, le: true, needed, sections: false });
    const corrupt = (mutate: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      mutate(b);
      return b;
    };
    const cases: Record<string, Buffer> = {
      'magic only': Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
      'bad class': corrupt((b) => (b[4] = 7)),
      'truncated in the dynamic section': good.subarray(0, good.length - 40),
      'program headers past the end': corrupt((b) => b.writeBigUInt64LE(BigInt(good.length), 32)),
      'huge program header count': corrupt((b) => b.writeUInt16LE(0xffff, 56)),
      'tiny program header entries': corrupt((b) => b.writeUInt16LE(4, 54)),
      'offset beyond 2^53': corrupt((b) => b.writeBigUInt64LE(1n << 60n, 32)),
      'string running to the end of the file': corrupt((b) => {
        // Point the first DT_NEEDED (tag 1, value 1) at the file's last byte, and make it no NUL.
        const entry = Buffer.alloc(16);
        entry.writeBigUInt64LE(1n, 0);
        entry.writeBigUInt64LE(1n, 8);
        const strtab = b.indexOf('libcublas') - 1;
        b.writeBigUInt64LE(BigInt(b.length - 1 - strtab), b.indexOf(entry) + 8);
        b[b.length - 1] = 0x41;
      }),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      expect(() => neededOf(bytes, `bad-${name}`), name).toThrow(ElfFormatError);
    }
  });
});

describe('readNeeded on objects built by cc', () => {
  it.skipIf(!hasCc32)('reads a 32-bit shared object', () => {
    const dir = mkdtempSync(path.join(tmp, 'm32-'));
    stub(dir, 'libcublas.so.12', ['-m32', '-nostdlib']);
    stub(dir, 'libcudart.so.11.0', ['-m32', '-nostdlib']);
    link(dir, 'libuse.so', ['libcublas.so.12', 'libcudart.so.11.0'], dir, ['-m32', '-nostdlib', '-shared', '-fPIC']);
    expect(readFileSync(path.join(dir, 'libuse.so'))[4]).toBe(1); // ELFCLASS32
    expect(neededOfFile(path.join(dir, 'libuse.so'))).toEqual(['libcublas.so.12', 'libcudart.so.11.0']);
    expect(scanBuild(dir).items).toEqual([
      item('libuse.so', 'libcublas.so.12', 'libcublas'),
      item('libuse.so', 'libcudart.so.11.0', 'cuda_cudart'),
    ]);
  });
});

describe.skipIf(!hasCc)('scanBuild over a built tree', () => {
  let out = '';
  let stubs = '';

  beforeAll(() => {
    stubs = path.join(tmp, 'stubs');
    out = path.join(tmp, 'out');
    const elsewhere = path.join(tmp, 'elsewhere');
    for (const d of [stubs, out, elsewhere]) mkdirSync(d, { recursive: true });
    for (const s of ['libcublas.so.12', 'libcudart.so.11.0', 'libnvrtc.so.12', 'libcuda.so.1', 'libnvidia-ml.so.1', 'libfoo.so.1', 'libcudnn_ops.so.9', 'libcufft.so.11']) {
      stub(stubs, s);
    }
    link(out, 'bin/app', ['libcublas.so.12', 'libcudart.so.11.0', 'libcuda.so.1', 'libfoo.so.1'], stubs);
    link(out, 'lib/libplugin.so', ['libnvrtc.so.12', 'libcublas.so.12', 'libcudart.so.11.0'], stubs, ['-shared', '-fPIC']);
    link(out, 'lib/deep/nested/libnested.so', ['libcudnn_ops.so.9', 'libnvidia-ml.so.1'], stubs, ['-shared', '-fPIC']);
    link(elsewhere, 'libouter.so', ['libcufft.so.11'], stubs, ['-shared', '-fPIC']);
    rmSync(path.join(out, 'libplugin.so.c'));
    rmSync(path.join(out, 'libnested.so.c'));
    rmSync(path.join(out, 'app.c'));

    mkdirSync(path.join(out, 'share/doc'), { recursive: true });
    writeFileSync(path.join(out, 'share/doc/README'), 'links libcublas.so.12, but this is text\n');
    writeFileSync(path.join(out, 'lib/garbage.so'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(500, 0xff)]));
    writeFileSync(path.join(out, 'lib/truncated.so'), readFileSync(path.join(out, 'lib/libplugin.so')).subarray(0, 100));
    writeFileSync(path.join(out, 'lib/empty'), '');
    symlinkSync('libplugin.so', path.join(out, 'lib/libplugin.so.1'));
    symlinkSync('../../elsewhere/libouter.so', path.join(out, 'lib/libouter.so'));
    symlinkSync('../../elsewhere', path.join(out, 'share/linked-dir'));
    symlinkSync('..', path.join(out, 'lib/loop'));
    symlinkSync('nowhere', path.join(out, 'lib/dangling'));
    execFileSync('mkfifo', [path.join(out, 'lib/fifo')]);
    symlinkSync('fifo', path.join(out, 'lib/fifo-link'));
    symlinkSync(out, path.join(tmp, 'result'));
  });

  const expectedItems = (): EvidenceItem[] => [
    item('bin/app', 'libcublas.so.12', 'libcublas'),
    item('bin/app', 'libcudart.so.11.0', 'cuda_cudart'),
    item('lib/deep/nested/libnested.so', 'libcudnn_ops.so.9', 'cudnn'),
    item('lib/libouter.so', 'libcufft.so.11', 'libcufft'),
    item('lib/libplugin.so', 'libcublas.so.12', 'libcublas'),
    item('lib/libplugin.so', 'libcudart.so.11.0', 'cuda_cudart'),
    item('lib/libplugin.so', 'libnvrtc.so.12', 'cuda_nvrtc'),
  ];

  it('maps DT_NEEDED to packages, driver libraries apart, skipping junk and symlink loops', () => {
    const ev = scanBuild(out);
    expect(ev.items).toEqual(expectedItems());
    expect(ev.driverLibs).toEqual(['libcuda.so.1', 'libnvidia-ml.so.1']);
    // bin/app, libplugin.so, libnested.so, garbage.so, truncated.so, empty, README, and libouter.so via its link.
    expect(ev.files).toBe(8);
    expect(ev.origin).toBe('build');
    expect(ev.root).toBe(out);
  });

  it('scans through a root that is a symlink (./result) and reports the root as given', () => {
    const root = path.join(tmp, 'result');
    const ev = scanBuild(root);
    expect(ev.items).toEqual(expectedItems());
    expect(ev.root).toBe(root);
  });

  it('scans a single file, reported under its own name', () => {
    const ev = scanBuild(path.join(out, 'bin/app'));
    expect(ev.items).toEqual([item('app', 'libcublas.so.12', 'libcublas'), item('app', 'libcudart.so.11.0', 'cuda_cudart')]);
    expect(ev.driverLibs).toEqual(['libcuda.so.1']);
    expect(ev.files).toBe(1);
  });

  it('throws when the root does not exist', () => {
    expect(() => scanBuild(path.join(tmp, 'missing'))).toThrow();
  });
});

describe('scanBuild on hand-written files', () => {
  it('deduplicates per file and soname, and handles big-endian files', () => {
    const dir = mkdtempSync(path.join(tmp, 'dedup-'));
    const needed = ['libnccl.so.2', 'libcublasLt.so.12', 'libnccl.so.2', 'libcuda.so.1', 'libcuda.so.1'];
    writeFileSync(path.join(dir, 'be64.so'), synthElf({ is64: true, le: false, needed }));
    writeFileSync(path.join(dir, 'be32'), synthElf({ is64: false, le: false, needed: ['libnvvm.so.4'] }));
    const ev = scanBuild(dir);
    expect(ev.items).toEqual([
      item('be32', 'libnvvm.so.4', 'cuda_nvcc'),
      item('be64.so', 'libcublasLt.so.12', 'libcublas'),
      item('be64.so', 'libnccl.so.2', 'nccl'),
    ]);
    expect(ev.driverLibs).toEqual(['libcuda.so.1']);
    expect(ev.files).toBe(2);
  });
});
