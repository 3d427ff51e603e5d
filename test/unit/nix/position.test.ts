import { describe, expect, it } from 'vitest';
import { positionAt } from '../../../src/nix/position.js';

describe('positionAt', () => {
  it('counts lines and code-point columns, a BOM not being a column', () => {
    const src = '\uFEFFa\nb😀c\r\nd';
    expect(positionAt(src, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(src, 1)).toEqual({ line: 1, column: 1 });
    expect(positionAt(src, 2)).toEqual({ line: 1, column: 2 });
    expect(positionAt(src, 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt(src, 6)).toEqual({ line: 2, column: 3 });
    expect(positionAt(src, src.indexOf('d'))).toEqual({ line: 3, column: 1 });
  });

  it('gives the same answers on large sources (indexed lines) as a plain scan', () => {
    // lines of varied length, CRLF and LF, a surrogate pair now and then
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(`${'x'.repeat(i % 37)}${i % 11 === 0 ? '😀' : ''}${i % 5 === 0 ? '\r' : ''}`);
    const big = lines.join('\n');
    expect(big.length).toBeGreaterThan(16384);
    const scan = (offset: number): { line: number; column: number } => {
      let line = 1;
      let col = 1;
      for (let i = 0; i < offset; i++) {
        if (big[i] === '\n') {
          line++;
          col = 1;
        } else if (!(big.charCodeAt(i) >= 0xdc00 && big.charCodeAt(i) <= 0xdfff)) col++;
      }
      return { line, column: col };
    };
    for (const offset of [0, 1, 36, 37, 38, big.indexOf('\n', 5000), big.indexOf('\n', 5000) + 1, 40000, big.length - 1, big.length]) {
      expect(positionAt(big, offset)).toEqual(scan(offset));
    }
  });
});
