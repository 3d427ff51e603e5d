// How deeply a Nix text nests (see nesting.c and src/nix/nesting.ts).
#ifndef NIXSHIFT_NESTING_H
#define NIXSHIFT_NESTING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The deepest nesting of `( [ { ${` and `let … in` in the UTF-16 text `s` of `n` units; stops
// counting (and returns) as soon as the depth is past `limit`. -1 when out of memory.
double nixshift_nesting_depth(const uint16_t *s, size_t n, double limit);

#ifdef __cplusplus
}
#endif

#endif
