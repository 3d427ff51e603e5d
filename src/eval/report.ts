/**
 * `--verify eval` in the reports: a section with every package evaluated, before and after, its
 * relevant inputs (the CUDA ones) and what is flagged (a report extension, src/transform.ts, filled by the command
 * line after the run rather than measured in the workers).
 */
import { cell, code, escapeHtml, plural } from '../report/markup.js';
import type { Measured, ReportExtension } from '../transform.js';
import { type FileCheck, type InputLens, inputsChange, type PackageCheck } from './verify.js';

const state = (p: PackageCheck): string => (p.broken ? 'no longer evaluates' : !('drv' in p.before) ? ('drv' in p.after ? 'evaluates (did not before)' : 'did not evaluate before either') : 'evaluates');
const errorOf = (p: PackageCheck): string => ('error' in p.after ? p.after.error : 'error' in p.before ? p.before.error : '');

type Row = { path: string; p?: PackageCheck; missing?: string };

function rows(files: readonly Measured<FileCheck>[]): Row[] {
  return files.flatMap(({ path, data }): Row[] => ('missing' in data ? [{ path, missing: data.missing }] : data.packages.map((p) => ({ path, p }))));
}

function markdown(files: readonly Measured<FileCheck>[], lens: InputLens): string[] {
  if (files.length === 0) return [];
  const out = ['## Evaluation (`--verify eval`)', '', `| file | package | result | ${lens.what} inputs before → after | flagged |`, '|---|---|---|---|---|'];
  for (const r of rows(files)) {
    if (!r.p) out.push(`| ${cell(code(r.path))} | — | not verified: ${cell(r.missing!)} | | |`);
    else out.push(`| ${cell(code(r.path))} | ${cell(code(r.p.attr))} | ${cell(state(r.p) + (r.p.broken || !('drv' in r.p.before) ? `: ${errorOf(r.p)}` : ''))} | ${cell(inputsChange(r.p, lens))} | ${cell(r.p.flags.map((f) => `${f.input}: ${f.why}`).join('; ') || '—')} |`);
  }
  const packages = rows(files).filter((r) => r.p).length;
  out.push('', `${plural(packages, 'package')} evaluated with \`nix-instantiate\`, before and after the change; evaluation proves the package still instantiates, not that it builds.`, '');
  return out;
}

function html(files: readonly Measured<FileCheck>[], lens: InputLens): { style?: string; section?: string; files: Record<string, string> } {
  if (files.length === 0) return { files: {} };
  const blocks: Record<string, string> = {};
  for (const { path, data } of files) {
    const items =
      'missing' in data
        ? `<li>not verified: ${escapeHtml(data.missing)}</li>`
        : data.packages
            .map((p) => `<li data-attr="${escapeHtml(p.attr)}" class="${p.broken ? 'broken' : 'ok'}"><code>${escapeHtml(p.attr)}</code> ${escapeHtml(state(p))}${p.broken || !('drv' in p.before) ? `: ${escapeHtml(errorOf(p))}` : ''}; ${escapeHtml(lens.what)} inputs: ${escapeHtml(inputsChange(p, lens))}${p.flags.map((f) => `<br>flagged: ${escapeHtml(`${f.input}: ${f.why}`)}`).join('')}</li>`)
            .join('');
    blocks[path] = `<div class="evaluation"><strong>--verify eval</strong><ul>${items}</ul></div>`;
  }
  const all = rows(files).filter((r) => r.p);
  const broken = all.filter((r) => r.p!.broken).length;
  return {
    style: '\n.evaluation { padding: 6px 12px; border-bottom: 1px solid var(--border); }\n.evaluation ul { margin: 4px 0; }\n.evaluation li.broken { color: var(--err); }\n',
    section: `<section id="evaluation"><h2>Evaluation</h2><p>${escapeHtml(`${plural(all.length, 'package')} evaluated before and after the change: ${all.length - broken} still evaluate${broken > 0 ? `, ${broken} no longer` : ''}.`)}</p></section>`,
    files: blocks,
  };
}

/** The extension for reports of a run whose inputs are looked at through `lens`. */
export function evalReport(lens: InputLens): ReportExtension<FileCheck> {
  return {
    id: 'nix-eval',
    // filled by the command line after the run (src/cli/verify-eval.ts), never measured in a worker
    measure: () => undefined,
    markdown: (files) => markdown(files, lens),
    html: (files) => html(files, lens),
  };
}
