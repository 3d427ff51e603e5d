/**
 * The repository documents its own domain: nothing in it points outside the repository (the CUDA
 * facts live in docs/cuda.md, not in a fact sheet next to the checkout), and every anchor that
 * code or documentation cites in docs/cuda.md, or links to in a markdown file, exists as a heading.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/tree.js';

const DOC = 'docs/cuda.md';

interface TextFile {
  path: string;
  lines: string[];
}

/**
 * The files git knows: tracked ones, plus new ones it does not ignore (so a file that is not yet
 * committed, docs/cuda.md included, is checked as well). Binary files (a NUL byte in the first
 * 8000 bytes, as git decides) and files deleted from the work tree are skipped.
 */
function repositoryTextFiles(): TextFile[] {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const paths = [...new Set(listing.split('\0').filter((p) => p !== ''))].sort();
  const files: TextFile[] = [];
  for (const path of paths) {
    const abs = join(ROOT, path);
    if (!existsSync(abs) || !lstatSync(abs).isFile()) continue;
    const bytes = readFileSync(abs);
    if (bytes.subarray(0, 8000).includes(0)) continue;
    files.push({ path, lines: bytes.toString('utf8').split(/\r?\n/) });
  }
  return files;
}

const isMarkdown = (path: string): boolean => /\.(md|markdown|mdx)$/i.test(path);

