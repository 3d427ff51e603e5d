// How deeply a Nix text nests brackets, braces, parentheses, interpolations and `let … in`, from
// a scan of the text (strings and comments understood, no parse): the guard of
// src/nix/nesting.ts, in C. In JavaScript the scan was a loop that V8 compiled again and again
// (each kind of character first met after a compile threw the compiled code away): for the 250
// files of the benchmark that mention CUDA, as much time compiling it as running it.
//
// The scan is the same, unit for unit, on the same UTF-16 code units; test/nesting.test.ts
// compares it with a JavaScript reference on generated texts.
#include "nesting.h"

#include <stdlib.h>

enum { CODE, STR, IND };
// What opened each level: ( [ { (code), " or ' (a string whose interpolation `${` was opened:
// its `}` returns to the string), or LET (closed by its `in`).
#define LET 'l'

static int ident_start(uint16_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int ident_char(uint16_t c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '\'' || c == '-'; }

double nixshift_nesting_depth(const uint16_t *s, size_t n, double limit) {
  // The stack never holds more than one level per code unit.
  size_t cap = 64, top = 0, max = 0;
  unsigned char *stack = malloc(cap);
  if (!stack) return -1;
  int mode = CODE;
#define AT(k) ((k) < n ? s[(k)] : 0)
#define PUSH(x)                                                    \
  do {                                                             \
    if (top == cap) {                                              \
      unsigned char *grown = realloc(stack, cap * 2);              \
      if (!grown) {                                                \
        free(stack);                                               \
        return -1;                                                 \
      }                                                            \
      stack = grown;                                               \
      cap *= 2;                                                    \
    }                                                              \
    stack[top++] = (unsigned char)(x);                             \
  } while (0)
  for (size_t i = 0; i < n; i++) {
    uint16_t c = s[i];
    if (mode != CODE && c == '$' && AT(i + 1) == '{') {
      // An interpolation opens in a string: its `}` returns to that kind of string.
      PUSH(mode == STR ? '"' : '\'');
      i++;
      mode = CODE;
    } else if (mode == STR) {
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        mode = CODE;
      } else {
        continue;
      }
    } else if (mode == IND) {
      if (c == '\'' && AT(i + 1) == '\'') {
        uint16_t next = AT(i + 2);
        if (next == '\'' || next == '$') {
          i += 2;
        } else if (next == '\\') {
          i += 3;
        } else {
          i++;
          mode = CODE;
        }
      } else {
        continue;
      }
    } else if (c == '#') {
      // To the newline (the loop steps over it), or to the end.
      while (i < n && s[i] != '\n') i++;
      continue;
    } else if (c == '/' && AT(i + 1) == '*') {
      // To the `/` of the first `*/` after the `/*`, or to the end.
      size_t j = i + 2;
      while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/')) j++;
      i = j + 1 < n ? j + 1 : n;
      continue;
    } else if (c == '"') {
      mode = STR;
      continue;
    } else if (c == '\'' && AT(i + 1) == '\'') {
      mode = IND;
      i++;
      continue;
    } else if (c == '(' || c == '[' || c == '{') {
      PUSH(c);
    } else if (c == ')' || c == ']' || c == '}') {
      unsigned char open = top > 0 ? stack[--top] : 0;
      if (open == '"') mode = STR;
      else if (open == '\'') mode = IND;
      continue;
    } else if (c == '$' && AT(i + 1) == '{') {
      PUSH('{');
      i++;
    } else if (ident_start(c)) {
      size_t j = i + 1;
      while (j < n && ident_char(s[j])) j++;
      int is_let = j - i == 3 && s[i] == 'l' && s[i + 1] == 'e' && s[i + 2] == 't';
      int is_in = j - i == 2 && s[i] == 'i' && s[i + 1] == 'n';
      i = j - 1;
      if (is_let) {
        PUSH(LET);
      } else if (is_in && top > 0 && stack[top - 1] == LET) {
        top--;
        continue;
      } else {
        continue;
      }
    } else {
      continue;
    }
    if (top > max) {
      max = top;
      if ((double)max > limit) break;
    }
  }
#undef AT
#undef PUSH
  free(stack);
  return (double)max;
}
