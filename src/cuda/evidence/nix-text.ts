/**
 * Evidence in the `.nix` file itself: CUDA library names in its strings and flag-like attribute
 * names (`-DUSE_CUBLAS=ON`, `CUPTI_DIR = …`, `"${cudatoolkit}/lib/libcufft.so"`), and signs
 * that the package installs prebuilt binaries (it compiles nothing, so it needs no compiler and
 * no headers).
 */
import type { SyntaxNode } from '../../nix/tree.js';
import { positionAt } from '../../nix/position.js';
import { dottedName } from '../../nix/syntax.js';
import { ALL_COMPONENTS, LIBRARIES, TOOLS } from '../facts.js';
import type { EvidenceItem } from './types.js';
import { interpolatedPath } from '../../nixpkgs/expressions.js';

const COMPONENTS = [...LIBRARIES, ...TOOLS];
/** Matches wherever one of the components' evidence does (and maybe more): one test per string. */
const ANY = new RegExp(COMPONENTS.map((c) => `(?:${c.evidence.source})`).join('|'), 'i');

const quote = (what: string): string => (what.length > 40 ? `${what.slice(0, 40)}…` : what);

/** The first piece of evidence for each component in the file's strings and flag names. */
export function scanNixText(src: string, root: SyntaxNode): EvidenceItem[] {
  const found = new Map<string, EvidenceItem>();
  const texts = [
    ...root.descendantsOfType('string_fragment'),
    // flag-like attribute names: env.USE_CUBLAS = …; CUPTI_DIR = …;
    ...root.descendantsOfType('attrpath').flatMap((p) => p.namedChildren.filter((a) => a.type === 'identifier' && /^[A-Z][A-Z0-9_]+$/.test(src.slice(a.startIndex, a.endIndex)))),
  ];
  for (const node of texts) {
    const t = src.slice(node.startIndex, node.endIndex);
    if (!ANY.test(t)) continue;
    for (const c of COMPONENTS) {
      if (found.has(c.name)) continue;
      const m = c.evidence.exec(t);
      if (m) found.set(c.name, { pkg: c.name, kind: 'nix', file: '', line: positionAt(src, node.startIndex + m.index).line, text: quote(m[0]), place: 'main' });
    }
  }
  return [...found.values()];
}

/**
 * Why the package looks like it installs prebuilt binaries, or undefined: `autoPatchelfHook`
 * (patches binaries it did not build), a wheel, `dontBuild = true`, a `-bin` package.
 */
export function prebuiltHint(src: string, path: string): string | undefined {
  if (/\bautoPatchelfHook\b/.test(src)) return '`autoPatchelfHook` (it patches binaries it did not build)';
  // a wheel as the source (not a wheel the build makes and installs: `--wheel`, `dist/*.whl`)
  if (/\bformat\s*=\s*"wheel"|\burl\s*=\s*"[^"]*\.whl"/.test(src)) return 'a wheel';
  if (/\bdontBuild\s*=\s*true\b/.test(src)) return '`dontBuild = true`';
  const pname = /\bpname\s*=\s*"([^"]+)"/.exec(src)?.[1];
  if (pname?.endsWith('-bin')) return `a \`-bin\` package (\`${pname}\`)`;
  const folder = path.replace(/\\/g, '/').split('/').slice(-2, -1)[0];
  if (folder?.endsWith('-bin')) return `a \`-bin\` package (\`${folder}\`)`;
  return undefined;
}

const CUDA_SET = /^cudaPackages(?:_\d+)*$/;
const OUTPUTS = /^(?:dev|lib|static|bin|out|stubs|include)$/;

/**
 * The split packages the file already names (`cudaPackages.cuda_cudart`, `cudaPackages.libcublas.lib`,
 * `with cudaPackages; [ cuda_nvcc ]`, `inherit (cudaPackages) cuda_cudart;`): the maintainers' own
 * choice, evidence of what the package needs. One item per package, at its first place.
 */
export function scanNixPackages(src: string, root: SyntaxNode): EvidenceItem[] {
  const found = new Map<string, EvidenceItem>();
  const note = (pkg: string, node: SyntaxNode, text: string): void => {
    // (the runtime a string points at, `${lib.getDev cudaPackages.cuda_cudart}/include`, is what
    // the rewrite writes for any bare toolkit path, not a package the file chose; other packages
    // a path names are evidence, as the legacy path they replace was: `extras/CUPTI` → cupti)
    if (!ALL_COMPONENTS.has(pkg) || found.has(pkg) || inMeta(src, node) || (pkg === 'cuda_cudart' && interpolatedPath(node))) return;
    found.set(pkg, { pkg, kind: 'nix-package', file: '', line: positionAt(src, node.startIndex).line, text, place: 'main' });
  };
  for (const sel of root.descendantsOfType('select_expression')) {
    const name = dottedName(src, sel);
    const i = name?.findIndex((n) => CUDA_SET.test(n)) ?? -1;
    const pkg = i >= 0 ? name![i + 1] : undefined;
    if (pkg && (name!.length === i + 2 || (name!.length === i + 3 && OUTPUTS.test(name![i + 2]!)))) note(pkg, sel, name!.slice(i).join('.'));
  }
  for (const w of root.descendantsOfType('with_expression')) {
    const env = w.childForFieldName('environment');
    const envName = env ? dottedName(src, env) : undefined;
    if (!envName || !CUDA_SET.test(envName[envName.length - 1]!)) continue;
    for (const v of w.childForFieldName('body')?.descendantsOfType('variable_expression') ?? []) note(src.slice(v.startIndex, v.endIndex), v, src.slice(v.startIndex, v.endIndex));
  }
  for (const inh of root.descendantsOfType('inherit_from')) {
    const from = inh.childForFieldName('expression');
    const fromName = from ? dottedName(src, from) : undefined;
    if (!fromName || !CUDA_SET.test(fromName[fromName.length - 1]!)) continue;
    for (const a of inh.childForFieldName('attrs')?.namedChildren ?? []) note(src.slice(a.startIndex, a.endIndex), a, `inherit (${fromName.join('.')}) ${src.slice(a.startIndex, a.endIndex)}`);
  }
  return [...found.values()].sort((a, b) => a.line - b.line);
}


/** Whether a node is inside `meta = { … }`. */
function inMeta(src: string, node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    const path = p.type === 'binding' ? p.childForFieldName('attrpath') : null;
    if (path && /^meta\b/.test(src.slice(path.startIndex, path.endIndex))) return true;
  }
  return false;
}