/** Targets of inline links `[text](target "title")` and reference definitions `[id]: target`. */
function linkTargets(line: string): string[] {
  const targets: string[] = [];
  for (const m of line.matchAll(/\]\(\s*<?([^\s()<>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) targets.push(m[1]!);
  const def = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s<>]+)>?/.exec(line);
  if (def) targets.push(def[1]!);
  return targets;
}

/** A link target that names a file of this repository (no scheme such as `https:`, no `mailto:`). */
function isLocalTarget(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/** The repository-relative path a local link target in `from` points to ('' for the file itself). */
function resolveTarget(from: string, target: string): string {
  const path = decodeURI(target.replace(/[?#].*$/, ''));
  if (path === '') return from;
  if (path.startsWith('/')) return posix.normalize(path.slice(1));
  return posix.normalize(posix.join(posix.dirname(from), path));
}

const leavesRepository = (path: string): boolean => path === '..' || path.startsWith('../');

/** The fact sheet that used to sit next to the checkout, by name (built so that grepping for it skips this file). */
const FACT_SHEET = new RegExp(['cuda', 'facts\\.md'].join('-'), 'i');

/** References to a place outside the repository, as `path:line: text`. */
function outsideReferences(files: TextFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    file.lines.forEach((line, i) => {
      const where = `${file.path}:${i + 1}: ${line.trim()}`;
      // the old fact sheet, by name, wherever it is mentioned
      if (FACT_SHEET.test(line)) found.push(where);
      // a folder named `shared` reached by going up out of the tree, or this machine's copy of it
      else if (/(?:^|[^\w.])(?:\.\.\/)+shared\//.test(line) || /\/work\/shared\//.test(line)) found.push(where);
      // a markdown link whose target, resolved against the file's folder, leaves the repository
      else if (linkTargets(line).some((t) => isLocalTarget(t) && leavesRepository(resolveTarget(file.path, t)))) found.push(where);
    });
  }
  return found;
}

/** Whether a line opens or closes a fenced code block. */
const isFence = (line: string): boolean => /^\s{0,3}(```|~~~)/.test(line);

/**
 * The anchors GitHub gives the headings of a markdown text: the heading's text without markup,
 * lower case, punctuation dropped, each space a `-`; a repeated anchor gets `-1`, `-2`, …
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (isFence(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const m = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, ''); // inline HTML
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface AnchorCitation {
  where: string;
  /** Repository-relative markdown file the anchor is in. */
  file: string;
  anchor: string;
}

/**
 * Every anchor cited: `docs/cuda.md#…` in any file (code comments cite it this way), and the
 * `#…` of every local link to a markdown file (or to the same file) in a markdown file.
 */
function anchorCitations(files: TextFile[]): AnchorCitation[] {
  const cited: AnchorCitation[] = [];
  for (const file of files) {
    let inFence = false;
    file.lines.forEach((line, i) => {
      const where = `${file.path}:${i + 1}`;
      for (const m of line.matchAll(/docs\/cuda\.md#([\p{L}\p{N}_-]+)/gu)) cited.push({ where, file: DOC, anchor: m[1]! });
      if (!isMarkdown(file.path)) return;
      if (isFence(line)) inFence = !inFence;
      if (inFence) return;
      for (const target of linkTargets(line)) {
        const hash = target.indexOf('#');
        if (hash < 0 || !isLocalTarget(target)) continue;
        const to = resolveTarget(file.path, target);
        if (!isMarkdown(to) || to === DOC) continue; // docs/cuda.md#… links were counted above
        cited.push({ where, file: to, anchor: decodeURIComponent(target.slice(hash + 1)) });
      }
    });
  }
  return cited;
}

describe('documentation stays inside the repository', () => {
  const files = repositoryTextFiles();

  it('sees the repository', () => {
    expect(files.some((f) => f.path === 'README.md')).toBe(true);
    expect(files.some((f) => f.path === 'src/cuda/facts.ts')).toBe(true);
  });

  it('no file points outside the repository', () => {
    expect(outsideReferences(files)).toEqual([]);
  });

  it('every relative link of a markdown file names a file that exists', () => {
    const broken: string[] = [];
    for (const file of files.filter((f) => isMarkdown(f.path))) {
      let inFence = false;
      file.lines.forEach((line, i) => {
        if (isFence(line)) inFence = !inFence;
        if (inFence) return;
        for (const target of linkTargets(line)) {
          if (!isLocalTarget(target) || target.startsWith('#')) continue;
          const to = resolveTarget(file.path, target);
          if (leavesRepository(to) || !existsSync(join(ROOT, to))) broken.push(`${file.path}:${i + 1}: ${target}`);
        }
      });
    }
    expect(broken).toEqual([]);
  });

  it(`${DOC} has the sections code cites`, () => {
    expect(existsSync(join(ROOT, DOC))).toBe(true);
    const anchors = headingAnchors(readFileSync(join(ROOT, DOC), 'utf8'));
    for (const a of ['eras', 'packages', 'reverse-map', 'conventions', 'legacy-forms', 'joins', 'sizes', 'evidence', 'unverified']) {
      expect(anchors, a).toContain(a);
    }
  });

  it('every cited anchor exists as a heading', () => {
    const anchorsOf = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const c of anchorCitations(files)) {
      let anchors = anchorsOf.get(c.file);
      if (!anchors) {
        const abs = join(ROOT, c.file);
        anchors = existsSync(abs) ? headingAnchors(readFileSync(abs, 'utf8')) : new Set();
        anchorsOf.set(c.file, anchors);
      }
      if (!anchors.has(c.anchor)) missing.push(`${c.where}: ${c.file}#${c.anchor}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('headingAnchors (GitHub rules)', () => {
  it('lower-cases, drops punctuation and markup, turns spaces into dashes, numbers repeats', () => {
    const md = [
      '# CUDA in nixpkgs: what nixshift relies on',
      '## Reverse map',
      '### `cudaPackages.cudatoolkit` today',
      '### Signs that CUDA code is compiled',
      '### [Linked](https://example.org) heading',
      '## Sizes',
      '## Sizes',
      '```sh',
      '# not a heading',
      '```',
    ].join('\n');
    expect([...headingAnchors(md)]).toEqual([
      'cuda-in-nixpkgs-what-nixshift-relies-on',
      'reverse-map',
      'cudapackagescudatoolkit-today',
      'signs-that-cuda-code-is-compiled',
      'linked-heading',
      'sizes',
      'sizes-1',
    ]);
  });
});
