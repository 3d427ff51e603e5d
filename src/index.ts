/** Library entry: what a user's transform or another tool may import. */
export { parseNix, type ParsedFile, type SyntaxErrorInfo } from './nix/parser.js';
export { NixTree, SyntaxNode, type Point } from './nix/tree.js';
export { ScopeIndex, type Definition, type Reference, type Resolution } from './nix/scope.js';
export * as syntax from './nix/syntax.js';
export { positionAt } from './nix/position.js';
export { applyEdits, normalizeEdits, OverlappingEditsError, type TextEdit } from './edit/edits.js';
export { EditBuilder, detectStyle, type FileStyle } from './edit/builder.js';
export { processSource, type FileOutcome, type FileStatus, type ConfiguredTransform } from './runner/process.js';
export { run, type RunOptions, type RunResult, type RunSummary } from './runner/run.js';
export { unifiedDiff } from './diff/unified.js';
export type { Transform, TransformApi, TransformFile, TransformOptions, Finding, Severity, RuleMeta, ReportExtension, Measured } from './transform.js';
export * as nixpkgs from './nixpkgs/index.js';
export { defaultCpus, DEFAULT_MAX_FILE_BYTES, Interrupt } from './runner/run.js';
export * as markup from './report/markup.js';
