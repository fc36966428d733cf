/* os.process.* builtins over the process table (runner.md §6.5 "API results"). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "os_doc.h"
#include "os_policy.h"
#include "os_proc.h"
#include "x07rt_os.h"
#include "x07rt_mem.h"

_Noreturn void x07_os_process_exit(uint32_t code) {
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed) {
    if (!pol->proc_enabled) x07_trap("os.process disabled by policy");
    if (!pol->proc_allow_exit) x07_trap("os.process.exit disabled by policy");
  }
  if (x07_before_exit) x07_before_exit();
  exit((int)code);
}

static x07_bytes ok_doc(const x07_proc_slot *s) {
  uint64_t n = 2 + 4 + 4 + 4 + (uint64_t)s->out.len + 4 + (uint64_t)s->err.len;
  if (n > 0xFFFFFFFFull) x07_trap("out of memory");
  x07_bytes b = x07_bytes_new((uint32_t)n);
  uint8_t *w = b.ptr;
  w[0] = 1;
  w[1] = 1;
  x07_wr_u32le(w + 2, s->exit_code);
  x07_wr_u32le(w + 6, 0);
  x07_wr_u32le(w + 10, (uint32_t)s->out.len);
  if (s->out.len) memcpy(w + 14, s->out.p, s->out.len);
  w += 14 + s->out.len;
  x07_wr_u32le(w, (uint32_t)s->err.len);
  if (s->err.len) memcpy(w + 4, s->err.p, s->err.len);
  return b;
}

static x07_bytes result_doc(const x07_proc_slot *s) { return s->err_code ? x07_os_err_doc(s->err_code) : ok_doc(s); }

/* The spawn builtins own their arguments. */
static uint32_t spawn_and_drop(x07_bytes req, x07_bytes caps, int mode) {
  uint32_t h = x07_proc_spawn(x07_bytes_view(req), x07_bytes_view(caps), mode);
  x07_bytes_drop(req);
  x07_bytes_drop(caps);
  return h;
}

uint32_t x07_os_process_spawn_capture_v1(x07_bytes req, x07_bytes caps) {
  return spawn_and_drop(req, caps, X07_PROC_MODE_CAPTURE);
}

uint32_t x07_os_process_spawn_piped_v1(x07_bytes req, x07_bytes caps) {
  return spawn_and_drop(req, caps, X07_PROC_MODE_PIPED);
}

static x07_proc_slot *capture_slot(uint32_t h, const char *mode_trap) {
  x07_proc_slot *s = x07_proc_slot_of(h);
  if (s->mode != X07_PROC_MODE_CAPTURE) x07_trap(mode_trap);
  return s;
}

static x07_bytes take_join(x07_proc_slot *s) {
  if (s->join_taken) x07_trap("os.process join already taken");
  s->join_taken = 1;
  return result_doc(s);
}

x07_opt_bytes x07_os_process_try_join_capture_v1(uint32_t h) {
  x07_opt_bytes r = {0, {0, 0}};
  if (x07_proc_is_sentinel(h)) {
    r.tag = 1;
    r.val = x07_os_err_doc(h >> 16);
    return r;
  }
  x07_proc_slot *s = capture_slot(h, "os.process.try_join_capture_v1 invalid proc mode");
  x07_proc_poll_all(0);
  if (!s->finished) return r;
  r.tag = 1;
  r.val = take_join(s);
  return r;
}

x07_bytes x07_os_process_join_capture_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return x07_os_err_doc(h >> 16);
  x07_proc_slot *s = capture_slot(h, "os.process.join_capture_v1 invalid proc mode");
  while (!s->finished) x07_proc_poll_all(-1);
  return take_join(s);
}

uint32_t x07_os_process_drop_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return 0;
  x07_proc_slot *s = x07_proc_slot_of(h);
  x07_proc_poll_all(0);
  const x07_os_policy *pol = x07_os_pol();
  if (s->running && pol->sandboxed && !pol->proc_kill_on_drop) return 0;
  x07_proc_kill_reap(s);
  x07_proc_slot_release(s);
  return 1;
}

