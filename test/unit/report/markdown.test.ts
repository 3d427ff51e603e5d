import { describe, expect, it } from 'vitest';
import { estimateClosure, formatMb, LEGACY_TOOLKIT_PARTS } from '../../../src/cuda/closure.js';
import { withoutComments } from '../../../src/nix/comments.js';
import { unifiedDiff } from '../../../src/diff/unified.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { ReportData } from '../../../src/report/model.js';

const FOO_IN = `{ stdenv, cudatoolkit }:
stdenv.mkDerivation {
  pname = "foo";
  buildInputs = [ cudatoolkit ];
}
`;
const FOO_OUT = `{ stdenv, cudaPackages }:
stdenv.mkDerivation {
  pname = "foo";
  nativeBuildInputs = [ cudaPackages.cuda_nvcc ];
  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcublas ];
}
`;

/** Every sized legacy part except cuda_nvcc, cuda_cudart and libcublas, largest first. */
const REMOVED_FOO = [
  { part: 'nsight_compute', mb: 572 },
  { part: 'libcufft', mb: 486 },
  { part: 'libcusparse', mb: 213 },
  { part: 'nsight_systems', mb: 210 },
  { part: 'libnpp', mb: 176 },
  { part: 'libcusolver', mb: 121 },
  { part: 'cuda_nsight', mb: 113 },
  { part: 'cuda_nvvp', mb: 109 },
  { part: 'libcurand', mb: 78 },
  { part: 'cuda_nvdisasm', mb: 47.6 },
  { part: 'cuda_gdb', mb: 42 },
  { part: 'cuda_nvrtc', mb: 32.5 },
  { part: 'libnvjitlink', mb: 27.8 },
  { part: 'cuda_cupti', mb: 19.8 },
  { part: 'cuda_sanitizer_api', mb: 7.9 },
  { part: 'libnvjpeg', mb: 2.5 },
  { part: 'cuda_nvprof', mb: 2.3 },
  { part: 'cuda_cccl', mb: 1.1 },
  { part: 'cuda_cuobjdump', mb: 0.2 },
  { part: 'cuda_nvml_dev', mb: 0.14 },
  { part: 'cuda_opencl', mb: 0.09 },
  { part: 'cuda_nvprune', mb: 0.05 },
  { part: 'cuda_nvtx', mb: 0.05 },
  { part: 'cuda_profiler_api', mb: 0.016 },
  { part: 'cuda_cuxxfilt' }, // no size in the table: listed, not counted
];

