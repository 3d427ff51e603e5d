// The flat tree of a parse (see binding.cc and src/nix/tree.ts), made by walking tree-sitter's
// subtrees directly.
//
// tree-sitter's public cursor (ts_tree_cursor_*) does the same walk, but crosses several calls per
// node, looks up each node's field by walking back up its stack, and builds a TSNode for every
// property: about a quarter of a parse. Here one loop keeps, per level, what the cursor
// recomputes: the position, the alias sequence and field map of the parent, and the field an
// invisible parent passes down. The rules are the cursor's own (tree_cursor.c, node.c of the same
// vendored runtime), and test/flat-tree.test.ts checks the result against the tree-sitter Node
// binding node for node.
#include <stdint.h>
#include <stdlib.h>

#include "tree_sitter/api.h"
#include "./language.h"
#include "./subtree.h"
#include "./tree.h"

#include "flatten.h"

typedef struct {
  Subtree parent;              // whose children are being visited
  uint32_t child_index;        // next child to visit
  uint32_t structural_index;   // its index among the children that are not extras
  uint32_t position;           // its start (bytes, after its padding)
  const TSSymbol *aliases;     // the parent's alias sequence, or NULL
  const TSFieldMapEntry *fields, *fields_end;  // the parent's field map
  uint32_t inherited_field;    // the field an invisible parent passes to its children (0: none)
  int32_t record;              // the parent's record when it is visible (closed when done), else -1
} Frame;

typedef struct {
  int32_t record;
  int32_t last_child;
} Open;

static _Thread_local Frame *frames;
static _Thread_local size_t frames_cap;
static _Thread_local Open *opens;
static _Thread_local size_t opens_cap;

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * size);
  if (!q) return 0;
  *p = q;
  *cap = n;
  return 1;
}

size_t nixshift_node_count(const TSTree *tree) { return ts_subtree_visible_descendant_count(tree->root) + 1; }

static uint32_t field_of(const TSFieldMapEntry *map, const TSFieldMapEntry *end, uint32_t structural_index) {
  for (; map < end; map++) {
    if (!map->inherited && map->child_index == structural_index) return map->field_id;
  }
  return 0;
}

static Frame frame_of(const TSLanguage *lang, Subtree parent, uint32_t position, uint32_t inherited_field, int32_t record) {
  Frame f;
  f.parent = parent;
  f.child_index = 0;
  f.structural_index = 0;
  f.position = position;
  f.aliases = ts_language_alias_sequence(lang, parent.ptr->production_id);
  ts_language_field_map(lang, parent.ptr->production_id, &f.fields, &f.fields_end);
  f.inherited_field = inherited_field;
  f.record = record;
  return f;
}

// One record: `symbol` is the alias when there is one, `named` from it too.
static void write_record(int32_t *rec, const TSLanguage *lang, Subtree node, TSSymbol alias, uint32_t start, int32_t parent, uint32_t field, int32_t index) {
  TSSymbol sym = ts_language_public_symbol(lang, alias ? alias : ts_subtree_symbol(node));
  bool named = alias ? ts_language_symbol_metadata(lang, alias).named : ts_subtree_named(node);
  rec[NX_KIND] = (int32_t)sym | (named ? NX_NAMED : 0) | (ts_subtree_missing(node) ? NX_MISSING : 0) |
                 (ts_subtree_error_cost(node) > 0 ? NX_HAS_ERROR : 0) | (ts_subtree_extra(node) ? NX_EXTRA : 0) |
                 (sym == ts_builtin_sym_error ? NX_IS_ERROR : 0);
  rec[NX_START] = (int32_t)(start / 2);
  rec[NX_END] = (int32_t)((start + ts_subtree_size(node).bytes) / 2);
  rec[NX_PARENT] = parent;
  rec[NX_NEXT] = -1;
  rec[NX_FIELD] = (int32_t)field;
  rec[NX_SUBTREE] = index + 1;
}

int nixshift_flatten(const TSTree *tree, int32_t *out, size_t count) {
  const TSLanguage *lang = tree->language;
  size_t depth = 0, open_depth = 0, next = 0;
  const Subtree root = tree->root;
  uint32_t root_start = ts_subtree_padding(root).bytes;

  // The root, always visible, never aliased.
  write_record(out, lang, root, 0, root_start, -1, 0, 0);
  next = 1;
  if (ts_subtree_child_count(root) == 0) return next == count ? 0 : -1;
  if (!grow((void **)&frames, &frames_cap, 1, sizeof(Frame)) || !grow((void **)&opens, &opens_cap, 1, sizeof(Open))) return -1;
  frames[depth++] = frame_of(lang, root, root_start, 0, 0);
  opens[open_depth++] = (Open){0, -1};

  while (depth > 0) {
    Frame *f = &frames[depth - 1];
    uint32_t n = f->parent.ptr->child_count;
    if (f->child_index == n) {
      if (f->record >= 0) {
        out[(size_t)f->record * NX_STRIDE + NX_SUBTREE] = (int32_t)next;
        open_depth--;
      }
      depth--;
      continue;
    }
    const Subtree *children = ts_subtree_children(f->parent);
    const Subtree child = children[f->child_index];
    uint32_t start = f->position;
    bool extra = ts_subtree_extra(child);
    TSSymbol alias = 0;
    uint32_t field = 0;
    if (!extra) {
      if (f->aliases) alias = f->aliases[f->structural_index];
      field = field_of(f->fields, f->fields_end, f->structural_index);
      if (!field) field = f->inherited_field;
      f->structural_index++;
    }
    f->position += ts_subtree_size(child).bytes;
    f->child_index++;
    if (f->child_index < n) f->position += ts_subtree_padding(children[f->child_index]).bytes;

    bool has_children = ts_subtree_child_count(child) > 0;
    if (ts_subtree_visible(child) || alias) {
      if (next >= count) return -1;
      int32_t index = (int32_t)next++;
      Open *parent = &opens[open_depth - 1];
      write_record(out + (size_t)index * NX_STRIDE, lang, child, alias, start, parent->record, field, index);
      if (parent->last_child >= 0) out[(size_t)parent->last_child * NX_STRIDE + NX_NEXT] = index;
      parent->last_child = index;
      if (has_children) {
        if (!grow((void **)&frames, &frames_cap, depth + 1, sizeof(Frame)) || !grow((void **)&opens, &opens_cap, open_depth + 1, sizeof(Open))) return -1;
        frames[depth++] = frame_of(lang, child, start, 0, index);
        opens[open_depth++] = (Open){index, -1};
      }
    } else if (has_children && ts_subtree_visible_descendant_count(child) > 0) {
      // An invisible node: its children belong to the visible parent; the field it has passes down.
      if (!grow((void **)&frames, &frames_cap, depth + 1, sizeof(Frame))) return -1;
      frames[depth++] = frame_of(lang, child, start, field, -1);
    }
  }
  return next == count ? 0 : -1;
}

void nixshift_flatten_release(void) {
  free(frames);
  frames = NULL;
  frames_cap = 0;
  free(opens);
  opens = NULL;
  opens_cap = 0;
}

void nixshift_flatten_trim(void) {
  if (frames_cap > 4096) {
    free(frames);
    frames = NULL;
    frames_cap = 0;
  }
  if (opens_cap > 4096) {
    free(opens);
    opens = NULL;
    opens_cap = 0;
  }
}
