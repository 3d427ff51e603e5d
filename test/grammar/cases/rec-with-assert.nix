pkgs:
assert pkgs ? lib;
assert pkgs.lib != null -> true;
with pkgs;
with lib;
rec {
  a = 1;
  b = a + 1;
  c = with { d = b; }; d;
}
