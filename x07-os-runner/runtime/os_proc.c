/* Child-process table, spawning and supervision (runner.md §6.5).
 *
 * Handles are (gen << 16) | (slot + 1). Every process call runs one
 * supervision pass; blocking joins loop on poll(2) until their child finishes;
 * joins inside async tasks suspend the task instead (os_proc_async.c). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "os_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core_sched_internal.h"
#include "os_grow.h"
#include "os_policy.h"

enum { MAX_SLOTS = 0xFFFF };

static x07_proc_slot *g_slots;
static uint32_t g_nslots;
static uint32_t g_spawned; /* spawn attempts counted against max_spawns */
static uint32_t g_live;    /* children not yet reaped */

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

void x07_proc_buf_add(x07_proc_buf *b, const uint8_t *p, size_t n) {
  b->p = (uint8_t *)x07_os_grow(b->p, &b->cap, b->len + n, 4096);
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

x07_bytes x07_proc_buf_take(x07_proc_buf *b, uint32_t max) {
  size_t n = b->len < max ? b->len : max;
  if (n == 0) return x07_bytes_empty();
  x07_bytes out = x07_bytes_from(b->p, (uint32_t)n);
  memmove(b->p, b->p + n, b->len - n);
  b->len -= n;
  return out;
}

int x07_proc_is_sentinel(uint32_t h) { return (h & 0xFFFFu) == 0; }

x07_proc_slot *x07_proc_slot_of(uint32_t h) {
  uint32_t idx = h & 0xFFFFu, gen = h >> 16;
  if (idx == 0 || idx > g_nslots) x07_trap("os.process invalid handle");
  x07_proc_slot *s = &g_slots[idx - 1];
  if (!s->used || s->gen != gen) x07_trap("os.process invalid handle");
  return s;
}

static uint32_t slot_new(void) {
  uint32_t i = 0;
  while (i < g_nslots && g_slots[i].used) i++;
  if (i == g_nslots) {
    if (g_nslots == MAX_SLOTS) x07_trap("os.process too many handles");
    x07_proc_slot *n = (x07_proc_slot *)realloc(g_slots, (g_nslots + 1) * sizeof *n);
    if (!n) x07_trap("out of memory");
    g_slots = n;
    memset(&g_slots[g_nslots], 0, sizeof *n);
    g_slots[g_nslots].gen = 1;
    g_nslots++;
  }
  x07_proc_slot *s = &g_slots[i];
  uint16_t gen = s->gen ? s->gen : 1;
  memset(s, 0, sizeof *s);
  s->gen = gen;
  s->used = 1;
  s->fd_in = s->fd_out = s->fd_err = -1;
  return ((uint32_t)gen << 16) | (i + 1);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void close_all(x07_proc_slot *s) {
  close_fd(&s->fd_in);
  close_fd(&s->fd_out);
  close_fd(&s->fd_err);
}

static void set_exit_status(x07_proc_slot *s, int status) {
  if (WIFEXITED(status)) s->exit_code = (uint32_t)WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) s->exit_code = 128u + (uint32_t)WTERMSIG(status);
  else s->exit_code = 1;
}

static void mark_reaped(x07_proc_slot *s, int status) {
  set_exit_status(s, status);
  s->running = 0;
  if (g_live) g_live--;
}

void x07_proc_kill_reap(x07_proc_slot *s) {
  close_all(s);
  if (!s->running) return;
  if (s->kill_tree) kill(-s->pid, SIGKILL);
  kill(s->pid, SIGKILL);
  int st = 0;
  while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {
  }
  mark_reaped(s, st);
}

/* A failure (timeout, output limit, I/O error) kills the child and finishes
 * the slot with the error doc. */
static void fail(x07_proc_slot *s, uint32_t code) {
  if (!s->err_code) s->err_code = code;
  x07_proc_kill_reap(s);
  s->finished = 1;
}

void x07_proc_slot_release(x07_proc_slot *s) {
  close_all(s);
  free(s->out.p);
  free(s->err.p);
  free(s->in_pending.p);
  uint16_t gen = (uint16_t)(s->gen + 1);
  if (gen == 0) gen = 1;
  memset(s, 0, sizeof *s);
  s->gen = gen;
  s->fd_in = s->fd_out = s->fd_err = -1;
}

/* ---------- spawning ---------- */

static void child_fail(int status_fd, int e) {
  ssize_t w = write(status_fd, &e, sizeof e);
  (void)w;
  _exit(127);
}

/* Runs in the forked child: only async-signal-safe calls from here on. */
static void child_exec(const x07_proc_spec *sp, int kill_tree, int in_r, int out_w, int err_w, int status_w) {
  signal(SIGPIPE, SIG_DFL);
  if (dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) child_fail(status_w, errno);
  if (kill_tree && setpgid(0, 0) != 0) child_fail(status_w, errno);
  if (sp->cwd) {
    if (sp->cwd_rel) {
      const x07_os_list *roots = &x07_os_pol()->proc_cwd_roots;
      int ok = 0;
      char buf[8192];
      for (uint32_t i = 0; i < roots->count && !ok; i++) {
        size_t rl = strlen(roots->items[i]), cl = strlen(sp->cwd);
        if (rl + cl + 2 > sizeof buf) continue;
        memcpy(buf, roots->items[i], rl);
        buf[rl] = '/';
        memcpy(buf + rl + 1, sp->cwd, cl + 1);
        if (chdir(buf) == 0) ok = 1;
      }
      if (!ok) child_fail(status_w, ENOENT);
    } else if (chdir(sp->cwd) != 0) {
      child_fail(status_w, errno);
    }
  }
  execve(sp->argv[0], sp->argv, sp->envp);
  child_fail(status_w, errno);
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Starts the child; returns 0 or X07_PROC_SPAWN_FAILED. */
static uint32_t start_child(x07_proc_slot *s, const x07_proc_spec *sp) {
  int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, pst[2] = {-1, -1};
  if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC) || pipe2(pst, O_CLOEXEC)) {
    int all[8] = {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], pst[0], pst[1]};
    for (int i = 0; i < 8; i++)
      if (all[i] >= 0) close(all[i]);
    return X07_PROC_SPAWN_FAILED;
  }
  pid_t pid = fork();
  if (pid == 0) child_exec(sp, s->kill_tree, pin[0], pout[1], perr[1], pst[1]);
  /* also from the parent, so a kill of the group cannot race the child's setpgid */
  if (pid > 0 && s->kill_tree) setpgid(pid, pid);
  close(pin[0]);
  close(pout[1]);
  close(perr[1]);
  close(pst[1]);
  if (pid < 0) {
    close(pin[1]);
    close(pout[0]);
    close(perr[0]);
    close(pst[0]);
    return X07_PROC_SPAWN_FAILED;
  }
  int child_errno = 0;
  ssize_t r;
  do r = read(pst[0], &child_errno, sizeof child_errno);
  while (r < 0 && errno == EINTR);
  close(pst[0]);
  if (r > 0) {
    /* exec did not happen: reap the helper child */
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    close(pin[1]);
    close(pout[0]);
    close(perr[0]);
    return X07_PROC_SPAWN_FAILED;
  }
  s->pid = pid;
  s->running = 1;
  g_live++;
  s->fd_in = pin[1];
  s->fd_out = pout[0];
  s->fd_err = perr[0];
  set_nonblock(s->fd_in);
  set_nonblock(s->fd_out);
  set_nonblock(s->fd_err);
  return 0;
}

