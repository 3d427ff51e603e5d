/**
 * The walk's folder listing (`listFolder` in discover.ts): the native `listDir` of the binding
 * against the same listing made with readdirSync, and the order the walk relies on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeLister } from '../../src/nix/binding.js';
import { listFolder, listFolderWithReaddir } from '../../src/runner/discover.js';
import { ROOT, useTempTrees } from '../helpers/tree.js';

const tree = useTempTrees();
const native = nativeLister();

/** Every folder under `dir` (itself included), as the walk would enter them. */
function folders(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...folders(join(dir, e.name)));
  return out;
}

/** A folder with every kind of entry and names whose order differs between bytes and UTF-16. */
function oddFolder(): string {
  const dir = tree({
    'a.nix': '1',
    'a-b/x.nix': '2',
    'a/x.nix': '3',
    'Z.nix': '4',
    '.gitignore': 'result\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    'é.nix': '5',
    '\u{1F600}.nix': '6', // UTF-16: D83D DE00, before E000; UTF-8: F0 9F…, after EE 80 80
    '\uE000.nix': '7',
    'sub dir/with space.nix': '8',
  });
  symlinkSync('a.nix', join(dir, 'link.nix'));
  symlinkSync('a', join(dir, 'linkdir'));
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  mkdirSync(join(dir, 'empty'));
  return dir;
}

describe('listFolder', () => {
  it('comes from the native binding in this build', () => {
    expect(native).not.toBeNull();
  });

  it('lists entries with their kind, sorted as JavaScript sorts strings, a folder as `name/`', () => {
    const dir = oddFolder();
    const list = native!(dir);
    expect(list.split('\0')).toEqual([
      'd.git', // `.git/` < `.gitignore`: `/` < `i`
      'f.gitignore',
      'fZ.nix',
      'da-b', // `a-b/` < `a.nix` < `a/`: `-` < `.` < `/`
      'fa.nix',
      'da',
      'dempty',
      'llink.nix',
      'llinkdir',
      'opipe',
      'dsub dir',
      'fé.nix',
      'f\u{1F600}.nix',
      'f\uE000.nix',
      '',
    ]);
    expect(listFolderWithReaddir(dir)).toBe(list);
    expect(listFolder(dir)).toBe(list);
  });

  it('gives what readdirSync gives for every folder of the examples and fixtures', () => {
    let compared = 0;
    for (const top of ['examples', 'fixtures', 'transforms', 'test']) {
      for (const dir of folders(join(ROOT, top))) {
        expect(native!(dir), dir).toBe(listFolderWithReaddir(dir));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('lists an empty folder as an empty string', () => {
    const dir = tree({});
    expect(native!(dir)).toBe('');
    expect(listFolderWithReaddir(dir)).toBe('');
  });

  it('throws as readdirSync does for a missing path and for a file', () => {
    const dir = tree({ 'f.nix': 'x' });
    for (const path of [join(dir, 'missing'), join(dir, 'f.nix')]) {
      let expected: NodeJS.ErrnoException | undefined;
      let got: NodeJS.ErrnoException | undefined;
      try {
        readdirSync(path);
      } catch (e) {
        expected = e as NodeJS.ErrnoException;
      }
      try {
        native!(path);
      } catch (e) {
        got = e as NodeJS.ErrnoException;
      }
      expect(got?.message).toBe(expected!.message);
      expect({ code: got?.code, errno: got?.errno, syscall: got?.syscall, path: got?.path }).toEqual({
        code: expected!.code,
        errno: expected!.errno,
        syscall: expected!.syscall,
        path: expected!.path,
      });
    }
  });

  it.skipIf(process.getuid?.() === 0)('throws EACCES for a folder it may not read', () => {
    const dir = tree({ 'locked/a.nix': 'x' });
    execFileSync('chmod', ['000', join(dir, 'locked')]);
    try {
      expect(() => native!(join(dir, 'locked'))).toThrow(expect.objectContaining({ code: 'EACCES' }));
    } finally {
      execFileSync('chmod', ['755', join(dir, 'locked')]);
    }
  });

  it('lists a large folder whole (more entries than one read of the kernel gives)', () => {
    const dir = tree({});
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) names.push(`package-with-a-rather-long-name-${String(i).padStart(4, '0')}.nix`);
    for (const n of names) writeFileSync(join(dir, n), '');
    const list = native!(dir);
    expect(list).toBe(names.map((n) => `f${n}\0`).join(''));
    expect(listFolderWithReaddir(dir)).toBe(list);
  });
});
