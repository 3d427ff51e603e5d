# windows line endings
{ lib
, x ? 1
}:
let
  s = ''
    multi
  '';
in /* c
 */ lib // { inherit x s; }
