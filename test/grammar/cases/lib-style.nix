{ lib }:

let
  inherit (builtins) attrNames elem filter;
  inherit (lib) mapAttrs' nameValuePair optionalAttrs;
in
rec {
  renameAll = prefix: set:
    mapAttrs' (n: v: nameValuePair "${prefix}-${n}" v) set;

  keep = names: set:
    builtins.listToAttrs (map (n: { name = n; value = set.${n}; }) (filter (n: elem n names) (attrNames set)));

  withDefaults = { enable ? false, ... }@cfg:
    cfg // optionalAttrs enable { extra = true; } // { enabled = cfg.enable or false; };

  pathFor = name: ./. + "/${name}.nix";

  safeGet = set: path: default: lib.attrByPath path default set;
}