describe('estimateClosure', () => {
  it('lists the legacy parts the new text no longer names, with archive sizes', () => {
    expect(estimateClosure(FOO_IN, FOO_OUT)).toEqual({
      kept: ['cuda_cudart', 'libcublas', 'cuda_nvcc'],
      removed: REMOVED_FOO,
      // 572+486+213+210+176+121+113+109+78 + 47.6+42+32.5+27.8+19.8+7.9 + 2.5+2.3+1.1+0.2+0.14+0.09+0.05+0.05+0.016
      removedMb: 2262.046,
    });
  });

  it('knows the versioned toolkit names and counts only what the output drops', () => {
    const input = '{ cudatoolkit_11_8 }: { buildInputs = [ cudatoolkit_11_8 ]; }\n';
    const output = '{ cudaPackages_11_8 }: { buildInputs = with cudaPackages_11_8; [ libcublas (lib.getLib libcufft) ]; }\n';
    const e = estimateClosure(input, output)!;
    expect(e.kept).toEqual(['libcublas', 'libcufft']);
    expect(e.removed.map((r) => r.part)).not.toContain('libcublas');
    expect(e.removed.map((r) => r.part)).not.toContain('libcufft');
    expect(e.removed).toHaveLength(LEGACY_TOOLKIT_PARTS.length - 2);
    // all sized parts (2758.896) minus libcublas 447 and libcufft 486
    expect(e.removedMb).toBe(1825.896);
  });

  it('is undefined while the output still references the toolkit', () => {
    expect(estimateClosure(FOO_IN, FOO_OUT.replace('cudaPackages.libcublas', 'cudaPackages.cudatoolkit'))).toBeUndefined();
    expect(estimateClosure(FOO_IN, '{ cudatoolkit_12 }: "${cudatoolkit_12}/bin"\n')).toBeUndefined();
    expect(estimateClosure(FOO_IN, FOO_IN)).toBeUndefined();
  });

  it('counts a package whose passthru keeps the toolkit for compatibility: passthru enters no closure', () => {
    const out = FOO_OUT.replace('{ cudaPackages', '{ passthru.cudatoolkit = cudaPackages.cudatoolkit; } // { cudaPackages');
    expect(estimateClosure(FOO_IN, out)?.removedMb).toBe(estimateClosure(FOO_IN, FOO_OUT)?.removedMb);
    const inherited = '{ cudaPackages }:\n{\n  buildInputs = [ cudaPackages.cuda_cudart ];\n  passthru = {\n    cudatoolkit = cudaPackages.cudatoolkit;\n  };\n}\n';
    expect(estimateClosure('{ cudatoolkit }: { buildInputs = [ cudatoolkit ]; passthru = { inherit cudatoolkit; }; }\n', inherited)?.kept).toEqual(['cuda_cudart']);
  });

  it('counts the parts of a run once: the toolkit is one store path the packages shared', async () => {
    const { runRemoved } = await import('../../../src/cuda/closure.js');
    const a = estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', '{ cudaPackages }: [ cudaPackages.libcublas ]\n')!;
    const b = estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', '{ cudaPackages }: [ cudaPackages.libcufft ]\n')!;
    const run = runRemoved([a, b]);
    // neither cuBLAS nor cuFFT is freed: one of the packages still has each
    expect(run.parts).not.toContain('libcublas');
    expect(run.parts).not.toContain('libcufft');
    expect(run.mb).toBe(1825.896);
    expect(a.removedMb + b.removedMb).toBeGreaterThan(run.mb * 1.9);
  });

  it('is undefined without the toolkit in the input', () => {
    expect(estimateClosure(FOO_OUT, FOO_OUT)).toBeUndefined();
    // longer identifiers are other names
    expect(estimateClosure('{ mycudatoolkit, cudatoolkit-legacy-runfile }: [ mycudatoolkit ]\n', '{ }: [ ]\n')).toBeUndefined();
    // only in comments
    expect(estimateClosure('# was cudatoolkit\n{ x }: /* cudatoolkit */ x\n', '{ x }: x\n')).toBeUndefined();
  });

  it('gives call sites no estimate: the saving is counted once, in the package file', () => {
    const sites = '{ callPackage, cudaPackages }:\n{\n  a = callPackage ./a { cudatoolkit = cudaPackages.cudatoolkit; };\n  b = callPackage ./b { inherit (cudaPackages) cudatoolkit; };\n}\n';
    const after = '{ callPackage, cudaPackages }:\n{\n  a = callPackage ./a { inherit cudaPackages; };\n  b = callPackage ./b { inherit cudaPackages; };\n}\n';
    expect(estimateClosure(sites, after)).toBeUndefined();
    // a package file's own let alias and passthru are uses of its formal: it still counts
    const pkg = '{ cudatoolkit }:\nlet\n  cuda = cudatoolkit;\nin\n{ passthru.cudatoolkit = cudatoolkit; buildInputs = [ cuda ]; }\n';
    const pkgOut = '{ cudaPackages }:\n{ buildInputs = [ cudaPackages.cuda_cudart ]; }\n';
    expect(estimateClosure(pkg, pkgOut)?.kept).toEqual(['cuda_cudart']);
  });

  it('ignores comments but not strings', () => {
    // a `#` inside a string does not start a comment
    const input = '{ cudatoolkit }: { url = "https://example.org/#x"; buildInputs = [ cudatoolkit ]; }\n';
    const out = '{ cudaPackages }: { url = "https://example.org/#x"; buildInputs = [ cudaPackages.cuda_cudart ]; } # was cudatoolkit\n';
    expect(estimateClosure(input, out)?.kept).toEqual(['cuda_cudart']);
    // an interpolation in a string is code
    const still = '{ cudaPackages }: { cmakeFlags = [ "-DX=${cudaPackages.cudatoolkit}" ]; }\n';
    expect(estimateClosure(input, still)).toBeUndefined();
  });

  it('matches component names as whole identifiers', () => {
    const out = '{ cudaPackages }: [ cudaPackages.libcublas.lib (lib.getExe cudaPackages.cuda_nvcc) libcublasLt cuda_gdb-wrapper ]\n';
    expect(estimateClosure('{ cudatoolkit }: [ cudatoolkit ]\n', out)?.kept).toEqual(['libcublas', 'cuda_nvcc']);
  });

  it('withoutComments keeps strings, escapes and interpolations', () => {
    expect(withoutComments('a = "#x ${b # c\n} y"; # gone\n/* gone */ c = \'\'x\'\'${ #kept\n} \'\'; d')).toBe(
      'a = "#x ${b  \n} y";  \n  c = \'\'x\'\'${ #kept\n} \'\'; d',
    );
  });

  it('formatMb', () => {
    expect([2262.046, 1825.896, 12345, 48.8, 1.05, 0.016].map(formatMb)).toEqual(['2,262', '1,826', '12,345', '48.8', '1.1', '0.02']);
  });
});

