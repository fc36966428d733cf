/* Structured concurrency (task.scope_v1 + slots) and budget scopes (budget.scope_v1).
 * A scope owns the children started in it; its end joins and drops every child still
 * pending, then checks the scope's tick / blocked-wait / join-poll budgets. */
#include <string.h>

#include "core_sched_internal.h"
#include "x07rt_mem.h"

enum { SLOT_EMPTY = 0, SLOT_PENDING = 1, SLOT_TAKEN = 2, SLOT_CONSUMED = 3 };

typedef struct { uint32_t task, kind, state, gen; } slot_t;

typedef struct {
  uint32_t max_children, max_slot_result_bytes;
  uint64_t max_ticks, max_blocked_waits, max_join_polls;
  uint64_t snap_ticks, snap_blocked_waits, snap_join_polls;
  uint32_t cancel_requested;
  uint32_t nchild, nreg;
  uint32_t *child_ids, *child_kinds, *reg_ids;
  slot_t *slots;
} scope_t;

int x07_task_join_poll(uint32_t id, uint32_t kind, x07_bytes *ob, x07_res_bytes *orb);
void x07_task_join_block(uint32_t id, uint32_t kind, x07_bytes *ob, x07_res_bytes *orb);

static scope_t **g_scopes; /* by id - 1; ids of ended scopes are reused */
static uint32_t g_nscopes, g_cap;

static scope_t *SC(uint32_t id) {
  if (id == 0 || id > g_nscopes || !g_scopes[id - 1]) x07_trap("scope invalid handle");
  return g_scopes[id - 1];
}

uint32_t x07_scope_begin(uint32_t max_children, uint32_t max_ticks, uint32_t max_blocked_waits,
                         uint32_t max_join_polls, uint32_t max_slot_result_bytes) {
  uint32_t id = 0;
  for (uint32_t i = 0; i < g_nscopes; i++)
    if (!g_scopes[i]) { id = i + 1; break; }
  if (!id) {
    if (g_nscopes == g_cap) {
      uint32_t nc = g_cap ? g_cap * 2 : 8;
      scope_t **n = (scope_t **)x07_sched_alloc(nc * (uint32_t)sizeof *n);
      if (g_nscopes) memcpy(n, g_scopes, g_nscopes * sizeof *n);
      x07_sched_free(g_scopes);
      g_scopes = n;
      g_cap = nc;
    }
    id = ++g_nscopes;
  }
  scope_t *s = (scope_t *)x07_sched_alloc((uint32_t)sizeof *s);
  s->max_children = max_children;
  s->max_ticks = max_ticks;
  s->max_blocked_waits = max_blocked_waits;
  s->max_join_polls = max_join_polls;
  s->max_slot_result_bytes = max_slot_result_bytes;
  if (max_children) {
    if (max_children > (1u << 20)) x07_trap("out of memory");
    s->child_ids = (uint32_t *)x07_sched_alloc(max_children * 4u);
    s->child_kinds = (uint32_t *)x07_sched_alloc(max_children * 4u);
    s->reg_ids = (uint32_t *)x07_sched_alloc(max_children * 4u);
    s->slots = (slot_t *)x07_sched_alloc(max_children * (uint32_t)sizeof(slot_t));
  }
  s->snap_ticks = x07_sched_now;
  s->snap_blocked_waits = x07_sched_stats.blocked_waits;
  s->snap_join_polls = x07_sched_stats.join_calls;
  g_scopes[id - 1] = s;
  return id;
}

static void reg_add(scope_t *s, uint32_t task) {
  if (s->nreg >= s->max_children) x07_trap("X07T_SCOPE_BUDGET_CHILDREN_EXCEEDED");
  s->reg_ids[s->nreg++] = task;
}

static void reg_remove(scope_t *s, uint32_t task) {
  for (uint32_t i = 0; i < s->nreg; i++) {
    if (s->reg_ids[i] != task) continue;
    memmove(&s->reg_ids[i], &s->reg_ids[i + 1], (s->nreg - i - 1) * 4u);
    s->reg_ids[--s->nreg] = 0;
    return;
  }
}

