/* os.time.* (runner.md §6.4). Denials: now_unix_ms traps, the v1 docs return
 * error docs, sleep returns 0. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <time.h>

#include "os_doc.h"
#include "os_policy.h"
#include "x07rt_os.h"

uint32_t x07_os_time_now_unix_ms(void) {
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed) {
    if (!pol->time_enabled) x07_trap("os.time disabled by policy");
    if (!pol->time_allow_wall_clock) x07_trap("os.time.now_unix_ms disabled by policy");
  }
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
  uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
  return (uint32_t)ms;
}

x07_bytes x07_os_time_now_instant_v1(void) {
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed && (!pol->time_enabled || !pol->time_allow_wall_clock)) return x07_os_err_doc(300);
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return x07_os_err_doc(301);
  uint64_t secs = (uint64_t)(int64_t)ts.tv_sec;
  x07_bytes b = x07_bytes_new(14);
  b.ptr[0] = 1;
  b.ptr[1] = 1;
  x07_wr_u32le(b.ptr + 2, (uint32_t)secs);
  x07_wr_u32le(b.ptr + 6, (uint32_t)(secs >> 32));
  x07_wr_u32le(b.ptr + 10, (uint32_t)ts.tv_nsec);
  return b;
}

uint32_t x07_os_time_sleep_ms_v1(uint32_t ms) {
  if ((int32_t)ms < 0) return 0;
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed && (!pol->time_enabled || !pol->time_allow_sleep || ms > pol->time_max_sleep_ms)) return 0;
  struct timespec req = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L}, rem;
  while (nanosleep(&req, &rem) != 0) {
    if (errno != EINTR) return 0;
    req = rem;
  }
  return 1;
}

x07_bytes x07_os_time_local_tzid_v1(void) {
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed && (!pol->time_enabled || !pol->time_allow_local_tzid)) {
    x07_bytes b = x07_bytes_new(5);
    x07_wr_u32le(b.ptr + 1, 1);
    return b;
  }
  /* v1 always reports an empty tzid */
  x07_bytes b = x07_bytes_new(6);
  b.ptr[0] = 1;
  b.ptr[1] = 1;
  return b;
}
