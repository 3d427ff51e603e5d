/**
 * A nixpkgs-shaped tree for tests that evaluate with the real Nix, offline: a root
 * `default.nix` taking `{ config ? { } }` with a tiny `lib`, `callPackage`, `stdenv.mkDerivation`
 * (a derivation whose inputs are its environment, so they are its input derivations),
 * `symlinkJoin`, `pkgs/by-name` packages called by folder, `pkgs/top-level/all-packages.nix` call
 * sites, and CUDA package sets of stub derivations with the outputs the real ones have: a
 * current `cudaPackages` (12.4, the legacy `cudatoolkit` a join named `cuda-merged`), a
 * `cudaPackages_11_8`, and a `cudaPackages_11_6` without `cuda_profiler_api` (as the real 11.6
 * manifest lacks packages of later releases). Nothing is built: instantiating writes `.drv`
 * files only.
 */

export const STUB_DEFAULT_NIX = `{ config ? { } }:
let
  lib = rec {
    optionals = c: xs: if c then xs else [ ];
    optional = c: x: if c then [ x ] else [ ];
    optionalString = c: s: if c then s else "";
    getOutput = o: p: p.\${o} or p;
    getLib = getOutput "lib";
    getDev = getOutput "dev";
    getBin = getOutput "bin";
    makeLibraryPath = ps: builtins.concatStringsSep ":" (map (p: "\${getLib p}/lib") ps);
    makeSearchPathOutput = o: sub: ps: builtins.concatStringsSep ":" (map (p: "\${getOutput o p}/\${sub}") ps);
    cmakeFeature = k: v: "-D\${k}=\${v}";
    cmakeBool = k: v: "-D\${k}=\${if v then "ON" else "OFF"}";
    versionOlder = a: b: builtins.compareVersions a b < 0;
    versionAtLeast = a: b: builtins.compareVersions a b >= 0;
  };
  stub = name: outputs: derivation { inherit name outputs; builder = "/bin/sh"; args = [ "-c" "for o in $outputs; do echo > \${"$"}{!o}; done" ]; system = builtins.currentSystem; };
  cudaSet = version: names: builtins.listToAttrs (map (n: { name = n.name; value = stub "\${n.name}-\${n.version}" n.outputs; }) names) // {
    cudaMajorMinorVersion = version;
    cudaVersion = version;
    cudaAtLeast = lib.versionAtLeast version;
    cudaOlder = lib.versionOlder version;
    flags = { cmakeCudaArchitecturesString = "75;86"; };
    backendStdenv = pkgs.stdenv;
  };
  component = name: version: outputs: { inherit name version outputs; };
  redist = v: profiler: [
    (component "cuda_nvcc" "\${v}.89" [ "out" "bin" "dev" ])
    (component "cuda_cudart" "\${v}.89" [ "out" "lib" "dev" "static" ])
    (component "cuda_cccl" "\${v}.89" [ "out" "dev" ])
    (component "libcublas" "\${v}.1.3" [ "out" "lib" "dev" "static" ])
    (component "libcufft" "\${v}.0.8" [ "out" "lib" "dev" "static" ])
    (component "cuda_nvrtc" "\${v}.89" [ "out" "lib" "dev" "static" ])
  ] ++ lib.optional profiler (component "cuda_profiler_api" "\${v}.80" [ "out" "dev" ]);
  byNameDir = ./pkgs/by-name;
  byName = builtins.foldl' (acc: shard: acc // builtins.mapAttrs (name: _: pkgs.callPackage (byNameDir + "/\${shard}/\${name}/package.nix") { }) (builtins.readDir (byNameDir + "/\${shard}"))) { } (builtins.attrNames (builtins.readDir byNameDir));
  pkgs = {
    inherit config lib;
    cudaSupport = config.cudaSupport or false;
    callPackage = f: args: let fn = if builtins.isFunction f then f else import f; in fn (builtins.intersectAttrs (builtins.functionArgs fn) pkgs // args);
    stdenv.mkDerivation = a: derivation ({ name = "\${a.pname}-\${a.version}"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; system = builtins.currentSystem; } // builtins.removeAttrs a [ "pname" "version" "meta" "passthru" ]);
    symlinkJoin = { name, paths, ... }: derivation { inherit name paths; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; system = builtins.currentSystem; };
    cmake = stub "cmake-3.29.2" [ "out" ];
    zlib = stub "zlib-1.3.1" [ "out" "dev" ];
    cudaPackages_12_4 = cudaSet "12.4" (redist "12.4" true) // {
      cudatoolkit = pkgs.symlinkJoin { name = "cuda-merged-12.4"; paths = map (n: pkgs.cudaPackages_12_4.\${n}) [ "cuda_nvcc" "cuda_cudart" "libcublas" ]; };
    };
    cudaPackages_11_8 = cudaSet "11.8" (redist "11.8" true) // { cudatoolkit = stub "cudatoolkit-11.8.0" [ "out" "lib" "doc" ]; };
    cudaPackages_11_6 = cudaSet "11.6" (redist "11.6" false) // { cudatoolkit = stub "cudatoolkit-11.6.2" [ "out" "lib" "doc" ]; };
    cudaPackages = pkgs.cudaPackages_12_4;
    cudatoolkit = pkgs.cudaPackages.cudatoolkit;
    cudatoolkit_11_8 = pkgs.cudaPackages_11_8.cudatoolkit;
  } // byName // import ./pkgs/top-level/all-packages.nix pkgs;
in
pkgs
`;
