/* Hot core builtins as static inline functions, included by every generated
 * program after x07rt.h. Keep it small: it is parsed on every program compile.
 * Cold paths (growth, formatting, parsing, tables) live in core_builtins.c. */
#ifndef X07RT_CORE_H
#define X07RT_CORE_H
#include "x07rt.h"

#define X07_LIKELY(x) __builtin_expect(!!(x), 1)
#define X07_UNLIKELY(x) __builtin_expect(!!(x), 0)

static inline x07_view x07_view_of(const void *p, uint32_t n) { x07_view v = {(const uint8_t *)p, n}; return v; }
static inline x07_view x07_vec_view(x07_vec v) { return x07_view_of(v.ptr, v.len); }

/* Fuel for a whole `for` loop of known trip count (unsigned [start, end)), charged up front. */
static inline void x07_fuel_loop(uint32_t start, uint32_t end, uint32_t per_iter) {
  uint64_t need = (end > start ? (uint64_t)(end - start) : 0u) * per_iter;
  x07_fuel_left = need > x07_fuel_left ? (x07_trap_fuel(), 0u) : x07_fuel_left - need;
}

/* ---- i32 operators whose C spelling is not a single operator ---- */
static inline uint32_t x07_divu(uint32_t a, uint32_t b) { return b ? a / b : 0; }
static inline uint32_t x07_remu(uint32_t a, uint32_t b) { return b ? a % b : a; }

/* ---- counters the runtime shares with the inline paths ---- */
extern uint64_t x07_memcpy_bytes;
void x07_copy(void *dst, const void *src, uint32_t n); /* counted memcpy */
typedef struct {
  uint64_t alloc_calls, realloc_calls, free_calls, bytes_alloc_total, bytes_freed_total;
  uint64_t live_bytes, peak_live_bytes, live_allocs, peak_live_allocs;
} x07_mem_stats;
extern x07_mem_stats x07_mem;
/* mem_stats accounting of one n-byte allocation / free: the arena's own, and a fused
 * builtin's temporary, which it writes straight into its destination (e.g.
 * vec_u8.extend_bytes of fmt.u32_to_dec) but counts as allocated and freed, so
 * alloc_calls/alloc_bytes (budgets, mem_stats) match the unfused program. */
static inline void x07_mem_count_alloc(uint32_t n) {
  x07_mem.alloc_calls++;
  x07_mem.bytes_alloc_total += n;
  x07_mem.live_bytes += n;
  x07_mem.live_allocs++;
  if (x07_mem.live_bytes > x07_mem.peak_live_bytes) x07_mem.peak_live_bytes = x07_mem.live_bytes;
  if (x07_mem.live_allocs > x07_mem.peak_live_allocs) x07_mem.peak_live_allocs = x07_mem.live_allocs;
}
static inline void x07_mem_count_free(uint32_t n) {
  x07_mem.free_calls++;
  x07_mem.bytes_freed_total += n;
  x07_mem.live_bytes -= n;
  x07_mem.live_allocs--;
}

/* ---- view ---- */
static inline uint32_t x07_view_get_u8(x07_view v, uint32_t i, const char *ptr) {
  if (X07_UNLIKELY(i >= v.len)) x07_trap_oob("view.get_u8 oob", ptr, i, 1, v.len);
  return v.ptr[i];
}
/* loop versioning: guards over the whole index range [s, e) of a loop, and the
 * accesses they prove in bounds */
static inline uint32_t x07_vcheck_add(uint32_t s, uint32_t e, uint32_t off, uint32_t len) { /* i + off */
  return e <= s || (uint64_t)(e - 1u) + off < len;
}
static inline uint32_t x07_vcheck_sub(uint32_t s, uint32_t e, uint32_t off, uint32_t len) { /* off - i */
  return e <= s || (off >= e - 1u && off - s < len);
}
static inline uint32_t x07_view_get_u8_nc(x07_view v, uint32_t i) { return v.ptr[i]; }
static inline x07_bytes x07_bytes_set_u8_nc(x07_bytes b, uint32_t i, uint32_t x) { b.ptr[i] = (uint8_t)x; return b; }
static inline x07_view x07_view_slice(x07_view v, uint32_t s, uint32_t n, const char *ptr) {
  if (X07_UNLIKELY(s > v.len || n > v.len - s)) x07_trap_oob("view.slice oob", ptr, s, n, v.len);
  return x07_view_of(v.ptr + s, n);
}
static inline x07_bytes x07_view_to_bytes(x07_view v) { return x07_bytes_from(v.ptr, v.len); }
uint32_t x07_view_eq(x07_view a, x07_view b);
uint32_t x07_view_cmp_range(x07_view a, uint32_t ao, uint32_t al, x07_view b, uint32_t bo, uint32_t bl);

