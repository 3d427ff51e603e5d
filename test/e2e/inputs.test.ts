/**
 * Inputs nixshift must survive (issue: "no file may be lost, truncated or left half-written, and
 * every problem must be reported clearly"), end to end through the built CLI (`npm run build`).
 *
 * One tree holds every bad input beside good files that must be rewritten; it is run with
 * `--write --json` on worker threads and in band, and each path is checked: its exact status and
 * message, the exact new text of each good file, the bytes/mode/mtime of each bad input, no
 * temporary file left, the exit code, `missing` and `unreadable`. Cases one tree cannot hold
 * (deep nesting, multi-MB files, long lines, line endings, empty files with and without the
 * prefilter, symbolic links, overlapping inputs) have focused tests below.
 *
 * Permissions: root ignores them, and these tests run as root here and in CI, so the CLI runs
 * as `nobody` (helpers/unprivileged.ts); without setpriv the permission tests are skipped.
 *
 * Tests marked `it.fails` with `// BUG:` describe the right behaviour of something nixshift
 * gets wrong today; when it is fixed they start failing, and the marker must go.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTree, removeTree } from '../helpers/tree.js';
import { CAN_DENY, IS_ROOT, allowAll, cliAsUser, deny, fullSnapshot, handOver, type Entry, type TimedResult } from '../helpers/unprivileged.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

type Status = 'ok' | 'nochange' | 'skip' | 'error';
interface JsonFile {
  path: string;
  status: Status;
  error: string | null;
  errorKind?: string;
  findings: unknown[];
  written?: boolean;
  diff?: string;
}
interface JsonDoc {
  files: JsonFile[];
  summary: { files: number; ok: number; nochange: number; skip: number; error: number; written: number; findings: number };
  missing: string[];
  unreadable: { path: string; reason: string }[];
}

const DRIVER = ['run', '-t', 'driver-runpath-rename'];
const ALL = ['run', '-t', 'cudatoolkit-to-redist', '-t', 'symlinkjoin-to-propagated', '-t', 'driver-runpath-rename'];
const CHAINS: [string, string[]][] = [
  ['driver-runpath-rename', DRIVER],
  ['cudatoolkit-to-redist', ['run', '-t', 'cudatoolkit-to-redist']],
  ['symlinkjoin-to-propagated', ['run', '-t', 'symlinkjoin-to-propagated']],
  ['all three', ALL],
];
/** Threaded needs at least 128 files (64 per thread), else the run stays in band: see `filler`. */
const MODES: [string, string[]][] = [
  ['2 threads', ['--cpus', '2']],
  ['in band', ['--run-in-band']],
];

const PKG = '{\n  lib,\n  stdenv,\n  addOpenGLRunpath,\n}:\n\nstdenv.mkDerivation {\n  pname = "demo";\n  version = "1";\n  nativeBuildInputs = [ addOpenGLRunpath ];\n}\n';
const SHORT = '{ lib, stdenv, addOpenGLRunpath }:\nstdenv.mkDerivation { nativeBuildInputs = [ addOpenGLRunpath ]; }\n';
const BROKEN = '{ lib, addOpenGLRunpath }:\n\nlet x = [ 1 2 ;\nin x\n';
const rename = (s: string): string => s.replace(/addOpenGLRunpath/g, 'addDriverRunpath');

const NESTING = /^not transformed: nested more than \d+ levels deep \(brackets, interpolations, let … in\): generated or malformed input\? The file is left as it is$/;
const NOT_UTF8 = 'not valid UTF-8; nixshift does not re-encode files';
const BINARY = 'binary file (contains a NUL byte); not a Nix expression';
const READ_DENIED = 'cannot read: permission denied';
const mib = (bytes: number): string => `${(bytes / (1 << 20)).toFixed(1)} MiB`;
const overLimit = (bytes: number, limitMiB: number): string =>
  `not read: ${mib(bytes)} is over the size limit of ${mib(limitMiB << 20)} (--max-file-size); raise the limit to process it`;

const trees: string[] = [];
function tree(files: Record<string, string | Buffer> = {}): string {
  const dir = makeTree({});
  trees.push(dir);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  chmodSync(dir, 0o755);
  handOver(dir); // the CLI may run as nobody: it must own what it writes
  return dir;
}
afterEach(() => {
  while (trees.length > 0) {
    const d = trees.pop()!;
    allowAll(d);
    removeTree(d);
  }
});

/** `count` small files that must be rewritten to `rename(SHORT)`: enough for worker threads to start. */
function filler(prefix: string, count = 150): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`${prefix}/p${String(i).padStart(3, '0')}.nix`] = SHORT;
  return out;
}

function json(r: TimedResult): JsonDoc {
  try {
    return JSON.parse(r.stdout) as JsonDoc;
  } catch {
    throw new Error(`no JSON document on stdout (exit ${r.status}, signal ${r.signal})\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 4000)}`);
  }
}
const byPath = (doc: JsonDoc): Record<string, JsonFile> => Object.fromEntries(doc.files.map((f) => [f.path, f]));
const text = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');
const bytes = (dir: string, path: string): Buffer => readFileSync(join(dir, path));
/** No uncaught exception, stack trace or V8 abort anywhere in the output. */
function noCrash(r: TimedResult): void {
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/RangeError|Maximum call stack|FATAL ERROR|out of memory|\n\s+at .+:\d+:\d+\)?\n/);
}
/** Entries of a snapshot other than folders (a folder's mtime moves when a file in it is replaced). */
const nonFolders = (s: Record<string, Entry>): Record<string, Entry> => Object.fromEntries(Object.entries(s).filter(([, e]) => e.type !== 'dir'));

// ---------------------------------------------------------------------------------------------
// The table: every bad input in one tree, beside good files

interface Want {
  status: Status;
  error: string | RegExp | null;
  /** Good files: the text the file must have afterwards (written). Absent: the file must be byte-identical. */
  out?: string;
}

