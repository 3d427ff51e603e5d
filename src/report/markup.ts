/**
 * Escaping for the reports, shared by the renderers and by transforms' report extensions
 * (src/transform.ts, ReportExtension): Markdown that GitHub renders as written, HTML text.
 */

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A Markdown code span that holds any text: a fence longer than its longest backtick run. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A fenced block that holds any text: the fence is longer than any backtick run in it. */
export function fenced(text: string, info: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}`;
}

/** A Markdown table cell: `|` escaped (also inside code spans, as GitHub requires), lines joined by <br>. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Free text in a Markdown list item: `<` and `&` escaped outside code spans, later lines indented. */
export function item(text: string, indent = '  '): string {
  const parts = text.split(/(`+[^`]*?`+)/);
  return parts
    .map((p, i) => (i % 2 === 1 ? p : p.replace(/&/g, '&amp;').replace(/</g, '&lt;')))
    .join('')
    .replace(/\r?\n/g, `\n${indent}`);
}

/** Text in HTML (content or a quoted attribute value). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
