{
  lib,
  config,
  buildPythonPackage,
  fetchPypi,
  setuptools,
  numpy,
  cudaSupport ? config.cudaSupport,
  cudaPackages,
}:

buildPythonPackage rec {
  pname = "tensorgrid";
  version = "1.2.0";
  pyproject = true;

  src = fetchPypi {
    inherit pname version;
    hash = "sha256-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=";
  };

  build-system = [ setuptools ];

  nativeBuildInputs = lib.optionals cudaSupport [
    cudaPackages.cuda_nvcc
    cudaPackages.autoAddOpenGLRunpathHook
  ];

  dependencies = [ numpy ];

  meta = {
    description = "Grid computations on tensors";
    license = lib.licenses.asl20;
  };
}
