/* Built-in stream transducer plugins and the emit rules of their host.
 *
 * Limits per plugin (upstream's pinned specs, arch/stream/plugins/specs/):
 *   cfg max bytes, max out bytes per step, max out items per step, max out buffer bytes.
 * Emit rules: emit_alloc(cap) fails with 113 when cap > max_out_buf_bytes, 115 when the
 * step already emitted max items, 114 when the step's bytes would pass the cap (cap
 * counts, not the committed length); emit_commit without a pending buffer is 112 and a
 * committed length above the cap is 116; emit_view (view of the current input) follows
 * the same item/byte limits. */
#include <string.h>

#include "stream_xf.h"

typedef struct {
  uint32_t code, cfg_max, step_bytes, step_items, buf_bytes;
} xf_spec;

static const xf_spec kSpecs[] = {
    {1 /* frame_u32le */, 0, 33554432u, 1048576u, 16777216u},
    {2 /* split_lines */, 32, 33554432u, 1048576u, 16777216u},
    {3 /* deframe_u32le */, 64, 33554432u, 1048576u, 16777216u},
    {4 /* json_canon_stream */, 64, 33554432u, 1048576u, 16777216u},
    {5 /* test_emit_limits */, 8, 12u, 2u, 8u},
};

struct xf_plugin {
  const xf_spec *spec;
  /* split_lines */
  int32_t delim;
  uint32_t max_line;
  /* deframe */
  uint32_t max_frame, max_frames, allow_empty, on_truncated, frames, hdr_fill, need;
  uint8_t hdr[4];
  /* json canon */
  uint32_t max_depth, max_total, max_members, max_obj_bytes, emit_chunk, err_kind, err_off;
  /* test plugin */
  uint8_t mode;
  /* carried bytes (split_lines line, deframe payload, json document) */
  x07_vec carry;
};

xf_plugin *x07_xf_new(uint32_t code) {
  const xf_spec *spec = NULL;
  for (size_t i = 0; i < sizeof kSpecs / sizeof kSpecs[0]; i++)
    if (kSpecs[i].code == code) spec = &kSpecs[i];
  if (!spec) x07_trap("std.stream.pipe_v1: unknown stream plugin");
  xf_plugin *p = (xf_plugin *)x07_alloc(sizeof(xf_plugin));
  p->spec = spec;
  return p;
}

void x07_xf_free(xf_plugin *p) {
  x07_vec_drop(p->carry);
  x07_free(p);
}

void x07_xf_emit_init(xf_plugin *p, xf_emit *e) {
  memset(e, 0, sizeof *e);
  e->max_step_bytes = p->spec->step_bytes;
  e->max_step_items = p->spec->step_items;
  e->max_buf_bytes = p->spec->buf_bytes;
}

void x07_xf_emit_reset(xf_emit *e) {
  for (uint32_t i = 0; i < e->n; i++) x07_bytes_drop(e->outs[i].owned);
  e->n = 0;
  e->step_bytes = e->step_items = 0;
  if (e->pending) x07_bytes_drop(e->pend);
  e->pending = 0;
  e->pend = x07_bytes_empty();
  e->in.ptr = NULL;
  e->in.len = 0;
}

void x07_xf_emit_free(xf_emit *e) {
  x07_xf_emit_reset(e);
  x07_free(e->outs);
  e->outs = NULL;
  e->cap = 0;
}

static uint32_t emit_limits(xf_emit *e, uint32_t len) {
  if (e->max_buf_bytes && len > e->max_buf_bytes) return XF_E_EMIT_BUF_TOO_LARGE;
  if (e->max_step_items && e->step_items + 1 > e->max_step_items) return XF_E_EMIT_STEP_ITEMS_EXCEEDED;
  if (e->max_step_bytes && (len > UINT32_MAX - e->step_bytes || e->step_bytes + len > e->max_step_bytes))
    return XF_E_EMIT_STEP_BYTES_EXCEEDED;
  return 0;
}

static void push_out(xf_emit *e, xf_out o) {
  if (e->n == e->cap) {
    uint32_t cap = e->cap ? 2 * e->cap : 8;
    xf_out *outs = (xf_out *)x07_alloc(cap * (uint32_t)sizeof(xf_out));
    if (e->n) memcpy(outs, e->outs, e->n * sizeof(xf_out));
    x07_free(e->outs);
    e->outs = outs;
    e->cap = cap;
  }
  e->outs[e->n++] = o;
}

static uint32_t emit_alloc(xf_emit *e, uint32_t cap, uint8_t **ptr) {
  if (e->pending) return XF_E_OUT_INVALID;
  uint32_t rc = emit_limits(e, cap);
  if (rc) return rc;
  e->pend = x07_bytes_new(cap);
  e->pending = 1;
  e->step_items += 1;
  e->step_bytes += cap;
  *ptr = e->pend.ptr;
  return 0;
}

