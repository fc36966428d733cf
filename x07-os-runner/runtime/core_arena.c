/* The fixed arena heap: one mmap'd region of x07_cfg_mem_cap bytes.
 * Small blocks (<= 2 KiB) use power-of-two size classes with LIFO free lists;
 * large blocks use an address-ordered first-fit free list with coalescing, and
 * a large block freed at the top of the bump region gives its space back.
 * Every allocation is zero-filled; memory that was never handed out is still
 * zero from mmap, so only reused memory is cleared. */
#include <string.h>
#include <sys/mman.h>
#include "x07rt_mem.h"

#define HDR 16u
#define MAGIC_USED 0x7a07u
#define MAGIC_FREE 0x7f07u
#define N_CLASSES 8u              /* 16 .. 2048 */
#define SMALL_MAX (16u << (N_CLASSES - 1))

typedef struct {
  uint32_t size;  /* payload capacity (multiple of 16) */
  uint32_t magic;
  uint32_t req;   /* requested bytes, for statistics */
  uint32_t next;  /* free list link: offset of next free header, 0 = none */
} blk_hdr;

static uint8_t *arena;
static uint32_t arena_cap, top = HDR, dirty_top = HDR; /* offset 0 is reserved as "none" */
static uint32_t small_free[N_CLASSES];
static uint32_t large_free; /* address ordered */
x07_mem_stats x07_mem;
uint64_t x07_memcpy_bytes;

#define AT(off) ((blk_hdr *)(arena + (off)))

void x07_mem_init(void) {
  arena_cap = x07_cfg_mem_cap;
  if (arena_cap < 4096u) arena_cap = 4096u;
  /* The memory cap and the address-space rlimit are often the same number (a policy's
   * limits.mem_bytes), and the program's code, stack and libraries need part of that
   * space: shrink the arena until the mapping fits, so the program still gets the
   * memory that is really left and traps "out of memory" only when it uses it up. */
  void *p = MAP_FAILED;
  for (uint32_t cap = arena_cap; cap >= 4096u; cap = cap / 4u * 3u) {
    p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      arena_cap = cap;
      break;
    }
  }
  if (p == MAP_FAILED) x07_trap("calloc failed");
  arena = (uint8_t *)p;
}

void x07_mem_reset_stats(void) {
  memset(&x07_mem, 0, sizeof x07_mem);
  x07_memcpy_bytes = 0;
}

static uint32_t class_of(uint32_t n) {
  uint32_t c = 0, s = 16;
  while (s < n) { s <<= 1; c++; }
  return c;
}

/* Carves `size` payload bytes from the bump region; 0 if it does not fit. */
static uint32_t bump(uint32_t size) {
  if ((uint64_t)top + HDR + size > arena_cap) return 0;
  uint32_t off = top;
  top += HDR + size;
  AT(off)->size = size;
  return off;
}

static uint32_t take_large(uint32_t size) {
  uint32_t prev = 0, cur = large_free;
  while (cur) {
    blk_hdr *h = AT(cur);
    if (h->size >= size) {
      uint32_t next = h->next;
      if (h->size - size >= 64u + HDR) { /* split: the tail stays free in place */
        uint32_t rest = cur + HDR + size;
        AT(rest)->size = h->size - size - HDR;
        AT(rest)->magic = MAGIC_FREE;
        AT(rest)->next = next;
        next = rest;
        h->size = size;
      }
      if (prev) AT(prev)->next = next; else large_free = next;
      return cur;
    }
    prev = cur;
    cur = h->next;
  }
  return 0;
}

void *x07_alloc(uint32_t n) {
  uint32_t off = 0, size;
  if (n > 0xFFFFFFF0u - HDR) x07_trap("out of memory");
  if (n <= SMALL_MAX) {
    uint32_t c = class_of(n ? n : 1);
    size = 16u << c;
    off = small_free[c];
    if (off) small_free[c] = AT(off)->next;
    else off = bump(size);
  } else {
    size = (n + 15u) & ~15u;
    off = take_large(size);
    if (!off) off = bump(size);
  }
  if (!off) x07_trap("out of memory");
  blk_hdr *h = AT(off);
  h->magic = MAGIC_USED;
  h->req = n;
  h->next = 0;
  uint8_t *p = arena + off + HDR;
  uint32_t end = off + HDR + h->size;
  if (off < dirty_top) memset(p, 0, (end < dirty_top ? end : dirty_top) - (off + HDR));
  if (end > dirty_top) dirty_top = end;
  x07_mem_count_alloc(n);
  return p;
}

static void free_large(uint32_t off) {
  blk_hdr *h = AT(off);
  h->magic = MAGIC_FREE;
  uint32_t prev = 0, cur = large_free;
  while (cur && cur < off) { prev = cur; cur = AT(cur)->next; }
  h->next = cur;
  if (prev) AT(prev)->next = off; else large_free = off;
  if (cur && off + HDR + h->size == cur) { /* merge with the following block */
    h->size += HDR + AT(cur)->size;
    h->next = AT(cur)->next;
  }
  if (prev && prev + HDR + AT(prev)->size == off) { /* merge into the preceding block */
    AT(prev)->size += HDR + h->size;
    AT(prev)->next = h->next;
    off = prev;
    h = AT(prev);
  }
  if (off + HDR + h->size == top && h->next == 0) { /* last block: return it to the bump region */
    top = off;
    /* unlink `off`, which is the tail of the list */
    uint32_t p = 0, c = large_free;
    while (c && c != off) { p = c; c = AT(c)->next; }
    if (p) AT(p)->next = 0; else large_free = 0;
  }
}

