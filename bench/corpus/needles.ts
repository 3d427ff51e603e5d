/** Part of the benchmark corpus generator (bench/corpus.ts): needle variants. */
import { Rng } from '../rng.js';
import { Drv, renderList } from './model.js';
import { metaField } from './pieces.js';
import { ind } from './random.js';
import { sentence } from './text.js';
import { C_LIBS, RUNTIME_TOOLS } from './vocabulary.js';


export const CUDA_LIBS = ['cublas', 'cufft', 'curand', 'cusparse', 'cusolver', 'nvrtc', 'nvjpeg'];
export const CUDA_REDIST = ['cuda_cudart', 'libcublas', 'libcufft', 'libcurand', 'libcusparse', 'libcusolver', 'cuda_nvrtc', 'cuda_cupti', 'cuda_cccl'];
export const CUDA_SETS = ['cudaPackages_11_8', 'cudaPackages_12_2', 'cudaPackages_12_4', 'cudaPackages_12'];

export const CUDA_VARIANTS_CC = [
  'inputs', 'cmake-root', 'paths', 'rpath', 'pkgs-attr', 'let-alias', 'autotools', 'null-default', 'cc-stdenv', 'join-wrapper',
  'join-rpath', 'join-inputs', 'join-nested', 'join-passthru', 'join-legacy',
] as const;
export const CUDA_VARIANTS_PY = ['py-inherit', 'py-formal', 'py-join'] as const;
/** CUDA variants whose file has a `cudatoolkit` formal (their call site may pass one). */
export const TAKES_TOOLKIT = new Set(['inputs', 'cmake-root', 'paths', 'rpath', 'autotools', 'null-default', 'cc-stdenv', 'join-legacy', 'py-formal']);
export const JOIN_VARIANTS = ['symlinkJoin-wrapper', 'buildEnv', 'join-let'] as const;
export const DRIVER_VARIANTS = ['driver-formal', 'driver-hook', 'driver-with'] as const;

export function cudaSupportFormal(d: Drv): string {
  const r = d.r;
  const name = r.chance(0.8) ? 'cudaSupport' : r.pick(['enableCuda', 'withCuda', 'gpuSupport']);
  const def = r.chance(0.5) ? 'config.cudaSupport' : r.pick(['false', 'true']);
  if (def.startsWith('config')) d.use('config');
  d.optFormal(name, def);
  return name;
}

export function evidenceLibs(r: Rng): string[] {
  return r.sample(CUDA_LIBS, r.range(1, 3));
}

export function addEvidence(d: Drv, cond: string | undefined): void {
  const r = d.r;
  const libs = evidenceLibs(r);
  switch (r.int(3)) {
    case 0: {
      const e = d.attrs('env');
      e.entries.push([`${d.pname.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CUDA_LIBS`, `"${libs.join(';')}"`]);
      break;
    }
    case 1: {
      const key = d.flagsKey ?? 'makeFlags';
      const item = key === 'cmakeFlags' ? `"-DGPU_LINK_LIBS=${libs.join(';')}"` : `"LDLIBS=${libs.map((l) => `-l${l}`).join(' ')}"`;
      if (cond) d.list(key).opts.push({ fn: 'optionals', cond, items: [item] });
      else d.list(key).base.push(item);
      break;
    }
    default:
      d.attrs('env').entries.push(['NIX_LDFLAGS', `"${libs.map((l) => `-l${l}`).join(' ')}"`]);
  }
}

export type JoinStyle = 'with' | 'attr' | 'getLib' | 'lib-output';

export function joinPaths(d: Drv, level: number, style: JoinStyle): string {
  const r = d.r;
  const members = r.sample(CUDA_REDIST, r.range(2, 5));
  if (style === 'with') return `with cudaPackages; ${renderList(d.style, members, level)}`;
  if (style === 'getLib') return renderList(d.style, members.map((m) => `(lib.getLib cudaPackages.${m})`), level);
  if (style === 'lib-output') return renderList(d.style, members.filter((m) => m !== 'cuda_cccl').concat('cuda_cudart').filter((m, i, a) => a.indexOf(m) === i).map((m) => `cudaPackages.${m}.lib`), level);
  return renderList(d.style, members.map((m) => `cudaPackages.${m}`), level);
}

export function joinLet(d: Drv, name: string, pathsStyle: JoinStyle, comment?: string): void {
  d.use('symlinkJoin', 'cudaPackages', 'lib');
  const c = comment ? `${ind(1)}# ${comment}\n` : '';
  d.lets.push(`${c}${ind(1)}${name} = symlinkJoin {\n${ind(2)}name = "${d.pname}-${name.toLowerCase().replace(/_/g, '-')}";\n${ind(2)}paths = ${joinPaths(d, 2, pathsStyle)};\n${ind(1)}};`);
}

