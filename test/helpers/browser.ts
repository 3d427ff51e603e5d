/**
 * Headless Chromium (Debian package `chromium`) driven by playwright-core, which downloads no
 * browser. Tests that need it are skipped with a loud warning when it is missing; under CI=true
 * its absence is a failure (see `requireChromium`).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';
import { IN_CI } from './nix.js';

/** NIXSHIFT_CHROMIUM: another browser binary (or a missing one, to see the skip). */
export const CHROMIUM = process.env.NIXSHIFT_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Warn when Chromium is missing; fail under CI. */
export function requireChromium(what: string): void {
  if (HAVE_CHROMIUM) return;
  console.warn(`\n!!! ${CHROMIUM} is not installed: ${what} was NOT checked in a browser.\n!!! Install it (Debian: apt-get install -y chromium); under CI=true this is a failure.\n`);
  expect(IN_CI, 'chromium must be installed when CI=true').toBe(false);
}

/** A browser that reaches nothing on its own (no background networking, no updates, no sync). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright starts every browser with a fresh temporary profile (it refuses --user-data-dir)
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
