/* std.stream.pipe_v1 engine: runs a compiled plan (x07rt_stream.h) as
 * source -> stages -> sink, item by item, with upstream's budgets, counters and
 * OK/ERR doc layout:
 *   OK : u8 1, u32 bytes_in, bytes_out, items_in, items_out, u32 payload_len, payload
 *   ERR: u8 0, u32 code, u32 msg_len, msg, u32 payload_len, payload
 * Items flow by recursion: each stage hands its outputs to the next one before
 * taking the next input, so borrowed items never outlive their producer. */
#include <string.h>

#include "stream_xf.h"
#include "x07rt_stream.h"
#include "world_fixture.h"

x07_res_i32 x07_os_fs_stream_open_read_v1(x07_bytes path, x07_bytes caps);
x07_res_bytes x07_os_fs_stream_read_some_v1(uint32_t h, uint32_t max);
x07_res_i32 x07_os_fs_stream_close_read_v1(uint32_t h);
uint32_t x07_os_fs_stream_drop_read_v1(uint32_t h);
uint32_t x07_os_fs_write_file(x07_bytes path, x07_bytes data);
x07_res_i32 x07_os_fs_stream_open_write_v1(x07_bytes path, x07_bytes caps);
x07_res_i32 x07_os_fs_stream_write_all_v1(uint32_t h, x07_view data);
x07_res_i32 x07_os_fs_stream_close_v1(uint32_t h);
uint32_t x07_os_fs_stream_drop_v1(uint32_t h);

typedef x07_bytes (*map_fn)(x07_view input, x07_view item);
typedef uint32_t (*pred_fn)(x07_view input, x07_view item);
typedef x07_res_i32 (*validator_fn)(x07_view input, x07_view item);
typedef x07_res_i32 (*in_place_fn)(x07_view input, x07_view item, uint32_t scratch);

uint32_t x07_scratch_u8_fixed_new(uint32_t cap);
uint32_t x07_scratch_u8_fixed_clear(uint32_t h);
x07_view x07_scratch_u8_fixed_as_view(uint32_t h);
uint32_t x07_scratch_u8_fixed_drop(uint32_t h);

enum { ARG_NONE, ARG_I32, ARG_BYTES, ARG_VIEW };
typedef struct {
  int kind;
  uint32_t i32;
  x07_bytes b;
  x07_view v;
} pipe_arg;

typedef struct {
  uint32_t kind;
  uint32_t fn;               /* map/filter/require_brand: fn slot */
  int64_t take_rem;          /* take */
  uint32_t plugin, err_map;  /* plugin */
  xf_plugin *xf;
  xf_emit emit;
  x07_bytes cfg;
  uint32_t max_item; /* require_brand */
  uint32_t scratch, clear_each; /* map_in_place_buf */
  x07_view brand, validator;
} stage;

typedef struct {
  const uint8_t *plan;
  uint32_t plan_len, pos;
  uint32_t nargs, nfns;
  pipe_arg *args;
  x07_pipe_fn *fns;
  uint32_t chunk_max, bufread_cap, max_in, max_out, max_items, max_steps, emit_payload, emit_stats, cfg_error;
  uint32_t src_kind, src_arg;
  uint32_t nstages;
  stage *st;
  uint32_t sink_frames, sink_kind, sink_arg;
  /* fs stream sinks */
  uint32_t fs_caps_arg, fs_buf_cap, fs_flush_min, fs_max_flushes, fs_flushes, fs_h;
  int fs_open;
  uint32_t bytes_in, bytes_out, items_in, items_out;
  int stop;
  x07_vec sink_vec;
  uint32_t hash;
  x07_bytes doc; /* set once the pipe has its result */
  int done;
  x07_view input;
} pipe;

static uint32_t word(pipe *p) {
  if (p->pos + 4 > p->plan_len) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  uint32_t w = x07_rd_u32le(p->plan + p->pos);
  p->pos += 4;
  return w;
}

static x07_view text(pipe *p) {
  uint32_t n = word(p);
  if (n > p->plan_len - p->pos) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  x07_view v = {p->plan + p->pos, n};
  p->pos += (n + 3u) & ~3u;
  return v;
}

static pipe_arg *arg(pipe *p, uint32_t i, int kind) {
  if (i >= p->nargs || p->args[i].kind != kind) x07_trap("std.stream.pipe_v1: pipe argument missing");
  return &p->args[i];
}

