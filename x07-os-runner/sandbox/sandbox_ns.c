/* Namespaces, a layer under Landlock and seccomp.
 *
 * As uid 0 with CAP_SYS_ADMIN they are created directly; as any other user in a
 * new user namespace (where the kernel allows unprivileged ones) that maps only
 * the runner's own uid and gid, so the program is not root in it and loses the
 * namespace's capabilities at exec (they are also dropped before).
 * The child is created in a new pid (and user) namespace by the caller's
 * clone(x07_sandbox_clone_flags(plan)) and enters new ipc, uts and mount
 * namespaces (and a new, empty network namespace when the policy turns
 * networking off) in x07_sandbox_apply. In the mount namespace the
 * read roots are re-mounted read-only and every fs root noexec/nosuid/nodev,
 * so the dynamic loader cannot map code from data the program can read or
 * write; executables the policy allows that lie inside a root (the program,
 * allowed execs, their interpreters, FFI libraries) are bound over themselves
 * again without noexec. So are the system library directories when they lie in a
 * read-only root: the loader maps libc and FFI libraries (-lz, -lssl) from there,
 * and they are code the program cannot change. Mount propagation to the host is
 * cut first (slave). */
#include "sandbox_internal.h"
#include "sandbox_paths.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA_FLAGS (MS_NOEXEC | MS_NOSUID | MS_NODEV)

static int path_under(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return 1;
  return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static int add_mount(struct x07_sandbox_plan *plan, const char *path, unsigned long flags) {
  for (size_t i = 0; i < plan->ns_mounts_len; i++) {
    if (strcmp(plan->ns_mounts[i].path, path) == 0) {
      /* a path that is both a read and a write root keeps the wider grant */
      if (!(flags & MS_RDONLY)) plan->ns_mounts[i].flags &= ~(unsigned long)MS_RDONLY;
      return 0;
    }
  }
  x07_sb_mount *grown = realloc(plan->ns_mounts, (plan->ns_mounts_len + 1) * sizeof *grown);
  if (!grown) return -ENOMEM;
  plan->ns_mounts = grown;
  x07_sb_mount *m = &plan->ns_mounts[plan->ns_mounts_len++];
  m->path = strdup(path);
  m->flags = flags;
  m->overlay = -1;
  return m->path ? 0 : -ENOMEM;
}

/* Roots, resolved (symlinks followed) and existing; others are skipped as Landlock does. */
static int add_roots(struct x07_sandbox_plan *plan, const char *cwd, const char *const *roots, size_t n,
                     unsigned long flags) {
  for (size_t i = 0; i < n; i++) {
    char abs_path[X07_SB_PATH_MAX], real[X07_SB_PATH_MAX];
    if (x07_sb_absolute(cwd, roots[i], abs_path, sizeof abs_path) != 0) continue;
    if (!realpath(abs_path, real)) continue;
    int r = add_mount(plan, real, flags);
    if (r) return r;
  }
  return 0;
}

/* An executable (plus its interpreter chain) inside a data root gets its exec back. */
static int add_exec(struct x07_sandbox_plan *plan, size_t data_roots, const char *cwd, const char *path) {
  char cur[X07_SB_PATH_MAX];
  if (x07_sb_absolute(cwd, path, cur, sizeof cur) != 0) return 0;
  int elf_interp = 0; /* `cur` is an ELF's PT_INTERP: the kernel loads it as is */
  for (int depth = 0; depth < 4; depth++) {
    char real[X07_SB_PATH_MAX], interp[X07_SB_PATH_MAX];
    if (!realpath(cur, real)) return 0;
    for (size_t i = 0; i < data_roots; i++) {
      if (path_under(real, plan->ns_mounts[i].path)) {
        int r = add_mount(plan, real, (plan->ns_mounts[i].flags & MS_RDONLY) | MS_NOSUID | MS_NODEV);
        if (r) return r;
        break;
      }
    }
    if (elf_interp) return 0;
    int kind = x07_sb_memo_interpreter(&plan->interps, cur, interp, sizeof interp); /* as the Landlock pass asked */
    if (kind < 0) return 0;
    elf_interp = kind == X07_SB_INTERP_ELF;
    snprintf(cur, sizeof cur, "%s", interp);
  }
  return 0;
}

/* Where the loader finds shared libraries (also Landlock's default read grant). */
static const char *const k_system_lib_dirs[] = {
    "/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib",
};

/* A system library directory inside a read-only data root gets its exec back
 * (read-only). Inside a writable root it stays noexec: the program could plant
 * code there. Roots are sorted by length, so the last one matching is the innermost. */
static int add_system_lib_dirs(struct x07_sandbox_plan *plan, size_t data_roots) {
  for (size_t d = 0; d < sizeof k_system_lib_dirs / sizeof *k_system_lib_dirs; d++) {
    char real[X07_SB_PATH_MAX];
    if (!realpath(k_system_lib_dirs[d], real)) continue;
    x07_sb_mount *inner = NULL;
    for (size_t i = 0; i < data_roots; i++)
      if (path_under(real, plan->ns_mounts[i].path)) inner = &plan->ns_mounts[i];
    if (!inner || !(inner->flags & MS_RDONLY)) continue;
    if (strcmp(inner->path, real) == 0) { /* the root is the library directory itself */
      inner->flags &= ~(unsigned long)MS_NOEXEC;
      continue;
    }
    int r = add_mount(plan, real, MS_RDONLY | MS_NOSUID | MS_NODEV);
    if (r) return r;
  }
  return 0;
}

static int by_length(const void *a, const void *b) {
  size_t la = strlen(((const x07_sb_mount *)a)->path), lb = strlen(((const x07_sb_mount *)b)->path);
  return la < lb ? -1 : la > lb;
}

/* CAP_SYS_ADMIN in the effective set (capget, no libcap). */
static int have_sys_admin(void) {
  struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
  struct { uint32_t effective, permitted, inheritable; } data[2];
  if (syscall(SYS_capget, &hdr, data) != 0) return 0;
  return (data[0].effective >> 21) & 1; /* CAP_SYS_ADMIN = 21 */
}

int x07_sb_namespaces_available(void) { return geteuid() == 0 && have_sys_admin(); }

static int write_proc_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t len = strlen(text);
  ssize_t n = write(fd, text, len);
  int e = n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
  close(fd);
  return e;
}

