/**
 * Build roots and flags (docs/cuda.md#conventions): CMake's toolkit root and host compiler flags
 * are dropped (the CUDA setup hook of the redist packages passes them); a build-root variable
 * (`CUDA_HOME`, `CUDA_PATH`, `TF_CUDA_PATHS`, …) that needs one prefix gets a build-time-only
 * `symlinkJoin` of the needed components; `passthru.cudatoolkit` is kept for compatibility.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { toolkitNameVersion } from '../../../src/cuda/facts.js';
import type { Ctx, SetRef, Use } from '../context.js';
import { planElement } from './inputs.js';
import { joinMembers } from './join-members.js';

export const BUILD_ROOT_NAMES = /^(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_PATH|CUDA_TOOLKIT_ROOT_DIR|CUDAToolkit_ROOT|TF_CUDA_PATHS|CUDA_BIN_PATH|CUDA_TOOLKIT_ROOT)$/;
const JOIN_NAME = 'cudaJoined';

/** The build-time-only join for build systems that need one prefix (added by addJoin). */
export function join(ctx: Ctx, set: SetRef, at?: SyntaxNode): string {
  if (!ctx.joinSet) {
    ctx.joinSet = set;
    ctx.joinAt = at;
  }
  return JOIN_NAME;
}

/**
 * The `let` inside the top function's body that binds the name the join's set starts with
 * (`with pkgs; let cudaPackages = …; inherit (cudaPackages) cudatoolkit; in …`): the join must be
 * written there, where its members' set is bound. Undefined when the set is bound at the top.
 */
