/**
 * Interpolated paths under the toolkit prefix (docs/cuda.md#legacy-forms): `${cudatoolkit}/bin/nvcc`
 * → `lib.getExe' cuda_nvcc "nvcc"`, `${cudatoolkit}/include` → the package that owns the header,
 * `${cudatoolkit.lib}/lib` → `lib.getLib cuda_cudart`, a runtime `${cudatoolkit}/lib` (RUNPATH,
 * wrapper, `LD_LIBRARY_PATH`) → `lib.makeLibraryPath` of the runtime libraries, the whole prefix
 * in a build root → the build-time join, `--with-cuda=${cudatoolkit}` → `lib.getDev cuda_cudart`.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { LIBRARIES, mapToolkitPath } from '../../../src/cuda/facts.js';
import type { Ctx, Use } from '../context.js';
import { BUILD_ROOT_NAMES, isCmakeRootFlag, join } from './build-roots.js';
import { RUNTIME_BINDINGS } from './inputs.js';

const RUNTIME_TEXT = /patchelf|rpath|RUNPATH|LD_LIBRARY_PATH|wrapProgram|makeWrapper|--prefix|--suffix|--set\b/;
const ROOT_BEFORE = /(CUDA_HOME|CUDA_PATH|CUDA_ROOT|CUDA_TOOLKIT_PATH|TF_CUDA_PATHS|CUDAToolkit_ROOT|CUDA_TOOLKIT_ROOT_DIR)[=:]?["']?$/;

function libraryOf(text: string): string | undefined {
  return LIBRARIES.find((c) => c.evidence.test(text))?.name;
}

function isRuntimeString(ctx: Ctx, str: SyntaxNode, before: string, after: string): boolean {
  const name = ctx.enclosingBindingName(str);
  if (name && RUNTIME_BINDINGS.test(name)) return true;
  const line = `${before.split('\n').pop() ?? ''}${after.split('\n')[0] ?? ''}`;
  return RUNTIME_TEXT.test(line) || /:$/.test(before) || /^\/lib(64)?:/.test(after) || inRuntimeInterpolation(ctx, str);
}

/** Inside `${ … }` of an outer string whose line says run time (`--prefix LD_LIBRARY_PATH : ${ … }`). */
function inRuntimeInterpolation(ctx: Ctx, node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'interpolation') continue;
    const lineStart = ctx.src.lastIndexOf('\n', p.startIndex) + 1;
    if (RUNTIME_TEXT.test(ctx.src.slice(lineStart, p.startIndex))) return true;
  }
  return false;
}

/** `lib.makeLibraryPath [ … ]` as the text inside `${ }`, laid out as the file is (EditBuilder.interpolatedCallText). */
export function libraryPathText(ctx: Ctx, elements: string[], interp: SyntaxNode, wholeString: boolean, call = `${ctx.lib()}.makeLibraryPath`): string {
  return ctx.api.edit.interpolatedCallText(call, elements, interp.startIndex, wholeString);
}

function replacePath(ctx: Ctx, use: Use, interp: SyntaxNode, expr: string, consumed: string, replacement: string): void {
  ctx.replace(use.node, expr);
  if (consumed !== replacement) ctx.api.edit.replace({ startIndex: interp.endIndex, endIndex: interp.endIndex + consumed.length }, replacement);
  ctx.handled(use);
}

