/* Stress driver for the core runtime (arena, vec growth, map/set tables),
 * linked with runtime/core_*.c only. Usage: stress <mode> [seed]
 *   arena  random alloc/free of small and large blocks with pattern checks,
 *          zero-fill checks and mem_stats accounting; prints "ok <allocs>"
 *   tables random map_u32/set_u32 ops against a reference array; prints "ok <ops>"
 *   oom    allocates until the arena is exhausted (expects the trap)
 *   vec    pushes 3 MiB one byte at a time and checks contents; prints "ok <cap>"
 *   vecmix random push/extend/clear/reserve_exact on a few vecs between other allocs and
 *          frees: contents, zero bytes past the contents after each growth, mem_stats as
 *          new + copy + free per growth even when the block grew in place; prints
 *          "ok <growths> in place <n>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x07rt_mem.h"

const uint64_t x07_cfg_fuel_init = 1000;
const uint32_t x07_cfg_mem_cap = 32u << 20;
x07_bytes x07_program_solve(x07_view input) { (void)input; return x07_bytes_empty(); }
void x07_os_init(void) {}
void x07_os_fini(void) {}

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

#define SLOTS 512
static int arena_mode(void) {
  uint8_t *ptr[SLOTS] = {0};
  uint32_t len[SLOTS] = {0};
  uint64_t live = 0, allocs = 0;
  for (int step = 0; step < 200000; step++) {
    int s = (int)(rnd() % SLOTS);
    if (ptr[s]) {
      for (uint32_t i = 0; i < len[s]; i++)
        if (ptr[s][i] != (uint8_t)(s + i)) { printf("corrupt slot %d at %u\n", s, i); return 1; }
      x07_free(ptr[s]);
      live -= len[s];
      ptr[s] = 0;
    } else {
      uint32_t n = (rnd() % 8 == 0) ? 2048 + rnd() % 200000 : 1 + rnd() % 700;
      uint8_t *p = (uint8_t *)x07_alloc(n);
      if (((uintptr_t)p & 15) != 0) { printf("misaligned\n"); return 1; }
      for (uint32_t i = 0; i < n; i++) {
        if (p[i] != 0) { printf("not zeroed (n=%u at %u)\n", n, i); return 1; }
        p[i] = (uint8_t)(s + i);
      }
      ptr[s] = p;
      len[s] = n;
      live += n;
      allocs++;
    }
    if (x07_mem.live_bytes != live) { printf("live_bytes %llu != %llu\n", (unsigned long long)x07_mem.live_bytes, (unsigned long long)live); return 1; }
  }
  for (int s = 0; s < SLOTS; s++) x07_free(ptr[s]);
  if (x07_mem.live_bytes != 0 || x07_mem.live_allocs != 0) { printf("leak accounting\n"); return 1; }
  /* after freeing everything a block of most of the arena must fit again (coalescing) */
  void *big = x07_alloc(24u << 20);
  x07_free(big);
  printf("ok %llu\n", (unsigned long long)allocs);
  return 0;
}

static int tables_mode(void) {
  enum { KEYS = 300 };
  uint32_t ref_val[KEYS];
  int ref_in[KEYS] = {0}, set_in[KEYS] = {0};
  uint32_t m = x07_map_u32_new(1024), st = x07_set_u32_new(512);
  uint32_t len = 0, slen = 0;
  for (int op = 0; op < 100000; op++) {
    uint32_t k = rnd() % KEYS, key = k * 7919u;
    switch (rnd() % 6) {
      case 0: case 1: {
        uint32_t v = rnd();
        uint32_t ins = x07_map_u32_set(m, key, v);
        if (ins != (uint32_t)!ref_in[k]) { printf("set result\n"); return 1; }
        if (!ref_in[k]) len++;
        ref_in[k] = 1; ref_val[k] = v;
        break;
      }
      case 2: {
        uint32_t r = x07_map_u32_remove(m, key);
        if (r != (uint32_t)ref_in[k]) { printf("remove result\n"); return 1; }
        if (ref_in[k]) len--;
        ref_in[k] = 0;
        break;
      }
      case 3:
        if (x07_map_u32_get(m, key, 12345u) != (ref_in[k] ? ref_val[k] : 12345u)) { printf("get\n"); return 1; }
        if (x07_map_u32_contains(m, key) != (uint32_t)ref_in[k]) { printf("contains\n"); return 1; }
        break;
      case 4:
        if (x07_set_u32_add(st, key) != (uint32_t)!set_in[k]) { printf("set add\n"); return 1; }
        if (!set_in[k]) slen++;
        set_in[k] = 1;
        break;
      default:
        if (x07_set_u32_remove(st, key) != (uint32_t)set_in[k]) { printf("set remove\n"); return 1; }
        if (set_in[k]) slen--;
        set_in[k] = 0;
    }
    if (x07_map_u32_len(m) != len || x07_set_u32_len(st) != slen) { printf("len\n"); return 1; }
  }
  x07_bytes d = x07_map_u32_dump_kv(m);
  if (d.len != len * 8) { printf("dump len\n"); return 1; }
  for (uint32_t o = 0; o < d.len; o += 8) {
    uint32_t k = x07_rd_u32le(d.ptr + o) / 7919u;
    if (!ref_in[k] || ref_val[k] != x07_rd_u32le(d.ptr + o + 4)) { printf("dump content\n"); return 1; }
  }
  x07_bytes_drop(d);
  printf("ok 100000\n");
  return 0;
}

