import { describe, expect, it } from 'vitest';
import { parseNix } from '../../../src/nix/parser.js';
import { ScopeIndex, type Reference } from '../../../src/nix/scope.js';

function refs(src: string): { text: string; line: number; to: string }[] {
  const p = parseNix(src);
  expect(p.syntaxError).toBeUndefined();
  const idx = new ScopeIndex(src, p.root);
  const describe = (r: Reference): string => {
    switch (r.resolution.kind) {
      case 'bound': {
        const d = r.resolution.definition;
        return `${d.kind}@${d.node.startPosition.row + 1}`;
      }
      case 'with':
        return `with@${r.resolution.withs.map((w) => w.startPosition.row + 1).join(',')}`;
      default:
        return r.resolution.kind;
    }
  };
  return idx.references().map((r) => ({ text: r.name, line: r.node.startPosition.row + 1, to: `${r.site === 'inherit' ? 'inherit:' : ''}${describe(r)}` }));
}

describe('ScopeIndex', () => {
  it('resolves formals, let, rec, inner functions and shadowing', () => {
    const src = [
      '{ a, b ? a }:', // 1: default sees other formals
      'let',
      '  c = a;', // 3
      '  d = c;', // 4: let is recursive
      '  f = a: a;', // 5: inner formal shadows
      'in',
      'rec {',
      '  e = d;', // 8
      '  g = e;', // 9: rec sees its own bindings
      '  h = { e = b; };', // 10: non-rec attrset names are not in scope
      '}',
    ].join('\n');
    expect(refs(src)).toEqual([
      { text: 'a', line: 1, to: 'formal@1' },
      { text: 'a', line: 3, to: 'formal@1' },
      { text: 'c', line: 4, to: 'let@3' },
      { text: 'a', line: 5, to: 'argument@5' },
      { text: 'd', line: 8, to: 'let@4' },
      { text: 'e', line: 9, to: 'rec@8' },
      { text: 'b', line: 10, to: 'formal@1' },
    ]);
  });

  it('lets static bindings and builtins win over with, and lists every enclosing with', () => {
    const src = ['{ pkgs, x }:', 'with pkgs;', 'with lib;', '[ x zlib true map ]'].join('\n');
    expect(refs(src)).toEqual([
      { text: 'pkgs', line: 2, to: 'formal@1' },
      { text: 'lib', line: 3, to: 'with@2' },
      { text: 'x', line: 4, to: 'formal@1' },
      { text: 'zlib', line: 4, to: 'with@3,2' },
      { text: 'true', line: 4, to: 'builtin' },
      { text: 'map', line: 4, to: 'builtin' },
    ]);
  });

  it('does not put the with environment in its own scope', () => {
    expect(refs('with a; with b; c')).toEqual([
      { text: 'a', line: 1, to: 'free' },
      { text: 'b', line: 1, to: 'with@1' },
      { text: 'c', line: 1, to: 'with@1,1' },
    ]);
  });

  it('resolves `inherit x;` outside its binding set and `inherit (e) x;` inside', () => {
    const src = ['{ x, s }:', 'let', '  inherit x;', '  inherit (s) y;', '  s = 1;', 'in { inherit y; z = x; }'].join('\n');
    expect(refs(src)).toEqual([
      { text: 'x', line: 3, to: 'inherit:formal@1' },
      { text: 's', line: 4, to: 'let@5' },
      { text: 'y', line: 6, to: 'inherit:let@4' },
      { text: 'x', line: 6, to: 'let@3' },
    ]);
  });

  it('does not treat attribute names as references, but does look inside ${} in them', () => {
    const src = '{ n }: { a.b = n.c; ${n} = 1; x = n ? d; y = n.${n} or n; }';
    expect(refs(src).map((r) => `${r.text}:${r.to}`)).toEqual(['n:formal@1', 'n:formal@1', 'n:formal@1', 'n:formal@1', 'n:formal@1', 'n:formal@1']);
  });

  it('resolves an @-pattern argument and a simple lambda argument', () => {
    expect(refs('args@{ a, ... }: x: [ args a x ]').map((r) => r.to)).toEqual(['argument@1', 'formal@1', 'argument@1']);
  });

  it('finds references of a definition, and resolves names at a node for capture checks', () => {
    const src = '{ hook }:\nlet f = hook: hook; in [ hook (f hook) ]';
    const p = parseNix(src);
    const idx = new ScopeIndex(src, p.root);
    const formal = idx.definitions().find((d) => d.kind === 'formal' && d.name === 'hook')!;
    expect(idx.referencesTo(formal).map((r) => r.node.startIndex)).toEqual([src.indexOf('[ hook') + 2, src.lastIndexOf('hook')]);
    const inner = idx.references().find((r) => r.name === 'hook' && r.resolution.kind === 'bound' && r.resolution.definition.kind === 'argument')!;
    const r = idx.resolveNameAt(inner.node, 'hook');
    expect(r.kind === 'bound' ? r.definition.kind : r.kind).toBe('argument');
    expect(idx.resolveNameAt(inner.node, 'zzz').kind).toBe('free');
  });

  it('walks deeply nested input without overflowing the stack', () => {
    const depth = 5000;
    const src = `{ a }: ${'['.repeat(depth)} a ${']'.repeat(depth)}`;
    const p = parseNix(src);
    const idx = new ScopeIndex(src, p.root);
    expect(idx.references()).toHaveLength(1);
  });
});

