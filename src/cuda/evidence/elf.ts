/**
 * A minimal ELF reader: the `DT_NEEDED` sonames of one ELF file (ELF32 and ELF64, little and big
 * endian). It exists because the npm ELF parsers either read the whole file into memory (CUDA
 * libraries are hundreds of megabytes), do not decode the dynamic section, or handle only
 * 64-bit little-endian files. It reads only what it needs, at offsets: the file header, the
 * program headers (`PT_DYNAMIC`, and the `PT_LOAD`s to map `DT_STRTAB` to a file offset), the
 * dynamic entries and the few strings they name. Files without program headers, or whose
 * `DT_STRTAB` maps to no segment, fall back to the section headers (`SHT_DYNAMIC` and the string
 * table it links to). Anything inconsistent throws `ElfFormatError`.
 */
import { readSync } from 'node:fs';

/** The file is not a well-formed ELF file (or does not look like one). */
export class ElfFormatError extends Error {}

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const SHT_DYNAMIC = 6;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
/** A soname longer than this is no soname: it guards against a string table without NULs. */
const MAX_NAME = 4096;
/** More dynamic entries than this means a corrupt size field, not a real file. */
const MAX_DYN_ENTRIES = 1 << 16;

/** Reads integers of one file in its class and byte order, failing on anything out of bounds. */
class ElfFile {
  constructor(
    readonly fd: number,
    readonly size: number,
    readonly is64: boolean,
    readonly le: boolean,
  ) {}

  /** `length` bytes at `offset`, or an error when the file is shorter. */
  bytes(offset: number, length: number): Buffer {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new ElfFormatError(`read of ${length} bytes at ${offset} is outside the file`);
    }
    const buf = Buffer.alloc(length);
    if (length > 0 && readSync(this.fd, buf, 0, length, offset) !== length) {
      throw new ElfFormatError(`short read at ${offset}`);
    }
    return buf;
  }

  u16(b: Buffer, at: number): number {
    return this.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }

  u32(b: Buffer, at: number): number {
    return this.le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }

  /**
   * A dynamic entry's tag. Only small tags matter here; any tag outside 32 bits (a 64-bit tag
   * with its high half set, or a negative one) comes back as -1 rather than a lossy number.
   */
  tag(b: Buffer, at: number): number {
    if (!this.is64) return this.u32(b, at);
    const high = this.u32(b, this.le ? at + 4 : at);
    return high === 0 ? this.u32(b, this.le ? at : at + 4) : -1;
  }

  /** An address-sized field (4 or 8 bytes); values past 2^53 cannot be file offsets, so they fail. */
  word(b: Buffer, at: number): number {
    if (!this.is64) return this.u32(b, at);
    const v = this.le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`value ${v} is too large`);
    return Number(v);
  }
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
}

interface Header {
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
}

/** True when the buffer starts with the 4-byte ELF magic. */
export function hasElfMagic(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(ELF_MAGIC);
}

/** The `DT_NEEDED` sonames of the ELF file open as `fd` (of `size` bytes), in file order. */
export function readNeeded(fd: number, size: number): string[] {
  const elf = openElf(fd, size);
  const h = readHeader(elf);
  const segments = readSegments(elf, h);
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (dyn !== undefined) {
    const { needed, strtabAddr } = readDynamic(elf, dyn.offset, dyn.filesz);
    if (needed.length === 0) return [];
    const strtab = strtabAddr === undefined ? undefined : addressToOffset(segments, strtabAddr);
    if (strtab !== undefined) return needed.map((off) => readString(elf, strtab, off));
  }
  return readNeededFromSections(elf, h);
}

function openElf(fd: number, size: number): ElfFile {
  const probe = new ElfFile(fd, size, false, true);
  const ident = probe.bytes(0, 16);
  if (!hasElfMagic(ident)) throw new ElfFormatError('no ELF magic');
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
    throw new ElfFormatError(`unknown ELF class ${cls} or byte order ${data}`);
  }
  return new ElfFile(fd, size, cls === 2, data === 1);
}