/** `${cudatoolkit.lib}/lib…`: the runfile's lib output holds libcudart only. True when handled. */
function rewriteLibOutput(ctx: Ctx, use: Use, interp: SyntaxNode, str: SyntaxNode, before: string, after: string): boolean {
  if (use.attrs[0] !== 'lib') return false;
  if (/^\/lib(64)?(?=$|[:"'\s])/.test(after) && before.endsWith(':') && ctx.runtimePathStrings.has(str.id)) {
    // `${cudatoolkit}/lib:${cudatoolkit.lib}/lib`: libcudart is already on the path just written
    const consumed = after.startsWith('/lib64') ? '/lib64' : '/lib';
    ctx.api.edit.remove({ startIndex: interp.startIndex - 1, endIndex: interp.endIndex + consumed.length });
    ctx.handled(use);
    return true;
  }
  if (!/^\/lib(64)?(?=$|[/:"'\s])/.test(after)) return false;
  replacePath(ctx, use, interp, ctx.accessor('lib', ctx.pkg(use.set, 'cuda_cudart', use.node)), after.startsWith('/lib64') ? '/lib64' : '/lib', '/lib');
  return true;
}

/** A bare library folder, `${cudatoolkit}/lib`. True when handled or reported. */
function rewriteLibraryFolder(ctx: Ctx, use: Use, interp: SyntaxNode, str: SyntaxNode, before: string, after: string): boolean {
  const libDir = /^\/lib(64)?(?=$|[:"'\s;])/.exec(after);
  if (!libDir) return false;
  const runtime = isRuntimeString(ctx, str, before, after);
  if (runtime) ctx.runtimePathStrings.add(str.id);
  const libs = ctx.runtimeLibs().filter((n) => ctx.available(n, use.set));
  if (runtime || libs.length === 1) {
    ctx.libSite ??= use.node;
    if (runtime) ctx.wroteRuntimePath = true;
    const whole = before === '' && new RegExp(`^${libDir[0]}["']?$`).test(after.split('\n')[0]!) && str.type === 'string_expression';
    // (one library: its folder, as a maintainer writes it, not a search path of one)
    const searchPath = runtime && libs.length !== 1;
    const text = searchPath
      ? libraryPathText(ctx, libs.map((p) => ctx.pkg(use.set, p, use.node)), interp, whole)
      : ctx.accessor('lib', ctx.pkg(use.set, libs[0]!, use.node));
    replacePath(ctx, use, interp, text, libDir[0], searchPath ? '' : '/lib');
    return true;
  }
  ctx.left(use, 'unknown-use', `\`\${${ctx.text(use.node)}}${libDir[0]}\` is a library folder, but this build-time flag cannot name several packages`, `use one \`-L\${lib.getLib cudaPackages.<pkg>}/lib\` per library (evidence: ${ctx.runtimeLibs().join(', ')})`);
  return true;
}

/** The whole prefix: `--with-cuda=`, build roots. True when handled. */
function rewritePrefix(ctx: Ctx, use: Use, str: SyntaxNode, before: string, after: string): boolean {
  if (!/^($|[\s"':;,])/.test(after)) return false;
  if (/--with-cuda(-dir)?=$/.test(before)) {
    // the configure script takes nvcc from that prefix too: it must be one prefix of all parts
    const nvcc = ctx.nvccFromPrefix();
    if (nvcc && ctx.top) {
      ctx.replace(use.node, join(ctx, use.set, use.node));
      ctx.api.report(use.node, { rule: 'build-time-join', message: `\`--with-cuda=\` is one prefix for the compiler as well: the configure script takes nvcc from it (${nvcc.file}:${nvcc.line} \`${nvcc.text}\`)`, fix: 'keep the join out of runtime paths' });
    } else {
      ctx.replace(use.node, ctx.accessor('dev', ctx.pkg(use.set, 'cuda_cudart', use.node)));
    }
    ctx.handled(use);
    return true;
  }
  const binding = ctx.enclosingBindingName(str);
  if (!ROOT_BEFORE.test(before) && !(binding !== undefined && BUILD_ROOT_NAMES.test(binding))) return false;
  if (!ctx.top) {
    // (no top function to host the join: the root is left, reported)
    ctx.left(use, 'unknown-use', `\`\${${ctx.text(use.node)}}\` is a build root, but this file has no top function to host the join of split packages it needs`, 'add a symlinkJoin of the needed components by hand');
    return true;
  }
  ctx.replace(use.node, join(ctx, use.set, use.node));
  ctx.handled(use);
  return true;
}

export function rewriteInterpolation(ctx: Ctx, use: Use, interp: SyntaxNode): void {
  if (isCmakeRootFlag(ctx, use)) return;
  const str = interp.parent!;
  const { before, after } = ctx.api.syntax.interpolations(ctx.src, str).find((i) => i.node.id === interp.id)!;
  if (rewriteLibOutput(ctx, use, interp, str, before, after)) return;
  const mapping = mapToolkitPath(after, libraryOf);
  if (mapping?.output === 'exe') {
    const exe = `${ctx.lib()}.getExe' ${ctx.pkg(use.set, mapping.pkg, use.node)} ${JSON.stringify(mapping.program)}`;
    ctx.api.edit.replace({ startIndex: interp.startIndex, endIndex: interp.endIndex + mapping.consumed.length }, `\${${exe}}`);
    return ctx.handled(use);
  }
  if (mapping) return replacePath(ctx, use, interp, ctx.accessor(mapping.output, ctx.pkg(use.set, mapping.pkg, use.node)), mapping.consumed, mapping.replacementSuffix);
  if (rewriteLibraryFolder(ctx, use, interp, str, before, after)) return;
  if (rewritePrefix(ctx, use, str, before, after)) return;
  ctx.left(use, 'unknown-use', `\`\${${ctx.text(use.node)}}${after.slice(0, 30).split('\n')[0]}\`: a path under the legacy toolkit this transform cannot map`, 'point it at the split package that owns the file (see `nixshift explain cudatoolkit-to-redist`)');
}
