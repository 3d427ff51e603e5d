import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, failure, skipped, type ErrorKind } from '../../../src/model/errors.js';

const root = join(import.meta.dirname, '../../..');

describe('errors as data', () => {
  it('every kind has a title, help and an exit code; skips are the kinds that exit 0', () => {
    for (const [kind, info] of Object.entries(ERROR_KINDS)) {
      expect(info.title, kind).toMatch(/^\S.*\S$/);
      expect(info.help, kind).toMatch(/^\S.*\S$/);
      expect([0, 2], kind).toContain(info.exitCode);
    }
    const skips = Object.entries(ERROR_KINDS).filter(([, i]) => i.exitCode === 0).map(([k]) => k);
    expect(skips.sort()).toEqual(['suppressed', 'too-deep', 'too-large']);
  });

  it('builds the fields of an error result and of a skip with a reason', () => {
    expect(failure('syntax', '1:2: syntax error')).toEqual({ status: 'error', errorKind: 'syntax', error: '1:2: syntax error' });
    expect(skipped('too-large', 'not read')).toEqual({ status: 'skip', errorKind: 'too-large', error: 'not read' });
  });

  it('every kind is listed in the README, and every kind the README lists exists', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Error kinds'));
    const listed = [...section.slice(0, section.indexOf('\n## ', 1) < 0 ? undefined : section.indexOf('\n## ', 1)).matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual((Object.keys(ERROR_KINDS) as ErrorKind[]).sort());
  });

  it('every kind is produced somewhere in the runner (no kind that nothing uses)', () => {
    const files = ['src/runner/process.ts', 'src/runner/job.ts', 'src/runner/intake.ts', 'src/runner/run.ts', 'src/runner/pool.ts', 'src/runner/files.ts', 'src/interactive.ts'];
    const code = files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    for (const kind of Object.keys(ERROR_KINDS)) expect(code, kind).toMatch(new RegExp(`['"]${kind}['"]`));
  });
});
