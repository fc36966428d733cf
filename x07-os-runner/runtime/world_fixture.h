/* Shared by the fixture-world adapters (world_fs.c, world_kv.c, world_rr.c) and the pipe
 * engine (stream_pipe.c). Internal to the runtime. */
#ifndef X07RT_WORLD_FIXTURE_H
#define X07RT_WORLD_FIXTURE_H
#include <stdio.h>

#include "x07rt.h"

/* upstream's safe relative fixture path (see world_fs.c) */
int x07_world_safe_rel_path(x07_view p);
/* NUL-terminated arena copy */
char *x07_world_cstr(x07_view p);
/* a whole regular file, or a trap "<op> open failed path=<path>" */
x07_bytes x07_world_read_whole(const char *op, const char *path);

x07_bytes x07_world_fs_pipe_source(x07_view path);
uint32_t x07_rr_current_v1(void);
x07_res_bytes x07_rr_next_v1(uint32_t h, x07_view kind, x07_view op, x07_view key);
x07_bytes x07_rr_entry_resp_v1(x07_view entry);
#endif