static x07_pipe_fn fn_slot(pipe *p, uint32_t i) {
  if (i >= p->nfns || !p->fns[i]) x07_trap("std.stream.pipe_v1: pipe function missing");
  return p->fns[i];
}

void *x07_pipe_begin(const char *plan, uint32_t plan_len) {
  pipe *p = (pipe *)x07_alloc(sizeof(pipe));
  p->plan = (const uint8_t *)plan;
  p->plan_len = plan_len;
  if (word(p) != X07_PIPE_PLAN_MAGIC) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  p->nargs = word(p);
  p->nfns = word(p);
  if (p->nargs) p->args = (pipe_arg *)x07_alloc(p->nargs * (uint32_t)sizeof(pipe_arg));
  if (p->nfns) p->fns = (x07_pipe_fn *)x07_alloc(p->nfns * (uint32_t)sizeof(x07_pipe_fn));
  return p;
}

static pipe_arg *slot(void *pp, uint32_t i) {
  pipe *p = (pipe *)pp;
  if (i >= p->nargs) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  return &p->args[i];
}
void x07_pipe_arg_i32(void *pp, uint32_t i, uint32_t v) {
  pipe_arg *a = slot(pp, i);
  a->kind = ARG_I32;
  a->i32 = v;
}
void x07_pipe_arg_bytes(void *pp, uint32_t i, x07_bytes b) {
  pipe_arg *a = slot(pp, i);
  a->kind = ARG_BYTES;
  a->b = b;
}
void x07_pipe_arg_view(void *pp, uint32_t i, x07_view v) {
  pipe_arg *a = slot(pp, i);
  a->kind = ARG_VIEW;
  a->v = v;
}
void x07_pipe_arg_fn(void *pp, uint32_t i, x07_pipe_fn f) {
  pipe *p = (pipe *)pp;
  if (i >= p->nfns) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  p->fns[i] = f;
}

/* ---------------- result docs ---------------- */

static void put_u32(x07_vec *v, uint32_t x) {
  uint8_t b[4];
  x07_wr_u32le(b, x);
  x07_vec_push_bytes(v, b, 4);
}

static x07_bytes vec_into_bytes(x07_vec v) {
  x07_bytes b = {v.ptr, v.len};
  return b;
}

/* Returns -1 so that callers can `return fail(...)`. */
static int fail_with(pipe *p, uint32_t code, const char *msg, const uint8_t *pl, uint32_t pl_len) {
  x07_vec v = {0, 0, 0};
  uint32_t msg_len = (uint32_t)strlen(msg);
  x07_vec_reserve(&v, 13 + msg_len + pl_len);
  uint8_t tag = 0;
  x07_vec_push_bytes(&v, &tag, 1);
  put_u32(&v, code);
  put_u32(&v, msg_len);
  x07_vec_push_bytes(&v, msg, msg_len);
  put_u32(&v, pl_len);
  if (pl_len) x07_vec_push_bytes(&v, pl, pl_len);
  p->doc = vec_into_bytes(v);
  p->done = 1;
  return -1;
}
static int fail(pipe *p, uint32_t code, const char *msg) { return fail_with(p, code, msg, NULL, 0); }

static int fail_words(pipe *p, uint32_t code, const char *msg, const uint32_t *w, uint32_t n) {
  uint8_t pl[16];
  for (uint32_t i = 0; i < n; i++) x07_wr_u32le(pl + 4 * i, w[i]);
  return fail_with(p, code, msg, pl, 4 * n);
}

static int finish_ok(pipe *p, x07_bytes payload) {
  if (!p->emit_payload) {
    x07_bytes_drop(payload);
    payload = x07_bytes_empty();
  }
  x07_vec v = {0, 0, 0};
  x07_vec_reserve(&v, 21 + payload.len);
  uint8_t tag = 1;
  x07_vec_push_bytes(&v, &tag, 1);
  put_u32(&v, p->emit_stats ? p->bytes_in : 0);
  put_u32(&v, p->emit_stats ? p->bytes_out : 0);
  put_u32(&v, p->emit_stats ? p->items_in : 0);
  put_u32(&v, p->emit_stats ? p->items_out : 0);
  put_u32(&v, payload.len);
  if (payload.len) x07_vec_push_bytes(&v, payload.ptr, payload.len);
  x07_bytes_drop(payload);
  p->doc = vec_into_bytes(v);
  p->done = 1;
  return 0;
}

