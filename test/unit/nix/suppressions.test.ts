/**
 * Inline suppression comments (`# nixshift-ignore`): how a comment is read, which node it covers,
 * and what the pipeline does with it (dropped edits and findings, used / unused, whole-file
 * skips). The built-in transforms' consistency is checked by their `suppress-*` fixtures.
 */
import { describe, expect, it } from 'vitest';
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { parseNix } from '../../../src/nix/parser.js';
import { findSuppressions, parseSuppressionComment } from '../../../src/nix/suppressions.js';
import { processSource, UNUSED_SUPPRESSION_RULE, type ConfiguredTransform } from '../../../src/runner/process.js';
import type { Transform, TransformApi } from '../../../src/transform.js';
import { loadBuiltin } from '../../helpers/fixtures.js';

const t = (name: string, needles: string[], fn: Transform['transform']): ConfiguredTransform => ({
  transform: { name, description: '', needles, transform: fn },
  options: {},
});

/** The identifiers `name` of the current text, in order. */
const idents = (api: TransformApi, name: string): SyntaxNode[] => api.root.descendantsOfType('identifier').filter((n) => api.text(n) === name);

/** A transform that renames every `x` to `y` and reports each, without asking about suppressions. */
const renamer = (name = 'rn'): ConfiguredTransform =>
  t(name, ['x'], (_f, api) => {
    for (const n of idents(api, 'x')) {
      api.edit.replace(n, 'y');
      api.report(n, { rule: 'seen', message: 'an x' });
    }
  });

const brief = (fs: { rule: string; line: number; column: number }[]): string[] => fs.map((f) => `${f.line}:${f.column} ${f.rule}`);

