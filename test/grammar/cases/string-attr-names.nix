let
  k = "key";
in
{
  "${k}" = 1;
  "with space" = 2;
  ${k + "2"} = 3;
  a.${k}.c = 4;
  "x".y."z" = 5;
}