uint32_t x07_scope_start_soon(uint32_t sid, uint32_t task, uint32_t kind) {
  (void)x07_task_spawn(task);
  scope_t *s = SC(sid);
  if (s->cancel_requested) x07_trap("X07T_SCOPE_START_AFTER_CANCEL");
  reg_add(s, task);
  if (s->nchild >= s->max_children) x07_trap("X07T_SCOPE_BUDGET_CHILDREN_EXCEEDED");
  s->child_ids[s->nchild] = task;
  s->child_kinds[s->nchild++] = kind;
  return 1;
}

uint32_t x07_scope_async_let(uint32_t sid, uint32_t task, uint32_t kind) {
  (void)x07_task_spawn(task);
  scope_t *s = SC(sid);
  if (s->cancel_requested) x07_trap("X07T_SCOPE_START_AFTER_CANCEL");
  reg_add(s, task);
  for (uint32_t i = 0; i < s->max_children; i++) {
    slot_t *sl = &s->slots[i];
    if (sl->state != SLOT_EMPTY && sl->state != SLOT_CONSUMED) continue;
    sl->gen++;
    sl->task = task;
    sl->kind = kind;
    sl->state = SLOT_PENDING;
    return (sl->gen << 16) | i;
  }
  x07_trap("X07T_SCOPE_BUDGET_CHILDREN_EXCEEDED");
}

static slot_t *slot_at(scope_t *s, uint32_t slot) {
  uint32_t idx = slot & 0xFFFFu;
  if (idx >= s->max_children) x07_trap("X07T_SCOPE_SLOT_OOB");
  slot_t *sl = &s->slots[idx];
  if (sl->gen != slot >> 16) x07_trap("X07T_SCOPE_SLOT_INVALID");
  return sl;
}

uint32_t x07_scope_slot_is_finished(uint32_t sid, uint32_t slot) {
  slot_t *sl = slot_at(SC(sid), slot);
  if (sl->state == SLOT_PENDING || sl->state == SLOT_TAKEN) return x07_task_is_finished(sl->task);
  if (sl->state == SLOT_CONSUMED) return 1;
  x07_trap("X07T_SCOPE_SLOT_INVALID");
}

static void check_result_size(scope_t *s, uint32_t len) {
  if (s->max_slot_result_bytes && len > s->max_slot_result_bytes) x07_trap("X07T_SCOPE_SLOT_RESULT_TOO_LARGE");
}

static void slot_consumed(scope_t *s, slot_t *sl) {
  uint32_t task = sl->task;
  sl->state = SLOT_CONSUMED;
  sl->task = 0;
  reg_remove(s, task);
}

/* Claims a slot for an await (a task may resume the same await: TAKEN stays TAKEN). */
static slot_t *slot_for_await(scope_t *s, uint32_t slot, uint32_t kind, int from_task) {
  slot_t *sl = slot_at(s, slot);
  if (sl->state == SLOT_PENDING) sl->state = SLOT_TAKEN;
  else if (!(from_task && sl->state == SLOT_TAKEN)) x07_trap("X07T_SCOPE_SLOT_ALREADY_CONSUMED");
  if (sl->kind != kind) x07_trap("X07T_SCOPE_SLOT_KIND_MISMATCH");
  if (sl->task == 0) x07_trap("X07T_SCOPE_SLOT_INVALID");
  return sl;
}

static void await_slot(uint32_t sid, uint32_t slot, uint32_t kind, int from_task, x07_bytes *ob, x07_res_bytes *orb) {
  scope_t *s = SC(sid);
  slot_t *sl = slot_for_await(s, slot, kind, from_task);
  uint32_t task = sl->task;
  if (from_task) {
    while (!x07_task_join_poll(task, kind, ob, orb)) x07_sched_suspend();
  } else {
    x07_task_join_block(task, kind, ob, orb);
  }
  s = SC(sid);
  if (ob) check_result_size(s, ob->len);
  if (orb && orb->tag) check_result_size(s, orb->ok.len);
  slot_consumed(s, slot_at(s, slot));
}

