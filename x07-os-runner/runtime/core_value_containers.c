/* vec_value / map_value: runtime-owned containers of i32 or bytes values,
 * addressed by 1-based i32 handles that live until exit (every update returns
 * the handle). The element type is fixed at creation by a value type id
 * (1 i32, 2 u32, 3 bytes, 4 bytes_view); each typed operation checks it and
 * traps "... ty mismatch" otherwise. bytes elements are owned by the container:
 * push/set/insert move them in, get returns a copy, pop/clear/remove/replace
 * drop them. bytes_view elements (id 4) are rejected by the compiler, so the
 * runtime never stores a borrowed view (see compiler/README.md).
 * Maps: open addressing, linear probing, backward-shift deletion, grown to
 * twice the capacity above 70% load (capacity stays a power of two). */
#include "x07rt_mem.h"

enum { TY_I32 = 1, TY_U32 = 2, TY_BYTES = 3, TY_VIEW = 4 };

typedef union {
  uint32_t i;
  x07_bytes b;
} slot;

static uint32_t check_ty_id(uint32_t id) {
  if (id < TY_I32 || id > TY_VIEW) x07_trap("value ty_id invalid");
  return id;
}
static int is_int_ty(uint32_t id) { return id == TY_I32 || id == TY_U32; }
static void drop_slot(uint32_t ty, slot *s) {
  if (ty == TY_BYTES) x07_bytes_drop(s->b);
}
static x07_bytes clone_bytes(x07_bytes b) { return x07_bytes_from(b.ptr, b.len); }
/* Slot arrays are runtime memory (untracked, like the map_u32 tables); only the bytes elements count
 * in mem_stats, so a cleared container holds no live program bytes. */
static void *arr_alloc(uint32_t n) { return x07_alloc_runtime(n); }
static void arr_free(void *p) {
  x07_mem_stats saved = x07_mem;
  x07_free(p);
  x07_mem = saved;
}

/* ---- handle tables (grown by doubling, runtime-owned) ---- */
static void **grow_handles(void **items, uint32_t len, uint32_t *cap) {
  if (len < *cap) return items;
  uint32_t nc = *cap ? *cap * 2 : 8;
  void **n = (void **)x07_alloc_runtime(nc * (uint32_t)sizeof(void *));
  for (uint32_t i = 0; i < len; i++) n[i] = items[i];
  *cap = nc;
  return n;
}

/* ================= vec_value ================= */
typedef struct { uint32_t ty, len, cap; slot *data; } vvec;
static void **vecs;
static uint32_t n_vecs, vecs_cap;

static vvec *vec_get(uint32_t h) {
  if (h == 0 || h > n_vecs) x07_trap("vec_value invalid handle");
  return (vvec *)vecs[h - 1];
}
static void vec_reserve(vvec *v, uint32_t need) {
  if (need <= v->cap) return;
  if ((uint64_t)need * sizeof(slot) > 0x7FFFFFFFu) x07_trap("vec_value cap overflow");
  slot *d = (slot *)arr_alloc(need * (uint32_t)sizeof(slot));
  for (uint32_t i = 0; i < v->len; i++) d[i] = v->data[i];
  arr_free(v->data);
  v->data = d;
  v->cap = need;
}
static void vec_push(vvec *v, slot s) {
  if (v->len == v->cap) {
    uint32_t nc = v->cap ? v->cap : 1;
    while (nc < v->len + 1) nc = nc > 0x3FFFFFFFu ? v->len + 1 : nc * 2;
    vec_reserve(v, nc);
  }
  v->data[v->len++] = s;
}
static vvec *vec_typed(uint32_t h, uint32_t ty, const char *mismatch) {
  vvec *v = vec_get(h);
  if (ty == TY_I32 ? !is_int_ty(v->ty) : v->ty != ty) x07_trap(mismatch);
  return v;
}

