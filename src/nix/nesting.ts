/**
 * How deeply a Nix text nests brackets, braces, parentheses and interpolations, from a scan of
 * the text (strings and comments understood, no parse). Used as a guard: real Nix files nest a
 * few dozen levels; hundreds of levels are generated or hostile input, and are not transformed
 * (with the reason). The guard was first a necessity (with the tree-sitter Node binding, walking
 * up from the innermost node of a text nested N deep cost N² steps: 990 nested lists took about
 * 10 s a file); with our flat trees `parent` is O(1), and it stays as a sanity limit.
 */
export const MAX_NESTING = 256;

/** The deepest nesting of `( [ { ${` and `let … in` in `source`. Stops counting past `limit`. */
export function nestingDepth(source: string, limit = Infinity): number {
  // The stack holds what opened each level: '(' '[' '{' (code) or '"' '\'' (a string whose
  // interpolation `${` was opened: its `}` returns to the string).
  const stack: string[] = [];
  let max = 0;
  let mode: 'code' | 'str' | 'ind' = 'code';
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source[i]!;
    if (mode === 'str') {
      if (c === '\\') i++;
      else if (c === '"') mode = 'code';
      else if (c === '$' && source[i + 1] === '{') {
        stack.push('"');
        i++;
        mode = 'code';
      } else continue;
    } else if (mode === 'ind') {
      if (c === "'" && source[i + 1] === "'") {
        const next = source[i + 2];
        if (next === "'" || next === '$') i += 2;
        else if (next === '\\') i += 3;
        else {
          i++;
          mode = 'code';
        }
      } else if (c === '$' && source[i + 1] === '{') {
        stack.push("'");
        i++;
        mode = 'code';
      } else continue;
    } else if (c === '#') {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? n : eol;
      continue;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 1;
      continue;
    } else if (c === '"') {
      mode = 'str';
      continue;
    } else if (c === "'" && source[i + 1] === "'") {
      mode = 'ind';
      i++;
      continue;
    } else if (c === '(' || c === '[' || c === '{') {
      stack.push(c);
    } else if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open === '"') mode = 'str';
      else if (open === "'") mode = 'ind';
      continue;
    } else if (c === '$' && source[i + 1] === '{') {
      stack.push('{');
      i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(source[j]!)) j++;
      const word = source.slice(i, j);
      i = j - 1;
      if (word === 'let') stack.push('l');
      else if (word === 'in' && stack[stack.length - 1] === 'l') {
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

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === "'" || c === '-';
}
