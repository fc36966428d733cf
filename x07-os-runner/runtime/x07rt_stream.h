/* std.stream.pipe_v1 runtime interface.
 *
 * The compiler (compiler/stream_pipe.cpp) turns each pipe into a "plan": a
 * string of little-endian u32 words describing cfg, source, stages and sink.
 * Values that upstream evaluates once at pipe init (std.stream.expr_v1) and
 * the functions named by std.stream.fn_v1 are attached to the pipe by index
 * before it runs. This header is shared by the compiler (C++) and the runtime
 * (runtime/stream_pipe.c); generated programs include it when they use a pipe.
 *
 * Plan words:
 *   X07_PIPE_PLAN_MAGIC, n_args, n_fns,
 *   cfg: chunk_max_bytes, bufread_cap_bytes, max_in_bytes, max_out_bytes,
 *        max_items, max_steps, emit_payload, emit_stats, cfg_error (0 or an
 *        X07_PIPE_CFGERR_* the pipe returns as its ERR doc),
 *   source: kind, arg,
 *   n_stages, then per stage: kind + kind-specific words (see stream_pipe.c),
 *   sink: u32frames (0/1), kind, arg [, caps arg, buf_cap, flush_min, max_flushes for fs streams].
 */
#ifndef X07RT_STREAM_H
#define X07RT_STREAM_H

#define X07_PIPE_PLAN_MAGIC 0x50375831u /* "1X7P" */

enum {
  X07_PIPE_CFGERR_NONE = 0,
  X07_PIPE_CFGERR_CFG = 1,        /* stream:cfg_invalid */
  X07_PIPE_CFGERR_JSON_CFG = 2,   /* stream:json_canon_cfg_invalid */
  X07_PIPE_CFGERR_FS_SINK = 3,    /* stream:fs_sink_cfg_invalid */
};

/* SRC_FS_OPEN_READ: a file through os.fs under the run-os policy; SRC_WORLD_FS: a fixture file
 * (solve-fs, solve-full); SRC_RR_SEND: the response of the current rr scope's entry for a key. */
enum { X07_PIPE_SRC_BYTES = 1, X07_PIPE_SRC_FS_OPEN_READ = 2, X07_PIPE_SRC_WORLD_FS = 3, X07_PIPE_SRC_RR_SEND = 4 };

enum {
  X07_PIPE_XF_MAP_BYTES = 1,     /* fn */
  X07_PIPE_XF_FILTER = 2,        /* fn */
  X07_PIPE_XF_TAKE = 3,          /* arg (i32) */
  X07_PIPE_XF_PLUGIN = 4,        /* plugin, err_map, cfg_mode, cfg words... */
  X07_PIPE_XF_REQUIRE_BRAND = 5, /* max_item_bytes, fn, brand text, validator text */
  X07_PIPE_XF_MAP_IN_PLACE = 6,  /* scratch_cap_bytes, clear_before_each, fn */
};

/* Built-in stream transducer plugins (upstream's pinned x07.stream.xf backend). */
enum {
  X07_XF_FRAME_U32LE = 1,
  X07_XF_SPLIT_LINES = 2,
  X07_XF_DEFRAME_U32LE = 3,
  X07_XF_JSON_CANON = 4,
  X07_XF_TEST_EMIT_LIMITS = 5,
};

/* How plugin error codes map to ERR docs (upstream maps per built-in stage). */
enum {
  X07_XF_ERRMAP_GENERIC = 0,
  X07_XF_ERRMAP_SPLIT_LINES = 1,
  X07_XF_ERRMAP_FRAME = 2,
  X07_XF_ERRMAP_DEFRAME = 3,
  X07_XF_ERRMAP_JSON = 4,
};

/* Plugin cfg: X07_XF_CFG_ARG + arg index (a bytes value), or X07_XF_CFG_WORDS + n
 * followed by n (is_arg, value) pairs, each giving one little-endian i32 of the cfg. */
enum { X07_XF_CFG_ARG = 0, X07_XF_CFG_WORDS = 1 };

enum {
  X07_PIPE_SINK_COLLECT = 1,
  X07_PIPE_SINK_HASH_FNV1A32 = 2,
  X07_PIPE_SINK_NULL = 3,
  X07_PIPE_SINK_FS_WRITE_FILE = 4, /* arg (bytes path) */
  /* streaming fs writers: arg (bytes path), then caps arg, buf_cap_bytes, flush_min_bytes, max_flushes */
  X07_PIPE_SINK_FS_WRITE_STREAM = 5,
  X07_PIPE_SINK_FS_WRITE_STREAM_HASH = 6,
};

#ifndef __cplusplus /* the compiler only needs the plan constants */
#include "x07rt.h"

typedef void (*x07_pipe_fn)(void);

void *x07_pipe_begin(const char *plan, uint32_t plan_len);
void x07_pipe_arg_i32(void *pipe, uint32_t idx, uint32_t v);
void x07_pipe_arg_bytes(void *pipe, uint32_t idx, x07_bytes b);
void x07_pipe_arg_view(void *pipe, uint32_t idx, x07_view v);
void x07_pipe_arg_fn(void *pipe, uint32_t idx, x07_pipe_fn f);
/* Runs the pipe, frees it and returns its OK/ERR doc. */
x07_bytes x07_pipe_run(void *pipe, x07_view input);
#endif
#endif /* X07RT_STREAM_H */
