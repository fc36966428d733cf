/* The cooperative task scheduler: stackful tasks on one thread.
 *
 * Each task runs on its own mmap'd stack (guard page below it). The scheduler
 * keeps upstream x07's observable rules: a FIFO ready queue, tasks are ready as
 * soon as they are created, virtual-time timers ordered by (wake time, seq), and
 * every switch/block/wake/complete folded into an FNV-1a style trace hash.
 * A blocking operation inside a task re-checks its condition each time the task
 * is resumed, exactly like upstream's re-polled state machines, so the counters
 * (join_calls, chan_*_calls, blocked_waits) come out the same. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "core_sched_internal.h"
#include "x07rt_mem.h"

void *x07_sched_alloc(uint32_t n) { return x07_alloc_runtime(n); }
void x07_sched_free(void *p) {
  x07_mem_stats saved = x07_mem;
  x07_free(p);
  x07_mem = saved;
}

void *x07_sched_table_reserve(void *table, uint32_t len, uint32_t *cap) {
  if (len < *cap) return table;
  uint32_t nc = *cap ? *cap * 2 : 8;
  void *nt = x07_sched_alloc(nc * (uint32_t)sizeof(void *));
  if (len) memcpy(nt, table, len * sizeof(void *));
  x07_sched_free(table);
  *cap = nc;
  return nt;
}

/* ---------------- stack switching ---------------- */

#if defined(__x86_64__)
typedef struct { void *sp; } co_t;
/* Saves callee-saved registers + FP control words on the current stack, stores the
 * stack pointer in *save, switches to `to` and restores its registers. */
void x07_co_switch(void **save, void *to);
__asm__(
    ".text\n"
    ".globl x07_co_switch\n"
    ".hidden x07_co_switch\n"
    ".type x07_co_switch,@function\n"
    "x07_co_switch:\n"
    "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
    "  movq %rsp, (%rdi)\n"
    "  movq %rsi, %rsp\n"
    "  ldmxcsr (%rsp)\n  fldcw 4(%rsp)\n  addq $8, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
    "  ret\n"
    ".size x07_co_switch, .-x07_co_switch\n");
static void co_make(co_t *c, uint8_t *stack, size_t size, void (*entry)(void)) {
  uint64_t *sp = (uint64_t *)(((uintptr_t)(stack + size)) & ~(uintptr_t)15);
  *--sp = 0;                   /* entry's (never used) return address: keeps the call alignment */
  *--sp = (uint64_t)(uintptr_t)entry;
  for (int i = 0; i < 6; i++) *--sp = 0; /* rbp rbx r12 r13 r14 r15 */
  *--sp = 0x1F80u | ((uint64_t)0x037Fu << 32); /* default MXCSR, x87 control word */
  c->sp = sp;
}
static void co_switch(co_t *from, co_t *to) { x07_co_switch(&from->sp, to->sp); }
#else
#include <ucontext.h>
typedef struct { ucontext_t uc; } co_t;
static void co_make(co_t *c, uint8_t *stack, size_t size, void (*entry)(void)) {
  if (getcontext(&c->uc) != 0) x07_trap("task context init failed");
  c->uc.uc_stack.ss_sp = stack;
  c->uc.uc_stack.ss_size = size;
  c->uc.uc_link = NULL;
  makecontext(&c->uc, entry, 0);
}
static void co_switch(co_t *from, co_t *to) {
  if (swapcontext(&from->uc, &to->uc) != 0) x07_trap("task context switch failed");
}
#endif

/* ---------------- task table ---------------- */

#define STACK_SIZE ((size_t)512 * 1024)
#define GUARD ((size_t)4096)
#define STACK_CACHE 16

typedef struct task {
  uint32_t done, canceled, in_ready, out_taken, started, active, finished_run;
  uint32_t kind;
  uint32_t ready_next, wait_next, wait_kind, wait_id;
  uint32_t join_head, join_tail;
  void (*run)(void *);
  void (*drop)(void *);
  void *env;
  x07_bytes out_b;
  x07_res_bytes out_rb;
  uint8_t *stack; /* mapping base (guard page first); NULL before the first run */
  co_t co;
  co_t *back;     /* context to return to when this task suspends */
} task_t;

x07_sched_stats_t x07_sched_stats;
int (*x07_sched_poll_hook)(int wait_ms);
uint64_t x07_sched_now;
uint32_t x07_sched_current;

static task_t **g_tasks;
static uint32_t g_ntasks, g_cap;
static uint32_t g_ready_head, g_ready_tail;
static co_t g_main_co;
static co_t *g_cur_co = &g_main_co;
static uint8_t *g_stack_cache[STACK_CACHE];
static uint32_t g_nstack_cache;

