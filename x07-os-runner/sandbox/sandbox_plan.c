/* Plan lifecycle: prepare (parent), apply (post-fork child), free. */
#include "sandbox_internal.h"
#include "sandbox_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void x07_sb_append(char *buf, size_t buf_len, const char *text) {
  size_t used = strlen(buf);
  if (used + 1 >= buf_len) return;
  snprintf(buf + used, buf_len - used, "%s%s", used ? "; " : "", text);
}

void x07_sb_prepare_rlimits(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  int n = 0;
  if (cfg->cpu_ms != X07_SANDBOX_LIMIT_UNSET)
    plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_CPU, (cfg->cpu_ms + 999) / 1000};
  if (cfg->mem_bytes != X07_SANDBOX_LIMIT_UNSET) plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_AS, cfg->mem_bytes};
  if (cfg->fds != X07_SANDBOX_LIMIT_UNSET) plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_NOFILE, cfg->fds};
  if (cfg->procs != X07_SANDBOX_LIMIT_UNSET) plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_NPROC, cfg->procs};
  if (cfg->file_bytes != X07_SANDBOX_LIMIT_UNSET) plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_FSIZE, cfg->file_bytes};
  plan->rlimits[n++] = (x07_sb_rlimit){RLIMIT_CORE, cfg->core_dumps ? (uint64_t)RLIM_INFINITY : 0};
  plan->rlimits_len = n;
}

x07_sandbox_plan *x07_sandbox_prepare(const x07_sandbox_config *cfg, const x07_sandbox_caps *caps, char *err,
                                      size_t err_len) {
  if (err_len) err[0] = 0;
  if (!cfg->artifact_path || !cfg->artifact_path[0]) {
    snprintf(err, err_len, "kernel sandbox: no artifact path");
    return NULL;
  }
  if (access(cfg->artifact_path, F_OK) != 0) {
    snprintf(err, err_len, "kernel sandbox: artifact %s: %s", cfg->artifact_path, strerror(errno));
    return NULL;
  }
  x07_sandbox_plan *plan = calloc(1, sizeof *plan);
  if (!plan) {
    snprintf(err, err_len, "kernel sandbox: out of memory");
    return NULL;
  }
  plan->landlock_ruleset_fd = -1;
  plan->cgroups[0].procs_fd = plan->cgroups[1].procs_fd = -1;
  plan->netsup_child_fd = -1;
  plan->quota_sock[0] = plan->quota_sock[1] = -1;
  plan->netns_fd = -1;
  x07_sb_prepare_rlimits(plan, cfg);
  plan->procs_max = cfg->procs;
  plan->mem_max = cfg->mem_bytes;
  x07_sb_prepare_cgroup(plan, cfg);
  plan->drop_caps = geteuid() == 0;

  if (x07_sb_prepare_landlock(plan, cfg, caps, err, err_len) < 0) goto fail;
  {
    char cwd_buf[X07_SB_PATH_MAX];
    const char *cwd = cfg->cwd && *cfg->cwd ? cfg->cwd : getcwd(cwd_buf, sizeof cwd_buf);
    int r = cwd ? x07_sb_prepare_namespaces(plan, cfg, cwd) : -errno;
    if (r < 0) {
      snprintf(err, err_len, "kernel sandbox: preparing the mount namespace failed: %s", strerror(-r));
      goto fail;
    }
    x07_sb_memo_free(&plan->interps);
    if ((r = x07_sb_prepare_quota(plan, cfg)) < 0) {
      snprintf(err, err_len, "kernel sandbox: preparing the write quota failed: %s", strerror(-r));
      goto fail;
    }
  }
  if (caps->seccomp_filter) {
    if (x07_sb_prepare_seccomp(plan, cfg, err, err_len) < 0) goto fail;
    int r = x07_sb_prepare_netsup(plan, cfg);
    if (r < 0) {
      snprintf(err, err_len, "kernel sandbox: preparing the network supervisor failed: %s", strerror(-r));
      goto fail;
    }
  } else {
    x07_sb_append(plan->skipped, sizeof plan->skipped, "seccomp unavailable: no syscall filter");
  }
  plan->tcp_ports_limited = plan->handled_net != 0;
  return plan;

fail:
  x07_sandbox_plan_free(plan);
  return NULL;
}

