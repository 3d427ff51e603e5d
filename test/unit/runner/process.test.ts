/** The per-file pipeline: chains of transforms, re-parsing, finding positions, refusals. */
import { describe, expect, it } from 'vitest';
import { nativeBinding, type ParsedFile, parseNix, reparseNix } from '../../../src/nix/parser.js';
import { processSource, type ConfiguredTransform } from '../../../src/runner/process.js';
import type { Transform } from '../../../src/transform.js';

const t = (name: string, needles: string[], fn: Transform['transform']): ConfiguredTransform => ({
  transform: { name, description: '', needles, transform: fn },
  options: {},
});

describe('processSource', () => {
  it('applies transforms in order, re-parsing between them, and reports findings at original positions', async () => {
    const src = '{ a, }:\n[\n  a\n  b\n]\n';
    const parses: string[] = [];
    const first = t('first', ['a'], (_f, api) => {
      parses.push(api.source);
      // insert two new lines before `b`: later offsets shift
      const b = api.source.indexOf('  b');
      api.edit.insertAt(b, '  x\n  y\n');
    });
    const second = t('second', ['b'], (_f, api) => {
      parses.push(api.source);
      const b = api.source.indexOf('b\n]');
      api.report(b, { rule: 'seen', message: 'b is here' });
      const y = api.source.indexOf('y');
      api.report(y, { rule: 'inserted', message: 'inside inserted text' });
    });
    const out = await processSource(src, 'x.nix', [first, second]);
    expect(out.status).toBe('ok');
    expect(out.output).toBe('{ a, }:\n[\n  a\n  x\n  y\n  b\n]\n');
    expect(out.changedBy).toEqual(['first']);
    expect(parses).toEqual([src, out.output]);
    // `b` is at line 4, column 3 of the original file; text inserted by `first` maps to its insertion point
    expect(out.findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['second/seen', 4, 3],
      ['second/inserted', 4, 1],
    ]);
  });

  it('skips a file without needles, and a transform whose needles are gone after an earlier one', async () => {
    let ran = 0;
    const counting = t('count', ['zzz'], () => {
      ran++;
    });
    expect((await processSource('1', 'x.nix', [counting])).status).toBe('skip');
    expect(ran).toBe(0);
    expect((await processSource('1', 'x.nix', [counting], { prefilter: false })).status).toBe('nochange');
    expect(ran).toBe(1);
    const remove = t('remove', ['zzz'], (_f, api) => {
      api.edit.replace({ startIndex: 0, endIndex: api.source.length }, '"gone"');
    });
    ran = 0;
    const out = await processSource('"zzz"', 'x.nix', [remove, counting]);
    expect(out.output).toBe('"gone"');
    expect(ran).toBe(0);
  });

  it('runs a transform only where its own prefilter agrees (with the options of the run)', async () => {
    const seen: string[] = [];
    const picky: ConfiguredTransform = {
      transform: { name: 'picky', description: '', needles: ['join'], prefilter: (text, o) => o.all === true || text.includes('cuda'), transform: (f) => void seen.push(f.path) },
      options: {},
    };
    expect((await processSource('{ x = join; }\n', 'a.nix', [picky])).status).toBe('skip');
    expect((await processSource('{ x = join cuda; }\n', 'b.nix', [picky])).status).toBe('nochange');
    expect((await processSource('{ x = join; }\n', 'c.nix', [{ ...picky, options: { all: true } }])).status).toBe('nochange');
    expect((await processSource('{ x = join; }\n', 'd.nix', [picky], { prefilter: false })).status).toBe('nochange');
    expect(seen).toEqual(['b.nix', 'c.nix', 'd.nix']);
  });

  it('refuses a file with a syntax error before running any transform', async () => {
    let ran = false;
    const out = await processSource('{ a }: [ a', 'x.nix', [t('x', [], () => void (ran = true))]);
    expect(out).toMatchObject({ status: 'error', error: '1:11: syntax error: missing "]"' });
    expect(ran).toBe(false);
  });

  it('keeps earlier findings when a later transform throws', async () => {
    const reporter = t('rep', [], (_f, api) => api.report(0, { rule: 'r', message: 'm', severity: 'info' }));
    const thrower = t('boom', [], () => {
      throw new Error('nope');
    });
    const out = await processSource('1', 'x.nix', [reporter, thrower]);
    expect(out.status).toBe('error');
    expect(out.error).toBe('transform boom threw: nope');
    expect(out.errorKind).toBe('transform-threw');
    expect(out.findings).toEqual([{ rule: 'rep/r', severity: 'info', message: 'm', line: 1, column: 1 }]);
  });

  it('writes CRLF into inserted text of a CRLF file', async () => {
    const src = '[\r\n  a\r\n]\r\n';
    const out = await processSource(src, 'x.nix', [
      t('add', [], (_f, api) => {
        const list = api.root.descendantsOfType('list_expression')[0]!;
        api.edit.addListElements(list, ['b']);
      }),
    ]);
    expect(out.output).toBe('[\r\n  a\r\n  b\r\n]\r\n');
  });
});