static uint32_t emit_commit(xf_emit *e, uint32_t len) {
  if (!e->pending) return XF_E_OUT_INVALID;
  if (len > e->pend.len) return XF_E_EMIT_LEN_GT_CAP;
  xf_out o;
  o.owned = e->pend;
  o.owned.len = len;
  o.view = x07_bytes_view(o.owned);
  e->pending = 0;
  e->pend = x07_bytes_empty();
  push_out(e, o);
  return 0;
}

/* Allocates, fills and commits one output. */
static uint32_t emit_copy(xf_emit *e, const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen) {
  uint8_t *dst = NULL;
  uint32_t rc = emit_alloc(e, alen + blen, &dst);
  if (rc) return rc;
  if (alen) memcpy(dst, a, alen);
  if (blen) memcpy(dst + alen, b, blen);
  return emit_commit(e, alen + blen);
}

static uint32_t emit_view_of_input(xf_emit *e, uint32_t off, uint32_t len) {
  if (e->pending) return XF_E_OUT_INVALID;
  if (!e->in.ptr && e->in.len == 0) return XF_E_VIEW_NOT_ALLOWED;
  uint32_t rc = emit_limits(e, len);
  if (rc) return rc;
  xf_out o;
  o.owned = x07_bytes_empty();
  o.view.ptr = e->in.ptr + off;
  o.view.len = len;
  e->step_items += 1;
  e->step_bytes += len;
  push_out(e, o);
  return 0;
}

static int32_t cfg_i32(x07_view cfg, uint32_t i) { return (int32_t)x07_rd_u32le(cfg.ptr + 4 * i); }

uint32_t x07_xf_init(xf_plugin *p, x07_view cfg) {
  if (p->spec->cfg_max && cfg.len > p->spec->cfg_max) return XF_E_CFG_TOO_LARGE;
  switch (p->spec->code) {
    case 1:
      return cfg.len != 0 ? XF_E_CFG_INVALID : 0;
    case 2:
      if (cfg.len != 8 || cfg_i32(cfg, 1) <= 0) return XF_E_CFG_INVALID;
      p->delim = cfg_i32(cfg, 0);
      p->max_line = (uint32_t)cfg_i32(cfg, 1);
      return 0;
    case 3: {
      if (cfg.len != 16 || cfg_i32(cfg, 0) <= 0) return XF_E_CFG_INVALID;
      int32_t on_trunc = cfg_i32(cfg, 3);
      if (on_trunc != 0 && on_trunc != 1) return XF_E_CFG_INVALID;
      p->max_frame = (uint32_t)cfg_i32(cfg, 0);
      p->max_frames = cfg_i32(cfg, 1) > 0 ? (uint32_t)cfg_i32(cfg, 1) : 0;
      p->allow_empty = cfg_i32(cfg, 2) != 0;
      p->on_truncated = (uint32_t)on_trunc;
      return 0;
    }
    case 4:
      if (cfg.len != 20) return XF_E_CFG_INVALID;
      for (uint32_t i = 0; i < 5; i++)
        if (cfg_i32(cfg, i) <= 0) return XF_E_CFG_INVALID;
      p->max_depth = (uint32_t)cfg_i32(cfg, 0);
      p->max_total = (uint32_t)cfg_i32(cfg, 1);
      p->max_members = (uint32_t)cfg_i32(cfg, 2);
      p->max_obj_bytes = (uint32_t)cfg_i32(cfg, 3);
      p->emit_chunk = (uint32_t)cfg_i32(cfg, 4);
      return 0;
    case 5:
      if (cfg.len != 1) return XF_E_CFG_INVALID;
      p->mode = cfg.ptr[0];
      return 0;
  }
  return XF_E_PLUGIN_INVALID;
}

static uint32_t split_lines_step(xf_plugin *p, x07_view in, xf_emit *e) {
  uint32_t start = 0;
  for (uint32_t i = 0; i < in.len; i++) {
    if ((int32_t)in.ptr[i] != p->delim) continue;
    uint32_t seg = i - start;
    if ((uint64_t)p->carry.len + seg > p->max_line) return XF_E_LINE_TOO_LONG;
    uint32_t rc = emit_copy(e, p->carry.ptr, p->carry.len, in.ptr + start, seg);
    if (rc) return rc;
    p->carry.len = 0;
    start = i + 1;
  }
  uint32_t tail = in.len - start;
  if (tail) {
    if ((uint64_t)p->carry.len + tail > p->max_line) return XF_E_LINE_TOO_LONG;
    x07_vec_push_bytes(&p->carry, in.ptr + start, tail);
  }
  return 0;
}

static uint32_t deframe_count(xf_plugin *p) {
  if (p->max_frames && p->frames + 1 > p->max_frames) return XF_E_DEFRAME_MAX_FRAMES;
  p->frames++;
  return 0;
}

