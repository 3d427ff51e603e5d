{
  lib,
  stdenv,
  makeWrapper,
  symlinkJoin,
  cudaPackages,
}:

let
  cudaRuntime = symlinkJoin {
    name = "cuda-runtime";
    paths = with cudaPackages; [
      cuda_cudart
      libcublas
      cuda_cccl
    ];
  };
in
stdenv.mkDerivation {
  pname = "gpu-tool";
  version = "1.0";
  src = ./.;
  nativeBuildInputs = [ makeWrapper ];
  postFixup = ''
    wrapProgram $out/bin/gpu-tool --prefix LD_LIBRARY_PATH : ${cudaRuntime}/lib
  '';
}