/* ---------------- sink ---------------- */

static void fnv1a(uint32_t *h, const uint8_t *d, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) *h = (*h ^ d[i]) * 16777619u;
}

static int is_fs_stream(const pipe *p) {
  return p->sink_kind == X07_PIPE_SINK_FS_WRITE_STREAM || p->sink_kind == X07_PIPE_SINK_FS_WRITE_STREAM_HASH;
}

static void fs_close(pipe *p) {
  if (!p->fs_open) return;
  (void)x07_os_fs_stream_close_v1(p->fs_h);
  (void)x07_os_fs_stream_drop_v1(p->fs_h);
  p->fs_open = 0;
}

static int fs_fail(pipe *p, uint32_t code, const char *msg, uint32_t ec) {
  uint32_t pl[3] = {ec, p->fs_flushes, p->bytes_out};
  return fail_words(p, code, msg, pl, 3);
}

/* One write of the streaming fs sink (a buffer flush, or a large item written directly). */
static int fs_write(pipe *p, x07_view data) {
  p->fs_flushes += 1;
  if (p->fs_flushes > p->fs_max_flushes) {
    fs_close(p);
    return fs_fail(p, 43, "stream:fs_too_many_flushes", 0);
  }
  x07_res_i32 r = x07_os_fs_stream_write_all_v1(p->fs_h, data);
  if (r.tag != 1) {
    fs_close(p);
    return fs_fail(p, 41, "stream:fs_write_failed", r.val);
  }
  if (p->sink_kind == X07_PIPE_SINK_FS_WRITE_STREAM_HASH) fnv1a(&p->hash, data.ptr, data.len);
  return 0;
}

static int fs_flush(pipe *p) {
  if (p->sink_vec.len == 0) return 0;
  x07_view v = {p->sink_vec.ptr, p->sink_vec.len};
  if (fs_write(p, v)) return -1;
  p->sink_vec.len = 0;
  return 0;
}

/* Buffers up to buf_cap_bytes, flushing at flush_min_bytes; an item that does not fit
 * flushes the buffer first and, when it alone fills a buffer, is written directly. */
static int fs_push(pipe *p, const uint8_t *d, uint32_t n) {
  if ((int32_t)n <= 0) return 0;
  x07_view data = {d, n};
  if (p->sink_vec.len + n > p->fs_buf_cap) {
    if (fs_flush(p)) return -1;
    if (n >= p->fs_buf_cap) {
      if (fs_write(p, data)) return -1;
    } else {
      x07_vec_push_bytes(&p->sink_vec, d, n);
    }
  } else {
    x07_vec_push_bytes(&p->sink_vec, d, n);
  }
  if (p->sink_vec.len >= p->fs_flush_min) return fs_flush(p);
  return 0;
}

static int sink_item(pipe *p, x07_view item) {
  if (p->sink_frames && (int32_t)item.len < 0) return fail(p, 10, "stream:frame_too_large");
  uint32_t items = p->items_out + 1;
  if (items > p->max_items) return fail(p, 4, "stream:budget_items");
  p->items_out = items;
  uint32_t bytes = p->bytes_out + (p->sink_frames ? 4u : 0u) + item.len;
  if (bytes > p->max_out) return fail(p, 3, "stream:budget_out_bytes");
  p->bytes_out = bytes;
  uint8_t hdr[4];
  x07_wr_u32le(hdr, item.len);
  switch (p->sink_kind) {
    case X07_PIPE_SINK_COLLECT:
    case X07_PIPE_SINK_FS_WRITE_FILE:
      if (p->sink_frames) x07_vec_push_bytes(&p->sink_vec, hdr, 4);
      if (item.len) x07_vec_push_bytes(&p->sink_vec, item.ptr, item.len);
      break;
    case X07_PIPE_SINK_HASH_FNV1A32:
      if (p->sink_frames) fnv1a(&p->hash, hdr, 4);
      fnv1a(&p->hash, item.ptr, item.len);
      break;
    case X07_PIPE_SINK_FS_WRITE_STREAM:
    case X07_PIPE_SINK_FS_WRITE_STREAM_HASH:
      if (p->sink_frames && fs_push(p, hdr, 4)) return -1;
      return fs_push(p, item.ptr, item.len);
    default:
      break;
  }
  return 0;
}