describe('ScopeIndex with a focus', () => {
  const src = `{ lib, stdenv, cudatoolkit, zlib }:
let
  cuda = cudatoolkit;
  libPath = lib.makeLibraryPath [ cuda ];
  other = zlib;
in
stdenv.mkDerivation {
  buildInputs = [ zlib other ];
  nativeBuildInputs = [ cuda ];
  postFixup = "patchelf --set-rpath \${libPath} $out/bin/x";
}
`;
  it('sees every reference to the focus names and their aliases (also aliases of aliases), and resolves at those sites', () => {
    const p = parseNix(src);
    const full = new ScopeIndex(src, p.root);
    const focused = new ScopeIndex(src, p.root, { focus: ['cudatoolkit'] });
    const names = (idx: ScopeIndex) => idx.references().map((r) => `${r.name}@${r.node.startPosition.row + 1}`);
    // subtrees without the focus or an alias of it are not walked: `lib.…`, `other = zlib;`,
    // `stdenv.mkDerivation`, `buildInputs = [ zlib other ]`
    expect(names(focused)).toEqual(['cudatoolkit@3', 'cuda@4', 'cuda@9', 'libPath@10']);
    expect(names(full)).toEqual(['cudatoolkit@3', 'lib@4', 'cuda@4', 'zlib@5', 'stdenv@7', 'zlib@8', 'other@8', 'cuda@9', 'libPath@10']);
    const cudaDef = focused.definitions().find((d) => d.name === 'cuda')!;
    expect(focused.referencesTo(cudaDef).map((r) => r.node.startPosition.row + 1)).toEqual([4, 9]);
    const site = focused.references().find((r) => r.name === 'cuda' && r.node.startPosition.row === 8)!.node;
    expect(focused.resolveNameAt(site, 'zlib')).toMatchObject({ kind: 'bound' });
    expect(focused.resolveNameAt(site, 'nope')).toEqual({ kind: 'free' });
  });
});

describe('ScopeIndex with a focus: calls', () => {
  it('walks the arguments of a focused call whole, even where they do not repeat the name', () => {
    const src = `{ symlinkJoin, cudaPackages, zlib }:
let
  joined = symlinkJoin { name = "j"; paths = with cudaPackages; [ cuda_cudart libcublas ]; };
  plain = zlib;
in
[ joined plain ]
`;
    const p = parseNix(src);
    const idx = new ScopeIndex(src, p.root, { focus: ['symlinkJoin'] });
    expect(idx.references().map((r) => `${r.name}:${r.resolution.kind}`)).toEqual([
      'symlinkJoin:bound',
      'cudaPackages:bound',
      'cuda_cudart:with',
      'libcublas:with',
      'joined:bound',
    ]);
  });
});

describe('ScopeIndex with a focus: large binding sets', () => {
  it('enters a set of hundreds of bindings at the focus occurrences only, with the references of a full walk', () => {
    // an all-packages.nix in small: a rec set of many call sites, a few mention the toolkit, one
    // through an alias defined far from its use, one in a comment between two bindings
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      if (i === 40) lines.push('  cudaAlias = cudaPackages.cudatoolkit;');
      else if (i === 120) lines.push('  # cudatoolkit users below');
      else if (i === 121) lines.push('  p121 = callPackage ./p121 { cudatoolkit = cudaAlias; };');
      else if (i === 250) lines.push('  p250 = callPackage ./p250 { inherit (cudaPackages) cudatoolkit; };');
      else lines.push(`  p${i} = callPackage ./p${i} { inherit zlib; };`);
    }
    const src = `{ callPackage, cudaPackages, zlib }:\nrec {\n${lines.join('\n')}\n}\n`;
    const p = parseNix(src);
    const focused = new ScopeIndex(src, p.root, { focus: ['cudatoolkit'] });
    const full = new ScopeIndex(src, p.root);
    const about = (idx: ScopeIndex) =>
      idx
        .references()
        .filter((r) => r.name.includes('cudatoolkit') || r.name === 'cudaAlias')
        .map((r) => `${r.name}@${r.node.startPosition.row + 1}:${r.resolution.kind}`);
    // what a focus promises: every reference to a focus name or an alias of it
    expect(about(focused)).toEqual(['cudaAlias@124:bound']);
    expect(focused.definitions().filter((d) => d.name === 'cudaAlias')).toHaveLength(1);
    expect(about(focused)).toEqual(about(full));
    // the other call sites were not walked
    expect(focused.references().some((r) => r.name === 'zlib')).toBe(false);
    expect(full.references().filter((r) => r.name === 'zlib')).toHaveLength(296);
  });
});
