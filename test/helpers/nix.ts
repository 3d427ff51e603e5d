/**
 * The real Nix parser as a test oracle. When `nix-instantiate` is missing the tests say so
 * loudly; under CI (CI=true) its absence is a failure.
 */
import { spawnSync } from 'node:child_process';

export const NIX_INSTANTIATE = ((): string | undefined => {
  const r = spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
})();

export const IN_CI = process.env.CI === 'true';

export function warnMissingNix(what: string): void {
  console.warn(`\n!!! nix-instantiate is not installed: ${what} was NOT checked by the real Nix parser.\n!!! Install it (Debian: apt-get install -y nix-bin); under CI=true this is a failure.\n`);
}

/** Parse with Nix; undefined when accepted, else the error text. BOM stripped (Nix rejects BOMs). */
export function nixParseError(text: string): string | undefined {
  const input = text.replace(/^\uFEFF/, '');
  const r = spawnSync('nix-instantiate', ['--parse', '-'], { input, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? undefined : r.stderr.trim();
}
