/**
 * The house's layering, checked: no import cycle between modules (in the sources, type imports
 * included, and at run time in dist/), no cycle between the folders of src/, and the rules the
 * README's Layout diagram draws (the runner knows no printer, the printers know no runner, the
 * core knows no built-in transform and nothing of CUDA).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/tree.js';

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (ext.test(p) && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Relative imports of a module (static `import`/`export … from`, side-effect imports; `import type` too). */
function imports(file: string, asTs: boolean): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), (m[1] ?? m[2])!);
    out.push(asTs ? target.replace(/\.js$/, '.ts') : target);
  }
  return out;
}

/** The cycles (strongly connected components of more than one node, or a self-loop) of a graph. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const sources = [...files(join(ROOT, 'src'), /\.ts$/), ...files(join(ROOT, 'transforms'), /(?<!\.test)\.ts$/)];
const moduleGraph = new Map(sources.map((f) => [f, imports(f, true)]));
/** The folder of src/ a module is in (`runner`, `cuda`, …), or its file name at the top (`transform.ts`). */
const layer = (f: string): string => relative(join(ROOT, 'src'), f).split('/')[0]!;

describe('layering', () => {
  it('has no import cycle between modules of src/ and transforms/ (type imports included)', () => {
    expect(sources.length).toBeGreaterThan(80);
    expect(cycles(moduleGraph).map((c) => c.map((f) => relative(ROOT, f)))).toEqual([]);
  });

  it.skipIf(!existsSync(join(ROOT, 'dist', 'src')))('has no import cycle at run time (the compiled modules of dist/)', () => {
    const built = files(join(ROOT, 'dist'), /\.js$/);
    expect(cycles(new Map(built.map((f) => [f, imports(f, false)]))).map((c) => c.map((f) => relative(ROOT, f)))).toEqual([]);
  });

  it('has no cycle between the folders of src/, and keeps the rules of the Layout diagram', () => {
    const own = sources.filter((f) => f.startsWith(join(ROOT, 'src') + '/'));
    const folders = new Map<string, Set<string>>();
    for (const f of own) {
      const from = layer(f);
      const to = folders.get(from) ?? new Set<string>();
      for (const t of moduleGraph.get(f)!) if (t.startsWith(join(ROOT, 'src') + '/') && layer(t) !== from) to.add(layer(t));
      folders.set(from, to);
    }
    expect(cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
    const uses = (a: string, b: string): boolean => folders.get(a)?.has(b) ?? false;
    // the runner hands results to whoever listens: it imports no printer, report or command line
    expect(['report', 'output', 'cli', 'interactive.ts'].filter((x) => uses('runner', x))).toEqual([]);
    // printers and reports read results (src/model), never the runner
    expect(['runner', 'cli'].filter((x) => uses('report', x) || uses('output', x))).toEqual([]);
    // the core knows no domain: what CUDA adds to reports comes through the transforms' report extensions
    expect(['runner', 'report', 'output', 'model', 'diff', 'edit', 'nix'].filter((x) => uses(x, 'cuda'))).toEqual([]);
    // the shared data depends on nothing but the transform contract
    expect([...(folders.get('model') ?? [])].filter((x) => x !== 'transform.ts')).toEqual([]);
    // the core loads built-in transforms by path only
    expect(own.filter((f) => moduleGraph.get(f)!.some((t) => t.startsWith(join(ROOT, 'transforms') + '/'))).map((f) => relative(ROOT, f))).toEqual([]);
  });
});
