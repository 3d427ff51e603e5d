/**
 * Comment strippers for the source-tree scan (source.ts): a commented-out `// #include <cusparse.h>`
 * or `# CUDA::cufft` is not evidence. Each stripper replaces every character of a comment with a
 * space and keeps line breaks, so offsets and line numbers of what is left stay those of the
 * original text. String literals are skipped whole (a `"https://…"` or a `'#'` is no comment).
 *
 * These are lexers for one purpose, not parsers: each knows just enough of its language's
 * literals to find where comments start and end.
 */

/**
 * The comment syntax of a file:
 *  - `c`: C, C++, CUDA (and Rust, Go, Java, JavaScript): `//` (with `\`-newline continuation) and
 *    `/* … *\/`; skips `"…"`, `'…'` and C++ raw strings `R"d(…)d"`;
 *  - `python`: `#` to the end of the line; skips `'…'`, `"…"`, `'''…'''`, `"""…"""` (also TOML, meson);
 *  - `python-doc`: `python`, and docstrings too (see stripPython);
 *  - `shell`: `#` at the start of a word; skips `'…'` and `"…"` (shell, setup.cfg, requirements);
 *  - `make`: any `#` not escaped by `\`, to the end of the line, with `\`-newline continuation;
 *  - `cmake`: `#` to the end of the line and bracket comments `#[[ … ]]`, `#[==[ … ]==]`; skips
 *    `"…"` and bracket arguments `[[ … ]]`;
 *  - `m4`: `dnl` to the end of the line, and `#` at the start of a word (autoconf, `*.m4`);
 *  - `none`: nothing is a comment.
 */
export type CommentStyle = 'c' | 'python' | 'python-doc' | 'shell' | 'make' | 'cmake' | 'm4' | 'none';

/** `text` with its comments blanked out (same length, same line breaks). */
export function stripComments(text: string, style: CommentStyle): string {
  switch (style) {
    case 'c':
      return stripC(text);
    case 'python':
      return stripPython(text, false);
    case 'python-doc':
      return stripPython(text, true);
    case 'shell':
      return stripShell(text);
    case 'make':
      return stripMake(text);
    case 'cmake':
      return stripCmake(text);
    case 'm4':
      return stripM4(text);
    case 'none':
      return text;
  }
}

/** Collects the kept slices and the blanked comments of one text. */
class Blanker {
  private readonly parts: string[] = [];
  private last = 0;
  constructor(private readonly text: string) {}

  /** Blanks `text[start, end)`, keeping `\r` and `\n`. */
  blank(start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(this.text.slice(this.last, start), this.text.slice(start, end).replace(/[^\r\n]/g, ' '));
    this.last = end;
  }

  result(): string {
    if (this.last === 0) return this.text;
    this.parts.push(this.text.slice(this.last));
    return this.parts.join('');
  }
}

/** The index of the line break ending the line at `from` (or the text's length). */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** Like lineEnd, but a line ending in `\` continues on the next one (C `//` comments, make). */
function continuedLineEnd(text: string, from: number): number {
  let end = lineEnd(text, from);
  while (end < text.length && (text[end - 1] === '\\' || (text[end - 1] === '\r' && text[end - 2] === '\\'))) {
    end = lineEnd(text, end + 1);
  }
  return end;
}

/**
 * The index just past the quoted literal opening at `start` (quote `q`), honouring `\` escapes.
 * With `multiline` false an unterminated literal ends at the line break.
 */
function quotedEnd(text: string, start: number, q: string, multiline: boolean): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === q) return i + 1;
    else if (c === '\n' && !multiline) return i;
  }
  return text.length;
}

const IDENT = /[A-Za-z0-9_]/;

function stripC(text: string): string {
  const out = new Blanker(text);
  const next = /[/"']/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end = i + 1;
    if (m[0] === '/') {
      if (text[i + 1] === '/') out.blank(i, (end = continuedLineEnd(text, i)));
      else if (text[i + 1] === '*') {
        const close = text.indexOf('*/', i + 2);
        out.blank(i, (end = close < 0 ? text.length : close + 2));
      }
    } else if (m[0] === '"') end = isRawStringStart(text, i) ? rawStringEnd(text, i) : quotedEnd(text, i, '"', false);
    else end = charLiteralEnd(text, i);
    next.lastIndex = end;
  }
  return out.result();
}

/** Whether the `"` at `i` opens a C++ raw string: `R"`, `u8R"`, `uR"`, `UR"`, `LR"`, not `fooR"`. */
function isRawStringStart(text: string, i: number): boolean {
  if (text[i - 1] !== 'R') return false;
  const before = text.slice(Math.max(0, i - 4), i - 1);
  const prefix = /(?:u8|u|U|L)?$/.exec(before)?.[0] ?? '';
  const k = i - 1 - prefix.length - 1;
  return k < 0 || !IDENT.test(text[k] as string);
}