static int sink_finish(pipe *p) {
  x07_bytes payload = x07_bytes_empty();
  if (p->sink_kind == X07_PIPE_SINK_COLLECT) {
    payload = vec_into_bytes(p->sink_vec);
    p->sink_vec.ptr = NULL;
    p->sink_vec.len = p->sink_vec.cap = 0;
  } else if (p->sink_kind == X07_PIPE_SINK_HASH_FNV1A32) {
    payload = x07_bytes_new(4);
    x07_wr_u32le(payload.ptr, p->hash);
  } else if (p->sink_kind == X07_PIPE_SINK_FS_WRITE_FILE) {
    pipe_arg *a = arg(p, p->sink_arg, ARG_BYTES);
    x07_bytes path = a->b, data = vec_into_bytes(p->sink_vec);
    a->b = x07_bytes_empty();
    p->sink_vec.ptr = NULL;
    p->sink_vec.len = p->sink_vec.cap = 0;
    uint32_t rc = x07_os_fs_write_file(path, data);
    if (rc != 0) return fail_words(p, 41, "stream:fs_write_failed", &rc, 1);
  } else if (is_fs_stream(p)) {
    if (fs_flush(p)) return -1;
    x07_res_i32 cl = x07_os_fs_stream_close_v1(p->fs_h);
    (void)x07_os_fs_stream_drop_v1(p->fs_h);
    p->fs_open = 0;
    if (cl.tag != 1) return fs_fail(p, 42, "stream:fs_close_failed", cl.val);
    if (p->sink_kind == X07_PIPE_SINK_FS_WRITE_STREAM_HASH) {
      payload = x07_bytes_new(4);
      x07_wr_u32le(payload.ptr, p->hash);
    }
  }
  return finish_ok(p, payload);
}

/* ---------------- stages ---------------- */

static int process(pipe *p, uint32_t si, x07_view item);

static const char *plugin_host_error(uint32_t ec) {
  switch (ec) {
    case XF_E_CFG_TOO_LARGE: return "stream:xf_cfg_too_large";
    case XF_E_CFG_NON_CANON: return "stream:xf_cfg_non_canon";
    case XF_E_OUT_INVALID: return "stream:xf_out_invalid";
    case XF_E_EMIT_BUF_TOO_LARGE: return "stream:xf_emit_buf_too_large";
    case XF_E_EMIT_STEP_BYTES_EXCEEDED: return "stream:xf_emit_step_bytes_exceeded";
    case XF_E_EMIT_STEP_ITEMS_EXCEEDED: return "stream:xf_emit_step_items_exceeded";
    case XF_E_EMIT_LEN_GT_CAP: return "stream:xf_emit_len_gt_cap";
    case XF_E_PLUGIN_INVALID: return "stream:xf_plugin_invalid";
    default: return NULL;
  }
}

enum { CALL_INIT, CALL_STEP, CALL_FLUSH };

