/**
 * The HTML report (`nixshift run --report <file>.html`): one self-contained page, inline CSS and
 * JavaScript, no external resource of any kind (a Content-Security-Policy forbids them), so it can
 * be opened from file:// or attached to a CI run. The data is embedded as JSON
 * (`<script type="application/json" id="nixshift-data">`, the ReportData as is, `<` written
 * `\u003c` so no diff can close the script) and rendered by the vanilla script below: summary,
 * filters (transform, status, severity, path), unified or side-by-side diffs with the findings
 * under the lines they concern, and what the transforms' report extensions add (the CUDA closure
 * estimate): their sections in the header, their blocks under each file's heading
 * (`<script type="application/json" id="nixshift-blocks">`, one HTML string per file of the data).
 *
 * Hooks for tests and scripts: each file is a `section.file[data-path][data-status]`; the filters
 * are `#filter-transform`, `#filter-status`, `#filter-severity`, `#filter-path`; the view radios
 * `#view-unified`, `#view-split`; `#shown-count` reads "N of M files shown"; finding annotations
 * are `tr.annotation[data-line][data-rule]` right after the diff row of that original line.
 */
import type { ReportExtension } from '../transform.js';
import { escapeHtml as esc } from './markup.js';
import { measuredBy, type ReportData } from './model.js';