static uint32_t deframe_step(xf_plugin *p, x07_view in, xf_emit *e) {
  for (uint32_t i = 0; i < in.len;) {
    if (p->hdr_fill < 4) {
      p->hdr[p->hdr_fill++] = in.ptr[i++];
      if (p->hdr_fill < 4) continue;
      uint32_t need = x07_rd_u32le(p->hdr);
      if (need > (uint32_t)INT32_MAX || need > p->max_frame) return XF_E_DEFRAME_FRAME_TOO_LARGE;
      if (need == 0) {
        if (!p->allow_empty) return XF_E_DEFRAME_EMPTY_FORBIDDEN;
        uint32_t rc = deframe_count(p);
        if (!rc) rc = emit_copy(e, NULL, 0, NULL, 0);
        if (rc) return rc;
        p->hdr_fill = 0;
      }
      p->need = need;
      p->carry.len = 0;
      continue;
    }
    uint32_t take = p->need - p->carry.len;
    if (take > in.len - i) take = in.len - i;
    x07_vec_push_bytes(&p->carry, in.ptr + i, take);
    i += take;
    if (p->carry.len == p->need) {
      uint32_t rc = deframe_count(p);
      if (!rc) rc = emit_copy(e, p->carry.ptr, p->carry.len, NULL, 0);
      if (rc) return rc;
      p->hdr_fill = 0;
      p->need = 0;
      p->carry.len = 0;
    }
  }
  return 0;
}

static uint32_t test_limits_step(xf_plugin *p, x07_view in, xf_emit *e) {
  uint8_t *dst = NULL;
  uint32_t rc;
  switch (p->mode) {
    case 'A': /* commit without alloc */
      return emit_commit(e, 0);
    case 'B': /* buffer larger than max_out_buf_bytes */
      return emit_alloc(e, e->max_buf_bytes + 1, &dst);
    case 'C': /* second full buffer passes max_out_bytes_per_step */
      if ((rc = emit_alloc(e, e->max_buf_bytes, &dst))) return rc;
      if ((rc = emit_commit(e, e->max_buf_bytes))) return rc;
      return emit_alloc(e, e->max_buf_bytes, &dst);
    case 'D': /* third item passes max_out_items_per_step */
      for (int i = 0; i < 2; i++) {
        if ((rc = emit_alloc(e, 1, &dst))) return rc;
        if ((rc = emit_commit(e, 1))) return rc;
      }
      return emit_alloc(e, 1, &dst);
    case 'E': /* committed length above the buffer's cap */
      if ((rc = emit_alloc(e, 1, &dst))) return rc;
      return emit_commit(e, 2);
    case 'V': /* borrowed view of the input */
      return emit_view_of_input(e, 0, in.len);
    default:
      return 0;
  }
}

uint32_t x07_xf_step(xf_plugin *p, x07_view in, xf_emit *e) {
  e->in = in;
  switch (p->spec->code) {
    case 1:
      if (in.len > (uint32_t)INT32_MAX) return XF_E_FRAME_TOO_LARGE;
      {
        uint8_t hdr[4];
        x07_wr_u32le(hdr, in.len);
        return emit_copy(e, hdr, 4, in.ptr, in.len);
      }
    case 2:
      return split_lines_step(p, in, e);
    case 3:
      return deframe_step(p, in, e);
    case 4:
      p->err_kind = 0;
      p->err_off = 0;
      if (in.len > (uint32_t)INT32_MAX) {
        p->err_kind = 1;
        return XF_E_BUDGET_IN_BYTES;
      }
      if ((uint64_t)p->carry.len + in.len > p->max_total) {
        p->err_kind = 2;
        return XF_E_BUDGET_IN_BYTES;
      }
      if (in.len) x07_vec_push_bytes(&p->carry, in.ptr, in.len);
      return 0;
    case 5:
      return test_limits_step(p, in, e);
  }
  return XF_E_PLUGIN_INVALID;
}

uint32_t x07_xf_flush(xf_plugin *p, xf_emit *e) {
  switch (p->spec->code) {
    case 2:
      if (p->carry.len) {
        uint32_t rc = emit_copy(e, p->carry.ptr, p->carry.len, NULL, 0);
        if (rc) return rc;
        p->carry.len = 0;
      }
      return 0;
    case 3:
      if (p->hdr_fill == 0 && p->carry.len == 0) return 0;
      if (!p->on_truncated) return XF_E_DEFRAME_TRUNCATED;
      p->hdr_fill = p->need = p->carry.len = 0;
      return 0;
    case 4: {
      p->err_kind = 0;
      p->err_off = 0;
      x07_bytes canon = x07_bytes_empty();
      uint32_t rc = x07_json_jcs_canon(p->carry.ptr, p->carry.len, p->max_depth, p->max_members, p->max_obj_bytes,
                                       &canon, &p->err_off);
      if (rc) return rc;
      for (uint32_t pos = 0; pos < canon.len && !rc;) {
        uint32_t take = canon.len - pos < p->emit_chunk ? canon.len - pos : p->emit_chunk;
        rc = emit_copy(e, canon.ptr + pos, take, NULL, 0);
        pos += take;
      }
      x07_bytes_drop(canon);
      return rc;
    }
    default:
      return 0;
  }
}

uint32_t x07_xf_json_err_kind(const xf_plugin *p) { return p->err_kind; }
uint32_t x07_xf_json_err_off(const xf_plugin *p) { return p->err_off; }
