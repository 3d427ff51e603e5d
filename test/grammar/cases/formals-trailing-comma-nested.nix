{ lib, stdenv, f ? { x, y, }: x, }:
f