x07_bytes x07_os_process_run_capture_v1(x07_bytes req, x07_bytes caps) {
  uint32_t h = x07_os_process_spawn_capture_v1(req, caps);
  x07_bytes doc = x07_os_process_join_capture_v1(h);
  if (!x07_proc_is_sentinel(h)) {
    x07_proc_slot *s = x07_proc_slot_of(h);
    x07_proc_kill_reap(s);
    x07_proc_slot_release(s);
  }
  return doc;
}

static x07_bytes read_stream(uint32_t h, uint32_t max, int err, const char *mode_trap) {
  if (x07_proc_is_sentinel(h) || (int32_t)max <= 0) return x07_bytes_empty();
  x07_proc_slot *s = x07_proc_slot_of(h);
  if (s->mode != X07_PROC_MODE_PIPED) x07_trap(mode_trap);
  x07_proc_poll_all(0);
  return x07_proc_buf_take(err ? &s->err : &s->out, max);
}

x07_bytes x07_os_process_stdout_read_v1(uint32_t h, uint32_t max) {
  return read_stream(h, max, 0, "os.process.stdout_read_v1 invalid proc mode");
}

x07_bytes x07_os_process_stderr_read_v1(uint32_t h, uint32_t max) {
  return read_stream(h, max, 1, "os.process.stderr_read_v1 invalid proc mode");
}

uint32_t x07_os_process_stdin_write_v1(uint32_t h, x07_bytes chunk) {
  if (x07_proc_is_sentinel(h)) {
    x07_bytes_drop(chunk);
    return 0;
  }
  x07_proc_slot *s = x07_proc_slot_of(h);
  x07_proc_poll_all(0);
  if (s->fd_in < 0 || s->in_close_requested || !s->running || s->finished) {
    x07_bytes_drop(chunk);
    return 0;
  }
  const x07_os_policy *pol = x07_os_pol();
  size_t pending = s->in_pending.len - s->in_off;
  if (pol->sandboxed && pol->proc_max_stdin && pending + chunk.len > pol->proc_max_stdin)
    x07_trap("os.process.stdin_write_v1 pending exceeds policy max_stdin_bytes");
  x07_proc_buf_add(&s->in_pending, chunk.ptr, chunk.len);
  x07_bytes_drop(chunk);
  x07_proc_poll_all(0);
  return 1;
}

uint32_t x07_os_process_stdin_close_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return 0;
  x07_proc_slot *s = x07_proc_slot_of(h);
  if (s->fd_in < 0 || s->in_close_requested) return 0;
  s->in_close_requested = 1;
  x07_proc_poll_all(0);
  return 1;
}

uint32_t x07_os_process_try_wait_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return 1;
  x07_proc_slot *s = x07_proc_slot_of(h);
  x07_proc_poll_all(0);
  return s->running ? 0 : 1;
}

uint32_t x07_os_process_join_exit_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return 1;
  x07_proc_slot *s = x07_proc_slot_of(h);
  while (s->running) x07_proc_poll_all(-1);
  return 1;
}

uint32_t x07_os_process_take_exit_v1(uint32_t h) {
  if (x07_proc_is_sentinel(h)) return 0u - (h >> 16);
  x07_proc_slot *s = x07_proc_slot_of(h);
  x07_proc_poll_all(0);
  if (s->err_code && !s->running) return 0u - s->err_code;
  if (s->running) x07_trap("os.process.take_exit_v1 before exit");
  if (s->exit_taken) x07_trap("os.process.take_exit_v1 already taken");
  s->exit_taken = 1;
  return s->exit_code;
}

uint32_t x07_os_process_kill_v1(uint32_t h, uint32_t sig) {
  if (x07_proc_is_sentinel(h)) return 0;
  x07_proc_slot *s = x07_proc_slot_of(h);
  x07_proc_poll_all(0);
  if (!s->running) return 0;
  int target = s->kill_tree ? -s->pid : s->pid;
  return kill(target, (int)sig) == 0 ? 1 : 0;
}
