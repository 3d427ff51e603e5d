/**
 * The closure-size estimate of `--report`: a cheap text scan of a file before and after the run
 * (it runs once per changed file, no parsing). When the old text referenced the legacy monolithic
 * `cudatoolkit` and the new text no longer does, every part of the legacy toolkit the new text
 * does not name is counted as no longer referenced, sized from src/cuda/sizes.ts.
 *
 * An estimate by construction: the sizes are compressed archive sizes of one CUDA release, and a
 * name appearing in the text is taken as a reference whatever its role.
 */
import { ALL_COMPONENTS } from './facts.js';
import { ARCHIVE_MB, LEGACY_ONLY_PARTS } from './sizes.js';
import { withoutComments } from '../nix/comments.js';


/** Every part of the legacy toolkit: the redist components the transforms know, then the rest. */
export const LEGACY_TOOLKIT_PARTS: readonly string[] = [...new Set([...ALL_COMPONENTS.keys(), ...LEGACY_ONLY_PARTS])];

// Nix identifiers are [A-Za-z_][A-Za-z0-9_'-]*: a name counts only when not part of a longer one.
const BEFORE = "(?<![A-Za-z0-9_'-])";
const AFTER = "(?![A-Za-z0-9_'-])";
const TOOLKIT = new RegExp(`${BEFORE}cudatoolkit(?:_\\d+)*${AFTER}`);
const COMPONENT_PATTERNS: ReadonlyMap<string, RegExp> = new Map(
  [...ALL_COMPONENTS.keys()].map((name) => [name, new RegExp(`${BEFORE}${name}${AFTER}`)]),
);

/** An argument `cudatoolkit… = …;` or `inherit (…) … cudatoolkit …;` (a binding, not a use). */
const CALL_SITE_ARGUMENT = /(?<![\w'-])cudatoolkit[\w'-]*\s*=[^;]*;|\binherit\s*\([^)]*\)[^;]*;/g;

/** The toolkit kept in passthru (`cudatoolkit = cudaPackages.cudatoolkit;`, `passthru.cudatoolkit = …;`). */
const PASSTHRU_TOOLKIT = /(?<![\w'-])(?:passthru\.)?cudatoolkit\s*=\s*[\w'.-]*\.cudatoolkit\s*;/g;

/**
 * What a migrated package no longer references. Only for files whose input referenced the legacy
 * `cudatoolkit` and whose output no longer does.
 */
export interface ClosureEstimate {
  /** Redist packages the new text references (e.g. `cuda_nvcc`, `libcublas`). */
  kept: string[];
  /** Legacy toolkit parts no longer referenced, with their size when the size table has one. */
  removed: { part: string; mb?: number }[];
  /** Sum of the known sizes of `removed`, in MB (compressed archive sizes: an estimate). */
  removedMb: number;
}

export function estimateClosure(input: string, output: string): ClosureEstimate | undefined {
  if (!input.includes('cudatoolkit')) return undefined;
  // Call sites (`cudatoolkit = cudaPackages.cudatoolkit;`, `inherit (cudaPackages) cudatoolkit;`)
  // pass the toolkit on to a package; the saving belongs to that package's own file, so a file
  // that only has call sites gets no estimate (no double counting in the total).
  const uses = withoutComments(input).replace(CALL_SITE_ARGUMENT, ' ');
  if (!TOOLKIT.test(uses)) return undefined;
  // `passthru.cudatoolkit = cudaPackages.cudatoolkit;` (kept for compatibility) enters no closure
  const after = withoutComments(output).replace(PASSTHRU_TOOLKIT, ' ');
  if (TOOLKIT.test(after)) return undefined;

  const kept = [...COMPONENT_PATTERNS].filter(([, re]) => re.test(after)).map(([name]) => name);
  const keptSet = new Set(kept);
  const removed = LEGACY_TOOLKIT_PARTS.filter((part) => !keptSet.has(part))
    .map((part) => {
      const mb = ARCHIVE_MB.get(part);
      return mb === undefined ? { part } : { part, mb };
    })
    .sort((a, b) => (b.mb ?? -1) - (a.mb ?? -1) || (a.part < b.part ? -1 : a.part > b.part ? 1 : 0));
  const sum = removed.reduce((s, r) => s + (r.mb ?? 0), 0);
  // three decimals: the table's precision, without floating-point dust
  return { kept, removed, removedMb: Math.round(sum * 1000) / 1000 };
}

/**
 * What a whole run frees: the legacy toolkit is one store path that the migrated packages shared,
 * so its parts are counted once, not once per package, and a part some migrated package still
 * references (its split package named in that file) is not counted at all (MB, same rounding).
 */
export function runRemoved(estimates: Iterable<ClosureEstimate>): { parts: string[]; mb: number } {
  const list = [...estimates];
  const kept = new Set(list.flatMap((e) => e.kept));
  const sizes = new Map<string, number | undefined>();
  for (const e of list) for (const r of e.removed) if (!kept.has(r.part)) sizes.set(r.part, r.mb);
  let sum = 0;
  for (const mb of sizes.values()) sum += mb ?? 0;
  return { parts: [...sizes.keys()].sort(), mb: Math.round(sum * 1000) / 1000 };
}

/** `2631.1` → `2,631`, `48.8` → `48.8`, `0.016` → `0.02`: for people, deterministic (no locale). */
export function formatMb(mb: number): string {
  if (mb >= 100) return String(Math.round(mb)).replace(/\B(?=(\d{3})+$)/g, ',');
  if (mb >= 1) return String(Math.round(mb * 10) / 10);
  return String(Math.round(mb * 100) / 100);
}

