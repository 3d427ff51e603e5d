import { describe, expect, it } from 'vitest';
import { chainOperands, detectStyle, EditBuilder } from '../../../src/edit/builder.js';
import { applyEdits } from '../../../src/edit/edits.js';
import { parseNix } from '../../../src/nix/parser.js';
import { findBindings, listParts, topFunction, type FunctionInfo } from '../../../src/nix/syntax.js';

function withBuilder(src: string, fn: (b: EditBuilder, top: FunctionInfo | undefined, root: ReturnType<typeof parseNix>['root']) => void): string {
  const p = parseNix(src);
  expect(p.syntaxError).toBeUndefined();
  const b = new EditBuilder(src, detectStyle(src, p.blankedCommas.length > 0));
  fn(b, topFunction(src, p.root), p.root);
  const out = applyEdits(src, b.edits());
  expect(parseNix(out).syntaxError).toBeUndefined();
  return out;
}

const nixfmtFormals = '{\n  lib,\n  stdenv,\n  zlib,\n}:\nlib';
const inlineFormals = '{ lib, stdenv, zlib }:\nlib';
const leadingComma = '{ stdenv, lib\n, zlib\n, curl\n}:\nlib';

describe('formals', () => {
  it('adds a formal in each style', () => {
    expect(withBuilder(nixfmtFormals, (b, t) => b.addFormal(t!, 'cudaPackages'))).toBe('{\n  lib,\n  stdenv,\n  zlib,\n  cudaPackages,\n}:\nlib');
    expect(withBuilder(nixfmtFormals, (b, t) => b.addFormal(t!, 'cuda', { after: t!.formals[0] }))).toBe('{\n  lib,\n  cuda,\n  stdenv,\n  zlib,\n}:\nlib');
    expect(withBuilder(nixfmtFormals, (b, t) => b.addFormal(t!, 'a', { atStart: true }))).toBe('{\n  a,\n  lib,\n  stdenv,\n  zlib,\n}:\nlib');
    expect(withBuilder(inlineFormals, (b, t) => b.addFormal(t!, 'cudaPackages'))).toBe('{ lib, stdenv, zlib, cudaPackages }:\nlib');
    expect(withBuilder(inlineFormals, (b, t) => b.addFormal(t!, 'a', { atStart: true }))).toBe('{ a, lib, stdenv, zlib }:\nlib');
    expect(withBuilder(leadingComma, (b, t) => b.addFormal(t!, 'cuda'))).toBe('{ stdenv, lib\n, zlib\n, curl\n, cuda\n}:\nlib');
    expect(withBuilder(leadingComma, (b, t) => b.addFormal(t!, 'cuda', { after: t!.formals[0] }))).toBe('{ stdenv, cuda, lib\n, zlib\n, curl\n}:\nlib');
    expect(withBuilder('{ a ? 1, ... }: a', (b, t) => b.addFormal(t!, 'x', { defaultText: 'null' }))).toBe('{ a ? 1, x ? null, ... }: a');
    expect(withBuilder('{ ... }: 1', (b, t) => b.addFormal(t!, 'x'))).toBe('{ x, ... }: 1');
    expect(withBuilder('{ }: 1', (b, t) => b.addFormal(t!, 'x'))).toBe('{ x }: 1');
    expect(withBuilder('{\n  a,\n  b\n}:\na', (b, t) => b.addFormal(t!, 'c'))).toBe('{\n  a,\n  b,\n  c\n}:\na');
  });

  it('removes a formal in each style', () => {
    const remove = (src: string, name: string): string => withBuilder(src, (b, t) => b.removeFormal(t!, t!.formals.find((f) => f.name === name)!));
    expect(remove(nixfmtFormals, 'stdenv')).toBe('{\n  lib,\n  zlib,\n}:\nlib');
    expect(remove(nixfmtFormals, 'zlib')).toBe('{\n  lib,\n  stdenv,\n}:\nlib');
    expect(remove(inlineFormals, 'lib')).toBe('{ stdenv, zlib }:\nlib');
    expect(remove(inlineFormals, 'stdenv')).toBe('{ lib, zlib }:\nlib');
    expect(remove(inlineFormals, 'zlib')).toBe('{ lib, stdenv }:\nlib');
    expect(remove(leadingComma, 'zlib')).toBe('{ stdenv, lib\n, curl\n}:\nlib');
    expect(remove(leadingComma, 'curl')).toBe('{ stdenv, lib\n, zlib\n}:\nlib');
    expect(remove(leadingComma, 'stdenv')).toBe('{ lib\n, zlib\n, curl\n}:\nlib');
    expect(remove('{ a }: 1', 'a')).toBe('{ }: 1');
    expect(remove('{ a, ... }: 1', 'a')).toBe('{ ... }: 1');
  });

  it('renames a formal and keeps its default', () => {
    expect(withBuilder('{ a ? null, b }: b', (b, t) => b.renameFormal(t!.formals[0]!, 'z'))).toBe('{ z ? null, b }: b');
  });
});