/* ---- bytes ---- */
/* bytes.alloc, inline so that the C compiler sees len == n and drops the bounds checks that a
 * loop's own condition already proves (`while (j < n) ... bytes.set_u8 b j ...`) */
static inline x07_bytes x07_bytes_alloc(uint32_t n) {
  x07_bytes b = {0, 0};
  if (n) {
    b.ptr = (uint8_t *)x07_alloc(n);
    b.len = n;
  }
  return b;
}
static inline x07_bytes x07_bytes1(uint32_t x) { x07_bytes b = x07_bytes_new(1); b.ptr[0] = (uint8_t)x; return b; }
static inline x07_bytes x07_bytes_set_u8(x07_bytes b, uint32_t i, uint32_t x, const char *ptr) {
  if (X07_UNLIKELY(i >= b.len)) x07_trap_oob("bytes.set_u8 oob", ptr, i, 1, b.len);
  b.ptr[i] = (uint8_t)x;
  return b;
}
static inline x07_bytes x07_bytes_slice(x07_view v, uint32_t s, uint32_t n, const char *ptr) {
  return x07_view_to_bytes(x07_view_slice(v, s, n, ptr));
}
static inline x07_view x07_bytes_subview(x07_bytes b, uint32_t s, uint32_t n, const char *ptr) {
  if (X07_UNLIKELY(s > b.len || n > b.len - s)) x07_trap_oob("bytes.subview oob", ptr, s, n, b.len);
  return x07_view_of(b.ptr + s, n);
}
x07_bytes x07_bytes_copy(x07_bytes src, x07_bytes dst);
x07_bytes x07_bytes_concat(x07_bytes a, x07_bytes b);

/* ---- vec_u8 ---- */
x07_vec x07_vec_with_capacity(uint32_t cap);
x07_vec x07_vec_grow1(x07_vec v); /* cap 0 -> 1, else x2 (by value: keeps callers' vecs in registers) */
static inline x07_vec x07_vec_push(x07_vec v, uint32_t x) {
  if (X07_UNLIKELY(v.len == v.cap)) v = x07_vec_grow1(v);
  v.ptr[v.len++] = (uint8_t)x;
  return v;
}
static inline uint32_t x07_vec_len(x07_vec v) { return v.len; }
static inline uint32_t x07_vec_cap(x07_vec v) { return v.cap; }
static inline uint32_t x07_vec_get(x07_vec v, uint32_t i) {
  if (X07_UNLIKELY(i >= v.len)) x07_trap_oob("vec_u8.get oob", 0, i, 1, v.len);
  return v.ptr[i];
}
static inline x07_vec x07_vec_set(x07_vec v, uint32_t i, uint32_t x) {
  if (X07_UNLIKELY(i >= v.len)) x07_trap_oob("vec_u8.set oob", 0, i, 1, v.len);
  v.ptr[i] = (uint8_t)x;
  return v;
}
x07_vec x07_vec_reserve_exact(x07_vec v, uint32_t add);
x07_vec x07_vec_extend_zeroes(x07_vec v, uint32_t n);
x07_vec x07_vec_extend_bytes_grow(x07_vec v, x07_view b);
/* short appends that fit copy in place (string building); the rest go through the runtime */
static inline x07_vec x07_vec_extend_bytes(x07_vec v, x07_view b) {
  if (X07_UNLIKELY(b.len > 16u || b.len > v.cap - v.len)) return x07_vec_extend_bytes_grow(v, b);
  for (uint32_t i = 0; i < b.len; i++) v.ptr[v.len + i] = b.ptr[i];
  v.len += b.len;
  x07_memcpy_bytes += b.len;
  return v;
}
x07_vec x07_vec_extend_bytes_range(x07_vec v, x07_view b, uint32_t s, uint32_t n);
/* room for n more bytes, grown like vec_u8.extend_bytes grows (cold path of the fused appends) */
x07_vec x07_vec_extend_reserve(x07_vec v, uint32_t n);
static inline x07_vec x07_vec_clear(x07_vec v) { v.len = 0; return v; }
x07_bytes x07_vec_into_bytes(x07_vec v);

