/**
 * The closure estimate in `--report`: the report extension both CUDA transforms declare
 * (src/transform.ts, ReportExtension). Per changed file it measures what the legacy toolkit
 * loses (src/cuda/closure.ts); the reports show each package's figure and the run's total, each
 * part counted once, marked as estimates.
 */
import { cell, code, escapeHtml, plural } from '../report/markup.js';
import type { Measured, ReportExtension } from '../transform.js';
import { type ClosureEstimate, estimateClosure, formatMb, runRemoved } from './closure.js';
import { SIZE_SOURCE } from './sizes.js';

/** What every closure figure is: printed by both reports. */
export const ESTIMATE_NOTE =
  'These are estimates, not measurements: each figure adds up the compressed archive sizes of one CUDA release ' +
  '(12.4.1, linux-x86_64) for the parts of the legacy `cudatoolkit` a package no longer references. ' +
  'Unpacked store paths are larger, parts without a known size are not counted, and the actual closure change ' +
  'depends on the package (what else it references, which outputs it uses).';

function markdown(files: readonly Measured<ClosureEstimate>[]): string[] {
  if (files.length === 0) return [];
  const out = [
    '## Estimated closure savings',
    '',
    "| file | what this package's closure loses: legacy toolkit parts no longer referenced (MB) | redist packages referenced | ≈ MB |",
    '|---|---|---|---:|',
  ];
  for (const { path, data: c } of files) {
    const parts = c.removed.map((r) => (r.mb === undefined ? `${r.part} (size unknown)` : `${r.part} (${formatMb(r.mb)})`)).join(', ');
    out.push(`| ${cell(code(path))} | ${cell(parts || '—')} | ${cell(c.kept.join(', ') || '—')} | ≈ ${formatMb(c.removedMb)} |`);
  }
  const run = runRemoved(files.map((f) => f.data));
  out.push(
    `| **the run (${plural(files.length, 'file')}): parts no longer referenced by any, each counted once** | ${cell(run.parts.join(', ') || '—')} | | **≈ ${formatMb(run.mb)}** |`,
    '',
  );
  out.push(ESTIMATE_NOTE, '', `Sizes: ${SIZE_SOURCE}.`, '');
  return out;
}

const STYLE = `
.estimate-badge { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; border: 1px dashed var(--muted); color: var(--muted); border-radius: 10px; padding: 0 6px; vertical-align: middle; }
#closure-total .closure-figure { font-size: 15px; margin: 4px 0; }
.closure { padding: 6px 12px; border-bottom: 1px solid var(--border); }
.closure details { display: inline; }
.closure summary { cursor: pointer; display: inline; color: var(--muted); }
.closure ul { margin: 4px 0; columns: 2 18em; font-family: var(--mono); font-size: 12px; }
`;

function html(files: readonly Measured<ClosureEstimate>[]): { style?: string; section?: string; files: Record<string, string> } {
  if (files.length === 0) return { files: {} };
  const run = runRemoved(files.map((f) => f.data));
  const figure =
    `≈ ${formatMb(run.mb)} MB of the legacy toolkit no longer referenced by any of the ${plural(files.length, 'migrated file')} ` +
    "(each part counted once; what each package's closure loses is shown with it).";
  const section = [
    '<section id="closure-total">',
    '<h2>Estimated closure savings <span class="estimate-badge">estimate</span></h2>',
    `<p class="closure-figure">${escapeHtml(figure)}</p>`,
    `<p class="note">${escapeHtml(ESTIMATE_NOTE).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`,
    `<p class="note">Sizes: ${escapeHtml(SIZE_SOURCE)}.</p>`,
    '</section>',
  ].join('\n');
  const blocks: Record<string, string> = {};
  for (const { path, data: c } of files) {
    const parts = c.removed.map((r) => `<li>${escapeHtml(r.part + (r.mb === undefined ? ' (size unknown)' : ` (${formatMb(r.mb)} MB)`))}</li>`).join('');
    blocks[path] =
      `<div class="closure" data-removed-mb="${c.removedMb}"><span class="estimate-badge">estimate</span> ` +
      `<strong>≈ ${formatMb(c.removedMb)} MB</strong>` +
      escapeHtml(` of the legacy toolkit no longer in this package's closure (${plural(c.removed.length, 'part')})`) +
      (c.kept.length ? escapeHtml(`; redist packages referenced: ${c.kept.join(', ')}`) : '') +
      `. <details><summary>parts</summary><ul>${parts}</ul></details></div>`;
  }
  return { style: STYLE, section, files: blocks };
}

export const closureReport: ReportExtension<ClosureEstimate> = {
  id: 'cuda-closure',
  measure: estimateClosure,
  markdown,
  html,
};
