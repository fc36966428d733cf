/* Internal to the scheduler files (core_sched*.c, os_proc_async.c). */
#ifndef X07_CORE_SCHED_INTERNAL_H
#define X07_CORE_SCHED_INTERNAL_H

#include "x07rt_sched.h"

/* What a blocked task waits for (also the high word of trace BLOCK/WAKE events). */
enum {
  X07_WAIT_NONE = 0,
  X07_WAIT_JOIN = 1,
  X07_WAIT_SLEEP = 2,
  X07_WAIT_CHAN_SEND = 3,
  X07_WAIT_CHAN_RECV = 4,
  X07_WAIT_OS_PROC_JOIN = 5,
  X07_WAIT_OS_PROC_EXIT = 6,
};

typedef struct {
  uint64_t tasks_spawned, spawn_calls, join_calls, yield_calls, sleep_calls, chan_send_calls, chan_recv_calls;
  uint64_t ctx_switches, wake_events, blocked_waits, virtual_time_end, trace_hash;
} x07_sched_stats_t;
extern x07_sched_stats_t x07_sched_stats;
extern uint64_t x07_sched_now;       /* virtual time in ticks */
extern uint32_t x07_sched_current;   /* running task id, 0 = main */

/* The calling task's wait state; traps "task invalid handle" for bad ids. */
void x07_sched_set_wait(uint32_t task, uint32_t kind, uint32_t id);
uint32_t x07_sched_wait_kind(uint32_t task);
uint32_t x07_sched_wait_id(uint32_t task);
/* Records a BLOCK trace event and counts a blocked wait for the current task. */
void x07_sched_block(uint32_t kind, uint32_t id);
void x07_sched_wake(uint32_t task, uint32_t reason_kind, uint32_t reason_id);
/* Gives the CPU back to whoever resumed the current task. */
void x07_sched_suspend(void);
/* One scheduling step; 0 when nothing can make progress. */
int x07_sched_step(void);
_Noreturn void x07_sched_deadlock(void);
/* FIFO wait lists threaded through the tasks. */
void x07_wait_push(uint32_t *head, uint32_t *tail, uint32_t task);
uint32_t x07_wait_pop(uint32_t *head, uint32_t *tail);
void x07_sched_trace(uint64_t tag, uint64_t a, uint64_t b);
uint32_t x07_sched_ready_empty(void);
/* yield of the current task: trace + back of the ready queue (no suspend). */
void x07_sched_yield_mark(void);

/* Scheduler bookkeeping memory: from the arena, but outside mem_stats (like upstream's
 * runtime metadata it is not program data, and a finished program must not look leaky). */
void *x07_sched_alloc(uint32_t n);
void x07_sched_free(void *p);
/* A handle table (an array of `len` pointers) with room for one more entry: the same
 * table, or a copy twice as large when it is full (the old one is freed). */
void *x07_sched_table_reserve(void *table, uint32_t len, uint32_t *cap);

/* Process supervision (os_proc_async.c): one pass waiting up to wait_ms, waking tasks
 * whose process finished/exited; returns 1 if any process was live. The scheduler calls
 * it through x07_sched_poll_hook, set by the first spawn, so the core runtime links
 * without the OS modules. */
int x07_sched_poll_procs(int wait_ms);
extern int (*x07_sched_poll_hook)(int wait_ms);

#endif
