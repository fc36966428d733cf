/* map_u32 / set_u32: open-addressing tables owned by the runtime, addressed by
 * 1-based i32 handles that live until exit. Key 0xFFFFFFFF marks an empty slot,
 * so it is reserved; removal uses backward-shift deletion (no tombstones). */
#include "x07rt_mem.h"

#define EMPTY 0xFFFFFFFFu
typedef x07_table table; /* x07rt_core.h: the lookups are inline there */

x07_table *x07_tables;
uint64_t x07_n_tables;
x07_table x07_table_invalid = {0, 0, 2, 0, 0};
static uint32_t tables_cap;
#define tables x07_tables
#define n_tables x07_n_tables

static uint32_t new_table(uint32_t cap, uint32_t is_map, const char *bad_cap) {
  if (cap == 0 || (cap & (cap - 1))) x07_trap(bad_cap);
  if (n_tables == tables_cap) {
    uint32_t nc = tables_cap ? tables_cap * 2 : 8;
    table *t = (table *)x07_alloc_runtime(nc * (uint32_t)sizeof(table));
    for (uint32_t i = 0; i < n_tables; i++) t[i] = tables[i];
    tables = t;
    tables_cap = nc;
  }
  table *t = &tables[n_tables];
  t->cap = cap; t->len = 0; t->is_map = is_map;
  if ((uint64_t)cap * 4 > 0xFFFFFFF0u) x07_trap("out of memory");
  t->keys = (uint32_t *)x07_alloc_runtime(cap * 4);
  for (uint32_t i = 0; i < cap; i++) t->keys[i] = EMPTY;
  t->vals = is_map ? (uint32_t *)x07_alloc_runtime(cap * 4) : 0;
  return ++n_tables;
}

_Noreturn void x07_table_bad_handle(uint32_t is_map) {
  x07_trap(is_map ? "map_u32 invalid handle" : "set_u32 invalid handle");
}

static table *get(uint32_t h, uint32_t is_map) { return x07_table_at(h, is_map); }

static uint32_t slot_of(table *t, uint32_t k) { return (k * 2654435769u) & (t->cap - 1); }

static uint32_t find(table *t, uint32_t k, int *found) { return x07_table_find(t, k, found); }

static void remove_at(table *t, uint32_t i) {
  uint32_t m = t->cap - 1, j = i;
  t->keys[i] = EMPTY;
  for (;;) {
    j = (j + 1) & m;
    if (t->keys[j] == EMPTY) break;
    uint32_t home = slot_of(t, t->keys[j]);
    /* move j back to i if its home is not cyclically within (i, j] */
    if (((j - home) & m) >= ((j - i) & m)) {
      t->keys[i] = t->keys[j];
      if (t->vals) t->vals[i] = t->vals[j];
      t->keys[j] = EMPTY;
      i = j;
    }
  }
  t->len--;
}

static x07_bytes dump(table *t) {
  x07_bytes b = x07_bytes_new(t->len * (t->vals ? 8u : 4u));
  uint32_t o = 0;
  for (uint32_t i = 0; i < t->cap; i++) {
    if (t->keys[i] == EMPTY) continue;
    x07_wr_u32le(b.ptr + o, t->keys[i]); o += 4;
    if (t->vals) { x07_wr_u32le(b.ptr + o, t->vals[i]); o += 4; }
  }
  return b;
}

uint32_t x07_map_u32_new(uint32_t cap) { return new_table(cap, 1, "map_u32.new cap must be power of two"); }
uint32_t x07_map_u32_len(uint32_t h) { return get(h, 1)->len; }
uint32_t x07_map_u32_remove(uint32_t h, uint32_t k) {
  table *t = get(h, 1);
  if (k == EMPTY) x07_trap("map_u32.remove key=-1 reserved");
  int f; uint32_t i = find(t, k, &f);
  if (!f) return 0;
  remove_at(t, i);
  return 1;
}
x07_bytes x07_map_u32_dump_kv(uint32_t h) { return dump(get(h, 1)); }

uint32_t x07_set_u32_new(uint32_t cap) { return new_table(cap, 0, "set_u32.new cap must be power of two"); }
uint32_t x07_set_u32_len(uint32_t h) { return get(h, 0)->len; }
uint32_t x07_set_u32_add(uint32_t h, uint32_t k) {
  table *t = get(h, 0);
  if (k == EMPTY) x07_trap("set_u32.add key=-1 reserved");
  int f; uint32_t i = find(t, k, &f);
  if (f) return 0;
  if (t->len + 1 >= t->cap) x07_trap("set_u32 full");
  t->keys[i] = k; t->len++;
  return 1;
}
uint32_t x07_set_u32_contains(uint32_t h, uint32_t k) {
  table *t = get(h, 0);
  if (k == EMPTY) x07_trap("set_u32.contains key=-1 reserved");
  int f; find(t, k, &f);
  return (uint32_t)f;
}
uint32_t x07_set_u32_remove(uint32_t h, uint32_t k) {
  table *t = get(h, 0);
  if (k == EMPTY) x07_trap("set_u32.remove key=-1 reserved");
  int f; uint32_t i = find(t, k, &f);
  if (!f) return 0;
  remove_at(t, i);
  return 1;
}
x07_bytes x07_set_u32_dump(uint32_t h) { return dump(get(h, 0)); }
