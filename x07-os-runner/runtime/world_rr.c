/* solve-rr / solve-full: record/replay cassettes (rr.open_v1 ... rr.entry_err_v1, the
 * std.rr.with_* scopes and the std.stream.src.rr_send_v1 pipe source).
 *
 * Cassette (.rrbin) under the run directory's .x07_rr/ (the runner copies the fixture there):
 * a sequence of frames u32le len + entry, each entry a DataModel doc: 0x01 (ok) then a map
 * (tag 5, u32 count, keys u32 len + bytes, strictly increasing) with string (tag 3) values
 * kind, op, key, req, resp, number (tag 2, decimal text) err and optionally latency_ticks.
 * DataModel tags: 0 null, 1 bool (+1 byte), 2 number / 3 string (u32 len + bytes), 4 seq
 * (u32 count + values), 5 map. cfg (X7RC) layout: compiler/rr_policy.cpp.
 * Error codes as upstream (2000..2014). The run directory is read-only, so nothing is recorded:
 * rr.append_v1 validates the entry, then answers 2002 (open failed) as a read-only cassette does. */
#include <stdio.h>
#include <string.h>

#include "x07rt.h"
#include "world_fixture.h"

enum { MODE_OFF, MODE_RECORD, MODE_REPLAY, MODE_RECORD_MISSING, MODE_REWRITE };
enum {
  E_CFG_INVALID = 2000, E_CFG_UNSUPPORTED, E_OPEN_FAILED, E_BUDGET_CASSETTE_BYTES, E_BUDGET_ENTRIES,
  E_BUDGET_REQ_BYTES, E_BUDGET_RESP_BYTES, E_BUDGET_KEY_BYTES, E_ENTRY_INVALID, E_MISS, E_KIND_MISMATCH,
  E_OP_MISMATCH, E_MODE_NO_REPLAY, E_MODE_NO_APPEND, E_TRUNCATED
};

typedef struct {
  uint32_t off, len;  /* the entry doc within the cassette blob */
  uint32_t kind_off, kind_len, op_off, op_len, key_off, key_len;
  int used;
} rr_entry;

typedef struct {
  int alive;
  uint8_t mode, match;
  uint64_t max_cassette_bytes;
  uint32_t max_entries, max_req, max_resp, max_key;
  x07_bytes blob;
  rr_entry *entries;
  uint32_t n_entries, next_idx;  /* next_idx: transcript_v1 position */
  uint32_t prev_current;          /* restored when the std.rr.with_* scope ends */
} rr_handle;

static rr_handle *handles;
static uint32_t n_handles, cap_handles;
static uint32_t current;

static uint32_t skip_value(const uint8_t *d, uint32_t n, uint32_t off, uint32_t depth) {
  if (depth > 64 || off >= n) return 0;
  uint8_t tag = d[off];
  if (tag == 0) return off + 1;
  if (tag == 1) return n - off < 2 ? 0 : off + 2;
  if (n - off < 5) return 0;
  uint32_t len = x07_rd_u32le(d + off + 1), pos = off + 5;
  if (tag == 2 || tag == 3) return len > n - pos ? 0 : pos + len;
  if (tag != 4 && tag != 5) return 0;
  for (uint32_t i = 0; i < len; i++) {
    if (tag == 5) {
      if (n - pos < 4) return 0;
      uint32_t kl = x07_rd_u32le(d + pos);
      pos += 4;
      if (kl > n - pos) return 0;
      pos += kl;
    }
    if ((pos = skip_value(d, n, pos, depth + 1)) == 0) return 0;
  }
  return pos;
}

/* The value of `name` in an entry doc: its tag must be `tag`; *start/*len give its payload. */
static int entry_field(const uint8_t *d, uint32_t n, const char *name, uint8_t tag, uint32_t *start, uint32_t *len) {
  if (n < 6 || d[0] != 1 || d[1] != 5) return -1;
  uint32_t count = x07_rd_u32le(d + 2), pos = 6, nl = (uint32_t)strlen(name);
  for (uint32_t i = 0; i < count; i++) {
    if (n - pos < 4) return -1;
    uint32_t kl = x07_rd_u32le(d + pos);
    pos += 4;
    if (kl > n - pos) return -1;
    const uint8_t *k = d + pos;
    pos += kl;
    uint32_t end = skip_value(d, n, pos, 0);
    if (end == 0) return -1;
    if (kl == nl && memcmp(k, name, nl) == 0) {
      if (d[pos] != tag) return -1;
      *start = pos + 5;
      *len = x07_rd_u32le(d + pos + 1);
      return 1;
    }
    pos = end;
  }
  return 0;
}

