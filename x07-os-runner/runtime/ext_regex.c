/* regex.* builtins (any world), the native side of upstream's ext-regex package (ext.regex module):
 * same names, documents and error codes as upstream's backend, our own engine (ext_regex_parse.c,
 * ext_regex_vm.c).
 *   compiled doc: [1]["X7RG"][version 1][handle u32le][opts u32le][fnv1a32(pattern) u32le] (18 bytes)
 *   error doc:    [0][code u32le][pos u32le]
 *   match doc:    [1][is_match][start u32le][end u32le]
 *   caps doc:     match doc + [cap_count u32le] + cap_count x [start u32le][end u32le] (0xFFFFFFFF: none)
 *   X7SL:         ["X7SL"][1 u32le][count u32le] + count x [start u32le][len u32le]
 * A compiled doc names a program in this process's table (handles from 1, first free slot; kept
 * for the life of the process, as upstream keeps them). */
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"
#include "ext_regex.h"

static xr_prog *g_table; /* index 0 unused */
static uint32_t g_count, g_cap;

static void put_u32(uint8_t *d, uint32_t x) {
  d[0] = (uint8_t)x, d[1] = (uint8_t)(x >> 8), d[2] = (uint8_t)(x >> 16), d[3] = (uint8_t)(x >> 24);
}