x07_bytes x07_scope_await_slot_bytes(uint32_t sid, uint32_t slot) {
  x07_bytes b;
  await_slot(sid, slot, X07_TASK_KIND_BYTES, 0, &b, NULL);
  return b;
}
x07_bytes x07_scope_await_slot_bytes_task(uint32_t sid, uint32_t slot) {
  x07_bytes b = x07_bytes_empty();
  await_slot(sid, slot, X07_TASK_KIND_BYTES, 1, &b, NULL);
  return b;
}
x07_res_bytes x07_scope_await_slot_result_bytes(uint32_t sid, uint32_t slot) {
  x07_res_bytes r;
  await_slot(sid, slot, X07_TASK_KIND_RESULT_BYTES, 0, NULL, &r);
  return r;
}
x07_res_bytes x07_scope_await_slot_result_bytes_task(uint32_t sid, uint32_t slot) {
  x07_res_bytes r = x07_res_bytes_err(0);
  await_slot(sid, slot, X07_TASK_KIND_RESULT_BYTES, 1, NULL, &r);
  return r;
}

x07_res_bytes x07_scope_try_await_slot_bytes(uint32_t sid, uint32_t slot) {
  scope_t *s = SC(sid);
  slot_t *sl = slot_at(s, slot);
  if (sl->state != SLOT_PENDING) x07_trap("X07T_SCOPE_SLOT_ALREADY_CONSUMED");
  if (sl->kind != X07_TASK_KIND_BYTES) x07_trap("X07T_SCOPE_SLOT_KIND_MISMATCH");
  x07_res_bytes r = x07_task_try_join_bytes(sl->task);
  if (r.tag) check_result_size(s, r.ok.len);
  if (r.tag || r.err == 2) slot_consumed(s, sl);
  return r;
}

uint32_t x07_scope_cancel_all(uint32_t sid) {
  scope_t *s = SC(sid);
  uint32_t n = 0;
  for (uint32_t i = s->nreg; i > 0; i--) n += x07_task_cancel(s->reg_ids[i - 1]);
  s->cancel_requested = 1;
  return n;
}

/* Joins and drops every pending slot, then every start_soon child. */
static void join_remaining(uint32_t sid, int from_task) {
  scope_t *s = SC(sid);
  for (uint32_t i = 0; i < s->max_children; i++) {
    slot_t *sl = &s->slots[i];
    if (sl->state != SLOT_PENDING) continue;
    uint32_t task = sl->task, kind = sl->kind;
    x07_bytes b = x07_bytes_empty();
    x07_res_bytes r = x07_res_bytes_err(0);
    x07_bytes *ob = kind == X07_TASK_KIND_BYTES ? &b : NULL;
    x07_res_bytes *orb = kind == X07_TASK_KIND_BYTES ? NULL : &r;
    if (from_task) {
      while (!x07_task_join_poll(task, kind, ob, orb)) x07_sched_suspend();
    } else {
      x07_task_join_block(task, kind, ob, orb);
    }
    s = SC(sid);
    sl = &s->slots[i];
    if (ob) check_result_size(s, b.len);
    if (orb && r.tag) check_result_size(s, r.ok.len);
    x07_bytes_drop(b);
    if (r.tag) x07_bytes_drop(r.ok);
    reg_remove(s, task);
    sl->state = SLOT_CONSUMED;
    sl->task = 0;
  }
  for (uint32_t i = 0; i < s->nchild; i++) {
    uint32_t task = s->child_ids[i], kind = s->child_kinds[i];
    if (from_task) {
      while (!x07_task_join_poll(task, kind, NULL, NULL)) x07_sched_suspend();
    } else {
      x07_task_join_block(task, kind, NULL, NULL);
    }
    s = SC(sid);
  }
}

