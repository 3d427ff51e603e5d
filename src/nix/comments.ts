/**
 * The text with its comments (`# …`, `/* … *\/`) replaced by a space. Strings (`"…"`, `''…''`,
 * their escapes and `${…}` interpolations, nested) are tracked so that a `#` in a string is not
 * taken for a comment. Linear, no parse; text it does not understand is kept as is.
 */
export function withoutComments(text: string): string {
  if (!text.includes('#') && !text.includes('/*')) return text;
  // the innermost context: code (with its open-brace depth) or a string of either kind
  const stack: ({ kind: 'code'; depth: number } | { kind: 'dq' | 'ind' })[] = [{ kind: 'code', depth: 0 }];
  let out = '';
  let start = 0; // start of the text not yet copied to out
  let i = 0;
  const n = text.length;
  while (i < n) {
    const top = stack[stack.length - 1]!;
    const c = text[i]!;
    if (top.kind === 'code') {
      if (c === '#' || (c === '/' && text[i + 1] === '*')) {
        const end = c === '#' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
        out += `${text.slice(start, i)} `;
        i = end < 0 ? n : c === '#' ? end : end + 2;
        start = i;
      } else if (c === '"') {
        stack.push({ kind: 'dq' });
        i += 1;
      } else if (c === "'" && text[i + 1] === "'") {
        stack.push({ kind: 'ind' });
        i += 2;
      } else if (c === '{') {
        top.depth += 1;
        i += 1;
      } else if (c === '}') {
        if (top.depth === 0 && stack.length > 1) stack.pop();
        else top.depth = Math.max(0, top.depth - 1);
        i += 1;
      } else {
        i += 1;
      }
    } else if (top.kind === 'dq') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        stack.pop();
        i += 1;
      } else if (c === '$' && text[i + 1] === '$') i += 2;
      else if (c === '$' && text[i + 1] === '{') {
        stack.push({ kind: 'code', depth: 0 });
        i += 2;
      } else i += 1;
    } else {
      if (c === "'" && text[i + 1] === "'") {
        const next = text[i + 2];
        if (next === "'" || next === '$') i += 3;
        else if (next === '\\') i += 4;
        else {
          stack.pop();
          i += 2;
        }
      } else if (c === '$' && text[i + 1] === '$') i += 2;
      else if (c === '$' && text[i + 1] === '{') {
        stack.push({ kind: 'code', depth: 0 });
        i += 2;
      } else i += 1;
    }
  }
  return out + text.slice(start);
}
