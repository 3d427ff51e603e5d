let
  s = { or = 1; x.or = 2; };
  f = x: x;
  or = 0;
in
[ s.or s.x.or (f or) ]
