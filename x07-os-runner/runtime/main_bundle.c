/* Entry point of bundle executables (ABI argv_v1, language-core §6.1):
 * input = u32 argc ‖ argc × (u32 len ‖ bytes) where element 0 is the bundle's
 * configured name (X07_BUNDLE_NAME) followed by argv[1..]; the output bytes go
 * raw to stdout (no frame, no metrics line); exit status = the program's exit code.
 * A bundle may define x07_bundle_setup() (e.g. to enter its sandbox) — it runs
 * before anything else. */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "x07rt_mem.h"

#ifndef X07_BUNDLE_NAME
#define X07_BUNDLE_NAME "app"
#endif

void x07_bundle_setup(int argc, char **argv) __attribute__((weak));

/* Wrapper failures (not program traps): one stderr line, exit 2 (facade.md §6.3). */
static int bundle_fail(const char *msg) {
  static const char prefix[] = "x07 bundle: ";
  if (write(2, prefix, sizeof prefix - 1) >= 0 && write(2, msg, strlen(msg)) >= 0) (void)!write(2, "\n", 1);
  return 2;
}

/* argv_v1 element i: the configured name stands for argv[0] (also when argc is 0). */
static const char *element(char **argv, int i) { return i == 0 ? X07_BUNDLE_NAME : argv[i]; }

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  x07_trap_exit_status = 5; /* a trap: its text on stderr, exit 5 (like `x07 run --report text`) */
  if (x07_bundle_setup) x07_bundle_setup(argc, argv);
  x07_fuel_left = x07_fuel_initial();
  x07_mem_init();
  const int count = argc < 1 ? 1 : argc;
  uint64_t total = 4;
  for (int i = 0; i < count; i++) total += 4 + strlen(element(argv, i));
  if (total > 0xFFFFFFF0u) return bundle_fail("argv_v1 too large");
  x07_bytes in = x07_bytes_new((uint32_t)total);
  uint8_t *p = in.ptr;
  x07_wr_u32le(p, (uint32_t)count);
  p += 4;
  for (int i = 0; i < count; i++) {
    const char *a = element(argv, i);
    uint32_t n = (uint32_t)strlen(a);
    x07_wr_u32le(p, n);
    memcpy(p + 4, a, n);
    p += 4 + n;
  }
  x07_mem_reset_stats();
  x07_os_init();
  x07_bytes out = x07_program_solve(x07_bytes_view(in));
  x07_os_fini();
#ifdef X07_BUNDLE_MAX_OUTPUT
  if ((uint64_t)out.len > (uint64_t)(X07_BUNDLE_MAX_OUTPUT)) return bundle_fail("output exceeded cap");
#endif
  if (!x07_write_all(1, out.ptr, out.len)) return 2;
  return (int)x07_exit_code;
}
