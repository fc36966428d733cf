/* Per-run write quota (fs.max_write_bytes for the whole run), a part of the mount
 * namespace layer.
 *
 * RLIMIT_FSIZE caps each file, not their number. With a quota, every write root is
 * mounted in the child's mount namespace as an overlay whose lower layer is the
 * real directory and whose upper layer lives on one tmpfs of size = quota shared
 * by all write roots: whatever the program writes (new files, files it changes,
 * which are copied up whole first) takes space there, and past the quota writes
 * fail with ENOSPC, for the runtime and for code that bypasses it alike. The child
 * hands the tmpfs to the runner (an fd over a socketpair) before exec; after the
 * run the runner carries the upper layers' changes out to the real write roots
 * (x07_sandbox_finish): files written in place (same inode), new files, dirs and
 * symlinks created, whiteouts deleted, opaque dirs emptied first. It opens the
 * real tree component by component with O_NOFOLLOW, so a symlink cannot redirect
 * it. Renaming a directory that existed before the run fails with EXDEV
 * (redirect_dir=off keeps the upper layer self-contained), and the changes become
 * visible outside only when the run ends.
 */
#include "sandbox_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define QUOTA_MAX_ROOTS 16
#define COPY_MAX_DEPTH 256

int x07_sb_prepare_quota(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  plan->quota_sock[0] = plan->quota_sock[1] = -1;
  if (!cfg->write_quota_bytes || !cfg->fs_enabled || !cfg->write_roots_len) return 0;
  if (!(plan->ns_flags & CLONE_NEWNS)) {
    x07_sb_append(plan->skipped, sizeof plan->skipped,
                  "per-run total of fs.max_write_bytes (needs the mount namespace; each file is still capped)");
    return 0;
  }
  int roots = 0;
  for (size_t i = 0; i < plan->ns_data_mounts; i++) {
    x07_sb_mount *m = &plan->ns_mounts[i];
    if (m->flags & MS_RDONLY) continue; /* a read root, or a write root on a read-only fs */
    if (roots == QUOTA_MAX_ROOTS) return -E2BIG;
    m->overlay = roots++;
  }
  if (!roots) return 0;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, plan->quota_sock) != 0) return -errno;
  uint64_t size = (cfg->write_quota_bytes + 4095) & ~(uint64_t)4095;
  snprintf(plan->quota_tmpfs_opts, sizeof plan->quota_tmpfs_opts, "size=%llu,nr_inodes=65536,mode=0700",
           (unsigned long long)size);
  plan->quota_bytes = cfg->write_quota_bytes;
  plan->quota_roots = roots;
  return 0;
}

/* ---- child side: raw syscalls only, no allocation ---- */

static char *put_str(char *p, char *end, const char *s) {
  while (*s && p < end) *p++ = *s++;
  return p;
}

static char *put_uint(char *p, char *end, unsigned v) {
  char digits[12];
  int n = 0;
  do digits[n++] = (char)('0' + v % 10); while ((v /= 10) && n < 12);
  while (n && p < end) *p++ = digits[--n];
  return p;
}

static int send_fd(int sock, int fd) {
  char byte = 'q';
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } c;
  memset(&c, 0, sizeof c);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = c.buf;
  msg.msg_controllen = sizeof c.buf;
  struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(h), &fd, sizeof fd);
  return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

static void dir_name(char *buf, char kind, int k) {
  char *p = buf;
  *p++ = kind;
  p = put_uint(p, buf + 7, (unsigned)k);
  *p = 0;
}

/* Before any mount: keep the real write roots reachable (they become the lower
 * layers), mount the tmpfs over the first one (the overlay then covers it),
 * make an upper and a work dir per root and hand the tmpfs to the runner. */
