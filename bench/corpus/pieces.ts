/** Part of the benchmark corpus generator (bench/corpus.ts): pieces shared by the templates. */
import { Rng } from '../rng.js';
import { Drv, renderList, type Field } from './model.js';
import { cap, gitRev, ind, nix32, sri } from './random.js';
import { paragraphLines, sentence } from './text.js';
import { C_LIBS, GERUND, LICENSES, PLATFORMS, RUNTIME_TOOLS, SHELL_COMMENTS } from './vocabulary.js';


export function srcGitHub(d: Drv, owner: string, level = 1): string {
  d.use('fetchFromGitHub');
  const r = d.r;
  const i = ind(level + 1);
  const rev = d.vref ? (r.chance(0.6) ? `rev = "v${d.vstr}";` : r.chance(0.5) ? `tag = "v${d.vstr}";` : `rev = ${d.vref};`) : `rev = "${gitRev(r)}";`;
  return `fetchFromGitHub {\n${i}owner = "${owner}";\n${i}repo = "${d.pname}";\n${i}${rev}\n${i}hash = "${sri(r)}";\n${ind(level)}}`;
}

export function srcUrl(d: Drv, level = 1): string {
  const r = d.r;
  const i = ind(level + 1);
  const fetcher = r.chance(0.8) ? 'fetchurl' : 'fetchzip';
  d.use(fetcher);
  const host = r.pick(['https://downloads.example.org', 'https://releases.example.net', 'mirror://sourceforge', 'https://ftp.example.com/pub']);
  const ext = r.pick(['tar.gz', 'tar.xz', 'tar.bz2', 'zip']);
  const hash = r.chance(0.7) || d.style === 'nixfmt' ? `hash = "${sri(r)}";` : `sha256 = "${nix32(r)}";`;
  return `${fetcher} {\n${i}url = "${host}/${d.pname}/${d.pstr}-${d.vstr}.${ext}";\n${i}${hash}\n${ind(level)}}`;
}

export function srcFor(d: Drv): string {
  return d.r.chance(0.65) ? srcGitHub(d, d.names.any()) : srcUrl(d);
}

export function metaField(d: Drv, opts: { program?: boolean; homepageOwner?: string } = {}): void {
  const r = d.r;
  const oldWith = d.style === 'old' && r.chance(0.7);
  const L = oldWith ? '' : 'lib.';
  const entries: [string, string][] = [];
  entries.push(['description', `"${sentence(r)}"`]);
  const home = opts.homepageOwner ? `https://github.com/${opts.homepageOwner}/${d.pname}` : `https://${d.pname}.example.org`;
  entries.push(['homepage', `"${home}"`]);
  if (opts.homepageOwner && d.vref && r.chance(0.5)) entries.push(['changelog', `"${home}/releases/tag/v${d.vstr}"`]);
  const lic = r.chance(0.15) ? `with ${L}licenses; [\n${ind(3)}${r.pick(LICENSES)}\n${ind(3)}${r.pick(LICENSES)}\n${ind(2)}]` : `${L}licenses.${r.pick(LICENSES)}`;
  entries.push(['license', d.style === 'old' && lic.startsWith('with') ? lic.replace(/\n\s*/g, ' ') : lic]);
  const ms = Array.from({ length: r.range(1, 3) }, () => d.names.any());
  const uniq = [...new Set(ms)];
  entries.push(['maintainers', `with ${L}maintainers; ${renderList(d.style, uniq, 2)}`]);
  if (r.chance(0.8)) entries.push(['platforms', oldWith ? r.pick(PLATFORMS).replace(/lib\./g, '') : r.pick(PLATFORMS)]);
  if (opts.program) entries.push(['mainProgram', `"${d.pname}"`]);
  const f: Field = { t: 'attrs', entries, prefix: oldWith ? 'with lib; ' : undefined };
  d.fields.set('meta', f);
}

