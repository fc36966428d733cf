/* FS v1 streams: writers (optionally atomic: temp file renamed at close) and
 * readers with a cumulative byte budget. Handles are 1-based slot indices;
 * freed slots are reused. Writers and readers have separate tables. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_fs_io.h"
#include "os_fs_path.h"
#include "os_policy.h"
#include "x07rt_os.h"

typedef struct {
  int used, open;
  int fd;
  char *target; /* final path (atomic) */
  char *tmp;    /* temp path while uncommitted, else NULL */
  uint64_t written;
  uint32_t max; /* write budget (writer) or read budget (reader) */
} stream_slot;

typedef struct {
  stream_slot *slots;
  uint32_t count;
} stream_table;

static stream_table g_writers, g_readers;

static uint32_t slot_alloc(stream_table *t) {
  for (uint32_t i = 0; i < t->count; i++)
    if (!t->slots[i].used) return i + 1;
  stream_slot *n = (stream_slot *)realloc(t->slots, (t->count + 1) * sizeof(stream_slot));
  if (!n) x07_trap("out of memory");
  t->slots = n;
  memset(&t->slots[t->count], 0, sizeof(stream_slot));
  t->count++;
  return t->count;
}

static stream_slot *slot_get(stream_table *t, uint32_t h) {
  if (h == 0 || h > t->count || !t->slots[h - 1].used) return NULL;
  return &t->slots[h - 1];
}

static void slot_free(stream_slot *s) {
  if (s->open) close(s->fd);
  if (s->tmp) {
    unlink(s->tmp);
    free(s->tmp);
  }
  free(s->target);
  memset(s, 0, sizeof *s);
}

static x07_res_i32 open_write(x07_view path, x07_view capsv) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_writer_prelude(path, capsv, 0, &caps, &p, 0);
  if (rc) return x07_res_i32_err(rc);
  struct stat st;
  int exists = stat(p, &st) == 0;
  int fd = -1;
  char *tmp = NULL;
  int extra = x07_fs_open_extra_flags();
  if (exists && S_ISDIR(st.st_mode)) rc = X07_FS_ERR_IS_DIR;
  else if (exists && !(caps.flags & X07_FS_FLAG_OVERWRITE)) rc = X07_FS_ERR_ALREADY_EXISTS;
  else if (caps.flags & X07_FS_FLAG_ATOMIC_WRITE) fd = x07_fs_open_atomic_tmp(p, &tmp);
  else if (caps.flags & X07_FS_FLAG_OVERWRITE) fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | extra, 0666);
  else fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | extra, 0666);
  if (!rc && fd < 0) rc = x07_fs_map_errno(errno);
  if (rc) {
    free(p);
    return x07_res_i32_err(rc);
  }
  uint32_t h = slot_alloc(&g_writers);
  stream_slot *s = &g_writers.slots[h - 1];
  s->used = s->open = 1;
  s->fd = fd;
  s->target = p;
  s->tmp = tmp;
  s->max = x07_fs_eff_max(x07_os_pol()->v1_max_write, caps.max_write);
  return x07_res_i32_ok(h);
}

x07_res_i32 x07_os_fs_stream_open_write_v1(x07_bytes path, x07_bytes caps) {
  x07_res_i32 r = open_write(x07_bytes_view(path), x07_bytes_view(caps));
  x07_bytes_drop(path);
  x07_bytes_drop(caps);
  return r;
}

x07_res_i32 x07_os_fs_stream_write_all_v1(uint32_t h, x07_view data) {
  stream_slot *s = slot_get(&g_writers, h);
  if (!s || !s->open) return x07_res_i32_err(X07_FS_ERR_BAD_HANDLE);
  if (s->written + data.len > s->max) return x07_res_i32_err(X07_FS_ERR_TOO_LARGE);
  int e = x07_fs_write_full(s->fd, data.ptr, data.len);
  if (e) return x07_res_i32_err(x07_fs_map_errno(e));
  s->written += data.len;
  return x07_res_i32_ok(data.len);
}