static uint32_t pending_count(scope_t *s) {
  uint32_t n = s->nchild;
  for (uint32_t i = 0; i < s->max_children; i++)
    if (s->slots[i].state == SLOT_PENDING) n++;
  return n;
}

static uint32_t wait_all(uint32_t sid, int from_task) {
  uint32_t n = pending_count(SC(sid));
  join_remaining(sid, from_task);
  scope_t *s = SC(sid);
  s->nchild = 0;
  s->nreg = 0;
  s->cancel_requested = 0;
  return n;
}
uint32_t x07_scope_wait_all(uint32_t sid) { return wait_all(sid, 0); }
uint32_t x07_scope_wait_all_task(uint32_t sid) { return wait_all(sid, 1); }

static void scope_end(uint32_t sid, int from_task) {
  join_remaining(sid, from_task);
  scope_t *s = SC(sid);
  if (s->max_ticks && x07_sched_now - s->snap_ticks > s->max_ticks) x07_trap("X07T_SCOPE_BUDGET_TICKS_EXCEEDED");
  if (s->max_blocked_waits && x07_sched_stats.blocked_waits - s->snap_blocked_waits > s->max_blocked_waits)
    x07_trap("X07T_SCOPE_BUDGET_BLOCKED_WAITS_EXCEEDED");
  if (s->max_join_polls && x07_sched_stats.join_calls - s->snap_join_polls > s->max_join_polls)
    x07_trap("X07T_SCOPE_BUDGET_JOIN_POLLS_EXCEEDED");
  x07_sched_free(s->child_ids);
  x07_sched_free(s->child_kinds);
  x07_sched_free(s->reg_ids);
  x07_sched_free(s->slots);
  x07_sched_free(s);
  g_scopes[sid - 1] = NULL;
}
uint32_t x07_scope_end(uint32_t sid) { scope_end(sid, 0); return 0; }
uint32_t x07_scope_end_task(uint32_t sid) { scope_end(sid, 1); return 0; }

/* ---------------- budget scopes ---------------- */

uint32_t x07_budget_fuel_depth;

typedef struct {
  uint32_t mode, used, yielded, fuel_clamped;
  uint64_t max_alloc_bytes, max_alloc_calls, max_realloc_calls, max_memcpy_bytes, max_sched_ticks;
  uint64_t snap_alloc_bytes, snap_alloc_calls, snap_realloc_calls, snap_memcpy_bytes, snap_sched_ticks;
  uint64_t fuel_saved, fuel_start;
} budget_t;

static budget_t *g_budgets;
static uint32_t g_nbudgets, g_bcap;

uint32_t x07_budget_begin(uint32_t mode, uint32_t alloc_bytes, uint32_t alloc_calls, uint32_t realloc_calls,
                          uint32_t memcpy_bytes, uint32_t sched_ticks, uint32_t fuel) {
  uint32_t id = 0;
  for (uint32_t i = 0; i < g_nbudgets; i++)
    if (!g_budgets[i].used) { id = i + 1; break; }
  if (!id) {
    if (g_nbudgets == g_bcap) {
      uint32_t nc = g_bcap ? g_bcap * 2 : 8;
      budget_t *n = (budget_t *)x07_sched_alloc(nc * (uint32_t)sizeof *n);
      if (g_nbudgets) memcpy(n, g_budgets, g_nbudgets * sizeof *n);
      x07_sched_free(g_budgets);
      g_budgets = n;
      g_bcap = nc;
    }
    id = ++g_nbudgets;
  }
  budget_t *b = &g_budgets[id - 1];
  memset(b, 0, sizeof *b);
  b->used = 1;
  b->mode = mode;
  b->max_alloc_bytes = alloc_bytes;
  b->max_alloc_calls = alloc_calls;
  b->max_realloc_calls = realloc_calls;
  b->max_memcpy_bytes = memcpy_bytes;
  b->max_sched_ticks = sched_ticks;
  b->snap_alloc_bytes = x07_mem.bytes_alloc_total;
  b->snap_alloc_calls = x07_mem.alloc_calls;
  b->snap_realloc_calls = x07_mem.realloc_calls;
  b->snap_memcpy_bytes = x07_memcpy_bytes;
  b->snap_sched_ticks = x07_sched_now;
  b->fuel_saved = b->fuel_start = x07_fuel_left;
  if (fuel != 0 && x07_fuel_left > fuel) {
    b->fuel_start = fuel;
    x07_fuel_left = fuel;
    b->fuel_clamped = 1;
    x07_budget_fuel_depth++;
  }
  return id;
}