typedef struct { uint64_t wake; uint64_t seq; uint32_t task; } timer_t_;
static timer_t_ *g_timers;
static uint32_t g_ntimers, g_timers_cap;
static uint64_t g_seq;

#define S x07_sched_stats

static task_t *T(uint32_t id) {
  if (id == 0 || id > g_ntasks) x07_trap("task invalid handle");
  return g_tasks[id - 1];
}

void x07_sched_trace(uint64_t tag, uint64_t a, uint64_t b) {
  uint64_t xs[3] = {tag, a, b};
  if (S.trace_hash == 0) S.trace_hash = UINT64_C(1469598103934665603);
  for (int i = 0; i < 3; i++) {
    S.trace_hash ^= xs[i];
    S.trace_hash *= UINT64_C(1099511628211);
  }
}

static void ready_push(uint32_t id) {
  task_t *t = T(id);
  if (t->done || t->in_ready) return;
  t->in_ready = 1;
  t->ready_next = 0;
  if (g_ready_tail == 0) {
    g_ready_head = g_ready_tail = id;
    return;
  }
  T(g_ready_tail)->ready_next = id;
  g_ready_tail = id;
}

static uint32_t ready_pop(void) {
  while (g_ready_head) {
    uint32_t id = g_ready_head;
    task_t *t = T(id);
    g_ready_head = t->ready_next;
    if (!g_ready_head) g_ready_tail = 0;
    t->ready_next = 0;
    t->in_ready = 0;
    if (!t->done) return id;
  }
  return 0;
}

uint32_t x07_sched_ready_empty(void) { return g_ready_head == 0; }

void x07_wait_push(uint32_t *head, uint32_t *tail, uint32_t id) {
  T(id)->wait_next = 0;
  if (*tail == 0) {
    *head = *tail = id;
    return;
  }
  T(*tail)->wait_next = id;
  *tail = id;
}

uint32_t x07_wait_pop(uint32_t *head, uint32_t *tail) {
  while (*head) {
    uint32_t id = *head;
    task_t *t = T(id);
    *head = t->wait_next;
    if (!*head) *tail = 0;
    t->wait_next = 0;
    if (!t->done) return id;
  }
  return 0;
}

void x07_sched_wake(uint32_t id, uint32_t reason_kind, uint32_t reason_id) {
  if (id == 0) return;
  task_t *t = T(id);
  if (t->done) return;
  t->wait_kind = X07_WAIT_NONE;
  t->wait_id = 0;
  ready_push(id);
  S.wake_events++;
  x07_sched_trace(3, id, ((uint64_t)reason_kind << 32) | reason_id);
}

void x07_sched_set_wait(uint32_t id, uint32_t kind, uint32_t wid) {
  task_t *t = T(id);
  t->wait_kind = kind;
  t->wait_id = wid;
}
uint32_t x07_sched_wait_kind(uint32_t id) { return T(id)->wait_kind; }
uint32_t x07_sched_wait_id(uint32_t id) { return T(id)->wait_id; }

void x07_sched_block(uint32_t kind, uint32_t id) {
  S.blocked_waits++;
  x07_sched_trace(2, x07_sched_current, ((uint64_t)kind << 32) | id);
}

/* ---------------- timers (binary min-heap on (wake, seq)) ---------------- */

static int timer_less(const timer_t_ *a, const timer_t_ *b) {
  return a->wake != b->wake ? a->wake < b->wake : a->seq < b->seq;
}

static void timer_push(uint64_t wake, uint32_t id) {
  if (g_ntimers == g_timers_cap) {
    uint32_t nc = g_timers_cap ? g_timers_cap * 2 : 8;
    timer_t_ *nt = (timer_t_ *)x07_sched_alloc(nc * (uint32_t)sizeof *nt);
    if (g_ntimers) memcpy(nt, g_timers, g_ntimers * sizeof *nt);
    x07_sched_free(g_timers);
    g_timers = nt;
    g_timers_cap = nc;
  }
  timer_t_ ev = {wake, g_seq++, id};
  uint32_t i = g_ntimers++;
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (!timer_less(&ev, &g_timers[p])) break;
    g_timers[i] = g_timers[p];
    i = p;
  }
  g_timers[i] = ev;
}

