/** Part of the benchmark corpus generator (bench/corpus.ts): vocabularies (made up for this corpus). */


export const SYLLABLES = [
  'ba', 'be', 'bi', 'bo', 'da', 'de', 'di', 'do', 'fa', 'fe', 'fi', 'fo', 'ga', 'ge', 'gi', 'go', 'ha', 'he', 'hi', 'ka',
  'ke', 'ki', 'ko', 'la', 'le', 'li', 'lo', 'ma', 'me', 'mi', 'mo', 'na', 'ne', 'ni', 'no', 'pa', 'pe', 'pi', 'po', 'ra',
  're', 'ri', 'ro', 'sa', 'se', 'si', 'so', 'ta', 'te', 'ti', 'va', 've', 'vi', 'vo', 'za', 'ze', 'zi', 'zo', 'tor', 'lex',
  'mar', 'rin', 'sol', 'ven', 'kel', 'dor', 'fin', 'gal', 'har', 'jin', 'kor', 'lum', 'nex', 'pix', 'quo', 'rax', 'syn',
  'tal', 'vex', 'wyn', 'xel', 'yor', 'zan', 'bel', 'cor', 'dex', 'fer', 'gim', 'hex', 'ivo', 'jax', 'kip', 'lor', 'mox',
  'nim', 'orb', 'pel', 'qui', 'ryn', 'sev', 'tix', 'ulm', 'vor', 'wix', 'yen', 'zed', 'ark', 'bex', 'cal', 'dun', 'elm',
];
export const NAME_SUFFIXES = ['-cli', '-utils', '-rs', '-server', '-gtk', '-qt', '-tools', '-daemon', '-go', 'ctl', 'd', '-lsp', '-fmt', '-tui', '-web'];
export const FORBIDDEN_NAME = /cuda|toolkit|symlink|buildenv|opengl|runpath|nixshift|ignore|join/;
export const NIX_KEYWORDS = new Set(['if', 'then', 'else', 'let', 'in', 'with', 'rec', 'inherit', 'assert', 'or', 'true', 'false', 'null']);