export function applyCudaVariant(d: Drv, v: string): void {
  const r = d.r;
  const n = d.pname;
  switch (v) {
    case 'inputs': {
      const cond = cudaSupportFormal(d);
      d.use('cudatoolkit');
      d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      if (r.chance(0.85)) addEvidence(d, cond);
      return;
    }
    case 'cmake-root': {
      const cond = cudaSupportFormal(d);
      d.use('cudatoolkit');
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      const items = ['"-DCUDA_TOOLKIT_ROOT_DIR=${cudatoolkit}"'];
      if (r.chance(0.5)) items.push('"-DCMAKE_CUDA_HOST_COMPILER=${cudatoolkit.cc}/bin/c++"');
      items.push(`"-D${n.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CUDA_LIBS=${evidenceLibs(r).join(';')}"`);
      d.list('cmakeFlags').opts.push({ fn: 'optionals', cond, items });
      if (r.chance(0.5)) d.attrs('passthru').entries.push(['cudaVersion', 'cudatoolkit.version']);
      return;
    }
    case 'paths': {
      d.use('cudatoolkit');
      d.addTo('buildInputs', 'cudatoolkit');
      const f = d.shell(r.pick(['preBuild', 'preConfigure']));
      const exports = r.sample([
        'export NVCC=${cudatoolkit}/bin/nvcc',
        'export PTXAS=${cudatoolkit}/bin/ptxas',
        'export CUDA_INCLUDE_DIR=${cudatoolkit}/include',
        `export CUBLAS_LIB=\${cudatoolkit}/lib64/libcublas.so`,
        'export CUFFT_HEADER=${cudatoolkit}/include/cufft.h',
        'export LIBDEVICE_DIR=${cudatoolkit}/nvvm/libdevice',
        'export CUDA_STUBS=${cudatoolkit}/lib/stubs',
      ], r.range(2, 4));
      f.lines.unshift(...exports);
      return;
    }
    case 'rpath': {
      d.use('cudatoolkit', 'lib');
      d.addNative('makeWrapper');
      if (r.chance(0.5)) d.addNative('autoPatchelfHook');
      const f = d.shell('postFixup');
      const lines: string[] = [];
      if (r.chance(0.7)) lines.push(`patchelf --add-rpath \${lib.makeLibraryPath [ ${r.chance(0.5) ? 'cudatoolkit.lib cudatoolkit' : 'cudatoolkit'} ]} $out/lib/lib${n}.so`);
      lines.push(`wrapProgram $out/bin/${n} --prefix LD_LIBRARY_PATH : \${cudatoolkit}/lib`);
      f.lines.unshift(...lines);
      d.raw('dlopenLibs', renderList(d.style, evidenceLibs(r).map((l) => `"lib${l}.so"`), 1));
      return;
    }
    case 'pkgs-attr': {
      const cond = cudaSupportFormal(d);
      d.use('cudaPackages');
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudaPackages.cudatoolkit'] });
      if (r.chance(0.5)) d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudaPackages.cudatoolkit'] });
      addEvidence(d, cond);
      return;
    }
    case 'let-alias': {
      d.use('cudaPackages');
      if (r.chance(0.5)) d.lets.push(`${ind(1)}cudatoolkit = cudaPackages.cudatoolkit;`);
      else d.lets.push(`${ind(1)}inherit (cudaPackages) cudatoolkit${r.chance(0.5) ? ' cudnn' : ''};`);
      d.addLocal('buildInputs', 'cudatoolkit');
      if (r.chance(0.6)) d.addLocal('nativeBuildInputs', 'cudatoolkit');
      addEvidence(d, undefined);
      return;
    }
    case 'autotools': {
      const cond = cudaSupportFormal(d);
      d.use('cudatoolkit');
      d.list('buildInputs').opts.push({ fn: 'optional', cond, items: ['cudatoolkit'] });
      d.list('configureFlags').opts.push({ fn: 'optionals', cond, items: ['"--with-cuda=${cudatoolkit}"', ...(r.chance(0.5) ? ['"--with-cuda-libdir=${cudatoolkit}/lib/stubs"'] : [])] });
      return;
    }
    case 'null-default': {
      const cond = cudaSupportFormal(d);
      d.optFormal('cudatoolkit', 'null');
      d.asserts.push(`${cond} -> cudatoolkit != null`);
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      addEvidence(d, cond);
      return;
    }
    case 'cc-stdenv': {
      const cond = cudaSupportFormal(d);
      d.use('cudatoolkit');
      d.lets.push(`${ind(1)}effectiveStdenv = if ${cond} then cudatoolkit.cc.stdenv else stdenv;`);
      d.head = 'effectiveStdenv.mkDerivation';
      d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      d.list(d.flagsKey ?? 'cmakeFlags').opts.push({ fn: 'optionals', cond, items: ['"-DCMAKE_CUDA_HOST_COMPILER=${cudatoolkit.cc}/bin/c++"'] });
      d.attrs('env').entries.push([`${n.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_GPU_DEPS`, `"${evidenceLibs(r).join(' ')}"`]);
      return;
    }
    case 'join-wrapper': {
      const j = r.pick(['cudaRuntime', 'cudaLibs', 'gpuRuntime']);
      joinLet(d, j, r.pick(['lib-output', 'getLib'] as const), r.chance(0.5) ? 'libraries loaded at run time' : undefined);
      d.addNative('makeWrapper');
      d.shell('postFixup').lines.unshift(`wrapProgram $out/bin/${n} --prefix LD_LIBRARY_PATH : \${${j}}/lib`);
      return;
    }
    case 'join-rpath': {
      const j = r.pick(['cuda_joined', 'cudaJoined', 'cuda-merged']);
      joinLet(d, j, r.pick(['with', 'attr'] as const));
      if (r.chance(0.5)) {
        d.lets.push(`${ind(1)}rpath = lib.makeLibraryPath [\n${ind(2)}stdenv.cc.cc\n${ind(2)}${j}\n${ind(1)}];`);
        d.shell('postFixup').lines.unshift(`patchelf --set-rpath "\${rpath}" $out/bin/${n}`);
      } else d.shell('postFixup').lines.unshift(`patchelf --add-rpath \${lib.makeLibraryPath [ ${j} ]} $out/bin/${n}`);
      d.list('nativeBuildInputs').base.push('cudaPackages.cuda_nvcc');
      return;
    }
    case 'join-inputs': {
      const j = r.pick(['cuda-joined', 'cudaEnv', 'cudatk']);
      joinLet(d, j, 'with');
      d.addLocal('buildInputs', j);
      d.raw('CUDA_PATH', j);
      return;
    }
    case 'join-nested': {
      joinLet(d, 'mathLibs', 'attr');
      d.use('symlinkJoin');
      d.lets.push(`${ind(1)}allLibs = symlinkJoin {\n${ind(2)}name = "${n}-cuda-all";\n${ind(2)}paths = ${renderList(d.style, ['mathLibs', 'cudaPackages.cuda_cudart', 'cudaPackages.cuda_cccl'], 2)};\n${ind(1)}};`);
      d.addLocal('runtimeDependencies', 'allLibs');
      return;
    }
    case 'join-passthru': {
      joinLet(d, 'cudaEnv', 'attr');
      d.addLocal('buildInputs', 'cudaEnv');
      d.attrs('passthru').entries.push(['inherit cudaEnv', '']);
      return;
    }
    case 'join-legacy': {
      d.use('symlinkJoin', 'cudatoolkit', 'lib');
      d.lets.push(`${ind(1)}cudatoolkit_joined = symlinkJoin {\n${ind(2)}name = "cudatoolkit-joined";\n${ind(2)}paths = ${renderList(d.style, ['cudatoolkit.out', 'cudatoolkit.lib'], 2)};\n${ind(1)}};`);
      d.addLocal('buildInputs', 'cudatoolkit_joined');
      d.attrs('env').entries.push(['LIBS', `"${evidenceLibs(r).map((l) => `-l${l}`).join(' ')}"`]);
      d.shell('postFixup').lines.unshift(`patchelf --set-rpath \${lib.makeLibraryPath [ cudatoolkit_joined ]} $out/bin/${n}`);
      return;
    }
    // python
    case 'py-inherit': {
      const cond = cudaSupportFormal(d);
      d.use('cudaPackages');
      d.lets.push(`${ind(1)}inherit (cudaPackages) cudatoolkit cudnn;`);
      d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit', 'cudnn'] });
      const e = d.attrs('env');
      e.cond = cond;
      e.entries.push(['CUPTI_INCLUDE_DIR', '"${cudatoolkit}/extras/CUPTI/include"']);
      e.entries.push([`${n.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CUDA_LIBS`, `"${evidenceLibs(r).join(';')}"`]);
      return;
    }
    case 'py-formal': {
      const cond = cudaSupportFormal(d);
      d.use('cudatoolkit');
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudatoolkit'] });
      addEvidence(d, cond);
      return;
    }
    case 'py-join': {
      joinLet(d, 'cudatoolkit-joined', 'with');
      d.addLocal('buildInputs', 'cudatoolkit-joined');
      d.raw('CUDA_PATH', 'cudatoolkit-joined');
      return;
    }
    default:
      throw new Error(`unknown CUDA variant ${v}`);
  }
}