function rawStringEnd(text: string, i: number): number {
  const open = text.indexOf('(', i + 1);
  if (open < 0 || open - i - 1 > 16) return quotedEnd(text, i, '"', false);
  const close = text.indexOf(`)${text.slice(i + 1, open)}"`, open + 1);
  return close < 0 ? text.length : close + (open - i) + 1;
}

/**
 * The end of a character literal at `i`, or `i + 1` when this `'` opens none: a C++14 digit
 * separator (`1'000'000`) has no closing quote within a few characters on the same line.
 */
function charLiteralEnd(text: string, i: number): number {
  for (let k = i + 1; k < Math.min(text.length, i + 12); k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === "'") return k + 1;
    else if (c === '\n') break;
  }
  return i + 1;
}

/**
 * Python: `#` comments, and with `docstrings` also string statements: a triple-quoted string
 * that is the first thing on its line and is followed by nothing but blanks or a comment on the
 * line it ends (a docstring, or a string used as a comment). Such text is prose or doctest
 * examples, not code; a triple-quoted string assigned or passed on is kept.
 */
function stripPython(text: string, docstrings: boolean): string {
  const out = new Blanker(text);
  const next = /[#"']/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end: number;
    if (m[0] === '#') out.blank(i, (end = lineEnd(text, i)));
    else if (text.startsWith(m[0].repeat(3), i)) {
      end = tripleEnd(text, i, m[0].repeat(3));
      if (docstrings && isStringStatement(text, i, end)) out.blank(stringPrefixStart(text, i), end);
    } else end = quotedEnd(text, i, m[0], false);
    next.lastIndex = end;
  }
  return out.result();
}

function tripleEnd(text: string, i: number, q: string): number {
  for (let k = i + 3; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text.startsWith(q, k)) return k + 3;
  }
  return text.length;
}

/** Where the string literal whose quote is at `i` starts, with its prefix (`r`, `b`, `f`, `u`, `rb`, …). */
function stringPrefixStart(text: string, i: number): number {
  const prefix = /[rRbBuUfF]{0,2}$/.exec(text.slice(Math.max(0, i - 2), i))?.[0] ?? '';
  return i - prefix.length;
}

function isStringStatement(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, stringPrefixStart(text, start)).trim() !== '') return false;
  const rest = text.slice(end, lineEnd(text, end));
  return /^\s*(?:#.*)?$/.test(rest);
}

/** `#` starts a shell comment at the start of a line or after a blank, `;`, `&`, `|`, `(`. */
function startsWord(text: string, i: number): boolean {
  return i === 0 || /[\s;&|(]/.test(text[i - 1] as string);
}

function stripShell(text: string): string {
  const out = new Blanker(text);
  const next = /[#"'\\]/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end = i + 1;
    if (m[0] === '\\') end = i + 2;
    else if (m[0] === '#') {
      if (startsWord(text, i)) out.blank(i, (end = lineEnd(text, i)));
    } else if (m[0] === "'") {
      const close = text.indexOf("'", i + 1);
      end = close < 0 ? text.length : close + 1;
    } else end = quotedEnd(text, i, '"', true);
    next.lastIndex = end;
  }
  return out.result();
}

function stripMake(text: string): string {
  const out = new Blanker(text);
  const next = /[#\\]/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end = i + 2;
    if (m[0] === '#') out.blank(i, (end = continuedLineEnd(text, i)));
    next.lastIndex = end;
  }
  return out.result();
}

/** The length of a CMake bracket opening `[`, `=`…, `[` at `i` (0 when there is none). */
function bracketOpenLength(text: string, i: number): number {
  const m = /^\[(=*)\[/.exec(text.slice(i, i + 40));
  return m ? m[0].length : 0;
}

/** The index past the bracket (argument or comment body) whose opening `[=*[` at `i` has length `len`. */
function bracketEnd(text: string, i: number, len: number): number {
  const close = `]${'='.repeat(len - 2)}]`;
  const k = text.indexOf(close, i + len);
  return k < 0 ? text.length : k + close.length;
}

function stripCmake(text: string): string {
  const out = new Blanker(text);
  const next = /[#"[\\]/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end = i + 1;
    if (m[0] === '\\') end = i + 2;
    else if (m[0] === '"') end = quotedEnd(text, i, '"', true);
    else if (m[0] === '[') {
      const len = bracketOpenLength(text, i);
      if (len > 0) end = bracketEnd(text, i, len);
    } else {
      const len = bracketOpenLength(text, i + 1);
      out.blank(i, (end = len > 0 ? bracketEnd(text, i + 1, len) : lineEnd(text, i)));
    }
    next.lastIndex = end;
  }
  return out.result();
}

function stripM4(text: string): string {
  const out = new Blanker(text);
  const next = /#|\bdnl\b/g;
  let m: RegExpExecArray | null;
  while ((m = next.exec(text)) !== null) {
    const i = m.index;
    let end = i + m[0].length;
    if (m[0] === 'dnl' || startsWord(text, i)) out.blank(i, (end = lineEnd(text, i)));
    next.lastIndex = end;
  }
  return out.result();
}