/* The ERR doc of a failed plugin call, mapped per built-in stage like upstream. */
static int plugin_error(pipe *p, uint32_t si, int call, uint32_t ec) {
  stage *s = &p->st[si];
  uint32_t pl[4] = {si, p->bytes_in, p->items_in, ec};
  const char *host = plugin_host_error(ec);
  if (host) return fail_words(p, ec, host, pl, 4);
  switch (s->err_map) {
    case X07_XF_ERRMAP_SPLIT_LINES:
      if (call == CALL_INIT && ec == XF_E_CFG_INVALID) return fail(p, ec, "stream:split_lines_max_line_bytes");
      if (ec == XF_E_LINE_TOO_LONG) return fail(p, ec, "stream:line_too_long");
      break;
    case X07_XF_ERRMAP_FRAME:
      if (ec == XF_E_FRAME_TOO_LARGE) return fail(p, ec, "stream:frame_too_large");
      break;
    case X07_XF_ERRMAP_DEFRAME:
      if (call == CALL_INIT && ec == XF_E_CFG_INVALID) return fail(p, ec, "stream:deframe_max_frame_bytes");
      if (ec == XF_E_DEFRAME_FRAME_TOO_LARGE) return fail(p, ec, "stream:deframe_frame_too_large");
      if (ec == XF_E_DEFRAME_TRUNCATED) return fail(p, ec, "stream:deframe_truncated");
      if (ec == XF_E_DEFRAME_EMPTY_FORBIDDEN) return fail(p, ec, "stream:deframe_empty_forbidden");
      if (ec == XF_E_DEFRAME_MAX_FRAMES) return fail(p, ec, "stream:deframe_max_frames");
      break;
    case X07_XF_ERRMAP_JSON:
      if (call == CALL_INIT && ec == XF_E_CFG_INVALID) return fail(p, ec, "stream:json_canon_cfg_invalid");
      if (call == CALL_STEP && ec == XF_E_BUDGET_IN_BYTES)
        return fail(p, ec, x07_xf_json_err_kind(s->xf) == 1 ? "stream:json_input_too_large"
                                                            : "stream:json_max_total_json_bytes");
      if (call == CALL_FLUSH) {
        static const char *const names[] = {"stream:json_syntax", "stream:json_not_ijson", "stream:json_too_deep",
                                            "stream:json_object_too_large", "stream:json_trailing_data"};
        if (ec == XF_E_CFG_INVALID) return fail(p, ec, "stream:json_doc_invalid");
        if (ec >= 20 && ec <= 24) {
          uint32_t w[2] = {x07_xf_json_err_off(s->xf), si};
          return fail_words(p, ec, names[ec - 20], w, 2);
        }
      }
      break;
    default:
      break;
  }
  return fail_words(p, ec, "stream:xf_plugin_error", pl, 4);
}

/* Hands a plugin call's outputs to the next stage, in order. */
static int plugin_outputs(pipe *p, uint32_t si) {
  xf_emit *e = &p->st[si].emit;
  int rc = 0;
  for (uint32_t i = 0; i < e->n && rc == 0; i++) rc = process(p, si + 1, e->outs[i].view);
  x07_xf_emit_reset(e);
  return rc;
}

static int flush_from(pipe *p, uint32_t si) {
  for (; si < p->nstages; si++) {
    stage *s = &p->st[si];
    if (s->kind != X07_PIPE_XF_PLUGIN) continue;
    x07_xf_emit_reset(&s->emit);
    uint32_t ec = x07_xf_flush(s->xf, &s->emit);
    if (ec) return plugin_error(p, si, CALL_FLUSH, ec);
    if (plugin_outputs(p, si)) return -1;
  }
  return 0;
}

static int require_brand(pipe *p, uint32_t si, x07_view item) {
  stage *s = &p->st[si];
  /* Upstream's elaborated counter is shadowed per item, so its ERR payload reports item_index 1
   * for whichever item fails; we report the same so the docs compare byte for byte. */
  uint32_t idx = 1;
  if ((int32_t)item.len < 0 || (s->max_item > 0 && item.len > s->max_item))
    return fail(p, 70, "stream:brand_item_too_large");
  x07_res_i32 r = ((validator_fn)fn_slot(p, s->fn))(p->input, item);
  if (r.tag == 1) return process(p, si + 1, item);
  x07_vec v = {0, 0, 0};
  put_u32(&v, s->brand.len);
  x07_vec_push_bytes(&v, s->brand.ptr, s->brand.len);
  put_u32(&v, s->validator.len);
  x07_vec_push_bytes(&v, s->validator.ptr, s->validator.len);
  put_u32(&v, r.val);
  put_u32(&v, idx);
  fail_with(p, 71, "stream:brand_validate_failed", v.ptr, v.len);
  x07_vec_drop(v);
  return -1;
}

static int map_in_place(pipe *p, uint32_t si, x07_view item) {
  stage *s = &p->st[si];
  if (s->clear_each) x07_scratch_u8_fixed_clear(s->scratch);
  x07_res_i32 r = ((in_place_fn)fn_slot(p, s->fn))(p->input, item, s->scratch);
  if (r.tag == 1) return process(p, si + 1, x07_scratch_u8_fixed_as_view(s->scratch));
  if (r.val == 8) return fail(p, 8, "stream:scratch_overflow");
  uint32_t pl[4] = {si, p->bytes_in, p->items_in, r.val};
  return fail_words(p, 9, "stream:stage_failed", pl, 4);
}

