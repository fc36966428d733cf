/* os.rand.* builtins (run-os worlds; docs/os/rand-v1.md): bytes from the kernel
 * CSPRNG (getrandom(2)). There is no fallback: if the kernel refuses, the call
 * fails with RAND_ERR_IO. */
#include <errno.h>
#include <sys/random.h>
#include "x07rt.h"

enum {
  RAND_ERR_BAD_CAPS = 60204,
  RAND_ERR_BAD_ARG = 60205,
  RAND_ERR_IO = 60215,
};
#define RAND_POLICY_MAX_BYTES_PER_CALL 65536u

/* RandCapsV1: u32le version (1), max_bytes_per_call (0 = policy default), flags
 * (0). Checks in upstream's order: caps shape, then a negative n, then flags and
 * the effective limit min(policy, caps). Consumes caps. */
static x07_res_bytes rand_call(int32_t n, x07_bytes caps) {
  uint32_t err = 0, max = RAND_POLICY_MAX_BYTES_PER_CALL;
  if (caps.len != 12 || x07_rd_u32le(caps.ptr) != 1) {
    err = RAND_ERR_BAD_CAPS;
  } else if (n < 0) {
    err = RAND_ERR_BAD_ARG;
  } else if (x07_rd_u32le(caps.ptr + 8) != 0) {
    err = RAND_ERR_BAD_CAPS;
  } else {
    uint32_t cap = x07_rd_u32le(caps.ptr + 4);
    if (cap != 0 && cap < max) max = cap;
    if ((uint32_t)n > max) err = RAND_ERR_BAD_ARG;
  }
  x07_bytes_drop(caps);
  if (err) return x07_res_bytes_err(err);
  x07_bytes out = x07_bytes_new((uint32_t)n);
  uint32_t got = 0;
  while (got < (uint32_t)n) {
    ssize_t r = getrandom(out.ptr + got, (uint32_t)n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      x07_bytes_drop(out);
      return x07_res_bytes_err(RAND_ERR_IO);
    }
    got += (uint32_t)r;
  }
  return x07_res_bytes_ok(out);
}

x07_res_bytes x07_os_rand_bytes_v1(uint32_t n, x07_bytes caps) { return rand_call((int32_t)n, caps); }
x07_res_bytes x07_os_rand_u64_v1(x07_bytes caps) { return rand_call(8, caps); }
