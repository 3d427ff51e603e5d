/** The "never silent" check itself: it flags a join left as it was without a finding, and only that. */
import { describe, expect, it } from 'vitest';
import { silentJoins } from '../../helpers/joins.js';

const join = (name: string): string => `  ${name} = symlinkJoin {\n    name = "j";\n    paths = [ cudaPackages.libcublas ];\n  };\n`;

describe('silentJoins', () => {
  it('flags a CUDA join kept as it was with no finding within its lines', () => {
    const input = `{\n${join('a')}}\n`;
    expect(silentJoins(input, input, [])).toEqual(['a']);
    expect(silentJoins(input, input, [{ line: 3 }])).toEqual([]);
    expect(silentJoins(input, '{ }\n', [])).toEqual([]);
  });

  it('tells two joins of the same text apart by how many the output still holds', () => {
    const input = `{\n${join('a')}${join('a')}}\n`;
    // the first kept and reported, the second rewritten away: nothing silent
    expect(silentJoins(input, `{\n${join('a')}}\n`, [{ line: 2 }])).toEqual([]);
    // both kept, one reported: one silent
    expect(silentJoins(input, input, [{ line: 2 }])).toEqual(['a']);
    // one kept, none reported: silent
    expect(silentJoins(input, `{\n${join('a')}}\n`, [])).toEqual(['a']);
  });
});