static int process(pipe *p, uint32_t si, x07_view item) {
  if (si >= p->nstages) return sink_item(p, item);
  stage *s = &p->st[si];
  switch (s->kind) {
    case X07_PIPE_XF_MAP_BYTES: {
      x07_bytes mapped = ((map_fn)fn_slot(p, s->fn))(p->input, item);
      int rc = process(p, si + 1, x07_bytes_view(mapped));
      x07_bytes_drop(mapped);
      return rc;
    }
    case X07_PIPE_XF_FILTER:
      if (((pred_fn)fn_slot(p, s->fn))(p->input, item) == 0) return 0;
      return process(p, si + 1, item);
    case X07_PIPE_XF_TAKE:
      if (s->take_rem <= 0) {
        p->stop = 1;
        return 0;
      }
      s->take_rem--;
      return process(p, si + 1, item);
    case X07_PIPE_XF_REQUIRE_BRAND:
      return require_brand(p, si, item);
    case X07_PIPE_XF_MAP_IN_PLACE:
      return map_in_place(p, si, item);
    case X07_PIPE_XF_PLUGIN: {
      x07_xf_emit_reset(&s->emit);
      uint32_t ec = x07_xf_step(s->xf, item, &s->emit);
      if (ec) return plugin_error(p, si, CALL_STEP, ec);
      return plugin_outputs(p, si);
    }
    default:
      x07_trap("std.stream.pipe_v1: malformed pipe plan");
  }
}

/* ---------------- plan + sources ---------------- */

static void read_plugin_cfg(pipe *p, stage *s) {
  uint32_t mode = word(p);
  if (mode == X07_XF_CFG_ARG) {
    pipe_arg *a = arg(p, word(p), ARG_BYTES);
    s->cfg = a->b;
    a->b = x07_bytes_empty();
    return;
  }
  uint32_t n = word(p);
  if (n > 16) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  s->cfg = x07_bytes_new(4 * n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t is_arg = word(p), v = word(p);
    x07_wr_u32le(s->cfg.ptr + 4 * i, is_arg ? arg(p, v, ARG_I32)->i32 : v);
  }
}

static void read_plan(pipe *p) {
  uint32_t *cfg[] = {&p->chunk_max, &p->bufread_cap, &p->max_in, &p->max_out, &p->max_items,
                     &p->max_steps, &p->emit_payload, &p->emit_stats, &p->cfg_error};
  for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++) *cfg[i] = word(p);
  p->src_kind = word(p);
  p->src_arg = word(p);
  p->nstages = word(p);
  if (p->nstages > 4096) x07_trap("std.stream.pipe_v1: malformed pipe plan");
  if (p->nstages) p->st = (stage *)x07_alloc(p->nstages * (uint32_t)sizeof(stage));
  for (uint32_t i = 0; i < p->nstages; i++) {
    stage *s = &p->st[i];
    s->kind = word(p);
    switch (s->kind) {
      case X07_PIPE_XF_MAP_BYTES:
      case X07_PIPE_XF_FILTER:
        s->fn = word(p);
        break;
      case X07_PIPE_XF_TAKE: {
        int32_t n = (int32_t)arg(p, word(p), ARG_I32)->i32;
        s->take_rem = n < 0 ? 0 : n;
        break;
      }
      case X07_PIPE_XF_PLUGIN:
        s->plugin = word(p);
        s->err_map = word(p);
        read_plugin_cfg(p, s);
        s->xf = x07_xf_new(s->plugin);
        x07_xf_emit_init(s->xf, &s->emit);
        break;
      case X07_PIPE_XF_MAP_IN_PLACE:
        s->scratch = x07_scratch_u8_fixed_new(word(p));
        s->clear_each = word(p);
        s->fn = word(p);
        break;
      case X07_PIPE_XF_REQUIRE_BRAND:
        s->max_item = word(p);
        s->fn = word(p);
        s->brand = text(p);
        s->validator = text(p);
        break;
      default:
        x07_trap("std.stream.pipe_v1: malformed pipe plan");
    }
  }
  p->sink_frames = word(p);
  p->sink_kind = word(p);
  p->sink_arg = word(p);
  if (is_fs_stream(p)) {
    p->fs_caps_arg = word(p);
    p->fs_buf_cap = word(p);
    p->fs_flush_min = word(p);
    p->fs_max_flushes = word(p);
  }
  p->hash = 2166136261u;
}

