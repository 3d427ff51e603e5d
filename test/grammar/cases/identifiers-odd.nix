let
  foo-bar = 1;
  foo' = 2;
  a'-b'' = 3;
  _private = 4;
  __curPos' = 5;
  inputs = 6; within = 7; iffy = 8; thenx = 9; elsewhere = 10;
  records = 11; assertion = 12; letters = 13; inheritance = 14; order = 15;
in
[ foo-bar foo' a'-b'' _private inputs within iffy thenx elsewhere records assertion letters inheritance order __curPos true false null ]
