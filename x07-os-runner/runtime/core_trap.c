/* Traps and fuel: the message (+ " path=" / " ptr=") and "\n" go to fd 2 with
 * raw write(2), then the process dies by a trap instruction (or, in bundles, exits
 * with x07_trap_exit_status). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "x07rt_mem.h"

uint64_t x07_fuel_left;
uint32_t x07_exit_code;
int x07_trap_exit_status;
void (*x07_before_exit)(void);
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

static _Noreturn void die(void) {
  if (x07_trap_exit_status) _exit(x07_trap_exit_status);
  __builtin_trap();
}

_Noreturn void x07_trap(const char *msg) {
  put(msg);
  put("\n");
  die();
}

_Noreturn void x07_trap_ptr(const char *msg, const char *ptr) {
  put(msg);
  if (ptr && *ptr) { put(" ptr="); put(ptr); }
  put("\n");
  die();
}

_Noreturn void x07_trap_path(const char *msg, const char *path) {
  put(msg);
  if (path) { put(" path="); put(path); }
  put("\n");
  die();
}

_Noreturn void x07_trap_oob(const char *msg, const char *ptr, uint64_t index, uint64_t count, uint64_t len) {
  char line[128];
  int n = count == 1
              ? snprintf(line, sizeof line, "x07: index %llu out of bounds for length %llu\n",
                         (unsigned long long)index, (unsigned long long)len)
              : snprintf(line, sizeof line, "x07: range %llu..%llu out of bounds for length %llu\n",
                         (unsigned long long)index, (unsigned long long)index + count, (unsigned long long)len);
  if (n > 0) x07_write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
  x07_trap_ptr(msg, ptr);
}

extern uint32_t x07_budget_fuel_depth; /* core_sched_scope.c: open budget scopes that clamp fuel */
_Noreturn void x07_trap_fuel(void) {
  x07_trap(x07_budget_fuel_depth ? "X07T_BUDGET_EXCEEDED_FUEL" : "fuel exhausted");
}