/* ---- option / result ---- */
static inline x07_opt_i32 x07_opt_i32_some(uint32_t x) { x07_opt_i32 o = {1, x}; return o; }
static inline x07_opt_i32 x07_opt_i32_none(void) { x07_opt_i32 o = {0, 0}; return o; }
static inline uint32_t x07_opt_i32_is_some(x07_opt_i32 o) { return o.tag == 1; }
static inline uint32_t x07_opt_i32_unwrap_or(x07_opt_i32 o, uint32_t d) { return o.tag == 1 ? o.val : d; }
static inline x07_opt_bytes x07_opt_bytes_some(x07_bytes b) { x07_opt_bytes o; o.tag = 1; o.val = b; return o; }
static inline x07_opt_bytes x07_opt_bytes_none(void) { x07_opt_bytes o; o.tag = 0; o.val = x07_bytes_empty(); return o; }
static inline uint32_t x07_opt_bytes_is_some(x07_opt_bytes o) { return o.tag == 1; }
static inline x07_bytes x07_opt_bytes_unwrap_or(x07_opt_bytes o, x07_bytes d) {
  if (o.tag == 1) { x07_bytes_drop(d); return o.val; }
  x07_bytes_drop(o.val);
  return d;
}
/* option_bytes.unwrap_or with an identifier default: the variable is emptied only when used */
static inline x07_bytes x07_opt_bytes_unwrap_or_var(x07_opt_bytes o, x07_bytes *d) {
  if (o.tag == 1) return o.val;
  x07_bytes_drop(o.val);
  x07_bytes r = *d;
  d->ptr = 0;
  d->len = 0;
  return r;
}
static inline x07_opt_view x07_opt_view_some(x07_view v) { x07_opt_view o; o.tag = 1; o.val = v; return o; }
static inline x07_opt_view x07_opt_view_none(void) { x07_opt_view o; o.tag = 0; o.val = x07_view_of(0, 0); return o; }
static inline uint32_t x07_opt_view_is_some(x07_opt_view o) { return o.tag == 1; }
static inline x07_view x07_opt_view_unwrap_or(x07_opt_view o, x07_view d) { return o.tag == 1 ? o.val : d; }

static inline uint32_t x07_res_i32_is_ok(x07_res_i32 r) { return r.tag == 1; }
static inline uint32_t x07_res_i32_err_code(x07_res_i32 r) { return r.tag == 1 ? 0 : r.val; }
static inline uint32_t x07_res_i32_unwrap_or(x07_res_i32 r, uint32_t d) { return r.tag == 1 ? r.val : d; }
static inline uint32_t x07_res_bytes_is_ok(x07_res_bytes r) { return r.tag == 1; }
static inline uint32_t x07_res_bytes_err_code(x07_res_bytes r) { return r.tag == 1 ? 0 : r.err; }
static inline x07_bytes x07_res_bytes_unwrap_or(x07_res_bytes r, x07_bytes d) {
  if (r.tag == 1) { x07_bytes_drop(d); return r.ok; }
  x07_bytes_drop(r.ok);
  return d;
}
static inline x07_res_view x07_res_view_ok(x07_view v) { x07_res_view r; r.tag = 1; r.err = 0; r.ok = v; return r; }
static inline x07_res_view x07_res_view_err(uint32_t c) { x07_res_view r; r.tag = 0; r.err = c; r.ok = x07_view_of(0, 0); return r; }
static inline uint32_t x07_res_view_is_ok(x07_res_view r) { return r.tag == 1; }
static inline uint32_t x07_res_view_err_code(x07_res_view r) { return r.tag == 1 ? 0 : r.err; }
static inline x07_view x07_res_view_unwrap_or(x07_res_view r, x07_view d) { return r.tag == 1 ? r.ok : d; }