static int timer_pop(timer_t_ *out) {
  if (g_ntimers == 0) return 0;
  *out = g_timers[0];
  timer_t_ last = g_timers[--g_ntimers];
  uint32_t i = 0;
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = l;
    if (l >= g_ntimers) break;
    if (r < g_ntimers && timer_less(&g_timers[r], &g_timers[l])) m = r;
    if (!timer_less(&g_timers[m], &last)) break;
    g_timers[i] = g_timers[m];
    i = m;
  }
  if (g_ntimers) g_timers[i] = last;
  return 1;
}

/* ---------------- stacks ---------------- */

static uint8_t *stack_get(void) {
  if (g_nstack_cache) return g_stack_cache[--g_nstack_cache];
  void *p = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) x07_trap("task stack allocation failed (too many live tasks)");
  if (mprotect(p, GUARD, PROT_NONE) != 0) x07_trap("task stack allocation failed (too many live tasks)");
  return (uint8_t *)p;
}

static void stack_put(uint8_t *s) {
  if (!s) return;
  if (g_nstack_cache < STACK_CACHE) {
    g_stack_cache[g_nstack_cache++] = s;
    return;
  }
  munmap(s, STACK_SIZE);
}

/* ---------------- running tasks ---------------- */

static void task_entry(void) {
  uint32_t id = x07_sched_current;
  task_t *t = T(id);
  void (*run)(void *) = t->run;
  void *env = t->env;
  t->env = NULL;
  t->drop = NULL;
  run(env);
  t = T(id);
  t->finished_run = 1;
  co_switch(&t->co, t->back);
  __builtin_trap(); /* a finished task is never resumed */
}

static void resume(task_t *t) {
  co_t *self = g_cur_co;
  if (!t->started) {
    t->started = 1;
    t->stack = stack_get();
    co_make(&t->co, t->stack + GUARD, STACK_SIZE - GUARD, task_entry);
  }
  t->back = self;
  t->active = 1;
  g_cur_co = &t->co;
  co_switch(self, &t->co);
  g_cur_co = self;
  t->active = 0;
}

void x07_sched_suspend(void) {
  if (x07_sched_current == 0) x07_trap("suspend from main");
  task_t *t = T(x07_sched_current);
  co_switch(&t->co, t->back);
}

static void wake_joiners(task_t *t, uint32_t id) {
  uint32_t w = t->join_head;
  t->join_head = t->join_tail = 0;
  while (w) {
    uint32_t next = T(w)->wait_next;
    T(w)->wait_next = 0;
    x07_sched_wake(w, X07_WAIT_JOIN, id);
    w = next;
  }
}

static void task_out_drop(task_t *t) {
  x07_bytes_drop(t->out_b);
  t->out_b = x07_bytes_empty();
  if (t->out_rb.tag) x07_bytes_drop(t->out_rb.ok);
  memset(&t->out_rb, 0, sizeof t->out_rb);
}

int x07_sched_step(void) {
  uint32_t id = ready_pop();
  if (id) {
    task_t *t = T(id);
    S.ctx_switches++;
    x07_sched_trace(1, id, x07_sched_now);
    uint32_t prev = x07_sched_current;
    x07_sched_current = id;
    resume(t);
    x07_sched_current = prev;
    t = T(id);
    if (t->finished_run && !t->done) {
      t->done = 1;
      t->out_taken = 0;
      stack_put(t->stack);
      t->stack = NULL;
      x07_sched_trace(4, id, x07_sched_now);
      wake_joiners(t, id);
      return 1;
    }
    if (t->finished_run) { /* canceled while it ran (its own scope canceled it) */
      stack_put(t->stack);
      t->stack = NULL;
      return 1;
    }
    if (!t->in_ready && t->wait_kind == X07_WAIT_NONE) {
      char msg[96];
      snprintf(msg, sizeof msg, "task pending without block (task_id=%u)", (unsigned)id);
      x07_trap(msg);
    }
    if (x07_sched_poll_hook) (void)x07_sched_poll_hook(0);
    return 1;
  }
  timer_t_ ev;
  while (timer_pop(&ev)) {
    if (ev.task == 0 || T(ev.task)->done) continue;
    if (ev.wake > x07_sched_now) x07_sched_now = ev.wake;
    S.virtual_time_end = x07_sched_now;
    x07_sched_wake(ev.task, X07_WAIT_SLEEP, 0);
    return 1;
  }
  return x07_sched_poll_hook ? x07_sched_poll_hook(50) : 0;
}

_Noreturn void x07_sched_deadlock(void) { x07_trap("scheduler deadlock"); }

/* ---------------- task API ---------------- */

