/**
 * `generateFile(seed)`: one random, syntactically valid Nix file. It draws the kind of file
 * (mostly packages), generates its tree with a `FileGen`, prints it, and then varies the bytes
 * around it the way real files vary: a header comment or a whole-file `# nixshift-ignore`, the
 * trailing newline (or none, or a trailing comment), CRLF line ends, a byte-order mark, tabs.
 */
import { FileGen } from './files.js';
import { Rng } from './rng.js';

export type FileKind = 'package' | 'call-sites' | 'overlay' | 'module' | 'devshell' | 'flake' | 'expression';

export interface GeneratedFile {
  seed: number;
  kind: FileKind;
  text: string;
}

/** Top-of-file comments, sometimes a whole-file suppression. */
function header(g: FileGen): string {
  const r = g.r;
  const lines: string[] = [];
  if (r.chance(0.15)) lines.push(`# ${r.pick(['A package.', 'Mentions addOpenGLRunpath and cudatoolkit only here.', 'generated', ''])}`);
  if (r.chance(0.05)) lines.push(g.ignoreComment());
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function generateFile(seed: number): GeneratedFile {
  const r = new Rng(seed);
  const g = new FileGen(r);
  const kind = r.weighted<FileKind>([
    [60, 'package'],
    [8, 'call-sites'],
    [7, 'overlay'],
    [7, 'module'],
    [6, 'devshell'],
    [6, 'flake'],
    [12, 'expression'],
  ]);
  const e = kind === 'package' ? g.packageFile() : kind === 'call-sites' ? g.callSitesFile() : kind === 'overlay' ? g.overlayFile() : kind === 'module' ? g.moduleFile() : kind === 'devshell' ? g.devshellFile() : kind === 'flake' ? g.flakeFile() : g.expressionFile();
  let text = header(g) + g.print(e);
  text += r.weighted([[8, '\n'], [1, ''], [1, '\n\n'], [1, ' # trailing comment\n']]);
  if (r.chance(0.1)) text = text.replace(/\n/g, '\r\n');
  if (r.chance(0.02)) text = `\uFEFF${text}`;
  if (r.chance(0.03)) text = text.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2));
  return { seed, kind, text };
}
