/**
 * A deterministic generator of a nixpkgs-shaped corpus for the benchmark.
 *
 * The tree looks like nixpkgs (by-name packages, `pkgs/development/…`, `pkgs/applications/…`,
 * NixOS modules and tests, `pkgs/top-level/all-packages.nix` with the call sites, a few other
 * top-level files, and giant generated package sets), but every line of it is made up here from
 * small vocabularies and a seeded PRNG: the same seed and sizes give a byte-identical tree.
 *
 * Needles: about `cudaFraction` of the files use the legacy `cudatoolkit` or CUDA `symlinkJoin`s
 * (in the shapes the fixtures cover), about 1 % use `symlinkJoin`/`buildEnv` without CUDA and
 * about 0.3 % use `addOpenGLRunpath`. No other file contains any of `NEEDLES` (checked for every
 * file written: random text cannot produce them).
 *
 * Every file parses with tree-sitter and with `nix-instantiate --parse` (formals cover every
 * free name, attribute names are unique in each set).
 *
 * As a script: `node dist/bench/corpus.js --out DIR [--seed 1] [--files 50000] [--mb 200]
 * [--cuda-fraction 0.005] [--giant-files 3] [--giant-mb 12] [--force]` prints the stats as JSON.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from './rng.js';

export interface CorpusOptions {
  /** Folder to write into; it must not exist or be empty (unless `force`). */
  out: string;
  seed: number;
  /** Total number of files, including the top-level and giant ones. */
  files: number;
  /** Total size in MiB (2^20 bytes), including the giant files. */
  megabytes: number;
  /** Fraction of files that use the legacy toolkit or CUDA joins (default 0.005). */
  cudaFraction?: number;
  /** Fraction of files with a non-CUDA `symlinkJoin`/`buildEnv` (default 0.01). */
  joinFraction?: number;
  /** Fraction of files with `addOpenGLRunpath`/`autoAddOpenGLRunpathHook` (default 0.003). */
  driverFraction?: number;
  /** Number of giant generated package sets (default 3). */
  giantFiles?: number;
  /** Size of each giant file in MiB (default 12, but at most 6 % of `megabytes`, so small corpora stay balanced). */
  giantMegabytes?: number;
  /** Remove `out` first when it exists (default: refuse a non-empty folder). */
  force?: boolean;
}

export interface CorpusStats {
  files: number;
  bytes: number;
  /** Files with the legacy toolkit or a CUDA join (`all-packages.nix` included when it has CUDA call sites). */
  cudaFiles: number;
  /** Files with a `symlinkJoin`/`buildEnv` that has nothing to do with CUDA. */
  joinFiles: number;
  /** Files with `addOpenGLRunpath` / `autoAddOpenGLRunpathHook` (and no legacy toolkit). */
  driverFiles: number;
  giantFiles: number;
  /** Files by template (`mkDerivation`, `python-module`, …) and by needle variant (`cuda:…`, `join:…`, `driver:…`). */
  byKind: Record<string, number>;
}

/** Strings no file contains unless the generator put them there on purpose. */
export const NEEDLES = ['cudatoolkit', 'symlinkJoin', 'buildEnv', 'addOpenGLRunpath', 'autoAddOpenGLRunpathHook', 'nixshift-ignore'] as const;
/** Faster than one alternation regex over 200 MB (`OpenGLRunpath` covers both driver needles). */
const hasNeedle = (text: string): boolean =>
  text.includes('cudatoolkit') || text.includes('symlinkJoin') || text.includes('buildEnv') || text.includes('OpenGLRunpath') || text.includes('nixshift-ignore');

const MIB = 1024 * 1024;
const FIXED_FILES = 5; // all-packages, python-packages, aliases, module-list, all-tests

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32) and helpers

function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function seedOf(seed: number): number {
  // Any number (also fractional or negative) to 32 bits.
  const s = Math.floor(seed * 1000003) | 0;
  return mix(s >>> 0, Math.floor(seed / 4294967296) | 0);
}


const ind = (n: number): string => '  '.repeat(n);
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

// Hash alphabets that cannot spell any needle: nix base32 has no e/o/t/u; the base64 subset
// leaves out u, O and J (every needle has one of them, or a `-`).
const NIX32 = '0123456789abcdfghijklmnpqrsvwxyz';
const B64 = 'ABCDEFGHIKLMNPQRSTUVWXYZabcdefghijklmnopqrstvwxyz0123456789+/';
const HEX = '0123456789abcdef';
function randChars(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[r.int(alphabet.length)];
  return s;
}
const sri = (r: Rng): string => `sha256-${randChars(r, B64, 43)}=`;
const nix32 = (r: Rng): string => randChars(r, NIX32, 52);
const gitRev = (r: Rng): string => randChars(r, HEX, 40);

// ---------------------------------------------------------------------------------------------
// Vocabularies (made up for this corpus)

const SYLLABLES = [
  'ba', 'be', 'bi', 'bo', 'da', 'de', 'di', 'do', 'fa', 'fe', 'fi', 'fo', 'ga', 'ge', 'gi', 'go', 'ha', 'he', 'hi', 'ka',
  'ke', 'ki', 'ko', 'la', 'le', 'li', 'lo', 'ma', 'me', 'mi', 'mo', 'na', 'ne', 'ni', 'no', 'pa', 'pe', 'pi', 'po', 'ra',
  're', 'ri', 'ro', 'sa', 'se', 'si', 'so', 'ta', 'te', 'ti', 'va', 've', 'vi', 'vo', 'za', 'ze', 'zi', 'zo', 'tor', 'lex',
  'mar', 'rin', 'sol', 'ven', 'kel', 'dor', 'fin', 'gal', 'har', 'jin', 'kor', 'lum', 'nex', 'pix', 'quo', 'rax', 'syn',
  'tal', 'vex', 'wyn', 'xel', 'yor', 'zan', 'bel', 'cor', 'dex', 'fer', 'gim', 'hex', 'ivo', 'jax', 'kip', 'lor', 'mox',
  'nim', 'orb', 'pel', 'qui', 'ryn', 'sev', 'tix', 'ulm', 'vor', 'wix', 'yen', 'zed', 'ark', 'bex', 'cal', 'dun', 'elm',
];
const NAME_SUFFIXES = ['-cli', '-utils', '-rs', '-server', '-gtk', '-qt', '-tools', '-daemon', '-go', 'ctl', 'd', '-lsp', '-fmt', '-tui', '-web'];
const FORBIDDEN_NAME = /cuda|toolkit|symlink|buildenv|opengl|runpath|nixshift|ignore|join/;
const NIX_KEYWORDS = new Set(['if', 'then', 'else', 'let', 'in', 'with', 'rec', 'inherit', 'assert', 'or', 'true', 'false', 'null']);