function mainTree(): { dir: string; outside: string; want: Record<string, Want>; hidden: string[] } {
  const outside = tree({ 'target.nix': PKG });
  const longString = 'x'.repeat(1_500_000);
  const longLine = `{ addOpenGLRunpath }:\n{ hook = addOpenGLRunpath; blob = "${longString}"; uses = [ ${'addOpenGLRunpath '.repeat(2000)}]; }\n`;
  const nested200 = `{ addOpenGLRunpath }:\n${'[ '.repeat(200)}addOpenGLRunpath${' ]'.repeat(200)}\n`;
  const mixed = '{ lib,\r\n  stdenv,\n  addOpenGLRunpath }:\r\r\nstdenv.mkDerivation {\n  nativeBuildInputs = [ addOpenGLRunpath ];\r\n}';
  const unicode = '# Ünïcödé 🚀 コメント\n{ addOpenGLRunpath }:\n{ name = "naïve-☃-𝔫𝔦𝔵"; hook = addOpenGLRunpath; }\n';
  const padding = '  "padding padding padding padding padding padding padding padding padding"\n';
  const tooBig = `{ addOpenGLRunpath }:\n[\n${padding.repeat(Math.ceil((4.5 * (1 << 20)) / padding.length))}  addOpenGLRunpath\n]\n`;
  const needle = Buffer.from('{ addOpenGLRunpath }: ');

  const good: Record<string, string> = {
    'good/plain.nix': PKG,
    'good/bom-crlf.nix': `\uFEFF${PKG.replace(/\n/g, '\r\n')}`,
    'good/mixed-eol.nix': mixed,
    'good/cr-only.nix': '{ lib, addOpenGLRunpath }:\r[ addOpenGLRunpath ]\r',
    'good/no-final-newline.nix': SHORT.trimEnd(),
    'good/long-line.nix': longLine,
    'good/nested-200.nix': nested200,
    'good/unicode.nix': unicode,
    'x.nix/inner.nix': PKG, // a folder named x.nix
    ...filler('filler'),
  };
  const bad: Record<string, string | Buffer> = {
    'bad/syntax-bracket.nix': BROKEN,
    'bad/syntax-string.nix': '{ addOpenGLRunpath }:\n"unterminated ${addOpenGLRunpath}\n',
    'bad/syntax-eof.nix': '{ addOpenGLRunpath }:\n[ 1 2\n',
    'bad/syntax-garbage.nix': '{ addOpenGLRunpath }: ) ) ;;; @@@\n',
    'bad/empty.nix': '',
    'bad/whitespace-only.nix': ' \n\t\r\n',
    'bad/bom-only.nix': '\uFEFF',
    'bad/comments-only.nix': '# nothing but comments\n/* a block\n   comment */\n',
    'bad/comments-needle.nix': '# addOpenGLRunpath was renamed\n/* addOpenGLRunpath */\n',
    'bad/latin1.nix': Buffer.from('{ addOpenGLRunpath }: "caf\xe9"\n', 'latin1'),
    'bad/surrogate.nix': Buffer.concat([needle, Buffer.from('"\xed\xa0\x80"\n', 'latin1')]),
    'bad/truncated-utf8.nix': Buffer.concat([needle, Buffer.from('"\xe2\x82', 'latin1')]),
    'bad/overlong-utf8.nix': Buffer.concat([needle, Buffer.from('"\xc0\xaf"\n', 'latin1')]),
    'bad/latin1-no-needle.nix': Buffer.from('{ x }: "caf\xe9"\n', 'latin1'),
    'bad/binary.nix': Buffer.concat([needle, Buffer.from([0x7b, 0x00, 0x01, 0x7d])]),
    'bad/elf.nix': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))]),
    'bad/utf16.nix': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{ addOpenGLRunpath }: addOpenGLRunpath\n', 'utf16le')]),
    'bad/too-big.nix': tooBig,
    'bad/deep-lists.nix': `{ addOpenGLRunpath }:\n${'[ '.repeat(20_000)}addOpenGLRunpath${' ]'.repeat(20_000)}\n`,
    'bad/deep-parens.nix': `{ addOpenGLRunpath }:\n${'('.repeat(10_000)}addOpenGLRunpath${')'.repeat(10_000)}\n`,
    'bad/deep-unbalanced.nix': `{ addOpenGLRunpath }:\n${'[ '.repeat(20_000)}addOpenGLRunpath\n`,
    'bad/read-only.nix': PKG,
    'bad/ro-folder/in-ro-folder.nix': PKG,
    'bad/unreadable.nix': PKG,
    'bad/unreadable-dir/hidden.nix': PKG,
    'bad/no-search-dir/t.nix': PKG,
  };
  const dir = tree({ ...good, ...bad });
  const tooBigSize = Buffer.byteLength(tooBig);

  // links met while walking: none is followed, none is written through
  mkdirSync(join(dir, 'links'));
  symlinkSync('../good/plain.nix', join(dir, 'links/file-link.nix'));
  symlinkSync(join(outside, 'target.nix'), join(dir, 'links/outside-link.nix'));
  symlinkSync('../good', join(dir, 'links/dir-link'));
  symlinkSync(outside, join(dir, 'links/outside-dir-link'));
  symlinkSync('loop-b.nix', join(dir, 'links/loop-a.nix'));
  symlinkSync('loop-a.nix', join(dir, 'links/loop-b.nix'));
  symlinkSync('self.nix', join(dir, 'links/self.nix'));
  symlinkSync('nowhere.nix', join(dir, 'links/dangling.nix'));
  execFileSync('mkfifo', [join(dir, 'bad/pipe.nix')]); // not a regular file: not taken by the walk

  handOver(dir);
  handOver(outside);
  chmodSync(join(dir, 'bad/read-only.nix'), 0o444);
  chmodSync(join(dir, 'bad/ro-folder'), 0o555);
  deny(join(dir, 'bad/unreadable.nix'), 0);
  deny(join(dir, 'bad/unreadable-dir'), 0);
  deny(join(dir, 'bad/no-search-dir'), 0o4); // may list it, may not enter it

  const syntax = /^\d+:\d+: syntax error: \S.*$/;
  const want: Record<string, Want> = {
    ...Object.fromEntries(Object.entries(good).map(([p, t]) => [p, { status: 'ok', error: null, out: rename(t) } satisfies Want])),
    'bad/syntax-bracket.nix': { status: 'error', error: '3:15: syntax error: missing "]"' },
    'bad/syntax-string.nix': { status: 'error', error: syntax },
    'bad/syntax-eof.nix': { status: 'error', error: syntax },
    'bad/syntax-garbage.nix': { status: 'error', error: syntax },
    'bad/empty.nix': { status: 'skip', error: null },
    'bad/whitespace-only.nix': { status: 'skip', error: null },
    'bad/bom-only.nix': { status: 'skip', error: null },
    'bad/comments-only.nix': { status: 'skip', error: null },
    'bad/comments-needle.nix': { status: 'nochange', error: null },
    'bad/latin1.nix': { status: 'error', error: NOT_UTF8 },
    'bad/surrogate.nix': { status: 'error', error: NOT_UTF8 },
    'bad/truncated-utf8.nix': { status: 'error', error: NOT_UTF8 },
    'bad/overlong-utf8.nix': { status: 'error', error: NOT_UTF8 },
    'bad/latin1-no-needle.nix': { status: 'skip', error: null }, // no needle: not even decoded
    'bad/binary.nix': { status: 'error', error: BINARY },
    'bad/elf.nix': { status: 'skip', error: null },
    'bad/utf16.nix': { status: 'skip', error: null }, // the needle's bytes are not in UTF-16
    'bad/too-big.nix': { status: 'skip', error: overLimit(tooBigSize, 4) },
    'bad/deep-lists.nix': { status: 'skip', error: NESTING },
    'bad/deep-parens.nix': { status: 'skip', error: NESTING },
    'bad/deep-unbalanced.nix': { status: 'skip', error: NESTING },
    'bad/read-only.nix': { status: 'error', error: 'cannot write: the file is read-only; the original file is unchanged' },
    'bad/ro-folder/in-ro-folder.nix': { status: 'error', error: 'cannot write: permission denied; the original file is unchanged' },
    'bad/unreadable.nix': { status: 'error', error: READ_DENIED },
    'bad/no-search-dir/t.nix': { status: 'error', error: READ_DENIED },
  };
  return { dir, outside, want, hidden: ['bad/unreadable-dir/hidden.nix'] };
}