/** Insert `longDescription` after `description` with about `budget` bytes. */
export function padLongDescription(d: Drv, budget: number): void {
  const meta = d.fields.get('meta');
  if (!meta || meta.t !== 'attrs') return;
  const lines = paragraphLines(d.r, 72, Math.max(60, budget - 40));
  // paragraphs: a blank line every few lines
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (i > 0 && i % 5 === 0) out.push('');
    out.push(ind(3) + l);
  });
  const value = `''\n${out.map((l) => (l.trim() ? l : '')).join('\n')}\n${ind(2)}''`;
  const at = meta.entries.findIndex(([k]) => k === 'description');
  const existing = meta.entries.findIndex(([k]) => k === 'longDescription');
  if (existing >= 0) meta.entries[existing] = ['longDescription', value];
  else meta.entries.splice(at + 1, 0, ['longDescription', value]);
}

export function fetchpatchItem(d: Drv, level: number): string {
  d.use('fetchpatch');
  const r = d.r;
  const i = ind(level + 1);
  const what = `${r.pick(['fix', 'support', 'allow', 'port'])}-${r.pick(['gcc-14', 'musl', 'darwin', 'aarch64', 'new-openssl', 'python-3-13', 'cmake-4', 'clang-19', 'big-endian'])}`;
  return `(fetchpatch {\n${i}name = "${what}.patch";\n${i}url = "https://github.com/${d.names.any()}/${d.pname}/commit/${gitRev(r)}.patch";\n${i}hash = "${sri(r)}";\n${ind(level)}})`;
}

export function padPatches(d: Drv, budget: number): void {
  const l = d.list('patches');
  let size = 0;
  let n = l.base.length;
  while (size < budget) {
    const item = d.r.chance(0.5)
      ? `./${String(++n).padStart(4, '0')}-${d.r.pick(['use-system', 'fix', 'remove', 'disable', 'install'])}-${d.r.pick(['zlib', 'tests', 'network-access', 'prefix', 'rpath', 'version-check', 'werror', 'docs'])}.patch`
      : fetchpatchItem(d, 2);
    if (l.base.includes(item)) continue;
    l.base.push(item);
    size += item.length + 6;
  }
}

// Shell snippets, by phase: what each phase of a nixpkgs package typically does.
export type ChunkKind =
  | 'subst' | 'sed' | 'shebang' | 'rm-src' | 'export' | 'install-bin' | 'install-data' | 'mkdir' | 'cp' | 'ln' | 'loop' | 'manpage'
  | 'completion' | 'wrap' | 'comment' | 'version' | 'rm-out' | 'chmod' | 'patchelf' | 'test-run' | 'escape-path' | 'desktop' | 'make';
export const PHASE_CHUNKS: Record<string, readonly ChunkKind[]> = {
  postPatch: ['subst', 'subst', 'subst', 'sed', 'shebang', 'rm-src', 'comment', 'version', 'escape-path'],
  preConfigure: ['export', 'export', 'subst', 'sed', 'comment', 'escape-path', 'shebang'],
  preBuild: ['export', 'subst', 'comment', 'make', 'escape-path'],
  buildPhase: ['make', 'make', 'export', 'comment'],
  checkPhase: ['test-run', 'test-run', 'export', 'comment', 'loop'],
  installPhase: ['install-bin', 'install-data', 'mkdir', 'cp', 'ln', 'loop', 'comment', 'rm-out', 'chmod', 'desktop'],
  postInstall: ['install-bin', 'install-data', 'mkdir', 'cp', 'ln', 'loop', 'manpage', 'completion', 'wrap', 'comment', 'rm-out', 'chmod', 'desktop'],
  postFixup: ['wrap', 'wrap', 'patchelf', 'rm-out', 'ln', 'comment', 'chmod'],
};
export const SRC_DIRS = ['src', 'lib', 'tools', 'cmd', 'include', 'bindings/python', 'contrib', 'plugins', 'server', 'client'];
export const SRC_MODULES = ['core', 'util', 'net', 'io', 'config', 'main', 'cli', 'parser', 'render', 'storage', 'plugin', 'log', 'crypto', 'http', 'db', 'paths', 'version', 'platform', 'env', 'settings'];
export const SRC_EXT = ['.c', '.cc', '.cpp', '.h', '.py', '.rs', '.go', '.sh', '.cmake', '.in', '.txt', '.json'];
export const TOP_FILES = ['Makefile', 'CMakeLists.txt', 'meson.build', 'configure.ac', 'setup.py', 'pyproject.toml', 'Cargo.toml', 'build.rs', 'go.mod', 'Makefile.am', 'setup.cfg', 'build.sh'];