static int vec_mode(void) {
  x07_vec v = x07_vec_with_capacity(0);
  for (uint32_t i = 0; i < (3u << 20); i++) v = x07_vec_push(v, i * 7u);
  for (uint32_t i = 0; i < v.len; i++)
    if (v.ptr[i] != (uint8_t)(i * 7u)) { printf("vec content\n"); return 1; }
  printf("ok %u\n", v.cap);
  x07_vec_drop(v);
  return x07_mem.live_bytes != 0;
}

#define NV 4
/* one growth of v from `before` to `after`, as x07_vec_set_cap counts it: new + copy + free */
static int check_growth_stats(x07_vec before, x07_vec after, const x07_mem_stats *m0, uint64_t memcpy0,
                              uint32_t added) {
  x07_mem_stats want = *m0;
  if (before.ptr) {
    want.realloc_calls++;
    want.bytes_freed_total += before.cap;
  } else {
    want.alloc_calls++;
    want.live_allocs++;
  }
  want.bytes_alloc_total += after.cap;
  want.live_bytes += (uint64_t)after.cap - before.cap;
  if (x07_mem.alloc_calls != want.alloc_calls || x07_mem.free_calls != want.free_calls ||
      x07_mem.realloc_calls != want.realloc_calls || x07_mem.bytes_alloc_total != want.bytes_alloc_total ||
      x07_mem.bytes_freed_total != want.bytes_freed_total || x07_mem.live_bytes != want.live_bytes ||
      x07_mem.live_allocs != want.live_allocs || x07_memcpy_bytes != memcpy0 + before.len + added ||
      x07_mem.peak_live_bytes < m0->live_bytes + after.cap) {
    printf("mem_stats of a growth %u -> %u differ\n", before.cap, after.cap);
    return 1;
  }
  return 0;
}

static int vecmix_mode(void) {
  static uint8_t pattern[4096];
  for (uint32_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 131u + 7u);
  x07_vec v[NV];
  uint8_t *model[NV];
  uint8_t *blocks[64] = {0};
  uint64_t growths = 0, in_place = 0;
  for (int k = 0; k < NV; k++) { v[k] = x07_vec_with_capacity(0); model[k] = malloc(8u << 20); }
  for (int step = 0; step < 100000; step++) {
    uint32_t r = rnd() % 100;
    if (r < 5) { /* another block in between: the vecs stop ending the arena */
      int s = (int)(rnd() % 64);
      if (blocks[s]) { x07_free(blocks[s]); blocks[s] = 0; }
      else blocks[s] = x07_alloc(1 + rnd() % 9000);
      continue;
    }
    int k = (int)(rnd() % NV);
    if (r < 7) { /* start this vec over */
      x07_vec_drop(v[k]);
      v[k] = x07_vec_with_capacity(0);
      continue;
    }
    x07_vec before = v[k];
    x07_mem_stats m0 = x07_mem;
    uint64_t memcpy0 = x07_memcpy_bytes;
    uint32_t added = 0;
    if (r < 60) {
      uint8_t b = (uint8_t)rnd();
      model[k][v[k].len] = b;
      v[k] = x07_vec_push(v[k], b);
    } else if (r < 90) {
      uint32_t n = rnd() % 3000, o = rnd() % (sizeof pattern - n);
      if (v[k].len + n > (8u << 20)) continue;
      memcpy(model[k] + v[k].len, pattern + o, n);
      v[k] = x07_vec_extend_bytes(v[k], x07_view_of(pattern + o, n));
      added = n;
    } else if (r < 95) {
      v[k] = x07_vec_clear(v[k]);
    } else {
      uint32_t add = rnd() % 20000;
      if (v[k].len + add > (8u << 20)) continue;
      v[k] = x07_vec_reserve_exact(v[k], add);
    }
    if (v[k].cap != before.cap) {
      growths++;
      if (v[k].ptr == before.ptr) in_place++;
      if (check_growth_stats(before, v[k], &m0, memcpy0, added)) return 1;
      for (uint32_t i = v[k].len; i < v[k].cap; i++)
        if (v[k].ptr[i]) { printf("byte %u past len %u not zero after growth\n", i, v[k].len); return 1; }
    }
    if (v[k].len && memcmp(v[k].ptr, model[k], v[k].len)) { printf("vec %d content\n", k); return 1; }
  }
  for (int k = 0; k < NV; k++) { x07_vec_drop(v[k]); free(model[k]); }
  for (int s = 0; s < 64; s++) x07_free(blocks[s]);
  if (x07_mem.live_bytes != 0 || x07_mem.live_allocs != 0) { printf("leak accounting\n"); return 1; }
  if (!in_place || in_place == growths) {
    printf("in place %llu of %llu growths\n", (unsigned long long)in_place, (unsigned long long)growths);
    return 1;
  }
  printf("ok %llu in place %llu\n", (unsigned long long)growths, (unsigned long long)in_place);
  return 0;
}

int main(int argc, char **argv) {
  rng_state = argc > 2 ? strtoull(argv[2], 0, 10) : 1;
  x07_fuel_left = x07_cfg_fuel_init;
  x07_mem_init();
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "arena")) return arena_mode();
  if (!strcmp(argv[1], "tables")) return tables_mode();
  if (!strcmp(argv[1], "vec")) return vec_mode();
  if (!strcmp(argv[1], "vecmix")) return vecmix_mode();
  if (!strcmp(argv[1], "oom")) {
    for (;;) (void)x07_alloc(1u << 20);
  }
  return 2;
}
