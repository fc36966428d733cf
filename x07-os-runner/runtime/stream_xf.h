/* Stream transducer plugins built into the runtime (upstream's pinned x07.stream.xf
 * backend: frame/split/deframe/json canon + the emit-limits test plugin), with the
 * emit rules and per-step limits upstream's plugin host enforces. Internal to
 * stream_pipe.c / stream_xf.c / stream_jcs.c. */
#ifndef X07_STREAM_XF_H
#define X07_STREAM_XF_H

#include "x07rt.h"

/* Plugin error codes (the ERR doc codes of std.stream.pipe_v1). */
enum {
  XF_E_CFG_INVALID = 1,
  XF_E_BUDGET_IN_BYTES = 2,
  XF_E_LINE_TOO_LONG = 5,
  XF_E_FRAME_TOO_LARGE = 10,
  XF_E_DEFRAME_FRAME_TOO_LARGE = 80,
  XF_E_DEFRAME_TRUNCATED = 81,
  XF_E_DEFRAME_EMPTY_FORBIDDEN = 82,
  XF_E_DEFRAME_MAX_FRAMES = 83,
  XF_E_CFG_TOO_LARGE = 110,
  XF_E_CFG_NON_CANON = 111,
  XF_E_OUT_INVALID = 112,
  XF_E_EMIT_BUF_TOO_LARGE = 113,
  XF_E_EMIT_STEP_BYTES_EXCEEDED = 114,
  XF_E_EMIT_STEP_ITEMS_EXCEEDED = 115,
  XF_E_EMIT_LEN_GT_CAP = 116,
  XF_E_PLUGIN_INVALID = 117,
  XF_E_VIEW_NOT_ALLOWED = 118,
};

/* Outputs of one plugin call: owned buffers or views of the current input. */
typedef struct {
  x07_view view;
  x07_bytes owned; /* empty for a view output */
} xf_out;

typedef struct {
  uint32_t max_step_bytes, max_step_items, max_buf_bytes;
  uint32_t step_bytes, step_items;
  xf_out *outs;
  uint32_t n, cap;
  int pending;
  x07_bytes pend;
  x07_view in; /* the input of the current step (emit_view kind 1) */
} xf_emit;

typedef struct xf_plugin xf_plugin;

xf_plugin *x07_xf_new(uint32_t code);
void x07_xf_free(xf_plugin *p);
/* Each call returns 0 or an error code; outputs are appended to `e` (x07_xf_emit_reset first). */
uint32_t x07_xf_init(xf_plugin *p, x07_view cfg);
uint32_t x07_xf_step(xf_plugin *p, x07_view in, xf_emit *e);
uint32_t x07_xf_flush(xf_plugin *p, xf_emit *e);
void x07_xf_emit_init(xf_plugin *p, xf_emit *e);
void x07_xf_emit_reset(xf_emit *e);
void x07_xf_emit_free(xf_emit *e);
/* json canon plugin: why the last step failed with XF_E_BUDGET_IN_BYTES (1 = input too large,
 * 2 = over max_total_json_bytes) and the byte offset of the last canonicalization error. */
uint32_t x07_xf_json_err_kind(const xf_plugin *p);
uint32_t x07_xf_json_err_off(const xf_plugin *p);

/* RFC 8785 (JCS) canonicalization of one JSON document. Returns 0 and sets *out, or an
 * error code (20 syntax, 21 not I-JSON, 22 too deep, 23 object too large, 24 trailing
 * data) with *err_off the byte offset where it was found. */
uint32_t x07_json_jcs_canon(const uint8_t *in, uint32_t len, uint32_t max_depth, uint32_t max_members,
                            uint32_t max_object_total_bytes, x07_bytes *out, uint32_t *err_off);

#endif /* X07_STREAM_XF_H */
