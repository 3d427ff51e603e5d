/**
 * Packages an input list holds twice under the same condition (`cudaPackages.cuda_nvcc` in a list
 * and again in `lib.optional c cudaPackages.cuda_nvcc` of the same binding, under the same `c`).
 * Used by the property suite and the fixture test: a transform never adds a package that is
 * already there.
 */
import { parseNix, releaseParsed } from '../../src/nix/parser.js';
import { valueMembers } from '../../src/nix/syntax.js';
import { ALL_COMPONENTS } from '../../src/cuda/facts.js';
import { withoutComments } from '../../src/nix/comments.js';

const INPUT_LISTS = /^(nativeBuildInputs|buildInputs|propagatedBuildInputs|propagatedNativeBuildInputs|checkInputs|nativeCheckInputs|dependencies|runtimeDependencies|depsBuildBuild)$/;

/** The CUDA package an element names (`cudaPackages.libcublas`, `(lib.getLib libcublas)`, `libcublas.dev`), if any. */
function packageOf(elementText: string): string | undefined {
  const element = withoutComments(elementText);
  const names = element.replace(/[()]/g, ' ').split(/[\s.]+/).filter(Boolean);
  for (let i = names.length - 1; i >= 0; i--) if (ALL_COMPONENTS.has(names[i]!)) return `${names[i]}${/\.(dev|lib|static|bin|out|stubs)\s*$/.exec(element)?.[0] ?? ''}`;
  return undefined;
}

/** `binding⇥package⇥conditions` of every CUDA package (`⇥*element` for any element) an input list has more than once. */
export function duplicatePackages(text: string): string[] {
  const parsed = parseNix(text);
  try {
    const seen = new Map<string, number>();
    for (const b of parsed.root.descendantsOfType('binding')) {
      const path = b.childForFieldName('attrpath');
      const value = b.childForFieldName('expression');
      if (!path || !value) continue;
      const name = text.slice(path.startIndex, path.endIndex).split('.').pop()!;
      if (!INPUT_LISTS.test(name)) continue;
      for (const m of valueMembers(text, value)) {
        const element = text.slice(m.node.startIndex, m.node.endIndex).replace(/\s+/g, ' ').replace(/ ?\. ?/g, '.');
        // any element written twice (a package, a join): the list repeats itself already
        // (conditions as the rewrite names them: `cudatoolkit == null` is `cudaPackages == null`)
        const cond = m.conditions.join(' && ').replace(/\s+/g, ' ').replace(/\bcudaPackages((?:_\d+)*)\.cudatoolkit\b/g, 'cudaPackages$1').replace(/\bcudatoolkit(?=(_\d+)*\b)/g, 'cudaPackages');
        const any = `${name}@${b.startIndex}\t*${element}\t${cond}`;
        seen.set(any, (seen.get(any) ?? 0) + 1);
        const pkg = packageOf(element);
        if (!pkg) continue;
        const key = `${name}@${b.startIndex}\t${pkg}\t${cond}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    return [...seen].filter(([, n]) => n > 1).map(([k]) => k.replace(/@\d+/, ''));
  } finally {
    releaseParsed(parsed);
  }
}

/**
 * Duplicate packages of `output` that `input` did not have already, in lists of `input` that did
 * not repeat an element already (a join listed twice gives its members twice, faithfully).
 */
export function newDuplicates(input: string, output: string): string[] {
  const before = duplicatePackages(input);
  const list = (d: string): string => `${d.split('\t')[0]}\t${d.split('\t')[2]}`;
  const repeating = new Set(before.filter((d) => d.split('\t')[1]!.startsWith('*')).map(list));
  return duplicatePackages(output)
    .filter((d) => !d.split('\t')[1]!.startsWith('*') && !before.includes(d) && !repeating.has(list(d)))
    .map((d) => d.replace(/\t/g, ' | '));
}
