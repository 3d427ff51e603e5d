/**
 * A small nixpkgs-shaped tree for the end-to-end workflow tests: packages in the three layouts
 * nixshift derives commit attributes from, and the shared call-site files. Written for these
 * tests (modelled on the layout of nixpkgs, not copied from it).
 */
export const NIXPKGS_TREE: Record<string, string> = {
  'pkgs/by-name/ma/magma/package.nix': `{
  lib,
  stdenv,
  fetchurl,
  cmake,
  cudatoolkit,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "magma";
  version = "2.7.2";

  src = fetchurl {
    url = "https://example.org/magma-\${finalAttrs.version}.tar.gz";
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };

  nativeBuildInputs = [ cmake ];

  buildInputs = [ cudatoolkit ];

  cmakeFlags = [
    "-DCMAKE_CUDA_COMPILER=\${cudatoolkit}/bin/nvcc"
    "-DMAGMA_ENABLE_CUDA=ON"
    "-DUSE_CUBLAS=ON"
    "-DUSE_CUSPARSE=ON"
  ];

  meta.description = "Dense linear algebra on GPUs";
})
`,
  'pkgs/development/python-modules/torch/default.nix': `{
  lib,
  buildPythonPackage,
  fetchurl,
  numpy,
  cudatoolkit,
}:

buildPythonPackage {
  pname = "torch";
  version = "2.0.1";
  format = "setuptools";

  src = fetchurl {
    url = "https://example.org/torch-2.0.1.tar.gz";
    hash = "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
  };

  nativeBuildInputs = [ cudatoolkit ];

  buildInputs = [ cudatoolkit ];

  propagatedBuildInputs = [ numpy ];

  USE_CUDNN = 0;
  USE_CUBLAS = 1;
}
`,
  'pkgs/development/tools/gpu-burn/default.nix': `{
  stdenv,
  fetchurl,
  addOpenGLRunpath,
}:

stdenv.mkDerivation {
  pname = "gpu-burn";
  version = "1.1";
  src = fetchurl {
    url = "https://example.org/gpu-burn-1.1.tar.gz";
    hash = "sha256-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=";
  };
  nativeBuildInputs = [ addOpenGLRunpath ];
  postFixup = ''
    addOpenGLRunpath $out/bin/gpu_burn
  '';
}
`,
  'pkgs/development/tools/unrelated/default.nix': `{ stdenv }:

stdenv.mkDerivation {
  pname = "unrelated";
  version = "1";
}
`,
  'pkgs/top-level/all-packages.nix': `{ lib, config }:

self: pkgs:

with pkgs;

{
  gpu-burn = callPackage ../development/tools/gpu-burn { };

  # CUDA-enabled linear algebra
  magma = callPackage ../by-name/ma/magma/package.nix {
    cudatoolkit = cudaPackages.cudatoolkit;
  };

  unrelated = callPackage ../development/tools/unrelated { };

  lapack-bench = callPackage ../development/tools/lapack-bench {
    cudatoolkit = cudaPackages_11.cudatoolkit;
  };
}
`,
  'pkgs/top-level/python-packages.nix': `self: super:

with self;

{
  numpy = callPackage ../development/python-modules/numpy { };

  torch = callPackage ../development/python-modules/torch {
    cudatoolkit = pkgs.cudaPackages.cudatoolkit;
  };
}
`,
};