describe('processSource: the scoping of a rewrite', () => {
  const rename = (from: string, to: string) =>
    t('rename', [from], (_f, api) => {
      for (let i = api.source.indexOf(from); i !== -1; i = api.source.indexOf(from, i + 1)) {
        if (/\w/.test(api.source[i + from.length] ?? '')) continue;
        api.edit.replace({ startIndex: i, endIndex: i + from.length }, to);
        break; // the first occurrence only
      }
    });

  it('refuses output that uses a name nothing binds (Nix: undefined variable), naming it and where', async () => {
    // renaming the formal but not its use leaves `old` unbound
    const out = await processSource('{ old }:\n[ old ]\n', 'x.nix', [rename('old', 'fresh')]);
    expect(out.status).toBe('error');
    expect(out.error).toBe('transform rename produced invalid Nix (its output uses `old` at 2:3 where nothing binds it: undefined variable); file left unchanged');
    expect(out.errorKind).toBe('unbound-name');
    const inserted = await processSource('{ lib }:\n[ lib ]\n', 'x.nix', [
      t('insert', ['lib'], (_f, api) => void api.edit.insertAt(api.source.indexOf(' ]'), ' cudaPackages.libcublas')),
    ]);
    expect(inserted.error).toBe('transform insert produced invalid Nix (its output uses `cudaPackages` at 2:7 where nothing binds it: undefined variable); file left unchanged');
  });

  it('accepts a name a `with` may provide, or one bound by the rewrite itself', async () => {
    const withOut = await processSource('{ pkgs }:\nwith pkgs; [ a ]\n', 'x.nix', [
      t('insert', ['pkgs'], (_f, api) => void api.edit.insertAt(api.source.indexOf(' ]'), ' b')),
    ]);
    expect(withOut).toMatchObject({ status: 'ok', output: '{ pkgs }:\nwith pkgs; [ a b ]\n' });
    const both = await processSource('{ old }:\n[ old ]\n', 'x.nix', [
      t('both', ['old'], (_f, api) => {
        api.edit.replace({ startIndex: 2, endIndex: 5 }, 'fresh');
        api.edit.replace({ startIndex: api.source.lastIndexOf('old'), endIndex: api.source.lastIndexOf('old') + 3 }, 'fresh');
      }),
    ]);
    expect(both).toMatchObject({ status: 'ok', output: '{ fresh }:\n[ fresh ]\n' });
  });

  it('does not hold a fragment that already uses unbound names to it', async () => {
    const out = await processSource('[ a ]\n', 'x.nix', [t('insert', ['a'], (_f, api) => void api.edit.insertAt(api.source.indexOf(' ]'), ' b'))]);
    expect(out).toMatchObject({ status: 'ok', output: '[ a b ]\n' });
  });

  it('refuses output that defines an attribute twice in one set', async () => {
    const out = await processSource('{ stdenv }:\nstdenv.mkDerivation {\n  buildInputs = [ ];\n}\n', 'x.nix', [
      t('twice', ['buildInputs'], (_f, api) => void api.edit.insertAt(api.source.lastIndexOf('}'), '  buildInputs = [ stdenv ];\n')),
    ]);
    expect(out.status).toBe('error');
    expect(out.error).toBe('transform twice produced invalid Nix (its output defines `buildInputs` twice, at 4:3); file left unchanged');
    expect(out.errorKind).toBe('duplicate-attribute');
  });
});

describe('native trees', () => {
  it('are freed when processSource is done with a file; a freed tree re-parses from scratch', async () => {
    const seen: ParsedFile[] = [];
    const first = t('first', ['a'], (_f, api) => {
      seen.push(api.parsed);
      api.edit.insertAt(api.source.indexOf('[ a') + 2, 'a ');
    });
    const second = t('second', ['a'], (_f, api) => {
      seen.push(api.parsed);
    });
    const out = await processSource('{ a, }:\n[ a ]\n', 'x.nix', [first, second]);
    expect(out.output).toBe('{ a, }:\n[ a a ]\n');
    expect(seen).toHaveLength(2);
    for (const p of seen) expect(() => nativeBinding().parse(p.source, p.tree.handle, null)).toThrow(/not a tree/);
    // The flat trees stay readable, and an incremental re-parse of a freed one parses afresh.
    expect(seen[1]!.root.descendantsOfType('identifier').map((n) => n.startIndex)).toEqual([2, 10, 12]);
    const next = '{ a, c, }:\n[ a a ]\n';
    const again = reparseNix(seen[1]!, [{ start: 3, end: 3, text: ', c' }], next);
    expect(again.root.toString()).toBe(parseNix(next).root.toString());
    expect(again.blankedCommas).toEqual(parseNix(next).blankedCommas);
  });
});
