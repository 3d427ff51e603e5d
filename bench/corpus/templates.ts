/** Part of the benchmark corpus generator (bench/corpus.ts): package templates. */
import { Drv, renderList } from './model.js';
import { flagItem, metaField, padFlags, srcFor, srcGitHub, srcUrl, type PadSlot } from './pieces.js';
import { ind, sri } from './random.js';
import { C_LIBS, NATIVE_EXTRA, PY_BUILD, PY_CHECK, PY_DEPS, RUST_LIBS } from './vocabulary.js';


export function chooseSelf(d: Drv, finalAttrsChance: number): void {
  d.self = d.r.chance(d.style === 'nixfmt' ? finalAttrsChance : finalAttrsChance / 4) ? 'finalAttrs' : 'rec';
}

export function baseMkDerivation(d: Drv, opts: { buildSystem?: Drv['buildSystem'] } = {}): void {
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

export function basePython(d: Drv): void {
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

export function baseRust(d: Drv): void {
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

export function baseGo(d: Drv): void {
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

export function basePythonApp(d: Drv): void {
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

export function baseNoCC(d: Drv): void {
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

export function buildBase(d: Drv): void {
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

export function slotsFor(d: Drv): PadSlot[] {
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
