/**
 * End to end through the built CLI (bin/nixshift.js → dist/; `npm test` builds first) on a tree
 * of generated files (generate/), with all three built-in transforms:
 *  - a dry run (the default) changes no byte, mtime or mode on disk, and reports no `error`;
 *  - `--write` writes exactly what processSource gives, keeps file modes, and every written file
 *    parses (tree-sitter and nix-instantiate --parse);
 *  - a second `--write` reports 0 ok and changes nothing;
 *  - the exit code is 2 when files are errors, 0 otherwise: a few files that are not valid Nix
 *    (a syntax error) are added on purpose, and must come out as `error` and stay untouched.
 * Generated files that fail a property, or that the runner refuses (an open file its scoping
 * check rejects), are kept out of the main part of the tree (the property tests report those),
 * so that everything else is asserted strictly.
 */
import { chmodSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNix } from '../../src/nix/parser.js';
import { IN_CI, NIX_INSTANTIATE, warnMissingNix } from '../helpers/nix.js';
import { cli, snapshot, useTempTrees } from '../helpers/tree.js';
import { caseSeed, generateFile, Rng } from './generate/index.js';
import { checkInput, ENV, nixRejected, nixMessage, type NixMode, TRANSFORM_NAMES } from './harness.js';

const FILES = 120;
const tree = useTempTrees();

interface JsonFile {
  path: string;
  status: 'ok' | 'nochange' | 'skip' | 'error';
  error: string | null;
  findings: unknown[];
  diff?: string;
}
interface JsonRun {
  files: JsonFile[];
  summary: { files: number; ok: number; nochange: number; skip: number; error: number; written: number };
}

