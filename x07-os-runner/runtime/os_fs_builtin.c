/* Built-in os.fs.read_file / os.fs.write_file (runner.md §6.1a): trap-style
 * denials, root-prefix joining without canonicalization. As defence in depth
 * the sandboxed variant also refuses a joined path whose canonical form leaves
 * the root (symlink escapes); upstream followed such links freely. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_fs_io.h"
#include "os_grow.h"
#include "os_policy.h"
#include "x07rt_os.h"
#include "x07rt_mem.h"

/* "x07: refused value: <path> (<why>)" on stderr (read by the runner for trap_help), then
 * the upstream trap text "<op> unsafe path". */
static _Noreturn void refuse_path(const char *op, const uint8_t *p, uint32_t n, const char *why) {
  char msg[64];
  x07_write_all(2, "x07: refused value: ", 20);
  x07_write_all(2, p, n > 512 ? 512 : n);
  x07_write_all(2, " (", 2);
  x07_write_all(2, why, strlen(why));
  x07_write_all(2, ")\n", 2);
  snprintf(msg, sizeof msg, "%s unsafe path", op);
  x07_trap(msg);
}

/* An absolute path that is safe apart from its leading '/': the roots decide. */
static int safe_absolute(x07_bytes path) {
  return path.len > 1 && path.ptr[0] == '/' && x07_os_safe_relative(path.ptr + 1, path.len - 1);
}

/* The sandboxed checks of both built-ins, before any root is tried; `op` names the
 * builtin in the trap texts ("os.fs.read_file unsafe path"). */
static void check_sandboxed_path(const x07_os_policy *pol, x07_bytes path, const char *op) {
  char msg[64];
  if (!pol->fs_enabled) x07_trap("os.fs disabled by policy");
  if (pol->threads_max_blocking == 0) x07_trap("os.threads.blocking disabled by policy");
  if (!x07_os_safe_relative(path.ptr, path.len) && !safe_absolute(path))
    refuse_path(op, path.ptr, path.len, "'..', '.', empty or .x07_ segments are not allowed");
  if (pol->deny_hidden && x07_os_has_hidden_segment(path.ptr, path.len)) {
    snprintf(msg, sizeof msg, "%s hidden path denied", op);
    x07_trap(msg);
  }
}

/* `p` made absolute against the working directory, "./" prefixes and trailing '/' dropped. */
static char *absolute_of(const char *p, const char *cwd) {
  while (p[0] == '.' && p[1] == '/') p += 2;
  size_t n = strlen(p) + strlen(cwd) + 2;
  char *out = (char *)malloc(n);
  if (!out) x07_trap("out of memory");
  if (p[0] == '/') snprintf(out, n, "%s", p);
  else snprintf(out, n, "%s/%s", cwd, p);
  size_t l = strlen(out);
  while (l > 1 && out[l - 1] == '/') out[--l] = 0;
  return out;
}

/* root + "/" + rel, stripping "<root>/" from the path when it is already there. A path
 * that names a place inside the root — absolute, or relative to the working directory,
 * however the root is spelled ("out", "./out/", "$PWD/out") — means that place, so
 * `--allow-write-root $PWD/out` and `--allow-write-root out` behave the same. NULL: an
 * absolute path outside this root. */
static char *join_root(const char *root, const char *path) {
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd)) {
    char *ar = absolute_of(root, cwd), *ap = absolute_of(path, cwd);
    size_t al = strlen(ar);
    const char *inside = NULL;
    if (al == 1) inside = ap + 1;
    else if (strncmp(ap, ar, al) == 0 && ap[al] == '/') inside = ap + al + 1;
    char *out = NULL;
    if (inside) {
      size_t n = strlen(root) + strlen(inside) + 2;
      out = (char *)malloc(n);
      if (!out) x07_trap("out of memory");
      size_t rl = strlen(root);
      snprintf(out, n, "%s%s%s", root, rl > 0 && root[rl - 1] == '/' ? "" : "/", inside);
    }
    free(ar);
    free(ap);
    if (out || path[0] == '/') return out;
  } else if (path[0] == '/') {
    return NULL;
  }
  size_t rl = strlen(root);
  size_t tl = rl;
  while (tl > 0 && root[tl - 1] == '/') tl--;
  const char *rel = path;
  if (tl > 0 && strncmp(path, root, tl) == 0 && path[tl] == '/') rel = path + tl + 1;
  int need_slash = !(rl > 0 && (root[rl - 1] == '/' || root[rl - 1] == '\\'));
  size_t n = rl + strlen(rel) + 2;
  char *out = (char *)malloc(n);
  if (!out) x07_trap("out of memory");
  snprintf(out, n, "%s%s%s", root, need_slash ? "/" : "", rel);
  return out;
}

/* Whether `joined` (existing or not) stays under `root` after resolving links.
 * A path whose parent does not resolve is let through: opening it fails anyway
 * (nothing is created through a missing directory). */