/* In a fresh user namespace: map our own ids (setgroups must be denied first
 * for an unprivileged gid_map). Raw syscalls only. */
static int map_own_ids(const char *uid_map, const char *gid_map) {
  int r = write_proc_file("/proc/self/setgroups", "deny");
  if (r && r != -ENOENT) return r; /* ENOENT: kernels before 3.19 have no such file */
  if ((r = write_proc_file("/proc/self/uid_map", uid_map)) != 0) return r;
  return write_proc_file("/proc/self/gid_map", gid_map);
}

static void format_maps(char *uid_map, char *gid_map, size_t len) {
  snprintf(uid_map, len, "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
  snprintf(gid_map, len, "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
}

struct userns_probe {
  char uid_map[32], gid_map[32];
};

static int userns_probe_child(void *arg) {
  const struct userns_probe *p = arg;
  if (map_own_ids(p->uid_map, p->gid_map) != 0) return 1;
  if (unshare(CLONE_NEWNS) != 0) return 2;
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) return 3;
  return 0;
}

/* Sysctls and LSMs (Debian's unprivileged_userns_clone, max_user_namespaces,
 * Ubuntu's AppArmor restriction) decide; asking the kernel is the only sure
 * answer: a vfork-style clone into user + pid namespaces that maps its ids and
 * makes its mounts private, as the real child will (~0.1 ms, once). */
int x07_sb_userns_available(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  struct userns_probe p;
  format_maps(p.uid_map, p.gid_map, sizeof p.uid_map);
  static char stack[16384] __attribute__((aligned(16)));
  pid_t pid = clone(userns_probe_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, &p);
  int status = 0;
  if (pid < 0) {
    cached = 0;
    return 0;
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  cached = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return cached;
}

/* A bind remount must keep flags the host mount has (in a user namespace they
 * are locked, and granting writes on a read-only fs is moot anyway). */
static void keep_host_flags(struct x07_sandbox_plan *plan) {
  for (size_t i = 0; i < plan->ns_mounts_len; i++) {
    struct statvfs sv;
    if (statvfs(plan->ns_mounts[i].path, &sv) != 0) continue;
    if (sv.f_flag & ST_RDONLY) plan->ns_mounts[i].flags |= MS_RDONLY;
    if (sv.f_flag & ST_NOEXEC) plan->ns_mounts[i].flags |= MS_NOEXEC;
  }
}

int x07_sb_prepare_namespaces(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg, const char *cwd) {
  if (cfg->in_process || cfg->no_namespaces) return 0;
  if (!x07_sb_namespaces_available()) {
    if (!x07_sb_userns_available()) {
      x07_sb_append(plan->skipped, sizeof plan->skipped,
                    "namespaces need uid 0 with CAP_SYS_ADMIN or unprivileged user namespaces (refused by this "
                    "kernel): no pid/ipc/uts/mount/net namespace, fs roots not mounted noexec");
      return 0;
    }
    plan->userns = 1;
    plan->drop_caps = 1; /* the child holds every capability of its user namespace until exec */
    plan->ns_flags |= CLONE_NEWUSER;
    format_maps(plan->uid_map, plan->gid_map, sizeof plan->uid_map);
  }
  plan->ns_flags |= CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
  if (!cfg->net_enabled) {
    plan->new_net = 1;
    plan->netns_fd = plan->userns ? -1 : x07_sb_shared_netns();
    if (plan->netns_fd < 0) plan->ns_flags |= CLONE_NEWNET;
  }
  snprintf(plan->ns_cwd, sizeof plan->ns_cwd, "%s", cwd);
  int r = 0;
  if (cfg->fs_enabled) {
    r = add_roots(plan, cwd, cfg->read_roots, cfg->read_roots_len, MS_RDONLY | DATA_FLAGS);
    if (!r) r = add_roots(plan, cwd, cfg->write_roots, cfg->write_roots_len, DATA_FLAGS);
  }
  /* parents before children, so a nested root re-mounts over its parent's grant */
  if (plan->ns_mounts_len) qsort(plan->ns_mounts, plan->ns_mounts_len, sizeof *plan->ns_mounts, by_length);
  const size_t data_roots = plan->ns_mounts_len;
  if (!r && data_roots) {
    r = add_exec(plan, data_roots, cwd, cfg->artifact_path);
    for (size_t i = 0; !r && i < cfg->extra_exec_paths_len; i++)
      r = add_exec(plan, data_roots, cwd, cfg->extra_exec_paths[i]);
    for (size_t i = 0; !r && cfg->proc_enabled && cfg->allow_spawn && i < cfg->exec_paths_len; i++)
      r = add_exec(plan, data_roots, cwd, cfg->exec_paths[i]);
    for (size_t i = 0; !r && i < cfg->extra_read_paths_len; i++)
      r = add_exec(plan, data_roots, cwd, cfg->extra_read_paths[i]);
    if (!r && cfg->system_lib_paths) r = add_system_lib_dirs(plan, data_roots);
  }
  plan->ns_data_mounts = data_roots;
  keep_host_flags(plan);
  return r;
}

/* Only the pid namespace must come from clone() (unshare moves children only),
 * and the user namespace (a vfork child shares its memory, and unshare refuses
 * CLONE_NEWUSER then); x07_sandbox_apply unshares the others itself, so the
 * mounts can never land in the caller's namespace even if it forked without
 * these flags. */
unsigned long x07_sandbox_clone_flags(const x07_sandbox_plan *plan) {
  return plan ? plan->ns_flags & (CLONE_NEWPID | CLONE_NEWUSER) : 0;
}

/* Child side: ids mapped in the user namespace, new ipc/uts/mount (+net)
 * namespaces, then the mounts. Raw syscalls only. */
int x07_sb_apply_mounts(const struct x07_sandbox_plan *plan) {
  if (!(plan->ns_flags & CLONE_NEWNS)) return 0;
  if (plan->userns) {
    /* a map is written once: this fails (EPERM) unless clone() created the user namespace */
    int r = map_own_ids(plan->uid_map, plan->gid_map);
    if (r) return r;
  }
  if (unshare((int)(plan->ns_flags & ~(unsigned long)(CLONE_NEWPID | CLONE_NEWUSER))) != 0) return -errno;
  if (plan->netns_fd >= 0 && setns(plan->netns_fd, CLONE_NEWNET) != 0) return -errno;
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) return -errno;
  int lower_fds[16], tmp_fd = -1, r = 0;
  for (int k = 0; k < 16; k++) lower_fds[k] = -1;
  if (plan->quota_roots) r = x07_sb_quota_begin(plan, lower_fds, &tmp_fd);
  for (size_t i = 0; !r && i < plan->ns_mounts_len; i++) {
    const x07_sb_mount *m = &plan->ns_mounts[i];
    if (m->overlay >= 0) {
      r = x07_sb_quota_mount(plan, m, lower_fds, tmp_fd);
      continue;
    }
    if (mount(m->path, m->path, NULL, MS_BIND | MS_REC, NULL) != 0 ||
        mount(NULL, m->path, NULL, MS_BIND | MS_REMOUNT | m->flags, NULL) != 0)
      r = -errno;
  }
  if (!r && plan->quota_roots) r = x07_sb_quota_landlock(plan);
  if (plan->quota_roots) { /* the overlays hold what they need; the program gets none of these */
    for (int k = 0; k < plan->quota_roots; k++)
      if (lower_fds[k] >= 0) close(lower_fds[k]);
    if (tmp_fd >= 0) close(tmp_fd);
  }
  if (r) return r;
  /* the cwd was entered before the mounts: enter it again to see them */
  if (plan->ns_mounts_len && chdir(plan->ns_cwd) != 0) return -errno;
  return 0;
}

void x07_sb_free_mounts(struct x07_sandbox_plan *plan) {
  for (size_t i = 0; i < plan->ns_mounts_len; i++) free(plan->ns_mounts[i].path);
  free(plan->ns_mounts);
  plan->ns_mounts = NULL;
  plan->ns_mounts_len = 0;
}