/* std.brand.cast_*: r is the validator's verdict on the value */
static inline x07_res_bytes x07_brand_cast_bytes(x07_res_i32 r, x07_bytes b) {
  if (r.tag == 1) return x07_res_bytes_ok(b);
  x07_bytes_drop(b);
  return x07_res_bytes_err(r.val);
}
static inline x07_res_view x07_brand_cast_view(x07_res_i32 r, x07_view v) {
  return r.tag == 1 ? x07_res_view_ok(v) : x07_res_view_err(r.val);
}
static inline x07_res_bytes x07_brand_cast_view_copy(x07_res_i32 r, x07_view v) {
  return r.tag == 1 ? x07_res_bytes_ok(x07_view_to_bytes(v)) : x07_res_bytes_err(r.val);
}

/* drop glue for owned aggregates */
static inline void x07_vec_drop_inl(x07_vec v) { x07_free(v.ptr); }
static inline void x07_opt_bytes_drop(x07_opt_bytes o) { x07_free(o.val.ptr); }
static inline void x07_res_bytes_drop(x07_res_bytes r) { x07_free(r.ok.ptr); }

/* ---- codec / fmt / parse / prng / process ---- */
static inline uint32_t x07_codec_read_u32_le(x07_view b, uint32_t off) {
  if (X07_UNLIKELY(off > b.len || b.len - off < 4)) x07_trap_oob("codec.read_u32_le oob", 0, off, 4, b.len);
  return x07_rd_u32le(b.ptr + off);
}
static inline x07_bytes x07_codec_write_u32_le(uint32_t x) { x07_bytes b = x07_bytes_new(4); x07_wr_u32le(b.ptr, x); return b; }
x07_bytes x07_fmt_u32_to_dec(uint32_t x);
x07_bytes x07_fmt_s32_to_dec(uint32_t x);
static inline uint32_t x07_dec_len_u32(uint32_t x) {
  uint32_t n = 1, p = 10u;
  while (n < 10u && x >= p) { n++; p *= 10u; }
  return n;
}
/* writes the n = x07_dec_len_u32(x) digits of x ending just before `end` */
static inline void x07_put_dec_u32(uint8_t *end, uint32_t x) {
  do { *--end = (uint8_t)('0' + x % 10u); x /= 10u; } while (x);
}
/* Fused vec_u8.extend_bytes(v, <producer>) (compiler: lower.cpp, fused_appends): the
 * producer's bytes go straight into v; fuel and mem_stats as for the unfused pair. */
static inline x07_vec x07_vec_extend_u32_dec(x07_vec v, uint32_t x) {
  uint32_t n = x07_dec_len_u32(x);
  x07_mem_count_alloc(n);
  if (X07_UNLIKELY(n > v.cap - v.len)) v = x07_vec_extend_reserve(v, n);
  x07_put_dec_u32(v.ptr + v.len + n, x);
  v.len += n;
  x07_memcpy_bytes += n;
  x07_mem_count_free(n);
  return v;
}
x07_vec x07_vec_extend_s32_dec_neg(x07_vec v, uint32_t x);
static inline x07_vec x07_vec_extend_s32_dec(x07_vec v, uint32_t x) {
  return (int32_t)x >= 0 ? x07_vec_extend_u32_dec(v, x) : x07_vec_extend_s32_dec_neg(v, x);
}
static inline x07_vec x07_vec_extend_u32_le(x07_vec v, uint32_t x) {
  x07_mem_count_alloc(4u);
  if (X07_UNLIKELY(4u > v.cap - v.len)) v = x07_vec_extend_reserve(v, 4u);
  x07_wr_u32le(v.ptr + v.len, x);
  v.len += 4u;
  x07_memcpy_bytes += 4u;
  x07_mem_count_free(4u);
  return v;
}
uint32_t x07_parse_u32_dec(x07_view b);
uint32_t x07_parse_u32_dec_at(x07_view b, uint32_t off);
static inline uint32_t x07_prng_lcg_next_u32(uint32_t s) { return s * 1103515245u + 12345u; }
static inline uint32_t x07_process_set_exit_code(uint32_t c) {
  x07_exit_code = ((int32_t)c < 0 || (int32_t)c > 255) ? 255u : c;
  return c;
}

/* ---- map_u32 / set_u32: runtime-owned open addressing tables ----
 * Lookups and inserts are inline (a hash-map loop otherwise spends its time in calls);
 * creation, removal and dumps live in core_tables.c. Key 0xFFFFFFFF marks an empty slot. */
/* Written so that gcc can keep a table's fields in registers across a loop: the bookkeeping is
 * 64-bit (a store into keys/vals, uint32_t, cannot alias it), and an unknown handle selects
 * x07_table_invalid (is_map 2, matches no kind) instead of branching, so reading the
 * fields never depends on the check and can move out of the loop. */