export function srcFile(r: Rng): string {
  return r.chance(0.3) ? r.pick(TOP_FILES) : `${r.pick(SRC_DIRS)}/${r.pick(SRC_MODULES)}${r.pick(SRC_EXT)}`;
}

export function shellChunk(d: Drv, kind: ChunkKind): string[] {
  const r = d.r;
  const n = d.pname;
  const N = n.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const replace = d.style === 'old' && r.chance(0.5) ? '--replace' : r.chance(0.8) ? '--replace-fail' : '--replace-warn';
  switch (kind) {
    case 'subst': {
      const pairs: [string, string][] = [];
      for (let i = r.range(1, 3); i > 0; i--) {
        switch (r.int(9)) {
          case 0: pairs.push(['"/usr/local"', '"$out"']); break;
          case 1: pairs.push([`"/etc/${n}"`, `"$out/etc/${n}"`]); break;
          case 2: pairs.push([`"/usr/share/${n}"`, `"$out/share/${n}"`]); break;
          case 3: d.use('runtimeShell'); pairs.push(['"/bin/sh"', '"${runtimeShell}"']); break;
          case 4: pairs.push(['"-Werror"', '""']); break;
          case 5: pairs.push(['"git describe --tags"', `"echo ${d.vstr}"`]); break;
          case 6: pairs.push([`"${r.pick(['pkg-config', 'cc', 'ar', 'strip'])}"`, `"${r.pick(['$PKG_CONFIG', '$CC', '$AR', '$STRIP'])}"`]); break;
          case 7: { const t = r.pick(RUNTIME_TOOLS); d.use('lib', t); pairs.push([`"/usr/bin/${t}"`, `"\${lib.getExe' ${t} "${t}"}"`]); break; }
          default: pairs.push([`"${r.pick(['0.0.0', 'unknown', 'dev', '@VERSION@'])}"`, `"${d.vstr}"`]);
        }
      }
      const uniq = pairs.filter((p, i) => pairs.findIndex((q) => q[0] === p[0]) === i);
      return [`substituteInPlace ${srcFile(r)} \\`, ...uniq.map(([a, b], i) => `  ${replace} ${a} ${b}${i < uniq.length - 1 ? ' \\' : ''}`)];
    }
    case 'sed':
      return [r.pick([`sed -i 's|@PREFIX@|'"$out"'|g' ${srcFile(r)}`, `sed -i '/${r.pick(['-Werror', 'add_subdirectory(tests)', 'check_network', 'ccache'])}/d' ${srcFile(r)}`, `sed -i -e 's/${r.pick(['march=native', 'O3', 'Wall'])}//' ${srcFile(r)}`])];
    case 'shebang':
      return [`patchShebangs ${r.pick(['scripts', 'tools', 'build-aux', 'tests', 'configure', 'autogen.sh', 'bin', 'utils/gen.sh'])}`];
    case 'rm-src':
      return [`rm -r ${r.pick(['third_party', 'vendor', 'deps', 'external', 'bundled'])}/${r.pick(C_LIBS.filter((x) => !x.includes('.')))}`];
    case 'export':
      return [r.pick([
        'export HOME=$TMPDIR',
        `export ${N}_VERSION=${d.version}`,
        `export ${r.pick(['CFLAGS', 'CXXFLAGS', 'LDFLAGS'])}="$${r.pick(['CFLAGS', 'CXXFLAGS', 'LDFLAGS'])} ${r.pick(['-O2', '-fPIC', '-Wno-error', '-DNDEBUG', '-pthread'])}"`,
        `export ${r.pick(['PREFIX', 'DESTDIR', 'INSTALL_ROOT'])}=$out`,
        `export ${N}_NO_NETWORK=1`,
        `export SOURCE_DATE_EPOCH=${r.range(1500000000, 1750000000)}`,
      ])];
    case 'install-bin':
      return [r.chance(0.5) ? `install -Dm755 ${r.pick(['build', 'target/release', 'bin', 'out', '.'])}/${n}${r.pick(['', '-helper', 'd', '-cli'])} -t $out/bin` : `install -Dm755 ${r.pick(['build', 'bin', 'dist'])}/${n}${r.pick(['', '-helper', 'd', '-cli'])} $out/bin/${n}${r.pick(['', '-helper', 'd', '-cli'])}`];
    case 'install-data':
      return [`install -Dm644 ${r.pick(['README.md', 'LICENSE', 'docs/manual.html', `contrib/${n}.conf`, 'share/logo.svg', `data/${n}.service`, `misc/${n}.desktop`, 'completions/_zsh'])} -t $out/share/${r.pick(['doc', n, 'licenses', 'applications', 'systemd/user'])}${r.chance(0.5) ? `/${n}` : ''}`];
    case 'mkdir':
      return [`mkdir -p $out/${r.pick(['share/{applications,icons/hicolor/scalable/apps}', `share/${n}`, 'lib/systemd/system', 'etc', `libexec/${n}`, 'share/man/man1'])}`];
    case 'cp':
      return [`cp -r ${r.pick(['data', 'share', 'assets', 'themes', 'examples', 'templates', 'locale', 'plugins'])} $out/share/${n}/`];
    case 'ln':
      return [`ln -s $out/${r.pick(['bin', 'libexec/' + n])}/${n} $out/bin/${n}-${r.pick(['compat', 'legacy', 'run', 'cli', 'bin', 'launcher'])}`];
    case 'loop': {
      const v = r.pick(['f', 'file', 'p', 'lib', 'bin']);
      return [`for ${v} in ${r.pick(['scripts/*.sh', '$out/bin/*', 'share/man/*.1', 'tests/*.py', '$out/lib/*.so', 'plugins/*', 'docs/*.md'])}; do`, `  ${r.pick([`patchShebangs "$${v}"`, `chmod +x "$${v}"`, `echo "processing $${v}"`, `install -Dm755 "$${v}" -t $out/libexec`, `strip "$${v}"`, `ln -s "$${v}" $out/share/${n}/`])}`, 'done'];
    }
    case 'manpage':
      d.addNative('installShellFiles');
      return [`installManPage ${r.pick(['docs', 'man', 'doc', 'build/man'])}/${n}.${r.range(1, 8)}`];
    case 'completion':
      d.addNative('installShellFiles');
      return r.chance(0.5)
        ? [`installShellCompletion --cmd ${n} \\`, `  --bash <($out/bin/${n} completion bash) \\`, `  --fish <($out/bin/${n} completion fish) \\`, `  --zsh <($out/bin/${n} completion zsh)`]
        : [`installShellCompletion ${r.pick(['completions', 'contrib/completion', 'share/completions'])}/${n}.{bash,fish,zsh}`];
    case 'wrap': {
      d.addNative('makeWrapper');
      const tools = r.sample(RUNTIME_TOOLS, r.range(1, 3));
      d.use('lib', ...tools);
      const bin = `${n}${r.pick(['', '', '-helper', 'd', '-cli'])}`;
      const extra = r.chance(0.4) ? [`  --set ${N}_${r.pick(['DATA_DIR', 'HOME', 'PLUGIN_PATH', 'SHARE'])} $out/share/${n} \\`] : [];
      return [`wrapProgram $out/bin/${bin} \\`, ...extra, `  --prefix PATH : \${lib.makeBinPath [ ${tools.join(' ')} ]}`];
    }
    case 'comment':
      return [r.pick(SHELL_COMMENTS)];
    case 'version':
      return [`echo "${d.vstr}" > ${r.pick(['VERSION', '.version', 'src/version.txt'])}`];
    case 'rm-out':
      return [`rm -rf $out/${r.pick(['share/doc', 'lib/*.a', 'share/info', 'lib/pkgconfig', 'bin/*-test', 'include/' + n + '/private'])}`];
    case 'chmod':
      return [`chmod +x $out/${r.pick(['libexec', 'share'])}/${n}/*.${r.pick(['sh', 'py', 'pl'])}`];
    case 'patchelf':
      return [r.chance(0.5) ? `patchelf --set-rpath "$(patchelf --print-rpath $out/bin/${n}):$out/lib" $out/bin/${n}` : `patchelf --shrink-rpath $out/lib/lib${n.replace(/-/g, '')}.so`];
    case 'test-run':
      return [r.pick([
        `make check -j$NIX_BUILD_CORES`,
        `ctest --output-on-failure -E '${r.pick(['network', 'slow', 'gui', 'timing'])}'`,
        `./run-tests.sh --skip ${r.pick(['network', 'slow', 'gui', 'locale'])}`,
        `python3 -m pytest tests/test_${r.pick(SRC_MODULES)}.py`,
        `$out/bin/${n} --version | grep ${d.version}`,
      ])];
    case 'escape-path':
      return [`export PATH="''\${PATH}:$PWD/${r.pick(['bin', 'tools', 'node_modules/.bin', 'build/bin'])}"`];
    case 'desktop':
      return [`install -Dm644 ${r.pick(['data', 'misc', 'res'])}/${n}.${r.pick(['desktop', 'svg', 'png', 'metainfo.xml'])} -t $out/share/${r.pick(['applications', 'icons/hicolor/scalable/apps', 'metainfo'])}`];
    case 'make':
      return [r.pick([`make -C ${r.pick(SRC_DIRS)} ${r.pick(['all', 'lib', 'tools', 'docs'])}`, `make ${N}_BUILD=release`, `cmake --build build --target ${r.pick(SRC_MODULES)}`])];
  }
}

