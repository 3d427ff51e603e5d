import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, placeOfError, workflowCommand } from '../../../src/output/github.js';
import { replacements } from '../../../src/output/sarif.js';

describe('GitHub workflow commands', () => {
  it('escapes data (%, CR, LF) and properties (also : and ,)', () => {
    expect(escapeData('100% a\r\nb')).toBe('100%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    expect(workflowCommand('warning', { file: 'p,q.nix', line: 3, col: undefined, title: 'r/x' }, 'm: 1, 2')).toBe('::warning file=p%2Cq.nix,line=3,title=r/x::m: 1, 2\n');
    expect(workflowCommand('error', {}, 'plain')).toBe('::error::plain\n');
  });

  it('takes the place an error message starts with', () => {
    expect(placeOfError('4:16: syntax error: missing "]"')).toEqual({ line: 4, col: 16 });
    expect(placeOfError('cannot read: EACCES')).toBeUndefined();
  });
});

/** Apply SARIF replacements by character offsets. */
const apply = (text: string, rs: ReturnType<typeof replacements>): string =>
  [...rs].sort((a, b) => b.deletedRegion.charOffset! - a.deletedRegion.charOffset!).reduce((t, r) => t.slice(0, r.deletedRegion.charOffset) + (r.insertedContent?.text ?? '') + t.slice(r.deletedRegion.charOffset! + r.deletedRegion.charLength!), text);

describe('SARIF replacements', () => {
  it('one per changed block of lines, with lines, columns and offsets', () => {
    const before = 'a\nb\nc\nd\n';
    const after = 'a\nB\nc\nd\ne\n';
    const rs = replacements(before, after);
    expect(rs).toEqual([
      { deletedRegion: { startLine: 2, startColumn: 1, endLine: 3, endColumn: 1, charOffset: 2, charLength: 2 }, insertedContent: { text: 'B\n' } },
      { deletedRegion: { startLine: 5, startColumn: 1, endLine: 5, endColumn: 1, charOffset: 8, charLength: 0 }, insertedContent: { text: 'e\n' } },
    ]);
    expect(apply(before, rs)).toBe(after);
  });

  it('handles a last line without a line ending, deletions, CRLF and a first-line change', () => {
    for (const [before, after] of [
      ['x\ny', 'x\nz'],
      ['x\ny\nz\n', 'x\nz\n'],
      ['a\r\nb\r\n', 'A\r\nb\r\n'],
      ['only', ''],
      ['', 'new\n'],
      ['k\nl\nm', 'k\nL\nm\nn'],
    ] as const) {
      expect(apply(before, replacements(before, after))).toBe(after);
    }
    expect(replacements('x\ny', 'x\nz')[0]!.deletedRegion).toEqual({ startLine: 2, startColumn: 1, endLine: 2, endColumn: 2, charOffset: 2, charLength: 1 });
  });
});
