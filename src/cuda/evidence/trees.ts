/**
 * The evidence trees named by a transform's options: `source=<folder or archive>` (the package's
 * source) and `build=<store path or folder>` (the old build). Not wired yet.
 */
import type { TransformOptions } from '../../transform.js';
import type { TreeEvidence } from './types.js';

export function scanTrees(options: TransformOptions): TreeEvidence[] {
  if (typeof options.source === 'string' || typeof options.build === 'string') throw new Error('the source= and build= options are not wired yet');
  return [];
}