typedef struct { uint64_t cap, len, is_map; uint32_t *keys, *vals; } x07_table;
extern x07_table *x07_tables; /* handle h is x07_tables[h - 1] */
extern uint64_t x07_n_tables;
extern x07_table x07_table_invalid;
_Noreturn void x07_table_bad_handle(uint32_t is_map);
static inline x07_table *x07_table_sel(uint32_t h) {
  return h - 1u < x07_n_tables ? x07_tables + (h - 1u) : &x07_table_invalid;
}
static inline x07_table *x07_table_at(uint32_t h, uint32_t is_map) {
  x07_table *t = x07_table_sel(h);
  if (X07_UNLIKELY(t->is_map != is_map)) x07_table_bad_handle(is_map);
  return t;
}
/* A checked table with its fields read before the check (so that they never depend on it). */
typedef struct { x07_table *t; uint32_t *keys, *vals, mask; } x07_table_ref;
static inline x07_table_ref x07_table_ref_at(uint32_t h, uint32_t is_map) {
  x07_table *t = x07_table_sel(h);
  x07_table_ref r = {t, t->keys, t->vals, (uint32_t)t->cap - 1u};
  if (X07_UNLIKELY(t->is_map != is_map)) x07_table_bad_handle(is_map);
  return r;
}
/* index of k (*found = 1), or of the empty slot where it would go. A table always keeps an
 * empty slot (an insert that would fill the last one traps "full"; removal shifts entries back,
 * no tombstones), so the probe needs no trip counter. */
static inline uint32_t x07_table_probe(const uint32_t *keys, uint32_t m, uint32_t k, int *found) {
  uint32_t i = (k * 2654435769u) & m;
  for (;;) {
    uint32_t c = keys[i];
    if (c == k) { *found = 1; return i; }
    if (c == 0xFFFFFFFFu) { *found = 0; return i; }
    i = (i + 1u) & m;
  }
}
static inline uint32_t x07_table_find(const x07_table *t, uint32_t k, int *found) {
  return x07_table_probe(t->keys, (uint32_t)t->cap - 1u, k, found);
}
static inline uint32_t x07_table_insert(x07_table_ref r, uint32_t i, uint32_t k, uint32_t v, const char *full) {
  if (X07_UNLIKELY(r.t->len + 1u >= r.t->cap)) x07_trap(full);
  r.keys[i] = k;
  if (r.vals) r.vals[i] = v;
  r.t->len++;
  return 1;
}
static inline uint32_t x07_map_u32_get(uint32_t h, uint32_t k, uint32_t d) {
  x07_table_ref r = x07_table_ref_at(h, 1);
  if (X07_UNLIKELY(k == 0xFFFFFFFFu)) x07_trap("map_u32.get key=-1 reserved");
  int f;
  uint32_t i = x07_table_probe(r.keys, r.mask, k, &f);
  return f ? r.vals[i] : d;
}
static inline uint32_t x07_map_u32_set(uint32_t h, uint32_t k, uint32_t v) {
  x07_table_ref r = x07_table_ref_at(h, 1);
  if (X07_UNLIKELY(k == 0xFFFFFFFFu)) x07_trap("map_u32.set key=-1 reserved");
  int f;
  uint32_t i = x07_table_probe(r.keys, r.mask, k, &f);
  if (f) { r.vals[i] = v; return 0; }
  return x07_table_insert(r, i, k, v, "map_u32 full");
}
/* map_u32.set(h, k, f(map_u32.get(h, k, d))) looked up once (compiler: lower_map_update): the
 * probe does the get's checks and returns the slot, bit 31 set when k is there (a table has at
 * most 2^29 slots); nothing runs between the probe and the set that could change the table. */
