import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../../src/util/suggest.js';

describe('did you mean', () => {
  it('edit distance counts an adjacent swap as one edit', () => {
    expect([editDistance('style', 'styel'), editDistance('kitten', 'sitting'), editDistance('', 'abc'), editDistance('same', 'same')]).toEqual([1, 3, 3, 0]);
  });

  it('suggests a close name or a completion, not a far one', () => {
    const known = ['cuda-libs', 'style', 'version-attr', 'source', 'build'];
    expect(closest('cuda-lib', known)).toBe('cuda-libs');
    expect(closest('styel', known)).toBe('style');
    expect(closest('vers', known)).toBe('version-attr');
    expect(closest('colour', known)).toBeUndefined();
    expect(didYouMean('cudatoolkit-to-redis', ['cudatoolkit-to-redist', 'driver-runpath-rename'])).toBe(' (did you mean "cudatoolkit-to-redist"?)');
    expect(didYouMean('style', known)).toBe('');
  });
});
