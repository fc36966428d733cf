/* x07_os_init / x07_os_fini: read the policy once before `solve`; at the end
 * kill and reap live children, remove uncommitted temp files, close sockets. */
#include <signal.h>

#include "os_net.h"
#include "os_policy.h"
#include "os_proc.h"
#include "x07rt.h"

void x07_os_fs_streams_fini(void);

void x07_os_init(void) {
  x07_os_policy_reload();
  (void)x07_os_pol();
  /* a child that closes its stdin must not kill us while we feed it */
  signal(SIGPIPE, SIG_IGN);
}

void x07_os_fini(void) {
  x07_proc_fini();
  x07_os_fs_streams_fini();
  x07_net_fini();
}
