{
  lib,
  stdenv,
  fetchFromGitHub,
  addOpenGLRunpath,
  cudaPackages,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "gpu-burnin";
  version = "0.9.2";

  src = fetchFromGitHub {
    owner = "example";
    repo = "gpu-burnin";
    rev = "v${finalAttrs.version}";
    hash = "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
  };

  nativeBuildInputs = [
    addOpenGLRunpath
    cudaPackages.cuda_nvcc
  ];

  buildInputs = [ cudaPackages.cuda_cudart ];

  postFixup = ''
    addOpenGLRunpath $out/bin/gpu-burnin
  '';

  meta = {
    description = "Stress test for CUDA devices";
    license = lib.licenses.bsd3;
    mainProgram = "gpu-burnin";
  };
})