export function padShell(d: Drv, key: string, budget: number): void {
  const f = d.shell(key);
  const full = key === 'installPhase' || key === 'checkPhase' || key === 'buildPhase';
  const hookName = cap(key.replace(/Phase$/, ''));
  if (full && f.lines.length === 0) f.lines.push(`runHook pre${hookName}`);
  else if (full && f.lines[f.lines.length - 1] === `runHook post${hookName}`) f.lines.pop();
  const kinds = PHASE_CHUNKS[key] ?? PHASE_CHUNKS.postInstall!;
  const seen = new Set(f.lines);
  let size = 0;
  for (let misses = 0; size < budget && misses < 50; ) {
    const c = shellChunk(d, d.r.pick(kinds));
    const text = c.join('\n');
    if (seen.has(text)) {
      misses++;
      continue;
    }
    seen.add(text);
    for (const l of c) {
      f.lines.push(l);
      size += l.length + 5;
    }
  }
  if (full) f.lines.push(`runHook post${hookName}`);
}

export const TEST_REASONS = ['# requires network access', '# flaky on hydra', '# depends on the local timezone', '# needs a running display server', '# fails in the sandbox', '# timing-sensitive', '# upstream issue, fixed in the next release', '# assumes a case-insensitive filesystem'];

export function flagItem(d: Drv, key: string): string {
  const r = d.r;
  const word = r.pick(['TESTS', 'DOCS', 'EXAMPLES', 'SHARED', 'STATIC', 'PYTHON', 'LTO', 'NATIVE', 'WERROR', 'SYSTEM_ZLIB', 'SYSTEM_FMT', 'PLUGINS', 'GUI', 'WAYLAND', 'X11', 'BENCHMARKS', 'TOOLS', 'COVERAGE', 'SANITIZERS', 'INSTALL_HEADERS', 'VENDORED_DEPS', 'IPO']);
  const tag = r.chance(0.5) ? word : `${word}_${r.pick(SRC_MODULES).toUpperCase()}`;
  switch (key) {
    case 'cmakeFlags':
      return r.chance(0.3) ? `(lib.cmakeBool "${r.pick(['BUILD_', 'ENABLE_', 'WITH_', 'USE_'])}${tag}" ${r.pick(['true', 'false', ...(d.self === 'finalAttrs' ? ['finalAttrs.doCheck'] : [])])})` : `"-D${r.pick(['BUILD_', 'ENABLE_', 'WITH_', 'USE_'])}${tag}=${r.pick(['ON', 'OFF'])}"`;
    case 'mesonFlags':
      return r.chance(0.3) ? `(lib.mesonEnable "${tag.toLowerCase()}" ${r.pick(['true', 'false'])})` : `"-D${tag.toLowerCase()}=${r.pick(['enabled', 'disabled', 'true', 'false'])}"`;
    case 'configureFlags':
      return `"--${r.pick(['enable', 'disable', 'with', 'without'])}-${tag.toLowerCase().replace(/_/g, '-')}"`;
    case 'makeFlags':
      return r.chance(0.2) ? `"PREFIX=\${placeholder "out"}"` : `"${tag}=${r.int(2)}"`;
    case 'disabledTests':
      return `"test_${r.pick(GERUND)}_${r.pick(['network', 'timeout', 'locale', 'large_file', 'symlinks', 'permissions', 'clock', 'dns', 'gpu', 'parallel'])}${r.chance(0.5) ? `_${r.pick(SRC_MODULES)}` : ''}"`;
    case 'checkFlags':
      return d.template === 'go' ? `"-skip=^Test${cap(r.pick(GERUND))}${cap(r.pick(SRC_MODULES))}$"` : `"--skip=${r.pick(['tests', 'integration', 'cli'])}::${r.pick(GERUND)}_${r.pick(SRC_MODULES)}"`;
    default:
      return `"${tag.toLowerCase()}"`;
  }
}

