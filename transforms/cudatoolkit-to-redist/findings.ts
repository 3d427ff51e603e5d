/**
 * The library findings: which packages replaced the toolkit and the evidence for each
 * (`libraries-from-evidence`), or a request to prune when there was none (`review-library-set`);
 * libraries loaded at run time that no runtime path names (`runtime-load`); and why the package's
 * source could not be scanned (`no-source-evidence`).
 */
import { describeItem } from '../../src/cuda/evidence/decide.js';
import { LIBRARIES } from '../../src/cuda/facts.js';
import type { Ctx } from './context.js';

const DEFAULT_WHY: Readonly<Record<string, string>> = {
  cuda_cudart: 'the CUDA runtime, always',
  cuda_cccl: 'CUDA headers for compiled code',
  cuda_nvcc: 'the toolkit was a build input: the compiler',
};

function why(ctx: Ctx, n: string): string {
  return ctx.libs.why.get(n) ?? DEFAULT_WHY[n] ?? (ctx.libs.basis === 'fallback' ? 'legacy toolkit contents' : 'option cuda-libs');
}

/** What the evidence showed beyond the set: test-only uses, packages outside the toolkit. */
function beyond(ctx: Ctx): string {
  const parts: string[] = [];
  const outside = new Map<string, string>();
  for (const item of ctx.libs.outside) if (!outside.has(item.pkg)) outside.set(item.pkg, describeItem(item));
  if (outside.size > 0) parts.push(`. Seen only in ${[...new Set(ctx.libs.outside.map((i) => i.place))].join(', ')}, not kept: ${[...outside].map(([p, w]) => `${p} (${w})`).join('; ')}`);
  const buildOnly = new Map<string, string>();
  for (const item of ctx.libs.buildOnly) if (!buildOnly.has(item.pkg)) buildOnly.set(item.pkg, describeItem(item));
  if (buildOnly.size > 0) parts.push(`. Named only in build files, never included or loaded by the code, not kept: ${[...buildOnly].map(([p, w]) => `${p} (${w})`).join('; ')}`);
  const missing = ctx.libs.beyondToolkit.filter((p) => !new RegExp(`\\b${p}\\b`).test(ctx.src));
  if (missing.length > 0) parts.push(`. Also used, not part of the toolkit and not in this file (not added): ${missing.join(', ')}`);
  if (ctx.libs.driverLibs.length > 0) parts.push(`. Driver libraries, found at run time through the driver's path (autoAddDriverRunpath), not packages: ${ctx.libs.driverLibs.join(', ')}`);
  return parts.join('');
}

export function reportLibraries(ctx: Ctx): void {
  const handled = ctx.uses.filter((u) => ctx.ledger.isHandled(u.node));
  const libsEmitted = [...ctx.emitted].some((n) => LIBRARIES.some((c) => c.name === n));
  if (handled.length === 0 || !libsEmitted || !ctx.libSite) {
    if (handled.length > 0 && ctx.emitted.has('cuda_nvcc')) ctx.api.report(handled[0]!.node, { rule: 'libraries-from-evidence', message: `cudatoolkit → cuda_nvcc (${why(ctx, 'cuda_nvcc')})` });
    return;
  }
  const { basis, compileLibs, tools, notShown } = ctx.libs;
  const gated = ctx.versionGated.size > 0 ? `; left out for the CUDA version of the set: ${[...ctx.versionGated].join(', ')}` : '';
  if (basis === 'fallback') {
    ctx.api.report(ctx.libSite, {
      rule: 'review-library-set',
      message: `no evidence of which CUDA libraries this package uses; kept every library of the legacy toolkit: ${compileLibs.filter((n) => ctx.emitted.has(n)).join(', ')}${gated}`,
      fix: 'remove the ones the package does not use (or rerun with -o cuda-libs=libcublas,libcufft,… or -o cudatoolkit-to-redist:source=<the package source>)',
    });
    return;
  }
  const runtime = ctx.libs.loadedAtRunTime.filter((n) => ctx.emitted.has(n));
  const described = [...compileLibs, ...tools, ...runtime]
    .filter((n, i, all) => all.indexOf(n) === i && ctx.emitted.has(n))
    .map((n) => `${n} (${why(ctx, n)})`);
  const rest = basis !== 'forced' && notShown.length > 0 ? `. Not kept, for lack of evidence: ${notShown.join(', ')}; add any the package needs (the legacy toolkit provided them)` : '';
  ctx.api.report(ctx.libSite, { rule: 'libraries-from-evidence', message: `cudatoolkit → ${described.join('; ')}${gated}${rest}${beyond(ctx)}` });
}

/** Libraries the source loads at run time, when no runtime path was written for them. */
export function reportRuntimeLoads(ctx: Ctx): void {
  const loaded = ctx.libs.loadedAtRunTime;
  if (loaded.length === 0 || ctx.wroteRuntimePath || !ctx.libSite) return;
  const set = ctx.uses.find((u) => ctx.ledger.isHandled(u.node))?.set;
  if (!set) return;
  const list = loaded.map((n) => `(lib.getLib ${set.text}.${n})`).join(' ');
  ctx.api.report(ctx.libSite, {
    rule: 'runtime-load',
    message: `the source loads ${loaded.join(', ')} at run time (${loaded.map((n) => ctx.libs.why.get(n)?.replace(/^loaded at run time: /, '')).filter(Boolean).join('; ')}); being in buildInputs does not put them on the runtime path`,
    fix: `add them to the RUNPATH of what loads them, e.g. in postFixup: patchelf --add-rpath \${lib.makeLibraryPath [ ${list} ]} <file> (or runtimeDependencies with autoPatchelfHook)`,
  });
}

/** `--evidence sources` found no source for this file: say why. */
export function reportMissingSource(ctx: Ctx): void {
  const reason = ctx.options['source-missing'];
  if (typeof reason !== 'string' || reason === '' || !ctx.libSite) return;
  ctx.api.report(ctx.libSite, { rule: 'no-source-evidence', message: `no source evidence: ${reason}; the set was decided from the .nix file alone`, fix: 'rerun with -o cudatoolkit-to-redist:source=<the package source> to decide from the source' });
}