/** The `errorKind` (src/model/errors.ts) each expected message is of. */
function kindOf(w: Want): string {
  const e = w.error!;
  const text = e instanceof RegExp ? e.source : e;
  if (e === NOT_UTF8) return 'not-utf8';
  if (e === BINARY) return 'binary';
  if (e === NESTING) return 'too-deep';
  if (e === READ_DENIED) return 'unreadable';
  if (/syntax error/.test(text)) return 'syntax';
  if (/size limit/.test(text)) return 'too-large';
  if (/^cannot write/.test(text)) return 'write-failed';
  throw new Error(`no kind for ${text}`);
}

const MAIN_ARGS = ['.', 'good', 'good/plain.nix', './good/plain.nix', 'x.nix', 'nope.nix', 'gone/'];

describe.skipIf(!CAN_DENY)('every bad input in one tree, with good files beside them (--write --json)', () => {
  it.each(MODES)('%s: exact status and message per path, good files rewritten exactly, bad inputs byte-identical, exit 2', async (_mode, modeArgs) => {
    const { dir, outside, want, hidden } = mainTree();
    const before = fullSnapshot(dir);
    const outsideBefore = fullSnapshot(outside);
    const r = await cliAsUser([...DRIVER, '--write', '--json', ...modeArgs, ...MAIN_ARGS], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(2);
    const doc = json(r);

    // every regular .nix file reachable, once each, in path order; nothing through a link, nothing hidden
    expect(doc.files.map((f) => f.path)).toEqual(Object.keys(want).sort());
    const got = byPath(doc);
    for (const [path, w] of Object.entries(want)) {
      const f = got[path]!;
      expect({ path, status: f.status }).toEqual({ path, status: w.status });
      if (w.error instanceof RegExp) expect(f.error, path).toMatch(w.error);
      else expect(f.error, path).toBe(w.error);
      // the error as data: its kind, for every error and every skip with a reason
      expect(f.errorKind, path).toBe(w.error === null ? undefined : kindOf(w));
      expect(f.written === true, path).toBe(w.out !== undefined);
    }
    expect(doc.missing).toEqual(['nope.nix', 'gone/']);
    expect(doc.unreadable).toEqual([{ path: 'bad/unreadable-dir', reason: 'permission denied' }]);
    const count = (s: Status): number => Object.values(want).filter((w) => w.status === s).length;
    expect(doc.summary).toMatchObject({ files: Object.keys(want).length, ok: count('ok'), nochange: count('nochange'), skip: count('skip'), error: count('error'), written: count('ok') });

    // on disk: good files have exactly the new text and their mode; everything else is as it was
    const after = fullSnapshot(dir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort()); // no temp file left anywhere, nothing replaced by a file
    for (const [path, w] of Object.entries(want)) {
      if (w.out !== undefined) {
        expect(Buffer.from(after[path]!.content!, 'hex').toString('utf8'), path).toBe(w.out);
        expect(after[path]!.mode, path).toBe(before[path]!.mode);
        expect(after[path]!.type).toBe('file');
      } else {
        expect(after[path], path).toEqual(before[path]);
      }
    }
    for (const path of [...hidden, 'bad/pipe.nix']) expect(after[path], path).toEqual(before[path]);
    for (const path of Object.keys(before).filter((p) => p.startsWith('links/'))) expect(after[path], path).toEqual(before[path]);
    expect(fullSnapshot(outside)).toEqual(outsideBefore);

    // the same run again, as text: every problem on stderr, one line each; nothing more written
    const again = await cliAsUser([...DRIVER, '--write', ...modeArgs, ...MAIN_ARGS], { cwd: dir });
    noCrash(again);
    expect(again.status).toBe(2);
    expect(again.stdout).toBe('');
    const lines = again.stderr.split('\n');
    for (const [path, w] of Object.entries(want)) {
      if (w.error === null) continue;
      // `path: error: message`, or `path:line:col: error: message` for a message with its place
      const kind = w.status === 'skip' ? 'skip' : 'error';
      const found = lines.filter((l) => l.startsWith(`${path}: ${kind}: `) || new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+:\\d+: ${kind}: `).test(l));
      expect(found.length, `one stderr line for ${path} in:\n${again.stderr}`).toBe(1);
      const line = found[0]!.replace(new RegExp(`^${path.replace(/[.]/g, '\\.')}(?::(\\d+:\\d+))?: ${kind}: `), (_, at?: string) => (at ? `${at}: ` : ''));
      if (w.error instanceof RegExp) expect(line).toMatch(w.error);
      else expect(line).toBe(w.error);
    }
    expect(lines).toContain('nope.nix: error: no such file or directory');
    expect(lines).toContain('gone/: error: no such file or directory');
    expect(lines).toContain('bad/unreadable-dir: error: cannot read: permission denied');
    const errors = Object.values(want).filter((w) => w.status === 'error').length;
    expect(again.stderr).toMatch(new RegExp(`^nixshift: 0 ok, 1 nochange, \\d+ skip, ${errors} error, 0 written; `, 'm'));
    expect(nonFolders(fullSnapshot(dir))).toEqual(nonFolders(after));
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Syntax errors: where they are

describe('syntax errors', () => {
  // BUG (unclear message): when the error follows a complete function head on the same line, the
  // error is put at 1:1 and names the formals, which are fine: `{ addOpenGLRunpath }: ) ) ;;; @@@`
  // gives `1:1: syntax error: unexpected "{ addOpenGLRunpath }"` (the stray `)` is at 1:23), and
  // `{ addOpenGLRunpath }: [ 1 2 ;` the same (the `;` is at 1:29; on separate lines the same list
  // gives `2:6: syntax error: missing "]"`). Expected: the position of the offending token.
  it.fails('an error after the function head on the same line is reported where it is, not at 1:1', async () => {
    const dir = tree({ 'stray.nix': '{ addOpenGLRunpath }: ) ) ;;; @@@\n', 'list.nix': '{ addOpenGLRunpath }: [ 1 2 ;\n' });
    const r = await cliAsUser([...DRIVER, '--json', '.'], { cwd: dir });
    expect(r.status).toBe(2);
    const got = byPath(json(r));
    expect(got['stray.nix']!.error).toMatch(/^1:23: syntax error: /);
    expect(got['list.nix']!.error).toMatch(/^1:29: syntax error: /);
  });
});

// ---------------------------------------------------------------------------------------------
// Deep nesting

const HEADER = '{ lib, stdenv, symlinkJoin, cudatoolkit, addOpenGLRunpath }:\n';
/** Something for every transform's needles and prefilter. */
const CORE = 'addOpenGLRunpath cudatoolkit (symlinkJoin { name = "cuda"; paths = [ cudatoolkit ]; })';

describe('deep nesting', () => {
  const deep: Record<string, string> = {
    'lists-5000.nix': `${HEADER}${'[ '.repeat(5000)}${CORE}${' ]'.repeat(5000)}\n`,
    'lists-20000.nix': `${HEADER}${'[ '.repeat(20_000)}${CORE}${' ]'.repeat(20_000)}\n`,
    'parens-20000.nix': `${HEADER}${'('.repeat(20_000)}[ ${CORE} ]${')'.repeat(20_000)}\n`,
    'attrs-5000.nix': `${HEADER}${'{ a = '.repeat(5000)}[ ${CORE} ]${'; }'.repeat(5000)}\n`,
    'lets-5000.nix': `${HEADER}${'let x = '.repeat(5000)}[ ${CORE} ]${'; in x'.repeat(5000)}\n`,
    'interpolations-3000.nix': `${HEADER}[ ${CORE} ${'"${'.repeat(3000)}toString cudatoolkit${'}"'.repeat(3000)} ]\n`,
    'unbalanced-20000.nix': `${HEADER}${'[ '.repeat(20_000)}${CORE}\n`,
  };

  it.each(CHAINS.flatMap(([name, chain]) => [
    [name, chain, []],
    [`${name} --no-prefilter`, chain, ['--no-prefilter']],
  ] as [string, string[], string[]][]))('%s: thousands of nested lists, parens, sets, lets, interpolations: each file skipped with the reason, none changed, no crash', async (_name, chain, extra) => {
    const dir = tree(deep);
    const before = fullSnapshot(dir);
    const r = await cliAsUser([...chain, ...extra, '--write', '--json', '--run-in-band', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const doc = json(r);
    expect(doc.files.map((f) => f.path)).toEqual(Object.keys(deep).sort());
    for (const f of doc.files) {
      expect(f.status, f.path).toBe('skip');
      expect(f.error, f.path).toMatch(NESTING);
    }
    expect(fullSnapshot(dir)).toEqual(before);
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);

  it('a file nested just under the limit (250 lists) is transformed, every transform', async () => {
    const n = 250;
    const dir = tree({ 'a.nix': `{ addOpenGLRunpath }:\n${'[ '.repeat(n)}addOpenGLRunpath${' ]'.repeat(n)}\n`, 'cuda.nix': `${HEADER}${'[ '.repeat(n)}${CORE}${' ]'.repeat(n)}\n` });
    const r = await cliAsUser([...ALL, '--write', '--json', '--run-in-band', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const got = byPath(json(r));
    expect(got['a.nix']).toMatchObject({ status: 'ok', error: null, written: true });
    expect(text(dir, 'a.nix')).toBe(rename(`{ addOpenGLRunpath }:\n${'[ '.repeat(n)}addOpenGLRunpath${' ]'.repeat(n)}\n`));
    expect(got['cuda.nix']).toMatchObject({ status: 'ok', error: null, written: true });
    expect(text(dir, 'cuda.nix')).not.toContain('addOpenGLRunpath');
  }, 60_000);

  // Shapes the bracket guard does not count: 5,000 levels of lambdas, with, if, assert, `+`,
  // selection and negation around one use. No stack overflow in our own recursion (the main
  // thread's stack is the smaller one: in band), and the use is renamed.
  const chains: Record<string, string> = {
    'lambdas.nix': `{ addOpenGLRunpath }:\n${'x: '.repeat(5000)}addOpenGLRunpath\n`,
    'withs.nix': `{ addOpenGLRunpath, a }:\n${'with a; '.repeat(5000)}addOpenGLRunpath\n`,
    'ifs.nix': `{ addOpenGLRunpath, c }:\n${'if c then 1 else '.repeat(5000)}addOpenGLRunpath\n`,
    'asserts.nix': `{ addOpenGLRunpath, c }:\n${'assert c; '.repeat(5000)}addOpenGLRunpath\n`,
    'lets.nix': `{ addOpenGLRunpath }:\n${'let x = 1; in '.repeat(5000)}addOpenGLRunpath\n`,
    'sums.nix': `{ addOpenGLRunpath }:\n${'1 + '.repeat(5000)}addOpenGLRunpath\n`,
    'selects.nix': `{ addOpenGLRunpath }:\naddOpenGLRunpath${'.a'.repeat(5000)}\n`,
    'negations.nix': `{ addOpenGLRunpath }:\n${'!'.repeat(5000)}addOpenGLRunpath\n`,
  };
  // (In band only: a worker thread's stack is larger than the main thread's.) Each level costs
  // time too (walking up costs the depth at each step): about 1-3 s a file at 5,000 levels.
  it('5,000 levels of lambdas, with, if, assert, let, +, selection, negation: renamed, no stack overflow', async () => {
    const dir = tree(chains);
    const r = await cliAsUser([...DRIVER, '--write', '--json', '--run-in-band', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const got = byPath(json(r));
    for (const [path, body] of Object.entries(chains)) {
      expect({ path, status: got[path]!.status, error: got[path]!.error }).toEqual({ path, status: 'ok', error: null });
      expect(text(dir, path), path).toBe(rename(body));
    }
  }, 120_000);

  // Was a bug: the nesting guard counts brackets and `let`, not left-nested operators or
  // applications, and with the tree-sitter Node binding each `.parent` cost the depth, so a 24 KB
  // file of 1,000 `++` took 17 s (uses × depth²). Our flat trees make `.parent` O(1).
  it('a 1,000-term `++` chain of uses is processed (or skipped with a reason) within 5 s', async () => {
    const n = 1000;
    const body = `{ addOpenGLRunpath }:\n${'[ addOpenGLRunpath ] ++ '.repeat(n)}[ addOpenGLRunpath ]\n`;
    const dir = tree({ 'concat.nix': body });
    const r = await cliAsUser([...DRIVER, '--write', '--json', '--run-in-band', '--timeout', '5', '.'], { cwd: dir, timeoutMs: 60_000 });
    noCrash(r);
    const f = json(r).files[0]!;
    if (f.status === 'skip') expect(f.error).toMatch(/nested|deep|long/);
    else {
      expect(f).toMatchObject({ status: 'ok', error: null, written: true });
      expect(text(dir, 'concat.nix')).toBe(rename(body));
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Multi-MB files and very long lines

describe('multi-MB files', () => {
  function manyAttrs(targetBytes: number, tag: string): string {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < targetBytes; i++) {
      const l = `  ${tag}${i} = { pname = "p${i}"; version = "1.${i}"; meta.description = "package number ${i}"; };\n`;
      lines.push(l);
      size += l.length;
    }
    return `{ lib, addOpenGLRunpath }:\n{\n${lines.join('')}  hook = addOpenGLRunpath;\n}\n`;
  }

  it('a 3 MiB file is rewritten exactly under the default limit; a 6 MiB one is skipped with the reason; --max-file-size moves the line', async () => {
    const mid = manyAttrs(3 << 20, 'a');
    const big = manyAttrs(6 << 20, 'b');
    const dir = tree({ 'mid.nix': mid, 'big.nix': big, 'big-no-needle.nix': big.replace(/addOpenGLRunpath/g, 'x') });
    const midSize = Buffer.byteLength(mid);
    const bigSize = Buffer.byteLength(big);
    const before = fullSnapshot(dir);

    const limited = await cliAsUser([...DRIVER, '--json', '--max-file-size', '2', '.'], { cwd: dir });
    noCrash(limited);
    expect(limited.status).toBe(0);
    expect(json(limited).files.map((f) => [f.path, f.status, f.error])).toEqual([
      // over the limit the file is not read at all (a stat says its size): skipped with the
      // reason, needle or not
      ['big-no-needle.nix', 'skip', overLimit(bigSize, 2)],
      ['big.nix', 'skip', overLimit(bigSize, 2)],
      ['mid.nix', 'skip', overLimit(midSize, 2)],
    ]);
    expect(fullSnapshot(dir)).toEqual(before);

    const r = await cliAsUser([...DRIVER, '--write', '--json', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    expect(json(r).files.map((f) => [f.path, f.status, f.error, f.written === true])).toEqual([
      ['big-no-needle.nix', 'skip', overLimit(bigSize, 4), false],
      ['big.nix', 'skip', overLimit(bigSize, 4), false],
      ['mid.nix', 'ok', null, true],
    ]);
    expect(text(dir, 'mid.nix')).toBe(rename(mid));
    const after = fullSnapshot(dir);
    expect(after['big.nix']).toEqual(before['big.nix']);
    expect(after['big-no-needle.nix']).toEqual(before['big-no-needle.nix']);
  }, 120_000);

  // BUG: a file is read whole, and its bytes turned into one string for the prefilter, before the
  // size limit is looked at. Past 512 MiB the string cannot be made: in band the whole run dies
  // ("nixshift: Error: Cannot create a string longer than 0x1fffffe8 characters", a stack trace,
  // no other file processed); on threads the worker dies on it again and again and the files of
  // its batches become "not processed: the worker threads kept dying". Expected: `skip` over the
  // size limit (from a stat, before reading), the other files processed, exit 0.
  it.each(MODES)('%s: a 513 MiB file is skipped over the size limit; the run goes on', async (_mode, modeArgs) => {
    const dir = tree({ 'a.nix': SHORT, ...(modeArgs[0] === '--cpus' ? filler('filler') : {}) });
    writeFileSync(join(dir, 'huge.nix'), '{ addOpenGLRunpath }: addOpenGLRunpath\n');
    truncateSync(join(dir, 'huge.nix'), 513 << 20); // sparse: no disk used
    const r = await cliAsUser([...DRIVER, '--write', '--json', ...modeArgs, '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const got = byPath(json(r));
    expect(got['huge.nix']).toMatchObject({ status: 'skip', error: overLimit(513 << 20, 4) });
    expect(got['a.nix']).toMatchObject({ status: 'ok', written: true });
    expect(Object.values(got).filter((f) => f.status === 'error')).toEqual([]);
  }, 120_000);

  // BUG: over 2 GiB the read itself fails, and the file is an `error` "cannot read:
  // ERR_FS_FILE_TOO_LARGE" (a Node error code, exit 2) instead of a `skip` over the size limit.
  it('a 3 GiB file is skipped over the size limit, with the limit as the reason', async () => {
    const dir = tree({ 'a.nix': SHORT });
    writeFileSync(join(dir, 'huge.nix'), '');
    truncateSync(join(dir, 'huge.nix'), 3 * 2 ** 30);
    const r = await cliAsUser([...DRIVER, '--json', '--run-in-band', '.'], { cwd: dir });
    noCrash(r);
    expect(byPath(json(r))['huge.nix']).toMatchObject({ status: 'skip', error: overLimit(3 * 2 ** 30, 4) });
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('very long lines', () => {
  it('a 1 MiB line with 5,000 uses is rewritten exactly; a 5 MiB line is skipped by default and rewritten with a higher limit', async () => {
    const oneMiB = `{ addOpenGLRunpath }: { uses = [ ${'addOpenGLRunpath '.repeat(5000)}]; blob = "${'y'.repeat(1 << 20)}"; }`;
    const fiveMiB = `{ addOpenGLRunpath }: { hook = addOpenGLRunpath; blob = "${'z'.repeat(5 << 20)}"; }\n`;
    const dir = tree({ 'one.nix': oneMiB, 'five.nix': fiveMiB });
    const before = fullSnapshot(dir);
    const r = await cliAsUser([...DRIVER, '--write', '--json', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    expect(json(r).files.map((f) => [f.path, f.status, f.error])).toEqual([
      ['five.nix', 'skip', overLimit(Buffer.byteLength(fiveMiB), 4)],
      ['one.nix', 'ok', null],
    ]);
    expect(text(dir, 'one.nix')).toBe(rename(oneMiB));
    expect(fullSnapshot(dir)['five.nix']).toEqual(before['five.nix']);
    const raised = await cliAsUser([...DRIVER, '--write', '--json', '--max-file-size', '8', 'five.nix'], { cwd: dir });
    noCrash(raised);
    expect(raised.status).toBe(0);
    expect(json(raised).files[0]).toMatchObject({ path: 'five.nix', status: 'ok', written: true });
    expect(text(dir, 'five.nix')).toBe(rename(fiveMiB));
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Line endings

describe('line endings', () => {
  it('CRLF, lone CR, LF mixed in one file, and no final newline: kept byte for byte after a rewrite', async () => {
    const files = {
      'mixed.nix': '{ lib,\r\n  stdenv,\n  addOpenGLRunpath }:\r\r\nstdenv.mkDerivation {\n  nativeBuildInputs = [ addOpenGLRunpath ];\r\n}',
      'cr.nix': '{ lib, addOpenGLRunpath }:\r[\r  addOpenGLRunpath\r]\r',
      'crlf-no-eol.nix': '{ lib, addOpenGLRunpath }:\r\n[ addOpenGLRunpath ]',
      'bom-mixed.nix': '\uFEFF{ addOpenGLRunpath }:\n\r\n[ addOpenGLRunpath ]\r\n',
    };
    const dir = tree(files);
    const r = await cliAsUser([...DRIVER, '--write', '--json', '.'], { cwd: dir });
    expect(r.status).toBe(0);
    for (const f of json(r).files) expect([f.path, f.status, f.written]).toEqual([f.path, 'ok', true]);
    for (const [path, body] of Object.entries(files)) expect(bytes(dir, path).equals(Buffer.from(rename(body), 'utf8')), path).toBe(true);
  });

  it('cudatoolkit-to-redist on a file with mixed endings: every line it does not touch keeps its own ending', async () => {
    const body = '{ lib, stdenv, cudatoolkit }:\r\n\nstdenv.mkDerivation {\r\n  pname = "mixed";\n  version = "1";\r\n  buildInputs = [ cudatoolkit ];\n  makeFlags = [ "LIBS=-lcurand" ];\r\n}\n';
    const dir = tree({ 'mixed.nix': body });
    const r = await cliAsUser(['run', '-t', 'cudatoolkit-to-redist', '--write', '--json', '.'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(json(r).files[0]).toMatchObject({ status: 'ok', written: true });
    const lines = (s: string): string[] => s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
    const out = text(dir, 'mixed.nix');
    expect(out).not.toContain('cudatoolkit');
    expect(lines(out).filter((l) => !l.includes('cuda'))).toEqual(lines(body).filter((l) => !l.includes('cuda')));
  });

  it('a BOM with CRLF through a transform that adds lines (the crlf fixture): BOM kept, no bare LF', async () => {
    const fixture = (n: string): string => readFileSync(join(__dirname, '..', '..', 'fixtures', 'cudatoolkit-to-redist', n), 'utf8');
    const dir = tree({ 'a.nix': `\uFEFF${fixture('crlf.input.nix')}` });
    const r = await cliAsUser(['run', '-t', 'cudatoolkit-to-redist', '--write', '--json', '.'], { cwd: dir });
    expect(r.status).toBe(0);
    const out = text(dir, 'a.nix');
    expect(out).toBe(`\uFEFF${fixture('crlf.output.nix')}`);
    expect(out).not.toMatch(/[^\r]\n/);
  });
});

// ---------------------------------------------------------------------------------------------
// Empty and comment-only files

describe('empty and comment-only files', () => {
  const files = {
    'empty.nix': '',
    'blank.nix': '\n\n  \t\r\n',
    'bom-only.nix': '\uFEFF',
    'comments.nix': '# a license header\n# and nothing else\n/* block */\n',
  };
  const needleComments = { 'needle-comments.nix': '# addOpenGLRunpath cudatoolkit symlinkJoin buildEnv\n/* nixshift-ignore */\n' };
  it.each(CHAINS.flatMap(([name, chain]) => [
    [name, chain, [], 'skip'],
    [`${name} --no-prefilter`, chain, ['--no-prefilter'], 'nochange'],
  ] as [string, string[], string[], Status][]))('%s: each file is as expected (skip, or nochange when parsed) without an error, nothing written, exit 0', async (_name, chain, extra, expected) => {
    const dir = tree({ ...files, ...needleComments });
    const before = fullSnapshot(dir);
    const r = await cliAsUser([...chain, ...extra, '--write', '--json', '.'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const doc = json(r);
    expect(doc.files.map((f) => [f.path, f.status, f.error])).toEqual(
      [...Object.keys(files).map((p) => [p, expected, null]), ['needle-comments.nix', 'nochange', null]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(doc.summary.written).toBe(0);
    expect(fullSnapshot(dir)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Symbolic links (policy: links met while walking are not followed; a link named on the command
// line is followed for reading, and written through only to a target inside the paths given, by
// real path, the link staying a link; a loop named is an error exit 2; one file, one result)

function linkTree(withFiller: boolean): { dir: string; outside: string } {
  const outside = tree({ 'target.nix': SHORT, 'sub/o.nix': SHORT });
  const dir = tree({ 'pkgs/a.nix': SHORT, 'pkgs/sub/b.nix': SHORT, 'c.nix': SHORT, ...(withFiller ? filler('pkgs/filler') : {}) });
  symlinkSync(join(outside, 'target.nix'), join(dir, 'out-link.nix'));
  symlinkSync('pkgs/a.nix', join(dir, 'in-link.nix'));
  symlinkSync('c.nix', join(dir, 'c-link.nix'));
  symlinkSync('loop-b.nix', join(dir, 'loop-a.nix'));
  symlinkSync('loop-a.nix', join(dir, 'loop-b.nix'));
  symlinkSync('nowhere.nix', join(dir, 'dangling.nix'));
  symlinkSync(outside, join(dir, 'outside-dir'));
  symlinkSync(join(outside, 'target.nix'), join(dir, 'pkgs/walk-out.nix'));
  symlinkSync('../c.nix', join(dir, 'pkgs/walk-in.nix'));
  symlinkSync(outside, join(dir, 'pkgs/walk-dir'));
  symlinkSync('walk-loop.nix', join(dir, 'pkgs/walk-loop.nix'));
  handOver(dir);
  handOver(outside);
  return { dir, outside };
}
const isLinkTo = (path: string): string | undefined => (lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined);

describe('symbolic links', () => {
  it('links met while walking a folder are not followed: no result for them, nothing written through them', async () => {
    const { dir, outside } = linkTree(false);
    const before = fullSnapshot(dir);
    const outsideBefore = fullSnapshot(outside);
    const r = await cliAsUser([...DRIVER, '--write', '--json', 'pkgs'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const doc = json(r);
    expect(doc.files.map((f) => [f.path, f.status])).toEqual([
      ['pkgs/a.nix', 'ok'],
      ['pkgs/sub/b.nix', 'ok'],
    ]);
    expect(doc.missing).toEqual([]);
    expect(doc.unreadable).toEqual([]);
    const after = fullSnapshot(dir);
    for (const p of ['pkgs/walk-out.nix', 'pkgs/walk-in.nix', 'pkgs/walk-dir', 'pkgs/walk-loop.nix', 'c.nix']) expect(after[p], p).toEqual(before[p]);
    expect(fullSnapshot(outside)).toEqual(outsideBefore);
  });

  it.each(MODES)('%s: a link named on the command line to a file inside the paths given is written through; the link stays a link; the file is processed once', async (_mode, modeArgs) => {
    const { dir } = linkTree(modeArgs[0] === '--cpus');
    const r = await cliAsUser([...DRIVER, '--write', '--json', ...modeArgs, 'in-link.nix', 'pkgs', 'c-link.nix', 'c.nix'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    const doc = json(r);
    const mine = doc.files.filter((f) => !f.path.startsWith('pkgs/filler/'));
    // pkgs/a.nix is reached as in-link.nix (named first) and by the walk; c.nix by its link and by name
    expect(mine.map((f) => [f.path, f.status, f.written])).toEqual([
      ['c-link.nix', 'ok', true],
      ['in-link.nix', 'ok', true],
      ['pkgs/sub/b.nix', 'ok', true],
    ]);
    expect(doc.summary.written).toBe(doc.files.length);
    expect(isLinkTo(join(dir, 'in-link.nix'))).toBe('pkgs/a.nix');
    expect(isLinkTo(join(dir, 'c-link.nix'))).toBe('c.nix');
    expect(text(dir, 'pkgs/a.nix')).toBe(rename(SHORT));
    expect(text(dir, 'c.nix')).toBe(rename(SHORT));
  }, 60_000);

  it.each(MODES)('%s: a link named on the command line to a file outside the paths given: an error naming the reason, nothing written, the link stays', async (_mode, modeArgs) => {
    const { dir, outside } = linkTree(modeArgs[0] === '--cpus');
    const before = fullSnapshot(dir);
    const outsideBefore = fullSnapshot(outside);
    const r = await cliAsUser([...DRIVER, '--write', '--json', ...modeArgs, 'out-link.nix', 'c-link.nix', 'pkgs'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(2);
    const got = byPath(json(r));
    for (const p of ['out-link.nix', 'c-link.nix']) {
      expect(got[p]!.status, p).toBe('error');
      expect(got[p]!.error, p).toContain('outside the paths given');
      expect(got[p]!.written === true, p).toBe(false);
    }
    expect(got['c-link.nix']!.error).toContain(join(dir, 'c.nix')); // c.nix exists beside it, but was not given
    expect(fullSnapshot(outside)).toEqual(outsideBefore);
    const after = fullSnapshot(dir);
    for (const p of ['out-link.nix', 'c-link.nix', 'c.nix']) expect(after[p], p).toEqual(before[p]);
    // a dry run follows them for reading
    const dry = await cliAsUser([...DRIVER, '--json', ...modeArgs, 'out-link.nix', 'c-link.nix'], { cwd: dir });
    expect(dry.status).toBe(0);
    expect(json(dry).files.map((f) => [f.path, f.status])).toEqual([
      ['c-link.nix', 'ok'],
      ['out-link.nix', 'ok'],
    ]);
  }, 60_000);

  it('a link loop or a dangling link named on the command line: exit 2, listed once with a clear reason; the others are processed', async () => {
    const { dir } = linkTree(false);
    const r = await cliAsUser([...DRIVER, '--write', '--json', 'loop-a.nix', 'dangling.nix', 'c.nix'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(2);
    const doc = json(r);
    expect(doc.files.map((f) => [f.path, f.status])).toEqual([['c.nix', 'ok']]);
    expect(doc.missing).toEqual(['dangling.nix']);
    // "reported like a missing path": listed once, with a reason that says what is wrong
    const listed = [...doc.missing.filter((m) => m === 'loop-a.nix').map(() => 'missing'), ...doc.unreadable.filter((u) => u.path === 'loop-a.nix').map((u) => u.reason)];
    expect(listed).toEqual(['symbolic link loop']);
    const plain = await cliAsUser([...DRIVER, 'loop-a.nix'], { cwd: dir });
    expect(plain.status).toBe(2);
    expect(plain.stderr).toMatch(/^loop-a\.nix: error: .*symbolic link loop/m);
  });

  it('a folder link named on the command line is followed: its files are read and written in the real folder, the link stays', async () => {
    const { dir, outside } = linkTree(false);
    const r = await cliAsUser([...DRIVER, '--write', '--json', 'outside-dir'], { cwd: dir });
    noCrash(r);
    expect(r.status).toBe(0);
    expect(json(r).files.map((f) => [f.path, f.status, f.written])).toEqual([
      ['outside-dir/sub/o.nix', 'ok', true],
      ['outside-dir/target.nix', 'ok', true],
    ]);
    expect(isLinkTo(join(dir, 'outside-dir'))).toBe(outside);
    expect(text(outside, 'target.nix')).toBe(rename(SHORT));
  });
});

// ---------------------------------------------------------------------------------------------
// Overlapping inputs

describe('overlapping inputs', () => {
  it.each(MODES)('%s: dir, dir/sub, dir/sub/a.nix in several spellings and on stdin: each file processed and written once', async (_mode, modeArgs) => {
    const dir = tree({ 'dir/top.nix': SHORT, 'dir/sub/a.nix': SHORT, 'dir/sub/deeper/c.nix': SHORT, ...(modeArgs[0] === '--cpus' ? filler('dir/filler') : {}) });
    const args = ['dir', 'dir/sub', 'dir/sub/a.nix', './dir/sub/a.nix', 'dir/sub/../sub/a.nix', join(dir, 'dir/sub/a.nix'), 'dir/sub/deeper', 'dir/sub/a.nix'];
    const r = await cliAsUser([...DRIVER, '--write', '--json', '--stdin', ...modeArgs, ...args], { cwd: dir, input: 'dir/sub/a.nix\ndir/top.nix\n./dir/sub\n' });
    noCrash(r);
    expect(r.status).toBe(0);
    const doc = json(r);
    const mine = doc.files.filter((f) => !f.path.startsWith('dir/filler/'));
    expect(mine.map((f) => [f.path, f.status, f.written])).toEqual([
      ['dir/sub/a.nix', 'ok', true],
      ['dir/sub/deeper/c.nix', 'ok', true],
      ['dir/top.nix', 'ok', true],
    ]);
    expect(new Set(doc.files.map((f) => f.path)).size).toBe(doc.files.length);
    expect(doc.summary).toMatchObject({ files: doc.files.length, ok: doc.files.length, written: doc.files.length, error: 0, skip: 0 });
    for (const p of ['dir/top.nix', 'dir/sub/a.nix', 'dir/sub/deeper/c.nix']) expect(text(dir, p)).toBe(rename(SHORT));
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Permissions: problems found

describe.skipIf(!CAN_DENY)('permissions', () => {
  // BUG: an unreadable folder that is both walked (inside `.`) and named is listed twice in
  // `unreadable` (and twice on stderr): [{"path":"locked",…},{"path":"locked",…}].
  it('an unreadable folder reached twice is listed once', async () => {
    const dir = tree({ 'locked/a.nix': SHORT, 'b.nix': SHORT });
    handOver(dir);
    deny(join(dir, 'locked'), 0);
    const r = await cliAsUser([...DRIVER, '--json', '.', 'locked'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(json(r).unreadable).toEqual([{ path: 'locked', reason: 'permission denied' }]);
  });

  // BUG: the read-only check looks for any write bit (`mode & 0o222`), not at whether the user
  // may write the file; the atomic write then renames a new file over it, which only needs the
  // folder to be writable. So a file the user may not write (mode 0464: owner read-only, group
  // writable) is rewritten under --write. Expected: an error, the original intact.
  it('a file the user may not write (owner r--, group rw-) is an error under --write, left intact', async () => {
    const dir = tree({ 'owner-ro.nix': SHORT });
    handOver(dir);
    chmodSync(join(dir, 'owner-ro.nix'), 0o464);
    const before = fullSnapshot(dir);
    const r = await cliAsUser([...DRIVER, '--write', '--json', '.'], { cwd: dir });
    const f = json(r).files[0]!;
    expect(fullSnapshot(dir)['owner-ro.nix']).toEqual(before['owner-ro.nix']);
    expect(f.status).toBe('error');
    expect(f.error).toMatch(/^cannot write: (the file is read-only|permission denied); the original file is unchanged$/);
    expect(r.status).toBe(2);
  });

  // BUG (same cause): a file of another user (root, 0644) in a folder the user may write is
  // replaced by a file of the user's: content rewritten and ownership changed (root → nobody).
  (IS_ROOT ? it : it.skip)("another user's file (0644) in a folder the user may write: an error under --write, owner and bytes intact", async () => {
    const dir = tree({ 'roots.nix': SHORT });
    handOver(dir);
    execFileSync('chown', ['0:0', join(dir, 'roots.nix')]);
    const before = fullSnapshot(dir);
    const r = await cliAsUser([...DRIVER, '--write', '--json', '.'], { cwd: dir });
    expect(fullSnapshot(dir)['roots.nix']).toEqual(before['roots.nix']);
    expect(json(r).files[0]!.status).toBe('error');
    expect(statSync(join(dir, 'roots.nix')).uid).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Files that are not regular files, named on the command line

describe('not a regular file, named on the command line', () => {
  // BUG: a FIFO named on the command line (`nixshift run -t … pipe.nix ok.nix`) is read with a
  // blocking readFileSync: the run hangs for ever, SIGTERM/SIGINT cannot stop it (the event loop
  // never runs the handler; only SIGKILL does), and no other file is processed. The same read
  // of /dev/zero fills memory until killed. (In a walked folder a FIFO is ignored, see the table.)
  // Expected: a per-file error such as "not a regular file", the other files processed, exit 2.
  it('a FIFO named .nix is a per-file error; the run goes on', async () => {
    const dir = tree({ 'ok.nix': SHORT });
    execFileSync('mkfifo', [join(dir, 'pipe.nix')]);
    handOver(dir);
    const r = await cliAsUser([...DRIVER, '--json', '--run-in-band', 'pipe.nix', 'ok.nix'], { cwd: dir, timeoutMs: 5_000 });
    expect(r.signal).toBeNull(); // not killed by our timeout
    expect(r.status).toBe(2);
    const got = byPath(json(r));
    expect(got['pipe.nix']!.status).toBe('error');
    expect(got['ok.nix']!.status).toBe('ok');
  }, 30_000);

  it('a folder named x.nix, named on the command line, is walked like any folder', async () => {
    const dir = tree({ 'x.nix/a.nix': SHORT, 'x.nix/notes.txt': 'addOpenGLRunpath' });
    const r = await cliAsUser([...DRIVER, '--write', '--json', 'x.nix'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(json(r).files.map((f) => [f.path, f.status])).toEqual([['x.nix/a.nix', 'ok']]);
    expect(text(dir, 'x.nix/notes.txt')).toBe('addOpenGLRunpath');
  });
});