void x07_sandbox_plan_free(x07_sandbox_plan *plan) {
  if (!plan) return;
  x07_sb_memo_free(&plan->interps);
  if (plan->landlock_ruleset_fd >= 0) close(plan->landlock_ruleset_fd);
  if (plan->netns_fd >= 0) close(plan->netns_fd);
  x07_sb_release_cgroup(plan);
  for (int i = 0; i < 2; i++)
    if (plan->quota_sock[i] >= 0) close(plan->quota_sock[i]);
  x07_sb_free_mounts(plan);
  free(plan->dests);
  free(plan->seccomp.insns);
  free(plan);
}

/* ---- child side: raw syscalls only ---- */

static int mark_fds_cloexec(void) {
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
  /* pre-5.11 kernels: walk a bounded range */
  for (int fd = 3; fd < 65536; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
  return 0;
}

int x07_sandbox_apply_rlimits(const x07_sandbox_plan *plan) {
  if (!plan) return 0;
  for (int i = 0; i < plan->rlimits_len; i++) {
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)plan->rlimits[i].value;
    if (setrlimit(plan->rlimits[i].resource, &rl) != 0) return -errno;
    if (plan->rlimits[i].resource == RLIMIT_FSIZE) {
      /* a write past the limit then fails with EFBIG instead of killing the program;
       * an ignored disposition survives execve */
      struct sigaction ign;
      memset(&ign, 0, sizeof ign);
      ign.sa_handler = SIG_IGN;
      if (sigaction(SIGXFSZ, &ign, NULL) != 0) return -errno;
    }
  }
  return 0;
}

int x07_sandbox_apply_no_new_privs(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  return 0;
}

/* uid 0 keeps full capabilities across execve: drop them for good, so the
 * program cannot raise limits, bypass DAC, or change uid. Three calls: lock the
 * securebits (no root special case at exec, no setuid fixups, no ambient raise),
 * clear the ambient set, and empty the effective/permitted/inheritable sets.
 * The bounding set is left as it is: it only caps what an execve may grant, and
 * with no_new_privs (set before this) an execve grants nothing beyond the
 * permitted set, which is empty (file capabilities and setuid bits give nothing;
 * test_sandbox_caps.py checks both). Dropping it took one credential commit per
 * capability (41 prctl calls, ~0.07 ms per run). */
static int drop_capabilities(void) {
  /* SECBIT_NOROOT|_LOCKED, NO_SETUID_FIXUP|_LOCKED, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE|_LOCKED */
  const unsigned long bits = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80;
  if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return -errno;
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return -EPERM; /* the reasoning above needs it */
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct {
    uint32_t version;
    int pid;
  } hdr = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
  struct {
    uint32_t effective, permitted, inheritable;
  } data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &hdr, data) != 0) return -errno;
  return 0;
}

int x07_sandbox_apply(const x07_sandbox_plan *plan, int *failed_step) {
  int step = X07_SANDBOX_STEP_NONE, r = 0;
  if (!plan) goto done;
  step = X07_SANDBOX_STEP_CGROUP;
  if ((r = x07_sb_apply_cgroup(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_MOUNTS;
  if ((r = x07_sb_apply_mounts(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_FDS;
  if ((r = mark_fds_cloexec()) != 0) goto done;
  step = X07_SANDBOX_STEP_RLIMITS;
  if ((r = x07_sandbox_apply_rlimits(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_NO_NEW_PRIVS;
  if ((r = x07_sandbox_apply_no_new_privs()) != 0) goto done;
  step = X07_SANDBOX_STEP_LANDLOCK;
  if ((r = x07_sandbox_apply_landlock(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_CAPS;
  if (plan->drop_caps && (r = drop_capabilities()) != 0) goto done;
  step = X07_SANDBOX_STEP_SECCOMP;
  if ((r = x07_sandbox_apply_seccomp(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_NETSUP;
  if ((r = x07_sb_apply_netsup(plan)) != 0) goto done;
  step = X07_SANDBOX_STEP_NONE;
done:
  if (failed_step) *failed_step = r ? step : X07_SANDBOX_STEP_NONE;
  return r;
}