export function applyDriverVariant(d: Drv, v: string): void {
  const r = d.r;
  const n = d.pname;
  switch (v) {
    case 'driver-formal': {
      d.addNative('addOpenGLRunpath');
      const f = d.shell('postFixup');
      f.lines.unshift(`addOpenGLRunpath $out/bin/${n}`);
      if (r.chance(0.5)) f.lines.unshift('for lib in $out/lib/*.so; do', '  addOpenGLRunpath "$lib"', 'done');
      if (r.chance(0.4)) f.lines.push(`echo "\${addOpenGLRunpath.driverLink}/lib" > $out/share/${n}-driver-path`);
      return;
    }
    case 'driver-hook': {
      const cond = cudaSupportFormal(d);
      d.use('cudaPackages');
      d.list('nativeBuildInputs').opts.push({ fn: 'optionals', cond, items: ['cudaPackages.cuda_nvcc', 'cudaPackages.autoAddOpenGLRunpathHook'] });
      return;
    }
    default: {
      const cond = cudaSupportFormal(d);
      d.use('cudaPackages');
      const items = ['cuda_cudart', ...(r.chance(0.5) ? ['libcublas'] : []), 'autoAddOpenGLRunpathHook'];
      d.list('buildInputs').opts.push({ fn: 'optionals', cond, items, withPrefix: 'cudaPackages' });
      return;
    }
  }
}