export function padFlags(d: Drv, budget: number): void {
  if (!d.flagsKey) return;
  const l = d.list(d.flagsKey);
  const commented = d.flagsKey === 'disabledTests' || d.flagsKey === 'checkFlags';
  let size = 0;
  for (let misses = 0; size < budget && misses < 50; ) {
    const item = flagItem(d, d.flagsKey);
    if (l.base.includes(item)) {
      misses++;
      continue;
    }
    if (commented && (l.base.length === 0 || d.r.chance(0.25))) {
      const c = d.r.pick(TEST_REASONS);
      l.base.push(c);
      size += c.length + 5;
    }
    l.base.push(item);
    size += item.length + 5;
  }
}

// Optional features, as big nixpkgs packages have them: a formal with a default, the inputs
// under `lib.optionals`, and a build flag.
export const FEATURES: readonly (readonly [string, string])[] = [
  ['Alsa', 'alsa-lib'], ['Pulseaudio', 'libpulseaudio'], ['Pipewire', 'pipewire'], ['Wayland', 'wayland'], ['X11', 'xorg.libX11'],
  ['Gtk', 'gtk3'], ['Qt', 'qt6.qtbase'], ['Opus', 'opus'], ['Vorbis', 'libvorbis'], ['Flac', 'flac'], ['Png', 'libpng'], ['Jpeg', 'libjpeg'],
  ['Webp', 'libwebp'], ['Tiff', 'libtiff'], ['Svg', 'librsvg'], ['Ssl', 'openssl'], ['Zstd', 'zstd'], ['Lzma', 'xz'], ['Bzip2', 'bzip2'],
  ['Brotli', 'brotli'], ['Sqlite', 'sqlite'], ['Postgres', 'libpq'], ['Mysql', 'libmysqlclient'], ['Lua', 'lua'], ['Python', 'python3'],
  ['Ruby', 'ruby'], ['Perl', 'perl'], ['Tcl', 'tcl'], ['Vulkan', 'vulkan-loader'], ['Sdl', 'SDL2'], ['Ncurses', 'ncurses'],
  ['Readline', 'readline'], ['Dbus', 'dbus'], ['Systemd', 'systemd'], ['Udev', 'udev'], ['Usb', 'libusb1'], ['Bluetooth', 'bluez'],
  ['Avahi', 'avahi'], ['Ldap', 'openldap'], ['Kerberos', 'krb5'], ['Pam', 'linux-pam'], ['Seccomp', 'libseccomp'], ['Caps', 'libcap'],
  ['Acl', 'acl'], ['Icu', 'icu'], ['Fribidi', 'fribidi'], ['Harfbuzz', 'harfbuzz'], ['Freetype', 'freetype'], ['Fontconfig', 'fontconfig'],
  ['Cairo', 'cairo'], ['Pango', 'pango'], ['Gtest', 'gtest'], ['Ffmpeg', 'ffmpeg'], ['Curl', 'curl'], ['Libxml', 'libxml2'],
  ['Jansson', 'jansson'], ['Uv', 'libuv'], ['Gmp', 'gmp'], ['Fftw', 'fftw'], ['Hdf5', 'hdf5'], ['Protobuf', 'protobuf'], ['Grpc', 'grpc'],
];