x07_res_i32 x07_os_fs_stream_close_v1(uint32_t h) {
  stream_slot *s = slot_get(&g_writers, h);
  if (!s) return x07_res_i32_err(X07_FS_ERR_BAD_HANDLE);
  if (!s->open) return x07_res_i32_ok(1);
  int e = 0;
  if (s->tmp && fsync(s->fd) != 0) e = errno;
  if (close(s->fd) != 0 && !e) e = errno;
  s->open = 0;
  if (s->tmp) {
    if (!e && rename(s->tmp, s->target) != 0) e = errno;
    if (e) unlink(s->tmp);
    free(s->tmp);
    s->tmp = NULL;
  }
  return e ? x07_res_i32_err(x07_fs_map_errno(e)) : x07_res_i32_ok(1);
}

uint32_t x07_os_fs_stream_drop_v1(uint32_t h) {
  stream_slot *s = slot_get(&g_writers, h);
  if (s) slot_free(s);
  return 1;
}

static x07_res_i32 open_read(x07_view path, x07_view capsv) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_parse_caps(capsv, &caps);
  if (!rc) rc = x07_fs_symlink_check(&caps);
  if (!rc) rc = x07_fs_enforce(0, &caps, path, &p);
  uint32_t max = 0;
  int fd = -1;
  if (!rc) {
    max = x07_fs_eff_max(x07_os_pol()->v1_max_read, caps.max_read);
    rc = x07_fs_open_read_capped(p, max, &fd);
  }
  free(p);
  if (rc) return x07_res_i32_err(rc);
  uint32_t h = slot_alloc(&g_readers);
  stream_slot *s = &g_readers.slots[h - 1];
  s->used = s->open = 1;
  s->fd = fd;
  s->max = max;
  return x07_res_i32_ok(h);
}

x07_res_i32 x07_os_fs_stream_open_read_v1(x07_bytes path, x07_bytes caps) {
  x07_res_i32 r = open_read(x07_bytes_view(path), x07_bytes_view(caps));
  x07_bytes_drop(path);
  x07_bytes_drop(caps);
  return r;
}

x07_res_bytes x07_os_fs_stream_read_some_v1(uint32_t h, uint32_t max) {
  if ((int32_t)max <= 0) return x07_res_bytes_ok(x07_bytes_empty());
  stream_slot *s = slot_get(&g_readers, h);
  if (!s) return x07_res_bytes_err(X07_FS_ERR_BAD_HANDLE);
  if (!s->open || s->written >= s->max) return x07_res_bytes_ok(x07_bytes_empty());
  uint64_t remaining = s->max - s->written;
  uint32_t want = max < remaining ? max : (uint32_t)remaining;
  uint8_t *tmp = (uint8_t *)malloc(want);
  if (!tmp) x07_trap("out of memory");
  ssize_t r;
  do r = read(s->fd, tmp, want);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    free(tmp);
    return x07_res_bytes_err(x07_fs_map_errno(e));
  }
  s->written += (uint64_t)r;
  x07_bytes out = r ? x07_bytes_from(tmp, (uint32_t)r) : x07_bytes_empty();
  free(tmp);
  return x07_res_bytes_ok(out);
}

x07_res_i32 x07_os_fs_stream_close_read_v1(uint32_t h) {
  stream_slot *s = slot_get(&g_readers, h);
  if (!s) return x07_res_i32_err(X07_FS_ERR_BAD_HANDLE);
  if (s->open) close(s->fd);
  s->open = 0;
  return x07_res_i32_ok(1);
}

uint32_t x07_os_fs_stream_drop_read_v1(uint32_t h) {
  stream_slot *s = slot_get(&g_readers, h);
  if (s) slot_free(s);
  return 1;
}

/* Called at program end: uncommitted temp files are removed. */
void x07_os_fs_streams_fini(void) {
  for (uint32_t i = 0; i < g_writers.count; i++)
    if (g_writers.slots[i].used) slot_free(&g_writers.slots[i]);
  for (uint32_t i = 0; i < g_readers.count; i++)
    if (g_readers.slots[i].used) slot_free(&g_readers.slots[i]);
}
