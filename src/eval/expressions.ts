/**
 * Pieces of the Nix expressions nixshift gives `nix-instantiate` (TypeScript template text: `\${`
 * is Nix's own interpolation).
 */

/**
 * `step`: one name of an attribute path, for `builtins.foldl' step { value = pkgs; at = ""; }
 * path`. It stops at the first error, as data (`{ error; }`): a missing attribute, a value that
 * is no attribute set, a `throw` or failed `assert` on the way (what `tryEval` can catch), so
 * that one bad path does not fail the whole call.
 */
export const ATTR_STEP = `  step = acc: name:
    if acc ? error then acc
    else if !(builtins.isAttrs acc.value) then { error = "\${acc.at} is a \${builtins.typeOf acc.value}, not an attribute set"; }
    else if !(builtins.hasAttr name acc.value) then { error = "attribute '\${name}' missing" + (if acc.at == "" then "" else " in \${acc.at}"); }
    else
      let
        at = if acc.at == "" then name else "\${acc.at}.\${name}";
        r = builtins.tryEval (builtins.getAttr name acc.value);
      in if r.success then { value = r.value; inherit at; } else { error = "\${at} throws an error or fails an assertion"; };
`;

/** The default `--verify-config`: what a CUDA maintainer evaluates with. */
export const DEFAULT_VERIFY_CONFIG = '{ allowUnfree = true; cudaSupport = true; }';