function firstList(root: ReturnType<typeof parseNix>['root'], src: string, attr: string) {
  return listParts(src, findBindings(src, root, attr)[0]!.value)[0]!.list;
}

describe('lists', () => {
  it('adds elements one per line in multi-line lists, keeping a trailing comment with its element', () => {
    const src = '{\n  xs = [\n    a # why\n    b\n  ];\n}';
    expect(withBuilder(src, (b, _t, root) => b.addListElements(firstList(root, src, 'xs'), ['c', 'd']))).toBe('{\n  xs = [\n    a # why\n    b\n    c\n    d\n  ];\n}');
    expect(withBuilder(src, (b, _t, root) => {
      const list = firstList(root, src, 'xs');
      b.addListElements(list, ['z'], { after: list.namedChildren.find((n) => n.type !== 'comment')! });
    })).toBe('{\n  xs = [\n    a # why\n    z\n    b\n  ];\n}');
  });

  it('keeps inline lists inline in a non-nixfmt file, expands them in a nixfmt file', () => {
    const plain = '{ a }: { xs = [ a ]; }';
    expect(withBuilder(plain, (b, _t, root) => b.addListElements(firstList(root, plain, 'xs'), ['b']))).toBe('{ a }: { xs = [ a b ]; }');
    const nixfmt = '{\n  a,\n}:\n{\n  xs = [ a ];\n  ys = [ ];\n}';
    expect(withBuilder(nixfmt, (b, _t, root) => b.addListElements(firstList(root, nixfmt, 'xs'), ['b']))).toBe('{\n  a,\n}:\n{\n  xs = [\n    a\n    b\n  ];\n  ys = [ ];\n}');
    expect(withBuilder(nixfmt, (b, _t, root) => b.addListElements(firstList(root, nixfmt, 'ys'), ['b']))).toBe('{\n  a,\n}:\n{\n  xs = [ a ];\n  ys = [ b ];\n}');
  });

  it('removes an element: its line when alone, else just the element', () => {
    const src = '{\n  xs = [\n    a\n    b # comment\n  ];\n  ys = [ a b c ];\n}';
    const p = parseNix(src);
    const xs = firstList(p.root, src, 'xs');
    const ys = firstList(p.root, src, 'ys');
    expect(withBuilder(src, (b) => b.removeListElement(xs.namedChildren[1]!))).toBe('{\n  xs = [\n    a\n  ];\n  ys = [ a b c ];\n}');
    expect(withBuilder(src, (b) => b.removeListElement(ys.namedChildren[1]!))).toBe('{\n  xs = [\n    a\n    b # comment\n  ];\n  ys = [ a c ];\n}');
    expect(withBuilder(src, (b) => b.removeListElement(ys.namedChildren[0]!))).toBe('{\n  xs = [\n    a\n    b # comment\n  ];\n  ys = [ b c ];\n}');
  });

  it('replaces an element by several in the list layout', () => {
    const src = '{\n  xs = [\n    old\n    keep\n  ];\n}';
    const p = parseNix(src);
    const xs = firstList(p.root, src, 'xs');
    expect(withBuilder(src, (b) => b.replaceListElement(xs, xs.namedChildren[0]!, ['n1', 'n2']))).toBe('{\n  xs = [\n    n1\n    n2\n    keep\n  ];\n}');
  });
});

