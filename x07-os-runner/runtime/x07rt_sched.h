/* Async tasks, channels, task scopes and budget scopes (OS worlds).
 *
 * One thread, cooperative: every defasync call creates a task that runs on its
 * own stack; a task gives the CPU back only at a blocking point (join, channel
 * send/recv, yield, sleep, process join). Scheduling order, the sched_stats
 * counters and sched_trace_hash follow upstream x07's deterministic scheduler
 * (FIFO ready queue, virtual-time timers ordered by (wake time, sequence)).
 *
 * Blocking operations come in two flavours: the plain name is the "main"
 * flavour used by solve and defn bodies (it drives the scheduler until the
 * operation can complete); the `_task` flavour is used inside defasync bodies
 * (it suspends the calling task). Included by generated programs that use async. */
#ifndef X07RT_SCHED_H
#define X07RT_SCHED_H

#include "x07rt.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { X07_TASK_KIND_BYTES = 1, X07_TASK_KIND_RESULT_BYTES = 2 };

/* ---- tasks ---- */
/* run(env) evaluates the body and hands the result to x07_task_finish_*; it owns env
 * (the runtime never touches it after run starts). drop(env) releases env when the
 * task is canceled before it ever ran. */
uint32_t x07_task_new(void (*run)(void *), void (*drop)(void *), void *env, uint32_t kind);
void x07_task_finish_bytes(x07_bytes b);
void x07_task_finish_res_bytes(x07_res_bytes r);

uint32_t x07_task_spawn(uint32_t t);
uint32_t x07_task_cancel(uint32_t t);
uint32_t x07_task_is_finished(uint32_t t);
x07_res_bytes x07_task_try_join_bytes(uint32_t t);
x07_bytes x07_task_join_bytes(uint32_t t);
x07_bytes x07_task_join_bytes_task(uint32_t t);
x07_res_bytes x07_task_join_result_bytes(uint32_t t);
x07_res_bytes x07_task_join_result_bytes_task(uint32_t t);
uint32_t x07_task_yield(void);
uint32_t x07_task_yield_task(void);
uint32_t x07_task_sleep(uint32_t ticks);
uint32_t x07_task_sleep_task(uint32_t ticks);

/* ---- bytes channels ---- */
uint32_t x07_chan_bytes_new(uint32_t cap);
uint32_t x07_chan_bytes_try_send(uint32_t c, x07_view msg);
uint32_t x07_chan_bytes_send(uint32_t c, x07_bytes msg);
uint32_t x07_chan_bytes_send_task(uint32_t c, x07_bytes msg);
x07_res_bytes x07_chan_bytes_try_recv(uint32_t c);
x07_bytes x07_chan_bytes_recv(uint32_t c);
x07_bytes x07_chan_bytes_recv_task(uint32_t c);
uint32_t x07_chan_bytes_close(uint32_t c);

/* ---- task scopes (task.scope_v1): the compiler passes the scope id it got from begin ---- */
uint32_t x07_scope_begin(uint32_t max_children, uint32_t max_ticks, uint32_t max_blocked_waits,
                         uint32_t max_join_polls, uint32_t max_slot_result_bytes);
uint32_t x07_scope_end(uint32_t s);
uint32_t x07_scope_end_task(uint32_t s);
uint32_t x07_scope_start_soon(uint32_t s, uint32_t task, uint32_t kind);
uint32_t x07_scope_async_let(uint32_t s, uint32_t task, uint32_t kind);
uint32_t x07_scope_cancel_all(uint32_t s);
uint32_t x07_scope_wait_all(uint32_t s);
uint32_t x07_scope_wait_all_task(uint32_t s);
x07_bytes x07_scope_await_slot_bytes(uint32_t s, uint32_t slot);
x07_bytes x07_scope_await_slot_bytes_task(uint32_t s, uint32_t slot);
x07_res_bytes x07_scope_await_slot_result_bytes(uint32_t s, uint32_t slot);
x07_res_bytes x07_scope_await_slot_result_bytes_task(uint32_t s, uint32_t slot);
x07_res_bytes x07_scope_try_await_slot_bytes(uint32_t s, uint32_t slot);
uint32_t x07_scope_slot_is_finished(uint32_t s, uint32_t slot);

/* ---- budget scopes (budget.scope_v1) ---- */
enum { X07_BUDGET_TRAP = 0, X07_BUDGET_RESULT_ERR = 1, X07_BUDGET_STATS_ONLY = 2, X07_BUDGET_YIELD = 3 };
uint32_t x07_budget_begin(uint32_t mode, uint32_t alloc_bytes, uint32_t alloc_calls, uint32_t realloc_calls,
                          uint32_t memcpy_bytes, uint32_t sched_ticks, uint32_t fuel);
/* Returns 0, or (result_err_v1 only) the budget error code that replaces the scope's result. */
uint32_t x07_budget_end(uint32_t b);
uint32_t x07_budget_end_task(uint32_t b);
x07_res_i32 x07_budget_res_i32(x07_res_i32 r, uint32_t code);
x07_res_bytes x07_budget_res_bytes(x07_res_bytes r, uint32_t code);
x07_res_view x07_budget_res_view(x07_res_view r, uint32_t code);

/* ---- OS process joins that suspend the calling task ---- */
x07_bytes x07_os_process_join_capture_v1_task(uint32_t h);
uint32_t x07_os_process_join_exit_v1_task(uint32_t h);

#ifdef __cplusplus
}
#endif
#endif /* X07RT_SCHED_H */
