{
  lib,
  stdenv,
  cmake,
  cudaSupport ? true,
  cudatoolkit,
}:

stdenv.mkDerivation {
  pname = "linalg-gpu";
  version = "2.7.1";
  src = ./.;
  nativeBuildInputs = [ cmake ];
  buildInputs = lib.optionals cudaSupport [ cudatoolkit ];
  cmakeFlags = lib.optionals cudaSupport [
    "-DCUDA_TOOLKIT_ROOT_DIR=${cudatoolkit}"
    "-DLINALG_LINK_LIBS=cublas;cusparse"
  ];
}
