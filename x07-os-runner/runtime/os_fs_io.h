/* Internal: I/O helpers shared by the FS v1 modules. */
#ifndef X07_OS_FS_IO_H
#define X07_OS_FS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "os_fs_path.h"

typedef struct { uint8_t *p; size_t len, cap; } x07_fs_buf; /* malloc'd */

/* write(2) until done; returns 0 or errno. */
int x07_fs_write_full(int fd, const uint8_t *p, uint32_t n);
/* open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666), write all of data, close;
 * returns 0 or errno (the first failure). */
int x07_fs_write_path(const char *path, int flags, x07_view data);
/* Opens a regular file for reading whose size is at most max: 0 and *fd, or an FS v1
 * code (not found / is dir / too large / ...). Symlinks are refused when sandboxed. */
uint32_t x07_fs_open_read_capped(const char *path, uint32_t max, int *fd);
/* Reads fd to EOF into b; more than max bytes -> X07_FS_ERR_TOO_LARGE. */
uint32_t x07_fs_read_to_end(int fd, uint32_t max, x07_fs_buf *b);
/* mkdir -p of the parent directory of path; returns 0 or errno. */
int x07_fs_parent_mkdirs(const char *path);
/* Creates "<target>.x07_tmp_<n>" (first free n, create-new); returns the fd
 * (and *tmp_out, malloc'd) or -1 with errno set. */
int x07_fs_open_atomic_tmp(const char *target, char **tmp_out);
/* Writer checks in spec order: caps, symlink, CREATE_PARENTS vs allow_mkdir,
 * ATOMIC_WRITE vs allow_rename (append: unsupported), write-enforce, size,
 * then creates parents. On success *p is the path to write. */
uint32_t x07_fs_writer_prelude(x07_view path, x07_view capsv, int append, x07_fs_caps *caps, char **p,
                               uint32_t data_len);

#endif
