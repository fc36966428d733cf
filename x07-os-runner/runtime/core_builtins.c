/* Cold-path core builtins (the hot ones are inline in x07rt_core.h). */
#include <string.h>
#include "x07rt_mem.h"

uint32_t x07_view_eq(x07_view a, x07_view b) {
  if (a.len != b.len) return 0;
  return a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0;
}

uint32_t x07_view_cmp_range(x07_view a, uint32_t ao, uint32_t al, x07_view b, uint32_t bo, uint32_t bl) {
  if (ao > a.len || al > a.len - ao || bo > b.len || bl > b.len - bo) x07_trap("view.cmp_range oob");
  uint32_t m = al < bl ? al : bl;
  int c = m ? memcmp(a.ptr + ao, b.ptr + bo, m) : 0;
  if (c < 0) return (uint32_t)-1;
  if (c > 0) return 1;
  if (al < bl) return (uint32_t)-1;
  return al > bl;
}

x07_bytes x07_bytes_copy(x07_bytes src, x07_bytes dst) {
  if (dst.len < src.len) x07_trap("bytes.copy dst too small");
  x07_copy(dst.ptr, src.ptr, src.len);
  x07_bytes_drop(src);
  return dst;
}

x07_bytes x07_bytes_concat(x07_bytes a, x07_bytes b) {
  if ((uint64_t)a.len + b.len > 0xFFFFFFFFu) x07_trap("bytes.concat overflow");
  if (b.len == 0) { x07_bytes_drop(b); return a; }
  if (a.len == 0) { x07_bytes_drop(a); return b; }
  x07_bytes r = x07_bytes_new(a.len + b.len);
  x07_copy(r.ptr, a.ptr, a.len);
  x07_copy(r.ptr + a.len, b.ptr, b.len);
  x07_bytes_drop(a);
  x07_bytes_drop(b);
  return r;
}

x07_vec x07_vec_with_capacity(uint32_t cap) {
  x07_vec v = {0, 0, 0};
  if (cap) { v.ptr = (uint8_t *)x07_alloc(cap); v.cap = cap; }
  return v;
}

x07_vec x07_vec_grow1(x07_vec v) {
  x07_vec_set_cap(&v, v.cap ? (v.cap > 0x7FFFFFFFu ? 0xFFFFFFFFu : v.cap * 2) : 1);
  return v;
}

x07_vec x07_vec_reserve_exact(x07_vec v, uint32_t add) {
  if ((uint64_t)v.len + add > 0xFFFFFFFFu) x07_trap("vec_u8.reserve_exact overflow");
  if (v.len + add > v.cap) x07_vec_set_cap(&v, v.len + add);
  return v;
}

x07_vec x07_vec_extend_zeroes(x07_vec v, uint32_t n) {
  if ((uint64_t)v.len + n > 0xFFFFFFFFu) x07_trap("vec_u8.extend_zeroes overflow");
  x07_vec_reserve(&v, v.len + n);
  memset(v.ptr + v.len, 0, n);
  v.len += n;
  return v;
}

x07_vec x07_vec_extend_bytes_grow(x07_vec v, x07_view b) {
  x07_vec_push_bytes(&v, b.ptr, b.len);
  return v;
}

x07_vec x07_vec_extend_bytes_range(x07_vec v, x07_view b, uint32_t s, uint32_t n) {
  if (s > b.len || n > b.len - s) x07_trap("vec_u8.extend_bytes_range oob");
  x07_vec_push_bytes(&v, b.ptr + s, n);
  return v;
}

x07_bytes x07_vec_into_bytes(x07_vec v) {
  x07_bytes b = {v.ptr, v.len};
  if (v.len == 0) { x07_free(v.ptr); b.ptr = 0; }
  return b;
}

x07_vec x07_vec_extend_reserve(x07_vec v, uint32_t n) {
  if ((uint64_t)v.len + n > 0xFFFFFFFFu) x07_trap("vec_u8.extend_bytes overflow");
  x07_vec_reserve(&v, v.len + n);
  return v;
}

x07_bytes x07_fmt_u32_to_dec(uint32_t x) {
  x07_bytes b = x07_bytes_new(x07_dec_len_u32(x));
  x07_put_dec_u32(b.ptr + b.len, x);
  return b;
}

/* the negative case of the fused extend of fmt.s32_to_dec, counted as x07_fmt_s32_to_dec
 * allocates and copies: the digits, then '-' + digits, then the digits freed */
x07_vec x07_vec_extend_s32_dec_neg(x07_vec v, uint32_t x) {
  uint32_t m = 0u - x, k = x07_dec_len_u32(m), n = k + 1u;
  x07_mem_count_alloc(k);
  x07_mem_count_alloc(n);
  x07_memcpy_bytes += k;
  x07_mem_count_free(k);
  if (n > v.cap - v.len) v = x07_vec_extend_reserve(v, n);
  v.ptr[v.len] = '-';
  x07_put_dec_u32(v.ptr + v.len + n, m);
  v.len += n;
  x07_memcpy_bytes += n;
  x07_mem_count_free(n);
  return v;
}

x07_bytes x07_fmt_s32_to_dec(uint32_t x) {
  if ((int32_t)x >= 0) return x07_fmt_u32_to_dec(x);
  x07_bytes d = x07_fmt_u32_to_dec(0u - x);
  x07_bytes b = x07_bytes_new(d.len + 1);
  b.ptr[0] = '-';
  x07_copy(b.ptr + 1, d.ptr, d.len);
  x07_bytes_drop(d);
  return b;
}

uint32_t x07_parse_u32_dec(x07_view b) {
  if (b.len == 0) x07_trap("parse.u32_dec empty");
  uint64_t v = 0;
  for (uint32_t i = 0; i < b.len; i++) {
    uint8_t c = b.ptr[i];
    if (c < '0' || c > '9') x07_trap("parse.u32_dec non-digit");
    v = v * 10 + (uint32_t)(c - '0');
    if (v > 0xFFFFFFFFu) x07_trap("parse.u32_dec overflow");
  }
  return (uint32_t)v;
}

uint32_t x07_parse_u32_dec_at(x07_view b, uint32_t off) {
  if (off > b.len) x07_trap("parse.u32_dec_at oob");
  return x07_parse_u32_dec(x07_view_of(b.ptr + off, b.len - off));
}
