/* Kernel capability probe and config defaults. */
#include "x07_sandbox.h"
#include "sandbox_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void x07_sandbox_probe(x07_sandbox_caps *out) {
  memset(out, 0, sizeof *out);

  long abi = syscall(X07_NR_landlock_create_ruleset, NULL, 0, X07_LL_CREATE_RULESET_VERSION);
  if (abi < 0) {
    out->landlock_errno = errno;
  } else {
    out->landlock_abi = (int)abi;
    long errata = syscall(X07_NR_landlock_create_ruleset, NULL, 0, X07_LL_CREATE_RULESET_ERRATA);
    out->landlock_errata = errata < 0 ? 0 : (int)errata;
  }

  /* SECCOMP_GET_ACTION_AVAIL succeeds iff filter mode (and the action) exist. */
  unsigned int action = X07_SECCOMP_RET_ERRNO;
  if (syscall(SYS_seccomp, X07_SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0) {
    out->seccomp_filter = 1;
  } else {
    out->seccomp_errno = errno;
  }
  out->libseccomp = x07_sandbox_have_libseccomp();
}

void x07_sandbox_config_init(x07_sandbox_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->cpu_ms = X07_SANDBOX_LIMIT_UNSET;
  cfg->mem_bytes = X07_SANDBOX_LIMIT_UNSET;
  cfg->fds = X07_SANDBOX_LIMIT_UNSET;
  cfg->procs = X07_SANDBOX_LIMIT_UNSET;
  cfg->file_bytes = X07_SANDBOX_LIMIT_UNSET;
  cfg->system_lib_paths = 1;
}

const char *x07_sandbox_step_name(int step) {
  switch (step) {
    case X07_SANDBOX_STEP_FDS: return "close-on-exec of inherited fds";
    case X07_SANDBOX_STEP_RLIMITS: return "setrlimit";
    case X07_SANDBOX_STEP_NO_NEW_PRIVS: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case X07_SANDBOX_STEP_LANDLOCK: return "landlock";
    case X07_SANDBOX_STEP_CAPS: return "dropping capabilities";
    case X07_SANDBOX_STEP_SECCOMP: return "seccomp";
    case X07_SANDBOX_STEP_CGROUP: return "joining the per-run cgroups";
    case X07_SANDBOX_STEP_MOUNTS: return "mount namespace setup";
    case X07_SANDBOX_STEP_NETSUP: return "network supervisor handoff";
    default: return "none";
  }
}
