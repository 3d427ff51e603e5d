/**
 * The CUDA lens of `--verify eval` (src/eval/verify.ts, InputLens): which direct input
 * derivations of a package are CUDA's, and which must not be one any more. Names are store
 * names (`cuda_nvcc-11.8.89`, `cudatoolkit-11.8.0`, `cuda-merged-12.4`, `cudnn-9.1.0.70`).
 */
import type { InputLens } from '../eval/verify.js';
import { ALL_COMPONENTS } from './facts.js';

/** The package name of a store name: up to the first `-` followed by a digit (`cuda_nvcc-11.8.89` → `cuda_nvcc`). */
export function pname(storeName: string): string {
  const m = /^(.*?)-\d/.exec(storeName);
  return m ? m[1]! : storeName;
}

/** CUDA libraries outside the toolkit's components that a CUDA package takes. */
const OTHER = new Set(['cudnn', 'nccl', 'cutensor', 'tensorrt', 'cusparselt', 'libcusparse_lt', 'cudss', 'libcudss']);

export const CUDA_INPUTS: InputLens = {
  what: 'CUDA',
  relevant(name) {
    const p = pname(name);
    return ALL_COMPONENTS.has(p) || OTHER.has(p) || p.startsWith('cudatoolkit') || /^cuda-(?:merged|redist|joined|native-redist)/.test(p);
  },
  legacy(name) {
    // the runfile toolkit (`cudatoolkit-11.8.0`), or a package renamed to say it is one
    return /^cudatoolkit(?:-legacy-runfile)?-\d/.test(name) ? 'the legacy monolithic CUDA toolkit, whose whole closure (several GB) comes with it' : undefined;
  },
};