uint32_t x07_task_new(void (*run)(void *), void (*drop)(void *), void *env, uint32_t kind) {
  g_tasks = (task_t **)x07_sched_table_reserve(g_tasks, g_ntasks, &g_cap);
  task_t *t = (task_t *)x07_sched_alloc((uint32_t)sizeof *t);
  t->run = run;
  t->drop = drop;
  t->env = env;
  t->kind = kind;
  g_tasks[g_ntasks++] = t;
  S.tasks_spawned++;
  ready_push(g_ntasks);
  return g_ntasks;
}

static task_t *running_task(void) {
  if (x07_sched_current == 0) x07_trap("task result outside a task");
  return T(x07_sched_current);
}

void x07_task_finish_bytes(x07_bytes b) {
  task_t *t = running_task();
  if (t->done) { x07_bytes_drop(b); return; }
  t->out_b = b;
}

void x07_task_finish_res_bytes(x07_res_bytes r) {
  task_t *t = running_task();
  if (t->done) { if (r.tag) x07_bytes_drop(r.ok); return; }
  t->out_rb = r;
}

uint32_t x07_task_spawn(uint32_t id) {
  S.spawn_calls++;
  (void)T(id);
  return id;
}

uint32_t x07_task_cancel(uint32_t id) {
  task_t *t = T(id);
  if (t->done) return 0;
  t->canceled = 1;
  t->done = 1;
  if (t->drop && t->env) t->drop(t->env);
  t->drop = NULL;
  t->env = NULL;
  /* A suspended task's stack goes back now; one on the running chain is released when it returns. */
  if (t->stack && !t->active) {
    stack_put(t->stack);
    t->stack = NULL;
  }
  task_out_drop(t);
  t->out_taken = 0;
  x07_sched_trace(4, id, x07_sched_now);
  wake_joiners(t, id);
  return 1;
}

uint32_t x07_task_is_finished(uint32_t id) { return T(id)->done ? 1u : 0u; }

/* Takes a finished task's output (canceled -> empty / err 2). NULL outs drop it. */
static void take_out(task_t *t, uint32_t kind, x07_bytes *ob, x07_res_bytes *orb, const char *mismatch) {
  if (t->out_taken) x07_trap("join already taken");
  t->out_taken = 1;
  if (t->canceled) {
    if (ob) *ob = x07_bytes_empty();
    if (orb) *orb = x07_res_bytes_err(2);
    return;
  }
  if (t->kind != kind) x07_trap(mismatch);
  if (kind == X07_TASK_KIND_BYTES) {
    if (ob) *ob = t->out_b;
    else x07_bytes_drop(t->out_b);
    t->out_b = x07_bytes_empty();
  } else {
    if (orb) *orb = t->out_rb;
    else if (t->out_rb.tag) x07_bytes_drop(t->out_rb.ok);
    memset(&t->out_rb, 0, sizeof t->out_rb);
  }
}

static const char *join_mismatch(uint32_t kind) {
  return kind == X07_TASK_KIND_BYTES ? "task.join.bytes kind mismatch" : "task.join.result_bytes kind mismatch";
}

/* One poll of a join from inside a task: 1 when the output was taken. */
int x07_task_join_poll(uint32_t id, uint32_t kind, x07_bytes *ob, x07_res_bytes *orb) {
  S.join_calls++;
  task_t *t = T(id);
  if (t->done) {
    take_out(t, kind, ob, orb, join_mismatch(kind));
    return 1;
  }
  uint32_t cur = x07_sched_current;
  if (cur == 0) x07_trap("join.poll from main");
  if (cur == id) x07_trap("join self");
  task_t *me = T(cur);
  if (me->wait_kind == X07_WAIT_JOIN && me->wait_id == id) return 0;
  if (me->wait_kind != X07_WAIT_NONE) x07_trap("join while already waiting");
  me->wait_kind = X07_WAIT_JOIN;
  me->wait_id = id;
  x07_sched_block(X07_WAIT_JOIN, id);
  x07_wait_push(&t->join_head, &t->join_tail, cur);
  return 0;
}

/* A join from solve/defn code: drives the scheduler until the task is done. */
void x07_task_join_block(uint32_t id, uint32_t kind, x07_bytes *ob, x07_res_bytes *orb) {
  S.join_calls++;
  while (!T(id)->done)
    if (!x07_sched_step()) x07_sched_deadlock();
  take_out(T(id), kind, ob, orb, join_mismatch(kind));
}

x07_bytes x07_task_join_bytes(uint32_t id) {
  x07_bytes b;
  x07_task_join_block(id, X07_TASK_KIND_BYTES, &b, NULL);
  return b;
}

