/**
 * The generator's coverage of the shapes of files users write (issue: names bound where they
 * are written): among the cases of a default property run, each shape occurs, and each is given
 * to the transforms with something to rewrite. A shape that stops being generated fails here,
 * not silently in the property run.
 */
import { describe, expect, it } from 'vitest';
import { caseSeed, generateFile } from './generate/index.js';
import { ENV } from './harness.js';

/** The default run of properties.test.ts: its first 320 cases. */
const files = Array.from({ length: 320 }, (_, i) => generateFile(caseSeed(ENV.baseSeed, i)));

const SHAPES: [string, RegExp][] = [
  ['callPackage file (formals)', /^(\uFEFF)?(#[^\n]*\n)*\{\s*\n?\s*(lib|stdenv|cudatoolkit|cudaPackages|symlinkJoin)\b/],
  ['{ pkgs ? import <nixpkgs> { } }: with pkgs;', /\{ pkgs \? import <nixpkgs>[^\n]*\}:\s*\n\s*with pkgs;/],
  ['flake with let pkgs = import nixpkgs', /outputs =[\s\S]*pkgs = import nixpkgs/],
  ['flake with nixpkgs.legacyPackages.${system}', /pkgs = nixpkgs\.legacyPackages\.\$\{system\}/],
  ['flake-parts perSystem', /perSystem =\s*\{ pkgs, lib, \.\.\. \}:|perSystem =\s*\{\s*\n\s*pkgs,/],
  ['overlay final: prev:', /final:\s*prev:/],
  ['overlay self: super:', /self:\s*super:/],
  ['NixOS module (systemd service)', /\{[^}]*config,[^}]*pkgs[^}]*\}:[\s\S]*systemd\.services\./],
  ['home-manager module', /home\.(packages|sessionVariables)/],
  ['dev shell', /mkShell/],
];

describe('the generator covers the shapes users write', () => {
  for (const [shape, re] of SHAPES) {
    it(shape, () => {
      const hits = files.filter((f) => re.test(f.text));
      expect(hits.length, `no generated file of shape ${shape} among the default cases`).toBeGreaterThan(0);
      // and with something for a CUDA transform to do
      expect(hits.some((f) => /cudatoolkit|symlinkJoin|addOpenGLRunpath/.test(f.text))).toBe(true);
    });
  }
});