int x07_sb_quota_begin(const struct x07_sandbox_plan *plan, int *lower_fds, int *tmp_fd) {
  *tmp_fd = -1;
  const char *first = NULL;
  for (size_t i = 0; i < plan->ns_mounts_len; i++) {
    const x07_sb_mount *m = &plan->ns_mounts[i];
    if (m->overlay < 0) continue;
    lower_fds[m->overlay] = open(m->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (lower_fds[m->overlay] < 0) return -errno;
    if (!first) first = m->path;
  }
  if (mount("x07-write-quota", first, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, plan->quota_tmpfs_opts) != 0)
    return -errno;
  int t = open(first, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t < 0) return -errno;
  *tmp_fd = t;
  for (int k = 0; k < plan->quota_roots; k++) {
    char upper[8], work[8];
    dir_name(upper, 'u', k);
    dir_name(work, 'w', k);
    if (mkdirat(t, upper, 0755) != 0 || mkdirat(t, work, 0700) != 0) return -errno;
    /* the merged root shows the upper dir's owner and mode: take the real root's */
    struct stat st;
    if (fstat(lower_fds[k], &st) != 0) return -errno;
    if (fchownat(t, upper, st.st_uid, st.st_gid, 0) != 0 && errno != EPERM && errno != EINVAL) return -errno;
    if (fchmodat(t, upper, st.st_mode & 07777, 0) != 0) return -errno;
  }
  return send_fd(plan->quota_sock[1], t);
}

int x07_sb_quota_mount(const struct x07_sandbox_plan *plan, const x07_sb_mount *m, const int *lower_fds,
                       int tmp_fd) {
  char opts[256], *p = opts, *end = opts + sizeof opts - 1;
  p = put_str(p, end, "lowerdir=/proc/self/fd/");
  p = put_uint(p, end, (unsigned)lower_fds[m->overlay]);
  p = put_str(p, end, ",upperdir=/proc/self/fd/");
  p = put_uint(p, end, (unsigned)tmp_fd);
  p = put_str(p, end, "/u");
  p = put_uint(p, end, (unsigned)m->overlay);
  p = put_str(p, end, ",workdir=/proc/self/fd/");
  p = put_uint(p, end, (unsigned)tmp_fd);
  p = put_str(p, end, "/w");
  p = put_uint(p, end, (unsigned)m->overlay);
  /* no redirects (userxattr implies redirect_dir=nofollow, which also creates none) */
  p = put_str(p, end, plan->userns ? ",metacopy=off,userxattr" : ",redirect_dir=off,metacopy=off");
  *p = 0;
  if (mount("x07-write-root", m->path, "overlay", m->flags & (MS_NOEXEC | MS_NOSUID | MS_NODEV), opts) != 0)
    return -errno;
  return 0;
}

static int path_under(const char *path, const char *root) {
  size_t n = strlen(root);
  return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static int grant(const struct x07_sandbox_plan *plan, const char *path, uint64_t rights) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -errno;
  }
  if (!S_ISDIR(st.st_mode)) rights &= X07_LL_FS_FILE_RIGHTS;
  struct x07_ll_path_beneath_attr attr;
  attr.allowed_access = rights & plan->handled_fs;
  attr.parent_fd = fd;
  long r = attr.allowed_access ? syscall(X07_NR_landlock_add_rule, plan->landlock_ruleset_fd,
                                         X07_LL_RULE_PATH_BENEATH, &attr, 0)
                               : 0;
  int e = errno;
  close(fd);
  return r == 0 ? 0 : -e;
}

int x07_sb_quota_landlock(const struct x07_sandbox_plan *plan) {
  if (!plan->quota_roots || plan->landlock_abi <= 0 || plan->landlock_ruleset_fd < 0) return 0;
  for (size_t i = 0; i < plan->ns_mounts_len; i++) {
    const x07_sb_mount *m = &plan->ns_mounts[i];
    int r = 0;
    if (m->overlay >= 0) {
      r = grant(plan, m->path, X07_LL_RIGHTS_WRITE);
    } else if (i >= plan->ns_data_mounts) { /* an executable re-granted inside a root */
      for (size_t j = 0; j < plan->ns_data_mounts && !r; j++)
        if (plan->ns_mounts[j].overlay >= 0 && path_under(m->path, plan->ns_mounts[j].path))
          r = grant(plan, m->path, X07_LL_RIGHTS_EXEC | X07_LL_FS_READ_DIR);
    }
    if (r) return r;
  }
  return 0;
}

/* ---- parent side, after the run: carry the upper layers out ---- */

typedef struct copy_ctx {
  const char *xattr_opaque;
  int err;          /* first error (-errno) */
  char where[256];  /* and the entry it happened on */
} copy_ctx;

static void fail(copy_ctx *c, int e, const char *name) {
  if (!c->err) {
    c->err = e ? -e : -EIO;
    snprintf(c->where, sizeof c->where, "%s", name);
  }
}

static int remove_tree(int dir, const char *name, int depth) {
  if (unlinkat(dir, name, 0) == 0 || errno == ENOENT) return 0;
  if ((errno != EISDIR && errno != EPERM) || depth > COPY_MAX_DEPTH) return -errno;
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -errno;
  }
  struct dirent *e;
  int r = 0;
  while (!r && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) r = remove_tree(fd, e->d_name, depth + 1);
  }
  closedir(d);
  if (!r && unlinkat(dir, name, AT_REMOVEDIR) != 0) r = -errno;
  return r;
}

static int copy_bytes(int from, int to) {
  for (;;) {
    ssize_t n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
    if (n == 0) return 0;
    if (n > 0) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) return -errno;
    char buf[65536];
    for (;;) { /* plain copy from where copy_file_range stopped */
      ssize_t r = read(from, buf, sizeof buf);
      if (r == 0) return 0;
      if (r < 0) return -errno;
      for (ssize_t off = 0; off < r;) {
        ssize_t w = write(to, buf + off, (size_t)(r - off));
        if (w < 0) return -errno;
        off += w;
      }
    }
  }
}

static void copy_dir(copy_ctx *c, int up, int real, int depth);