/* Checks an entry doc as upstream does (keys sorted and unique, required fields, budgets). */
static uint32_t parse_entry(const rr_handle *h, const uint8_t *d, uint32_t n, uint32_t base, rr_entry *e) {
  if (n < 6 || d[0] != 1 || d[1] != 5) return E_ENTRY_INVALID;
  uint32_t count = x07_rd_u32le(d + 2), pos = 6;
  const uint8_t *prev = 0;
  uint32_t prev_len = 0;
  int have[6] = {0};  /* kind op key req resp err */
  static const char *const names[6] = {"kind", "op", "key", "req", "resp", "err"};
  for (uint32_t i = 0; i < count; i++) {
    if (n - pos < 4) return E_ENTRY_INVALID;
    uint32_t kl = x07_rd_u32le(d + pos);
    pos += 4;
    if (kl > n - pos) return E_ENTRY_INVALID;
    const uint8_t *k = d + pos;
    if (prev) {
      uint32_t m = prev_len < kl ? prev_len : kl;
      int c = memcmp(prev, k, m);
      if (c > 0 || (c == 0 && prev_len >= kl)) return E_ENTRY_INVALID;
    }
    prev = k;
    prev_len = kl;
    pos += kl;
    uint32_t end = skip_value(d, n, pos, 0);
    if (end == 0) return E_ENTRY_INVALID;
    uint32_t vlen = end - pos >= 5 ? x07_rd_u32le(d + pos + 1) : 0;
    for (int f = 0; f < 6; f++) {
      if (kl != strlen(names[f]) || memcmp(k, names[f], kl) != 0) continue;
      if (d[pos] != (f == 5 ? 2 : 3)) return E_ENTRY_INVALID;
      have[f] = 1;
      if (f == 0) e->kind_off = base + pos + 5, e->kind_len = vlen;
      if (f == 1) e->op_off = base + pos + 5, e->op_len = vlen;
      if (f == 2) {
        if (vlen > h->max_key) return E_BUDGET_KEY_BYTES;
        e->key_off = base + pos + 5, e->key_len = vlen;
      }
      if (f == 3 && vlen > h->max_req) return E_BUDGET_REQ_BYTES;
      if (f == 4 && vlen > h->max_resp) return E_BUDGET_RESP_BYTES;
    }
    if (kl == 13 && memcmp(k, "latency_ticks", 13) == 0) {
      if (d[pos] != 2 || vlen == 0) return E_ENTRY_INVALID;
      uint64_t acc = 0;
      for (uint32_t j = 0; j < vlen; j++) {
        uint8_t c = d[pos + 5 + j];
        if (c < '0' || c > '9' || (acc = acc * 10 + (c - '0')) > 0xFFFFFFFFull) return E_ENTRY_INVALID;
      }
    }
    pos = end;
  }
  if (pos != n) return E_ENTRY_INVALID;
  for (int f = 0; f < 6; f++)
    if (!have[f]) return E_ENTRY_INVALID;
  return 0;
}

static rr_handle *handle_ptr(uint32_t h) {
  if (h == 0 || h > n_handles || !handles[h - 1].alive) x07_trap("rr invalid handle");
  return &handles[h - 1];
}

static x07_res_i32 open_fail(rr_handle *h, uint32_t code) {
  x07_bytes_drop(h->blob);
  x07_free(h->entries);
  memset(h, 0, sizeof *h);
  n_handles -= 1;  /* the slot was the last one */
  return x07_res_i32_err(code);
}