uint32_t x07_proc_spawn(x07_view req, x07_view caps, int mode) {
  x07_sched_poll_hook = x07_sched_poll_procs; /* the scheduler now supervises children too */
  const x07_os_policy *pol = x07_os_pol();
  int sb = pol->sandboxed;
  x07_proc_poll_all(0);
  /* max_spawns used up: a sentinel handle (no slot; the failure code in the high 16 bits) */
  if (sb && pol->proc_max_spawns != 0 && g_spawned >= pol->proc_max_spawns)
    return (uint32_t)X07_PROC_POLICY_DENIED << 16;
  uint32_t h = slot_new();
  x07_proc_slot *s = &g_slots[(h & 0xFFFFu) - 1];
  s->mode = mode;
  s->kill_tree = sb ? pol->proc_kill_tree : 1;
  x07_proc_spec sp;
  memset(&sp, 0, sizeof sp);
  uint32_t rc = 0;
  if (sb && (!pol->proc_enabled || !pol->proc_allow_spawn)) rc = X07_PROC_POLICY_DENIED;
  if (!rc && sb && pol->proc_max_spawns != 0) g_spawned++; /* the limit was checked above */
  if (!rc && sb && pol->proc_max_live != 0 && g_live >= pol->proc_max_live) rc = X07_PROC_POLICY_DENIED;
  if (!rc) rc = x07_proc_check_caps(caps, &sp);
  if (!rc) rc = x07_proc_check_req(req, &sp);
  if (!rc) {
    s->max_out = sp.max_out;
    s->max_err = sp.max_err;
    s->max_total = sp.max_total;
    s->timeout_ms = sp.timeout_ms;
    s->start_ms = now_ms();
    rc = start_child(s, &sp);
  }
  if (rc) {
    s->err_code = rc;
    s->finished = 1;
  } else {
    if (sp.stdin_len) x07_proc_buf_add(&s->in_pending, sp.stdin_data, sp.stdin_len);
    if (mode == X07_PROC_MODE_CAPTURE) s->in_close_requested = 1;
    if (s->in_close_requested && s->in_pending.len == 0) close_fd(&s->fd_in);
  }
  x07_proc_spec_free(&sp);
  return h;
}