static int run_item(pipe *p, x07_view item) {
  p->bytes_in += item.len;
  p->items_in += 1;
  if (p->bytes_in > p->max_in) return fail(p, 2, "stream:budget_in_bytes");
  return process(p, 0, item);
}

static void run_bytes_item(pipe *p, x07_view data) {
  if (run_item(p, data)) return;
  if (p->stop) {
    sink_finish(p);
    return;
  }
  if (flush_from(p, 0)) return;
  sink_finish(p);
}

static void run_bytes_source(pipe *p) { run_bytes_item(p, x07_bytes_view(arg(p, p->src_arg, ARG_BYTES)->b)); }

/* std.stream.src.rr_send_v1 (solve-rr, solve-full): the response of the current rr scope's
 * next entry for (kind "rr", op "std.stream.src.rr_send_v1", key), as one bytes item; no entry
 * is the ERR doc 11 stream:rr_miss, as upstream. */
static void run_rr_send_source(pipe *p) {
  static const char kKind[] = "rr", kOp[] = "std.stream.src.rr_send_v1";
  x07_view kind = {(const uint8_t *)kKind, sizeof kKind - 1}, op = {(const uint8_t *)kOp, sizeof kOp - 1};
  x07_res_bytes r = x07_rr_next_v1(x07_rr_current_v1(), kind, op, arg(p, p->src_arg, ARG_VIEW)->v);
  if (r.tag != 1 || r.ok.len == 0) {
    x07_bytes_drop(r.ok);
    fail(p, 11, "stream:rr_miss");
    return;
  }
  x07_bytes resp = x07_rr_entry_resp_v1(x07_bytes_view(r.ok));
  x07_bytes_drop(r.ok);
  run_bytes_item(p, x07_bytes_view(resp));
  x07_bytes_drop(resp);
}

/* std.stream.src.fs_open_read_v1 in solve-fs / solve-full: the fixture file, handed out like
 * upstream's bufread loop (a window of up to bufread_cap_bytes refilled when used up, chunks of
 * at most chunk_max_bytes, one per step). */
static void run_world_fs_source(pipe *p) {
  x07_bytes data = x07_world_fs_pipe_source(arg(p, p->src_arg, ARG_VIEW)->v);
  uint32_t win_end = 0, pos = 0;  /* [pos, win_end): what is left of the current bufread window */
  for (uint32_t step = 0; step < p->max_steps && !p->done; step++) {
    if (pos >= win_end) {
      uint32_t rem = data.len - win_end;
      win_end += rem < p->bufread_cap ? rem : p->bufread_cap;
    }
    uint32_t n = win_end - pos;
    if (n > p->chunk_max) n = p->chunk_max;
    if (n == 0) {
      if (!flush_from(p, 0)) sink_finish(p);
      break;
    }
    x07_view chunk = {data.ptr + pos, n};
    if (run_item(p, chunk)) break;
    pos += n;
    if (p->stop) sink_finish(p);
  }
  x07_bytes_drop(data);
  if (!p->done) fail(p, 1, "stream:max_steps_exceeded");
}

/* Reads like upstream's bufread over the file: refill up to bufread_cap_bytes when the
 * buffer is empty, hand out chunks of at most chunk_max_bytes, one per step. */
static void run_fs_source(pipe *p) {
  x07_view path = arg(p, p->src_arg, ARG_VIEW)->v;
  x07_bytes caps = x07_bytes_new(24); /* fs caps v1, every limit from the policy */
  x07_wr_u32le(caps.ptr, 1);
  x07_res_i32 h = x07_os_fs_stream_open_read_v1(x07_bytes_from(path.ptr, path.len), caps);
  if (h.tag != 1) {
    char *c = (char *)x07_alloc(path.len + 1);
    memcpy(c, path.ptr, path.len);
    x07_trap_path("std.stream.src.fs_open_read_v1: open failed", c);
  }
  x07_bytes buf = x07_bytes_empty();
  uint32_t pos = 0;
  for (uint32_t step = 0; step < p->max_steps && !p->done; step++) {
    if (pos >= buf.len) {
      x07_bytes_drop(buf);
      buf = x07_bytes_empty();
      pos = 0;
      x07_res_bytes r = x07_os_fs_stream_read_some_v1(h.val, p->bufread_cap);
      if (r.tag == 1) buf = r.ok;
    }
    uint32_t n = buf.len - pos;
    if (n > p->chunk_max) n = p->chunk_max;
    if (n == 0) {
      if (!flush_from(p, 0)) sink_finish(p);
      break;
    }
    x07_view chunk = {buf.ptr + pos, n};
    if (run_item(p, chunk)) break;
    pos += n;
    if (p->stop) sink_finish(p);
  }
  x07_bytes_drop(buf);
  (void)x07_os_fs_stream_close_read_v1(h.val);
  (void)x07_os_fs_stream_drop_read_v1(h.val);
  if (!p->done) fail(p, 1, "stream:max_steps_exceeded");
}

