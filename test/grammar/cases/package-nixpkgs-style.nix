{ lib
, stdenv
, fetchFromGitHub
, cmake
, pkg-config
, zlib
, enableTests ? true
, extraFlags ? [ ]
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "frobnicator";
  version = "1.2.3";

  src = fetchFromGitHub {
    owner = "example";
    repo = finalAttrs.pname;
    rev = "v${finalAttrs.version}";
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };

  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ zlib ] ++ lib.optionals stdenv.isLinux [ stdenv.cc.cc.lib ];

  cmakeFlags = [
    (lib.cmakeBool "BUILD_TESTING" enableTests)
  ] ++ extraFlags;

  postPatch = ''
    substituteInPlace CMakeLists.txt \
      --replace-fail "/usr/local" "$out"
    for f in ''${files[@]}; do echo "$f"; done
    export VERSION=${lib.escapeShellArg finalAttrs.version}
  '';

  doCheck = enableTests && stdenv.buildPlatform.canExecute stdenv.hostPlatform;

  passthru = {
    updateScript = ./update.sh;
    tests.version = { inherit (finalAttrs) version; };
  };

  meta = with lib; {
    description = "Frobnicates things";
    homepage = "https://example.org/frobnicator";
    license = licenses.mit;
    maintainers = [ ];
    platforms = platforms.unix;
    broken = stdenv.isDarwin && stdenv.isAarch64;
  };
})