static int stays_under_root(const char *root, const char *joined) {
  char *rr = realpath(root, NULL);
  if (!rr) return 1; /* missing root: the open fails */
  char *pr = realpath(joined, NULL);
  if (!pr) {
    struct stat st;
    if (lstat(joined, &st) == 0) { /* exists but does not resolve: dangling or looping link */
      free(rr);
      return 0;
    }
    /* not existing yet: check its parent directory */
    const char *slash = strrchr(joined, '/');
    char *parent = slash ? x07_os_strndup((const uint8_t *)joined, (uint32_t)(slash - joined)) : NULL;
    pr = parent ? realpath(parent, NULL) : NULL;
    free(parent);
    if (!pr) {
      free(rr);
      return 1;
    }
  }
  int ok = 0;
  if (pr) {
    size_t rl = strlen(rr);
    ok = (rl == 1) || (strncmp(pr, rr, rl) == 0 && (pr[rl] == 0 || pr[rl] == '/'));
  }
  free(rr);
  free(pr);
  return ok;
}

static x07_bytes read_fd_all(int fd, const char *what_path) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    x07_trap("os.fs.read_file seek failed");
  }
  if ((uint64_t)st.st_size > 0xFFFFFFFFull) {
    close(fd);
    x07_trap("os.fs.read_file file too large");
  }
  size_t cap = st.st_size > 0 ? (size_t)st.st_size : 4096, len = 0;
  uint8_t *buf = (uint8_t *)malloc(cap);
  if (!buf) x07_trap("out of memory");
  for (;;) {
    buf = (uint8_t *)x07_os_grow(buf, &cap, len + 1, cap);
    ssize_t r = read(fd, buf + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      close(fd);
      x07_trap_path("os.fs.read_file short read", what_path);
    }
    if (r == 0) break;
    len += (size_t)r;
    if (len > 0xFFFFFFFFull) x07_trap("os.fs.read_file file too large");
  }
  close(fd);
  x07_bytes out = x07_bytes_from(buf, (uint32_t)len);
  free(buf);
  return out;
}

x07_bytes x07_os_fs_read_file(x07_bytes path) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->sandboxed) {
    if (memchr(path.ptr, 0, path.len)) x07_trap("os.fs.read_file path contains NUL");
    char *p = x07_os_strndup(path.ptr, path.len);
    x07_bytes_drop(path);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) x07_trap_path("os.fs.read_file open failed", p);
    x07_bytes out = read_fd_all(fd, p);
    free(p);
    return out;
  }
  check_sandboxed_path(pol, path, "os.fs.read_file");
  char *p = x07_os_strndup(path.ptr, path.len);
  x07_bytes_drop(path);
  char *last = NULL;
  int matched = 0;
  for (uint32_t i = 0; i < pol->fs_read_roots.count; i++) {
    char *joined = join_root(pol->fs_read_roots.items[i], p);
    if (!joined) continue;
    matched = 1;
    free(last);
    last = joined;
    if (!stays_under_root(pol->fs_read_roots.items[i], last)) continue;
    int fd = open(last, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      x07_bytes out = read_fd_all(fd, last);
      free(last);
      free(p);
      return out;
    }
  }
  if (!matched && p[0] == '/') refuse_path("os.fs.read_file", (const uint8_t *)p, (uint32_t)strlen(p), "absolute path outside fs.read_roots");
  if (last) x07_trap_path("os.fs.read_file open failed", last);
  x07_trap("os.fs.read_file open failed");
}

uint32_t x07_os_fs_write_file(x07_bytes path, x07_bytes data) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->sandboxed) {
    if (memchr(path.ptr, 0, path.len)) x07_trap("os.fs.write_file path contains NUL");
    char *p = x07_os_strndup(path.ptr, path.len);
    int rc = x07_fs_write_path(p, O_TRUNC, x07_bytes_view(data));
    free(p);
    x07_bytes_drop(path);
    x07_bytes_drop(data);
    return (uint32_t)rc;
  }
  check_sandboxed_path(pol, path, "os.fs.write_file");
  char *p = x07_os_strndup(path.ptr, path.len);
  int rc = 13; /* EACCES when no root is configured */
  int matched = 0;
  for (uint32_t i = 0; i < pol->fs_write_roots.count; i++) {
    char *joined = join_root(pol->fs_write_roots.items[i], p);
    if (!joined) continue;
    matched = 1;
    if (!stays_under_root(pol->fs_write_roots.items[i], joined)) {
      rc = 13;
      free(joined);
      continue;
    }
    rc = x07_fs_write_path(joined, O_TRUNC | O_NOFOLLOW, x07_bytes_view(data));
    free(joined);
    if (rc == 0) break;
  }
  if (!matched && p[0] == '/') refuse_path("os.fs.write_file", (const uint8_t *)p, (uint32_t)strlen(p), "absolute path outside fs.write_roots");
  free(p);
  x07_bytes_drop(path);
  x07_bytes_drop(data);
  return (uint32_t)rc;
}