x07_bytes x07_task_join_bytes_task(uint32_t id) {
  x07_bytes b = x07_bytes_empty();
  while (!x07_task_join_poll(id, X07_TASK_KIND_BYTES, &b, NULL)) x07_sched_suspend();
  return b;
}

x07_res_bytes x07_task_join_result_bytes(uint32_t id) {
  x07_res_bytes r;
  x07_task_join_block(id, X07_TASK_KIND_RESULT_BYTES, NULL, &r);
  return r;
}

x07_res_bytes x07_task_join_result_bytes_task(uint32_t id) {
  x07_res_bytes r = x07_res_bytes_err(0);
  while (!x07_task_join_poll(id, X07_TASK_KIND_RESULT_BYTES, NULL, &r)) x07_sched_suspend();
  return r;
}

x07_res_bytes x07_task_try_join_bytes(uint32_t id) {
  S.join_calls++;
  task_t *t = T(id);
  if (!t->done) return x07_res_bytes_err(1);
  if (t->out_taken) x07_trap("join already taken");
  if (t->canceled) {
    t->out_taken = 1;
    return x07_res_bytes_err(2);
  }
  x07_bytes b;
  take_out(t, X07_TASK_KIND_BYTES, &b, NULL, "task.try_join.bytes kind mismatch");
  return x07_res_bytes_ok(b);
}

void x07_sched_yield_mark(void) {
  uint32_t cur = x07_sched_current;
  if (cur == 0) x07_trap("yield from main");
  task_t *me = T(cur);
  me->wait_kind = X07_WAIT_NONE;
  me->wait_id = 0;
  x07_sched_trace(2, cur, 0);
  ready_push(cur);
}

uint32_t x07_task_yield_task(void) {
  S.yield_calls++;
  x07_sched_yield_mark();
  x07_sched_suspend();
  return 0;
}

uint32_t x07_task_yield(void) {
  S.yield_calls++;
  (void)x07_sched_step();
  return 0;
}

uint32_t x07_task_sleep_task(uint32_t ticks) {
  S.sleep_calls++;
  uint32_t cur = x07_sched_current;
  if (cur == 0) x07_trap("sleep from main");
  task_t *me = T(cur);
  if (ticks == 0) {
    ready_push(cur);
  } else {
    if (me->wait_kind != X07_WAIT_NONE) x07_trap("sleep while already waiting");
    me->wait_kind = X07_WAIT_SLEEP;
    me->wait_id = 0;
    x07_sched_block(X07_WAIT_SLEEP, ticks);
    timer_push(x07_sched_now + ticks, cur);
  }
  x07_sched_suspend();
  return 0;
}

uint32_t x07_task_sleep(uint32_t ticks) {
  S.sleep_calls++;
  if (ticks == 0) return 0;
  uint64_t target = x07_sched_now + ticks;
  while (x07_sched_now < target) {
    if (g_ready_head) {
      if (!x07_sched_step()) break;
      continue;
    }
    uint64_t next = g_ntimers ? g_timers[0].wake : UINT64_MAX;
    if (next > target) {
      x07_sched_now = target;
      S.virtual_time_end = x07_sched_now;
      break;
    }
    if (!x07_sched_step()) x07_sched_deadlock();
  }
  return 0;
}

/* The sched_stats object of the metrics line (runner.md §3.3), without braces' owner key. */
int x07_sched_stats_json(char *buf, size_t n) {
  uint64_t h = S.trace_hash ? S.trace_hash : UINT64_C(1469598103934665603);
  return snprintf(buf, n,
                  "{\"tasks_spawned\":%llu,\"spawn_calls\":%llu,\"join_calls\":%llu,\"yield_calls\":%llu,"
                  "\"sleep_calls\":%llu,\"chan_send_calls\":%llu,\"chan_recv_calls\":%llu,\"ctx_switches\":%llu,"
                  "\"wake_events\":%llu,\"blocked_waits\":%llu,\"virtual_time_end\":%llu,"
                  "\"sched_trace_hash\":\"0x%016llx\"}",
                  (unsigned long long)S.tasks_spawned, (unsigned long long)S.spawn_calls,
                  (unsigned long long)S.join_calls, (unsigned long long)S.yield_calls,
                  (unsigned long long)S.sleep_calls, (unsigned long long)S.chan_send_calls,
                  (unsigned long long)S.chan_recv_calls, (unsigned long long)S.ctx_switches,
                  (unsigned long long)S.wake_events, (unsigned long long)S.blocked_waits,
                  (unsigned long long)S.virtual_time_end, (unsigned long long)h);
}