export const ADJ = [
  'fast', 'lightweight', 'modular', 'minimal', 'portable', 'extensible', 'secure', 'simple', 'high-performance', 'declarative',
  'interactive', 'cross-platform', 'asynchronous', 'embeddable', 'scriptable', 'small', 'robust', 'versatile', 'terminal-based',
  'graphical', 'concurrent', 'incremental', 'pluggable', 'zero-copy', 'streaming', 'distributed', 'friendly', 'opinionated',
];
export const NOUN = ['library', 'tool', 'daemon', 'framework', 'utility', 'command-line tool', 'server', 'client', 'engine', 'editor', 'viewer', 'frontend', 'backend', 'plugin', 'service', 'toolchain', 'collection of scripts', 'implementation', 'parser', 'compiler'];
export const GERUND = ['parsing', 'managing', 'converting', 'monitoring', 'editing', 'rendering', 'analysing', 'synchronising', 'compressing', 'encrypting', 'indexing', 'searching', 'visualising', 'validating', 'generating', 'streaming', 'inspecting', 'scheduling', 'formatting', 'benchmarking', 'archiving', 'mirroring', 'translating', 'debugging'];
export const OBJECT = [
  'TOML documents', 'network packets', 'image files', 'audio streams', 'log files', 'JSON data', 'git repositories', 'system metrics',
  'DNS queries', 'PDF documents', 'spreadsheets', 'e-mail', 'container images', 'certificates', 'fonts', '3D meshes', 'vector graphics',
  'subtitles', 'time series', 'keyboard layouts', 'MIDI devices', 'bluetooth devices', 'USB devices', 'sensor data', 'genome sequences',
  'chess positions', 'music libraries', 'ebooks', 'calendars', 'passwords', 'backups', 'virtual machines', 'serial ports', 'build logs',
  'web pages', 'RSS feeds', 'maps', 'weather data', 'source code', 'Markdown notes', 'firmware images', 'shell history', 'HTTP APIs',
];
export const FILLER = [
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
export const LICENSES = ['mit', 'asl20', 'gpl3Plus', 'gpl3Only', 'gpl2Plus', 'gpl2Only', 'lgpl21Plus', 'lgpl3Plus', 'bsd3', 'bsd2', 'mpl20', 'isc', 'unlicense', 'zlib', 'agpl3Plus', 'cc0', 'artistic2', 'epl20'];
export const PLATFORMS = ['lib.platforms.linux', 'lib.platforms.unix', 'lib.platforms.all', 'lib.platforms.linux ++ lib.platforms.darwin'];
export const NATIVE_EXTRA = ['pkg-config', 'makeWrapper', 'installShellFiles', 'gettext', 'bison', 'flex', 'doxygen', 'scdoc', 'perl', 'python3', 'which', 'help2man', 'wrapGAppsHook3', 'gobject-introspection', 'desktop-file-utils', 'wayland-scanner', 'texinfo', 'yasm', 'nasm'];
export const C_LIBS = [
  'zlib', 'openssl', 'curl', 'libxml2', 'libpng', 'libjpeg', 'sqlite', 'glib', 'gtk3', 'gtk4', 'ncurses', 'readline', 'boost', 'fmt', 'spdlog',
  'libuv', 'pcre2', 'libffi', 'gmp', 'mpfr', 'expat', 'freetype', 'fontconfig', 'cairo', 'pango', 'harfbuzz', 'libGL', 'wayland',
  'xorg.libX11', 'xorg.libXext', 'xorg.libXrandr', 'libdrm', 'alsa-lib', 'libpulseaudio', 'pipewire', 'ffmpeg', 'libusb1', 'systemd',
  'dbus', 'libsodium', 'zstd', 'xz', 'bzip2', 'lz4', 'libarchive', 'icu', 'json-glib', 'libsecret', 'libnotify', 'qt6.qtbase', 'qt6.qtsvg',
  'SDL2', 'libvorbis', 'libogg', 'flac', 'opus', 'libsndfile', 'fftw', 'hdf5', 'eigen', 'protobuf', 'grpc', 'abseil-cpp', 'gtest', 'catch2',
  'nlohmann_json', 'yaml-cpp', 'tbb', 'libevent', 'c-ares', 'nghttp2', 'libssh2', 'lua', 'tcl', 'libyaml', 'jansson', 'libmicrohttpd',
  'libcap', 'libseccomp', 'util-linux', 'acl', 'attr', 'capstone', 'libgit2', 'oniguruma', 'libxkbcommon',
];
export const PY_DEPS = [
  'requests', 'numpy', 'scipy', 'click', 'attrs', 'pyyaml', 'typing-extensions', 'packaging', 'rich', 'pydantic', 'aiohttp', 'jinja2', 'six',
  'python-dateutil', 'pytz', 'urllib3', 'certifi', 'cryptography', 'lxml', 'pillow', 'tqdm', 'toml', 'tomli', 'platformdirs', 'filelock',
  'httpx', 'anyio', 'sniffio', 'websockets', 'msgpack', 'protobuf', 'grpcio', 'pandas', 'matplotlib', 'networkx', 'sympy', 'beautifulsoup4',
  'docutils', 'pygments', 'markdown', 'sqlalchemy', 'psutil', 'pyserial', 'paramiko', 'boto3', 'redis', 'orjson', 'regex', 'xmltodict',
];
export const PY_BUILD = ['setuptools', 'setuptools-scm', 'hatchling', 'hatch-vcs', 'poetry-core', 'flit-core', 'pdm-backend', 'cython', 'wheel'];
export const PY_CHECK = ['pytestCheckHook', 'pytest-asyncio', 'pytest-mock', 'hypothesis', 'pytest-xdist', 'freezegun', 'responses', 'pytest-cov-stub', 'mock'];
export const RUST_LIBS = ['openssl', 'sqlite', 'dbus', 'zstd', 'libgit2', 'oniguruma', 'xz', 'udev', 'alsa-lib', 'fontconfig', 'libxkbcommon', 'wayland', 'libseccomp'];
export const RUNTIME_TOOLS = ['coreutils', 'gnugrep', 'gnused', 'findutils', 'git', 'jq', 'which', 'procps', 'gawk', 'bash', 'openssh', 'rsync', 'gnutar', 'gzip'];
export const CATEGORIES_APP = ['misc', 'networking', 'graphics', 'audio', 'editors', 'science/math', 'science/biology', 'science/physics', 'video', 'office', 'version-management', 'window-managers', 'emulators', 'terminal-emulators', 'gis', 'radio', 'blockchains', 'file-managers', 'backup', 'kde', 'gnome'];
export const CATEGORIES_DEV = [
  [55, 'libraries'], [22, 'tools'], [5, 'compilers'], [3, 'interpreters'], [5, 'misc'], [2, 'embedded'], [4, 'web'], [2, 'ocaml-modules'], [2, 'lua-modules'],
] as const;
export const CATEGORIES_TOOLS = ['misc', 'networking', 'security', 'system', 'text', 'filesystems', 'archivers', 'graphics', 'admin', 'backup'];
export const CATEGORIES_SERVERS = ['http', 'sql', 'mail', 'monitoring', 'dns', 'search', 'home-automation'];
export const CATEGORIES_NIXOS = ['misc', 'networking', 'monitoring', 'web-apps', 'databases', 'hardware', 'backup', 'security', 'audio', 'mail', 'computing', 'system', 'continuous-integration', 'x11', 'home-automation'];
export type OptionKind = 'port' | 'bool' | 'str' | 'strs' | 'enum' | 'path' | 'int';
export const OPTIONS: readonly (readonly [string, OptionKind])[] = [
  ['port', 'port'], ['metricsPort', 'port'], ['adminPort', 'port'], ['openFirewall', 'bool'], ['enableMetrics', 'bool'], ['debug', 'bool'],
  ['autoUpdate', 'bool'], ['user', 'str'], ['group', 'str'], ['listenAddress', 'str'], ['hostName', 'str'], ['domain', 'str'],
  ['adminEmail', 'str'], ['databaseUrl', 'str'], ['proxyAddress', 'str'], ['extraArgs', 'strs'], ['plugins', 'strs'], ['allowedHosts', 'strs'],
  ['trustedProxies', 'strs'], ['logLevel', 'enum'], ['mode', 'enum'], ['dataDir', 'path'], ['stateDir', 'path'], ['cacheDir', 'path'],
  ['environmentFile', 'path'], ['secretKeyFile', 'path'], ['tlsCertificate', 'path'], ['tlsKey', 'path'], ['workers', 'int'],
  ['timeout', 'int'], ['maxConnections', 'int'], ['interval', 'int'], ['retention', 'int'],
];
export const LOG_LEVELS = ['"error"', '"warn"', '"info"', '"debug"', '"trace"'];
export const SHELL_COMMENTS = [
  '# upstream hardcodes the install prefix',
  '# the test suite needs a writable home directory',
  '# keep the build reproducible',
  '# remove files that only make sense on other platforms',
  '# the generated completion scripts need the binary to run',
  '# do not let the build system download anything',
  '# the bundled copy is older than the one in nixpkgs',
];
