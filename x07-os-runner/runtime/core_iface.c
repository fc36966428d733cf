/* iface values and streaming readers (io.read, bufread.*).
 * An iface is {data, vtable}. vtable 1 is the built-in reader over a private
 * copy of some bytes (io.open_read_bytes; data = reader handle). vtables 2..64
 * are registered at run time by native code (x07_rt_register_io_reader_vtable_v1,
 * e.g. an FFI shim) and dispatch to its read function. Readers and bufreads are
 * 1-based handles that live until exit (runtime memory, outside mem_stats). A
 * bufread's buffer is allocated by its first fill and never freed or moved, so
 * a view returned by bufread.fill never dangles (a later fill may overwrite its
 * contents). */
#include "x07rt_mem.h"

#define VT_READER 1u
#define VT_EXT_MIN 2u
#define VT_EXT_MAX 64u

typedef struct { x07_bytes data; uint32_t pos; } reader;
typedef struct { x07_iface src; uint8_t *buf; uint32_t cap, start, end, eof; } bufread;
typedef struct { uint32_t (*read)(uint32_t data, uint8_t *dst, uint32_t cap); void (*drop)(uint32_t data); } ext_vtable;

static reader *readers;
static uint32_t n_readers, readers_cap;
static bufread *bufreads;
static uint32_t n_bufreads, bufreads_cap;
static ext_vtable ext_vtables[VT_EXT_MAX - VT_EXT_MIN + 1];
static uint32_t n_ext;

static void *grow(void *items, uint32_t len, uint32_t *cap, uint32_t elem) {
  if (len < *cap) return items;
  uint32_t nc = *cap ? *cap * 2 : 8;
  uint8_t *n = (uint8_t *)x07_alloc_runtime(nc * elem);
  if (len) __builtin_memcpy(n, items, (size_t)len * elem);
  *cap = nc;
  return n;
}

uint32_t x07_rt_register_io_reader_vtable_v1(uint32_t (*read)(uint32_t, uint8_t *, uint32_t),
                                             void (*drop)(uint32_t)) {
  if (!read) return 0;
  for (uint32_t i = 0; i < n_ext; i++)
    if (ext_vtables[i].read == read && ext_vtables[i].drop == drop) return VT_EXT_MIN + i;
  if (n_ext == VT_EXT_MAX - VT_EXT_MIN + 1) return 0;
  ext_vtables[n_ext].read = read;
  ext_vtables[n_ext].drop = drop;
  return VT_EXT_MIN + n_ext++;
}

static uint32_t ext_read(x07_iface it, uint8_t *dst, uint32_t cap) {
  uint32_t i = it.vtable - VT_EXT_MIN;
  if (i >= n_ext) x07_trap("ext io reader unregistered vtable");
  uint32_t got = ext_vtables[i].read(it.data, dst, cap);
  if (got > cap) x07_trap("ext io reader returned too many bytes");
  return got;
}
static int is_ext(x07_iface it) { return it.vtable >= VT_EXT_MIN && it.vtable <= VT_EXT_MAX; }

static reader *reader_get(uint32_t h) {
  if (h == 0 || h > n_readers) x07_trap("io.reader invalid handle");
  return &readers[h - 1];
}

x07_iface x07_io_open_read_bytes(x07_view b) {
  readers = (reader *)grow(readers, n_readers, &readers_cap, (uint32_t)sizeof(reader));
  reader *r = &readers[n_readers++];
  r->data.ptr = b.len ? (uint8_t *)x07_alloc_runtime(b.len) : 0;
  r->data.len = b.len;
  if (b.len) __builtin_memcpy(r->data.ptr, b.ptr, b.len);
  r->pos = 0;
  return x07_iface_make(n_readers, VT_READER);
}

/* Copies up to max bytes of the built-in reader h into dst. */
static uint32_t reader_take(uint32_t h, uint8_t *dst, uint32_t max) {
  reader *r = reader_get(h);
  uint32_t rem = r->data.len - r->pos, n = rem < max ? rem : max;
  if (n) __builtin_memcpy(dst, r->data.ptr + r->pos, n);
  r->pos += n;
  return n;
}

x07_bytes x07_io_read(x07_iface it, uint32_t max) {
  if (it.vtable != VT_READER && !is_ext(it)) x07_trap("io.read bad iface vtable");
  if (max == 0) return x07_bytes_empty();
  if (it.vtable == VT_READER) {
    reader *r = reader_get(it.data);
    uint32_t rem = r->data.len - r->pos, n = rem < max ? rem : max;
    x07_bytes out = x07_bytes_from(r->data.ptr + r->pos, n);
    r->pos += n;
    return out;
  }
  x07_bytes chunk = x07_bytes_new(max);
  chunk.len = ext_read(it, chunk.ptr, max);
  if (chunk.len == 0) {
    x07_bytes_drop(chunk);
    return x07_bytes_empty();
  }
  return chunk;
}

static bufread *bufread_get(uint32_t h) {
  if (h == 0 || h > n_bufreads) x07_trap("bufread invalid handle");
  return &bufreads[h - 1];
}

uint32_t x07_bufread_new(x07_iface it, uint32_t cap) {
  if (cap == 0) x07_trap("bufread cap=0");
  if (it.vtable == VT_READER) (void)reader_get(it.data);
  else if (!is_ext(it)) x07_trap("bufread.new bad iface vtable");
  bufreads = (bufread *)grow(bufreads, n_bufreads, &bufreads_cap, (uint32_t)sizeof(bufread));
  bufread *br = &bufreads[n_bufreads++];
  br->src = it;
  br->buf = 0; /* allocated by the first fill, so an unused bufread costs nothing */
  br->cap = cap;
  br->start = br->end = br->eof = 0;
  return n_bufreads;
}

x07_view x07_bufread_fill(uint32_t h) {
  bufread *br = bufread_get(h);
  if (br->start == br->end && !br->eof) {
    if (!br->buf) br->buf = (uint8_t *)x07_alloc_runtime(br->cap);
    uint32_t got = br->src.vtable == VT_READER ? reader_take(br->src.data, br->buf, br->cap)
                                               : ext_read(br->src, br->buf, br->cap);
    br->start = 0;
    br->end = got;
    if (got == 0) br->eof = 1;
  }
  x07_view v = {br->buf + br->start, br->end - br->start};
  return v;
}

uint32_t x07_bufread_consume(uint32_t h, uint32_t n) {
  bufread *br = bufread_get(h);
  if (n > br->end - br->start) x07_trap("bufread.consume oob");
  br->start += n;
  if (br->start == br->end) br->start = br->end = 0;
  return 0;
}