uint32_t x07_vec_value_with_capacity(uint32_t ty_id, uint32_t cap) {
  check_ty_id(ty_id);
  vvec *v = (vvec *)x07_alloc_runtime((uint32_t)sizeof(vvec));
  v->ty = ty_id;
  if (cap) {
    if ((uint64_t)cap * sizeof(slot) > 0x7FFFFFFFu) x07_trap("vec_value.with_capacity cap overflow");
    vec_reserve(v, cap);
  }
  vecs = grow_handles(vecs, n_vecs, &vecs_cap);
  vecs[n_vecs++] = v;
  return n_vecs;
}
uint32_t x07_vec_value_len(uint32_t h) { return vec_get(h)->len; }
uint32_t x07_vec_value_reserve_exact(uint32_t h, uint32_t additional) {
  vvec *v = vec_get(h);
  if (additional > 0xFFFFFFFFu - v->len) x07_trap("vec_value.reserve_exact overflow");
  vec_reserve(v, v->len + additional);
  return h;
}
uint32_t x07_vec_value_pop(uint32_t h) {
  vvec *v = vec_get(h);
  if (v->len) drop_slot(v->ty, &v->data[--v->len]);
  return h;
}
uint32_t x07_vec_value_clear(uint32_t h) {
  vvec *v = vec_get(h);
  for (uint32_t i = 0; i < v->len; i++) drop_slot(v->ty, &v->data[i]);
  v->len = 0;
  return h;
}
uint32_t x07_vec_value_push_i32(uint32_t h, uint32_t x) {
  slot s;
  s.i = x;
  vec_push(vec_typed(h, TY_I32, "vec_value.push_i32_v1 ty mismatch"), s);
  return h;
}
uint32_t x07_vec_value_push_bytes(uint32_t h, x07_bytes x) {
  slot s;
  s.b = x;
  vec_push(vec_typed(h, TY_BYTES, "vec_value.push_bytes_v1 ty mismatch"), s);
  return h;
}
uint32_t x07_vec_value_get_i32(uint32_t h, uint32_t idx, uint32_t dflt) {
  vvec *v = vec_typed(h, TY_I32, "vec_value.get_i32_v1 ty mismatch");
  return idx < v->len ? v->data[idx].i : dflt;
}
x07_bytes x07_vec_value_get_bytes(uint32_t h, uint32_t idx, x07_bytes dflt) {
  vvec *v = vec_typed(h, TY_BYTES, "vec_value.get_bytes_v1 ty mismatch");
  if (idx >= v->len) return dflt;
  x07_bytes_drop(dflt);
  return clone_bytes(v->data[idx].b);
}
uint32_t x07_vec_value_set_i32(uint32_t h, uint32_t idx, uint32_t x) {
  vvec *v = vec_typed(h, TY_I32, "vec_value.set_i32_v1 ty mismatch");
  if (idx >= v->len) x07_trap("vec_value.set oob");
  v->data[idx].i = x;
  return h;
}
uint32_t x07_vec_value_set_bytes(uint32_t h, uint32_t idx, x07_bytes x) {
  vvec *v = vec_typed(h, TY_BYTES, "vec_value.set_bytes_v1 ty mismatch");
  if (idx >= v->len) x07_trap("vec_value.set oob");
  x07_bytes_drop(v->data[idx].b);
  v->data[idx].b = x;
  return h;
}

/* ================= map_value ================= */
typedef struct {
  uint32_t kty, vty, cap, len;
  uint8_t *used;
  uint32_t *hash;
  slot *keys, *vals;
} vmap;
static void **maps;
static uint32_t n_maps, maps_cap;

