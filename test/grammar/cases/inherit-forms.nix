let
  src = { a = 1; b = 2; "c d" = 3; e = 4; };
  a = 0;
in
{
  inherit a;
  inherit (src) b "c d";
  inherit (src.x or src) e;
}
