/** Each printer on its own, with buffers for stdout and stderr: what goes where, exactly. */
import { describe, expect, it } from 'vitest';
import type { FileResult, RunSummary } from '../../../src/model/result.js';
import { createPrinter, type PrinterMode } from '../../../src/output/printer.js';

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (t: string) => void out.push(t) }, stderr: { write: (t: string) => void err.push(t) } };
}

const base = { findings: [], written: false, changedBy: [], bytes: 10 };
const ok: FileResult = { ...base, index: 0, path: 'a.nix', status: 'ok', changedBy: ['t'], diff: '--- a/a.nix\n+++ b/a.nix\n@@ -1 +1 @@\n-x\n+y\n', findings: [{ rule: 't/r', severity: 'warning', message: 'look', fix: 'do', line: 1, column: 2 }] };
const skip: FileResult = { ...base, index: 1, path: 'b.nix', status: 'skip' };
const bad: FileResult = { ...base, index: 2, path: 'c.nix', status: 'error', error: '1:1: syntax error: x', errorKind: 'syntax' };
const summary: RunSummary = { files: 3, counts: { ok: 1, nochange: 0, skip: 1, error: 1 }, written: 0, findings: 1, bytes: 30, elapsedMs: 1500, workers: 0 };
const end = { missing: ['gone.nix'], unreadable: [] };

async function print(mode: PrinterMode) {
  const s = sinks();
  const p = await createPrinter({ mode, stdout: s.stdout, stderr: s.stderr, colour: false, colourErr: false });
  p.start();
  for (const r of [ok, skip, bad]) p.file(r);
  p.end(summary, end);
  return { out: s.out.join(''), err: s.err.join('') };
}

describe('printers', () => {
  it('text (diff): the diff alone on stdout; findings, errors, missing paths and the summary on stderr', async () => {
    const { out, err } = await print('diff');
    expect(out).toBe(ok.diff);
    expect(err).toBe(
      'a.nix:1:2: warning[t/r] look\n  fix: do\n' +
        'c.nix:1:1: error: syntax error: x\n' +
        'gone.nix: error: no such file or directory\n' +
        'nixshift: 1 ok, 0 nochange, 1 skip, 1 error; 3 files in 1.50s (2 files/s), 1 finding\n',
    );
  });

  it('text (write): the written paths on stdout; silent: nothing on stdout', async () => {
    const written = { ...ok, written: true };
    const s = sinks();
    const p = await createPrinter({ mode: 'write', stdout: s.stdout, stderr: s.stderr, colour: false, colourErr: false, quiet: true });
    p.file(written);
    p.end({ ...summary, written: 1 }, { missing: [], unreadable: [] });
    expect(s.out.join('')).toBe('a.nix\n');
    expect(s.err.join('')).toBe('a.nix:1:2: warning[t/r] look\n  fix: do\n');
    expect((await print('silent')).out).toBe('');
  });

  it('json: one document, an entry per file (errorKind beside error), the summary and missing paths', async () => {
    const { out, err } = await print('json');
    expect(err).toBe('');
    const doc = JSON.parse(out);
    expect(doc.files).toEqual([
      { path: 'a.nix', status: 'ok', findings: ok.findings, error: null, changedBy: ['t'], diff: ok.diff },
      { path: 'b.nix', status: 'skip', findings: [], error: null },
      { path: 'c.nix', status: 'error', findings: [], error: '1:1: syntax error: x', errorKind: 'syntax' },
    ]);
    expect(doc.summary).toEqual({ files: 3, ok: 1, nochange: 0, skip: 1, error: 1, written: 0, findings: 1, elapsedMs: 1500, workers: 0 });
    expect(doc.missing).toEqual(['gone.nix']);
  });
});