static vmap *map_get(uint32_t h) {
  if (h == 0 || h > n_maps) x07_trap("map_value invalid handle");
  return (vmap *)maps[h - 1];
}
static uint32_t key_hash(uint32_t kty, const slot *k) {
  if (kty == TY_BYTES) return x07_ty_hash32_bytes(x07_bytes_view(k->b));
  return x07_mix32(k->i);
}
static int key_eq(uint32_t kty, const slot *a, const slot *b) {
  if (kty == TY_BYTES) return x07_view_eq(x07_bytes_view(a->b), x07_bytes_view(b->b)) != 0;
  return a->i == b->i;
}
static void map_alloc(vmap *m, uint32_t cap) {
  if ((uint64_t)cap * sizeof(slot) > 0x7FFFFFFFu) x07_trap("out of memory");
  m->cap = cap;
  m->len = 0;
  m->used = (uint8_t *)arr_alloc(cap);
  m->hash = (uint32_t *)arr_alloc(cap * 4u);
  m->keys = (slot *)arr_alloc(cap * (uint32_t)sizeof(slot));
  m->vals = (slot *)arr_alloc(cap * (uint32_t)sizeof(slot));
}
/* index of the key, or of the free slot where it would go (the table is never full) */
static uint32_t map_find(const vmap *m, const slot *k, uint32_t hash, int *found) {
  uint32_t mask = m->cap - 1, i = hash & mask;
  while (m->used[i]) {
    if (m->hash[i] == hash && key_eq(m->kty, &m->keys[i], k)) {
      *found = 1;
      return i;
    }
    i = (i + 1) & mask;
  }
  *found = 0;
  return i;
}
static void map_grow(vmap *m) {
  vmap old = *m;
  if (old.cap > 0x3FFFFFFFu) x07_trap("map_value cap overflow");
  map_alloc(m, old.cap * 2);
  for (uint32_t i = 0; i < old.cap; i++) {
    if (!old.used[i]) continue;
    int f;
    uint32_t j = map_find(m, &old.keys[i], old.hash[i], &f);
    m->used[j] = 1;
    m->hash[j] = old.hash[i];
    m->keys[j] = old.keys[i];
    m->vals[j] = old.vals[i];
    m->len++;
  }
  arr_free(old.used);
  arr_free(old.hash);
  arr_free(old.keys);
  arr_free(old.vals);
}
static void map_remove_at(vmap *m, uint32_t i) {
  uint32_t mask = m->cap - 1, j = i;
  m->used[i] = 0;
  for (;;) {
    j = (j + 1) & mask;
    if (!m->used[j]) break;
    uint32_t home = m->hash[j] & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {
      m->used[i] = 1;
      m->hash[i] = m->hash[j];
      m->keys[i] = m->keys[j];
      m->vals[i] = m->vals[j];
      m->used[j] = 0;
      i = j;
    }
  }
  m->len--;
}
static vmap *map_typed(uint32_t h, uint32_t kty, uint32_t vty, const char *kmis, const char *vmis) {
  vmap *m = map_get(h);
  if (kty == TY_I32 ? !is_int_ty(m->kty) : m->kty != kty) x07_trap(kmis);
  if (vty && (vty == TY_I32 ? !is_int_ty(m->vty) : m->vty != vty)) x07_trap(vmis);
  return m;
}
/* Looks the key up; a bytes key is dropped afterwards (the operations take it by value). */
static int map_lookup(vmap *m, slot *k, uint32_t *idx) {
  int f;
  *idx = map_find(m, k, key_hash(m->kty, k), &f);
  drop_slot(m->kty, k);
  return f;
}
static void map_insert(vmap *m, slot k, slot v) {
  uint32_t hash = key_hash(m->kty, &k);
  int f;
  uint32_t i = map_find(m, &k, hash, &f);
  if (f) {
    drop_slot(m->kty, &k);
    drop_slot(m->vty, &m->vals[i]);
    m->vals[i] = v;
    return;
  }
  if ((uint64_t)(m->len + 1) * 10 > (uint64_t)m->cap * 7) {
    map_grow(m);
    i = map_find(m, &k, hash, &f);
  }
  m->used[i] = 1;
  m->hash[i] = hash;
  m->keys[i] = k;
  m->vals[i] = v;
  m->len++;
}

