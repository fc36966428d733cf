/* Entry point of framed runner executables (runner.md §3):
 * stdin = u32le length + input, stdout = u32le length + output,
 * stderr = one metrics JSON line; exit status = the program's exit code. */
#include <signal.h>
#include <unistd.h>
#include "x07rt_mem.h"
#include "x07_sandbox.h"

static int read_full(uint8_t *p, uint32_t n) {
  while (n > 0) {
    ssize_t r = read(0, p, n);
    if (r <= 0) return 0;
    p += r;
    n -= (uint32_t)r;
  }
  return 1;
}

int main(void) {
  /* Second-stage seccomp filter for run-os-sandboxed (a no-op otherwise); it must
   * come before any program code runs. */
  x07_sandbox_runtime_lockdown();
  signal(SIGPIPE, SIG_IGN);
  x07_fuel_left = x07_cfg_fuel_init;
  x07_mem_init();
  uint8_t hdr[4];
  if (!read_full(hdr, 4)) return 2;
  uint32_t n = x07_rd_u32le(hdr);
  x07_bytes in = x07_bytes_new(n);
  if (!read_full(in.ptr, n)) return 2;
  x07_mem_reset_stats();
  x07_os_init();
  x07_bytes out = x07_program_solve(x07_bytes_view(in));
  x07_os_fini();
  uint8_t len[4];
  x07_wr_u32le(len, out.len);
  if (!x07_write_all(1, len, 4) || !x07_write_all(1, out.ptr, out.len)) return 2;
  x07_bytes_drop(out); /* the input stays: it was allocated before the stats reset */
  x07_write_metrics();
  return (int)x07_exit_code;
}
