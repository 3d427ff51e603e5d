{
  # leading comment
  lib, # after lib
  /* before stdenv */ stdenv /* after stdenv */,
  cuda ? null # default
  , ...
}@args: lib