x07_res_i32 x07_rr_open_v1(x07_view cfg) {
  x07_metrics.rr_open_calls += 1;
  if (cfg.len < 40 || memcmp(cfg.ptr, "X7RC", 4) != 0) return x07_res_i32_err(E_CFG_INVALID);
  if ((cfg.ptr[4] | (cfg.ptr[5] << 8)) != 1) return x07_res_i32_err(E_CFG_UNSUPPORTED);
  uint8_t mode = cfg.ptr[8], match = cfg.ptr[9];
  if (mode > MODE_REWRITE || match > 1) return x07_res_i32_err(E_CFG_INVALID);
  uint32_t path_len = x07_rd_u32le(cfg.ptr + 36);
  if (path_len != cfg.len - 40) return x07_res_i32_err(E_CFG_INVALID);
  x07_view path = {cfg.ptr + 40, path_len};
  if (!x07_world_safe_rel_path(path)) return x07_res_i32_err(E_CFG_INVALID);

  if (n_handles == cap_handles) {
    uint32_t cap = cap_handles ? cap_handles * 2 : 8;
    rr_handle *g = (rr_handle *)x07_alloc(cap * (uint32_t)sizeof(rr_handle));
    if (n_handles) memcpy(g, handles, n_handles * sizeof(rr_handle));
    x07_free(handles);
    handles = g;
    cap_handles = cap;
  }
  rr_handle *h = &handles[n_handles++];
  memset(h, 0, sizeof *h);
  h->alive = 1;
  h->mode = mode;
  h->match = match;
  h->max_cassette_bytes = (uint64_t)x07_rd_u32le(cfg.ptr + 12) | (uint64_t)x07_rd_u32le(cfg.ptr + 16) << 32;
  h->max_entries = x07_rd_u32le(cfg.ptr + 20);
  h->max_req = x07_rd_u32le(cfg.ptr + 24);
  h->max_resp = x07_rd_u32le(cfg.ptr + 28);
  h->max_key = x07_rd_u32le(cfg.ptr + 32);
  if (mode != MODE_REPLAY && mode != MODE_RECORD_MISSING) return x07_res_i32_ok(n_handles);

  char *file = (char *)x07_alloc(path_len + 9);
  memcpy(file, ".x07_rr/", 8);
  memcpy(file + 8, path.ptr, path_len);
  FILE *f = fopen(file, "rb");
  x07_free(file);
  if (!f) return mode == MODE_RECORD_MISSING ? x07_res_i32_ok(n_handles) : open_fail(h, E_OPEN_FAILED);
  long end = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (end < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return open_fail(h, E_OPEN_FAILED);
  }
  if ((uint64_t)end > h->max_cassette_bytes) {
    fclose(f);
    return open_fail(h, E_BUDGET_CASSETTE_BYTES);
  }
  if ((uint64_t)end > 0xFFFFFFFFull) {
    fclose(f);
    return open_fail(h, E_OPEN_FAILED);
  }
  h->blob = x07_bytes_new((uint32_t)end);
  size_t got = h->blob.len ? fread(h->blob.ptr, 1, h->blob.len, f) : 0;
  fclose(f);
  if (got != h->blob.len) return open_fail(h, E_OPEN_FAILED);

  uint32_t pos = 0, cap = 0;
  while (pos != h->blob.len) {
    if (h->blob.len - pos < 4) return open_fail(h, E_TRUNCATED);
    uint32_t len = x07_rd_u32le(h->blob.ptr + pos);
    pos += 4;
    if (len > h->blob.len - pos) return open_fail(h, E_TRUNCATED);
    if (h->n_entries + 1 > h->max_entries) return open_fail(h, E_BUDGET_ENTRIES);
    if (h->n_entries == cap) {
      cap = cap ? cap * 2 : 8;
      rr_entry *g = (rr_entry *)x07_alloc(cap * (uint32_t)sizeof(rr_entry));
      if (h->n_entries) memcpy(g, h->entries, h->n_entries * sizeof(rr_entry));
      x07_free(h->entries);
      h->entries = g;
    }
    rr_entry *e = &h->entries[h->n_entries];
    memset(e, 0, sizeof *e);
    e->off = pos;
    e->len = len;
    uint32_t ec = parse_entry(h, h->blob.ptr + pos, len, pos, e);
    if (ec) return open_fail(h, ec);
    h->n_entries += 1;
    pos += len;
  }
  return x07_res_i32_ok(n_handles);
}

uint32_t x07_rr_close_v1(uint32_t hid) {
  x07_metrics.rr_close_calls += 1;
  if (hid == 0 || hid > n_handles || !handles[hid - 1].alive) return 0;
  rr_handle *h = &handles[hid - 1];
  x07_bytes_drop(h->blob);
  x07_free(h->entries);
  h->blob = x07_bytes_empty();
  h->entries = 0;
  h->n_entries = 0;
  h->alive = 0;
  if (current == hid) current = 0;
  return 1;
}

x07_bytes x07_rr_stats_v1(uint32_t hid) {
  x07_metrics.rr_stats_calls += 1;
  rr_handle *h = handle_ptr(hid);
  uint32_t used = 0;
  for (uint32_t i = 0; i < h->n_entries; i++) used += h->entries[i].used ? 1 : 0;
  char buf[256];
  int n = snprintf(buf, sizeof buf, "{\"v\":1,\"mode\":%u,\"match_mode\":%u,\"cassettes\":1,\"entries\":%u,\"used\":%u,\"bytes\":%u}",
                   (unsigned)h->mode, (unsigned)h->match, (unsigned)h->n_entries, (unsigned)used, (unsigned)h->blob.len);
  return x07_bytes_from(buf, (uint32_t)n);
}

static int same(const x07_bytes blob, uint32_t off, uint32_t len, x07_view v) {
  return len == v.len && (len == 0 || memcmp(blob.ptr + off, v.ptr, len) == 0);
}

/* The next entry for (kind, op, key): lookup_v1 takes the earliest unused match; transcript_v1
 * takes the entries in order and fails when kind/op differ. The result is the whole entry doc. */
