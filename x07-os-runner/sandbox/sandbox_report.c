/* Human-readable side of the sandbox: what the kernel lacks for a policy,
 * what a plan enforces, and the note the runner prints after a denial. */
#include "sandbox_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const char *errno_name(int e) {
  switch (e) {
    case ENOSYS: return "ENOSYS: not built into this kernel";
    case EOPNOTSUPP: return "EOPNOTSUPP: disabled at boot, add landlock to the lsm= kernel parameter";
    case EINVAL: return "EINVAL: kernel without seccomp filter mode";
    case 0: return "unknown reason";
    default: return strerror(e);
  }
}

int x07_sandbox_check_support(const x07_sandbox_config *cfg, const x07_sandbox_caps *caps, char *msg,
                              size_t msg_len) {
  int missing = 0;
  char line[256];
  if (msg_len) msg[0] = 0;
  if (caps->landlock_abi <= 0) {
    snprintf(line, sizeof line,
             "Landlock unavailable (%s): fs roots and exec restrictions cannot be enforced by the kernel",
             errno_name(caps->landlock_errno));
    x07_sb_append(msg, msg_len, line);
    missing++;
  } else if (cfg->net_enabled && cfg->allow_tcp && caps->landlock_abi < 4) {
    snprintf(line, sizeof line,
             "Landlock ABI %d < 4 (needs Linux 6.7): the TCP port allowlist of net.allow_hosts cannot be enforced",
             caps->landlock_abi);
    x07_sb_append(msg, msg_len, line);
    missing++;
  }
  if (!caps->seccomp_filter) {
    snprintf(line, sizeof line,
             "seccomp filter mode unavailable (%s): socket, spawn, io_uring and escape-hatch syscalls cannot be "
             "denied",
             errno_name(caps->seccomp_errno));
    x07_sb_append(msg, msg_len, line);
    missing++;
  } else if (!caps->libseccomp) {
    x07_sb_append(msg, msg_len, "x07-os-runner was built without libseccomp: no seccomp filter can be generated");
    missing++;
  }
  /* An allowed exec means its dynamic loader may be exec'd, and the loader maps
   * code from any readable file unless the fs roots are mounted noexec. */
  if (cfg->proc_enabled && cfg->allow_spawn && cfg->exec_paths_len && cfg->fs_enabled && !cfg->in_process &&
      !cfg->no_namespaces && !x07_sb_namespaces_available() && !x07_sb_userns_available()) {
    x07_sb_append(msg, msg_len,
                  "namespaces unavailable (not uid 0 with CAP_SYS_ADMIN, and the kernel refuses unprivileged user "
                  "namespaces): fs roots cannot be mounted noexec, so the "
                  "dynamic loader of an allowed exec could run code from them");
    missing++;
  }
  if (cfg->write_quota_bytes && cfg->fs_enabled && cfg->write_roots_len && !cfg->in_process &&
      !cfg->no_namespaces && !x07_sb_namespaces_available() && !x07_sb_userns_available()) {
    x07_sb_append(msg, msg_len,
                  "namespaces unavailable: fs.max_write_bytes caps each file (RLIMIT_FSIZE) but not the run's total");
    missing++;
  }
  return missing;
}

static const char *rlimit_name(int resource) {
  switch (resource) {
    case RLIMIT_CPU: return "cpu";
    case RLIMIT_AS: return "as";
    case RLIMIT_NOFILE: return "nofile";
    case RLIMIT_NPROC: return "nproc";
    case RLIMIT_FSIZE: return "fsize";
    case RLIMIT_CORE: return "core";
    default: return "?";
  }
}

typedef struct out_buf {
  char *p;
  size_t cap, len;
} out_buf;

