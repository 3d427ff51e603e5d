/**
 * The HTML report in a real browser: headless Chromium (Debian package `chromium`) driven by
 * playwright-core, which downloads no browser. Without /usr/bin/chromium the browser tests are
 * skipped with a loud warning; under CI=true its absence is a failure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closureReport } from '../../../src/cuda/closure-report.js';
import { estimateClosure } from '../../../src/cuda/closure.js';
import { unifiedDiff } from '../../../src/diff/unified.js';
import { renderHtml } from '../../../src/report/html.js';
import type { ReportData } from '../../../src/report/model.js';
import { HAVE_CHROMIUM, launchChromium, requireChromium } from '../../helpers/browser.js';

const A_IN = `{ stdenv, cudatoolkit }:
stdenv.mkDerivation {
  pname = "a";
  buildInputs = [ cudatoolkit ];
}
`;
const A_OUT = `{ stdenv, cudaPackages }:
stdenv.mkDerivation {
  pname = "a";
  nativeBuildInputs = [ cudaPackages.cuda_nvcc ];
  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcublas ];
}
`;
const C_IN = "{ writeText, addOpenGLRunpath }:\nwriteText \"index.html\" ''\n  run </script><!-- me\n  ```sh\n  <script>x()</script>\n  ```\n''\n";
const C_OUT = C_IN.replace('addOpenGLRunpath', 'addDriverRunpath');
// a long file changed at the top only: line 20 is outside every hunk
const E_BODY = Array.from({ length: 20 }, (_, i) => `  x${i + 3} = ${i + 3};`).join('\n');
const E_IN = `{ cudatoolkit, symlinkJoin }:\n{\n${E_BODY}\n}\n`;
const E_OUT = `{ cudaPackages, symlinkJoin }:\n{\n${E_BODY}\n}\n`;

function sample(): ReportData {
  return {
    tool: { name: 'nixshift', version: '0.1.0' },
    generatedAt: '2025-01-02T03:04:05.000Z',
    command: 'nixshift run -t cudatoolkit-to-redist -t symlinkjoin-to-propagated -t driver-runpath-rename --report r.html pkgs/',
    transforms: ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated', 'driver-runpath-rename'],
    counts: { ok: 3, nochange: 7, skip: 90, error: 1 },
    files: [
      {
        path: 'pkgs/a/default.nix',
        status: 'ok',
        changedBy: ['cudatoolkit-to-redist'],
        findings: [
          { rule: 'cudatoolkit-to-redist/toolkit-libraries', severity: 'warning', message: 'kept every library of `cudatoolkit`', fix: 'list only the ones it links', line: 4, column: 3 },
          { rule: 'cudatoolkit-to-redist/version', severity: 'info', message: 'no version pinned', line: 1, column: 11 },
        ],
        diff: unifiedDiff('pkgs/a/default.nix', A_IN, A_OUT),
        measured: { 'cuda-closure': estimateClosure(A_IN, A_OUT) },
      },
      { path: 'pkgs/b/default.nix', status: 'error', changedBy: [], findings: [], error: '4:16: syntax error: missing "]"' },
      { path: 'pkgs/c/index.nix', status: 'ok', changedBy: ['driver-runpath-rename'], findings: [], diff: unifiedDiff('pkgs/c/index.nix', C_IN, C_OUT) },
      {
        path: 'pkgs/d/default.nix',
        status: 'nochange',
        changedBy: [],
        findings: [{ rule: 'symlinkjoin-to-propagated/build-root', severity: 'warning', message: 'join kept as a build root', line: 7, column: 5 }],
      },
      {
        path: 'pkgs/e/default.nix',
        status: 'ok',
        changedBy: ['cudatoolkit-to-redist', 'symlinkjoin-to-propagated'],
        findings: [{ rule: 'cudatoolkit-to-redist/unmapped-path', severity: 'error', message: 'path <not> mapped', line: 20, column: 9 }],
        diff: unifiedDiff('pkgs/e/default.nix', E_IN, E_OUT),
        measured: { 'cuda-closure': estimateClosure(E_IN, E_OUT) },
      },
    ],
    missing: ['pkgs/gone'],
    unreadable: [],
    written: false,
  };
}

describe('renderHtml (static)', () => {
  const html = renderHtml(sample(), [closureReport]);

  it('embeds the data as JSON that no diff can close', () => {
    const m = /<script type="application\/json" id="nixshift-data">([^<]*)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1]!)).toEqual(JSON.parse(JSON.stringify(sample())));
    expect(m![1]).toContain('run \\u003c/script>\\u003c!-- me');
    // the blocks report extensions show under each file: one HTML string per file, closed by nothing
    const b = /<script type="application\/json" id="nixshift-blocks">([^<]*)<\/script>/.exec(html);
    const blocks = JSON.parse(b![1]!) as string[];
    expect(blocks.map((x) => /^<div class="closure" data-removed-mb="([\d.]+)">/.exec(x)?.[1] ?? x)).toEqual(['2262.046', '', '', '', '2758.896']);
    // exactly the three scripts of the page: the data, the blocks, the code
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('loads nothing: no URL but data: in the page, a CSP forbids the rest', () => {
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"`);
    expect(html.match(/\b(?:src|href)=["'](?!data:)[^"']*/g)).toBeNull();
    expect(html).not.toMatch(/https?:\/\//);
  });
});

