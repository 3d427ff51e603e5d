// The flat tree: one record of NX_STRIDE int32 per visible node, in pre-order (see
// src/nix/tree.ts, which reads it, and flatten.c, which writes it).
#ifndef NIXSHIFT_FLATTEN_H
#define NIXSHIFT_FLATTEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  NX_KIND = 0,     // symbol (bits 0-15) | flags below
  NX_START = 1,    // UTF-16 offset
  NX_END = 2,      // UTF-16 offset
  NX_PARENT = 3,   // record index, -1 for the root
  NX_NEXT = 4,     // next sibling, -1
  NX_FIELD = 5,    // field id, 0 for none
  NX_SUBTREE = 6,  // index just past the last descendant
  NX_STRIDE = 7,
};
enum {
  NX_NAMED = 1 << 16,
  NX_MISSING = 1 << 17,
  NX_HAS_ERROR = 1 << 18,
  NX_EXTRA = 1 << 19,
  NX_IS_ERROR = 1 << 20,
};

struct TSTree;

/** How many records the flat tree of `tree` has (its visible nodes). */
size_t nixshift_node_count(const struct TSTree *tree);
/** Write the `count` records of `tree` to `out`; 0, or -1 when the count did not match (or no memory). */
int nixshift_flatten(const struct TSTree *tree, int32_t *out, size_t count);
/** Free this thread's scratch memory after a deep tree. */
void nixshift_flatten_trim(void);
/** Free this thread's scratch memory (the thread ends). */
void nixshift_flatten_release(void);

#ifdef __cplusplus
}
#endif

#endif