function readHeader(elf: ElfFile): Header {
  const b = elf.bytes(0, elf.is64 ? 64 : 52);
  const at = elf.is64 ? { ph: 32, sh: 40, rest: 54 } : { ph: 28, sh: 32, rest: 42 };
  return {
    phoff: elf.word(b, at.ph),
    shoff: elf.word(b, at.sh),
    phentsize: elf.u16(b, at.rest),
    phnum: elf.u16(b, at.rest + 2),
    shentsize: elf.u16(b, at.rest + 4),
    shnum: elf.u16(b, at.rest + 6),
  };
}

/** The table of `count` entries of `entsize` bytes at `offset`, each parsed by `parse`. */
function readTable<T>(elf: ElfFile, offset: number, count: number, entsize: number, min: number, parse: (b: Buffer, at: number) => T): T[] {
  if (count === 0 || offset === 0) return [];
  if (entsize < min) throw new ElfFormatError(`table entries of ${entsize} bytes are too small`);
  const b = elf.bytes(offset, count * entsize);
  return Array.from({ length: count }, (_, i) => parse(b, i * entsize));
}

function readSegments(elf: ElfFile, h: Header): Segment[] {
  return readTable(elf, h.phoff, h.phnum, h.phentsize, elf.is64 ? 56 : 32, (b, at) =>
    elf.is64
      ? { type: elf.u32(b, at), offset: elf.word(b, at + 8), vaddr: elf.word(b, at + 16), filesz: elf.word(b, at + 32) }
      : { type: elf.u32(b, at), offset: elf.word(b, at + 4), vaddr: elf.word(b, at + 8), filesz: elf.word(b, at + 16) },
  );
}

function readSections(elf: ElfFile, h: Header): Section[] {
  return readTable(elf, h.shoff, h.shnum, h.shentsize, elf.is64 ? 64 : 40, (b, at) =>
    elf.is64
      ? { type: elf.u32(b, at + 4), offset: elf.word(b, at + 24), size: elf.word(b, at + 32), link: elf.u32(b, at + 40) }
      : { type: elf.u32(b, at + 4), offset: elf.word(b, at + 16), size: elf.word(b, at + 20), link: elf.u32(b, at + 24) },
  );
}

/** The string-table offsets of the `DT_NEEDED` entries and the `DT_STRTAB` address. */
function readDynamic(elf: ElfFile, offset: number, size: number): { needed: number[]; strtabAddr?: number } {
  const entsize = elf.is64 ? 16 : 8;
  const count = Math.floor(size / entsize);
  if (count > MAX_DYN_ENTRIES) throw new ElfFormatError(`${count} dynamic entries`);
  const b = elf.bytes(offset, count * entsize);
  const needed: number[] = [];
  let strtabAddr: number | undefined;
  for (let at = 0; at < b.length; at += entsize) {
    const tag = elf.tag(b, at);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) needed.push(elf.word(b, at + entsize / 2));
    else if (tag === DT_STRTAB) strtabAddr = elf.word(b, at + entsize / 2);
  }
  return { needed, strtabAddr };
}

/** The file offset of virtual address `addr`, through the `PT_LOAD` segment that holds it. */
function addressToOffset(segments: Segment[], addr: number): number | undefined {
  const load = segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz);
  return load === undefined ? undefined : load.offset + (addr - load.vaddr);
}

/** The NUL-terminated string at `offset` into the string table at file offset `table`. */
function readString(elf: ElfFile, table: number, offset: number): string {
  const start = table + offset;
  const b = elf.bytes(start, Math.min(MAX_NAME, elf.size - start));
  const end = b.indexOf(0);
  if (end < 0) throw new ElfFormatError(`unterminated string at ${start}`);
  return b.toString('utf8', 0, end);
}

function readNeededFromSections(elf: ElfFile, h: Header): string[] {
  const sections = readSections(elf, h);
  const dyn = sections.find((s) => s.type === SHT_DYNAMIC);
  if (dyn === undefined) return [];
  const { needed } = readDynamic(elf, dyn.offset, dyn.size);
  if (needed.length === 0) return [];
  const strtab = sections[dyn.link];
  if (strtab === undefined) throw new ElfFormatError(`dynamic section links to missing section ${dyn.link}`);
  return needed.map((off) => {
    if (off >= strtab.size) throw new ElfFormatError(`string offset ${off} is past the string table`);
    return readString(elf, strtab.offset, off);
  });
}
