/* I/O helpers shared by the FS v1 modules (os_fs_io.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "os_fs_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_grow.h"
#include "os_policy.h"

int x07_fs_write_full(int fd, const uint8_t *p, uint32_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= (uint32_t)w;
  }
  return 0;
}

int x07_fs_write_path(const char *path, int flags, x07_view data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
  if (fd < 0) return errno;
  int e = x07_fs_write_full(fd, data.ptr, data.len);
  if (close(fd) != 0 && !e) e = errno;
  return e;
}

uint32_t x07_fs_open_read_capped(const char *path, uint32_t max, int *fd) {
  struct stat st;
  if (stat(path, &st) != 0) return x07_fs_map_errno(errno);
  if (S_ISDIR(st.st_mode)) return X07_FS_ERR_IS_DIR;
  if ((uint64_t)st.st_size > max) return X07_FS_ERR_TOO_LARGE;
  if ((*fd = open(path, O_RDONLY | O_CLOEXEC | x07_fs_open_extra_flags())) < 0) return x07_fs_map_errno(errno);
  return 0;
}

int x07_fs_parent_mkdirs(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return 0;
  char *parent = x07_os_strndup((const uint8_t *)path, (uint32_t)(slash - path));
  int e = x07_fs_mkdir_p(parent);
  free(parent);
  return e;
}

int x07_fs_open_atomic_tmp(const char *target, char **tmp_out) {
  size_t n = strlen(target);
  char *tmp = (char *)malloc(n + 32);
  if (!tmp) x07_trap("out of memory");
  for (unsigned k = 0; k < 100000; k++) {
    snprintf(tmp, n + 32, "%s.x07_tmp_%u", target, k);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd >= 0) {
      *tmp_out = tmp;
      return fd;
    }
    if (errno != EEXIST) break;
  }
  int e = errno;
  free(tmp);
  errno = e;
  return -1;
}

uint32_t x07_fs_read_to_end(int fd, uint32_t max, x07_fs_buf *b) {
  for (;;) {
    b->p = (uint8_t *)x07_os_grow(b->p, &b->cap, b->len + 65536, 65536);  /* room for one more read */
    ssize_t r = read(fd, b->p + b->len, b->cap - b->len);
    if (r < 0) {
      if (errno == EINTR) continue;
      return x07_fs_map_errno(errno);
    }
    if (r == 0) return 0;
    b->len += (size_t)r;
    if (b->len > max) return X07_FS_ERR_TOO_LARGE;
  }
}

/* Checks shared by writers up to (and including) creating parents. */
uint32_t x07_fs_writer_prelude(x07_view path, x07_view capsv, int append, x07_fs_caps *caps, char **p,
                               uint32_t data_len) {
  uint32_t rc = x07_fs_parse_caps(capsv, caps);
  if (!rc) rc = x07_fs_symlink_check(caps);
  const x07_os_policy *pol = x07_os_pol();
  if (!rc && (caps->flags & X07_FS_FLAG_CREATE_PARENTS) && !pol->v1_allow_mkdir) rc = X07_FS_ERR_POLICY_DENY;
  if (!rc && (caps->flags & X07_FS_FLAG_ATOMIC_WRITE))
    rc = append ? X07_FS_ERR_UNSUPPORTED : (!pol->v1_allow_rename ? X07_FS_ERR_POLICY_DENY : 0);
  if (!rc) rc = x07_fs_enforce(1, caps, path, p);
  if (!rc && data_len > x07_fs_eff_max(pol->v1_max_write, caps->max_write)) rc = X07_FS_ERR_TOO_LARGE;
  if (!rc && (caps->flags & X07_FS_FLAG_CREATE_PARENTS)) {
    int e = x07_fs_parent_mkdirs(*p);
    if (e) rc = x07_fs_map_errno(e);
  }
  if (rc) {
    free(*p);
    *p = NULL;
  }
  return rc;
}

