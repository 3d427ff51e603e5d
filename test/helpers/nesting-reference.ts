/**
 * The nesting guard's scan in JavaScript (src/nix/nesting.ts before it moved to native code):
 * the reference test/unit/nix/nesting.test.ts checks native/nesting.c against, unit for unit.
 */
// Character codes (the scan reads char codes: numbers only, which V8 keeps on one fast path).
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const DOLLAR = 36;
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const LPAREN = 40;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const UNDERSCORE = 95;
const DASH = 45;
/** What opened a level besides a bracket: a `let` (closed by its `in`). */
const LET = 108;
const CODE = 0;
const STR = 1;
const IND = 2;

/** The deepest nesting of `( [ { ${` and `let … in` in `source`. Stops counting past `limit`. */
export function referenceNestingDepth(source: string, limit = Infinity): number {
  // The stack holds what opened each level: ( [ { (code) or " ' (a string whose interpolation
  // `${` was opened: its `}` returns to the string), or LET.
  const stack: number[] = [];
  let max = 0;
  let mode = CODE;
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source.charCodeAt(i);
    if (mode === STR) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) mode = CODE;
      else if (c === DOLLAR && source.charCodeAt(i + 1) === LBRACE) {
        stack.push(DQUOTE);
        i++;
        mode = CODE;
      } else continue;
    } else if (mode === IND) {
      if (c === SQUOTE && source.charCodeAt(i + 1) === SQUOTE) {
        const next = source.charCodeAt(i + 2);
        if (next === SQUOTE || next === DOLLAR) i += 2;
        else if (next === BACKSLASH) i += 3;
        else {
          i++;
          mode = CODE;
        }
      } else if (c === DOLLAR && source.charCodeAt(i + 1) === LBRACE) {
        stack.push(SQUOTE);
        i++;
        mode = CODE;
      } else continue;
    } else if (c === HASH) {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol;
      continue;
    } else if (c === SLASH && source.charCodeAt(i + 1) === STAR) {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 1;
      continue;
    } else if (c === DQUOTE) {
      mode = STR;
      continue;
    } else if (c === SQUOTE && source.charCodeAt(i + 1) === SQUOTE) {
      mode = IND;
      i++;
      continue;
    } else if (c === LPAREN || c === LBRACKET || c === LBRACE) {
      stack.push(c);
    } else if (c === RPAREN || c === RBRACKET || c === RBRACE) {
      const open = stack.pop();
      if (open === DQUOTE) mode = STR;
      else if (open === SQUOTE) mode = IND;
      continue;
    } else if (c === DOLLAR && source.charCodeAt(i + 1) === LBRACE) {
      stack.push(LBRACE);
      i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(source.charCodeAt(j))) j++;
      // `let` and `in` are the only words that count.
      const len = j - i;
      const word = len === 3 && source.startsWith('let', i) ? 'let' : len === 2 && source.startsWith('in', i) ? 'in' : '';
      i = j - 1;
      if (word === 'let') stack.push(LET);
      else if (word === 'in' && stack[stack.length - 1] === LET) {
        stack.pop();
        continue;
      } else continue;
    } else {
      continue;
    }
    if (stack.length > max) {
      max = stack.length;
      if (max > limit) return max;
    }
  }
  return max;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === SQUOTE || c === DASH;
}