const ADJ = [
  'fast', 'lightweight', 'modular', 'minimal', 'portable', 'extensible', 'secure', 'simple', 'high-performance', 'declarative',
  'interactive', 'cross-platform', 'asynchronous', 'embeddable', 'scriptable', 'small', 'robust', 'versatile', 'terminal-based',
  'graphical', 'concurrent', 'incremental', 'pluggable', 'zero-copy', 'streaming', 'distributed', 'friendly', 'opinionated',
];
const NOUN = ['library', 'tool', 'daemon', 'framework', 'utility', 'command-line tool', 'server', 'client', 'engine', 'editor', 'viewer', 'frontend', 'backend', 'plugin', 'service', 'toolchain', 'collection of scripts', 'implementation', 'parser', 'compiler'];
const GERUND = ['parsing', 'managing', 'converting', 'monitoring', 'editing', 'rendering', 'analysing', 'synchronising', 'compressing', 'encrypting', 'indexing', 'searching', 'visualising', 'validating', 'generating', 'streaming', 'inspecting', 'scheduling', 'formatting', 'benchmarking', 'archiving', 'mirroring', 'translating', 'debugging'];
const OBJECT = [
  'TOML documents', 'network packets', 'image files', 'audio streams', 'log files', 'JSON data', 'git repositories', 'system metrics',
  'DNS queries', 'PDF documents', 'spreadsheets', 'e-mail', 'container images', 'certificates', 'fonts', '3D meshes', 'vector graphics',
  'subtitles', 'time series', 'keyboard layouts', 'MIDI devices', 'bluetooth devices', 'USB devices', 'sensor data', 'genome sequences',
  'chess positions', 'music libraries', 'ebooks', 'calendars', 'passwords', 'backups', 'virtual machines', 'serial ports', 'build logs',
  'web pages', 'RSS feeds', 'maps', 'weather data', 'source code', 'Markdown notes', 'firmware images', 'shell history', 'HTTP APIs',
];
const FILLER = [
  'It is written with a focus on correctness and predictable resource usage.',
  'The project ships a small command-line front end and a reusable core.',
  'Configuration is read from a single file in the user directory.',
  'Most features can be turned off at build time to keep the closure small.',
  'Plugins are discovered at run time from a list of search paths.',
  'The on-disk format is stable and documented in the manual.',
  'Upstream provides bindings for several scripting languages.',
  'A test suite with property-based tests is run during the build.',
  'Output can be produced as plain text, JSON or a compact binary form.',
  'The daemon exposes its state over a local socket and a small HTTP API.',
  'It aims to be a drop-in replacement for older tools with the same purpose.',
  'Large inputs are processed in constant memory by streaming them in chunks.',
  'Color themes and key bindings can be customised without recompiling.',
  'Localisation is available for more than twenty languages.',
  'Work is split across all available cores when the input allows it.',
];
const LICENSES = ['mit', 'asl20', 'gpl3Plus', 'gpl3Only', 'gpl2Plus', 'gpl2Only', 'lgpl21Plus', 'lgpl3Plus', 'bsd3', 'bsd2', 'mpl20', 'isc', 'unlicense', 'zlib', 'agpl3Plus', 'cc0', 'artistic2', 'epl20'];
const PLATFORMS = ['lib.platforms.linux', 'lib.platforms.unix', 'lib.platforms.all', 'lib.platforms.linux ++ lib.platforms.darwin'];
const NATIVE_EXTRA = ['pkg-config', 'makeWrapper', 'installShellFiles', 'gettext', 'bison', 'flex', 'doxygen', 'scdoc', 'perl', 'python3', 'which', 'help2man', 'wrapGAppsHook3', 'gobject-introspection', 'desktop-file-utils', 'wayland-scanner', 'texinfo', 'yasm', 'nasm'];
const C_LIBS = [
  'zlib', 'openssl', 'curl', 'libxml2', 'libpng', 'libjpeg', 'sqlite', 'glib', 'gtk3', 'gtk4', 'ncurses', 'readline', 'boost', 'fmt', 'spdlog',
  'libuv', 'pcre2', 'libffi', 'gmp', 'mpfr', 'expat', 'freetype', 'fontconfig', 'cairo', 'pango', 'harfbuzz', 'libGL', 'wayland',
  'xorg.libX11', 'xorg.libXext', 'xorg.libXrandr', 'libdrm', 'alsa-lib', 'libpulseaudio', 'pipewire', 'ffmpeg', 'libusb1', 'systemd',
  'dbus', 'libsodium', 'zstd', 'xz', 'bzip2', 'lz4', 'libarchive', 'icu', 'json-glib', 'libsecret', 'libnotify', 'qt6.qtbase', 'qt6.qtsvg',
  'SDL2', 'libvorbis', 'libogg', 'flac', 'opus', 'libsndfile', 'fftw', 'hdf5', 'eigen', 'protobuf', 'grpc', 'abseil-cpp', 'gtest', 'catch2',
  'nlohmann_json', 'yaml-cpp', 'tbb', 'libevent', 'c-ares', 'nghttp2', 'libssh2', 'lua', 'tcl', 'libyaml', 'jansson', 'libmicrohttpd',
  'libcap', 'libseccomp', 'util-linux', 'acl', 'attr', 'capstone', 'libgit2', 'oniguruma', 'libxkbcommon',
];
const PY_DEPS = [
  'requests', 'numpy', 'scipy', 'click', 'attrs', 'pyyaml', 'typing-extensions', 'packaging', 'rich', 'pydantic', 'aiohttp', 'jinja2', 'six',
  'python-dateutil', 'pytz', 'urllib3', 'certifi', 'cryptography', 'lxml', 'pillow', 'tqdm', 'toml', 'tomli', 'platformdirs', 'filelock',
  'httpx', 'anyio', 'sniffio', 'websockets', 'msgpack', 'protobuf', 'grpcio', 'pandas', 'matplotlib', 'networkx', 'sympy', 'beautifulsoup4',
  'docutils', 'pygments', 'markdown', 'sqlalchemy', 'psutil', 'pyserial', 'paramiko', 'boto3', 'redis', 'orjson', 'regex', 'xmltodict',
];
const PY_BUILD = ['setuptools', 'setuptools-scm', 'hatchling', 'hatch-vcs', 'poetry-core', 'flit-core', 'pdm-backend', 'cython', 'wheel'];
const PY_CHECK = ['pytestCheckHook', 'pytest-asyncio', 'pytest-mock', 'hypothesis', 'pytest-xdist', 'freezegun', 'responses', 'pytest-cov-stub', 'mock'];
const RUST_LIBS = ['openssl', 'sqlite', 'dbus', 'zstd', 'libgit2', 'oniguruma', 'xz', 'udev', 'alsa-lib', 'fontconfig', 'libxkbcommon', 'wayland', 'libseccomp'];
const RUNTIME_TOOLS = ['coreutils', 'gnugrep', 'gnused', 'findutils', 'git', 'jq', 'which', 'procps', 'gawk', 'bash', 'openssh', 'rsync', 'gnutar', 'gzip'];
const CATEGORIES_APP = ['misc', 'networking', 'graphics', 'audio', 'editors', 'science/math', 'science/biology', 'science/physics', 'video', 'office', 'version-management', 'window-managers', 'emulators', 'terminal-emulators', 'gis', 'radio', 'blockchains', 'file-managers', 'backup', 'kde', 'gnome'];
const CATEGORIES_DEV = [
  [55, 'libraries'], [22, 'tools'], [5, 'compilers'], [3, 'interpreters'], [5, 'misc'], [2, 'embedded'], [4, 'web'], [2, 'ocaml-modules'], [2, 'lua-modules'],
] as const;
const CATEGORIES_TOOLS = ['misc', 'networking', 'security', 'system', 'text', 'filesystems', 'archivers', 'graphics', 'admin', 'backup'];
const CATEGORIES_SERVERS = ['http', 'sql', 'mail', 'monitoring', 'dns', 'search', 'home-automation'];
const CATEGORIES_NIXOS = ['misc', 'networking', 'monitoring', 'web-apps', 'databases', 'hardware', 'backup', 'security', 'audio', 'mail', 'computing', 'system', 'continuous-integration', 'x11', 'home-automation'];
type OptionKind = 'port' | 'bool' | 'str' | 'strs' | 'enum' | 'path' | 'int';
const OPTIONS: readonly (readonly [string, OptionKind])[] = [
  ['port', 'port'], ['metricsPort', 'port'], ['adminPort', 'port'], ['openFirewall', 'bool'], ['enableMetrics', 'bool'], ['debug', 'bool'],
  ['autoUpdate', 'bool'], ['user', 'str'], ['group', 'str'], ['listenAddress', 'str'], ['hostName', 'str'], ['domain', 'str'],
  ['adminEmail', 'str'], ['databaseUrl', 'str'], ['proxyAddress', 'str'], ['extraArgs', 'strs'], ['plugins', 'strs'], ['allowedHosts', 'strs'],
  ['trustedProxies', 'strs'], ['logLevel', 'enum'], ['mode', 'enum'], ['dataDir', 'path'], ['stateDir', 'path'], ['cacheDir', 'path'],
  ['environmentFile', 'path'], ['secretKeyFile', 'path'], ['tlsCertificate', 'path'], ['tlsKey', 'path'], ['workers', 'int'],
  ['timeout', 'int'], ['maxConnections', 'int'], ['interval', 'int'], ['retention', 'int'],
];
const LOG_LEVELS = ['"error"', '"warn"', '"info"', '"debug"', '"trace"'];
const SHELL_COMMENTS = [
  '# upstream hardcodes the install prefix',
  '# the test suite needs a writable home directory',
  '# keep the build reproducible',
  '# remove files that only make sense on other platforms',
  '# the generated completion scripts need the binary to run',
  '# do not let the build system download anything',
  '# the bundled copy is older than the one in nixpkgs',
];

// ---------------------------------------------------------------------------------------------
// Text helpers

function sentence(r: Rng): string {
  return `${cap(r.pick(ADJ))} ${r.pick(NOUN)} for ${r.pick(GERUND)} ${r.pick(OBJECT)}`;
}