function run(dir: string, extra: string[], path = '.'): { status: number | null; json: JsonRun; stderr: string } {
  const r = cli(['run', ...TRANSFORM_NAMES.flatMap((t) => ['-t', t]), '--json', ...extra, path], { cwd: dir });
  let json: JsonRun;
  try {
    json = JSON.parse(r.stdout) as JsonRun;
  } catch {
    throw new Error(`nixshift --json printed no JSON (exit ${r.status}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  return { status: r.status, json, stderr: r.stderr };
}

/**
 * Generated files that pass every property in process (all three transforms, default options,
 * prefilter on: what the CLI does), with the Nix mode of each (closed: no free variable).
 */
async function cleanGeneratedFiles(): Promise<{ files: Record<string, string>; modes: Record<string, NixMode>; expected: Record<string, string> }> {
  const out: Record<string, string> = {};
  const modes: Record<string, NixMode> = {};
  const expected: Record<string, string> = {};
  const texts: { path: string; text: string; outputs: string[] }[] = [];
  for (let i = 0; texts.length < FILES && i < FILES * 3; i++) {
    const seed = caseSeed(ENV.baseSeed ^ 0x636c69, i);
    const g = generateFile(seed);
    const r = await checkInput(g.text, {}, { chain: 'all three', prefilter: true });
    // (a refusal is fine in process, but would be an `error` of the CLI run)
    if (r.failures.length > 0 || r.refusals.length > 0) continue;
    texts.push({ path: `pkgs/${g.kind}/${seed}${new Rng(seed).chance(0.1) ? '/default' : ''}.nix`, text: g.text, outputs: r.outputs.map((o) => o.output) });
  }
  // and whose outputs Nix accepts (the property tests report the others)
  let keep = texts;
  // the inputs Nix rejects as they are (free variables): their outputs are judged `open`
  let open = new Set<number>();
  if (NIX_INSTANTIATE) {
    open = new Set(nixRejected(texts.map((t) => t.text), 'closed'));
    const bad = new Set<number>();
    for (const mode of ['closed', 'open'] as const) {
      const idx = texts.map((_, i) => i).filter((i) => (mode === 'open') === open.has(i));
      const outs: { i: number; o: string }[] = idx.flatMap((i) => texts[i]!.outputs.map((o) => ({ i, o })));
      for (const j of nixRejected(outs.map((x) => x.o), mode)) bad.add(outs[j]!.i);
    }
    keep = texts.filter((_, i) => !bad.has(i));
  }
  for (const t of keep) {
    out[t.path] = t.text;
    if (t.outputs[0] !== undefined) expected[t.path] = t.outputs[0];
    modes[t.path] = open.has(texts.indexOf(t)) ? 'open' : 'closed';
  }
  return { files: out, modes, expected };
}

/** Files that are not valid Nix as they are: each must come out as `error`, untouched. */
const ERROR_INPUTS: Record<string, string> = {
  'errors/unclosed-list.nix': '{ cudatoolkit, stdenv }:\nstdenv.mkDerivation {\n  buildInputs = [ cudatoolkit\n}\n',
  'errors/missing-semicolon.nix': '{ addOpenGLRunpath, symlinkJoin }:\n{\n  nativeBuildInputs = [ addOpenGLRunpath ]\n  x = symlinkJoin { paths = [ ]; };\n}\n',
};

describe('the CLI on a tree of generated files', () => {
  it('dry run changes nothing; --write writes parseable files; a second --write is a no-op', async () => {
    const { files, modes, expected } = await cleanGeneratedFiles();
    expect(Object.keys(files).length).toBeGreaterThan(FILES * 0.8);
    const dir = tree({ ...files, ...ERROR_INPUTS, 'README.md': 'cudatoolkit addOpenGLRunpath symlinkJoin\n', 'notes.txt': '{ cudatoolkit }: cudatoolkit\n' });
    // modes and old mtimes, so that any write (even of the same bytes) shows
    const paths = Object.keys(snapshot(dir));
    paths.forEach((p, i) => {
      chmodSync(join(dir, p), [0o644, 0o600, 0o755, 0o664][i % 4]!);
      utimesSync(join(dir, p), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    });
    const before = snapshot(dir);
    const errorPaths = new Set(Object.keys(ERROR_INPUTS));

    // 1. dry run
    const dry = run(dir, []);
    expect(snapshot(dir), 'a dry run changes nothing on disk').toEqual(before);
    expect(dry.json.summary.files).toBe(Object.keys(files).length + errorPaths.size);
    const dryErrors = dry.json.files.filter((f) => f.status === 'error');
    expect(
      dryErrors.filter((f) => !errorPaths.has(f.path)).map((f) => `${f.path}: ${f.error}`),
      'no error for a valid generated file',
    ).toEqual([]);
    expect(dryErrors.map((f) => f.path).sort()).toEqual([...errorPaths].sort());
    expect(dry.status, dry.stderr).toBe(errorPaths.size > 0 ? 2 : 0);
    expect(dry.json.summary.ok).toBeGreaterThan(Object.keys(files).length / 4);

    // 2. --write: exactly what processSource gives, modes kept, every written file parses
    const written = run(dir, ['--write']);
    expect(written.status, written.stderr).toBe(errorPaths.size > 0 ? 2 : 0);
    expect(written.json.summary.written).toBe(written.json.summary.ok);
    expect(written.json.files.map((f) => [f.path, f.status]).sort()).toEqual(dry.json.files.map((f) => [f.path, f.status]).sort());
    const after = snapshot(dir);
    const okPaths = new Set(written.json.files.filter((f) => f.status === 'ok').map((f) => f.path));
    const problems: string[] = [];
    const outputs: { path: string; text: string; mode: NixMode }[] = [];
    for (const p of paths) {
      const b = before[p]!;
      const a = after[p]!;
      if (!okPaths.has(p)) {
        if (a.text !== b.text || a.mtimeMs !== b.mtimeMs || a.mode !== b.mode) problems.push(`${p}: not ok, but changed on disk`);
        continue;
      }
      const text = readFileSync(join(dir, p), 'utf8');
      if (expected[p] !== text) problems.push(`${p}: the CLI wrote something else than processSource gives`);
      if (a.mode !== b.mode) problems.push(`${p}: mode ${b.mode.toString(8)} became ${a.mode.toString(8)}`);
      const parsed = parseNix(text);
      if (parsed.syntaxError) problems.push(`${p}: the written file does not parse: ${parsed.syntaxError.message}`);
      outputs.push({ path: p, text, mode: modes[p]! });
    }
    expect(problems).toEqual([]);
    if (NIX_INSTANTIATE) {
      for (const mode of ['closed', 'open'] as const) {
        const these = outputs.filter((o) => o.mode === mode);
        const rejected = nixRejected(
          these.map((o) => o.text),
          mode,
        ).map((i) => `${these[i]!.path}: ${nixMessage(these[i]!.text, mode)}`);
        expect(rejected, 'nix-instantiate --parse accepts every written file').toEqual([]);
      }
    } else {
      warnMissingNix('the files written by the CLI end-to-end property test');
      expect(IN_CI, 'nix-instantiate must be installed when CI=true').toBe(false);
    }

    // 3. a second --write: 0 ok, nothing changes (not even an mtime)
    const again = run(dir, ['--write']);
    expect(again.json.files.filter((f) => f.status === 'ok').map((f) => `${f.path}:\n${f.diff ?? ''}`)).toEqual([]);
    expect(again.json.summary.written).toBe(0);
    expect(again.status, again.stderr).toBe(errorPaths.size > 0 ? 2 : 0);
    expect(snapshot(dir), 'a second --write changes nothing').toEqual(after);
    for (const p of errorPaths) expect(statSync(join(dir, p)).mtimeMs, `${p} (an error) is never written`).toBe(before[p]!.mtimeMs);

    // 4. without the files that are errors: exit 0
    const clean = run(dir, ['--write'], 'pkgs');
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.json.summary).toMatchObject({ ok: 0, error: 0, written: 0 });
    expect(snapshot(dir)).toEqual(after);
  }, 300_000);
});
