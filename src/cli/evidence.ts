import type { NixshiftConfig } from '../config.js';
import type { TransformOptions } from '../transform.js';
import { UsageError, type Io } from './io.js';
import { findNixInstantiate, type RunFlags } from './options.js';

/** --evidence sources: each CUDA package's source, found with Nix before the run (src/cuda/evidence/nix-sources.ts). */
export async function evidenceOptions(
  flags: RunFlags,
  io: Io,
  inputs: string[],
  names: string[],
  config: NixshiftConfig | undefined,
): Promise<((absolute: string) => Record<string, TransformOptions> | undefined) | undefined> {
  if (flags.evidence === undefined) {
    if (flags.evidenceJobs !== undefined) throw new UsageError('--evidence-jobs only applies with --evidence sources');
    if (flags.nixpkgs !== undefined && flags.verifyKind !== 'eval') throw new UsageError('--nixpkgs only applies with --evidence sources or --verify eval');
    return undefined;
  }
  const kinds = flags.evidence.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => k !== 'sources');
  if (unknown.length > 0) throw new UsageError(`--evidence takes \`sources\`, not "${flags.evidence}"`);
  let jobs: number | undefined;
  if (flags.evidenceJobs !== undefined) {
    jobs = Number(flags.evidenceJobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--evidence-jobs takes a whole number of at least 1, not "${flags.evidenceJobs}"`);
  }
  const ns = await import('../cuda/evidence/nix-sources.js');
  if (!findNixInstantiate(io.env)) throw new UsageError(ns.NIX_MISSING);
  if (!names.some((n) => ns.SOURCE_TRANSFORMS.includes(n))) {
    io.stderr.write(`nixshift: warning: --evidence sources: no transform of this run takes a source (${ns.SOURCE_TRANSFORMS.join(', ')}); nothing asked of Nix\n`);
    return undefined;
  }
  const quiet = flags.quiet === true || flags.treefmt === true;
  const r = await ns.gatherSources({
    inputs,
    cwd: io.cwd,
    ignorePatterns: flags.ignorePattern,
    ignoreRelativeTo: config?.ignore ? [{ base: config.dir, patterns: config.ignore }] : undefined,
    gitignore: flags.gitignore,
    nixpkgs: flags.nixpkgs,
    env: io.env,
    jobs: jobs ?? ns.DEFAULT_EVIDENCE_JOBS,
    stderr: io.stderr,
    progress: flags.progress ?? (io.stderr.isTTY === true && !quiet),
    quiet,
  });
  if (!r.ok) throw new UsageError(r.usage);
  return ns.sourceFileOptions(r.files, names);
}
