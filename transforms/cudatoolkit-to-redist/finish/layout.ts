/**
 * One-line attribute sets the migration edited (`stdenv.mkDerivation { pname = "x"; …;
 * buildInputs = [ cudatoolkit ]; }`), laid out anew in the file's own style: on one line while the
 * line fits, else the whole set one binding per line, as nixfmt lays out a set. Without this, a
 * list that grows, or a binding added before another, would break the line in the middle of the
 * set.
 */
import type { SyntaxNode } from '../../../src/nix/tree.js';
import { parseNix, releaseParsed } from '../../../src/nix/parser.js';
import { MAX_INLINE_WIDTH } from '../../../src/edit/builder.js';
import type { Ctx } from '../context.js';

export function relayoutOneLineSets(ctx: Ctx): void {
  const sets = new Map<number, SyntaxNode>();
  for (const p of [...ctx.inputSites, ...ctx.pendingNvcc, ...ctx.pendingLibs]) sets.set(p.attrset.id, p.attrset);
  for (const set of sets.values()) {
    // (a set with a suppressed part is not laid out anew: one edit of the whole set would touch it)
    if (ctx.text(set).includes('\n') || ctx.api.suppressedWithin(set)) continue;
    ctx.api.edit.collapse(set, (edited) => renderSet(ctx, set, edited) ?? edited);
  }
}

/** The bindings (and inherits) of the attribute set text `text`, each as written; undefined when it does not parse as one. */
function bindingTexts(text: string): { open: string; bindings: string[] } | undefined {
  const parsed = parseNix(text);
  try {
    const expr = parsed.root.namedChildren[0];
    if (!expr || !/attrset_expression$/.test(expr.type) || parsed.root.hasError) return undefined;
    const set = expr.namedChildren.find((c) => c.type === 'binding_set');
    const bindings = (set?.namedChildren ?? []).map((b) => text.slice(b.startIndex, b.endIndex));
    return { open: text.slice(0, text.indexOf('{') + 1), bindings };
  } finally {
    releaseParsed(parsed);
  }
}

function renderSet(ctx: Ctx, set: SyntaxNode, edited: string): string | undefined {
  const parts = bindingTexts(edited);
  if (!parts || parts.bindings.some((b) => b.includes("''") || /\s#/.test(b))) return undefined;
  const lineStart = ctx.src.lastIndexOf('\n', set.startIndex) + 1;
  const lineEnd = ctx.src.indexOf('\n', set.endIndex);
  const indent = ctx.lineIndent(set.startIndex);
  const oneLine = parts.bindings.map((b) => b.replace(/\s*\n\s*/g, ' ').replace(/\[ \]/g, '[ ]'));
  const inline = `${parts.open} ${oneLine.join(' ')} }`;
  const line = ctx.src.slice(lineStart, set.startIndex) + inline + ctx.src.slice(set.endIndex, lineEnd < 0 ? ctx.src.length : lineEnd);
  const fits = line.length - indent.length <= MAX_INLINE_WIDTH && !(ctx.api.style.nixfmt && oneLine.some((b) => /\[ \S+ \S+[^\]]* \]/.test(b)));
  if (fits) return inline;
  const step = ctx.api.style.indent;
  const body = parts.bindings.map((b) => `${indent}${step}${b.replace(/\n/g, `\n${indent}${step}`)}`);
  return `${parts.open}\n${body.join('\n')}\n${indent}}`;
}