const pageErrors: string[] = [];
const requests: string[] = [];
let browser: Browser | undefined;
let page: Page;
let dir: string;
let fileUrl: string;

describe('renderHtml in headless Chromium', { timeout: 60_000 }, () => {
  it('has Chromium (required under CI)', () => {
    requireChromium('the HTML report');
  });

  describe.skipIf(!HAVE_CHROMIUM)('page', { timeout: 60_000 }, () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nixshift-html-'));
      const file = join(dir, 'report.html');
      writeFileSync(file, renderHtml(sample(), [closureReport]));
      fileUrl = pathToFileURL(file).href;
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
      await page.goto(fileUrl, { waitUntil: 'load' });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const visible = () => page.$$eval('section.file', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-path')));
    const count = () => page.textContent('#shown-count');

    it('opens from file:// without any other request and without errors', () => {
      expect(requests.length).toBeGreaterThan(0);
      for (const url of requests) expect(url === fileUrl || url.startsWith('data:'), url).toBe(true);
      expect(pageErrors).toEqual([]);
    });

    it('shows the summary, every file and its status', async () => {
      expect(await page.$$eval('section.file', (els) => els.map((e) => [e.getAttribute('data-path'), e.getAttribute('data-status')]))).toEqual([
        ['pkgs/a/default.nix', 'ok'],
        ['pkgs/b/default.nix', 'error'],
        ['pkgs/c/index.nix', 'ok'],
        ['pkgs/d/default.nix', 'nochange'],
        ['pkgs/e/default.nix', 'ok'],
      ]);
      expect(await visible()).toHaveLength(5);
      expect(await count()).toBe('5 of 5 files shown');
      const stat = (k: string) => page.textContent(`.stat[data-stat="${k}"]`);
      expect(await stat('files')).toBe('101total');
      expect(await stat('ok')).toBe('3ok');
      expect(await stat('error')).toBe('1error');
      expect(await stat('sev-warning')).toBe('2warnings');
      expect(await stat('sev-error')).toBe('1error');
      expect(await stat('missing')).toBe('1missing or unreadable');
      expect(await page.textContent('#missing li')).toBe('pkgs/gone: no such file or directory');
      expect(await page.textContent('section[data-path="pkgs/b/default.nix"] .error-msg')).toBe('error: 4:16: syntax error: missing "]"');
    });

    it('shows the closure estimate per file and in total, marked as an estimate', async () => {
      // the toolkit is one store path both packages shared: e's parts that a still references are not freed
      expect(await page.textContent('#closure-total .closure-figure')).toBe(
        "≈ 2,262 MB of the legacy toolkit no longer referenced by any of the 2 migrated files (each part counted once; what each package's closure loses is shown with it).",
      );
      expect(await page.textContent('#closure-total')).toContain('These are estimates, not measurements');
      expect(await page.isVisible('#closure-total')).toBe(true);
      const a = 'section[data-path="pkgs/a/default.nix"] .closure';
      expect(await page.textContent(`${a} strong`)).toBe('≈ 2,262 MB');
      expect(await page.textContent(`${a} .estimate-badge`)).toBe('estimate');
      expect(await page.textContent(`${a}`)).toContain('redist packages referenced: cuda_cudart, libcublas, cuda_nvcc');
      // the file with nothing kept drops every sized part
      expect(await page.textContent('section[data-path="pkgs/e/default.nix"] .closure strong')).toBe('≈ 2,759 MB');
    });

    it('filters by transform, status, severity and path, and counts', async () => {
      const cases: [string, string, string, string[]][] = [
        ['#filter-transform', 'cudatoolkit-to-redist', '2 of 5 files shown', ['pkgs/a/default.nix', 'pkgs/e/default.nix']],
        // changed by it (e) or with findings of it (d)
        ['#filter-transform', 'symlinkjoin-to-propagated', '2 of 5 files shown', ['pkgs/d/default.nix', 'pkgs/e/default.nix']],
        ['#filter-transform', 'driver-runpath-rename', '1 of 5 files shown', ['pkgs/c/index.nix']],
      ];
      for (const [sel, value, n, paths] of cases) {
        await page.selectOption(sel, value);
        expect(await visible(), value).toEqual(paths);
        expect(await count()).toBe(n);
      }
      await page.selectOption('#filter-transform', '');
      await page.selectOption('#filter-status', 'error');
      expect(await visible()).toEqual(['pkgs/b/default.nix']);
      expect(await count()).toBe('1 of 5 files shown');
      await page.selectOption('#filter-status', 'ok');
      expect(await visible()).toEqual(['pkgs/a/default.nix', 'pkgs/c/index.nix', 'pkgs/e/default.nix']);
      await page.selectOption('#filter-status', '');
      await page.selectOption('#filter-severity', 'warning');
      expect(await visible()).toEqual(['pkgs/a/default.nix', 'pkgs/d/default.nix']);
      expect(await count()).toBe('2 of 5 files shown');
      await page.selectOption('#filter-severity', 'error');
      expect(await visible()).toEqual(['pkgs/e/default.nix']);
      // filters combine
      await page.selectOption('#filter-severity', 'warning');
      await page.selectOption('#filter-transform', 'symlinkjoin-to-propagated');
      expect(await visible()).toEqual(['pkgs/d/default.nix']);
      await page.selectOption('#filter-status', 'ok');
      expect(await visible()).toEqual([]);
      expect(await count()).toBe('0 of 5 files shown');
      expect(await page.isVisible('#no-match')).toBe(true);
      await page.selectOption('#filter-status', '');
      await page.selectOption('#filter-transform', '');
      await page.selectOption('#filter-severity', '');
      await page.fill('#filter-path', 'pkgs/c');
      expect(await visible()).toEqual(['pkgs/c/index.nix']);
      await page.fill('#filter-path', '');
      expect(await count()).toBe('5 of 5 files shown');
      expect(await page.isVisible('#no-match')).toBe(false);
    });

    it('puts a finding right after the old-side line it concerns, others in the file list', async () => {
      const a = 'section[data-path="pkgs/a/default.nix"]';
      const ann = await page.$$eval(`${a} tr.annotation`, (rows) =>
        rows.map((r) => {
          const prev = r.previousElementSibling!;
          return [r.getAttribute('data-line'), r.getAttribute('data-rule'), prev.getAttribute('data-old'), prev.className, prev.querySelector('td.code')!.textContent, r.textContent];
        }),
      );
      expect(ann).toEqual([
        ['1', 'cudatoolkit-to-redist/version', '1', 'del', '-{ stdenv, cudatoolkit }:', 'ℹ infocudatoolkit-to-redist/versionno version pinned'],
        ['4', 'cudatoolkit-to-redist/toolkit-libraries', '4', 'del', '-  buildInputs = [ cudatoolkit ];', '⚠ warningcudatoolkit-to-redist/toolkit-librarieskept every library of cudatoolkitfix: list only the ones it links'],
      ]);
      // code spans of a message are code elements
      expect(await page.$$eval(`${a} tr.annotation .message code`, (c) => c.map((x) => x.textContent))).toEqual(['cudatoolkit']);
      expect(await page.isHidden(`${a} ul.findings-list`)).toBe(true);
      // line 20 of e is in no hunk; d has no diff
      expect(await page.$$eval('section[data-path="pkgs/e/default.nix"] ul.findings-list li', (l) => l.map((x) => [x.getAttribute('data-line'), x.textContent]))).toEqual([
        ['20', 'line 20:9✖ errorcudatoolkit-to-redist/unmapped-pathpath <not> mapped'],
      ]);
      expect(await page.$$eval('section[data-path="pkgs/e/default.nix"] tr.annotation', (l) => l.length)).toBe(0);
      expect(await page.$$eval('section[data-path="pkgs/d/default.nix"] ul.findings-list li', (l) => l.map((x) => x.getAttribute('data-line')))).toEqual(['7']);
    });

    it('keeps a diff with </script> and <!-- as text', async () => {
      const c = 'section[data-path="pkgs/c/index.nix"]';
      const code = await page.$$eval(`${c} tr:is(.ctx, .del, .add) td.code`, (tds) => tds.map((t) => t.textContent));
      expect(code).toEqual(['-{ writeText, addOpenGLRunpath }:', '+{ writeText, addDriverRunpath }:', ' writeText "index.html" \'\'', '   run </script><!-- me', '   ```sh']);
      expect(await page.$$eval('script', (s) => s.length)).toBe(3);
      expect(await page.$$eval(`${c} script`, (s) => s.length)).toBe(0);
    });

    it('switches between unified and side-by-side diffs', async () => {
      const a = 'section[data-path="pkgs/a/default.nix"]';
      expect(await page.$$eval('table.diff.unified', (t) => t.length)).toBe(3);
      await page.check('#view-split');
      expect(await page.getAttribute('body', 'data-view')).toBe('split');
      expect(await page.$$eval('table.diff.unified', (t) => t.length)).toBe(0);
      expect(await page.$$eval('table.diff.split', (t) => t.length)).toBe(3);
      // the first change: old line 1 and new line 1 side by side, in two code columns
      const row = await page.$eval(`${a} table.split tr[data-old="1"]`, (r) => [...r.children].map((td) => [td.className, td.textContent]));
      expect(row).toEqual([
        ['ln old del', '1'],
        ['code del', '{ stdenv, cudatoolkit }:'],
        ['ln new add', '1'],
        ['code add', '{ stdenv, cudaPackages }:'],
      ]);
      // a deleted line paired with the first added line; the second added line has no old side
      expect(await page.$eval(`${a} table.split tr[data-new="5"]`, (r) => [...r.children].map((td) => td.textContent))).toEqual([
        '', '', '5', '  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcublas ];',
      ]);
      // the two code columns are side by side on screen
      const boxes = await page.$$eval(`${a} table.split tr[data-old="1"] td.code`, (tds) => tds.map((td) => td.getBoundingClientRect().left));
      expect(boxes[1]!).toBeGreaterThan(boxes[0]! + 300);
      // annotations follow the old line in this view too
      expect(await page.$$eval(`${a} tr.annotation`, (rows) => rows.map((r) => [r.getAttribute('data-line'), r.previousElementSibling!.getAttribute('data-old')]))).toEqual([
        ['1', '1'],
        ['4', '4'],
      ]);
      await page.check('#view-unified');
      expect(await page.$$eval('table.diff.unified', (t) => t.length)).toBe(3);
      expect(await page.$$eval('table.diff.split', (t) => t.length)).toBe(0);
    });

    it('takes a screenshot', async () => {
      const out = process.env.NIXSHIFT_SCREENSHOT_DIR ?? tmpdir();
      mkdirSync(out, { recursive: true });
      const png = join(out, 'nixshift-report.png');
      await page.check('#view-split');
      await page.screenshot({ path: png, fullPage: true });
      await page.check('#view-unified');
      expect(statSync(png).size).toBeGreaterThan(10_000);
      expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(pageErrors).toEqual([]);
    });
  });
});
