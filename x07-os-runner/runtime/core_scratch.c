/* scratch_u8_fixed_v1: runtime-owned byte buffers of a fixed capacity, addressed by
 * 1-based i32 handles (freed slots are reused). try_write appends or fails with 8
 * (the std.stream.pipe_v1 "scratch overflow" code) when the bytes do not fit. */
#include <string.h>

#include "x07rt.h"
#include "x07rt_core.h"

typedef struct {
  int alive;
  x07_vec buf;
} scratch_slot;

static scratch_slot *g_slots;
static uint32_t g_len, g_cap;

static scratch_slot *slot_of(uint32_t h) {
  if (h == 0 || h > g_len || !g_slots[h - 1].alive) x07_trap("scratch_u8_fixed invalid handle");
  return &g_slots[h - 1];
}

uint32_t x07_scratch_u8_fixed_new(uint32_t cap) {
  uint32_t i = 0;
  while (i < g_len && g_slots[i].alive) i++;
  if (i == g_len) {
    if (g_len == g_cap) {
      uint32_t nc = g_cap ? g_cap * 2 : 8;
      scratch_slot *ns = (scratch_slot *)x07_alloc(nc * (uint32_t)sizeof(scratch_slot));
      if (g_len) memcpy(ns, g_slots, g_len * sizeof(scratch_slot));
      x07_free(g_slots);
      g_slots = ns;
      g_cap = nc;
    }
    g_len++;
  }
  scratch_slot *s = &g_slots[i];
  s->alive = 1;
  s->buf.ptr = cap ? (uint8_t *)x07_alloc(cap) : NULL;
  s->buf.len = 0;
  s->buf.cap = cap;
  return i + 1;
}

uint32_t x07_scratch_u8_fixed_clear(uint32_t h) {
  slot_of(h)->buf.len = 0;
  return h;
}

uint32_t x07_scratch_u8_fixed_len(uint32_t h) { return slot_of(h)->buf.len; }
uint32_t x07_scratch_u8_fixed_cap(uint32_t h) { return slot_of(h)->buf.cap; }

x07_view x07_scratch_u8_fixed_as_view(uint32_t h) {
  scratch_slot *s = slot_of(h);
  x07_view v = {s->buf.ptr, s->buf.len};
  return v;
}

x07_res_i32 x07_scratch_u8_fixed_try_write(uint32_t h, x07_view b) {
  scratch_slot *s = slot_of(h);
  if (b.len > s->buf.cap - s->buf.len) return x07_res_i32_err(8);
  if (b.len) memcpy(s->buf.ptr + s->buf.len, b.ptr, b.len);
  s->buf.len += b.len;
  return x07_res_i32_ok(b.len);
}

uint32_t x07_scratch_u8_fixed_drop(uint32_t h) {
  if (h == 0 || h > g_len || !g_slots[h - 1].alive) return 0;
  x07_vec_drop(g_slots[h - 1].buf);
  g_slots[h - 1].alive = 0;
  while (g_len && !g_slots[g_len - 1].alive) g_len--;
  if (!g_len) { /* no live buffer left: give the table back (mem_stats counts it) */
    x07_free(g_slots);
    g_slots = NULL;
    g_cap = 0;
  }
  return 1;
}
