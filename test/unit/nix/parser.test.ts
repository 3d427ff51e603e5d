import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../src/nix/parser.js';
import { topFunction } from '../../../src/nix/syntax.js';

const formalNames = (src: string): string[] => {
  const p = parseNix(src);
  return topFunction(src, p.root)!.formals.map((f) => f.name);
};

describe('parseNix', () => {
  it('parses trailing commas in formals without error, with correct ranges', () => {
    const src = '{\n  lib,\n  stdenv ? null,\n}:\nlib';
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([src.lastIndexOf(',')]);
    const fn = topFunction(src, p.root)!;
    expect(fn.formals.map((f) => [f.name, src.slice(f.node.startIndex, f.node.endIndex)])).toEqual([
      ['lib', 'lib'],
      ['stdenv', 'stdenv ? null'],
    ]);
    // the tree covers the original text: the comma is still there in the source we read from
    expect(src.slice(fn.formalsNode!.startIndex, fn.formalsNode!.endIndex)).toBe('{\n  lib,\n  stdenv ? null,\n}');
  });

  it('handles trailing commas with @-patterns, comments and nested functions', () => {
    expect(formalNames('args@{ a, b, }: a')).toEqual(['a', 'b']);
    expect(formalNames('{ a, b, }@args: a')).toEqual(['a', 'b']);
    expect(formalNames('{ a, # why\n}: a')).toEqual(['a']);
    expect(formalNames('{ a, /* c */ }: a')).toEqual(['a']);
    const inner = parseNix('{ a, }: { b, c, }: b');
    expect(inner.syntaxError).toBeUndefined();
    expect(inner.blankedCommas).toHaveLength(2);
  });

  it('keeps offsets in UTF-16 units of the original text after non-ASCII characters', () => {
    const src = '{ x ? "é😀", y, }: y';
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    const fn = topFunction(src, p.root)!;
    expect(src.slice(fn.body!.startIndex, fn.body!.endIndex)).toBe('y');
    expect(fn.formals[1]!.name).toBe('y');
  });

  it('does not accept what Nix rejects: a comma after `...` or a lone comma', () => {
    expect(parseNix('{ a, ..., }: a').syntaxError).toMatchObject({ line: 1, column: 9 });
    expect(parseNix('{ , }: 1').syntaxError).toBeDefined();
  });

  it('reports a real syntax error with line and column in the original text', () => {
    const src = '{ lib, }:\n\nlet\n  x = [ 1 2 ;\nin x\n';
    const p = parseNix(src);
    expect(p.syntaxError).toBeDefined();
    expect(p.syntaxError!.line).toBe(4);
    expect(p.syntaxError!.message).toMatch(/^syntax error/);
  });

  it('reports unexpected end of input', () => {
    const p = parseNix('{ a }: "unterminated');
    expect(p.syntaxError).toBeDefined();
    expect(p.syntaxError!.line).toBe(1);
  });

  it('parses CRLF files and keeps positions per line', () => {
    const src = '{ a,\r\n  b,\r\n}:\r\n[ a b ]\r\n';
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    const bad = parseNix('{ a }:\r\n\r\n  a +\r\n');
    expect(bad.syntaxError).toMatchObject({ line: 3, column: 6 }); // right after the dangling `+`
  });

  it('parses a file with a BOM; the BOM is not a column', () => {
    const src = '\uFEFF{ a, }: a';
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    const bad = parseNix('\uFEFF{ a }: a +');
    expect(bad.syntaxError).toMatchObject({ line: 1 });
  });

  it('parses empty and comment-only files', () => {
    expect(parseNix('').syntaxError).toBeUndefined();
    expect(parseNix('# only a comment\n').syntaxError).toBeUndefined();
  });
});

describe('parseNix: commas before comments', () => {
  it.each([
    ['a line comment holding a brace', '{ a,\n  # x }\n  b }: a'],
    ['a block comment, then more formals', '{ a, /* x */ b }: { c = 1; /* y */ }'],
    ['a block comment holding braces, before a trailing comma', '{\n  a,\n  /* c */\n  b,\n  /* { } */\n}: a'],
  ])('accepts %s (found by the property tests)', (_what, src) => {
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    expect(formalNames(src)).toEqual(['a', 'b']);
  });

  it('still blanks a trailing comma followed by comments', () => {
    const src = '{\n  a,\n  b, # the last one }\n  /* done */\n}: a';
    const p = parseNix(src);
    expect(p.syntaxError).toBeUndefined();
    expect(p.blankedCommas).toEqual([src.indexOf('b,') + 1]);
  });
});