/** A package that is a non-CUDA `symlinkJoin` wrapper or `buildEnv`. */
export function joinPackage(d: Drv, v: 'symlinkJoin-wrapper' | 'buildEnv'): void {
  const r = d.r;
  const n = d.pname;
  d.self = 'none';
  d.use('lib');
  if (v === 'symlinkJoin-wrapper') {
    const unwrapped = `${n}-unwrapped`;
    d.head = 'symlinkJoin';
    d.use('symlinkJoin', 'makeWrapper', unwrapped);
    d.optFormal('plugins', '[ ]');
    d.raw('name', `"${n}-with-plugins-\${${unwrapped}.version}"`);
    d.raw('paths', `[ ${unwrapped} ] ++ plugins`);
    d.raw('nativeBuildInputs', '[ makeWrapper ]');
    d.raw('postBuild', `''\n${ind(2)}wrapProgram $out/bin/${n} \\\n${ind(2)}  --prefix ${n.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PLUGIN_PATH : $out/lib/${n}/plugins\n${ind(1)}''`);
    d.raw('passthru', `{\n${ind(2)}inherit plugins;\n${ind(2)}unwrapped = ${unwrapped};\n${ind(1)}}`);
    d.fields.set('meta', { t: 'attrs', prefix: `${unwrapped}.meta // `, entries: [['description', `"${sentence(r)} (with plugins)"`]] });
  } else {
    d.head = 'buildEnv';
    d.use('buildEnv');
    const members = r.sample(RUNTIME_TOOLS.concat(C_LIBS.filter((x) => !x.includes('.'))), r.range(2, 7));
    d.use(...members);
    d.raw('name', `"${n}-env"`);
    d.raw('paths', renderList(d.style, members, 1));
    d.raw('pathsToLink', renderList(d.style, r.sample(['"/bin"', '"/share"', '"/lib"', '"/include"', '"/share/man"', '"/etc"'], r.range(1, 3)), 1));
    if (r.chance(0.4)) d.raw('extraOutputsToInstall', renderList(d.style, ['"man"', '"doc"'], 1));
    if (r.chance(0.2)) d.raw('ignoreCollisions', 'true');
    metaField(d);
  }
}

export function joinLetVariant(d: Drv): void {
  const r = d.r;
  const members = r.sample(C_LIBS.filter((x) => !x.includes('.')), r.range(2, 4));
  d.use('symlinkJoin', ...members);
  const j = r.pick(['deps', 'runtimeLibs', 'merged', 'libsEnv']);
  d.lets.push(`${ind(1)}${j} = symlinkJoin {\n${ind(2)}name = "${d.pname}-${j.toLowerCase()}";\n${ind(2)}paths = ${renderList(d.style, members, 2)};\n${ind(1)}};`);
  d.addLocal('buildInputs', j);
  d.shell('postFixup').lines.unshift(`patchelf --set-rpath \${${j}}/lib $out/bin/${d.pname}`);
}