describe('bindings', () => {
  it('adds a multi-line binding at the indentation of its siblings', () => {
    const src = '{\n  a = 1;\n  b = 2;\n}';
    const out = withBuilder(src, (b, _t, root) => b.addBinding(root.namedChildren[0]!, 'c = {\n  d = 1;\n};'));
    expect(out).toBe('{\n  a = 1;\n  b = 2;\n  c = {\n    d = 1;\n  };\n}');
  });

  it('adds to an empty attrset and removes a binding with its line', () => {
    expect(withBuilder('{ }', (b, _t, root) => b.addBinding(root.namedChildren[0]!, 'x = 1;'))).toBe('{\n  x = 1;\n}');
    const src = '{\n  a = 1;\n  b = 2;\n}';
    expect(withBuilder(src, (b, _t, root) => b.removeBinding(findBindings(src, root, 'a')[0]!.node))).toBe('{\n  b = 2;\n}');
  });

  it('removes the comments of a binding that is a paragraph of its own, and only then', () => {
    const remove = (src: string, name: string): string => withBuilder(src, (b, _t, root) => b.removeBinding(findBindings(src, root, name)[0]!.node));
    // a paragraph: blank line, comments, the binding, blank line
    expect(remove('{\n  a = 1;\n\n  # TODO: migrate\n  # (two lines)\n  b = 2;\n\n  c = 3;\n}', 'b')).toBe('{\n  a = 1;\n\n  c = 3;\n}');
    // the comment heads a group of bindings: it stays
    expect(remove('{\n  a = 1;\n\n  # inputs\n  b = 2;\n  c = 3;\n}', 'b')).toBe('{\n  a = 1;\n\n  # inputs\n  c = 3;\n}');
    // no blank line above the comment: it may belong to what is above
    expect(remove('{\n  a = 1;\n  # about b\n  b = 2;\n\n  c = 3;\n}', 'b')).toBe('{\n  a = 1;\n  # about b\n\n  c = 3;\n}');
    // a suppression above is never removed (it covers the binding for another transform)
    expect(remove('{\n  a = 1;\n\n  # nixshift-ignore: other\n  b = 2;\n\n  c = 3;\n}', 'b')).toBe('{\n  a = 1;\n\n  # nixshift-ignore: other\n\n  c = 3;\n}');
  });
});

describe('listParts', () => {
  it('finds the lists of a value through ++, optionals, if, with and parentheses', () => {
    const src = '{ lib, c, pkgs }: { xs = [ a ] ++ lib.optionals c [ b ] ++ (if c then [ d ] else [ ]) ++ (with pkgs; [ e ]) ++ lib.optional c f; }';
    const p = parseNix(src);
    const parts = listParts(src, findBindings(src, p.root, 'xs')[0]!.value);
    expect(parts.map((x) => [src.slice(x.list.startIndex, x.list.endIndex), x.conditions, x.withs.map((w) => src.slice(w.startIndex, w.endIndex))])).toEqual([
      ['[ a ]', [], []],
      ['[ b ]', ['c'], []],
      ['[ d ]', ['c'], []],
      ['[ ]', ['!(c)'], []],
      ['[ e ]', [], ['pkgs']],
    ]);
  });
});

describe('chainOperands', () => {
  it('lists every operand of a ++ chain (right-associative in Nix), a parenthesised chain as one', () => {
    const src = '[ a ] ++ [ b ] ++ lib.optional c d ++ (e ++ f)';
    const value = parseNix(src).root.namedChildren[0]!;
    expect(chainOperands(value).map((o) => src.slice(o.startIndex, o.endIndex))).toEqual(['[ a ]', '[ b ]', 'lib.optional c d', '(e ++ f)']);
  });
});