export function joinHostLet(ctx: Ctx): SyntaxNode | undefined {
  const set = ctx.joinSet;
  const body = ctx.top?.body;
  if (!set || !ctx.joinAt || !body) return undefined;
  const root = /^[A-Za-z_][\w'-]*/.exec(set.text)?.[0];
  if (!root) return undefined;
  const r = ctx.api.scopes().resolveNameAt(ctx.joinAt, root);
  if (r.kind !== 'bound' || r.definition.scope.type !== 'let_expression') return undefined;
  const scope = r.definition.scope;
  return scope.startIndex >= body.startIndex && scope.endIndex <= body.endIndex ? scope : undefined;
}

/**
 * CMake variables that point at the toolkit's prefix (or a folder of it) or its host compiler:
 * the CUDA setup hook of the redist packages passes `CUDAToolkit_ROOT` and the host compiler.
 */
const CMAKE_ROOT_VARIABLES = 'CUDA_TOOLKIT_ROOT_DIR|CUDA_HOST_COMPILER|CMAKE_CUDA_HOST_COMPILER|CUDAToolkit_ROOT|CUDA_SDK_ROOT_DIR|CUDA_LIBRARIES_PATH|CUDA_BIN_PATH';
/** A flag starts the string or follows a blank (`lib64-DCUDA_…` is not a flag). */
const CMAKE_ROOT_FLAG = new RegExp(`(?:^|[\\s'"])(-D(${CMAKE_ROOT_VARIABLES})(:[A-Z]+)?=)$`);
const CMAKE_ROOT_NAME = new RegExp(`^(${CMAKE_ROOT_VARIABLES})$`);

/**
 * Remove a list element, in the list's plan (finish/inputs.ts: one edit per list; a list left
 * empty goes with its `++` operand, `++ lib.optionals c [ ]`).
 */
function removeFromList(ctx: Ctx, element: SyntaxNode): void {
  planElement(ctx, element.parent!, element, []);
}

function reportRemoved(ctx: Ctx, at: number, what: string): void {
  ctx.api.report(at, {
    rule: 'cmake-root-removed',
    message: `removed \`${what}\`: the CUDA setup hook of the redist packages passes the toolkit root and host compiler to CMake`,
  });
}

/**
 * `(lib.cmakeFeature "CUDA_TOOLKIT_ROOT_DIR" "${cudatoolkit}/")` (or `lib.cmakeOptionType …`): the
 * whole flag is removed from its list. True when handled.
 */
function isCmakeFeatureRoot(ctx: Ctx, use: Use, str: SyntaxNode): boolean {
  const app = str.parent;
  const fn = app?.type === 'apply_expression' && app.childForFieldName('argument')?.id === str.id ? app.childForFieldName('function') : null;
  const callee = fn?.type === 'apply_expression' ? fn.childForFieldName('function') : null;
  const name = fn?.childForFieldName('argument');
  const d = callee ? ctx.api.syntax.dottedName(ctx.src, callee) : undefined;
  if (!app || !name || !d || !/^cmake(Feature|OptionType)$/.test(d[d.length - 1]!)) return false;
  if (!CMAKE_ROOT_NAME.test(ctx.text(name).replace(/^"|"$/g, ''))) return false;
  if (!/^"\$\{[^}]*\}[/A-Za-z0-9_]*"$/.test(ctx.text(str))) return false;
  let element: SyntaxNode = app;
  while (element.parent?.type === 'parenthesized_expression') element = element.parent;
  if (element.parent?.type !== 'list_expression') return false;
  removeFromList(ctx, element);
  ctx.handled(use);
  reportRemoved(ctx, element.startIndex, ctx.text(element));
  return true;
}

/** `-DCUDA_HOST_COMPILER=${cudatoolkit.cc}/…`, `-DCUDA_TOOLKIT_ROOT_DIR=${cudatoolkit}` and the like: removed. */
export function isCmakeRootFlag(ctx: Ctx, use: Use): boolean {
  const interp = use.node.parent;
  if (interp?.type !== 'interpolation') return false;
  const str = interp.parent!;
  if (isCmakeFeatureRoot(ctx, use, str)) return true;
  const info = ctx.api.syntax.interpolations(ctx.src, str).find((i) => i.node.id === interp.id);
  const m = info && CMAKE_ROOT_FLAG.exec(info.before);
  if (!info || !m) return false;
  const flag = m[1]!;
  const flagStart = interp.startIndex - flag.length;
  // the flag runs to the next blank or the end of the string
  // (an escape such as `\"` belongs to the flag: cutting inside it would leave invalid Nix)
  const afterMatch = /^(?:\\.|[^\s"'\\])*/.exec(info.after)![0];
  const flagEnd = interp.endIndex + afterMatch.length;
  const whole = str.startIndex + 1 === flagStart && flagEnd === str.endIndex - 1;
  if (whole && str.parent?.type === 'list_expression') {
    removeFromList(ctx, str);
  } else {
    let s = flagStart;
    while (s > 0 && (ctx.src[s - 1] === ' ' || ctx.src[s - 1] === '\t')) s--;
    ctx.api.edit.replace({ startIndex: s, endIndex: flagEnd }, '');
  }
  ctx.handled(use);
  reportRemoved(ctx, flagStart, `${flag}\${${ctx.text(use.node)}}${afterMatch}`);
  return true;
}

/** `NAME = cudatoolkit;`: a build root gets the join, `passthru.cudatoolkit` stays; others are reported. */
export function rewriteBindingValue(ctx: Ctx, use: Use, binding: SyntaxNode): void {
  const names = binding.childForFieldName('attrpath')!.namedChildren.map((a) => ctx.api.syntax.attrName(ctx.src, a) ?? '?');
  const name = names[names.length - 1]!;
  if (BUILD_ROOT_NAMES.test(name)) {
    // (no top function to host the join: the root is left, reported)
    if (!ctx.top) return ctx.left(use, 'unknown-use', `\`${ctx.text(use.node)}\` is a build root, but this file has no top function to host the join of split packages it needs`, 'add a symlinkJoin of the needed components by hand');
    ctx.replace(use.node, join(ctx, use.set, use.node));
    return ctx.handled(use);
  }
  // passthru.cudatoolkit (openmpi keeps it for backward compatibility, docs/cuda.md#legacy-forms)
  if (toolkitNameVersion(name) !== null && (names[0] === 'passthru' || ctx.inPassthru(binding))) {
    ctx.replace(use.node, `${use.set.text}.cudatoolkit`);
    ctx.api.report(use.node, { rule: 'passthru-kept', message: `\`passthru.${name}\` now refers to \`${use.set.text}.cudatoolkit\` for backward compatibility; passthru does not enter closures`, fix: 'drop it once no consumer reads it' });
    return ctx.handled(use);
  }
  ctx.left(use, 'unknown-use', `\`${name} = ${ctx.text(use.node)};\`: the transform cannot tell what \`${name}\` needs`, 'replace it by the split packages it needs');
}

function symlinkJoinName(ctx: Ctx): string {
  const names = new Set(ctx.top?.formals.map((f) => f.name));
  if (!names.has('symlinkJoin') && names.has('pkgs')) return 'pkgs.symlinkJoin';
  ctx.needSymlinkJoin = true;
  return 'symlinkJoin';
}

/** Add the join a build root asked for, as a `let` binding around the top function's body. */
export function addJoin(ctx: Ctx): void {
  const set = ctx.joinSet;
  if (!set) return;
  if (!ctx.top) {
    ctx.api.report(0, { rule: 'build-time-join', message: 'a build-time join is needed but the file has no top function to host it', fix: 'add a symlinkJoin of the needed components by hand' });
    return;
  }
  // in the body of the innermost of the top functions (`{ … }: final: prev: …`), where the
  // names they bind (`prev`, `super`) are bound
  let fn = ctx.top.node;
  let body = ctx.top.body!;
  while (body.type === 'function_expression' && body.childForFieldName('body')) {
    fn = body;
    body = body.childForFieldName('body')!;
  }
  // the library findings name the join's members too, at the use that asked for it
  ctx.libSite ??= ctx.joinAt;
  const host = joinHostLet(ctx);
  if (host) body = host;
  // where the join is written (for names bound only by a `with` below it)
  const site = ctx.joinTarget ?? (body.type === 'let_expression' ? body : fn);
  const binding = [
    '# Build-time only: one prefix for a build system that cannot use split packages.',
    '# It must not reach a runtime path (RUNPATH, wrappers), or it keeps every part alive.',
    `${JOIN_NAME} = ${symlinkJoinName(ctx)} {`,
    '  name = "cuda-joined";',
    '  paths = [',
    ...joinMembers(ctx, set, site, [], false).map((p) => `    ${p}`),
    '  ];',
    '};',
  ].join('\n');
  if (ctx.joinTarget) {
    const indent = ctx.lineIndent(ctx.joinTarget.startIndex);
    ctx.api.edit.replace(ctx.joinTarget, ctx.api.edit.reindent(binding, indent).slice(indent.length));
  } else if (body.type === 'let_expression') ctx.api.edit.addBinding(body, binding, { after: undefined });
  else ctx.api.edit.insertBefore(body, `let\n${ctx.api.edit.reindent(binding, ctx.api.style.indent)}\nin\n`);
  ctx.api.report(body, {
    rule: 'build-time-join',
    message: `added \`${JOIN_NAME}\`, a build-time-only symlinkJoin of ${[...ctx.libs.tools, ...ctx.libs.compileLibs].join(', ')}, for the build-root variable(s) that need one CUDA prefix`,
    fix: 'keep it out of runtime paths; prefer the split packages if the build system can use them',
  });
}
