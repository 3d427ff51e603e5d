/** Part of the benchmark corpus generator (bench/corpus.ts): the plan. */
import { Rng } from '../rng.js';
import type { Template } from './model.js';
import { CUDA_VARIANTS_CC, CUDA_VARIANTS_PY, DRIVER_VARIANTS, JOIN_VARIANTS, TAKES_TOOLKIT } from './needles.js';
import { Names } from './text.js';
import { CATEGORIES_APP, CATEGORIES_DEV, CATEGORIES_NIXOS, CATEGORIES_SERVERS, CATEGORIES_TOOLS } from './vocabulary.js';


export type LocKind = 'by-name' | 'dev' | 'python-module' | 'app' | 'tools' | 'servers' | 'nixos-module' | 'nixos-test';

export interface PlannedFile {
  loc: LocKind;
  path: string;
  name: string;
  /** Path relative to pkgs/top-level (for call sites). */
  callPath?: string;
  template: Template;
  needle?: { kind: 'cuda' | 'join' | 'driver'; variant: string };
  target: number;
}

export const LOC_WEIGHTS = [
  [50, 'by-name'], [13, 'dev'], [12, 'python-module'], [11, 'app'], [5, 'tools'], [2, 'servers'], [6, 'nixos-module'], [1, 'nixos-test'],
] as const;

export function templateFor(r: Rng, loc: LocKind, category: string): Template {
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

export function plan(r: Rng, names: Names, count: number): PlannedFile[] {
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

export function assignNeedles(r: Rng, files: PlannedFile[], nCuda: number, nJoin: number, nDriver: number): void {
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
export function assignTargets(r: Rng, files: PlannedFile[], budget: number): void {
  const raw = files.map(() => (r.chance(0.025) ? Math.exp(Math.log(12000) + r.next() * Math.log(5)) : 2000 * Math.exp(0.6 * r.normal())));
  const sum = raw.reduce((a, b) => a + b, 0);
  const k = sum > 0 ? budget / sum : 0;
  files.forEach((f, i) => {
    f.target = raw[i]! * k;
  });
}