const README_IN = "{ writeText, addOpenGLRunpath }:\nwriteText \"README.md\" ''\n  ```sh\n  run </script> me\n  ```\n''\n";
const README_OUT = README_IN.replace('addOpenGLRunpath', 'addDriverRunpath');

function sample(): ReportData {
  return {
    tool: { name: 'nixshift', version: '0.1.0' },
    generatedAt: '2025-01-02T03:04:05.000Z',
    command: 'nixshift run -t cudatoolkit-to-redist -t driver-runpath-rename pkgs/',
    transforms: ['cudatoolkit-to-redist', 'driver-runpath-rename'],
    counts: { ok: 2, nochange: 5, skip: 40, error: 1 },
    files: [
      {
        path: 'pkgs/a/default.nix',
        status: 'ok',
        changedBy: ['cudatoolkit-to-redist'],
        findings: [
          {
            rule: 'cudatoolkit-to-redist/toolkit-libraries',
            severity: 'warning',
            message: 'no evidence of which libraries `foo` needs; kept <all> of them',
            fix: 'list only the libraries it links',
            line: 4,
            column: 3,
          },
          { rule: 'cudatoolkit-to-redist/version', severity: 'info', message: 'no version pinned', line: 1, column: 11 },
        ],
        diff: unifiedDiff('pkgs/a/default.nix', FOO_IN, FOO_OUT),
        closure: estimateClosure(FOO_IN, FOO_OUT),
      },
      { path: 'pkgs/b/default.nix', status: 'error', changedBy: [], findings: [], error: '4:16: syntax error: missing "]"' },
      {
        path: 'pkgs/c/readme.nix',
        status: 'ok',
        changedBy: ['driver-runpath-rename'],
        findings: [],
        diff: unifiedDiff('pkgs/c/readme.nix', README_IN, README_OUT),
      },
    ],
    missing: ['pkgs/gone'],
    unreadable: [{ path: 'pkgs/locked', reason: 'EACCES' }],
    written: false,
  };
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(sample());

  it('starts with the title, the tool and the command', () => {
    expect(md.startsWith(`# nixshift report

Generated by nixshift 0.1.0 at 2025-01-02T03:04:05.000Z; nothing was written.

\`\`\`sh
nixshift run -t cudatoolkit-to-redist -t driver-runpath-rename pkgs/
\`\`\`

`)).toBe(true);
  });

  it('has the summary table by status', () => {
    expect(md).toContain(`## Summary

| status | files |
|---|---:|
| ok | 2 |
| nochange | 5 |
| skip | 40 |
| error | 1 |
| **total** | **48** |

2 findings (0 errors, 1 warning, 1 info); 2 paths missing or unreadable.
`);
  });

  it('has a row per transform: files changed, findings by severity', () => {
    expect(md).toContain(`## Transforms

| transform | files changed | errors | warnings | info |
|---|---:|---:|---:|---:|
| \`cudatoolkit-to-redist\` | 1 | 0 | 1 | 1 |
| \`driver-runpath-rename\` | 1 | 0 | 0 | 0 |
`);
  });

  it('has the closure estimate per file, a total and the estimate sentence', () => {
    const parts = REMOVED_FOO.map((r) => (r.mb === undefined ? `${r.part} (size unknown)` : `${r.part} (${formatMb(r.mb)})`)).join(', ');
    expect(md).toContain(`## Estimated closure savings

| file | what this package's closure loses: legacy toolkit parts no longer referenced (MB) | redist packages referenced | ≈ MB |
|---|---|---|---:|
| \`pkgs/a/default.nix\` | ${parts} | cuda_cudart, libcublas, cuda_nvcc | ≈ 2,262 |
| **the run (1 file): parts no longer referenced by any, each counted once** | ${REMOVED_FOO.map((r) => r.part).sort().join(', ')} | | **≈ 2,262** |

These are estimates, not measurements: each figure adds up the compressed archive sizes of one CUDA release (12.4.1, linux-x86_64) for the parts of the legacy \`cudatoolkit\` a package no longer references. Unpacked store paths are larger, parts without a known size are not counted, and the actual closure change depends on the package (what else it references, which outputs it uses).

Sizes: compressed .tar.xz archive sizes (linux-x86_64) from the CUDA 12.4.1 redist manifest redistrib_12.4.1.json; unpacked store paths are larger.
`);
    expect(parts).toContain('nsight_compute (572), libcufft (486), ');
    expect(parts).toContain('cuda_profiler_api (0.02), cuda_cuxxfilt (size unknown)');
  });

  it('lists every finding as path:line, in line order, with its fix', () => {
    expect(md).toContain(`## Findings

- \`pkgs/a/default.nix:1\` — **info** \`cudatoolkit-to-redist/version\`: no version pinned
- \`pkgs/a/default.nix:4\` — **warning** \`cudatoolkit-to-redist/toolkit-libraries\`: no evidence of which libraries \`foo\` needs; kept &lt;all> of them
  - fix: list only the libraries it links
`);
  });

  it('lists errors, missing and unreadable paths', () => {
    expect(md).toContain(`## Errors

- \`pkgs/b/default.nix\`: 4:16: syntax error: missing "]"
- \`pkgs/gone\`: no such file or directory
- \`pkgs/locked\`: cannot read: EACCES
`);
  });

  it('puts each diff in a collapsible fenced block, longer fence when the diff has backticks', () => {
    expect(md).toContain(`<details>
<summary><code>pkgs/a/default.nix</code>: cudatoolkit-to-redist</summary>

\`\`\`diff
--- a/pkgs/a/default.nix
+++ b/pkgs/a/default.nix
@@ -1,5 +1,6 @@
-{ stdenv, cudatoolkit }:
+{ stdenv, cudaPackages }:
 stdenv.mkDerivation {
   pname = "foo";
-  buildInputs = [ cudatoolkit ];
+  nativeBuildInputs = [ cudaPackages.cuda_nvcc ];
+  buildInputs = [ cudaPackages.cuda_cudart cudaPackages.libcublas ];
 }
\`\`\`

</details>
`);
    expect(md.endsWith(`<details>
<summary><code>pkgs/c/readme.nix</code>: driver-runpath-rename</summary>

\`\`\`\`diff
--- a/pkgs/c/readme.nix
+++ b/pkgs/c/readme.nix
@@ -1,4 +1,4 @@
-{ writeText, addOpenGLRunpath }:
+{ writeText, addDriverRunpath }:
 writeText "README.md" ''
   \`\`\`sh
   run </script> me
\`\`\`\`

</details>
`)).toBe(true);
  });

  it('is deterministic and has no section for what is absent', () => {
    expect(renderMarkdown(sample())).toBe(md);
    const quiet: ReportData = { ...sample(), files: [], missing: [], unreadable: [], counts: { ok: 0, nochange: 3, skip: 0, error: 0 }, written: true };
    expect(renderMarkdown(quiet)).toBe(`# nixshift report

Generated by nixshift 0.1.0 at 2025-01-02T03:04:05.000Z; changed files were written.

\`\`\`sh
nixshift run -t cudatoolkit-to-redist -t driver-runpath-rename pkgs/
\`\`\`

## Summary

| status | files |
|---|---:|
| ok | 0 |
| nochange | 3 |
| skip | 0 |
| error | 0 |
| **total** | **3** |

0 findings (0 errors, 0 warnings, 0 info).

## Transforms

| transform | files changed | errors | warnings | info |
|---|---:|---:|---:|---:|
| \`cudatoolkit-to-redist\` | 0 | 0 | 0 | 0 |
| \`driver-runpath-rename\` | 0 | 0 | 0 | 0 |

## Findings

None.
`);
  });

  it('escapes table cells and code spans', () => {
    const data: ReportData = {
      ...sample(),
      transforms: ['x'],
      files: [
        {
          path: 'pkgs/a|b/`odd`.nix',
          status: 'ok',
          changedBy: ['x'],
          findings: [{ rule: 'other/rule', severity: 'error', message: 'two\nlines', line: 2, column: 1 }],
          closure: { kept: [], removed: [{ part: 'p|q', mb: 1 }], removedMb: 1 },
        },
      ],
    };
    const out = renderMarkdown(data);
    expect(out).toContain('| ``pkgs/a\\|b/`odd`.nix`` | p\\|q (1) | — | ≈ 1 |');
    // findings of a rule prefix outside the run's transforms get their own row
    expect(out).toContain('| `x` | 1 | 0 | 0 | 0 |\n| `other` | 0 | 1 | 0 | 0 |\n');
    expect(out).toContain('- ``pkgs/a|b/`odd`.nix:2`` — **error** `other/rule`: two\n  lines\n');
  });
});
