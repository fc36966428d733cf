/* FS v1 whole-file operations: read_all, write_all (atomic), append_all, mkdirs,
 * remove_file, remove_dir_all, rename, stat (runner.md §6.1b, checks in the
 * documented order; a denial returns before anything touches the disk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_fs_io.h"
#include "os_fs_path.h"
#include "os_policy.h"
#include "x07rt_os.h"

/* The builtins own their bytes arguments: drop them once the operation is done. */
#define X07_DROP2(a, b) do { x07_bytes_drop(a); x07_bytes_drop(b); } while (0)

/* ---------- read_all_v1 ---------- */

static x07_res_bytes read_all(x07_view path, x07_view capsv) {
  x07_fs_caps caps;
  uint32_t rc = x07_fs_parse_caps(capsv, &caps);
  char *p = NULL;
  /* runner.md §6.1b: read_all enforces before the symlink check (every other call checks first) */
  if (!rc) rc = x07_fs_enforce(0, &caps, path, &p);
  if (!rc) rc = x07_fs_symlink_check(&caps);
  if (rc) {
    free(p);
    return x07_res_bytes_err(rc);
  }
  uint32_t max = x07_fs_eff_max(x07_os_pol()->v1_max_read, caps.max_read);
  int fd = -1;
  rc = x07_fs_open_read_capped(p, max, &fd);
  free(p);
  if (rc) return x07_res_bytes_err(rc);
  x07_fs_buf buf = {0, 0, 0};
  rc = x07_fs_read_to_end(fd, max, &buf);
  close(fd);
  if (rc) {
    free(buf.p);
    return x07_res_bytes_err(rc);
  }
  x07_bytes out = x07_bytes_from(buf.p, buf.len);
  free(buf.p);
  return x07_res_bytes_ok(out);
}

x07_res_bytes x07_os_fs_read_all_v1(x07_bytes path, x07_bytes caps) {
  x07_res_bytes r = read_all(x07_bytes_view(path), x07_bytes_view(caps));
  X07_DROP2(path, caps);
  return r;
}

/* ---------- write_all_v1 / append_all_v1 ---------- */

static x07_res_i32 write_all(x07_view path, x07_view data, x07_view capsv) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_writer_prelude(path, capsv, 0, &caps, &p, data.len);
  if (rc) return x07_res_i32_err(rc);
  struct stat st;
  if (!(caps.flags & X07_FS_FLAG_OVERWRITE) && stat(p, &st) == 0) {
    free(p);
    return x07_res_i32_err(S_ISDIR(st.st_mode) ? X07_FS_ERR_IS_DIR : X07_FS_ERR_ALREADY_EXISTS);
  }
  if (caps.flags & X07_FS_FLAG_ATOMIC_WRITE) {
    char *tmp = NULL;
    int fd = x07_fs_open_atomic_tmp(p, &tmp);
    if (fd < 0) rc = x07_fs_map_errno(errno);
    else {
      int e = x07_fs_write_full(fd, data.ptr, data.len);
      if (!e && fsync(fd) != 0) e = errno;
      if (close(fd) != 0 && !e) e = errno;
      if (!e && rename(tmp, p) != 0) e = errno;
      if (e) {
        unlink(tmp);
        rc = x07_fs_map_errno(e);
      }
      free(tmp);
    }
  } else {
    int e = x07_fs_write_path(p, O_TRUNC | x07_fs_open_extra_flags(), data);
    if (e) rc = x07_fs_map_errno(e);
  }
  free(p);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(data.len);
}

x07_res_i32 x07_os_fs_write_all_v1(x07_bytes path, x07_bytes data, x07_bytes caps) {
  x07_res_i32 r = write_all(x07_bytes_view(path), x07_bytes_view(data), x07_bytes_view(caps));
  X07_DROP2(path, caps);
  x07_bytes_drop(data);
  return r;
}

static x07_res_i32 append_all(x07_view path, x07_view data, x07_view capsv) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_writer_prelude(path, capsv, 1, &caps, &p, data.len);
  if (rc) return x07_res_i32_err(rc);
  struct stat st;
  if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = X07_FS_ERR_IS_DIR;
  } else {
    int e = x07_fs_write_path(p, O_APPEND | x07_fs_open_extra_flags(), data);
    if (e) rc = x07_fs_map_errno(e);
  }
  free(p);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(data.len);
}

x07_res_i32 x07_os_fs_append_all_v1(x07_bytes path, x07_bytes data, x07_bytes caps) {
  x07_res_i32 r = append_all(x07_bytes_view(path), x07_bytes_view(data), x07_bytes_view(caps));
  X07_DROP2(path, caps);
  x07_bytes_drop(data);
  return r;
}

/* ---------- mkdirs / remove / rename ---------- */

/* caps -> policy flag -> symlink check -> write-enforce. */
static uint32_t mutate_prelude(x07_view path, x07_view capsv, int allowed, char **p) {
  x07_fs_caps caps;
  uint32_t rc = x07_fs_parse_caps(capsv, &caps);
  if (!rc && !allowed) rc = X07_FS_ERR_POLICY_DENY;
  if (!rc) rc = x07_fs_symlink_check(&caps);
  if (!rc) rc = x07_fs_enforce(1, &caps, path, p);
  return rc;
}