static inline uint32_t x07_map_u32_probe(uint32_t h, uint32_t k) {
  x07_table_ref r = x07_table_ref_at(h, 1);
  if (X07_UNLIKELY(k == 0xFFFFFFFFu)) x07_trap("map_u32.get key=-1 reserved");
  int f;
  uint32_t i = x07_table_probe(r.keys, r.mask, k, &f);
  return i | ((uint32_t)f << 31);
}
static inline uint32_t x07_map_u32_get_at(uint32_t h, uint32_t slot, uint32_t d) {
  const uint32_t *vals = x07_table_sel(h)->vals; /* the probe checked h */
  return slot >> 31 ? vals[slot & 0x7FFFFFFFu] : d;
}
static inline uint32_t x07_map_u32_set_at(uint32_t h, uint32_t slot, uint32_t k, uint32_t v) {
  x07_table *t = x07_table_sel(h); /* the probe checked h */
  x07_table_ref r = {t, t->keys, t->vals, (uint32_t)t->cap - 1u};
  uint32_t i = slot & 0x7FFFFFFFu;
  if (slot >> 31) { r.vals[i] = v; return 0; }
  return x07_table_insert(r, i, k, v, "map_u32 full");
}
static inline uint32_t x07_map_u32_contains(uint32_t h, uint32_t k) {
  x07_table *t = x07_table_at(h, 1);
  if (X07_UNLIKELY(k == 0xFFFFFFFFu)) x07_trap("map_u32.contains key=-1 reserved");
  int f;
  x07_table_find(t, k, &f);
  return (uint32_t)f;
}
uint32_t x07_map_u32_new(uint32_t cap);
uint32_t x07_map_u32_len(uint32_t h);
uint32_t x07_map_u32_remove(uint32_t h, uint32_t k);
x07_bytes x07_map_u32_dump_kv(uint32_t h);
uint32_t x07_set_u32_new(uint32_t cap);
uint32_t x07_set_u32_len(uint32_t h);
uint32_t x07_set_u32_add(uint32_t h, uint32_t k);
uint32_t x07_set_u32_contains(uint32_t h, uint32_t k);
uint32_t x07_set_u32_remove(uint32_t h, uint32_t k);
x07_bytes x07_set_u32_dump(uint32_t h);

/* ---- scratch_u8_fixed_v1: fixed-capacity scratch buffers behind i32 handles ---- */
uint32_t x07_scratch_u8_fixed_new(uint32_t cap);
uint32_t x07_scratch_u8_fixed_clear(uint32_t h);
uint32_t x07_scratch_u8_fixed_len(uint32_t h);
uint32_t x07_scratch_u8_fixed_cap(uint32_t h);
x07_view x07_scratch_u8_fixed_as_view(uint32_t h);
x07_res_i32 x07_scratch_u8_fixed_try_write(uint32_t h, x07_view b);
uint32_t x07_scratch_u8_fixed_drop(uint32_t h);

/* ---- contract violations (X07T_CONTRACT_V1 payload, then trap) ---- */
void x07_contract_begin(const char *kind, const char *fn, const char *id, uint32_t index, const char *ptr);
void x07_contract_witness_i32(uint32_t v);
void x07_contract_witness_view(x07_view v);
_Noreturn void x07_contract_fail(void);

/* ---- f64 ---- */
static inline double x07_f64_of_i32(uint32_t x) { return (double)(int32_t)x; }
static inline uint32_t x07_f64_to_i32_trunc(double x) {
  if (!(x > -2147483649.0 && x < 2147483648.0)) return x != x ? 0u : (x < 0 ? 0x80000000u : 0x7fffffffu);
  return (uint32_t)(int32_t)x;
}

/* ---- drop glue used by generated code (zeroes the variable) ---- */
#define X07_DROP_BYTES(v) do { if ((v).ptr) x07_free((v).ptr); (v).ptr = 0; (v).len = 0; } while (0)
#define X07_DROP_VEC(v) do { if ((v).ptr) x07_free((v).ptr); (v).ptr = 0; (v).len = 0; (v).cap = 0; } while (0)
#define X07_DROP_OPT_BYTES(v) do { if ((v).val.ptr) x07_free((v).val.ptr); (v).val.ptr = 0; (v).val.len = 0; (v).tag = 0; } while (0)
#define X07_DROP_RES_BYTES(v) do { if ((v).ok.ptr) x07_free((v).ok.ptr); (v).ok.ptr = 0; (v).ok.len = 0; } while (0)

static inline uint32_t x07_view_len(x07_view v) { return v.len; }

/* ---- records / enums: packed u32 LE slots ---- */
static inline void x07_rec_put(x07_bytes b, uint32_t off, uint32_t x) { x07_wr_u32le(b.ptr + off, x); }
static inline uint32_t x07_enum_tag(x07_bytes b) { return b.len >= 4 ? x07_rd_u32le(b.ptr) : 0; }
static inline uint32_t x07_enum_payload(x07_bytes b) { return b.len >= 8 ? x07_rd_u32le(b.ptr + 4) : 0; }

