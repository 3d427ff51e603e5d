/**
 * Seeded generation of Nix inputs for the property tests (properties.test.ts, mutations.test.ts,
 * cli.test.ts, generate.test.ts):
 *
 *  - `Rng`: mulberry32, a tiny seeded PRNG; every case is reproducible from one 32-bit seed
 *    (rng.ts, with `caseSeed`).
 *  - `generateFile(seed)`: a random, syntactically valid Nix file biased towards what the
 *    built-in transforms look at (package functions with formals in every style, derivations
 *    with input lists, `let` / `rec` / `with`, strings and indented strings interpolating CUDA
 *    paths, symlinkJoin / buildEnv, call sites, overlays, modules, `# nixshift-ignore` and other
 *    comments in odd places, the transforms' needles as identifiers, shadowing, CRLF).
 *    Most files are "closed" (every free variable is a formal of the top function) so that
 *    `nix-instantiate --parse`, which also rejects undefined variables, can judge them as is
 *    (generate-file.ts).
 *  - `mutateSource(text, seed)`: small mutations of an existing file (a fixture) that keep it
 *    parseable by tree-sitter (invalid mutations are retried / dropped) (mutations.ts).
 *
 * The generator builds a small AST (ast.ts) and prints it (printer.ts), nixfmt-like most of the
 * time, sometimes compact (inline lists, attrsets and formals, leading-comma formals, `/* *\/`
 * comments). The generator itself is one class in layers, each module extending the one before:
 * core.ts (names, comments, lists and attrsets), packages.ts (package references and input
 * lists), strings.ts, expressions.ts (generic expressions), shapes.ts (CUDA shapes: joins, call
 * sites, derivations), files.ts (whole files of each kind). vocabulary.ts holds the words.
 *
 * This module is the public API; importers use nothing else.
 */
export type { Expr } from './ast.js';
export { type FileKind, type GeneratedFile, generateFile } from './generate-file.js';
export { type Mutated, type Mutation, mutateSource } from './mutations.js';
export { caseSeed, Rng } from './rng.js';
export { NEEDLES } from './vocabulary.js';
