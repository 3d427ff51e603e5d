/**
 * cudatoolkit-to-redist: rewrite uses of the legacy monolithic `cudatoolkit` into the split
 * `cudaPackages.*` redist packages, scope-aware, with the library set decided from evidence
 * (src/cuda/evidence/: the `.nix` file, the package's source tree, its old build), and findings
 * for everything it does not rewrite. Domain facts: docs/cuda.md.
 *
 * The phases, one module each:
 * - uses.ts: find every use of the toolkit and the package set it belongs to; suppressions;
 * - roles/call-sites.ts: `{ cudatoolkit = …; }` at call sites;
 * - rewrite.ts: each use by its role: roles/inputs.ts (input lists), roles/paths.ts
 *   (interpolated and runtime paths), roles/versions.ts (versions, compiler, comparisons),
 *   roles/build-roots.ts (build roots, CMake flags, the build-time join);
 * - finish/: the planned lists, nvcc and libraries for sibling lists, definitions and formals;
 * - findings.ts: the evidence behind the library set.
 * The state of each use (handled, left, suppressed) is kept in one ledger (context.ts).
 */
import type { Transform } from '../../src/transform.js';
import { ALL_COMPONENTS } from '../../src/cuda/facts.js';
import { didYouMean } from '../../src/util/suggest.js';
import { closureReport } from '../../src/cuda/closure-report.js';
import { asList, Ctx } from './context.js';
import { rules } from './rules.js';
import { applySuppressions, collectUses } from './uses.js';
import { rewriteCallSites, rewriteInheritedAttributes } from './roles/call-sites.js';
import { rewriteAll } from './rewrite.js';
import { addJoin } from './roles/build-roots.js';
import { addLibs, addNvcc, applyListPlans } from './finish/inputs.js';
import { addFormals, fixDefinitions } from './finish/definitions.js';
import { addRuntimeDependencies } from './finish/runtime.js';
import { relayoutOneLineSets } from './finish/layout.js';
import { reportLibraries, reportMissingSource, reportRuntimeLoads } from './findings.js';

export { rules };

/** Check the options that do not depend on the file (at once, not on first use). */
/** What is wrong with the options' values, if anything (checked before the run, and per file). */
function optionProblem(options: Record<string, unknown>): string | undefined {
  const unknown = (asList(options['cuda-libs']) ?? []).filter((n) => !ALL_COMPONENTS.has(n));
  if (unknown.length > 0) {
    const hints = unknown.map((n) => didYouMean(n, ALL_COMPONENTS.keys())).join('');
    return `option cuda-libs: unknown package(s) ${unknown.join(', ')}${hints} (known: ${[...ALL_COMPONENTS.keys()].join(', ')})`;
  }
  const style = options.style;
  if (style !== undefined && style !== 'bare' && style !== 'explicit') return `option style: "${String(style)}" is not a style${didYouMean(String(style), ['bare', 'explicit'])} (bare or explicit)`;
  return undefined;
}

function checkOptions(options: Record<string, unknown>): void {
  const problem = optionProblem(options);
  if (problem) throw new Error(problem);
}

function finish(ctx: Ctx): void {
  // additions to a list that also has planned replacements join its plan (one edit per list)
  addNvcc(ctx);
  addLibs(ctx);
  applyListPlans(ctx);
  addRuntimeDependencies(ctx);
  fixDefinitions(ctx);
  addJoin(ctx);
  addFormals(ctx);
  relayoutOneLineSets(ctx);
  reportLibraries(ctx);
  reportRuntimeLoads(ctx);
  reportMissingSource(ctx);
}

const transform: Transform = {
  name: 'cudatoolkit-to-redist',
  description: 'legacy cudatoolkit → split cudaPackages.* redist packages, from evidence in the file, its source and its old build (scope-aware)',
  changeSummary: 'migrate from cudatoolkit to cudaPackages',
  reportExtensions: [closureReport],
  needles: ['cudatoolkit'],
  // Every use it rewrites names the toolkit or an alias of it.
  scopeFocus: ['cudatoolkit'],
  rules,
  options: {
    style: '`bare` (default: `cudaPackages.libcublas`) or `explicit` (`libcublas.dev libcublas.lib`, the 2023–2024 style)',
    'cuda-libs': 'comma-separated library packages to use instead of the ones inferred from evidence (e.g. `libcublas,libcufft`)',
    'version-attr': 'attribute of cudaPackages for `cudatoolkit.version` (default `cudaMajorMinorVersion`; `cudaVersion` for older nixpkgs)',
    source: "the package's source: a folder or a .tar.gz/.tar.xz/.tar.bz2/.zip archive; its includes, CMake targets, link flags and run-time loads decide the library set",
    build: 'the old build (a store path or folder): the DT_NEEDED entries of its ELF files decide the library set',
  },
  checkOptions: optionProblem,
  transform(file, api, options) {
    checkOptions(options);
    const ctx = new Ctx(api, options, file.path);
    collectUses(ctx);
    applySuppressions(ctx);
    rewriteInheritedAttributes(ctx);
    if (ctx.uses.length === 0 && ctx.inheritUses.length === 0) return;
    rewriteCallSites(ctx);
    rewriteAll(ctx);
    finish(ctx);
  },
};

export default transform;