static void put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_buf *o, const char *fmt, ...) {
  if (o->cap == 0 || o->len + 1 >= o->cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
  va_end(ap);
  if (n > 0) o->len = (o->len + (size_t)n < o->cap) ? o->len + (size_t)n : o->cap - 1;
}

static void describe_into(const x07_sandbox_plan *plan, out_buf *o) {
  if (!plan) {
    put(o, "not applied");
    return;
  }
  if (plan->landlock_abi > 0) {
    put(o, "landlock abi %d: fs read %zu root%s, write %zu root%s, exec artifact", plan->landlock_abi,
        plan->read_roots, plan->read_roots == 1 ? "" : "s", plan->write_roots, plan->write_roots == 1 ? "" : "s");
    if (plan->exec_paths) put(o, " + %zu allowed exec%s", plan->exec_paths, plan->exec_paths == 1 ? "" : "s");
    else put(o, " only");
    if (plan->handled_net) {
      if (plan->net_rules)
        put(o, "; tcp bind/connect %zu port%s only (hosts checked in-process)", plan->net_rules,
            plan->net_rules == 1 ? "" : "s");
      else put(o, "; tcp bind/connect denied");
    }
    if (plan->scoped) put(o, "; signals and abstract sockets scoped");
  } else {
    put(o, "landlock off");
  }
  if (plan->seccomp.len) {
    put(o, "; seccomp: ");
    if (plan->net_sockets_denied) put(o, "sockets denied, ");
    else put(o, "unix/raw sockets denied, %s, ", plan->udp_denied ? "udp denied" : "udp to any host");
    if (plan->spawn_denied) put(o, "spawn denied, ");
    put(o, "io_uring/ptrace/bpf/mount/namespaces denied");
  } else {
    put(o, "; seccomp off");
  }
  put(o, "; rlimits");
  for (int i = 0; i < plan->rlimits_len; i++) {
    uint64_t v = plan->rlimits[i].value;
    if (v == (uint64_t)RLIM_INFINITY) put(o, " %s=unlimited", rlimit_name(plan->rlimits[i].resource));
    else if (plan->rlimits[i].resource == RLIMIT_CPU) put(o, " cpu=%llus", (unsigned long long)v);
    else put(o, " %s=%llu", rlimit_name(plan->rlimits[i].resource), (unsigned long long)v);
  }
  if (plan->procs_cgroup) put(o, "; pids cgroup max=%llu", (unsigned long long)(plan->procs_max ? plan->procs_max : 1));
  if (plan->mem_cgroup) put(o, "; memory cgroup max=%llu (whole tree)", (unsigned long long)plan->mem_max);
  if (plan->drop_caps) put(o, "; capabilities dropped (%s)", plan->userns ? "user namespace" : "uid 0");
  if (plan->netsup) put(o, "; network supervisor: tcp/udp destinations %zu allowed, listen needs a port", plan->dests_len);
  if (plan->ns_flags)
    put(o, "; namespaces %spid ipc uts mount%s (%zu root%s mounted noexec)", plan->userns ? "user " : "",
        plan->new_net ? " net" : "", plan->ns_data_mounts, plan->ns_data_mounts == 1 ? "" : "s");
  if (plan->netns_fd >= 0) put(o, "; net namespace: the shared empty one");
  if (plan->quota_roots)
    put(o, "; write quota %llu bytes per run (%d write root%s on a tmpfs overlay)",
        (unsigned long long)plan->quota_bytes, plan->quota_roots, plan->quota_roots == 1 ? "" : "s");
  if (plan->skipped[0]) put(o, "; not enforced: %s", plan->skipped);
}

size_t x07_sandbox_describe(const x07_sandbox_plan *plan, char *buf, size_t buf_len) {
  out_buf o = {buf, buf_len, 0};
  if (buf_len) buf[0] = 0;
  describe_into(plan, &o);
  return o.len;
}

static int contains(const char *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  if (n == 0 || n > len) return 0;
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(hay + i, needle, n) == 0) return 1;
  return 0;
}

int x07_sandbox_denial_note(const x07_sandbox_plan *plan, const char *prog_stderr, size_t stderr_len,
                            int exit_code, int term_signal, char *buf, size_t buf_len) {
  const char *why = NULL;
  const char *s = prog_stderr ? prog_stderr : "";
  (void)exit_code;
  char oom[160];
  uint64_t oom_kills = x07_sb_cgroup_oom_kills(plan);
  if (oom_kills) {
    snprintf(oom, sizeof oom,
             "the memory cgroup's OOM killer ended %llu process%s of the run (limits.mem_bytes caps the whole "
             "process tree)",
             (unsigned long long)oom_kills, oom_kills == 1 ? "" : "es");
    why = oom;
  } else if (term_signal == SIGXCPU || term_signal == SIGKILL) {
    /* RLIMIT_CPU with soft == hard: the kernel sends SIGKILL (SIGXCPU only below a higher hard limit).
     * The runner passes no signal for its own wall-timeout kills. */
    why = "the program was killed by the kernel when it used up its CPU time (RLIMIT_CPU from limits.cpu_ms)";
  } else if (term_signal == SIGSYS) {
    why = "the program used a foreign syscall ABI (i386/x32) and was killed by seccomp";
  } else if (contains(s, stderr_len, "calloc failed") || contains(s, stderr_len, "Cannot allocate memory") ||
             contains(s, stderr_len, "out of memory")) {
    why = "an allocation failed; the address space is capped by RLIMIT_AS (limits.mem_bytes)";
  } else if (contains(s, stderr_len, "Permission denied") || contains(s, stderr_len, "Operation not permitted") ||
             contains(s, stderr_len, "EACCES") || contains(s, stderr_len, "EPERM") ||
             contains(s, stderr_len, "os error 13") || contains(s, stderr_len, "os error 1)")) {
    why = "a file, socket or process operation was refused (EACCES/EPERM); the kernel denies everything the "
          "policy does not grant, also to code that bypasses the x07 runtime";
  } else if (contains(s, stderr_len, "open failed")) {
    why = "a file could not be opened; if it exists, note that the kernel only grants fs.read_roots (read) and "
          "fs.write_roots (read/write), checked after symlinks are resolved";
  }
  if (!why) {
    if (buf_len) buf[0] = 0;
    return 0;
  }
  out_buf o = {buf, buf_len, 0};
  if (buf_len) buf[0] = 0;
  put(&o, "x07-os-runner: kernel sandbox: %s (enforced: ", why);
  describe_into(plan, &o);
  put(&o, ")");
  return 1;
}
