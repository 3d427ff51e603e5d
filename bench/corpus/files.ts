/** Part of the benchmark corpus generator (bench/corpus.ts): file generation. */
import { Rng } from '../rng.js';
import { Drv, renderDrv, type Style } from './model.js';
import { CUDA_SETS, TAKES_TOOLKIT, applyCudaVariant, applyDriverVariant, joinLetVariant, joinPackage } from './needles.js';
import { renderModule, renderNixosTest } from './nixos.js';
import { applyPadding } from './pieces.js';
import type { PlannedFile } from './plan.js';
import { baseMkDerivation, buildBase, slotsFor } from './templates.js';
import { Names, sentence } from './text.js';


export function packageText(f: PlannedFile, r: Rng, names: Names, target: number): string {
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

export function topLevelFiles(r: Rng, files: PlannedFile[], cudaCallSites: boolean): { path: string; text: string }[] {
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