/* ---- lowered ty.* intrinsics for i32/u32 ---- */
static inline x07_bytes x07_u32_write_le_at(x07_bytes b, uint32_t off, uint32_t x, const char *ptr) {
  if (X07_UNLIKELY(off >= b.len || b.len - off < 4)) x07_trap_oob("bytes.set_u8 oob", ptr, off, 4, b.len);
  x07_wr_u32le(b.ptr + off, x);
  return b;
}
static inline x07_vec x07_u32_push_le(x07_vec v, uint32_t x) {
  v = x07_vec_push(v, x); v = x07_vec_push(v, x >> 8); v = x07_vec_push(v, x >> 16); return x07_vec_push(v, x >> 24);
}
static inline uint32_t x07_cmp_u32(uint32_t a, uint32_t b) { return a == b ? 0u : (a < b ? 0xFFFFFFFFu : 1u); }
static inline uint32_t x07_cmp_i32(uint32_t a, uint32_t b) { return a == b ? 0u : ((int32_t)a < (int32_t)b ? 0xFFFFFFFFu : 1u); }
static inline uint32_t x07_mix32(uint32_t h) {
  h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16; return h;
}

/* ---- lowered ty.* intrinsics for bytes / bytes_view (contents) ---- */
static inline uint32_t x07_ty_cmp_bytes(x07_view a, x07_view b) { return x07_view_cmp_range(a, 0, a.len, b, 0, b.len); }
static inline uint32_t x07_ty_lt_bytes(x07_view a, x07_view b) { return x07_ty_cmp_bytes(a, b) == 0xFFFFFFFFu; }
static inline uint32_t x07_ty_hash32_bytes(x07_view v) {
  uint32_t h = 0x811C9DC5u;
  for (uint32_t i = 0; i < v.len; i++) h = (h ^ v.ptr[i]) * 16777619u;
  return x07_mix32(h);
}
static inline uint32_t x07_ty_drop_bytes(x07_bytes b) { x07_bytes_drop(b); return 0; }

/* ---- f64 arithmetic (strict IEEE; programs are compiled with -ffp-contract=off) ---- */
static inline double x07_f64_add(double a, double b) { return a + b; }
static inline double x07_f64_sub(double a, double b) { return a - b; }
static inline double x07_f64_mul(double a, double b) { return a * b; }
static inline double x07_f64_div(double a, double b) { return a / b; }

/* ---- raw pointers (run-os worlds, inside unsafe) ---- */
static inline const uint8_t *x07_bytes_as_ptr(x07_bytes b) { return b.ptr; }
static inline uint8_t *x07_bytes_as_mut_ptr(x07_bytes b) { return b.ptr; }
static inline const uint8_t *x07_view_as_ptr(x07_view v) { return v.ptr; }
static inline const uint8_t *x07_vec_as_ptr(x07_vec v) { return v.ptr; }
static inline uint8_t *x07_vec_as_mut_ptr(x07_vec v) { return v.ptr; }
static inline void *x07_ptr_null(void) { return 0; }
#define X07_PTR_ADD(p, n) ((p) + (int32_t)(n))
#define X07_PTR_SUB(p, n) ((p) - (int32_t)(n))
static inline uint32_t x07_ptr_read_u8(const void *p) { return *(const uint8_t *)p; }
static inline uint32_t x07_ptr_write_u8(void *p, uint32_t v) { *(uint8_t *)p = (uint8_t)v; return 0; }
static inline uint32_t x07_ptr_read_i32(const void *p) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
static inline uint32_t x07_ptr_write_i32(void *p, uint32_t v) { __builtin_memcpy(p, &v, 4); return 0; }
static inline uint32_t x07_memcpy_ptr(void *d, const void *s, uint32_t n) { __builtin_memcpy(d, s, n); return 0; }
static inline uint32_t x07_memmove_ptr(void *d, const void *s, uint32_t n) { __builtin_memmove(d, s, n); return 0; }
static inline uint32_t x07_memset_ptr(void *d, uint32_t c, uint32_t n) { __builtin_memset(d, (int)c, n); return 0; }

#endif /* X07RT_CORE_H */
