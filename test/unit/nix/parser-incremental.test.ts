/**
 * `reparseNix` (an edited tree re-parsed around the edits) must give exactly the tree of a full
 * `parseNix` of the new text: same nodes at the same offsets, same syntax error, same blanked
 * trailing commas. Checked on hand-made edits that move trailing commas around, and on seeded
 * random edits of every fixture and grammar snippet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits, normalizeEdits, type TextEdit } from '../../../src/edit/edits.js';
import { parseNix, reparseNix, type ParsedFile, type SyntaxNode } from '../../../src/nix/parser.js';

/** Every node as `type start end` (plus MISSING), in document order. */
function dump(root: SyntaxNode): string[] {
  const out: string[] = [];
  for (const n of root.descendants()) {
    const { startPosition: a, endPosition: b } = n;
    out.push(`${n.type} ${n.startIndex}-${n.endIndex} ${a.row}:${a.column}-${b.row}:${b.column}${n.isMissing ? ' MISSING' : ''}${n.hasError ? ' E' : ''} ${n.fieldName ?? ''}`);
  }
  return out;
}

function summary(p: ParsedFile): { nodes: string[]; error: string | undefined; blanked: number[] } {
  return { nodes: dump(p.root), error: p.syntaxError ? `${p.syntaxError.offset} ${p.syntaxError.message}` : undefined, blanked: p.blankedCommas };
}

/** Edit `source` and check the incremental result against a fresh parse. */
function check(source: string, edits: TextEdit[]): ParsedFile {
  const normalized = normalizeEdits(edits);
  const next = applyEdits(source, normalized, '\n');
  const incremental = reparseNix(parseNix(source), normalized, next);
  const fresh = parseNix(next);
  expect(incremental.source).toBe(next);
  expect(summary(incremental)).toEqual(summary(fresh));
  return incremental;
}

const at = (src: string, needle: string, from = 0): number => {
  const i = src.indexOf(needle, from);
  if (i < 0) throw new Error(`${needle} not in ${src}`);
  return i;
};

describe('reparseNix', () => {
  it('gives the tree of a full parse when an edit makes a comma trailing', () => {
    const src = '{ lib, stdenv, cudatoolkit }:\nstdenv.mkDerivation { }\n';
    // drop the last formal: `stdenv,` becomes a trailing comma that must be blanked
    const s = at(src, ' cudatoolkit');
    const p = check(src, [{ start: s, end: s + ' cudatoolkit'.length, text: ' ' }]);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([at(p.source, 'stdenv,') + 'stdenv'.length]);
  });

  it('blanks a comma that becomes trailing far from the edit (after a comment)', () => {
    const src = '{\n  lib,\n  stdenv,\n\n  # the legacy toolkit, to be replaced\n  cudatoolkit\n}:\nlib\n';
    const s = at(src, '  cudatoolkit\n');
    const p = check(src, [{ start: s, end: s + '  cudatoolkit\n'.length, text: '' }]);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([at(p.source, 'stdenv,') + 'stdenv'.length]);
  });

  it('unblanks a comma that stops being trailing far from the edit', () => {
    const src = '{\n  lib,\n  stdenv,\n\n  # more inputs below\n}:\nlib\n';
    const s = at(src, '}:');
    const p = check(src, [{ start: s, end: s, text: '  cudaPackages\n' }]);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([]);
  });

  it('gives the tree of a full parse when a trailing comma stops being one', () => {
    const src = '{\n  lib,\n  stdenv,\n}:\nlib\n';
    const s = at(src, '}:');
    const p = check(src, [{ start: s, end: s, text: '  cudaPackages,\n' }]);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([at(p.source, 'cudaPackages,') + 'cudaPackages'.length]);
  });

  it('handles several edits, insertions at one offset and an insertion at the start of a replacement', () => {
    const src = '{\n  lib,\n  cudatoolkit,\n}:\n{\n  buildInputs = [ cudatoolkit ];\n  x = "a, }";\n}\n';
    const tk = at(src, 'cudatoolkit,');
    const use = at(src, 'cudatoolkit ]');
    check(src, [
      { start: tk, end: tk + 'cudatoolkit'.length, text: 'cudaPackages' },
      { start: use, end: use, text: 'cudaPackages.cuda_cudart ' },
      { start: use, end: use, text: 'cudaPackages.libcublas ' },
      { start: use, end: use + 'cudatoolkit'.length, text: 'cudaPackages.cuda_nvcc' },
      { start: at(src, '"a, }"'), end: at(src, '"a, }"') + 1, text: '"b, }, ' },
    ]);
  });

  it('reports the syntax error an edit makes, at the same place as a full parse', () => {
    const src = '{ lib, }:\n{ a = [ 1 2 ]; }\n';
    const p = check(src, [{ start: at(src, ']'), end: at(src, ']') + 1, text: '' }]);
    expect(p.syntaxError).toBeDefined();
  });

  it('recovers from a comma that is not a trailing formals comma (careful path)', () => {
    const src = '{ lib, }:\n{ a = 1; }\n';
    const p = check(src, [{ start: at(src, '1;'), end: at(src, '1;') + 2, text: '1, ' }]);
    expect(p.syntaxError).toBeDefined();
  });

  it('keeps CRLF offsets', () => {
    const src = '{\r\n  lib,\r\n  cudatoolkit,\r\n}:\r\nlib\r\n';
    const s = at(src, '  cudatoolkit,\r\n');
    check(src, [{ start: s, end: s + '  cudatoolkit,\r\n'.length, text: '' }]);
  });

  it('refuses edits that do not produce the given text', () => {
    const src = '{ a = 1; }';
    expect(() => reparseNix(parseNix(src), [{ start: 6, end: 7, text: '22' }], '{ a = 2; }')).toThrow(RangeError);
  });
});

