/* solve-kv / solve-full: the key/value store (kv.get, kv.get_async, kv.get_stream, kv.set).
 *
 * The runner turns the fixture's seed.json (x07.kv.seed@0.1.0) into .x07_kv/seed.evkv in the
 * run directory: "X7KV", u16 version 1, u32 count, then per entry u32 key_len, key, u32 val_len,
 * value (keys sorted bytewise). The store is loaded on first use and lives in memory for the run;
 * kv.set changes only that copy (the fixture stays read-only). A missing key reads as empty bytes. */
#include <string.h>

#include "x07rt.h"
#include "world_fixture.h"

typedef struct {
  x07_bytes key, val;
} kv_item;

static kv_item *items;
static uint32_t n_items, cap_items;
static int loaded;

static void grow(uint32_t need) {
  if (need <= cap_items) return;
  uint32_t cap = cap_items ? cap_items * 2 : 16;
  while (cap < need) cap *= 2;
  kv_item *g = (kv_item *)x07_alloc(cap * (uint32_t)sizeof(kv_item));
  if (n_items) memcpy(g, items, n_items * sizeof(kv_item));
  x07_free(items);
  items = g;
  cap_items = cap;
}

static void load(void) {
  if (loaded) return;
  loaded = 1;
  x07_bytes seed = x07_world_read_whole("kv seed", ".x07_kv/seed.evkv");
  if (seed.len < 10) x07_trap("kv seed too short");
  if (memcmp(seed.ptr, "X7KV", 4) != 0) x07_trap("kv seed bad magic");
  if ((seed.ptr[4] | (seed.ptr[5] << 8)) != 1) x07_trap("kv seed bad version");
  uint32_t count = x07_rd_u32le(seed.ptr + 6), off = 10;
  for (uint32_t i = 0; i < count; i++) {
    x07_bytes kv[2];
    for (int j = 0; j < 2; j++) {
      if (seed.len - off < 4) x07_trap(j ? "kv seed truncated vlen" : "kv seed truncated klen");
      uint32_t len = x07_rd_u32le(seed.ptr + off);
      off += 4;
      if (seed.len - off < len) x07_trap(j ? "kv seed truncated value" : "kv seed truncated key");
      kv[j] = x07_bytes_from(seed.ptr + off, len);
      off += len;
    }
    grow(n_items + 1);
    items[n_items].key = kv[0];
    items[n_items++].val = kv[1];
  }
  if (off != seed.len) x07_trap("kv seed trailing bytes");
  x07_bytes_drop(seed);
}

static kv_item *find(x07_view key) {
  load();
  for (uint32_t i = 0; i < n_items; i++)
    if (items[i].key.len == key.len && (key.len == 0 || memcmp(items[i].key.ptr, key.ptr, key.len) == 0))
      return &items[i];
  return 0;
}

x07_bytes x07_kv_get(x07_view key) {
  x07_metrics.kv_get_calls += 1;
  kv_item *it = find(key);
  return it ? x07_bytes_from(it->val.ptr, it->val.len) : x07_bytes_empty();
}

x07_iface x07_io_open_read_bytes(x07_view b);
x07_iface x07_kv_get_stream(x07_view key) {
  x07_metrics.kv_get_calls += 1;
  kv_item *it = find(key);
  x07_view v = {it ? it->val.ptr : 0, it ? it->val.len : 0};
  return x07_io_open_read_bytes(v);
}

/* 0 when the key existed (value replaced), 1 when it was added. */
uint32_t x07_kv_set(x07_bytes key, x07_bytes val) {
  x07_metrics.kv_set_calls += 1;
  kv_item *it = find(x07_bytes_view(key));
  if (it) {
    x07_bytes_drop(key);
    x07_bytes_drop(it->val);
    it->val = val;
    return 0;
  }
  grow(n_items + 1);
  items[n_items].key = key;
  items[n_items++].val = val;
  return 1;
}