function paragraphLines(r: Rng, width: number, budget: number): string[] {
  const words: string[] = [];
  let len = 0;
  while (len < budget) {
    const s = r.chance(0.5) ? r.pick(FILLER) : `${sentence(r)}.`;
    for (const w of s.split(' ')) {
      words.push(w);
      len += w.length + 1;
    }
  }
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line.length > 0 ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** Unique made-up package names. */
class Names {
  private readonly used = new Set<string>();
  constructor(private readonly r: Rng) {}
  fresh(prefix = '', suffixChance = 0.15): string {
    for (let attempt = 0; ; attempt++) {
      const n = this.r.chance(0.7) ? 2 : this.r.chance(0.7) ? 3 : 1;
      let s = '';
      for (let i = 0; i < n; i++) s += this.r.pick(SYLLABLES);
      if (s.length < 3) s += this.r.pick(SYLLABLES);
      if (this.r.chance(suffixChance)) s += this.r.pick(NAME_SUFFIXES);
      s = prefix + s;
      if (attempt > 20) s += String(attempt);
      if (FORBIDDEN_NAME.test(s) || NIX_KEYWORDS.has(s) || this.used.has(s)) continue;
      this.used.add(s);
      return s;
    }
  }
  /** A name that may repeat (maintainers, owners). */
  any(): string {
    for (;;) {
      const s = this.r.pick(SYLLABLES) + this.r.pick(SYLLABLES) + (this.r.chance(0.3) ? this.r.pick(SYLLABLES) : '');
      if (!FORBIDDEN_NAME.test(s) && !NIX_KEYWORDS.has(s)) return s;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The derivation model: fields kept structured until rendered, so needle variants and padding
// can extend lists and phases.

type Style = 'nixfmt' | 'old';

interface ListOpt {
  fn: 'optionals' | 'optional';
  cond: string;
  items: string[];
  /** `lib.optionals cond (with x; [ … ])` */
  withPrefix?: string;
}
type Field =
  | { t: 'raw'; text: string }
  | { t: 'list'; base: string[]; opts: ListOpt[]; withPrefix?: string }
  | { t: 'shell'; cond?: string; lines: string[] }
  | { t: 'attrs'; cond?: string; prefix?: string; entries: [string, string][] };

const ORDER = [
  'name', 'pname', 'version', 'format', 'pyproject', 'disabled', 'outputs', 'src', 'sourceRoot', 'cargoHash', 'vendorHash', 'patches',
  'postPatch', 'strictDeps', 'build-system', 'nativeBuildInputs', 'buildInputs', 'propagatedBuildInputs', 'dependencies',
  'paths', 'pathsToLink', 'extraOutputsToInstall', 'ignoreCollisions', 'runtimeDependencies',
  'cmakeFlags', 'mesonFlags', 'configureFlags', 'makeFlags', 'ldflags', 'subPackages', 'tags', 'env', 'CUDA_PATH', 'enableParallelBuilding',
  'preConfigure', 'preBuild', 'buildPhase', 'postBuild', 'doCheck', 'nativeCheckInputs', 'checkFlags', 'disabledTests', 'disabledTestPaths',
  'pythonImportsCheck', 'checkPhase', 'installPhase', 'postInstall', 'postFixup', 'passthru', 'meta',
];
const ORDER_INDEX = new Map(ORDER.map((k, i) => [k, i]));
const BLANK_BEFORE = new Set(['src', 'strictDeps', 'checkFlags', 'patches', 'postPatch', 'build-system', 'nativeBuildInputs', 'buildInputs', 'dependencies', 'paths', 'cmakeFlags', 'mesonFlags', 'configureFlags', 'makeFlags', 'ldflags', 'env', 'preConfigure', 'preBuild', 'buildPhase', 'postBuild', 'doCheck', 'nativeCheckInputs', 'checkPhase', 'installPhase', 'postInstall', 'postFixup', 'passthru', 'meta', 'cargoHash', 'vendorHash', 'disabledTests', 'pythonImportsCheck']);

type Template = 'mkDerivation' | 'python-module' | 'rust' | 'go' | 'python-app' | 'nocc' | 'nixos-module' | 'nixos-test' | 'symlinkJoin-wrapper' | 'buildEnv';

class Drv {
  readonly formals = new Map<string, string | undefined>();
  ellipsis = false;
  readonly lets: string[] = [];
  readonly asserts: string[] = [];
  readonly fields = new Map<string, Field>();
  head = 'stdenv.mkDerivation';
  self: 'finalAttrs' | 'rec' | 'none' = 'finalAttrs';
  topComment: string | undefined;
  withLibTop = false;
  pname: string;
  version: string;
  /** The key of the flags list padding may grow (`cmakeFlags`, `disabledTests`, …). */
  flagsKey: string | undefined;
  buildSystem: 'cmake' | 'meson' | 'autotools' | 'make' | 'none' = 'none';

  constructor(
    readonly r: Rng,
    readonly style: Style,
    readonly names: Names,
    name: string,
    readonly template: Template,
  ) {
    this.pname = name;
    this.version = `${r.range(0, 12)}.${r.range(0, 30)}.${r.range(0, 15)}`;
  }
  /** Add formals for the free names of an expression (`xorg.libX11` → `xorg`). */
  use(...exprs: string[]): void {
    for (const e of exprs) {
      const root = e.replace(/^\(/, '').split(/[.\s]/)[0]!;
      if (!this.formals.has(root)) this.formals.set(root, undefined);
    }
  }
  optFormal(name: string, def: string): void {
    this.formals.set(name, def);
  }
  get vref(): string | undefined {
    return this.self === 'finalAttrs' ? 'finalAttrs.version' : this.self === 'rec' ? 'version' : undefined;
  }
  get pref(): string | undefined {
    return this.self === 'finalAttrs' ? 'finalAttrs.pname' : this.self === 'rec' ? 'pname' : undefined;
  }
  /** `${version}` in a string, or the literal version. */
  get vstr(): string {
    return this.vref ? `\${${this.vref}}` : this.version;
  }
  get pstr(): string {
    return this.pref ? `\${${this.pref}}` : this.pname;
  }
  raw(key: string, text: string): void {
    this.fields.set(key, { t: 'raw', text });
  }
  list(key: string): Extract<Field, { t: 'list' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'list') throw new Error(`nixshift corpus: internal error: ${key} is not a list`);
    if (!f) {
      f = { t: 'list', base: [], opts: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  shell(key: string): Extract<Field, { t: 'shell' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'shell') throw new Error(`nixshift corpus: internal error: ${key} is not a shell phase`);
    if (!f) {
      f = { t: 'shell', lines: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  attrs(key: string): Extract<Field, { t: 'attrs' }> {
    let f = this.fields.get(key);
    if (f && f.t !== 'attrs') throw new Error(`nixshift corpus: internal error: ${key} is not an attribute set`);
    if (!f) {
      f = { t: 'attrs', entries: [] };
      this.fields.set(key, f);
    }
    return f;
  }
  /** Add a package to a list (and the formals), once. */
  addTo(key: string, ...exprs: string[]): void {
    const l = this.list(key);
    for (const e of exprs) {
      if (l.base.includes(e)) continue;
      l.base.push(e);
      if (!l.withPrefix) this.use(e);
    }
  }
  addNative(e: string): void {
    this.addTo('nativeBuildInputs', e);
  }
  /** Add a let-bound name to a list (no formal). */
  addLocal(key: string, name: string): void {
    const l = this.list(key);
    if (!l.base.includes(name)) l.base.push(name);
  }
}

function renderList(style: Style, items: readonly string[], level: number): string {
  if (items.length === 0) return '[ ]';
  const multiLine = items.some((i) => i.includes('\n') || i.startsWith('#'));
  if (style === 'nixfmt') {
    if (items.length === 1 && !multiLine) return `[ ${items[0]} ]`;
  } else {
    const inline = `[ ${items.join(' ')} ]`;
    if (!multiLine && inline.length <= 72) return inline;
  }
  return `[\n${items.map((i) => ind(level + 1) + i).join('\n')}\n${ind(level)}]`;
}

function renderField(d: Drv, f: Field, level: number): string {
  switch (f.t) {
    case 'raw':
      return f.text;
    case 'list': {
      const parts: string[] = [];
      if (f.base.length > 0 || f.opts.length === 0) parts.push((f.withPrefix ? `with ${f.withPrefix}; ` : '') + renderList(d.style, f.base, level));
      for (const o of f.opts) {
        if (o.fn === 'optional') parts.push(`lib.optional ${o.cond} ${o.items[0]}`);
        else if (o.withPrefix) parts.push(`lib.optionals ${o.cond} (with ${o.withPrefix}; ${renderList(d.style, o.items, level)})`);
        else parts.push(`lib.optionals ${o.cond} ${renderList(d.style, o.items, level)}`);
      }
      return parts.join(' ++ ');
    }
    case 'shell': {
      const body = f.lines.map((l) => (l ? ind(level + 1) + l : '')).join('\n');
      const s = `''\n${body}\n${ind(level)}''`;
      return f.cond ? `lib.optionalString ${f.cond} ${s}` : s;
    }
    case 'attrs': {
      // an entry with an empty value is an `inherit …;`
      const body = f.entries.map(([k, v]) => (v === '' ? `${ind(level + 1)}${k};` : `${ind(level + 1)}${k} = ${v};`)).join('\n');
      const s = f.entries.length === 0 ? '{ }' : `{\n${body}\n${ind(level)}}`;
      return (f.cond ? `lib.optionalAttrs ${f.cond} ` : '') + (f.prefix ?? '') + s;
    }
  }
}

function renderFormals(d: Drv): string {
  const items = [...d.formals].map(([n, def]) => (def === undefined ? n : `${n} ? ${def}`));
  if (d.ellipsis) items.push('...');
  if (d.style === 'nixfmt') {
    return `{\n${items.map((i) => `  ${i}${i === '...' ? '' : ','}`).join('\n')}\n}:`;
  }
  const inline = `{ ${items.join(', ')} }:`;
  if (inline.length <= 90) return inline;
  // leading-comma style of older nixpkgs
  return `{ ${items.join('\n, ')}\n}:`;
}

function renderDrv(d: Drv): string {
  const keys = [...d.fields.keys()].sort((a, b) => (ORDER_INDEX.get(a) ?? 45) - (ORDER_INDEX.get(b) ?? 45));
  const lines: string[] = [];
  let first = true;
  for (const k of keys) {
    if (!first && BLANK_BEFORE.has(k) && d.style === 'nixfmt') lines.push('');
    first = false;
    lines.push(`${ind(1)}${k} = ${renderField(d, d.fields.get(k)!, 1)};`);
  }
  let body: string;
  if (d.self === 'finalAttrs') body = `${d.head} (finalAttrs: {\n${lines.join('\n')}\n})\n`;
  else if (d.self === 'rec') body = `${d.head} rec {\n${lines.join('\n')}\n}\n`;
  else body = `${d.head} {\n${lines.join('\n')}\n}\n`;
  let out = '';
  if (d.topComment) out += `${d.topComment}\n`;
  out += `${renderFormals(d)}\n\n`;
  if (d.withLibTop) out += 'with lib;\n\n';
  if (d.lets.length > 0) out += `let\n${d.lets.join(d.style === 'nixfmt' ? '\n\n' : '\n')}\nin\n`;
  for (const a of d.asserts) out += `assert ${a};\n\n`;
  return out + body;
}

// ---------------------------------------------------------------------------------------------
// Pieces shared by the templates

function srcGitHub(d: Drv, owner: string, level = 1): string {
  d.use('fetchFromGitHub');
  const r = d.r;
  const i = ind(level + 1);
  const rev = d.vref ? (r.chance(0.6) ? `rev = "v${d.vstr}";` : r.chance(0.5) ? `tag = "v${d.vstr}";` : `rev = ${d.vref};`) : `rev = "${gitRev(r)}";`;
  return `fetchFromGitHub {\n${i}owner = "${owner}";\n${i}repo = "${d.pname}";\n${i}${rev}\n${i}hash = "${sri(r)}";\n${ind(level)}}`;
}

function srcUrl(d: Drv, level = 1): string {
  const r = d.r;
  const i = ind(level + 1);
  const fetcher = r.chance(0.8) ? 'fetchurl' : 'fetchzip';
  d.use(fetcher);
  const host = r.pick(['https://downloads.example.org', 'https://releases.example.net', 'mirror://sourceforge', 'https://ftp.example.com/pub']);
  const ext = r.pick(['tar.gz', 'tar.xz', 'tar.bz2', 'zip']);
  const hash = r.chance(0.7) || d.style === 'nixfmt' ? `hash = "${sri(r)}";` : `sha256 = "${nix32(r)}";`;
  return `${fetcher} {\n${i}url = "${host}/${d.pname}/${d.pstr}-${d.vstr}.${ext}";\n${i}${hash}\n${ind(level)}}`;
}

function srcFor(d: Drv): string {
  return d.r.chance(0.65) ? srcGitHub(d, d.names.any()) : srcUrl(d);
}

function metaField(d: Drv, opts: { program?: boolean; homepageOwner?: string } = {}): void {
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
function padLongDescription(d: Drv, budget: number): void {
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

function fetchpatchItem(d: Drv, level: number): string {
  d.use('fetchpatch');
  const r = d.r;
  const i = ind(level + 1);
  const what = `${r.pick(['fix', 'support', 'allow', 'port'])}-${r.pick(['gcc-14', 'musl', 'darwin', 'aarch64', 'new-openssl', 'python-3-13', 'cmake-4', 'clang-19', 'big-endian'])}`;
  return `(fetchpatch {\n${i}name = "${what}.patch";\n${i}url = "https://github.com/${d.names.any()}/${d.pname}/commit/${gitRev(r)}.patch";\n${i}hash = "${sri(r)}";\n${ind(level)}})`;
}

function padPatches(d: Drv, budget: number): void {
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
type ChunkKind =
  | 'subst' | 'sed' | 'shebang' | 'rm-src' | 'export' | 'install-bin' | 'install-data' | 'mkdir' | 'cp' | 'ln' | 'loop' | 'manpage'
  | 'completion' | 'wrap' | 'comment' | 'version' | 'rm-out' | 'chmod' | 'patchelf' | 'test-run' | 'escape-path' | 'desktop' | 'make';
const PHASE_CHUNKS: Record<string, readonly ChunkKind[]> = {
  postPatch: ['subst', 'subst', 'subst', 'sed', 'shebang', 'rm-src', 'comment', 'version', 'escape-path'],
  preConfigure: ['export', 'export', 'subst', 'sed', 'comment', 'escape-path', 'shebang'],
  preBuild: ['export', 'subst', 'comment', 'make', 'escape-path'],
  buildPhase: ['make', 'make', 'export', 'comment'],
  checkPhase: ['test-run', 'test-run', 'export', 'comment', 'loop'],
  installPhase: ['install-bin', 'install-data', 'mkdir', 'cp', 'ln', 'loop', 'comment', 'rm-out', 'chmod', 'desktop'],
  postInstall: ['install-bin', 'install-data', 'mkdir', 'cp', 'ln', 'loop', 'manpage', 'completion', 'wrap', 'comment', 'rm-out', 'chmod', 'desktop'],
  postFixup: ['wrap', 'wrap', 'patchelf', 'rm-out', 'ln', 'comment', 'chmod'],
};
const SRC_DIRS = ['src', 'lib', 'tools', 'cmd', 'include', 'bindings/python', 'contrib', 'plugins', 'server', 'client'];
const SRC_MODULES = ['core', 'util', 'net', 'io', 'config', 'main', 'cli', 'parser', 'render', 'storage', 'plugin', 'log', 'crypto', 'http', 'db', 'paths', 'version', 'platform', 'env', 'settings'];
const SRC_EXT = ['.c', '.cc', '.cpp', '.h', '.py', '.rs', '.go', '.sh', '.cmake', '.in', '.txt', '.json'];
const TOP_FILES = ['Makefile', 'CMakeLists.txt', 'meson.build', 'configure.ac', 'setup.py', 'pyproject.toml', 'Cargo.toml', 'build.rs', 'go.mod', 'Makefile.am', 'setup.cfg', 'build.sh'];

function srcFile(r: Rng): string {
  return r.chance(0.3) ? r.pick(TOP_FILES) : `${r.pick(SRC_DIRS)}/${r.pick(SRC_MODULES)}${r.pick(SRC_EXT)}`;
}

function shellChunk(d: Drv, kind: ChunkKind): string[] {
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

function padShell(d: Drv, key: string, budget: number): void {
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

const TEST_REASONS = ['# requires network access', '# flaky on hydra', '# depends on the local timezone', '# needs a running display server', '# fails in the sandbox', '# timing-sensitive', '# upstream issue, fixed in the next release', '# assumes a case-insensitive filesystem'];

function flagItem(d: Drv, key: string): string {
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

function padFlags(d: Drv, budget: number): void {
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
const FEATURES: readonly (readonly [string, string])[] = [
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

function padFeatures(d: Drv, budget: number): void {
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

type PadSlot = 'longDescription' | 'patches' | 'postPatch' | 'flags' | 'features' | 'postInstall' | 'preConfigure' | 'preBuild' | 'postFixup' | 'installPhase' | 'checkPhase';
/** Realistic sizes: beyond these a slot only grows when every chosen slot is full. */
const SLOT_CAP: Record<PadSlot, number> = {
  longDescription: 2500, patches: 3000, postPatch: 3500, flags: 2500, features: 9000, postInstall: 4000, preConfigure: 1500, preBuild: 1200,
  postFixup: 1500, installPhase: 3000, checkPhase: 1500,
};

function applyPadding(d: Drv, slots: readonly PadSlot[], budget: number): void {
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

// ---------------------------------------------------------------------------------------------
// Package templates

function chooseSelf(d: Drv, finalAttrsChance: number): void {
  d.self = d.r.chance(d.style === 'nixfmt' ? finalAttrsChance : finalAttrsChance / 4) ? 'finalAttrs' : 'rec';
}

function baseMkDerivation(d: Drv, opts: { buildSystem?: Drv['buildSystem'] } = {}): void {
  const r = d.r;
  d.head = 'stdenv.mkDerivation';
  chooseSelf(d, 0.85);
  d.use('lib', 'stdenv');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  if (r.chance(0.1)) d.raw('outputs', renderList(d.style, ['"out"', '"dev"', ...(r.chance(0.5) ? ['"man"'] : [])].map((x) => x), 1));
  d.raw('src', srcFor(d));
  d.buildSystem = opts.buildSystem ?? r.weighted([[40, 'cmake'], [20, 'meson'], [20, 'autotools'], [20, 'make']] as const);
  switch (d.buildSystem) {
    case 'cmake':
      d.addNative('cmake');
      d.flagsKey = 'cmakeFlags';
      break;
    case 'meson':
      d.addNative('meson');
      d.addNative('ninja');
      d.flagsKey = 'mesonFlags';
      break;
    case 'autotools':
      d.addNative('autoreconfHook');
      d.flagsKey = 'configureFlags';
      break;
    default:
      d.flagsKey = 'makeFlags';
  }
  for (const e of r.sample(NATIVE_EXTRA, r.range(0, 3))) d.addNative(e);
  for (const e of r.sample(C_LIBS, r.range(1, 6))) d.addTo('buildInputs', e);
  if (r.chance(0.2)) {
    const darwinLibs = r.sample(['libiconv', 'darwin.apple_sdk.frameworks.CoreServices', 'darwin.apple_sdk.frameworks.Security'], r.range(1, 2));
    d.use(...darwinLibs);
    d.list('buildInputs').opts.push({ fn: 'optionals', cond: 'stdenv.hostPlatform.isDarwin', items: darwinLibs });
  }
  if (r.chance(0.5)) {
    const l = d.list(d.flagsKey);
    for (let i = r.range(1, 3); i > 0; i--) {
      const it = flagItem(d, d.flagsKey);
      if (!l.base.includes(it)) l.base.push(it);
    }
  }
  if (r.chance(0.3)) d.raw('strictDeps', 'true');
  if (r.chance(0.3)) d.raw('enableParallelBuilding', 'true');
  if (r.chance(0.25)) d.raw('doCheck', r.pick(['true', 'false', 'stdenv.buildPlatform.canExecute stdenv.hostPlatform']));
  if (r.chance(0.2) && d.self === 'finalAttrs') {
    d.use('testers');
    d.attrs('passthru').entries.push(['tests.version', 'testers.testVersion { package = finalAttrs.finalPackage; }']);
  } else if (r.chance(0.15)) {
    d.use('nix-update-script');
    d.attrs('passthru').entries.push(['updateScript', 'nix-update-script { }']);
  }
  metaField(d, { program: r.chance(0.5) });
}

function basePython(d: Drv): void {
  const r = d.r;
  d.head = 'buildPythonPackage';
  d.self = 'rec';
  d.use('lib', 'buildPythonPackage');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  const modern = d.style === 'nixfmt' ? r.chance(0.85) : r.chance(0.3);
  if (modern) d.raw('pyproject', 'true');
  else d.raw('format', '"setuptools"');
  if (r.chance(0.4)) {
    d.use('pythonOlder');
    d.raw('disabled', `pythonOlder "3.${r.range(8, 11)}"`);
  }
  if (r.chance(0.5)) {
    d.use('fetchPypi');
    d.raw('src', `fetchPypi {\n${ind(2)}inherit pname version;\n${ind(2)}hash = "${sri(r)}";\n${ind(1)}}`);
  } else d.raw('src', srcGitHub(d, d.names.any()));
  const build = modern ? r.sample(PY_BUILD, r.range(1, 2)) : [];
  const deps = r.sample(PY_DEPS, r.range(0, 6));
  if (modern) {
    for (const b of build) d.addTo('build-system', b);
    for (const x of deps) d.addTo('dependencies', x);
  } else for (const x of deps) d.addTo('propagatedBuildInputs', x);
  if (r.chance(0.75)) for (const c of r.sample(PY_CHECK, r.range(1, 3))) d.addTo('nativeCheckInputs', c);
  else d.raw('doCheck', 'false');
  d.raw('pythonImportsCheck', renderList(d.style, [`"${d.pname.replace(/-/g, '_')}"`], 1));
  d.flagsKey = 'disabledTests';
  metaField(d, { homepageOwner: d.names.any() });
}

function baseRust(d: Drv): void {
  const r = d.r;
  d.head = 'rustPlatform.buildRustPackage';
  chooseSelf(d, 0.4);
  d.use('lib', 'rustPlatform');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  const owner = d.names.any();
  d.raw('src', srcGitHub(d, owner));
  d.raw('cargoHash', `"${sri(r)}"`);
  if (r.chance(0.6)) {
    d.addNative('pkg-config');
    for (const l of r.sample(RUST_LIBS, r.range(1, 3))) d.addTo('buildInputs', l);
  }
  if (r.chance(0.3)) {
    d.use('stdenv', 'darwin');
    d.list('buildInputs').opts.push({ fn: 'optionals', cond: 'stdenv.hostPlatform.isDarwin', items: ['darwin.apple_sdk.frameworks.Security'] });
  }
  d.flagsKey = 'checkFlags';
  if (r.chance(0.4)) padFlags(d, 60);
  metaField(d, { program: true, homepageOwner: owner });
}

function baseGo(d: Drv): void {
  const r = d.r;
  d.head = 'buildGoModule';
  chooseSelf(d, 0.3);
  d.use('lib', 'buildGoModule');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  const owner = d.names.any();
  d.raw('src', srcGitHub(d, owner));
  d.raw('vendorHash', r.chance(0.15) ? 'null' : `"${sri(r)}"`);
  if (r.chance(0.5)) d.raw('subPackages', renderList(d.style, [`"cmd/${d.pname}"`], 1));
  d.raw('ldflags', renderList(d.style, ['"-s"', '"-w"', `"-X github.com/${owner}/${d.pname}/internal/version.Version=${d.vstr}"`], 1));
  if (r.chance(0.2)) d.raw('tags', renderList(d.style, [`"${r.pick(['netgo', 'osusergo', 'sqlite_omit_load_extension', 'release'])}"`], 1));
  d.flagsKey = 'checkFlags';
  metaField(d, { program: true, homepageOwner: owner });
}

function basePythonApp(d: Drv): void {
  const r = d.r;
  d.head = 'python3Packages.buildPythonApplication';
  d.self = 'rec';
  d.use('lib', 'python3Packages');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  d.raw('pyproject', 'true');
  d.raw('src', srcGitHub(d, d.names.any()));
  const b = d.list('build-system');
  b.withPrefix = 'python3Packages';
  b.base.push(...r.sample(PY_BUILD, r.range(1, 2)));
  const deps = d.list('dependencies');
  deps.withPrefix = 'python3Packages';
  deps.base.push(...r.sample(PY_DEPS, r.range(1, 6)));
  if (r.chance(0.5)) {
    const c = d.list('nativeCheckInputs');
    c.withPrefix = 'python3Packages';
    c.base.push(...r.sample(PY_CHECK, r.range(1, 2)));
  }
  d.flagsKey = 'disabledTests';
  metaField(d, { program: true });
}

function baseNoCC(d: Drv): void {
  const r = d.r;
  d.head = 'stdenvNoCC.mkDerivation';
  chooseSelf(d, 0.8);
  d.use('lib', 'stdenvNoCC');
  d.raw('pname', `"${d.pname}"`);
  d.raw('version', `"${d.version}"`);
  d.raw('src', srcUrl(d));
  const f = d.shell('installPhase');
  const kind = r.pick(['font', 'theme', 'script']);
  f.lines.push('runHook preInstall');
  if (kind === 'font') f.lines.push(`install -Dm644 ${r.pick(['*.ttf', '*.otf', 'fonts/*.ttf'])} -t $out/share/fonts/${r.pick(['truetype', 'opentype'])}`);
  else if (kind === 'theme') f.lines.push(`mkdir -p $out/share/themes`, `cp -r ${d.pname}* $out/share/themes/`);
  else f.lines.push(`install -Dm755 ${d.pname}.sh $out/bin/${d.pname}`);
  f.lines.push('runHook postInstall');
  d.flagsKey = undefined;
  metaField(d, { program: kind === 'script' });
}

function buildBase(d: Drv): void {
  switch (d.template) {
    case 'python-module':
      return basePython(d);
    case 'rust':
      return baseRust(d);
    case 'go':
      return baseGo(d);
    case 'python-app':
      return basePythonApp(d);
    case 'nocc':
      return baseNoCC(d);
    default:
      return baseMkDerivation(d);
  }
}

function slotsFor(d: Drv): PadSlot[] {
  switch (d.template) {
    case 'python-module':
      return ['longDescription', 'postPatch', 'flags', 'patches', 'preConfigure'];
    case 'rust':
      return ['longDescription', 'postPatch', 'flags', 'postInstall', 'patches'];
    case 'go':
      return ['longDescription', 'postPatch', 'flags', 'postInstall', 'preBuild'];
    case 'python-app':
      return ['longDescription', 'postPatch', 'flags', 'postInstall', 'postFixup'];
    case 'nocc':
      return ['longDescription', 'installPhase'];
    case 'symlinkJoin-wrapper':
    case 'buildEnv':
      return ['longDescription'];
    default:
      return ['longDescription', 'patches', 'postPatch', 'flags', 'features', 'postInstall', 'preConfigure', 'postFixup', 'checkPhase'];
  }
}

// ---------------------------------------------------------------------------------------------
// Needle variants

const CUDA_LIBS = ['cublas', 'cufft', 'curand', 'cusparse', 'cusolver', 'nvrtc', 'nvjpeg'];
const CUDA_REDIST = ['cuda_cudart', 'libcublas', 'libcufft', 'libcurand', 'libcusparse', 'libcusolver', 'cuda_nvrtc', 'cuda_cupti', 'cuda_cccl'];
const CUDA_SETS = ['cudaPackages_11_8', 'cudaPackages_12_2', 'cudaPackages_12_4', 'cudaPackages_12'];

const CUDA_VARIANTS_CC = [
  'inputs', 'cmake-root', 'paths', 'rpath', 'pkgs-attr', 'let-alias', 'autotools', 'null-default', 'cc-stdenv', 'join-wrapper',
  'join-rpath', 'join-inputs', 'join-nested', 'join-passthru', 'join-legacy',
] as const;
const CUDA_VARIANTS_PY = ['py-inherit', 'py-formal', 'py-join'] as const;
/** CUDA variants whose file has a `cudatoolkit` formal (their call site may pass one). */
const TAKES_TOOLKIT = new Set(['inputs', 'cmake-root', 'paths', 'rpath', 'autotools', 'null-default', 'cc-stdenv', 'join-legacy', 'py-formal']);
const JOIN_VARIANTS = ['symlinkJoin-wrapper', 'buildEnv', 'join-let'] as const;
const DRIVER_VARIANTS = ['driver-formal', 'driver-hook', 'driver-with'] as const;

function cudaSupportFormal(d: Drv): string {
  const r = d.r;
  const name = r.chance(0.8) ? 'cudaSupport' : r.pick(['enableCuda', 'withCuda', 'gpuSupport']);
  const def = r.chance(0.5) ? 'config.cudaSupport' : r.pick(['false', 'true']);
  if (def.startsWith('config')) d.use('config');
  d.optFormal(name, def);
  return name;
}

function evidenceLibs(r: Rng): string[] {
  return r.sample(CUDA_LIBS, r.range(1, 3));
}

function addEvidence(d: Drv, cond: string | undefined): void {
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

type JoinStyle = 'with' | 'attr' | 'getLib' | 'lib-output';

function joinPaths(d: Drv, level: number, style: JoinStyle): string {
  const r = d.r;
  const members = r.sample(CUDA_REDIST, r.range(2, 5));
  if (style === 'with') return `with cudaPackages; ${renderList(d.style, members, level)}`;
  if (style === 'getLib') return renderList(d.style, members.map((m) => `(lib.getLib cudaPackages.${m})`), level);
  if (style === 'lib-output') return renderList(d.style, members.filter((m) => m !== 'cuda_cccl').concat('cuda_cudart').filter((m, i, a) => a.indexOf(m) === i).map((m) => `cudaPackages.${m}.lib`), level);
  return renderList(d.style, members.map((m) => `cudaPackages.${m}`), level);
}

function joinLet(d: Drv, name: string, pathsStyle: JoinStyle, comment?: string): void {
  d.use('symlinkJoin', 'cudaPackages', 'lib');
  const c = comment ? `${ind(1)}# ${comment}\n` : '';
  d.lets.push(`${c}${ind(1)}${name} = symlinkJoin {\n${ind(2)}name = "${d.pname}-${name.toLowerCase().replace(/_/g, '-')}";\n${ind(2)}paths = ${joinPaths(d, 2, pathsStyle)};\n${ind(1)}};`);
}

function applyCudaVariant(d: Drv, v: string): void {
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

function applyDriverVariant(d: Drv, v: string): void {
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
function joinPackage(d: Drv, v: 'symlinkJoin-wrapper' | 'buildEnv'): void {
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

function joinLetVariant(d: Drv): void {
  const r = d.r;
  const members = r.sample(C_LIBS.filter((x) => !x.includes('.')), r.range(2, 4));
  d.use('symlinkJoin', ...members);
  const j = r.pick(['deps', 'runtimeLibs', 'merged', 'libsEnv']);
  d.lets.push(`${ind(1)}${j} = symlinkJoin {\n${ind(2)}name = "${d.pname}-${j.toLowerCase()}";\n${ind(2)}paths = ${renderList(d.style, members, 2)};\n${ind(1)}};`);
  d.addLocal('buildInputs', j);
  d.shell('postFixup').lines.unshift(`patchelf --set-rpath \${${j}}/lib $out/bin/${d.pname}`);
}

// ---------------------------------------------------------------------------------------------
// NixOS modules and tests

function renderModule(r: Rng, style: Style, names: Names, name: string, budget: number, cuda: boolean): string {
  const withLib = style === 'old' && r.chance(0.6);
  const L = withLib ? '' : 'lib.';
  const head = style === 'nixfmt' ? '{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n\n' : '{ config, lib, pkgs, ... }:\n\n';
  const lets: string[] = [`  cfg = config.services.${name};`];
  const useFormat = r.chance(0.5);
  if (useFormat) {
    const fmt = r.pick(['toml', 'yaml', 'json', 'ini']);
    lets.push(`  settingsFormat = pkgs.formats.${fmt} { };`, `  configFile = settingsFormat.generate "${name}.${fmt === 'yaml' ? 'yml' : fmt}" cfg.settings;`);
  }
  const pretty = cap(name);
  const options: string[] = [];
  options.push(`    enable = ${L}mkEnableOption "${pretty}, a ${r.pick(ADJ)} ${r.pick(NOUN)}";`);
  options.push(`    package = ${L}mkPackageOption pkgs "${name}" { };`);
  const used = new Set<string>();
  const option = (): string => {
    let [o, kind] = r.pick(OPTIONS);
    for (let i = 2; used.has(o); i++) o = `${r.pick(OPTIONS)[0]}${i}`;
    used.add(o);
    const desc = r.chance(0.4)
      ? `''\n${paragraphLines(r, 70, r.range(80, 300)).map((l) => `        ${l}`).join('\n')}\n      ''`
      : `"${sentence(r)}."`;
    const enumValues = kind === 'enum' ? r.pick([LOG_LEVELS.slice(0, 4), ['"server"', '"client"', '"standalone"']]) : [];
    const [type, def, example] =
      kind === 'port' ? [`${L}types.port`, String(r.range(1024, 65000)), String(r.range(1024, 65000))]
      : kind === 'bool' ? [`${L}types.bool`, r.pick(['true', 'false']), 'true']
      : kind === 'str' ? [`${L}types.str`, `"${r.pick(['', name, `${name}.example.org`, '127.0.0.1', 'localhost'])}"`, `"${name}.example.com"`]
      : kind === 'strs' ? [`${L}types.listOf ${L}types.str`, '[ ]', renderList(style, [`"--${r.pick(GERUND)}"`, `"--${r.pick(['verbose', 'quiet', 'no-color'])}"`], 3)]
      : kind === 'enum' ? [`${L}types.enum ${renderList(style, enumValues, 3)}`, r.pick(enumValues), r.pick(enumValues)]
      : kind === 'path' ? (r.chance(0.5) ? [`${L}types.path`, `"/var/lib/${name}"`, `"/srv/${name}"`] : [`${L}types.nullOr ${L}types.path`, 'null', `"/run/secrets/${name}"`])
      : [`${L}types.${r.pick(['int', 'ints.positive', 'ints.unsigned'])}`, String(r.range(1, 600)), String(r.range(1, 600))];
    const ex = r.chance(0.3) ? `\n      example = ${example};` : '';
    return `    ${o} = ${L}mkOption {\n      type = ${type};\n      default = ${def};${ex}\n      description = ${desc};\n    };`;
  };
  for (let i = r.range(1, 4); i > 0; i--) options.push(option());
  if (useFormat) {
    options.push(`    settings = ${L}mkOption {\n      inherit (settingsFormat) type;\n      default = { };\n      description = ''\n        Configuration of ${name}, see the upstream documentation for the options.\n      '';\n    };`);
  }
  const config: string[] = [];
  const exec = useFormat ? `"\${${L}getExe cfg.package} --config \${configFile}"` : `"\${cfg.package}/bin/${name}"`;
  const svc: string[] = [
    `      description = "${pretty} service";`,
    `      wantedBy = [ "multi-user.target" ];`,
    `      after = [ "network.target" ];`,
    `      serviceConfig = {\n        ExecStart = ${exec};\n        DynamicUser = true;\n        StateDirectory = "${name}";\n        Restart = "on-failure";\n      };`,
  ];
  config.push(`    systemd.services.${name} = {\n${svc.join('\n')}\n    };`);
  if (cuda) {
    config.push(`    environment.systemPackages = [\n      (pkgs.${name}.override { cudatoolkit = pkgs.${r.pick(['cudaPackages', ...CUDA_SETS])}.cudatoolkit; })\n    ];`);
  } else if (r.chance(0.4)) config.push(`    environment.systemPackages = [ cfg.package ];`);
  if (used.has('openFirewall') && used.has('port')) config.push(`    networking.firewall.allowedTCPPorts = ${L}mkIf cfg.openFirewall [ cfg.port ];`);
  const body = (opts: string[], conf: string[]): string =>
    `${head}${withLib ? 'with lib;\n\n' : ''}let\n${lets.join('\n')}\nin\n{\n  options.services.${name} = {\n${opts.join('\n\n')}\n  };\n\n  config = ${L}mkIf cfg.enable {\n${conf.join('\n\n')}\n  };\n\n  meta.maintainers = with ${L}maintainers; [ ${names.any()} ];\n}\n`;
  // padding: more options until the budget is met (the skeleton is about 900 bytes)
  let size = body(options, config).length;
  for (let guard = 0; size < budget && guard < 2000; guard++) {
    const o = option();
    options.push(o);
    size += o.length + 2;
  }
  return body(options, config);
}

function renderNixosTest(r: Rng, style: Style, names: Names, name: string, budget: number): string {
  const lines: string[] = [`machine.wait_for_unit("${name}.service")`];
  if (r.chance(0.7)) lines.push(`machine.wait_for_open_port(${r.range(1024, 65000)})`);
  for (let size = lines[0]!.length; size < budget - 450; size += lines[lines.length - 1]!.length + 7) {
    lines.push(
      r.pick([
        `machine.succeed("curl --fail http://localhost:${r.range(1024, 65000)}/${r.pick(['health', 'api/v1/status', 'metrics', ''])}")`,
        `machine.succeed("${name} --version")`,
        `machine.fail("${name} --config /nonexistent")`,
        `machine.wait_until_succeeds("journalctl -u ${name} | grep -q ready")`,
        `with subtest("${sentence(r).toLowerCase()}"):`,
        `    machine.succeed("${name} ${r.pick(['check', 'status', 'list', 'export'])} --json | jq -e .ok")`,
        `machine.copy_from_vm("/var/lib/${name}", "state")`,
        `machine.systemctl("restart ${name}.service")`,
      ]),
    );
  }
  const script = lines.map((l) => `      ${l}`).join('\n');
  if (style === 'nixfmt') {
    return `import ./make-test-python.nix (\n  { pkgs, lib, ... }:\n  {\n    name = "${name}";\n    meta.maintainers = with lib.maintainers; [ ${names.any()} ];\n\n    nodes.machine =\n      { ... }:\n      {\n        services.${name}.enable = true;\n      };\n\n    testScript = ''\n${script.replace(/^ {6}/gm, '      ')}\n    '';\n  }\n)\n`;
  }
  return `import ./make-test-python.nix ({ pkgs, lib, ... }: {\n  name = "${name}";\n  meta.maintainers = with lib.maintainers; [ ${names.any()} ];\n\n  nodes.machine = { ... }: {\n    services.${name}.enable = true;\n  };\n\n  testScript = ''\n${script.replace(/^ {6}/gm, '    ')}\n  '';\n})\n`;
}

// ---------------------------------------------------------------------------------------------
// Giant generated package sets (no needles)

type GiantKind = 'hackage' | 'node' | 'cran' | 'elpa';
const GIANTS: readonly { kind: GiantKind; path: string }[] = [
  { kind: 'hackage', path: 'pkgs/development/haskell-modules/hackage-packages.nix' },
  { kind: 'node', path: 'pkgs/development/node-packages/node-packages.nix' },
  { kind: 'cran', path: 'pkgs/development/r-modules/cran-packages.nix' },
  { kind: 'elpa', path: 'pkgs/applications/editors/emacs/elisp-packages/elpa-generated.nix' },
  { kind: 'cran', path: 'pkgs/development/r-modules/bioc-packages.nix' },
];

function giantPath(i: number): { kind: GiantKind; path: string } {
  const g = GIANTS[i % GIANTS.length]!;
  if (i < GIANTS.length) return g;
  return { kind: g.kind, path: g.path.replace(/\.nix$/, `-${Math.floor(i / GIANTS.length) + 1}.nix`) };
}

function giantText(r: Rng, kind: GiantKind, target: number): string {
  const names = new Names(r);
  const parts: string[] = [];
  let size = 0;
  const push = (s: string): void => {
    parts.push(s);
    size += s.length;
  };
  const deps = (n: number): string[] => Array.from({ length: n }, () => names.any());
  const ver = (): string => `${r.range(0, 9)}.${r.range(0, 20)}.${r.range(0, 9)}${r.chance(0.3) ? `.${r.range(0, 9)}` : ''}`;
  switch (kind) {
    case 'hackage': {
      push('/* hackage-packages.nix is an auto-generated file -- DO NOT EDIT! */\n\n{ pkgs, lib, callPackage }:\n\nself: {\n');
      while (size < target - 3) {
        const n = names.fresh('', 0.05);
        const lib = [...new Set(deps(r.range(1, 8)))];
        const test = r.chance(0.5) ? [...new Set(deps(r.range(1, 4)))] : [];
        const all = [...new Set(['mkDerivation', ...lib, ...test, 'lib'])].filter((x) => x !== n);
        let s = `\n  "${n}" = callPackage\n    ({ ${all.join(', ')} }:\n     mkDerivation {\n       pname = "${n}";\n       version = "${ver()}";\n       sha256 = "${nix32(r)}";\n`;
        if (r.chance(0.3)) s += `       revision = "${r.range(1, 5)}";\n       editedCabalFile = "${nix32(r)}";\n`;
        if (r.chance(0.3)) s += '       isLibrary = true;\n       isExecutable = true;\n';
        const libDeps = lib.filter((x) => x !== n && x !== 'lib' && x !== 'mkDerivation');
        if (libDeps.length > 0) s += `       libraryHaskellDepends = [ ${libDeps.join(' ')} ];\n`;
        const testDeps = test.filter((x) => x !== n && x !== 'lib' && x !== 'mkDerivation');
        if (testDeps.length > 0) s += `       testHaskellDepends = [ ${testDeps.join(' ')} ];\n`;
        s += `       description = "${sentence(r)}";\n       license = lib.licenses.${r.pick(['bsd3', 'mit', 'asl20', 'gpl3Only', 'mpl20'])};\n`;
        if (r.chance(0.6)) s += '       hydraPlatforms = lib.platforms.none;\n';
        if (r.chance(0.3)) s += '       broken = true;\n';
        s += '     }) {};\n';
        push(s);
      }
      push('}\n');
      break;
    }
    case 'node': {
      push('# This file has been generated by node2nix. Do not edit!\n\n{ nodeEnv, fetchurl, fetchgit, nix-gitignore, stdenv, lib, globalBuildInputs ? [] }:\n\nlet\n  sources = {\n');
      const srcNames: string[] = [];
      const srcTarget = target * 0.55;
      while (size < srcTarget) {
        const n = names.fresh(r.chance(0.2) ? `@${names.any()}/` : '', 0.05);
        const key = `${n}-${ver()}`;
        srcNames.push(key);
        const v = key.slice(n.length + 1);
        const base = n.includes('/') ? n.split('/')[1] : n;
        push(`    "${key}" = {\n      name = "${n.replace('@', '_at_').replace('/', '_slash_')}";\n      packageName = "${n}";\n      version = "${v}";\n      src = fetchurl {\n        url = "https://registry.npmjs.org/${n}/-/${base}-${v}.tgz";\n        sha512 = "${randChars(r, B64, 86)}==";\n      };\n    };\n`);
      }
      push('  };\nin\n{\n');
      while (size < target - 3) {
        const n = names.fresh('', 0.1);
        const v = ver();
        const ds = r.sample(srcNames, r.range(1, 25));
        push(`  ${n} = nodeEnv.buildNodePackage {\n    name = "${n}";\n    packageName = "${n}";\n    version = "${v}";\n    src = fetchurl {\n      url = "https://registry.npmjs.org/${n}/-/${n}-${v}.tgz";\n      sha512 = "${randChars(r, B64, 86)}==";\n    };\n    dependencies = [\n${ds.map((x) => `      sources."${x}"`).join('\n')}\n    ];\n    buildInputs = globalBuildInputs;\n    meta = {\n      description = "${sentence(r)}";\n      homepage = "https://github.com/${names.any()}/${n}#readme";\n      license = "${r.pick(['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause'])}";\n    };\n    production = true;\n    bypassCache = true;\n    reconstructLock = true;\n  };\n`);
      }
      push('}\n');
      break;
    }
    case 'cran': {
      push('# This file is generated from generate-r-packages.R. DO NOT EDIT.\n# Execute the following command to update the file.\n#\n# Rscript generate-r-packages.R cran >new && mv new cran-packages.nix\n\n{ self, derive }:\nlet derive2 = derive { snapshot = "2024-05-01"; };\nin with self; {\n');
      while (size < target - 3) {
        const n = names.fresh('', 0).replace(/-/g, '.');
        const ds = [...new Set(deps(r.range(0, 6)))].filter((x) => x !== n);
        push(`${n} = derive2 { name="${n}"; version="${ver()}"; sha256="${nix32(r)}"; depends=[${ds.join(' ')}]; };\n`);
      }
      push('}\n');
      break;
    }
    case 'elpa': {
      push('{ callPackage }:\n  {\n');
      while (size < target - 3) {
        const n = names.fresh('', 0.05);
        const ds = [...new Set(deps(r.range(0, 4)))].filter((x) => x !== n && x !== 'elpaBuild' && x !== 'fetchurl' && x !== 'lib');
        const all = ['elpaBuild', 'fetchurl', 'lib', ...ds];
        const v = ver();
        push(`    ${n} = callPackage ({ ${all.join('\n                       , ')} }:\n      elpaBuild {\n        pname = "${n}";\n        ename = "${n}";\n        version = "${v}";\n        src = fetchurl {\n          url = "https://elpa.gnu.org/packages/${n}-${v}.tar";\n          sha256 = "${nix32(r)}";\n        };\n        packageRequires = [ ${ds.join(' ')} ];\n        meta = {\n          homepage = "https://elpa.gnu.org/packages/${n}.html";\n          license = lib.licenses.free;\n        };\n      }) {};\n`);
      }
      push('  }\n');
      break;
    }
  }
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// The plan

type LocKind = 'by-name' | 'dev' | 'python-module' | 'app' | 'tools' | 'servers' | 'nixos-module' | 'nixos-test';

interface PlannedFile {
  loc: LocKind;
  path: string;
  name: string;
  /** Path relative to pkgs/top-level (for call sites). */
  callPath?: string;
  template: Template;
  needle?: { kind: 'cuda' | 'join' | 'driver'; variant: string };
  target: number;
}

const LOC_WEIGHTS = [
  [50, 'by-name'], [13, 'dev'], [12, 'python-module'], [11, 'app'], [5, 'tools'], [2, 'servers'], [6, 'nixos-module'], [1, 'nixos-test'],
] as const;

function templateFor(r: Rng, loc: LocKind, category: string): Template {
  switch (loc) {
    case 'python-module':
      return 'python-module';
    case 'nixos-module':
      return 'nixos-module';
    case 'nixos-test':
      return 'nixos-test';
    case 'by-name':
      return r.weighted([[55, 'mkDerivation'], [15, 'rust'], [15, 'go'], [7, 'python-app'], [8, 'nocc']] as const);
    case 'dev':
      return category === 'libraries' ? 'mkDerivation' : r.weighted([[60, 'mkDerivation'], [20, 'rust'], [20, 'go']] as const);
    case 'app':
      return r.weighted([[60, 'mkDerivation'], [15, 'python-app'], [10, 'rust'], [10, 'go'], [5, 'nocc']] as const);
    case 'tools':
      return r.weighted([[50, 'mkDerivation'], [25, 'rust'], [25, 'go']] as const);
    default:
      return r.weighted([[40, 'mkDerivation'], [60, 'go']] as const);
  }
}

function plan(r: Rng, names: Names, count: number): PlannedFile[] {
  const files: PlannedFile[] = [];
  for (let i = 0; i < count; i++) {
    const loc = r.weighted(LOC_WEIGHTS);
    let name: string;
    let path: string;
    let callPath: string | undefined;
    let category = '';
    switch (loc) {
      case 'by-name':
        name = names.fresh('', 0.15);
        path = `pkgs/by-name/${name.slice(0, 2)}/${name}/package.nix`;
        callPath = `../by-name/${name.slice(0, 2)}/${name}/package.nix`;
        break;
      case 'dev':
        category = r.weighted(CATEGORIES_DEV);
        name = names.fresh(category === 'libraries' && r.chance(0.3) ? 'lib' : '', 0.1);
        path = `pkgs/development/${category}/${name}/default.nix`;
        callPath = `../development/${category}/${name}`;
        break;
      case 'python-module':
        name = names.fresh(r.chance(0.2) ? 'py' : '', 0.05);
        path = `pkgs/development/python-modules/${name}/default.nix`;
        callPath = `../development/python-modules/${name}`;
        break;
      case 'app':
        category = r.pick(CATEGORIES_APP);
        name = names.fresh('', 0.2);
        path = `pkgs/applications/${category}/${name}/default.nix`;
        callPath = `../applications/${category}/${name}`;
        break;
      case 'tools':
        category = r.pick(CATEGORIES_TOOLS);
        name = names.fresh('', 0.2);
        path = `pkgs/tools/${category}/${name}/default.nix`;
        callPath = `../tools/${category}/${name}`;
        break;
      case 'servers':
        category = r.pick(CATEGORIES_SERVERS);
        name = names.fresh('', 0.2);
        path = `pkgs/servers/${category}/${name}/default.nix`;
        callPath = `../servers/${category}/${name}`;
        break;
      case 'nixos-module':
        category = r.pick(CATEGORIES_NIXOS);
        name = names.fresh('', 0.1);
        path = `nixos/modules/services/${category}/${name}.nix`;
        callPath = `./services/${category}/${name}.nix`;
        break;
      default:
        name = names.fresh('', 0.1);
        path = `nixos/tests/${name}.nix`;
        callPath = `./${name}.nix`;
    }
    files.push({ loc, path, name, callPath, template: templateFor(r, loc, category), target: 0 });
  }
  return files;
}

function assignNeedles(r: Rng, files: PlannedFile[], nCuda: number, nJoin: number, nDriver: number): void {
  const order = r.shuffle(files.map((_, i) => i));
  const pkgLike = (f: PlannedFile): boolean => f.loc !== 'nixos-module' && f.loc !== 'nixos-test' && f.loc !== 'python-module';
  let c = 0;
  let j = 0;
  let dr = 0;
  let firstCc = true;
  for (const i of order) {
    const f = files[i]!;
    if (c < nCuda && f.loc !== 'nixos-test') {
      if (f.loc === 'python-module') f.needle = { kind: 'cuda', variant: r.pick(CUDA_VARIANTS_PY) };
      else if (f.loc === 'nixos-module') f.needle = { kind: 'cuda', variant: 'nixos-override' };
      else {
        f.template = 'mkDerivation';
        // the first one takes a `cudatoolkit` formal, so that all-packages.nix has a call site to pass it
        const v = firstCc ? r.pick(CUDA_VARIANTS_CC.filter((x) => TAKES_TOOLKIT.has(x))) : r.pick(CUDA_VARIANTS_CC);
        firstCc = false;
        f.needle = { kind: 'cuda', variant: v };
      }
      c++;
    } else if (j < nJoin && pkgLike(f)) {
      const v = r.pick(JOIN_VARIANTS);
      f.needle = { kind: 'join', variant: v };
      f.template = v === 'join-let' ? 'mkDerivation' : v;
      j++;
    } else if (dr < nDriver && pkgLike(f)) {
      f.template = 'mkDerivation';
      f.needle = { kind: 'driver', variant: r.pick(DRIVER_VARIANTS) };
      dr++;
    }
    if (c >= nCuda && j >= nJoin && dr >= nDriver) break;
  }
}

/** Target sizes: a log-normal body with a heavy tail, scaled to the budget. */
function assignTargets(r: Rng, files: PlannedFile[], budget: number): void {
  const raw = files.map(() => (r.chance(0.025) ? Math.exp(Math.log(12000) + r.next() * Math.log(5)) : 2000 * Math.exp(0.6 * r.normal())));
  const sum = raw.reduce((a, b) => a + b, 0);
  const k = sum > 0 ? budget / sum : 0;
  files.forEach((f, i) => {
    f.target = raw[i]! * k;
  });
}

// ---------------------------------------------------------------------------------------------
// File generation

function packageText(f: PlannedFile, r: Rng, names: Names, target: number): string {
  const style: Style = r.chance(0.8) ? 'nixfmt' : 'old';
  if (f.template === 'nixos-module') {
    return renderModule(r, style, names, f.name, target, f.needle?.kind === 'cuda');
  }
  if (f.template === 'nixos-test') return renderNixosTest(r, style, names, f.name, target);
  const d = new Drv(r, style, names, f.name, f.template);
  if (f.template === 'symlinkJoin-wrapper' || f.template === 'buildEnv') joinPackage(d, f.template);
  else {
    const cudaBuild =
      f.needle?.variant === 'cmake-root' || f.needle?.variant === 'cc-stdenv'
        ? 'cmake'
        : f.needle?.variant === 'autotools'
          ? 'autotools'
          : undefined;
    if (f.template === 'mkDerivation') baseMkDerivation(d, { buildSystem: cudaBuild });
    else buildBase(d);
  }
  if (f.needle?.kind === 'cuda') applyCudaVariant(d, f.needle.variant);
  else if (f.needle?.kind === 'driver') applyDriverVariant(d, f.needle.variant);
  else if (f.needle?.variant === 'join-let') joinLetVariant(d);
  if (style === 'old' && r.chance(0.1) && !d.lets.length) d.topComment = `# ${sentence(r)}.`;
  const base = renderDrv(d).length;
  applyPadding(d, slotsFor(d), target - base);
  return renderDrv(d);
}

function topLevelFiles(r: Rng, files: PlannedFile[], cudaCallSites: boolean): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  // all-packages.nix: call sites of the packages outside python-modules and nixos.
  const sections = new Map<string, PlannedFile[]>();
  for (const f of files) {
    if (f.loc === 'python-module' || f.loc === 'nixos-module' || f.loc === 'nixos-test') continue;
    if (f.loc === 'by-name' && !(f.needle?.kind === 'cuda' && cudaCallSites && TAKES_TOOLKIT.has(f.needle.variant)) && !r.chance(0.04)) continue;
    const sec = f.path.split('/').slice(1, f.loc === 'by-name' ? 2 : 3).join(' / ').toUpperCase();
    if (!sections.has(sec)) sections.set(sec, []);
    sections.get(sec)!.push(f);
  }
  const ap: string[] = [
    '/* The top-level package collection of this corpus.',
    '',
    '   Packages are added here when they cannot be auto-called from pkgs/by-name,',
    '   or when they need arguments. Keep each section sorted.',
    '*/',
    '{ lib, noSysDirs, config, overlays }:',
    'res: pkgs: super:',
    '',
    'with pkgs;',
    '',
    '{',
  ];
  const seen = new Set<string>();
  const cudaArg = (): string =>
    r.pick([`{ cudatoolkit = ${r.pick(CUDA_SETS)}.cudatoolkit; }`, '{ inherit (cudaPackages) cudatoolkit; }', `{ cudatoolkit = cudaPackages.cudatoolkit; }`]);
  for (const sec of [...sections.keys()].sort()) {
    ap.push(`  ### ${sec}`, '');
    const list = sections.get(sec)!.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of list) {
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      let args = '{ }';
      if (f.needle?.kind === 'cuda' && cudaCallSites && TAKES_TOOLKIT.has(f.needle.variant)) {
        args = cudaArg();
      } else if (r.chance(0.12)) {
        args = r.pick([
          '{ inherit (darwin.apple_sdk.frameworks) Security CoreServices; }',
          '{ python3 = python312; }',
          '{ openssl = openssl_3; }',
          '{ stdenv = gccStdenv; }',
          '{ lua = lua5_4; }',
          '{ withPython = true; }',
        ]);
      }
      ap.push(`  ${f.name} = callPackage ${f.callPath} ${args};`);
      if (r.chance(0.1)) {
        const k = `${f.name}${r.pick(['Full', 'Minimal', 'WithPlugins', 'Headless'])}`;
        if (!seen.has(k)) {
          seen.add(k);
          ap.push(`  ${k} = ${f.name}.override { ${r.pick(['withGui = true;', 'enableTests = false;', 'withPlugins = true;', 'minimal = true;'])} };`);
        }
      }
      if (r.chance(0.03)) ap.push('');
    }
    ap.push('');
  }
  // python applications exposed at the top level
  ap.push('  ### PYTHON APPLICATIONS', '');
  for (const f of files) {
    if (f.loc !== 'python-module' || !r.chance(0.05) || seen.has(f.name)) continue;
    seen.add(f.name);
    ap.push(`  ${f.name} = with python3Packages; toPythonApplication ${f.name};`);
  }
  ap.push('}', '');
  out.push({ path: 'pkgs/top-level/all-packages.nix', text: ap.join('\n') });

  // python-packages.nix
  const py = files.filter((f) => f.loc === 'python-module').sort((a, b) => (a.name < b.name ? -1 : 1));
  const pp = ['# The Python package set of this corpus.', '{ pkgs, stdenv, lib, python }:', '', 'self: super:', '', 'with self;', '{'];
  for (const f of py) pp.push(`  ${f.name} = callPackage ${f.callPath} { };`, ...(r.chance(0.03) ? [''] : []));
  pp.push('}', '');
  out.push({ path: 'pkgs/top-level/python-packages.nix', text: pp.join('\n') });

  // aliases.nix
  const al = [
    'lib: self: super:',
    '',
    'let',
    '  removed = name: date: throw "${name} was removed on ${date}";',
    'in',
    '{',
  ];
  const aliasSeen = new Set<string>();
  for (const f of files) {
    if (f.loc === 'nixos-module' || f.loc === 'nixos-test' || !r.chance(0.06)) continue;
    const a = `${f.name}${r.pick(['-old', '_legacy', '-bin-old', 'Compat'])}`;
    if (aliasSeen.has(a)) continue;
    aliasSeen.add(a);
    const date = `20${r.range(20, 25)}-${String(r.range(1, 12)).padStart(2, '0')}-${String(r.range(1, 28)).padStart(2, '0')}`;
    al.push(r.chance(0.6) ? `  ${a} = self.${f.name}; # Added ${date}` : `  ${a} = removed "${a}" "${date}";`);
  }
  al.push('}', '');
  out.push({ path: 'pkgs/top-level/aliases.nix', text: al.join('\n') });

  // module-list.nix
  const mods = files.filter((f) => f.loc === 'nixos-module').map((f) => f.callPath!).sort();
  out.push({ path: 'nixos/modules/module-list.nix', text: `[\n${mods.map((m) => `  ${m}`).join('\n')}\n]\n` });

  // all-tests.nix
  const tests = files.filter((f) => f.loc === 'nixos-test').sort((a, b) => (a.name < b.name ? -1 : 1));
  out.push({
    path: 'nixos/tests/all-tests.nix',
    text: `{ system, pkgs, callTest, handleTest, ... }:\n\n{\n${tests.map((t) => `  ${t.name} = handleTest ${t.callPath} { };`).join('\n')}\n}\n`,
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry point

export function generateCorpus(opts: CorpusOptions): CorpusStats {
  const files = Math.floor(opts.files);
  const totalBytes = Math.floor(opts.megabytes * MIB);
  const cudaFraction = opts.cudaFraction ?? 0.005;
  const joinFraction = opts.joinFraction ?? 0.01;
  const driverFraction = opts.driverFraction ?? 0.003;
  const giantFiles = Math.max(0, Math.floor(opts.giantFiles ?? 3));
  const giantMegabytes = opts.giantMegabytes ?? Math.min(12, opts.megabytes * 0.06);
  const regularCount = files - FIXED_FILES - giantFiles;
  if (!(regularCount >= 1)) throw new Error(`nixshift corpus: --files must be at least ${FIXED_FILES + giantFiles + 1} (${FIXED_FILES} top-level files and ${giantFiles} giant files)`);
  if (!(opts.megabytes > 0)) throw new Error('nixshift corpus: --mb must be positive');

  const out = resolve(opts.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!opts.force) throw new Error(`nixshift corpus: ${out} is not empty (use --force to replace it)`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  // `out` is empty: each folder is made once, parents first, without `recursive` (which stats every level).
  const madeDirs = new Set<string>(['']);
  const ensureDir = (dir: string): void => {
    if (madeDirs.has(dir)) return;
    const slash = dir.lastIndexOf('/');
    ensureDir(slash < 0 ? '' : dir.slice(0, slash));
    mkdirSync(join(out, dir));
    madeDirs.add(dir);
  };
  const stats: CorpusStats = { files: 0, bytes: 0, cudaFiles: 0, joinFiles: 0, driverFiles: 0, giantFiles: 0, byKind: {} };
  const kind = (k: string): void => {
    stats.byKind[k] = (stats.byKind[k] ?? 0) + 1;
  };
  const write = (rel: string, text: string, expect: 'none' | 'cuda' | 'join' | 'driver'): void => {
    // Guard: a file gets needles only when the generator meant it to.
    const has = hasNeedle(text);
    if (expect === 'none' ? has : !has) throw new Error(`nixshift corpus: internal error: ${rel} ${has ? 'contains' : 'lacks'} a needle (expected ${expect})`);
    ensureDir(rel.slice(0, Math.max(0, rel.lastIndexOf('/'))));
    writeFileSync(`${out}/${rel}`, text);
    stats.files++;
    stats.bytes += text.length; // ASCII only
    if (expect === 'cuda') stats.cudaFiles++;
    else if (expect === 'join') stats.joinFiles++;
    else if (expect === 'driver') stats.driverFiles++;
  };

  const root = seedOf(opts.seed);
  const planRng = new Rng(mix(root, 1));
  const names = new Names(planRng);
  const planned = plan(planRng, names, regularCount);
  let nCuda = Math.round(files * cudaFraction);
  const cudaCallSites = nCuda >= 3;
  if (cudaCallSites) nCuda--; // all-packages.nix then has CUDA call sites: it is one of the CUDA files
  assignNeedles(planRng, planned, nCuda, Math.round(files * joinFraction), Math.round(files * driverFraction));

  // Giant files first: they take a fixed share of the budget.
  let fixedBytes = 0;
  for (let i = 0; i < giantFiles; i++) {
    const g = giantPath(i);
    const text = giantText(new Rng(mix(root, 1000 + i)), g.kind, Math.ceil(giantMegabytes * MIB));
    write(g.path, text, 'none');
    fixedBytes += text.length;
    stats.giantFiles++;
    kind(`giant:${g.kind}`);
  }
  const tops = topLevelFiles(new Rng(mix(root, 2)), planned, cudaCallSites);
  for (const t of tops) {
    const cuda = t.text.includes('cudatoolkit');
    write(t.path, t.text, cuda ? 'cuda' : 'none');
    fixedBytes += t.text.length;
    kind('top-level');
  }

  // Regular files: targets scaled to what is left, with the running error carried forward.
  const sizeRng = new Rng(mix(root, 3));
  assignTargets(sizeRng, planned, Math.max(0, totalBytes - fixedBytes));
  let carry = 0;
  planned.forEach((f, i) => {
    const r = new Rng(mix(root, 10_000 + i));
    const fileNames = new Names(r);
    const target = Math.max(200, Math.min(f.target * 1.5 + 200, f.target + carry));
    const text = packageText(f, r, fileNames, target);
    carry = f.target + carry - text.length;
    write(f.path, text, f.needle?.kind ?? 'none');
    kind(f.needle ? `${f.needle.kind}:${f.needle.variant}` : f.template);
  });
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: node dist/bench/corpus.js --out DIR [options]

  --out DIR              folder to write (must be empty or missing, unless --force)
  --seed N               PRNG seed (default 1)
  --files N              total number of files (default 50000)
  --mb N                 total size in MiB, giant files included (default 200)
  --cuda-fraction F      fraction of files with the legacy toolkit or CUDA joins (default 0.005)
  --join-fraction F      fraction of files with a non-CUDA symlinkJoin/buildEnv (default 0.01)
  --driver-fraction F    fraction of files with addOpenGLRunpath (default 0.003)
  --giant-files N        giant generated package sets (default 3)
  --giant-mb N           size of each giant file in MiB (default min(12, 6% of --mb))
  --force                replace DIR if it is not empty
`;

export function parseArgs(argv: readonly string[]): CorpusOptions {
  const o: CorpusOptions = { out: '', seed: 1, files: 50_000, megabytes: 200 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--out':
        o.out = value() ?? '';
        break;
      case '--seed':
        o.seed = num(flag, value());
        break;
      case '--files':
        o.files = num(flag, value());
        break;
      case '--mb':
        o.megabytes = num(flag, value());
        break;
      case '--cuda-fraction':
        o.cudaFraction = num(flag, value());
        break;
      case '--join-fraction':
        o.joinFraction = num(flag, value());
        break;
      case '--driver-fraction':
        o.driverFraction = num(flag, value());
        break;
      case '--giant-files':
        o.giantFiles = num(flag, value());
        break;
      case '--giant-mb':
        o.giantMegabytes = num(flag, value());
        break;
      case '--force':
        o.force = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.out) throw new Error('--out is required');
  return o;
}

function main(): void {
  let opts: CorpusOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`nixshift corpus: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  try {
    const stats = generateCorpus(opts);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
    process.stderr.write(`nixshift corpus: ${stats.files} files, ${(stats.bytes / MIB).toFixed(1)} MiB in ${s.toFixed(2)}s → ${resolve(opts.out)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();

