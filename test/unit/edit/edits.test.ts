import { describe, expect, it } from 'vitest';
import { applyEdits, detectEol, normalizeEdits, OverlappingEditsError } from '../../../src/edit/edits.js';

describe('applyEdits', () => {
  it('replaces ranges and keeps every other byte', () => {
    const src = '\uFEFF# comment\r\n{ a = 1; }\r\n';
    const out = applyEdits(src, [{ start: src.indexOf('1'), end: src.indexOf('1') + 1, text: '2' }]);
    expect(out).toBe('\uFEFF# comment\r\n{ a = 2; }\r\n');
  });

  it('converts new lines of inserted text to the file line ending', () => {
    const src = '[\r\n  a\r\n]\r\n';
    const at = src.indexOf('a') + 1;
    expect(applyEdits(src, [{ start: at, end: at, text: '\n  b' }])).toBe('[\r\n  a\r\n  b\r\n]\r\n');
    expect(detectEol(src)).toBe('\r\n');
    expect(detectEol('a\nb\r\nc\n')).toBe('\n');
  });

  it('keeps insertions at one offset in creation order, before a replacement starting there', () => {
    const src = 'abc';
    const out = applyEdits(src, [
      { start: 1, end: 2, text: 'B' },
      { start: 1, end: 1, text: '1' },
      { start: 1, end: 1, text: '2' },
      { start: 2, end: 2, text: '3' },
    ]);
    expect(out).toBe('a12B3c');
  });

  it('drops exact duplicate replacements', () => {
    expect(applyEdits('abc', [{ start: 0, end: 1, text: 'x' }, { start: 0, end: 1, text: 'x' }])).toBe('xbc');
  });

  it('rejects overlapping edits with both edits named', () => {
    const overlapping = [
      { start: 0, end: 3, text: 'x', origin: 'first' },
      { start: 2, end: 4, text: 'y', origin: 'second' },
    ];
    expect(() => normalizeEdits(overlapping)).toThrow(OverlappingEditsError);
    expect(() => normalizeEdits(overlapping)).toThrow(/\[0,3\) from first and \[2,4\) from second/);
    // an insertion strictly inside a replaced range overlaps it
    expect(() => normalizeEdits([{ start: 0, end: 3, text: '' }, { start: 1, end: 1, text: 'i' }])).toThrow(OverlappingEditsError);
    // a replacement swallowing a later, non-adjacent one
    expect(() => normalizeEdits([{ start: 0, end: 10, text: 'X' }, { start: 2, end: 3, text: '' }, { start: 5, end: 6, text: '' }])).toThrow(OverlappingEditsError);
    // two different replacements of the same range
    expect(() => normalizeEdits([{ start: 1, end: 2, text: 'a' }, { start: 1, end: 2, text: 'b' }])).toThrow(OverlappingEditsError);
  });

  it('drops replacements inside a removed range (moot), not insertions, not straddling edits', () => {
    // renaming `b` inside a removed `a ? b, ` : the removal wins
    const edits = [
      { start: 2, end: 9, text: '' },
      { start: 6, end: 7, text: 'B' },
    ];
    expect(applyEdits('{ a ? b, c }', edits)).toBe('{ c }');
    expect(normalizeEdits(edits)).toEqual([{ start: 2, end: 9, text: '' }]);
    // straddling its end: an overlap
    expect(() => normalizeEdits([{ start: 0, end: 3, text: '' }, { start: 2, end: 4, text: 'y' }])).toThrow(OverlappingEditsError);
  });

  it('allows adjacent edits', () => {
    expect(applyEdits('abcd', [{ start: 0, end: 2, text: 'X' }, { start: 2, end: 4, text: 'Y' }])).toBe('XY');
  });

  it('rejects ranges past the end', () => {
    expect(() => applyEdits('ab', [{ start: 1, end: 5, text: '' }])).toThrow(RangeError);
  });
});