static uint32_t get_u32(const uint8_t *s) {
  return (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
}

static x07_bytes err_doc(uint32_t code, uint32_t pos) {
  x07_bytes out = x07_bytes_new(9);
  out.ptr[0] = 0;
  put_u32(out.ptr + 1, code);
  put_u32(out.ptr + 5, pos);
  return out;
}

static x07_bytes copy_view(x07_view v) {
  x07_bytes out = x07_bytes_new(v.len);
  if (v.len) memcpy(out.ptr, v.ptr, v.len);
  return out;
}

x07_bytes x07_ext_regex_compile_opts_v1(x07_view pat, uint32_t opts) {
  xr_prog prog;
  uint32_t pos = 0, code = xr_compile(pat.ptr, pat.len, (uint32_t)opts, &prog, &pos);
  if (code) return err_doc(code, pos);
  uint32_t h = 0;
  for (uint32_t i = 1; i < g_count; i++)
    if (!g_table[i].code) { h = i; break; }
  if (!h) {
    if (g_count == 0) g_count = 1;
    if (g_count >= g_cap) {
      uint32_t c = g_cap ? g_cap * 2 : 16;
      xr_prog *t = realloc(g_table, c * sizeof *t);
      if (!t) {
        xr_prog_free(&prog);
        return err_doc(XR_COMPILE_TOO_MANY_STATES, 0);
      }
      memset(t + g_cap, 0, (c - g_cap) * sizeof *t);
      g_table = t;
      g_cap = c;
    }
    h = g_count++;
  }
  g_table[h] = prog;
  uint32_t hash = 0x811c9dc5u;
  for (uint32_t i = 0; i < pat.len; i++) hash = (hash ^ pat.ptr[i]) * 0x01000193u;
  x07_bytes out = x07_bytes_new(18);
  out.ptr[0] = 1;
  memcpy(out.ptr + 1, "X7RG", 4);
  out.ptr[5] = 1;
  put_u32(out.ptr + 6, h);
  put_u32(out.ptr + 10, (uint32_t)opts);
  put_u32(out.ptr + 14, hash);
  return out;
}

/* The program a compiled doc names; NULL with *err set to the document to return. */
static const xr_prog *lookup(x07_view compiled, x07_bytes *err) {
  if (compiled.len && compiled.ptr[0] == 0) { /* an error doc passes through */
    *err = copy_view(compiled);
    return NULL;
  }
  if (compiled.len < 18 || memcmp(compiled.ptr + 1, "X7RG", 4) != 0 || compiled.ptr[5] != 1) {
    *err = err_doc(XR_EXEC_INVALID_COMPILED, 0);
    return NULL;
  }
  uint32_t h = get_u32(compiled.ptr + 6);
  if (h == 0 || h >= g_count || !g_table[h].code) {
    *err = err_doc(XR_EXEC_INVALID_COMPILED, 0);
    return NULL;
  }
  return &g_table[h];
}

static uint32_t clamp_start(int32_t start, uint32_t len) {
  if (start <= 0) return 0;
  return (uint32_t)start > len ? len + 1 : (uint32_t)start;
}

static uint32_t limit_of(int32_t v) { return v > 0 ? (uint32_t)v : UINT32_MAX; }

x07_bytes x07_ext_regex_exec_from_v1(x07_view compiled, x07_view text, uint32_t start) {
  x07_bytes err;
  const xr_prog *p = lookup(compiled, &err);
  if (!p) return err;
  uint32_t s = 0, e = 0;
  int m = xr_search(p, text.ptr, text.len, clamp_start((int32_t)start, text.len), &s, &e, NULL);
  x07_bytes out = x07_bytes_new(10);
  out.ptr[0] = 1;
  out.ptr[1] = (uint8_t)m;
  put_u32(out.ptr + 2, m ? s : 0);
  put_u32(out.ptr + 6, m ? e : 0);
  return out;
}

x07_bytes x07_ext_regex_exec_caps_from_v1(x07_view compiled, x07_view text, uint32_t start) {
  x07_bytes err;
  const xr_prog *p = lookup(compiled, &err);
  if (!p) return err;
  uint32_t slots[2 * (XR_MAX_CAPS + 1)];
  uint32_t s = 0, e = 0;
  int m = xr_search(p, text.ptr, text.len, clamp_start((int32_t)start, text.len), &s, &e, slots);
  x07_bytes out = x07_bytes_new(14 + 8 * p->ncaps);
  out.ptr[0] = 1;
  out.ptr[1] = (uint8_t)m;
  put_u32(out.ptr + 2, m ? s : 0);
  put_u32(out.ptr + 6, m ? e : 0);
  put_u32(out.ptr + 10, p->ncaps);
  for (uint32_t i = 1; i <= p->ncaps; i++) {
    uint32_t cs = XR_NO_POS, ce = XR_NO_POS;
    if (m && slots[2 * i] != XR_NO_POS && slots[2 * i + 1] != XR_NO_POS) cs = slots[2 * i], ce = slots[2 * i + 1];
    put_u32(out.ptr + 14 + 8 * (i - 1), cs);
    put_u32(out.ptr + 18 + 8 * (i - 1), ce);
  }
  return out;
}

typedef struct { uint32_t *v; uint32_t n, cap; } rows;

static void rows_push(rows *r, uint32_t a, uint32_t b) {
  if (r->n + 2 > r->cap) {
    uint32_t c = r->cap ? r->cap * 2 : 32;
    uint32_t *v = realloc(r->v, c * sizeof *v);
    if (!v) x07_trap("regex: out of memory");
    r->v = v;
    r->cap = c;
  }
  r->v[r->n++] = a;
  r->v[r->n++] = b;
}

static x07_bytes x7sl(rows *r) {
  uint32_t count = r->n / 2;
  x07_bytes out = x07_bytes_new(12 + 8 * count);
  memcpy(out.ptr, "X7SL", 4);
  put_u32(out.ptr + 4, 1);
  put_u32(out.ptr + 8, count);
  for (uint32_t i = 0; i < r->n; i++) put_u32(out.ptr + 12 + 4 * i, r->v[i]);
  free(r->v);
  return out;
}

/* Calls fn(s, e) for each successive match (an empty match moves the scan on by one byte), at
 * most `limit` times. */
#define FOR_EACH_MATCH(p, text, limit, BODY)                                   \
  do {                                                                         \
    uint32_t pos_ = 0, done_ = 0, s, e;                                        \
    while (done_ < (limit) && pos_ <= (text).len &&                            \
           xr_search((p), (text).ptr, (text).len, pos_, &s, &e, NULL)) {       \
      BODY;                                                                    \
      done_++;                                                                 \
      pos_ = e > s ? e : s + 1;                                                \
    }                                                                          \
  } while (0)

x07_bytes x07_ext_regex_find_all_x7sl_v1(x07_view compiled, x07_view text, uint32_t max_matches) {
  x07_bytes err;
  const xr_prog *p = lookup(compiled, &err);
  if (!p) return err;
  rows r = {0};
  FOR_EACH_MATCH(p, text, limit_of((int32_t)max_matches), rows_push(&r, s, e - s));
  return x7sl(&r);
}

x07_bytes x07_ext_regex_split_v1(x07_view compiled, x07_view text, uint32_t max_parts) {
  x07_bytes err;
  const xr_prog *p = lookup(compiled, &err);
  if (!p) return err;
  rows r = {0};
  uint32_t last = 0, limit = limit_of((int32_t)max_parts);
  /* room for the final part: at most limit-1 splits */
  FOR_EACH_MATCH(p, text, limit - 1, {
    rows_push(&r, last, s > last ? s - last : 0);
    last = e;
  });
  rows_push(&r, last, text.len > last ? text.len - last : 0);
  return x7sl(&r);
}

x07_bytes x07_ext_regex_replace_all_v1(x07_view compiled, x07_view text, x07_view repl, uint32_t cap_limit) {
  x07_bytes err;
  const xr_prog *p = lookup(compiled, &err);
  if (!p) return err;
  rows r = {0}; /* matches first, then one allocation of the exact size */
  FOR_EACH_MATCH(p, text, limit_of((int32_t)cap_limit), rows_push(&r, s, e));
  uint64_t total = text.len;
  for (uint32_t i = 0; i < r.n; i += 2) total += (uint64_t)repl.len - (r.v[i + 1] - r.v[i]);
  if (total > 0xFFFFFFFFull) {
    free(r.v);
    return err_doc(XR_COMPILE_TOO_MANY_STATES, 0);
  }
  x07_bytes out = x07_bytes_new((uint32_t)total);
  uint32_t w = 0, last = 0;
  for (uint32_t i = 0; i < r.n; i += 2) {
    if (r.v[i] > last) memcpy(out.ptr + w, text.ptr + last, r.v[i] - last);
    w += r.v[i] - last;
    if (repl.len) memcpy(out.ptr + w, repl.ptr, repl.len);
    w += repl.len;
    last = r.v[i + 1];
  }
  if (text.len > last) memcpy(out.ptr + w, text.ptr + last, text.len - last);
  free(r.v);
  return out;
}