/* An opaque upper dir replaces the real one's content: remove what it does not hold. */
static void clear_for_opaque(copy_ctx *c, int up, int real) {
  int fd = dup(real);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0) close(fd);
    fail(c, errno, ".");
    return;
  }
  struct dirent *e;
  struct stat st;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (fstatat(up, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
    int r = remove_tree(real, e->d_name, 0);
    if (r) fail(c, -r, e->d_name);
  }
  closedir(d);
}

static void copy_entry(copy_ctx *c, int up, int real, const char *name, int depth) {
  struct stat st, cur;
  if (fstatat(up, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return fail(c, errno, name);
  const int exists = fstatat(real, name, &cur, AT_SYMLINK_NOFOLLOW) == 0;
  const mode_t mode = st.st_mode & 0777;
  if (S_ISCHR(st.st_mode) && st.st_rdev == 0) { /* whiteout: deleted during the run */
    int r = remove_tree(real, name, 0);
    if (r) fail(c, -r, name);
  } else if (S_ISDIR(st.st_mode)) {
    if (exists && !S_ISDIR(cur.st_mode)) {
      int r = remove_tree(real, name, 0);
      if (r) return fail(c, -r, name);
    }
    if (mkdirat(real, name, mode) != 0 && errno != EEXIST) return fail(c, errno, name);
    int u = openat(up, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = openat(real, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (u >= 0 && r >= 0) {
      copy_dir(c, u, r, depth + 1);
      if (fchmod(r, st.st_mode & 01777) != 0) fail(c, errno, name);
    } else {
      fail(c, errno, name);
    }
    if (u >= 0) close(u);
    if (r >= 0) close(r);
  } else if (S_ISREG(st.st_mode)) {
    if (exists && !S_ISREG(cur.st_mode)) {
      int r = remove_tree(real, name, 0);
      if (r) return fail(c, -r, name);
    }
    int in = openat(up, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    /* in place (O_TRUNC keeps the inode and its other hard links) */
    int out = openat(real, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (in < 0 || out < 0) {
      fail(c, errno, name);
    } else {
      int r = copy_bytes(in, out);
      if (r) fail(c, -r, name);
      struct timespec times[2] = {st.st_atim, st.st_mtim};
      if (fchmod(out, mode) != 0 || futimens(out, times) != 0) fail(c, errno, name);
    }
    if (in >= 0) close(in);
    if (out >= 0) close(out);
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(up, name, target, sizeof target - 1);
    if (n < 0) return fail(c, errno, name);
    target[n] = 0;
    int r = exists ? remove_tree(real, name, 0) : 0;
    if (r) return fail(c, -r, name);
    if (symlinkat(target, real, name) != 0) fail(c, errno, name);
  } else if (S_ISFIFO(st.st_mode)) {
    int r = exists ? remove_tree(real, name, 0) : 0;
    if (r) return fail(c, -r, name);
    if (mkfifoat(real, name, mode) != 0) fail(c, errno, name);
  } /* sockets and devices are not carried out */
}

static void copy_dir(copy_ctx *c, int up, int real, int depth) {
  if (depth > COPY_MAX_DEPTH) return fail(c, ELOOP, "(too deep)");
  char flag[2] = {0};
  if (fgetxattr(up, c->xattr_opaque, flag, 1) == 1 && flag[0] == 'y') clear_for_opaque(c, up, real);
  int fd = dup(up);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0) close(fd);
    return fail(c, errno, ".");
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) copy_entry(c, up, real, e->d_name, depth);
  }
  closedir(d);
}

static int recv_fd(int sock) {
  char byte;
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } cm;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cm.buf;
  msg.msg_controllen = sizeof cm.buf;
  if (recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1) return -1;
  struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
  if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(h), sizeof fd);
  return fd;
}

int x07_sandbox_finish(x07_sandbox_plan *plan, char *msg, size_t msg_len) {
  if (msg_len) msg[0] = 0;
  if (!plan || plan->quota_sock[0] < 0) return 0;
  int t = recv_fd(plan->quota_sock[0]);
  close(plan->quota_sock[0]);
  close(plan->quota_sock[1]);
  plan->quota_sock[0] = plan->quota_sock[1] = -1;
  if (t < 0) return 0; /* the child never got that far (setup failed): nothing was written */
  copy_ctx c = {plan->userns ? "user.overlay.opaque" : "trusted.overlay.opaque", 0, ""};
  for (size_t i = 0; i < plan->ns_mounts_len; i++) {
    const x07_sb_mount *m = &plan->ns_mounts[i];
    if (m->overlay < 0) continue;
    char upper[8];
    dir_name(upper, 'u', m->overlay);
    int u = openat(t, upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = open(m->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (u >= 0 && r >= 0) copy_dir(&c, u, r, 0);
    else fail(&c, errno, m->path);
    if (u >= 0) close(u);
    if (r >= 0) close(r);
  }
  close(t);
  if (c.err)
    snprintf(msg, msg_len, "carrying the run's writes out of the quota overlay failed at %s: %s", c.where,
             strerror(-c.err));
  return c.err;
}