/* One cap check in upstream's order: 0 ok, else the error code (result_err) or a trap. */
static uint32_t over(const budget_t *b, uint64_t used, uint64_t cap, uint32_t code, const char *trap) {
  if (cap == 0 || used <= cap) return 0;
  if (b->mode == X07_BUDGET_STATS_ONLY) return UINT32_MAX;
  if (code == 0x80000005u && b->mode == X07_BUDGET_YIELD) return UINT32_MAX;
  if (b->mode == X07_BUDGET_RESULT_ERR) return code;
  x07_trap(trap);
}

static uint32_t budget_end(uint32_t id, int from_task) {
  if (id == 0 || id > g_nbudgets || !g_budgets[id - 1].used) x07_trap("budget invalid handle");
  budget_t *b = &g_budgets[id - 1];
  if (b->mode == X07_BUDGET_YIELD && !b->yielded && b->max_sched_ticks &&
      x07_sched_now - b->snap_sched_ticks > b->max_sched_ticks) {
    b->yielded = 1;
    if (from_task) {
      (void)x07_task_yield_task();
    } else {
      (void)x07_task_yield();
    }
    b = &g_budgets[id - 1];
    b->snap_sched_ticks = x07_sched_now;
  }
  uint32_t code = over(b, x07_mem.bytes_alloc_total - b->snap_alloc_bytes, b->max_alloc_bytes, 0x80000001u,
                       "X07T_BUDGET_EXCEEDED_ALLOC_BYTES");
  if (!code) code = over(b, x07_mem.alloc_calls - b->snap_alloc_calls, b->max_alloc_calls, 0x80000002u,
                         "X07T_BUDGET_EXCEEDED_ALLOC_CALLS");
  if (!code) code = over(b, x07_mem.realloc_calls - b->snap_realloc_calls, b->max_realloc_calls, 0x80000003u,
                         "X07T_BUDGET_EXCEEDED_REALLOC_CALLS");
  if (!code) code = over(b, x07_memcpy_bytes - b->snap_memcpy_bytes, b->max_memcpy_bytes, 0x80000004u,
                         "X07T_BUDGET_EXCEEDED_MEMCPY_BYTES");
  if (!code) code = over(b, x07_sched_now - b->snap_sched_ticks, b->max_sched_ticks, 0x80000005u,
                         "X07T_BUDGET_EXCEEDED_SCHED_TICKS");
  if (b->fuel_clamped) {
    uint64_t consumed = b->fuel_start - x07_fuel_left;
    x07_fuel_left = b->fuel_saved - consumed;
    x07_budget_fuel_depth--;
  }
  b->used = 0;
  return code == UINT32_MAX ? 0 : code;
}
uint32_t x07_budget_end(uint32_t id) { return budget_end(id, 0); }
uint32_t x07_budget_end_task(uint32_t id) { return budget_end(id, 1); }

x07_res_i32 x07_budget_res_i32(x07_res_i32 r, uint32_t code) { return code ? x07_res_i32_err(code) : r; }
x07_res_bytes x07_budget_res_bytes(x07_res_bytes r, uint32_t code) {
  if (!code) return r;
  if (r.tag) x07_bytes_drop(r.ok);
  return x07_res_bytes_err(code);
}
x07_res_view x07_budget_res_view(x07_res_view r, uint32_t code) {
  if (!code) return r;
  x07_res_view e;
  memset(&e, 0, sizeof e);
  e.err = code;
  return e;
}