export function padFeatures(d: Drv, budget: number): void {
  const r = d.r;
  const key = d.flagsKey ?? 'configureFlags';
  let size = 0;
  for (const [feat, input] of r.sample(FEATURES, FEATURES.length)) {
    if (size >= budget) break;
    const name = `${r.chance(0.7) ? 'with' : 'enable'}${feat}`;
    if (d.formals.has(name)) continue;
    const def = r.pick(['true', 'false', 'stdenv.hostPlatform.isLinux', '!stdenv.hostPlatform.isStatic', 'true']);
    if (def.includes('stdenv')) d.use('stdenv');
    d.optFormal(name, def);
    d.use(input);
    d.list(input === 'python3' || input === 'perl' ? 'nativeBuildInputs' : 'buildInputs').opts.push({ fn: 'optionals', cond: name, items: [input] });
    const flag =
      key === 'cmakeFlags' ? `(lib.cmakeBool "${r.pick(['WITH_', 'ENABLE_', 'USE_'])}${feat.toUpperCase()}" ${name})`
      : key === 'mesonFlags' ? `(lib.mesonEnable "${feat.toLowerCase()}" ${name})`
      : key === 'configureFlags' ? `(lib.${r.chance(0.5) ? 'withFeature' : 'enableFeature'} ${name} "${feat.toLowerCase()}")`
      : `"${feat.toUpperCase()}=\${if ${name} then "1" else "0"}"`;
    d.list(key).base.push(flag);
    size += 2 * name.length + input.length + flag.length + 50;
  }
}