export function renderHtml(data: ReportData, extensions: readonly ReportExtension[] = []): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const parts = extensions.map((e) => e.html(measuredBy(data.files, e.id)));
  const blocks = JSON.stringify(data.files.map((f) => parts.map((p) => p.files[f.path] ?? '').join(''))).replace(/</g, '\\u003c');
  const style = parts.map((p) => p.style ?? '').join('');
  const sections = parts.flatMap((p) => (p.section ? [`${p.section}\n`] : [])).join('');
  const title = `nixshift report: ${data.command}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${esc(`${data.tool.name} ${data.tool.version}`)}">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}${style}</style>
</head>
<body data-view="unified">
<header id="top">
<h1>nixshift report</h1>
<p class="meta">${esc(data.tool.name)} ${esc(data.tool.version)} · ${esc(data.generatedAt)} · ${data.written ? 'changed files were written' : 'nothing was written'}</p>
<pre class="command">${esc(data.command)}</pre>
<div id="summary"><div class="stats" id="file-stats"><span class="stats-label">files</span></div><div class="stats" id="finding-stats"><span class="stats-label">findings</span></div></div>
${sections}<section id="missing" hidden><h2>Missing or unreadable paths</h2><ul></ul></section>
</header>
<noscript><p class="noscript">This report is drawn by JavaScript, which is disabled. The Markdown report (<code>--report report.md</code>) needs none.</p></noscript>
<form id="filters" autocomplete="off">
<label>Transform <select id="filter-transform" name="transform"><option value="">all</option></select></label>
<label>Status <select id="filter-status" name="status"><option value="">all</option></select></label>
<label>Severity <select id="filter-severity" name="severity"><option value="">any</option></select></label>
<label>Path <input id="filter-path" name="path" type="search" placeholder="substring"></label>
<span class="view" role="radiogroup" aria-label="Diff view">
<label><input type="radio" id="view-unified" name="view" value="unified" checked> unified</label>
<label><input type="radio" id="view-split" name="view" value="split"> side by side</label>
</span>
<p id="shown-count" aria-live="polite"></p>
</form>
<main id="files"></main>
<p id="no-match" hidden>No file matches the filters.</p>
<script type="application/json" id="nixshift-data">${json}</script>
<script type="application/json" id="nixshift-blocks">${blocks}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}


const CSS = `
:root {
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa;
  --add-bg: #dafbe1; --add-fg: #116329; --del-bg: #ffebe9; --del-fg: #a40e26; --hunk-bg: #ddf4ff; --hunk-fg: #0550ae;
  --err: #cf222e; --warn: #9a6700; --info: #0969da; --ok: #1a7f37; --ann-bg: #fff8c5;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #3d444d; --panel: #151b23;
    --add-bg: #12361f; --add-fg: #7ee787; --del-bg: #3c1618; --del-fg: #ffa198; --hunk-bg: #102a46; --hunk-fg: #79c0ff;
    --err: #f85149; --warn: #d29922; --info: #4493f8; --ok: #3fb950; --ann-bg: #2e2a14;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header#top { padding: 16px 24px 8px; border-bottom: 1px solid var(--border); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { font-size: 16px; margin: 12px 0 6px; }
.meta, .note { color: var(--muted); margin: 2px 0; }
pre, code, .path { font-family: var(--mono); }
pre.command { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 6px 10px; margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.stats { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; margin: 8px 0; }
.stats-label { width: 5.5em; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stat { border: 1px solid var(--border); border-radius: 6px; padding: 2px 10px; background: var(--panel); }
.stat .n { font-weight: 600; font-size: 16px; margin-right: 4px; }
.stat[data-stat="error"] .n, .stat[data-stat="sev-error"] .n { color: var(--err); }
.stat[data-stat="sev-warning"] .n { color: var(--warn); }
.stat[data-stat="ok"] .n { color: var(--ok); }
.stat.zero .n { color: var(--muted) !important; font-weight: 400; }
.stats-label { line-height: 1; }
#missing li { font-family: var(--mono); }
form#filters { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 8px 24px; background: var(--bg); border-bottom: 1px solid var(--border); }
form#filters select, form#filters input[type=search] { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 2px 6px; }
form#filters .view { display: inline-flex; gap: 10px; }
#shown-count { margin: 0 0 0 auto; color: var(--muted); }
main#files { padding: 8px 24px 24px; }
#no-match { padding: 0 24px; color: var(--muted); }
section.file { border: 1px solid var(--border); border-radius: 6px; margin: 14px 0; overflow: hidden; }
.file-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 8px 12px; background: var(--panel); border-bottom: 1px solid var(--border); }
.file-head h2 { margin: 0; font-size: 14px; }
.badge { font-size: 12px; border-radius: 10px; padding: 0 8px; border: 1px solid currentColor; }
.status-ok { color: var(--ok); } .status-error { color: var(--err); } .status-nochange, .status-skip { color: var(--muted); }
.chip { font-family: var(--mono); font-size: 12px; border-radius: 4px; padding: 0 6px; background: var(--hunk-bg); color: var(--hunk-fg); }
.sev-count { font-size: 12px; font-weight: 600; }
.sev-error { color: var(--err); } .sev-warning { color: var(--warn); } .sev-info { color: var(--info); }
.error-msg { margin: 0; padding: 8px 12px; color: var(--err); white-space: pre-wrap; overflow-wrap: anywhere; }
.diff-wrap { overflow-x: auto; }
table.diff { width: 100%; border-collapse: collapse; table-layout: fixed; font-family: var(--mono); font-size: 12.5px; }
table.diff col.ln { width: 4.5em; }
table.diff td { padding: 0 8px; vertical-align: top; }
table.diff td.ln { text-align: right; color: var(--muted); user-select: none; }
table.diff td.code { white-space: pre-wrap; overflow-wrap: anywhere; }
table.diff td.code .sign { user-select: none; color: var(--muted); display: inline-block; width: 1.2em; }
table.diff tr.hunk td { background: var(--hunk-bg); color: var(--hunk-fg); padding: 2px 8px; }
table.diff tr.meta td.code, table.diff td.meta { color: var(--muted); font-style: italic; }
table.diff tr.del td, table.diff td.del { background: var(--del-bg); }
table.diff tr.add td, table.diff td.add { background: var(--add-bg); }
table.diff tr.del td.code, table.diff td.code.del { color: var(--del-fg); }
table.diff tr.add td.code, table.diff td.code.add { color: var(--add-fg); }
table.diff td.empty { background: var(--panel); }
table.split td.ln.new { border-left: 1px solid var(--border); }
.cr { color: var(--muted); opacity: .6; }
tr.annotation td { background: var(--ann-bg); padding: 4px 12px 4px 4.5em; font-family: system-ui, sans-serif; font-size: 13px; white-space: normal; border-top: 1px solid var(--border); border-bottom: 1px solid var(--border); }
.finding { border-left: 3px solid var(--info); padding-left: 8px; }
.finding-error { border-left-color: var(--err); } .finding-warning { border-left-color: var(--warn); }
.finding .sev { font-weight: 600; margin-right: 6px; }
.finding code.rule { font-size: 12px; color: var(--muted); margin-right: 6px; }
.finding .fix { color: var(--muted); margin-top: 2px; }
.finding .message code, .finding .fix code { font-size: 12px; background: var(--panel); border-radius: 4px; padding: 0 3px; }
ul.findings-list { list-style: none; margin: 0; padding: 6px 12px; }
ul.findings-list li { padding: 3px 0; display: flex; align-items: baseline; gap: 8px; }
ul.findings-list .line { font-family: var(--mono); font-size: 12px; color: var(--muted); flex: 0 0 6.5em; text-align: right; }
ul.findings-list .finding { flex: 1; }
.nodiff { padding: 6px 12px; color: var(--muted); margin: 0; }
.noscript { padding: 12px 24px; }
`;

// Plain ES2020, no template literals (this is itself inside one): built with DOM calls and
// textContent only, so nothing from the data is ever parsed as HTML.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('nixshift-data').textContent);
  var blocks = JSON.parse(document.getElementById('nixshift-blocks').textContent);
  var STATUSES = ['ok', 'nochange', 'skip', 'error'];
  var SEVERITIES = ['error', 'warning', 'info'];
  var SEV_MARK = { error: '\u2716', warning: '\u26A0', info: '\u2139' };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k] === true ? '' : String(attrs[k]));
    }
    if (children) for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function ruleTransform(rule) {
    var best = null;
    data.transforms.forEach(function (t) {
      if (rule.indexOf(t + '/') === 0 && (best === null || t.length > best.length)) best = t;
    });
    if (best !== null) return best;
    var slash = rule.lastIndexOf('/');
    return slash > 0 ? rule.slice(0, slash) : rule;
  }

  // ---- what each file is, for the filters
  var files = data.files.map(function (f, index) {
    var transforms = {};
    f.changedBy.forEach(function (t) { transforms[t] = true; });
    var severities = {};
    f.findings.forEach(function (x) { transforms[ruleTransform(x.rule)] = true; severities[x.severity] = true; });
    return { file: f, index: index, transforms: transforms, severities: severities, section: null, diffWrap: null };
  });
  var allTransforms = data.transforms.slice();
  files.forEach(function (x) {
    Object.keys(x.transforms).sort().forEach(function (t) { if (allTransforms.indexOf(t) < 0) allTransforms.push(t); });
  });

  // ---- header: counts, missing paths
  var findingsBySeverity = { error: 0, warning: 0, info: 0 };
  data.files.forEach(function (f) { f.findings.forEach(function (x) { findingsBySeverity[x.severity] += 1; }); });
  var totalFiles = STATUSES.reduce(function (s, k) { return s + (data.counts[k] || 0); }, 0);
  function stat(key, n, label) {
    var summary = document.getElementById(key.indexOf('sev-') === 0 ? 'finding-stats' : 'file-stats');
    summary.appendChild(el('div', { class: 'stat' + (n === 0 ? ' zero' : ''), 'data-stat': key }, [el('span', { class: 'n', text: String(n) }), label]));
  }
  stat('files', totalFiles, 'total');
  STATUSES.forEach(function (s) { stat(s, data.counts[s] || 0, s); });
  SEVERITIES.forEach(function (s) { stat('sev-' + s, findingsBySeverity[s], s === 'info' || findingsBySeverity[s] === 1 ? s : s + 's'); });
  if (data.missing.length + data.unreadable.length > 0) stat('missing', data.missing.length + data.unreadable.length, 'missing or unreadable');

  if (data.missing.length + data.unreadable.length > 0) {
    var ms = document.getElementById('missing');
    var ul = ms.querySelector('ul');
    data.missing.forEach(function (p) { ul.appendChild(el('li', { 'data-path': p }, [p + ': no such file or directory'])); });
    data.unreadable.forEach(function (u) { ul.appendChild(el('li', { 'data-path': u.path }, [u.path + ': cannot read: ' + u.reason])); });
    ms.hidden = false;
  }

  // ---- filter controls
  var fTransform = document.getElementById('filter-transform');
  var fStatus = document.getElementById('filter-status');
  var fSeverity = document.getElementById('filter-severity');
  var fPath = document.getElementById('filter-path');
  allTransforms.forEach(function (t) {
    var n = files.filter(function (x) { return x.transforms[t]; }).length;
    fTransform.appendChild(el('option', { value: t, text: t + ' (' + n + ')' }));
  });
  STATUSES.forEach(function (s) {
    var n = files.filter(function (x) { return x.file.status === s; }).length;
    fStatus.appendChild(el('option', { value: s, text: s + ' (' + n + ')' }));
  });
  SEVERITIES.forEach(function (s) {
    var n = files.filter(function (x) { return x.severities[s]; }).length;
    fSeverity.appendChild(el('option', { value: s, text: s + ' (' + n + ')' }));
  });

  // ---- diffs
  function parseDiff(text) {
    var lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    var hunks = [];
    var h = null, o = 0, n = 0;
    lines.forEach(function (line) {
      if (h === null && (line.indexOf('--- ') === 0 || line.indexOf('+++ ') === 0)) return;
      var m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (m) { h = { header: line, rows: [] }; hunks.push(h); o = Number(m[1]); n = Number(m[2]); return; }
      if (h === null) return;
      var c = line.charAt(0), t = line.slice(1);
      if (c === ' ') h.rows.push({ kind: 'ctx', old: o++, nw: n++, text: t });
      else if (c === '-') h.rows.push({ kind: 'del', old: o++, text: t });
      else if (c === '+') h.rows.push({ kind: 'add', nw: n++, text: t });
      else if (c === '\\') h.rows.push({ kind: 'meta', text: line });
    });
    return hunks;
  }

  function codeCell(kind, text, sign) {
    var td = el('td', { class: 'code' + (kind ? ' ' + kind : '') });
    if (sign !== null) td.appendChild(el('span', { class: 'sign', text: sign }));
    if (text.charAt(text.length - 1) === '\r') {
      td.appendChild(document.createTextNode(text.slice(0, -1)));
      td.appendChild(el('span', { class: 'cr', title: 'carriage return', text: '\u240D' }));
    } else td.appendChild(document.createTextNode(text));
    return td;
  }

  // a message's code spans (text between backticks) as code elements; the rest as text
  function richText(cls, text) {
    var span = el('span', { class: cls });
    text.split(/(\x60[^\x60\n]+\x60)/).forEach(function (part, i) {
      span.appendChild(i % 2 === 1 ? el('code', { text: part.slice(1, -1) }) : document.createTextNode(part));
    });
    return span;
  }

  function findingBlock(x) {
    return el('div', { class: 'finding finding-' + x.severity }, [
      el('span', { class: 'sev sev-' + x.severity, text: SEV_MARK[x.severity] + ' ' + x.severity }),
      el('code', { class: 'rule', text: x.rule }),
      richText('message', x.message),
      x.fix ? el('div', { class: 'fix' }, ['fix: ', richText('', x.fix)]) : null,
    ]);
  }

  function annotationRows(byLine, line, placed, colspan) {
    return (byLine[line] || []).map(function (x) {
      placed.push(x);
      return el('tr', { class: 'annotation', 'data-line': line, 'data-rule': x.rule }, [
        el('td', { colspan: colspan }, [findingBlock(x)]),
      ]);
    });
  }

  function unifiedTable(hunks, byLine, placed) {
    var table = el('table', { class: 'diff unified' }, [
      el('colgroup', null, [el('col', { class: 'ln' }), el('col', { class: 'ln' }), el('col')]),
    ]);
    var body = el('tbody');
    table.appendChild(body);
    hunks.forEach(function (h) {
      body.appendChild(el('tr', { class: 'hunk' }, [el('td', { colspan: 3, text: h.header })]));
      h.rows.forEach(function (r) {
        if (r.kind === 'meta') {
          body.appendChild(el('tr', { class: 'meta' }, [el('td', { class: 'ln' }), el('td', { class: 'ln' }), codeCell('meta', r.text, null)]));
          return;
        }
        var sign = r.kind === 'add' ? '+' : r.kind === 'del' ? '-' : ' ';
        body.appendChild(el('tr', { class: r.kind, 'data-old': r.old, 'data-new': r.nw }, [
          el('td', { class: 'ln', text: r.old === undefined ? '' : String(r.old) }),
          el('td', { class: 'ln', text: r.nw === undefined ? '' : String(r.nw) }),
          codeCell(null, r.text, sign),
        ]));
        if (r.old !== undefined) annotationRows(byLine, r.old, placed, 3).forEach(function (a) { body.appendChild(a); });
      });
    });
    return table;
  }

  function splitTable(hunks, byLine, placed) {
    var table = el('table', { class: 'diff split' }, [
      el('colgroup', null, [el('col', { class: 'ln' }), el('col'), el('col', { class: 'ln' }), el('col')]),
    ]);
    var body = el('tbody');
    table.appendChild(body);
    function half(r, side) {
      if (!r) return [el('td', { class: 'ln empty' + (side === 'new' ? ' new' : '') }), el('td', { class: 'code empty' })];
      var no = side === 'old' ? r.old : r.nw;
      var kind = r.kind === 'ctx' ? null : r.kind;
      return [el('td', { class: 'ln ' + side + (kind ? ' ' + kind : ''), text: String(no) }), codeCell(kind, r.text, null)];
    }
    hunks.forEach(function (h) {
      body.appendChild(el('tr', { class: 'hunk' }, [el('td', { colspan: 4, text: h.header })]));
      var rows = h.rows, i = 0;
      while (i < rows.length) {
        var r = rows[i];
        var pairs = [];
        if (r.kind === 'meta') {
          body.appendChild(el('tr', { class: 'meta' }, [el('td', { class: 'ln' }), el('td', { class: 'code meta', colspan: 3, text: r.text })]));
          i += 1;
          continue;
        }
        if (r.kind === 'ctx') { pairs.push([r, r]); i += 1; }
        else {
          var dels = [], adds = [];
          while (i < rows.length && rows[i].kind === 'del') dels.push(rows[i++]);
          while (i < rows.length && rows[i].kind === 'add') adds.push(rows[i++]);
          for (var k = 0; k < Math.max(dels.length, adds.length); k++) pairs.push([dels[k] || null, adds[k] || null]);
        }
        pairs.forEach(function (p) {
          var left = p[0], right = p[1];
          body.appendChild(el('tr', {
            class: left && right && left === right ? 'ctx' : 'change',
            'data-old': left ? left.old : undefined,
            'data-new': right ? right.nw : undefined,
          }, half(left, 'old').concat(half(right, 'new'))));
          if (left) annotationRows(byLine, left.old, placed, 4).forEach(function (a) { body.appendChild(a); });
        });
      }
    });
    return table;
  }

  // Draw one file's diff and the findings that have no line in it.
  function drawDiff(x, view) {
    var f = x.file;
    var byLine = {};
    f.findings.forEach(function (g) { (byLine[g.line] = byLine[g.line] || []).push(g); });
    Object.keys(byLine).forEach(function (k) { byLine[k].sort(function (a, b) { return a.column - b.column; }); });
    var placed = [];
    x.diffWrap.textContent = '';
    if (f.diff) {
      var hunks = parseDiff(f.diff);
      x.diffWrap.appendChild(view === 'split' ? splitTable(hunks, byLine, placed) : unifiedTable(hunks, byLine, placed));
    }
    var rest = f.findings.filter(function (g) { return placed.indexOf(g) < 0; })
      .sort(function (a, b) { return a.line - b.line || a.column - b.column; });
    x.restList.textContent = '';
    x.restList.hidden = rest.length === 0;
    rest.forEach(function (g) {
      x.restList.appendChild(el('li', { 'data-line': g.line, 'data-rule': g.rule }, [
        el('span', { class: 'line', text: 'line ' + g.line + ':' + g.column }), findingBlock(g),
      ]));
    });
  }

  // what report extensions show under a file's heading (HTML they escaped; see renderHtml)
  function extensionBlock(index) {
    if (!blocks[index]) return null;
    var t = document.createElement('template');
    t.innerHTML = blocks[index];
    return t.content;
  }

  var main = document.getElementById('files');
  files.forEach(function (x) {
    var f = x.file;
    var counts = {};
    f.findings.forEach(function (g) { counts[g.severity] = (counts[g.severity] || 0) + 1; });
    var head = el('div', { class: 'file-head' }, [
      el('h2', null, [el('span', { class: 'path', text: f.path })]),
      el('span', { class: 'badge status-' + f.status, text: f.status }),
    ].concat(f.changedBy.map(function (t) { return el('span', { class: 'chip', title: 'changed by', text: t }); }))
     .concat(SEVERITIES.filter(function (s) { return counts[s]; }).map(function (s) {
       return el('span', { class: 'sev-count sev-' + s, text: s === 'info' ? counts[s] + ' info' : plural(counts[s], s) });
     })));
    x.diffWrap = el('div', { class: 'diff-wrap' });
    x.restList = el('ul', { class: 'findings-list' });
    x.section = el('section', {
      class: 'file', id: 'file-' + x.index, 'data-path': f.path, 'data-status': f.status,
      'data-transforms': Object.keys(x.transforms).join(' '), 'data-severities': Object.keys(x.severities).join(' '),
    }, [
      head,
      extensionBlock(x.index),
      f.status === 'error' ? el('pre', { class: 'error-msg', text: 'error: ' + (f.error || 'unknown error') }) : null,
      x.diffWrap,
      !f.diff && f.status !== 'error' ? el('p', { class: 'nodiff', text: 'No change.' }) : null,
      x.restList,
    ]);
    drawDiff(x, 'unified');
    main.appendChild(x.section);
  });

  // ---- behaviour
  var shown = document.getElementById('shown-count');
  function applyFilters() {
    var t = fTransform.value, s = fStatus.value, v = fSeverity.value, p = fPath.value.trim().toLowerCase();
    var n = 0;
    files.forEach(function (x) {
      var ok = (!t || x.transforms[t]) && (!s || x.file.status === s) && (!v || x.severities[v]) &&
        (!p || x.file.path.toLowerCase().indexOf(p) >= 0);
      x.section.hidden = !ok;
      if (ok) n += 1;
    });
    shown.textContent = n + ' of ' + files.length + ' files shown';
    document.getElementById('no-match').hidden = n > 0 || files.length === 0;
  }
  function setView(view) {
    document.body.setAttribute('data-view', view);
    files.forEach(function (x) { drawDiff(x, view); });
  }
  [fTransform, fStatus, fSeverity].forEach(function (c) { c.addEventListener('change', applyFilters); });
  fPath.addEventListener('input', applyFilters);
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  document.querySelectorAll('input[name=view]').forEach(function (r) {
    r.addEventListener('change', function () { if (r.checked) setView(r.value); });
  });
  applyFilters();
})();
`;