x07_res_i32 x07_os_fs_mkdirs_v1(x07_bytes path, x07_bytes caps) {
  char *p = NULL;
  uint32_t rc = mutate_prelude(x07_bytes_view(path), x07_bytes_view(caps), x07_os_pol()->v1_allow_mkdir, &p);
  if (!rc) {
    int e = x07_fs_mkdir_p(p);
    if (e) rc = x07_fs_map_errno(e);
  }
  free(p);
  X07_DROP2(path, caps);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(1);
}

x07_res_i32 x07_os_fs_remove_file_v1(x07_bytes path, x07_bytes caps) {
  char *p = NULL;
  uint32_t rc = mutate_prelude(x07_bytes_view(path), x07_bytes_view(caps), x07_os_pol()->v1_allow_remove, &p);
  struct stat st;
  if (!rc) {
    if (lstat(p, &st) != 0) rc = x07_fs_map_errno(errno);
    else if (S_ISDIR(st.st_mode)) rc = X07_FS_ERR_IS_DIR;
    else if (unlink(p) != 0) rc = x07_fs_map_errno(errno);
  }
  free(p);
  X07_DROP2(path, caps);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(1);
}

/* Removes a directory tree without following symlinks; returns 0 or errno. */
static int remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (!d) return errno;
  int err = 0;
  struct dirent *e;
  while (!err && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    size_t n = strlen(path) + strlen(e->d_name) + 2;
    char *child = (char *)malloc(n);
    if (!child) x07_trap("out of memory");
    snprintf(child, n, "%s/%s", path, e->d_name);
    struct stat st;
    if (lstat(child, &st) != 0) err = errno;
    else if (S_ISDIR(st.st_mode)) err = remove_tree(child);
    else if (unlink(child) != 0) err = errno;
    free(child);
  }
  closedir(d);
  if (!err && rmdir(path) != 0) err = errno;
  return err;
}

x07_res_i32 x07_os_fs_remove_dir_all_v1(x07_bytes path, x07_bytes caps) {
  char *p = NULL;
  uint32_t rc = mutate_prelude(x07_bytes_view(path), x07_bytes_view(caps), x07_os_pol()->v1_allow_remove, &p);
  struct stat st;
  if (!rc) {
    if (lstat(p, &st) != 0) rc = x07_fs_map_errno(errno);
    else if (!S_ISDIR(st.st_mode)) rc = X07_FS_ERR_NOT_DIR;
    else {
      int e = remove_tree(p);
      if (e) rc = x07_fs_map_errno(e);
    }
  }
  free(p);
  X07_DROP2(path, caps);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(1);
}

x07_res_i32 x07_os_fs_rename_v1(x07_bytes src, x07_bytes dst, x07_bytes caps) {
  char *ps = NULL, *pd = NULL;
  uint32_t rc = mutate_prelude(x07_bytes_view(src), x07_bytes_view(caps), x07_os_pol()->v1_allow_rename, &ps);
  if (!rc) {
    x07_fs_caps c;
    x07_fs_parse_caps(x07_bytes_view(caps), &c);
    rc = x07_fs_enforce(1, &c, x07_bytes_view(dst), &pd);
  }
  if (!rc && rename(ps, pd) != 0) rc = x07_fs_map_errno(errno);
  free(ps);
  free(pd);
  X07_DROP2(src, dst);
  x07_bytes_drop(caps);
  return rc ? x07_res_i32_err(rc) : x07_res_i32_ok(1);
}

/* ---------- stat_v1 ---------- */

x07_res_bytes x07_os_fs_stat_v1(x07_bytes path, x07_bytes capsb) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_parse_caps(x07_bytes_view(capsb), &caps);
  if (!rc) rc = x07_fs_symlink_check(&caps);
  if (!rc) rc = x07_fs_enforce(0, &caps, x07_bytes_view(path), &p);
  X07_DROP2(path, capsb);
  if (rc) {
    free(p);
    return x07_res_bytes_err(rc);
  }
  struct stat st;
  uint32_t kind = 0, size = 0, mtime = 0;
  if (lstat(p, &st) != 0) {
    int e = errno;
    if (e != ENOENT && e != ENOTDIR) {
      free(p);
      return x07_res_bytes_err(x07_fs_map_errno(e));
    }
  } else {
    kind = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : S_ISLNK(st.st_mode) ? 3 : 4;
    if (kind == 1) size = (uint64_t)st.st_size > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)st.st_size;
    if (st.st_mtime > 0) mtime = (uint64_t)st.st_mtime > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)st.st_mtime;
  }
  free(p);
  x07_bytes out = x07_bytes_new(16);
  x07_wr_u32le(out.ptr, 1);
  x07_wr_u32le(out.ptr + 4, kind);
  x07_wr_u32le(out.ptr + 8, size);
  x07_wr_u32le(out.ptr + 12, mtime);
  return x07_res_bytes_ok(out);
}