/* Runtime-owned state (map/set tables) that lives until exit: not program heap,
 * so it is left out of mem_stats and never freed. */
void *x07_alloc_runtime(uint32_t n) {
  x07_mem_stats saved = x07_mem;
  void *p = x07_alloc(n);
  x07_mem = saved;
  return p;
}

void x07_free(void *ptr) {
  if (!ptr) return;
  uint32_t off = (uint32_t)((uint8_t *)ptr - arena) - HDR;
  blk_hdr *h = AT(off);
  if (h->magic != MAGIC_USED) x07_trap("invalid free");
  x07_mem_count_free(h->req);
  if (h->size <= SMALL_MAX) {
    uint32_t c = class_of(h->size);
    h->magic = MAGIC_FREE;
    h->next = small_free[c];
    small_free[c] = off;
  } else {
    free_large(off);
  }
}

void x07_copy(void *dst, const void *src, uint32_t n) {
  if (!n) return;
  memcpy(dst, src, n);
  x07_memcpy_bytes += n;
}

x07_bytes x07_bytes_new(uint32_t n) {
  x07_bytes b = {0, 0};
  if (n == 0) return b;
  b.ptr = (uint8_t *)x07_alloc(n);
  b.len = n;
  return b;
}

x07_bytes x07_bytes_from(const void *src, uint32_t n) {
  x07_bytes b = x07_bytes_new(n);
  x07_copy(b.ptr, src, n);
  return b;
}

void x07_vec_drop(x07_vec v) { x07_free(v.ptr); }

/* A large block that ends the bump region grows where it is (no copy, no fresh pages
 * for a second buffer): the usual case of one vec being built while nothing else is
 * allocated. Returns 0 when it cannot. The statistics come out exactly as for the
 * new + copy + free of x07_vec_set_cap, so budgets and mem_stats do not depend on it. */
static int grow_in_place(x07_vec *v, uint32_t cap) {
  if (!v->ptr || cap <= SMALL_MAX || cap > 0xFFFFFFF0u - HDR) return 0;
  uint32_t off = (uint32_t)(v->ptr - arena) - HDR;
  blk_hdr *h = AT(off);
  uint32_t size = (cap + 15u) & ~15u, old_end = off + HDR + h->size;
  if (h->magic != MAGIC_USED || h->size <= SMALL_MAX || old_end != top || size < h->size ||
      (uint64_t)off + HDR + size > arena_cap)
    return 0;
  uint32_t end = off + HDR + size;
  /* as a fresh block would be: zero past the contents (a cleared vec may have left bytes),
   * and in the extension whatever was handed out before */
  memset(v->ptr + v->len, 0, h->size - (h->size < v->len ? h->size : v->len));
  if (old_end < dirty_top) memset(arena + old_end, 0, (end < dirty_top ? end : dirty_top) - old_end);
  if (end > dirty_top) dirty_top = end;
  top = end;
  uint32_t old_req = h->req;
  h->size = size;
  h->req = cap;
  /* counted as x07_vec_set_cap's new + free, as one realloc */
  x07_mem_count_alloc(cap);
  x07_mem_count_free(old_req);
  x07_mem.realloc_calls++;
  x07_mem.alloc_calls--;
  x07_mem.free_calls--;
  if (v->len) x07_memcpy_bytes += v->len;
  v->cap = cap;
  return 1;
}

/* Grows the buffer to exactly `cap` bytes (new + copy + free, counted as a realloc). */
void x07_vec_set_cap(x07_vec *v, uint32_t cap) {
  if (grow_in_place(v, cap)) return;
  uint8_t *p = (uint8_t *)x07_alloc(cap);
  x07_copy(p, v->ptr, v->len);
  if (v->ptr) { x07_free(v->ptr); x07_mem.realloc_calls++; x07_mem.alloc_calls--; x07_mem.free_calls--; }
  v->ptr = p;
  v->cap = cap;
}

void x07_vec_reserve(x07_vec *v, uint32_t need) {
  if (need <= v->cap) return;
  uint64_t c = v->cap ? v->cap : 1;
  while (c < need) c *= 2;
  if (c > 0xFFFFFFF0u) c = need;
  x07_vec_set_cap(v, (uint32_t)c);
}

void x07_vec_push_bytes(x07_vec *v, const void *src, uint32_t n) {
  if (!n) return;
  if ((uint64_t)v->len + n > 0xFFFFFFFFu) x07_trap("vec_u8.extend_bytes overflow");
  x07_vec_reserve(v, v->len + n);
  x07_copy(v->ptr + v->len, src, n);
  v->len += n;
}
