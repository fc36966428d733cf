/* os.env.get (runner.md §6.3): sandboxed deny list, then allow list, both exact. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "os_policy.h"
#include "x07rt_os.h"
#include "x07rt_mem.h"

/* The refused key on an "x07: refused value: …" line (for trap_help), then the trap text. */
static _Noreturn void refuse_key(x07_bytes key, const char *trap) {
  x07_write_all(2, "x07: refused value: ", 20);
  x07_write_all(2, key.ptr, key.len > 256 ? 256 : key.len);
  x07_write_all(2, "\n", 1);
  x07_trap(trap);
}

x07_bytes x07_os_env_get(x07_bytes key) {
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed) {
    if (!pol->env_enabled) x07_trap("os.env disabled by policy");
    if (x07_os_list_contains(&pol->env_deny, key.ptr, key.len)) refuse_key(key, "os.env.get key denied");
    if (!x07_os_list_contains(&pol->env_allow, key.ptr, key.len)) refuse_key(key, "os.env.get key not allowed");
  }
  if (memchr(key.ptr, 0, key.len)) x07_trap("os.env.get key contains NUL");
  char *k = x07_os_strndup(key.ptr, key.len);
  x07_bytes_drop(key);
  const char *v = getenv(k);
  free(k);
  if (!v) return x07_bytes_empty();
  return x07_bytes_from(v, (uint32_t)strlen(v));
}
