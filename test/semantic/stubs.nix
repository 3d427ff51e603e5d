# Stub package sets for evaluating fixtures with `nix-instantiate --eval --strict`.
# A package is an attrset with `name`, `outPath` and one attrset per output; derivation builders
# return their arguments, so a test can read back the input lists a fixture produces.
let
  outputNames = [ "out" "lib" "dev" "static" "bin" "stubs" "doc" ];
  mkPkg =
    name:
    let
      self = {
        inherit name;
        pname = name;
        output = "out";
        outPath = "/nix/store/${name}";
        outputs = outputNames;
        version = "12.4.1";
        majorMinorVersion = "12.4";
        majorVersion = "12.4";
      }
      // builtins.listToAttrs (
        map (o: {
          name = o;
          value = {
            inherit name;
            pname = name;
            output = o;
            outPath = "/nix/store/${name}-${o}";
          };
        }) outputNames
      );
    in
    self;
  cudaNames = [
    "cuda_nvcc" "cuda_cudart" "cuda_cccl" "libcublas" "libcufft" "libcurand" "libcusolver"
    "libcusparse" "libnpp" "libnvjpeg" "cuda_nvrtc" "cuda_nvtx" "cuda_cupti" "cuda_nvml_dev"
    "cuda_profiler_api" "libnvjitlink" "cudnn" "nccl" "cuda_cuobjdump" "cuda_nvdisasm"
    "cuda_nvprune" "cuda_gdb" "cuda_sanitizer_api" "cuda_cuxxfilt" "autoAddDriverRunpath"
  ];
  mkDerivation = arg: if builtins.isFunction arg then (let attrs = arg attrs; in attrs) else arg;
  stdenv = {
    inherit mkDerivation;
    cc = mkPkg "gcc-wrapper" // { cc = mkPkg "gcc"; };
  };
  mkCudaSet =
    version:
    builtins.listToAttrs (map (n: { name = n; value = mkPkg n; }) cudaNames)
    // {
      cudatoolkit = legacyToolkit;
      cudaMajorMinorVersion = version;
      cudaVersion = version;
      backendStdenv = stdenv // { cc = mkPkg "cuda-backend-cc"; };
      flags = { };
    };
  getOutput = o: p: if p ? ${o} then p.${o} else p;
  lib = {
    map = builtins.map;
    concatMap = f: l: builtins.concatLists (builtins.map f l);
    attrValues = builtins.attrValues;
    optionals = c: l: if c then l else [ ];
    optional = c: x: if c then [ x ] else [ ];
    optionalString = c: s: if c then s else "";
    optionalAttrs = c: a: if c then a else { };
    getLib = getOutput "lib";
    getDev = getOutput "dev";
    getBin = getOutput "bin";
    inherit getOutput;
    getExe' = p: exe: "${getOutput "bin" p}/bin/${exe}";
    makeLibraryPath = ps: builtins.concatStringsSep ":" (map (p: "${getOutput "lib" p}/lib") ps);
    cmakeBool = n: b: "-D${n}:BOOL=${if b then "TRUE" else "FALSE"}";
    cmakeFeature = n: v: "-D${n}:STRING=${v}";
    licenses = { mit = "mit"; bsd3 = "bsd3"; asl20 = "asl20"; };
    versions.major = v: builtins.head (builtins.splitVersion v);
  };
  simple = builtins.listToAttrs (
    map (n: { name = n; value = mkPkg n; }) [
      "cmake" "gfortran" "blas" "lapack" "pkg-config" "zlib" "perl" "ninja" "python3" "cython"
      "fastrlock" "setuptools" "numpy" "makeWrapper" "autoPatchelfHook" "addDriverRunpath" "gcc"
      "openssl" "autoreconfHook" "fftw" "bazel_6" "torch" "gtest" "autoAddDriverRunpath"
    ]
  );
  fetchers = {
    fetchurl = a: mkPkg "src";
    fetchFromGitHub = a: mkPkg "src";
    fetchPypi = a: mkPkg "src";
  };
  cudaPackages = mkCudaSet "12.4";
  # the legacy toolkit: one package, with the runfile's passthru `cc`
  legacyToolkit = mkPkg "cudatoolkit" // {
    cc = mkPkg "cudatoolkit-cc" // { stdenv = stdenv // { name = "cudatoolkit-cc-stdenv"; }; };
  };
in
rec {
  inherit mkPkg lib stdenv cudaPackages;
  pkgs =
    { inherit pkgs; }
    // simple
    // fetchers
    // {
      inherit lib stdenv cudaPackages;
      stdenvNoCC = stdenv;
      cudaPackages_11 = mkCudaSet "11.8";
      cudaPackages_11_8 = mkCudaSet "11.8";
      cudaPackages_12_2 = mkCudaSet "12.2";
      cudatoolkit = legacyToolkit;
      cudatoolkit_11 = legacyToolkit;
      symlinkJoin = a: a // { outPath = "/nix/store/join-${a.name}"; };
      buildEnv = a: a // { outPath = "/nix/store/join-${a.name}"; };
      buildPythonPackage = mkDerivation;
      buildBazelPackage = mkDerivation;
      config = { cudaSupport = true; };
      cudaSupport = true;
      enableCuda = true;
      cudnn = mkPkg "cudnn";
    };
  /** Call a fixture like callPackage would, and describe its input lists (and string attributes). */
  describe = file: describeWith file [ ];
  describeWith =
    file: strings:
    let
      f = import file;
      args = builtins.intersectAttrs (builtins.functionArgs f) pkgs;
      drv = f args;
      show = x: if builtins.isAttrs x && x ? name then "${x.name}${if (x.output or "out") == "out" then "" else ".${x.output}"}" else x;
      list = n: map show (drv.${n} or [ ]);
    in
    {
      nativeBuildInputs = list "nativeBuildInputs";
      buildInputs = list "buildInputs";
      propagatedBuildInputs = list "propagatedBuildInputs";
    }
    // builtins.listToAttrs (
      map (n: {
        name = n;
        value = builtins.foldl' (a: k: if a == null then null else a.${k} or null) drv (
          builtins.filter builtins.isString (builtins.split "[.]" n)
        );
      }) strings
    );
}