/** Seeded random edits that keep or break the syntax, with a bias towards commas and braces. */
function randomEdits(source: string, seed: number): TextEdit[] {
  let s = seed >>> 0;
  const rand = (n: number): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s % Math.max(1, n);
  };
  const pieces = [',', ' ', '}', '{', ' a,', ', b', ' x = 1;', '[ ]', '"s, }"', '# c\n', '\n', '', ' cudaPackages.libcublas', '${x}'];
  const edits: TextEdit[] = [];
  const count = 1 + rand(4);
  // interesting places: commas, braces, and anywhere
  const marks: number[] = [];
  for (let i = 0; i < source.length; i++) if (',{}[];'.includes(source[i]!)) marks.push(i);
  for (let k = 0; k < count; k++) {
    const start = marks.length > 0 && rand(3) > 0 ? marks[rand(marks.length)]! : rand(source.length + 1);
    const len = rand(3) === 0 ? 0 : Math.min(source.length - start, 1 + rand(12));
    edits.push({ start, end: start + len, text: pieces[rand(pieces.length)]! });
  }
  // keep only edits that do not overlap
  edits.sort((a, b) => a.start - b.start);
  const kept: TextEdit[] = [];
  for (const e of edits) if (!kept.some((k) => e.start < k.end && k.start < e.end) && !kept.some((k) => k.end === e.start && k.start === e.start)) kept.push(e);
  return kept;
}

function nixFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...nixFiles(p));
    else if (e.name.endsWith('.nix')) out.push(p);
  }
  return out.sort();
}

describe('reparseNix on random edits of the fixtures and grammar snippets', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const files = [...nixFiles(join(root, 'fixtures')), ...nixFiles(join(root, 'test', 'grammar')), ...nixFiles(join(root, 'examples'))];
  it('has inputs', () => {
    expect(files.length).toBeGreaterThan(100);
  });
  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    for (let seed = 1; seed <= 12; seed++) {
      const edits = randomEdits(source, seed * 7919 + source.length);
      try {
        check(source, edits);
      } catch (err) {
        throw new Error(`seed ${seed}: edits ${JSON.stringify(edits)}\n${err instanceof Error ? err.message : String(err)}`);
      }
    }
  });
});