/* ---------- supervision ---------- */

static void pump_stdin(x07_proc_slot *s) {
  while (s->fd_in >= 0 && s->in_off < s->in_pending.len) {
    ssize_t w = write(s->fd_in, s->in_pending.p + s->in_off, s->in_pending.len - s->in_off);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      if (errno == EPIPE) {
        close_fd(&s->fd_in);
        s->in_pending.len = s->in_off = 0;
        return;
      }
      fail(s, X07_PROC_SPAWN_FAILED);
      return;
    }
    s->in_off += (size_t)w;
  }
  if (s->in_off == s->in_pending.len) s->in_pending.len = s->in_off = 0;
  if (s->fd_in >= 0 && s->in_close_requested && s->in_pending.len == 0) close_fd(&s->fd_in);
}

/* The stream is readable (data or EOF): a full buffer is an output-limit failure. */
static void pump_output(x07_proc_slot *s, int *fd, x07_proc_buf *b, uint32_t max) {
  for (;;) {
    if (*fd < 0) return;
    size_t total = s->out.len + s->err.len;
    if (b->len >= max || total >= s->max_total) {
      fail(s, X07_PROC_OUTPUT_LIMIT);
      return;
    }
    size_t room = max - b->len;
    if (s->max_total - total < room) room = s->max_total - total;
    uint8_t tmp[65536];
    if (room > sizeof tmp) room = sizeof tmp;
    ssize_t r = read(*fd, tmp, room);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      fail(s, X07_PROC_SPAWN_FAILED);
      return;
    }
    if (r == 0) {
      close_fd(fd);
      return;
    }
    x07_proc_buf_add(b, tmp, (size_t)r);
  }
}

static void check_done(x07_proc_slot *s) {
  if (s->finished || s->running) return;
  if (s->mode == X07_PROC_MODE_CAPTURE && (s->fd_out >= 0 || s->fd_err >= 0)) return;
  if (s->mode == X07_PROC_MODE_CAPTURE) close_fd(&s->fd_in);
  s->finished = 1;
}

