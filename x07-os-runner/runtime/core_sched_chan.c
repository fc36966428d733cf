/* Bytes channels (chan.bytes.*): bounded FIFO queues of owned bytes with FIFO
 * wait lists of blocked senders and receivers. Trap texts follow upstream. */

#include "core_sched_internal.h"

typedef struct {
  uint32_t closed, cap, head, tail, len;
  x07_bytes *buf;
  uint32_t send_head, send_tail, recv_head, recv_tail;
} chan_t;

static chan_t **g_chans;
static uint32_t g_nchans, g_cap;

#define S x07_sched_stats

static chan_t *C(uint32_t id) {
  if (id == 0 || id > g_nchans) x07_trap("chan invalid handle");
  return g_chans[id - 1];
}

uint32_t x07_chan_bytes_new(uint32_t cap) {
  if (cap == 0) x07_trap("chan cap=0");
  if (cap > (1u << 24)) x07_trap("out of memory");
  g_chans = (chan_t **)x07_sched_table_reserve(g_chans, g_nchans, &g_cap);
  chan_t *c = (chan_t *)x07_sched_alloc((uint32_t)sizeof *c);
  c->cap = cap;
  c->buf = (x07_bytes *)x07_sched_alloc(cap * (uint32_t)sizeof(x07_bytes));
  g_chans[g_nchans++] = c;
  return g_nchans;
}

static void put(chan_t *c, uint32_t id, x07_bytes msg) {
  c->buf[c->tail] = msg;
  c->tail = (c->tail + 1) % c->cap;
  c->len++;
  uint32_t w = x07_wait_pop(&c->recv_head, &c->recv_tail);
  if (w) x07_sched_wake(w, X07_WAIT_CHAN_RECV, id);
}

static x07_bytes get(chan_t *c, uint32_t id) {
  x07_bytes msg = c->buf[c->head];
  c->buf[c->head] = x07_bytes_empty();
  c->head = (c->head + 1) % c->cap;
  c->len--;
  uint32_t w = x07_wait_pop(&c->send_head, &c->send_tail);
  if (w) x07_sched_wake(w, X07_WAIT_CHAN_SEND, id);
  return msg;
}

/* Registers the current task as waiting on the channel (once per wait). */
static void wait_on(chan_t *c, uint32_t id, uint32_t kind, const char *busy) {
  uint32_t cur = x07_sched_current;
  if (x07_sched_wait_kind(cur) == kind && x07_sched_wait_id(cur) == id) return;
  if (x07_sched_wait_kind(cur) != X07_WAIT_NONE) x07_trap(busy);
  x07_sched_set_wait(cur, kind, id);
  x07_sched_block(kind, id);
  if (kind == X07_WAIT_CHAN_SEND) x07_wait_push(&c->send_head, &c->send_tail, cur);
  else x07_wait_push(&c->recv_head, &c->recv_tail, cur);
}

uint32_t x07_chan_bytes_send_task(uint32_t id, x07_bytes msg) {
  for (;;) {
    S.chan_send_calls++;
    if (x07_sched_current == 0) x07_trap("chan.send.poll from main");
    chan_t *c = C(id);
    if (c->closed) x07_trap("chan.send closed");
    if (c->len < c->cap) {
      put(c, id, msg);
      return 1;
    }
    wait_on(c, id, X07_WAIT_CHAN_SEND, "chan.send while already waiting");
    x07_sched_suspend();
  }
}

uint32_t x07_chan_bytes_send(uint32_t id, x07_bytes msg) {
  chan_t *c = C(id);
  if (c->closed) x07_trap("chan.send closed");
  while (c->len >= c->cap) {
    if (!x07_sched_step()) x07_sched_deadlock();
    c = C(id);
  }
  put(c, id, msg);
  return 1;
}

uint32_t x07_chan_bytes_try_send(uint32_t id, x07_view msg) {
  S.chan_send_calls++;
  chan_t *c = C(id);
  if (c->closed) return 2;
  if (c->len >= c->cap) return 0;
  put(c, id, x07_bytes_from(msg.ptr, msg.len));
  return 1;
}

x07_bytes x07_chan_bytes_recv_task(uint32_t id) {
  for (;;) {
    S.chan_recv_calls++;
    if (x07_sched_current == 0) x07_trap("chan.recv.poll from main");
    chan_t *c = C(id);
    if (c->len) return get(c, id);
    if (c->closed) return x07_bytes_empty();
    wait_on(c, id, X07_WAIT_CHAN_RECV, "chan.recv while already waiting");
    x07_sched_suspend();
  }
}

x07_bytes x07_chan_bytes_recv(uint32_t id) {
  chan_t *c = C(id);
  while (c->len == 0 && !c->closed) {
    if (!x07_sched_step()) x07_sched_deadlock();
    c = C(id);
  }
  if (c->len == 0) return x07_bytes_empty();
  return get(c, id);
}

x07_res_bytes x07_chan_bytes_try_recv(uint32_t id) {
  S.chan_recv_calls++;
  chan_t *c = C(id);
  if (c->len) return x07_res_bytes_ok(get(c, id));
  return x07_res_bytes_err(c->closed ? 2 : 1);
}

uint32_t x07_chan_bytes_close(uint32_t id) {
  chan_t *c = C(id);
  if (c->closed) return 0;
  c->closed = 1;
  uint32_t w;
  while ((w = x07_wait_pop(&c->recv_head, &c->recv_tail)) != 0) x07_sched_wake(w, X07_WAIT_CHAN_RECV, id);
  while ((w = x07_wait_pop(&c->send_head, &c->send_tail)) != 0) x07_sched_wake(w, X07_WAIT_CHAN_SEND, id);
  return 1;
}