x07_res_bytes x07_rr_next_v1(uint32_t hid, x07_view kind, x07_view op, x07_view key) {
  x07_metrics.rr_next_calls += 1;
  rr_handle *h = handle_ptr(hid);
  if (h->mode == MODE_OFF || h->mode == MODE_RECORD || h->mode == MODE_REWRITE) return x07_res_bytes_err(E_MODE_NO_REPLAY);
  if (key.len > h->max_key) return x07_res_bytes_err(E_BUDGET_KEY_BYTES);
  rr_entry *hit = 0;
  if (h->match == 1) {
    if (h->next_idx >= h->n_entries) {
      x07_metrics.rr_next_miss_calls += 1;
      return x07_res_bytes_err(E_MISS);
    }
    hit = &h->entries[h->next_idx++];
    uint32_t code = !same(h->blob, hit->kind_off, hit->kind_len, kind) ? E_KIND_MISMATCH
                    : !same(h->blob, hit->op_off, hit->op_len, op)    ? E_OP_MISMATCH
                                                                       : 0;
    if (code) {
      x07_metrics.rr_next_miss_calls += 1;
      return x07_res_bytes_err(code);
    }
  } else {
    for (uint32_t i = 0; i < h->n_entries && !hit; i++) {
      rr_entry *e = &h->entries[i];
      if (!e->used && same(h->blob, e->kind_off, e->kind_len, kind) && same(h->blob, e->op_off, e->op_len, op) &&
          same(h->blob, e->key_off, e->key_len, key))
        hit = e;
    }
    if (!hit) {
      x07_metrics.rr_next_miss_calls += 1;
      return x07_res_bytes_err(E_MISS);
    }
    hit->used = 1;
  }
  return x07_res_bytes_ok(x07_bytes_from(h->blob.ptr + hit->off, hit->len));
}

x07_bytes x07_rr_entry_resp_v1(x07_view entry) {
  uint32_t start = 0, len = 0;
  int r = entry_field(entry.ptr, entry.len, "resp", 3, &start, &len);
  if (r < 0) x07_trap("rr.entry_resp_v1 invalid entry");
  if (r == 0) x07_trap("rr.entry_resp_v1 missing resp");
  return x07_bytes_from(entry.ptr + start, len);
}

uint32_t x07_rr_entry_err_v1(x07_view entry) {
  uint32_t start = 0, len = 0;
  int r = entry_field(entry.ptr, entry.len, "err", 2, &start, &len);
  if (r < 0) x07_trap("rr.entry_err_v1 invalid entry");
  if (r == 0) x07_trap("rr.entry_err_v1 missing err");
  const uint8_t *p = entry.ptr + start;
  int neg = len > 0 && p[0] == '-';
  if (len == (uint32_t)neg) x07_trap("rr.entry_err_v1 invalid err");
  int64_t acc = 0;
  for (uint32_t i = (uint32_t)neg; i < len; i++) {
    if (p[i] < '0' || p[i] > '9' || (acc = acc * 10 + (p[i] - '0')) > 2147483647) x07_trap("rr.entry_err_v1 invalid err");
  }
  return (uint32_t)(int32_t)(neg ? -acc : acc);
}

x07_res_i32 x07_rr_append_v1(uint32_t hid, x07_view entry) {
  x07_metrics.rr_append_calls += 1;
  rr_handle *h = handle_ptr(hid);
  if (h->mode != MODE_RECORD && h->mode != MODE_RECORD_MISSING && h->mode != MODE_REWRITE)
    return x07_res_i32_err(E_MODE_NO_APPEND);
  rr_entry e;
  memset(&e, 0, sizeof e);
  uint32_t ec = parse_entry(h, entry.ptr, entry.len, 0, &e);
  if (ec) return x07_res_i32_err(ec);
  if (h->n_entries + 1 > h->max_entries) return x07_res_i32_err(E_BUDGET_ENTRIES);
  if ((uint64_t)h->blob.len + 4 + entry.len > h->max_cassette_bytes) return x07_res_i32_err(E_BUDGET_CASSETTE_BYTES);
  return x07_res_i32_err(E_OPEN_FAILED);  /* the fixture's .x07_rr/ is read-only */
}

uint32_t x07_rr_current_v1(void) { return current; }

uint32_t x07_rr_scope_enter(uint32_t hid) {
  rr_handle *h = handle_ptr(hid);
  h->prev_current = current;
  current = hid;
  return hid;
}

uint32_t x07_rr_scope_exit(uint32_t hid) {
  uint32_t prev = hid > 0 && hid <= n_handles ? handles[hid - 1].prev_current : 0;
  x07_rr_close_v1(hid);
  current = prev;
  return 0;
}
