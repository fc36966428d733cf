/* Entry point of framed runner executables (runner.md §3):
 * stdin = u32le length + input, stdout = u32le length + output,
 * stderr = one metrics JSON line; exit status = the program's exit code. */
#include <signal.h>
#include <stdlib.h>
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

/* Where the output frame goes: fd 1, or X07_FRAME_FD when the runner streams the
 * program's own stdout writes (os.stdio) live and needs the frame apart from them. */
static int g_frame_fd = 1;

/* os.process.exit: the program ends before producing output; the frame says "no
 * output" and the metrics line follows, so its exit status is reported as chosen. */
static void empty_frame_before_exit(void) {
  static const uint8_t empty[4] = {0, 0, 0, 0};
  x07_write_all(g_frame_fd, empty, 4);
  x07_write_metrics();
}

int main(void) {
  /* Second-stage seccomp filter for run-os-sandboxed (a no-op otherwise); it must
   * come before any program code runs. */
  x07_sandbox_runtime_lockdown();
  signal(SIGPIPE, SIG_IGN);
  x07_fuel_left = x07_fuel_initial();
  x07_mem_init();
  x07_before_exit = empty_frame_before_exit;
  const char *frame_fd = getenv("X07_FRAME_FD");
  if (frame_fd && frame_fd[0] >= '3' && frame_fd[0] <= '9' && !frame_fd[1]) g_frame_fd = frame_fd[0] - '0';
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
  if (!x07_write_all(g_frame_fd, len, 4) || !x07_write_all(g_frame_fd, out.ptr, out.len)) return 2;
  x07_bytes_drop(out); /* the input stays: it was allocated before the stats reset */
  x07_write_metrics();
  return (int)x07_exit_code;
}