uint32_t x07_map_value_new(uint32_t k_id, uint32_t v_id, uint32_t cap) {
  if (cap == 0 || (cap & (cap - 1))) x07_trap("map_value.new cap must be power of two");
  check_ty_id(k_id);
  check_ty_id(v_id);
  vmap *m = (vmap *)x07_alloc_runtime((uint32_t)sizeof(vmap));
  m->kty = k_id;
  m->vty = v_id;
  map_alloc(m, cap < 2 ? 2 : cap);
  maps = grow_handles(maps, n_maps, &maps_cap);
  maps[n_maps++] = m;
  return n_maps;
}
uint32_t x07_map_value_len(uint32_t h) { return map_get(h)->len; }
uint32_t x07_map_value_clear(uint32_t h) {
  vmap *m = map_get(h);
  for (uint32_t i = 0; i < m->cap; i++) {
    if (!m->used[i]) continue;
    drop_slot(m->kty, &m->keys[i]);
    drop_slot(m->vty, &m->vals[i]);
    m->used[i] = 0;
  }
  m->len = 0;
  return h;
}

#define KEY_I32(x) slot k; k.i = (x)
#define KEY_BYTES(x) slot k; k.b = (x)
#define CONTAINS(NAME, KTY, KDECL, KT)                                                       \
  uint32_t x07_map_value_contains_##NAME(uint32_t h, KT key) {                                \
    vmap *m = map_typed(h, KTY, 0, "map_value.contains_" #NAME "_v1 key ty mismatch", 0);     \
    KDECL(key);                                                                               \
    uint32_t i;                                                                               \
    return (uint32_t)map_lookup(m, &k, &i);                                                   \
  }                                                                                           \
  uint32_t x07_map_value_remove_##NAME(uint32_t h, KT key) {                                  \
    vmap *m = map_typed(h, KTY, 0, "map_value.remove_" #NAME "_v1 key ty mismatch", 0);       \
    KDECL(key);                                                                               \
    uint32_t i;                                                                               \
    if (map_lookup(m, &k, &i)) {                                                              \
      drop_slot(m->kty, &m->keys[i]);                                                         \
      drop_slot(m->vty, &m->vals[i]);                                                         \
      map_remove_at(m, i);                                                                    \
    }                                                                                         \
    return h;                                                                                 \
  }
CONTAINS(i32, TY_I32, KEY_I32, uint32_t)
CONTAINS(bytes, TY_BYTES, KEY_BYTES, x07_bytes)

#define GET_SET(KN, VN, KTY, VTY, KDECL, KT, VT, VFIELD, ON_HIT)                                     \
  VT x07_map_value_get_##KN##_##VN(uint32_t h, KT key, VT dflt) {                                   \
    vmap *m = map_typed(h, KTY, VTY, "map_value.get key ty mismatch", "map_value.get val ty mismatch"); \
    KDECL(key);                                                                                     \
    uint32_t i;                                                                                     \
    if (!map_lookup(m, &k, &i)) return dflt;                                                        \
    ON_HIT                                                                                          \
  }                                                                                                 \
  uint32_t x07_map_value_set_##KN##_##VN(uint32_t h, KT key, VT val) {                              \
    vmap *m = map_typed(h, KTY, VTY, "map_value.set key ty mismatch", "map_value.set val ty mismatch"); \
    KDECL(key);                                                                                     \
    slot v;                                                                                         \
    v.VFIELD = val;                                                                                 \
    map_insert(m, k, v);                                                                            \
    return h;                                                                                       \
  }
#define HIT_I32 return m->vals[i].i;
#define HIT_BYTES x07_bytes_drop(dflt); return clone_bytes(m->vals[i].b);
GET_SET(i32, i32, TY_I32, TY_I32, KEY_I32, uint32_t, uint32_t, i, HIT_I32)
GET_SET(i32, bytes, TY_I32, TY_BYTES, KEY_I32, uint32_t, x07_bytes, b, HIT_BYTES)
GET_SET(bytes, i32, TY_BYTES, TY_I32, KEY_BYTES, x07_bytes, uint32_t, i, HIT_I32)
GET_SET(bytes, bytes, TY_BYTES, TY_BYTES, KEY_BYTES, x07_bytes, x07_bytes, b, HIT_BYTES)