static void run(pipe *p) {
  read_plan(p);
  if (p->cfg_error == X07_PIPE_CFGERR_CFG) {
    fail(p, 1, "stream:cfg_invalid");
    return;
  }
  if (p->cfg_error == X07_PIPE_CFGERR_FS_SINK) {
    fail(p, 1, "stream:fs_sink_cfg_invalid");
    return;
  }
  if (p->cfg_error == X07_PIPE_CFGERR_JSON_CFG) {
    fail(p, 1, "stream:json_canon_cfg_invalid");
    return;
  }
  if (is_fs_stream(p)) { /* opened before the plugin stages are initialised, like upstream */
    pipe_arg *path = arg(p, p->sink_arg, ARG_BYTES), *caps = arg(p, p->fs_caps_arg, ARG_BYTES);
    x07_res_i32 h = x07_os_fs_stream_open_write_v1(path->b, caps->b);
    path->b = caps->b = x07_bytes_empty();
    if (h.tag != 1) {
      fs_fail(p, 40, "stream:fs_open_failed", h.val);
      return;
    }
    p->fs_h = h.val;
    p->fs_open = 1;
    x07_vec_reserve(&p->sink_vec, p->fs_buf_cap);
  }
  if (p->sink_kind == X07_PIPE_SINK_COLLECT || p->sink_kind == X07_PIPE_SINK_FS_WRITE_FILE)
    x07_vec_reserve(&p->sink_vec, p->max_out < 65536u ? p->max_out : 65536u);
  /* plugin stages are initialised downstream first, like upstream */
  for (uint32_t i = p->nstages; i-- > 0;) {
    stage *s = &p->st[i];
    if (s->kind != X07_PIPE_XF_PLUGIN) continue;
    x07_xf_emit_reset(&s->emit);
    uint32_t ec = x07_xf_init(s->xf, x07_bytes_view(s->cfg));
    if (ec) {
      plugin_error(p, i, CALL_INIT, ec);
      return;
    }
    if (plugin_outputs(p, i)) return;
  }
  if (p->src_kind == X07_PIPE_SRC_BYTES) run_bytes_source(p);
  else if (p->src_kind == X07_PIPE_SRC_FS_OPEN_READ) run_fs_source(p);
  else if (p->src_kind == X07_PIPE_SRC_WORLD_FS) run_world_fs_source(p);
  else if (p->src_kind == X07_PIPE_SRC_RR_SEND) run_rr_send_source(p);
  else x07_trap("std.stream.pipe_v1: malformed pipe plan");
}

x07_bytes x07_pipe_run(void *pp, x07_view input) {
  pipe *p = (pipe *)pp;
  p->input = input;
  for (uint32_t i = 0; i < p->nargs; i++)
    if (p->args[i].kind == ARG_NONE) x07_trap("std.stream.pipe_v1: pipe argument missing");
  run(p);
  if (p->fs_open) (void)x07_os_fs_stream_drop_v1(p->fs_h); /* failed elsewhere: never committed */
  x07_bytes doc = p->doc;
  for (uint32_t i = 0; i < p->nstages; i++) {
    stage *s = &p->st[i];
    if (s->xf) {
      x07_xf_emit_free(&s->emit);
      x07_xf_free(s->xf);
    }
    x07_bytes_drop(s->cfg);
    if (s->scratch) x07_scratch_u8_fixed_drop(s->scratch);
  }
  for (uint32_t i = 0; i < p->nargs; i++)
    if (p->args[i].kind == ARG_BYTES) x07_bytes_drop(p->args[i].b);
  x07_vec_drop(p->sink_vec);
  x07_free(p->st);
  x07_free(p->args);
  x07_free(p->fns);
  x07_free(p);
  return doc;
}