export type PadSlot = 'longDescription' | 'patches' | 'postPatch' | 'flags' | 'features' | 'postInstall' | 'preConfigure' | 'preBuild' | 'postFixup' | 'installPhase' | 'checkPhase';
/** Realistic sizes: beyond these a slot only grows when every chosen slot is full. */
export const SLOT_CAP: Record<PadSlot, number> = {
  longDescription: 2500, patches: 3000, postPatch: 3500, flags: 2500, features: 9000, postInstall: 4000, preConfigure: 1500, preBuild: 1200,
  postFixup: 1500, installPhase: 3000, checkPhase: 1500,
};

export function applyPadding(d: Drv, slots: readonly PadSlot[], budget: number): void {
  if (budget <= 40) return;
  const r = d.r;
  const n = Math.max(1, Math.min(slots.length, 1 + Math.floor(budget / 1500) + r.int(2)));
  const chosen = r.sample(slots, n);
  const weights = chosen.map(() => 0.2 + r.next());
  const total = weights.reduce((a, b) => a + b, 0);
  const share = chosen.map((s, i) => Math.min(SLOT_CAP[s], (budget * weights[i]!) / total));
  // what the caps left over goes to every chosen slot alike (only the largest files get here)
  const rest = budget - share.reduce((a, b) => a + b, 0);
  chosen.forEach((s, i) => {
    const b = Math.floor(share[i]! + (rest > 0 ? rest / chosen.length : 0));
    switch (s) {
      case 'longDescription':
        return padLongDescription(d, b);
      case 'patches':
        return padPatches(d, b);
      case 'flags':
        return padFlags(d, b);
      case 'features':
        return padFeatures(d, b);
      default:
        return padShell(d, s, b);
    }
  });
}
