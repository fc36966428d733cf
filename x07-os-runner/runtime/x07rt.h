/* x07 C runtime: the ABI shared by generated programs, the core runtime and
 * the OS-effect modules.
 *
 * Conventions (every runtime function follows them):
 *   - every x07 integer is a uint32_t (i32 and u32 share one representation);
 *   - x07_bytes / x07_vec / x07_opt_bytes / x07_res_bytes are OWNED: a function
 *     that receives one by value takes ownership and must drop or return it;
 *   - x07_view / x07_opt_view / x07_res_view are borrowed and never freed;
 *   - an empty bytes value may have ptr == NULL;
 *   - all heap memory comes from the fixed arena (x07_alloc), never malloc,
 *     so mem_stats and the out-of-memory trap cover everything.
 */
#ifndef X07RT_H
#define X07RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct { uint8_t *ptr; uint32_t len; } x07_bytes;
typedef struct { const uint8_t *ptr; uint32_t len; } x07_view;
typedef struct { uint8_t *ptr; uint32_t len; uint32_t cap; } x07_vec;
typedef struct { uint32_t tag; uint32_t val; } x07_opt_i32;       /* tag 1 = some */
typedef struct { uint32_t tag; x07_bytes val; } x07_opt_bytes;
typedef struct { uint32_t tag; x07_view val; } x07_opt_view;
typedef struct { uint32_t tag; uint32_t val; } x07_res_i32;       /* tag 1: val = ok value; tag 0: val = err code */
typedef struct { uint32_t tag; uint32_t err; x07_bytes ok; } x07_res_bytes;
typedef struct { uint32_t tag; uint32_t err; x07_view ok; } x07_res_view;
/* iface: a dynamic interface record (copyable). vtable 1 = built-in reader; 2..64 = readers
 * registered by native code with x07_rt_register_io_reader_vtable_v1 (runtime/core_iface.c). */
typedef struct { uint32_t data; uint32_t vtable; } x07_iface;
static inline x07_iface x07_iface_make(uint32_t data, uint32_t vtable) { x07_iface r = {data, vtable}; return r; }
/* Registers a native reader; returns its vtable id (0 if full or read is NULL). read(data, dst, cap)
 * returns the number of bytes written (0 = end of stream). */
uint32_t x07_rt_register_io_reader_vtable_v1(uint32_t (*read)(uint32_t data, uint8_t *dst, uint32_t cap),
                                             void (*drop)(uint32_t data));

/* ---- traps: message (+ " ptr=<json pointer>") + "\n" on fd 2, then die by signal ---- */
_Noreturn void x07_trap(const char *msg);
_Noreturn void x07_trap_ptr(const char *msg, const char *ptr);
_Noreturn void x07_trap_path(const char *msg, const char *path);
/* An out-of-bounds trap: first a "x07: index I (count N) out of bounds for length L"
 * line for trap_help, then the trap text exactly as upstream prints it. */
_Noreturn void x07_trap_oob(const char *msg, const char *ptr, uint64_t index, uint64_t count, uint64_t len);

/* ---- fuel (one unit per evaluated expression, charged in batches) ---- */
/* The counter starts at most at INT64_MAX, so generated code can subtract first and trap on a
 * negative result (one instruction less per charge than compare-then-subtract). */
extern uint64_t x07_fuel_left;
extern const uint64_t x07_cfg_fuel_init;
static inline uint64_t x07_fuel_initial(void) {
  return x07_cfg_fuel_init > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : x07_cfg_fuel_init;
}
_Noreturn void x07_trap_fuel(void);
static inline void x07_fuel(uint32_t n) {
  if (__builtin_expect(x07_fuel_left < n, 0)) x07_trap_fuel();
  x07_fuel_left -= n;
}

/* ---- arena heap ---- */
void *x07_alloc(uint32_t n);          /* zero-filled; traps "out of memory" */
void x07_free(void *p);               /* NULL is a no-op */
x07_bytes x07_bytes_new(uint32_t n);  /* n zero bytes */
x07_bytes x07_bytes_from(const void *src, uint32_t n);
static inline x07_bytes x07_bytes_empty(void) { x07_bytes b = {0, 0}; return b; }
static inline void x07_bytes_drop(x07_bytes b) { x07_free(b.ptr); }
static inline x07_view x07_bytes_view(x07_bytes b) { x07_view v = {b.ptr, b.len}; return v; }
void x07_vec_drop(x07_vec v);
/* grows v so that it can hold `need` bytes (doubling policy of vec_u8.extend_bytes) */
void x07_vec_reserve(x07_vec *v, uint32_t need);
void x07_vec_push_bytes(x07_vec *v, const void *src, uint32_t n);

/* ---- result/option constructors used by runtime modules ---- */
static inline x07_res_i32 x07_res_i32_ok(uint32_t v) { x07_res_i32 r = {1, v}; return r; }
static inline x07_res_i32 x07_res_i32_err(uint32_t c) { x07_res_i32 r = {0, c}; return r; }
static inline x07_res_bytes x07_res_bytes_ok(x07_bytes b) { x07_res_bytes r; r.tag = 1; r.err = 0; r.ok = b; return r; }
static inline x07_res_bytes x07_res_bytes_err(uint32_t c) { x07_res_bytes r; r.tag = 0; r.err = c; r.ok = x07_bytes_empty(); return r; }

/* ---- little-endian helpers ---- */
static inline uint32_t x07_rd_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void x07_wr_u32le(uint8_t *p, uint32_t x) {
  p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); p[2] = (uint8_t)(x >> 16); p[3] = (uint8_t)(x >> 24);
}

/* ---- program metrics (reported in the stderr metrics line) ---- */
typedef struct {
  uint64_t fs_read_file_calls, fs_list_dir_calls;
  uint64_t rr_open_calls, rr_close_calls, rr_stats_calls, rr_next_calls, rr_next_miss_calls, rr_append_calls;
  uint64_t kv_get_calls, kv_set_calls;
} x07_counters;
extern x07_counters x07_metrics;

/* ---- process exit code (process.set_exit_code_v1) ---- */
extern uint32_t x07_exit_code;

/* ---- OS world hooks, implemented by the OS modules (runtime/os_*.c) ---- */
/* Called once before solve and once after it (kills live children etc.). */
void x07_os_init(void);
void x07_os_fini(void);

/* ---- what the generated program provides ---- */
/* Compile-time limits baked into the executable (-DX07_FUEL_INIT / -DX07_MEM_CAP). */
extern const uint32_t x07_cfg_mem_cap;
/* The entry: evaluates `solve` with `input` and returns the output bytes. */
x07_bytes x07_program_solve(x07_view input);

#ifdef __cplusplus
}
#endif
#endif /* X07RT_H */
