{
  lib,
  stdenv,
  fetchurl,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "zstd-lite";
  version = "1.0.0";
  src = fetchurl {
    url = "https://example.org/zstd-lite-${finalAttrs.version}.tar.gz";
    hash = "sha256-DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD=";
  };
  meta.license = lib.licenses.bsd3;
})