void x07_proc_poll_all(int wait_ms) {
  struct pollfd *pfds = NULL;
  uint32_t *owner = NULL;
  size_t n = 0;
  uint64_t now = now_ms();
  int timeout = wait_ms;
  for (uint32_t i = 0; i < g_nslots; i++) {
    x07_proc_slot *s = &g_slots[i];
    if (!s->used || s->finished) continue;
    if (s->timeout_ms && s->running) {
      uint64_t deadline = s->start_ms + s->timeout_ms;
      int left = deadline > now ? (int)(deadline - now) + 1 : 0;
      if (timeout < 0 || left < timeout) timeout = left;
    }
  }
  if (g_live > 0 && (timeout < 0 || timeout > 20)) timeout = 20; /* re-check exits without SIGCHLD */
  pfds = (struct pollfd *)calloc((size_t)g_nslots * 3 + 1, sizeof *pfds);
  owner = (uint32_t *)calloc((size_t)g_nslots * 3 + 1, sizeof *owner);
  if (!pfds || !owner) x07_trap("out of memory");
  for (uint32_t i = 0; i < g_nslots; i++) {
    x07_proc_slot *s = &g_slots[i];
    if (!s->used) continue; /* a finished piped child may still have buffered pipe data */
    if (s->fd_in >= 0 && s->in_close_requested && s->in_pending.len == s->in_off) close_fd(&s->fd_in);
    if (s->fd_in >= 0 && s->in_pending.len > s->in_off) {
      pfds[n].fd = s->fd_in;
      pfds[n].events = POLLOUT;
      owner[n++] = i;
    }
    if (s->fd_out >= 0) {
      pfds[n].fd = s->fd_out;
      pfds[n].events = POLLIN;
      owner[n++] = i;
    }
    if (s->fd_err >= 0) {
      pfds[n].fd = s->fd_err;
      pfds[n].events = POLLIN;
      owner[n++] = i;
    }
  }
  /* with no pipe left to wake us, only an exit is awaited: re-check it every 1 ms */
  if (n == 0 && g_live > 0 && timeout > 1) timeout = 1;
  if (n > 0 || timeout > 0) {
    int pr = poll(pfds, n, timeout);
    (void)pr;
  }
  for (size_t k = 0; k < n; k++) {
    x07_proc_slot *s = &g_slots[owner[k]];
    if (!pfds[k].revents) continue;
    if (pfds[k].fd == s->fd_in) pump_stdin(s);
    else if (pfds[k].fd == s->fd_out) pump_output(s, &s->fd_out, &s->out, s->max_out);
    else if (pfds[k].fd == s->fd_err) pump_output(s, &s->fd_err, &s->err, s->max_err);
  }
  free(pfds);
  free(owner);
  now = now_ms();
  for (uint32_t i = 0; i < g_nslots; i++) {
    x07_proc_slot *s = &g_slots[i];
    if (!s->used || s->finished) continue;
    if (s->running) {
      int st = 0;
      pid_t r = waitpid(s->pid, &st, WNOHANG);
      if (r == s->pid) mark_reaped(s, st);
    }
    check_done(s);
    if (!s->finished && s->timeout_ms && now - s->start_ms > s->timeout_ms) fail(s, X07_PROC_TIMEOUT);
  }
}

int x07_proc_any_unfinished(void) {
  for (uint32_t i = 0; i < g_nslots; i++)
    if (g_slots[i].used && !g_slots[i].finished) return 1;
  return 0;
}

void x07_proc_fini(void) {
  for (uint32_t i = 0; i < g_nslots; i++) {
    x07_proc_slot *s = &g_slots[i];
    if (s->used) {
      x07_proc_kill_reap(s);
      x07_proc_slot_release(s);
    }
  }
  free(g_slots);
  g_slots = NULL;
  g_nslots = 0;
}
