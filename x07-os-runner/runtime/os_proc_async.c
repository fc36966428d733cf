/* Process joins inside async tasks: os.process.join_capture_v1 / join_exit_v1 in a
 * defasync body block the task (wait kinds OS_PROC_JOIN / OS_PROC_EXIT) and the
 * scheduler's supervision passes wake it when the child finishes / exits. */
#include <poll.h>
#include <string.h>

#include "core_sched_internal.h"
#include "os_proc.h"

x07_bytes x07_os_process_join_capture_v1(uint32_t h);
uint32_t x07_os_process_join_exit_v1(uint32_t h);

/* Tasks blocked on a process, in blocking order. */
typedef struct { uint32_t task, kind, handle; } proc_waiter;
static proc_waiter *g_waiters;
static uint32_t g_nwaiters, g_cap;

static int ready_for(const proc_waiter *w) {
  if (x07_proc_is_sentinel(w->handle)) return 1;
  x07_proc_slot *s = x07_proc_slot_of(w->handle);
  return w->kind == X07_WAIT_OS_PROC_JOIN ? s->finished : !s->running;
}

static void wake_ready(void) {
  uint32_t keep = 0;
  for (uint32_t i = 0; i < g_nwaiters; i++) {
    proc_waiter w = g_waiters[i];
    int still = x07_sched_wait_kind(w.task) == w.kind && x07_sched_wait_id(w.task) == w.handle;
    if (!still) continue;
    if (ready_for(&w)) {
      x07_sched_wake(w.task, w.kind, w.handle);
      continue;
    }
    g_waiters[keep++] = w;
  }
  g_nwaiters = keep;
}

int x07_sched_poll_procs(int wait_ms) {
  if (!x07_proc_any_unfinished() && g_nwaiters == 0) return 0;
  x07_proc_poll_all(wait_ms);
  wake_ready();
  return 1;
}

static void wait_proc(uint32_t kind, uint32_t h, const char *busy) {
  uint32_t cur = x07_sched_current;
  if (x07_sched_wait_kind(cur) == kind && x07_sched_wait_id(cur) == h) return;
  if (x07_sched_wait_kind(cur) != X07_WAIT_NONE) x07_trap(busy);
  x07_sched_set_wait(cur, kind, h);
  x07_sched_block(kind, h);
  if (g_nwaiters == g_cap) {
    uint32_t nc = g_cap ? g_cap * 2 : 8;
    proc_waiter *n = (proc_waiter *)x07_sched_alloc(nc * (uint32_t)sizeof *n);
    if (g_nwaiters) memcpy(n, g_waiters, g_nwaiters * sizeof *n);
    x07_sched_free(g_waiters);
    g_waiters = n;
    g_cap = nc;
  }
  g_waiters[g_nwaiters++] = (proc_waiter){cur, kind, h};
}

x07_bytes x07_os_process_join_capture_v1_task(uint32_t h) {
  for (;;) {
    if (x07_proc_is_sentinel(h)) return x07_os_process_join_capture_v1(h);
    x07_proc_slot *s = x07_proc_slot_of(h);
    if (s->mode != X07_PROC_MODE_CAPTURE) x07_trap("os.process.join_capture_v1 invalid proc mode");
    if (s->finished) return x07_os_process_join_capture_v1(h);
    if (x07_sched_current == 0) x07_trap("os.process.join.poll from main");
    wait_proc(X07_WAIT_OS_PROC_JOIN, h, "os.process.join while already waiting");
    x07_sched_suspend();
  }
}

uint32_t x07_os_process_join_exit_v1_task(uint32_t h) {
  for (;;) {
    if (x07_proc_is_sentinel(h)) return 1;
    x07_proc_slot *s = x07_proc_slot_of(h);
    if (!s->running) return 1;
    if (x07_sched_current == 0) x07_trap("os.process.join_exit.poll from main");
    wait_proc(X07_WAIT_OS_PROC_EXIT, h, "os.process.join_exit while already waiting");
    x07_sched_suspend();
  }
}
