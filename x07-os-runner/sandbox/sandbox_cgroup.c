/* A pids cgroup per sandboxed run, for uid 0 with spawning allowed.
 *
 * The kernel never applies RLIMIT_NPROC to uid 0, so for root the policy's
 * `limits.procs` needs another mechanism: a child cgroup of the runner's own
 * pids cgroup with pids.max = procs. The child joins it before exec (write "0"
 * to cgroup.procs through an fd opened by the parent); when the plan is freed
 * every task still in it (grandchildren that left the process group included)
 * is killed and the cgroup removed. Works with cgroup v1 (pids hierarchy) and
 * v2 when the pids controller is enabled for our subtree. Best effort: when no
 * writable pids cgroup exists the plan says so in its "not enforced" list. */
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int has_token(const char *list, const char *token) {
  size_t n = strlen(token);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ", \n");
    if (len == n && strncmp(p, token, n) == 0) return 1;
    p += len;
    while (*p == ',' || *p == ' ' || *p == '\n') p++;
  }
  return 0;
}

/* Our cgroup path in the pids hierarchy (v1) or the unified one (v2). */
static int own_cgroup_path(int v2, char *out, size_t out_len) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return -1;
  char line[1024];
  int found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c1 = *c2 = 0;
    char *path = c2 + 1;
    path[strcspn(path, "\n")] = 0;
    int match = v2 ? (strcmp(line, "0") == 0 && c1[1] == 0) : has_token(c1 + 1, "pids");
    if (match && (size_t)snprintf(out, out_len, "%s", path) < out_len) found = 0;
  }
  fclose(f);
  return found;
}

/* Mount point + mount root of the pids v1 hierarchy or of cgroup2. */
static int cgroup_mount(int v2, char *mnt, size_t mnt_len, char *root, size_t root_len) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    char *sep = strstr(line, " - ");
    if (!sep) continue;
    char fstype[64], source[512], opts[1024] = "";
    if (sscanf(sep + 3, "%63s %511s %1023s", fstype, source, opts) < 2) continue;
    if (v2 ? strcmp(fstype, "cgroup2") != 0 : (strcmp(fstype, "cgroup") != 0 || !has_token(opts, "pids")))
      continue;
    char r[1024], m[1024];
    if (sscanf(line, "%*s %*s %*s %1023s %1023s", r, m) != 2) continue;
    if ((size_t)snprintf(mnt, mnt_len, "%s", m) < mnt_len && (size_t)snprintf(root, root_len, "%s", r) < root_len)
      found = 0;
  }
  fclose(f);
  return found;
}

static int write_text(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The directory under which we may create a pids-limited child cgroup. */
static int pids_parent_dir(char *out, size_t out_len) {
  for (int v2 = 0; v2 <= 1; v2++) {
    char path[1024], mnt[1024], root[1024];
    if (own_cgroup_path(v2, path, sizeof path) != 0 || cgroup_mount(v2, mnt, sizeof mnt, root, sizeof root) != 0)
      continue;
    const char *rel = path;
    size_t rl = strlen(root);
    if (strcmp(root, "/") != 0) {
      if (strncmp(path, root, rl) != 0) continue; /* our cgroup is outside this mount */
      rel = path + rl;
    }
    if ((size_t)snprintf(out, out_len, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel) >= out_len) continue;
    if (v2) {
      char ctl[1200], buf[256] = "";
      snprintf(ctl, sizeof ctl, "%s/cgroup.subtree_control", out);
      FILE *f = fopen(ctl, "re");
      if (!f) continue;
      int ok = fgets(buf, sizeof buf, f) && has_token(buf, "pids");
      fclose(f);
      if (!ok) continue;
    }
    if (access(out, W_OK) == 0) return 0;
  }
  return -1;
}

int x07_sb_prepare_cgroup(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  plan->cgroup_procs_fd = -1;
  if (cfg->procs == X07_SANDBOX_LIMIT_UNSET || geteuid() != 0 || !(cfg->proc_enabled && cfg->allow_spawn))
    return 0;
  if (cfg->in_process) {
    x07_sb_append(plan->skipped, sizeof plan->skipped, "limits.procs (in-process sandbox as uid 0: no pids cgroup)");
    return 0;
  }
  static unsigned counter;
  char parent[1024];
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  if (pids_parent_dir(parent, sizeof parent) != 0 ||
      (size_t)snprintf(plan->cgroup_dir, sizeof plan->cgroup_dir, "%s/x07-sandbox-%d-%u-%ld", parent, (int)getpid(),
                       __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), (long)ts.tv_nsec) >=
          sizeof plan->cgroup_dir ||
      mkdir(plan->cgroup_dir, 0700) != 0) {
    plan->cgroup_dir[0] = 0;
    x07_sb_append(plan->skipped, sizeof plan->skipped, "limits.procs (no writable pids cgroup; uid 0 ignores nproc)");
    return 0;
  }
  char file[1200], max[32];
  snprintf(max, sizeof max, "%llu", (unsigned long long)(cfg->procs ? cfg->procs : 1));
  snprintf(file, sizeof file, "%s/pids.max", plan->cgroup_dir);
  int ok = write_text(file, max) == 0;
  snprintf(file, sizeof file, "%s/cgroup.procs", plan->cgroup_dir);
  if (ok) plan->cgroup_procs_fd = open(file, O_WRONLY | O_CLOEXEC);
  if (plan->cgroup_procs_fd < 0) {
    rmdir(plan->cgroup_dir);
    plan->cgroup_dir[0] = 0;
    x07_sb_append(plan->skipped, sizeof plan->skipped, "limits.procs (pids cgroup not writable; uid 0 ignores nproc)");
    return 0;
  }
  plan->procs_cgroup = 1;
  return 0;
}

int x07_sb_apply_cgroup(const x07_sandbox_plan *plan) {
  if (!plan || plan->cgroup_procs_fd < 0) return 0;
  if (write(plan->cgroup_procs_fd, "0", 1) != 1) return -errno;
  return 0;
}

/* SIGKILL a task only if it is still ours: the pidfd pins the process, then
 * /proc/<pid>/cgroup proves membership (a recycled pid would not match). */
static void kill_if_member(pid_t pid, const char *name) {
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
  FILE *f = fopen(path, "re");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f) fclose(f);
  buf[n] = 0;
  if (strstr(buf, name)) {
    if (pfd >= 0) syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
    else kill(pid, SIGKILL);
  }
  if (pfd >= 0) close(pfd);
}

void x07_sb_release_cgroup(struct x07_sandbox_plan *plan) {
  if (plan->cgroup_procs_fd >= 0) close(plan->cgroup_procs_fd);
  plan->cgroup_procs_fd = -1;
  if (!plan->cgroup_dir[0]) return;
  const char *name = strrchr(plan->cgroup_dir, '/');
  char procs[1200];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", plan->cgroup_dir);
  for (int round = 0; round < 200; round++) { /* up to ~2 s for stragglers to die */
    FILE *f = fopen(procs, "re");
    int any = 0, pid;
    int self = 0;
    while (f && fscanf(f, "%d", &pid) == 1) {
      if (pid == (int)getpid()) self = 1; /* applied in-process by mistake: never kill ourselves */
      else kill_if_member((pid_t)pid, name);
      any = 1;
    }
    if (self) {
      if (f) fclose(f);
      break;
    }
    if (f) fclose(f);
    if (!any && rmdir(plan->cgroup_dir) == 0) break;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  plan->cgroup_dir[0] = 0;
}
