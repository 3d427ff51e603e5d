/**
 * The evidence trees named by a transform's options: `source=<folder or archive>` (the package's
 * source, see source.ts) and `build=<store path or folder>` (the old build, see build.ts).
 * A source that is a binary distribution (a wheel, `.so` files and nothing to compile) is its
 * own old build: the `DT_NEEDED` entries of its ELF files are read too.
 * (`source-missing=<reason>`, set by `--evidence sources`, is reported by the transform.)
 */
import type { TransformOptions } from '../../transform.js';
import { materialize } from './archive.js';
import { scanBuild } from './build.js';
import { scanSource } from './source.js';
import type { TreeEvidence } from './types.js';

export function scanTrees(options: TransformOptions): TreeEvidence[] {
  const trees: TreeEvidence[] = [];
  if (typeof options.source === 'string' && options.source !== '') {
    const source = scanSource(options.source);
    trees.push(source);
    if (source.prebuilt) trees.push({ ...scanBuild(materialize(options.source)), root: options.source });
  }
  if (typeof options.build === 'string' && options.build !== '') trees.push(scanBuild(options.build));
  return trees;
}
