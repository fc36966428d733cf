/* Per-run cgroups, for uid 0 with spawning allowed: pids and memory.
 *
 * The kernel never applies RLIMIT_NPROC to uid 0, and RLIMIT_AS caps each
 * process, not a tree of them, so with spawning allowed (the only case where the
 * program can have more than one process) the run gets child cgroups of the
 * runner's own: pids.max = limits.procs and a memory limit = limits.mem_bytes
 * (memory.max + memory.swap.max 0 on v2; memory.limit_in_bytes +
 * memory.memsw.limit_in_bytes on v1), so the kernel's OOM killer ends a process of
 * the run when the tree together goes past it. With cgroup v2 both controllers
 * share one directory; with v1 each hierarchy gets its own. The child joins them
 * before exec (writes "0" to cgroup.procs through fds opened by the parent); when
 * the plan is freed every task still in them (grandchildren that left the process
 * group included) is killed and the cgroups removed. Best effort: without a
 * writable cgroup with the controller the plan says so in its "not enforced" list. */
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

/* Our cgroup path in the controller's hierarchy (v1) or the unified one (v2). */
static int own_cgroup_path(int v2, const char *controller, char *out, size_t out_len) {
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
    int match = v2 ? (strcmp(line, "0") == 0 && c1[1] == 0) : has_token(c1 + 1, controller);
    if (match && (size_t)snprintf(out, out_len, "%s", path) < out_len) found = 0;
  }
  fclose(f);
  return found;
}

/* Mount point + mount root of the controller's v1 hierarchy or of cgroup2. */
static int cgroup_mount(int v2, const char *controller, char *mnt, size_t mnt_len, char *root, size_t root_len) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    char *sep = strstr(line, " - ");
    if (!sep) continue;
    char fstype[64], source[512], opts[1024] = "";
    if (sscanf(sep + 3, "%63s %511s %1023s", fstype, source, opts) < 2) continue;
    if (v2 ? strcmp(fstype, "cgroup2") != 0 : (strcmp(fstype, "cgroup") != 0 || !has_token(opts, controller)))
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

/* The directory under which we may create a child cgroup with `controller`. */
static int parent_dir(const char *controller, char *out, size_t out_len, int *is_v2) {
  for (int v2 = 0; v2 <= 1; v2++) {
    char path[1024], mnt[1024], root[1024];
    if (own_cgroup_path(v2, controller, path, sizeof path) != 0 ||
        cgroup_mount(v2, controller, mnt, sizeof mnt, root, sizeof root) != 0)
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
      int ok = fgets(buf, sizeof buf, f) && has_token(buf, controller);
      fclose(f);
      if (!ok) continue;
    }
    if (access(out, W_OK) == 0) {
      *is_v2 = v2;
      return 0;
    }
  }
  return -1;
}

/* The per-run cgroup directory for `controller`, shared with an earlier one under
 * the same parent (v2); -1 when there is no writable one. */
static int run_cgroup(struct x07_sandbox_plan *plan, const char *controller, int *is_v2) {
  static unsigned counter;
  char parent[1024];
  if (parent_dir(controller, parent, sizeof parent, is_v2) != 0) return -1;
  size_t pl = strlen(parent);
  for (int i = 0; i < plan->cgroups_len; i++) {
    const char *d = plan->cgroups[i].dir;
    if (strncmp(d, parent, pl) == 0 && d[pl] == '/' && !strchr(d + pl + 1, '/')) return i;
  }
  if (plan->cgroups_len == 2) return -1;
  char *dir = plan->cgroups[plan->cgroups_len].dir;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  if ((size_t)snprintf(dir, sizeof plan->cgroups[0].dir, "%s/x07-sandbox-%d-%u-%ld", parent, (int)getpid(),
                       __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), (long)ts.tv_nsec) >= sizeof plan->cgroups[0].dir ||
      mkdir(dir, 0700) != 0) {
    dir[0] = 0;
    return -1;
  }
  char file[1200];
  snprintf(file, sizeof file, "%s/cgroup.procs", dir);
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    rmdir(dir);
    dir[0] = 0;
    return -1;
  }
  plan->cgroups[plan->cgroups_len].procs_fd = fd;
  return plan->cgroups_len++;
}