describe('parseSuppressionComment', () => {
  const cases: [string, ReturnType<typeof parseSuppressionComment>][] = [
    ['# nixshift-ignore', { transforms: 'all' }],
    ['#nixshift-ignore', { transforms: 'all' }],
    ['#   nixshift-ignore', { transforms: 'all' }],
    ['/* nixshift-ignore */', { transforms: 'all' }],
    ['/*nixshift-ignore*/', { transforms: 'all' }],
    ['# nixshift-ignore:', { transforms: 'all' }],
    ['# nixshift-ignore: cudatoolkit-to-redist', { transforms: ['cudatoolkit-to-redist'] }],
    ['# nixshift-ignore: cudatoolkit-to-redist, symlinkjoin-to-propagated', { transforms: ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'] }],
    ['# nixshift-ignore cudatoolkit-to-redist symlinkjoin-to-propagated', { transforms: ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'] }],
    ['# nixshift-ignore:a,b c ,, d', { transforms: ['a', 'b', 'c', 'd'] }],
    ['# nixshift-ignore: a, a', { transforms: ['a'] }],
    ['# nixshift-ignore: cudatoolkit-to-redist -- needs the full toolkit for nsight', { transforms: ['cudatoolkit-to-redist'], reason: 'needs the full toolkit for nsight' }],
    ['# nixshift-ignore -- generated file', { transforms: 'all', reason: 'generated file' }],
    ['# nixshift-ignore --', { transforms: 'all' }],
    ['# nixshift-ignore: a--b', { transforms: ['a--b'] }],
    ['/* nixshift-ignore: a\n     b -- a reason\n     on two lines */', { transforms: ['a', 'b'], reason: 'a reason on two lines' }],
    ['/* nixshift-ignore\n * a\n */', { transforms: ['a'] }],
    // not suppressions: the comment must start with the word
    ['# do not use nixshift-ignore here', undefined],
    ['# nixshift-ignored', undefined],
    ['# nixshift-ignore-next-line', undefined],
    ['## nixshift-ignore', undefined],
    ['/** nixshift-ignore */', undefined],
    ['# NIXSHIFT-IGNORE', undefined],
    ['# TODO nixshift-ignore', undefined],
  ];
  it.each(cases)('%j', (comment, expected) => {
    expect(parseSuppressionComment(comment)).toEqual(expected);
  });
});

describe('findSuppressions: the next node', () => {
  const covered = (src: string) =>
    findSuppressions(src, parseNix(src).root).map((s) => ({
      text: src.slice(s.start, s.end),
      at: `${s.line}:${s.column}`,
      transforms: s.transforms,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.wholeFile ? { wholeFile: true } : {}),
      ...(s.dangling ? { dangling: true } : {}),
    }));

  it('in an attrset: the whole binding (first, middle; rec too)', () => {
    expect(covered('{\n  # nixshift-ignore\n  a = 1;\n  b = 2;\n}\n')).toEqual([{ text: 'a = 1;', at: '2:3', transforms: 'all' }]);
    expect(covered('{\n  a = 1;\n  # nixshift-ignore: t\n  b.c = [ 2 ];\n  d = 3;\n}\n')).toEqual([{ text: 'b.c = [ 2 ];', at: '3:3', transforms: ['t'] }]);
    expect(covered('rec { a = 1; /* nixshift-ignore */ b = 2; }')).toEqual([{ text: 'b = 2;', at: '1:14', transforms: 'all' }]);
  });

  it('in a let: the whole binding, also the first one', () => {
    const src = 'let\n  # nixshift-ignore\n  a = f 1;\n  # nixshift-ignore: t -- why\n  b = 2;\nin\na + b\n';
    expect(covered(src)).toEqual([
      { text: 'a = f 1;', at: '2:3', transforms: 'all' },
      { text: 'b = 2;', at: '4:3', transforms: ['t'], reason: 'why' },
    ]);
  });

  it('before an inherit: that inherit', () => {
    expect(covered('{\n  # nixshift-ignore\n  inherit (pkgs) a b;\n  c = 1;\n}')).toEqual([{ text: 'inherit (pkgs) a b;', at: '2:3', transforms: 'all' }]);
    expect(covered('let a = 1; in { x = 1; /* nixshift-ignore */ inherit a; }')).toEqual([{ text: 'inherit a;', at: '1:24', transforms: 'all' }]);
  });

  it('in a list: that element', () => {
    expect(covered('[\n  a\n  # nixshift-ignore\n  (f x)\n  c\n]')).toEqual([{ text: '(f x)', at: '3:3', transforms: 'all' }]);
    expect(covered('[ a /* nixshift-ignore */ b.c d ]')).toEqual([{ text: 'b.c', at: '1:5', transforms: 'all' }]);
  });

  it('a comment at the end of a list, an attrset or a let is dangling', () => {
    expect(covered('[\n  a\n  # nixshift-ignore\n]\n')).toEqual([{ text: '', at: '3:3', transforms: 'all', dangling: true }]);
    expect(covered('{ a = 1; # nixshift-ignore\n}')).toEqual([{ text: '', at: '1:10', transforms: 'all', dangling: true }]);
    expect(covered('let a = 1;\n  # nixshift-ignore\nin a')).toEqual([{ text: '', at: '2:3', transforms: 'all', dangling: true }]);
    expect(covered('{ a }: a\n# nixshift-ignore\n')).toEqual([{ text: '', at: '2:1', transforms: 'all', dangling: true }]);
  });

  it('in function formals: the formal (trailing- and leading-comma styles), after the colon: the body', () => {
    expect(covered('{\n  lib,\n  # nixshift-ignore\n  cudatoolkit ? null,\n}:\nlib')).toEqual([{ text: 'cudatoolkit ? null', at: '3:3', transforms: 'all' }]);
    expect(covered('{ lib\n  # nixshift-ignore\n, cudatoolkit\n}:\nlib')).toEqual([{ text: 'cudatoolkit', at: '2:3', transforms: 'all' }]);
    expect(covered('{ lib }:\n# nixshift-ignore\nlib.id 1')).toEqual([{ text: 'lib.id 1', at: '2:1', transforms: 'all' }]);
  });

  it('inside a binding value: the outermost expression that starts there', () => {
    expect(covered('{ a = # nixshift-ignore\n  f x ++ [ y ];\n}')).toEqual([{ text: 'f x ++ [ y ]', at: '1:7', transforms: 'all' }]);
    expect(covered('{ a = [ x ] ++ # nixshift-ignore\n  lib.optionals c [ y ];\n}')).toEqual([{ text: 'lib.optionals c [ y ]', at: '1:16', transforms: 'all' }]);
  });

  it('at the top of the file (after a license header): the whole file', () => {
    const src = '# SPDX-License-Identifier: MIT\n# Copyright: someone\n\n# nixshift-ignore: cudatoolkit-to-redist -- vendored\n{ lib }:\nlib.id\n';
    expect(covered(src)).toEqual([{ text: '{ lib }:\nlib.id', at: '4:1', transforms: ['cudatoolkit-to-redist'], reason: 'vendored', wholeFile: true }]);
    expect(covered('/* nixshift-ignore */ [ 1 ]')).toEqual([{ text: '[ 1 ]', at: '1:1', transforms: 'all', wholeFile: true }]);
  });

  it('only comments that start with the word count; strings do not', () => {
    expect(covered('{\n  # do not use nixshift-ignore here\n  a = "# nixshift-ignore";\n  b = \'\'\n    # nixshift-ignore\n  \'\';\n}')).toEqual([]);
  });

  it('columns count code points; a CRLF comment is read without its CR', () => {
    expect(covered('{ a = "é😀"; /* nixshift-ignore */ b = 1; }')).toEqual([{ text: 'b = 1;', at: '1:13', transforms: 'all' }]);
    expect(covered('{\r\n  # nixshift-ignore: t\r\n  a = 1;\r\n}\r\n')).toEqual([{ text: 'a = 1;', at: '2:3', transforms: ['t'] }]);
  });

  it('does not walk the tree when the text does not mention the marker', () => {
    const root = {
      descendantsOfType: () => {
        throw new Error('walked');
      },
    } as unknown as SyntaxNode;
    expect(findSuppressions('{ a = 1; }', root)).toEqual([]);
  });
});

describe('processSource with suppressions', () => {
  it('drops edits and findings inside a suppressed range; the suppression counts as used', async () => {
    const src = '[\n  x\n  # nixshift-ignore\n  x\n  x\n]\n';
    const out = await processSource(src, 'a.nix', [renamer()]);
    expect(out.status).toBe('ok');
    expect(out.output).toBe('[\n  y\n  # nixshift-ignore\n  x\n  y\n]\n');
    expect(brief(out.findings)).toEqual(['2:3 rn/seen', '5:3 rn/seen']);
  });

  it('api.suppressed answers for nodes and offsets of this transform, and marks the suppression used', async () => {
    const src = '{\n  a = x;\n  # nixshift-ignore: ask -- kept\n  b = { c = x; };\n  # nixshift-ignore: other\n  d = x;\n}\n';
    const answers: boolean[] = [];
    const ask = t('ask', ['x'], (_f, api) => {
      for (const n of idents(api, 'x')) answers.push(api.suppressed(n), api.suppressed(n.startIndex));
      const b = api.root.descendantsOfType('binding').find((n) => api.text(n).startsWith('b ='))!;
      answers.push(api.suppressed(b), api.suppressed(b.parent!)); // the binding itself, the set holding it
    });
    const out = await processSource(src, 'a.nix', [ask]);
    expect(answers).toEqual([false, false, true, true, false, false, true, false]);
    expect(out.findings).toEqual([]); // used; `other` is not in the run
  });

  it('reports an unused suppression at the comment, in the original file', async () => {
    const src = '{\n  a = x;\n  # nixshift-ignore: rn, not-a-transform -- why\n  b = 1;\n}\n';
    const out = await processSource(src, 'a.nix', [renamer()]);
    expect(out.output).toBe('{\n  a = y;\n  # nixshift-ignore: rn, not-a-transform -- why\n  b = 1;\n}\n');
    expect(out.findings.filter((f) => f.rule === UNUSED_SUPPRESSION_RULE)).toEqual([
      {
        rule: 'nixshift/unused-suppression',
        severity: 'warning',
        message: 'this `# nixshift-ignore` (for rn) suppressed nothing: no edit or finding of that transform fell in the code it covers',
        fix: 'remove the comment, or check that it sits right before the code it should protect',
        line: 3,
        column: 3,
      },
    ]);
  });

  it('reports a dangling suppression (nothing after it) as unused', async () => {
    const out = await processSource('[ x # nixshift-ignore\n]\n', 'a.nix', [renamer()]);
    expect(out.output).toBe('[ y # nixshift-ignore\n]\n');
    expect(brief(out.findings)).toEqual(['1:3 rn/seen', '1:5 nixshift/unused-suppression']);
    expect(out.findings[1]!.message).toBe('this `# nixshift-ignore` (for every transform of the run: rn) is followed by no code it could protect');
  });

  it('a suppression for transforms not in the run has no effect and is not reported', async () => {
    const src = '[\n  # nixshift-ignore: cudatoolkit-to-redist\n  x\n]\n';
    const out = await processSource(src, 'a.nix', [renamer()]);
    expect(out.output).toBe('[\n  # nixshift-ignore: cudatoolkit-to-redist\n  y\n]\n');
    expect(brief(out.findings)).toEqual(['3:3 rn/seen']);
  });

  it('a whole-file suppression of every transform of the chain: status skip with the reason, nothing runs', async () => {
    let ran = 0;
    const counting = (name: string): ConfiguredTransform => t(name, [], () => void ran++);
    const src = '# SPDX-License-Identifier: MIT\n\n# nixshift-ignore -- generated by update.py\n{ x }: [ x ]\n';
    expect(await processSource(src, 'a.nix', [counting('a'), counting('b')])).toEqual({
      status: 'skip',
      findings: [],
      changedBy: [],
      error: 'suppressed by # nixshift-ignore at 3:1 (generated by update.py)',
      errorKind: 'suppressed',
    });
    const two = '# nixshift-ignore: a\n/* nixshift-ignore: b */\n[ 1 ]\n';
    expect((await processSource(two, 'a.nix', [counting('a'), counting('b')])).error).toBe('suppressed by # nixshift-ignore at 1:1, # nixshift-ignore at 2:1');
    expect(ran).toBe(0);
  });

  it('a whole-file suppression of some transforms skips just those; their other suppressions are not judged', async () => {
    const src = '# nixshift-ignore: rn\n[\n  x\n  # nixshift-ignore: rn\n  1\n]\n';
    const other = t('other', [], (_f, api) => {
      api.edit.insertAt(api.source.lastIndexOf(']'), '  2\n');
    });
    const out = await processSource(src, 'a.nix', [renamer(), other]);
    expect(out.status).toBe('ok');
    expect(out.changedBy).toEqual(['other']);
    expect(out.output).toBe('# nixshift-ignore: rn\n[\n  x\n  # nixshift-ignore: rn\n  1\n  2\n]\n');
    expect(out.findings).toEqual([]);
  });

  it('parses a file with a suppression even when no needle matches (unused ones are reported; status nochange)', async () => {
    let ran = 0;
    const needy = t('needy', ['zzz'], () => void ran++);
    const src = '[\n  1\n  # nixshift-ignore: needy\n  2\n]\n';
    const out = await processSource(src, 'a.nix', [needy]);
    expect(out.status).toBe('nochange');
    expect(ran).toBe(0);
    expect(brief(out.findings)).toEqual(['3:3 nixshift/unused-suppression']);
    expect((await processSource('[ 1 2 ]', 'a.nix', [needy])).status).toBe('skip');
    expect(await processSource('[ "nixshift-ignore" ]', 'a.nix', [needy])).toEqual({ status: 'nochange', findings: [], changedBy: [] });
  });

  it('after an earlier transform changed the text, later transforms see the same suppressions; positions stay original', async () => {
    const src = '[\n  x\n  # nixshift-ignore: rn\n  x\n  # nixshift-ignore: rn\n  1\n]\n';
    const grow = t('grow', [], (_f, api) => {
      api.edit.insertAt(api.source.indexOf('\n') + 1, '  zero\n  one\n');
    });
    const out = await processSource(src, 'a.nix', [grow, renamer()]);
    expect(out.output).toBe('[\n  zero\n  one\n  y\n  # nixshift-ignore: rn\n  x\n  # nixshift-ignore: rn\n  1\n]\n');
    expect(out.changedBy).toEqual(['grow', 'rn']);
    expect(brief(out.findings)).toEqual(['2:3 rn/seen', '5:3 nixshift/unused-suppression']);
  });

  it('moves an insertion at the start of a suppressed node in front of its comment (not counted as use)', async () => {
    const src = '[\n  a\n  # nixshift-ignore\n  x\n]\n';
    const before = t('before', [], (_f, api) => {
      const x = idents(api, 'x')[0]!;
      api.edit.insertAt(x.startIndex, 'new\n  ');
    });
    const out = await processSource(src, 'a.nix', [before]);
    expect(out.output).toBe('[\n  a\n  new\n  # nixshift-ignore\n  x\n]\n');
    expect(brief(out.findings)).toEqual(['3:3 nixshift/unused-suppression']);
  });

  it('drops an insertion inside, or an edit around, a suppressed node', async () => {
    const src = '{\n  # nixshift-ignore\n  a = [ x ];\n  b = 1;\n}\n';
    const inside = t('inside', [], (_f, api) => {
      const list = api.root.descendantsOfType('list_expression')[0]!;
      api.edit.insertAt(list.endIndex - 1, 'z ');
      api.edit.replace(api.root.descendantsOfType('integer_expression')[0]!, '2');
    });
    const out = await processSource(src, 'a.nix', [inside]);
    expect(out.output).toBe('{\n  # nixshift-ignore\n  a = [ x ];\n  b = 2;\n}\n');
    expect(out.findings).toEqual([]);
    const around = t('around', [], (_f, api) => {
      api.edit.replace(api.root.descendantsOfType('attrset_expression')[0]!, '{ }');
    });
    expect(await processSource(src, 'a.nix', [around])).toEqual({ status: 'nochange', findings: [], changedBy: [] });
  });

  it('honours a suppression an earlier transform added, without reporting it', async () => {
    const src = '[\n  x\n  x\n]\n';
    const add = t('add', [], (_f, api) => {
      api.edit.insertAt(idents(api, 'x')[1]!.startIndex, '# nixshift-ignore: rn\n  ');
    });
    const out = await processSource(src, 'a.nix', [add, renamer()]);
    expect(out.output).toBe('[\n  y\n  # nixshift-ignore: rn\n  x\n]\n');
    expect(brief(out.findings)).toEqual(['2:3 rn/seen']);
  });
});

describe('built-in transforms and whole-file suppressions', () => {
  const src = [
    '# SPDX-License-Identifier: MIT',
    '# nixshift-ignore: cudatoolkit-to-redist -- needs the full toolkit for nsight',
    '{ lib, stdenv, cudatoolkit, addOpenGLRunpath }:',
    '',
    'stdenv.mkDerivation {',
    '  pname = "whole";',
    '  version = "1";',
    '  nativeBuildInputs = [ cudatoolkit addOpenGLRunpath ];',
    '}',
    '',
  ].join('\n');

  it('skips the file with the reason when every transform of the run is suppressed', async () => {
    const chain = [{ transform: await loadBuiltin('cudatoolkit-to-redist'), options: {} }];
    expect(await processSource(src, 'a.nix', chain)).toEqual({
      status: 'skip',
      findings: [],
      changedBy: [],
      error: 'suppressed by # nixshift-ignore at 2:1 (needs the full toolkit for nsight)',
      errorKind: 'suppressed',
    });
  });

  it('runs the transforms it does not name', async () => {
    const chain = await Promise.all(['cudatoolkit-to-redist', 'driver-runpath-rename'].map(async (n) => ({ transform: await loadBuiltin(n), options: {} })));
    const out = await processSource(src, 'a.nix', chain);
    expect(out.status).toBe('ok');
    expect(out.changedBy).toEqual(['driver-runpath-rename']);
    expect(out.output).toBe(src.replace(/addOpenGLRunpath/g, 'addDriverRunpath'));
    expect(out.findings).toEqual([]);
  });
});
