/* Traps and fuel: the message (+ " path=" / " ptr=") and "\n" go to fd 2 with
 * raw write(2), then the process dies by a trap instruction. */
#include <string.h>
#include <unistd.h>
#include "x07rt_mem.h"

uint64_t x07_fuel_left;
uint32_t x07_exit_code;
x07_counters x07_metrics;

int x07_write_all(int fd, const void *p, size_t n) {
  const char *c = (const char *)p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w <= 0) return 0;
    c += w;
    n -= (size_t)w;
  }
  return 1;
}

static void put(const char *s) { x07_write_all(2, s, strlen(s)); }

_Noreturn void x07_trap(const char *msg) {
  put(msg);
  put("\n");
  __builtin_trap();
}

_Noreturn void x07_trap_ptr(const char *msg, const char *ptr) {
  put(msg);
  if (ptr && *ptr) { put(" ptr="); put(ptr); }
  put("\n");
  __builtin_trap();
}

_Noreturn void x07_trap_path(const char *msg, const char *path) {
  put(msg);
  if (path) { put(" path="); put(path); }
  put("\n");
  __builtin_trap();
}

extern uint32_t x07_budget_fuel_depth; /* core_sched_scope.c: open budget scopes that clamp fuel */
_Noreturn void x07_trap_fuel(void) {
  x07_trap(x07_budget_fuel_depth ? "X07T_BUDGET_EXCEEDED_FUEL" : "fuel exhausted");
}
