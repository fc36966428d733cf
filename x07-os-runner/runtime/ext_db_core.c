/* DB v1 envelope, caps and DataModel helpers (see ext_db.h). */
#include <stdlib.h>
#include <string.h>
#include "ext_db.h"
#include "os_grow.h"

uint32_t x07_db_caps_parse(x07_view b, x07_db_caps *out) {
  if (b.len != 24 || memcmp(b.ptr, "X7DC", 4) != 0 || x07_rd_u32le(b.ptr + 4) != 1) return DB_ERR_BAD_REQ;
  out->connect_timeout_ms = x07_rd_u32le(b.ptr + 8);
  out->query_timeout_ms = x07_rd_u32le(b.ptr + 12);
  out->max_rows = x07_rd_u32le(b.ptr + 16);
  out->max_resp_bytes = x07_rd_u32le(b.ptr + 20);
  return 0;
}

uint32_t x07_db_effective(uint32_t policy_max, uint32_t caps_max) {
  if (caps_max == 0) return policy_max;
  if (policy_max == 0) return caps_max;
  return caps_max < policy_max ? caps_max : policy_max;
}

void x07_db_put(x07_db_buf *b, const void *src, size_t n) {
  if (n == 0) return;
  b->p = x07_os_grow(b->p, &b->cap, b->len + n, 256);
  memcpy(b->p + b->len, src, n);
  b->len += n;
}
void x07_db_put_u8(x07_db_buf *b, uint8_t x) { x07_db_put(b, &x, 1); }
void x07_db_put_u32(x07_db_buf *b, uint32_t x) {
  uint8_t le[4];
  x07_wr_u32le(le, x);
  x07_db_put(b, le, 4);
}
void x07_db_buf_free(x07_db_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

void x07_dm_null(x07_db_buf *b) { x07_db_put_u8(b, 0); }
static void dm_len_prefixed(x07_db_buf *b, uint8_t tag, const void *s, uint32_t n) {
  x07_db_put_u8(b, tag);
  x07_db_put_u32(b, n);
  x07_db_put(b, s, n);
}
void x07_dm_number(x07_db_buf *b, const void *ascii, uint32_t n) { dm_len_prefixed(b, 2, ascii, n); }
void x07_dm_string(x07_db_buf *b, const void *s, uint32_t n) { dm_len_prefixed(b, 3, s, n); }
void x07_dm_seq_header(x07_db_buf *b, uint32_t count) {
  x07_db_put_u8(b, 4);
  x07_db_put_u32(b, count);
}
void x07_dm_map_header(x07_db_buf *b, uint32_t count) {
  x07_db_put_u8(b, 5);
  x07_db_put_u32(b, count);
}
void x07_dm_map_key(x07_db_buf *b, const char *key) {
  uint32_t n = (uint32_t)strlen(key);
  x07_db_put_u32(b, n);
  x07_db_put(b, key, n);
}

/* Offset just past the value at off, or 0 if it does not fit (depth-bounded). */
static size_t dm_skip(const uint8_t *p, size_t n, size_t off, int depth) {
  if (off >= n || depth > 64) return 0;
  uint8_t tag = p[off];
  if (tag == 0) return off + 1;
  if (tag == 1) return off + 2 <= n ? off + 2 : 0;
  if (off + 5 > n) return 0;
  uint32_t len = x07_rd_u32le(p + off + 1);
  size_t pos = off + 5;
  if (tag == 2 || tag == 3) return (uint64_t)pos + len <= n ? pos + len : 0;
  if (tag != 4 && tag != 5) return 0;
  for (uint32_t i = 0; i < len; i++) {
    if (tag == 5) {
      if (pos + 4 > n) return 0;
      uint64_t k = (uint64_t)pos + 4 + x07_rd_u32le(p + pos);
      if (k > n) return 0;
      pos = (size_t)k;
    }
    pos = dm_skip(p, n, pos, depth + 1);
    if (pos == 0) return 0;
  }
  return pos;
}

uint32_t x07_dm_params_each(x07_view doc, uint32_t (*fn)(void *ctx, uint32_t idx, const x07_dm_scalar *v),
                            void *ctx) {
  const uint8_t *p = doc.ptr;
  size_t n = doc.len;
  if (n < 6 || p[0] != 1 || p[1] != 4) return DB_ERR_BAD_REQ;
  uint32_t count = x07_rd_u32le(p + 2);
  size_t pos = 6;
  for (uint32_t i = 0; i < count; i++) {
    size_t end = dm_skip(p, n, pos, 0);
    if (end == 0) return DB_ERR_BAD_REQ;
    x07_dm_scalar v = {p[pos], 0, NULL, 0};
    if (v.tag == 1) {
      v.bool_val = p[pos + 1] != 0;
    } else if (v.tag == 2 || v.tag == 3) {
      v.p = p + pos + 5;
      v.n = x07_rd_u32le(p + pos + 1);
    } else if (v.tag != 0) {
      return DB_ERR_BAD_REQ;
    }
    uint32_t r = fn(ctx, i, &v);
    if (r) return r;
    pos = end;
  }
  return 0;
}

static x07_bytes resp(uint32_t tag, uint32_t op, uint32_t code, const void *data, size_t n) {
  size_t head = tag ? 20 : 24;
  if (n > 0xFFFFFFFFu - head) x07_trap("db: response too large");
  x07_bytes out = x07_bytes_new((uint32_t)(head + n));
  memcpy(out.ptr, "X7DB", 4);
  x07_wr_u32le(out.ptr + 4, 1);
  x07_wr_u32le(out.ptr + 8, tag);
  x07_wr_u32le(out.ptr + 12, op);
  if (tag) {
    x07_wr_u32le(out.ptr + 16, (uint32_t)n);
  } else {
    x07_wr_u32le(out.ptr + 16, code);
    x07_wr_u32le(out.ptr + 20, (uint32_t)n);
  }
  if (n) memcpy(out.ptr + head, data, n);
  return out;
}
x07_bytes x07_db_resp_ok(uint32_t op, const void *payload, size_t n) { return resp(1, op, 0, payload, n); }
x07_bytes x07_db_resp_err(uint32_t op, uint32_t code, const void *msg, size_t n) { return resp(0, op, code, msg, n); }