static int write_limit(const char *dir, const char *file, uint64_t value) {
  char path[1200], text[32];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  snprintf(text, sizeof text, "%llu", (unsigned long long)value);
  return write_text(path, text);
}

int x07_sb_prepare_cgroup(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  const int want_pids = cfg->procs != X07_SANDBOX_LIMIT_UNSET, want_mem = cfg->mem_bytes != X07_SANDBOX_LIMIT_UNSET;
  if ((!want_pids && !want_mem) || geteuid() != 0 || !(cfg->proc_enabled && cfg->allow_spawn)) return 0;
  if (cfg->in_process) {
    x07_sb_append(plan->skipped, sizeof plan->skipped,
                  "limits.procs and limits.mem_bytes per tree (in-process sandbox as uid 0: no cgroups)");
    return 0;
  }
  int v2 = 0;
  if (want_pids) {
    int i = run_cgroup(plan, "pids", &v2);
    if (i >= 0 && write_limit(plan->cgroups[i].dir, "pids.max", cfg->procs ? cfg->procs : 1) == 0)
      plan->procs_cgroup = 1;
    else
      x07_sb_append(plan->skipped, sizeof plan->skipped, "limits.procs (no writable pids cgroup; uid 0 ignores nproc)");
  }
  if (want_mem) {
    int i = run_cgroup(plan, "memory", &v2);
    const char *dir = i >= 0 ? plan->cgroups[i].dir : NULL;
    if (dir && write_limit(dir, v2 ? "memory.max" : "memory.limit_in_bytes", cfg->mem_bytes) == 0) {
      /* no swapping past the limit (the files are missing without swap accounting) */
      if (v2) write_limit(dir, "memory.swap.max", 0);
      else write_limit(dir, "memory.memsw.limit_in_bytes", cfg->mem_bytes);
      plan->mem_cgroup = 1;
      plan->mem_cgroup_index = i;
      plan->mem_v2 = v2;
    } else {
      x07_sb_append(plan->skipped, sizeof plan->skipped,
                    "limits.mem_bytes per process tree (no writable memory cgroup; RLIMIT_AS is per process)");
    }
  }
  return 0;
}

int x07_sb_apply_cgroup(const x07_sandbox_plan *plan) {
  if (!plan) return 0;
  for (int i = 0; i < plan->cgroups_len; i++)
    if (plan->cgroups[i].procs_fd >= 0 && write(plan->cgroups[i].procs_fd, "0", 1) != 1) return -errno;
  return 0;
}

uint64_t x07_sb_cgroup_oom_kills(const struct x07_sandbox_plan *plan) {
  if (!plan || !plan->mem_cgroup) return 0;
  char path[1200], line[256];
  snprintf(path, sizeof path, "%s/%s", plan->cgroups[plan->mem_cgroup_index].dir,
           plan->mem_v2 ? "memory.events" : "memory.oom_control");
  FILE *f = fopen(path, "re");
  unsigned long long n = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "oom_kill %llu", &n) == 1) break;
  if (f) fclose(f);
  return n;
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

static void release_one(char *dir, int *procs_fd) {
  if (*procs_fd >= 0) close(*procs_fd);
  *procs_fd = -1;
  if (!dir[0]) return;
  const char *name = strrchr(dir, '/');
  char procs[1200];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
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
    if (!any && rmdir(dir) == 0) break;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  dir[0] = 0;
}

void x07_sb_release_cgroup(struct x07_sandbox_plan *plan) {
  for (int i = 0; i < plan->cgroups_len; i++) release_one(plan->cgroups[i].dir, &plan->cgroups[i].procs_fd);
  plan->cgroups_len = 0;
}
