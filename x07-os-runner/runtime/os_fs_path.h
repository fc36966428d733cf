/* Internal: FS v1 caps parsing, path rules and canonical root containment
 * (runner.md §6.1b). */
#ifndef X07_OS_FS_PATH_H
#define X07_OS_FS_PATH_H

#include <stdint.h>

#include "x07rt.h"

enum {
  X07_FS_ERR_POLICY_DENY = 60001,
  X07_FS_ERR_DISABLED = 60002,
  X07_FS_ERR_BAD_PATH = 60003,
  X07_FS_ERR_BAD_CAPS = 60004,
  X07_FS_ERR_BAD_HANDLE = 60005,
  X07_FS_ERR_NOT_FOUND = 60010,
  X07_FS_ERR_ALREADY_EXISTS = 60011,
  X07_FS_ERR_NOT_DIR = 60012,
  X07_FS_ERR_IS_DIR = 60013,
  X07_FS_ERR_PERMISSION = 60014,
  X07_FS_ERR_IO = 60015,
  X07_FS_ERR_TOO_LARGE = 60016,
  X07_FS_ERR_TOO_MANY_ENTRIES = 60017,
  X07_FS_ERR_DEPTH_EXCEEDED = 60018,
  X07_FS_ERR_SYMLINK_DENIED = 60019,
  X07_FS_ERR_UNSUPPORTED = 60020,
};

enum {
  X07_FS_FLAG_ALLOW_SYMLINKS = 1,
  X07_FS_FLAG_ALLOW_HIDDEN = 2,
  X07_FS_FLAG_CREATE_PARENTS = 4,
  X07_FS_FLAG_OVERWRITE = 8,
  X07_FS_FLAG_ATOMIC_WRITE = 16,
};

typedef struct {
  uint32_t max_read, max_write, max_entries, max_depth, flags;
} x07_fs_caps;

/* FsCapsV1: exactly 24 bytes, version 1; else X07_FS_ERR_BAD_CAPS. */
uint32_t x07_fs_parse_caps(x07_view caps, x07_fs_caps *out);
/* caps value 0 means "policy value"; otherwise the smaller of both. */
uint32_t x07_fs_eff_max(uint32_t policy_max, uint32_t caps_max);
/* ALLOW_SYMLINKS requested while the policy forbids symlinks -> 60019, else 0. */
uint32_t x07_fs_symlink_check(const x07_fs_caps *c);
/* Whether symlinks may be followed (caps flag and policy). */
int x07_fs_follow_symlinks(const x07_fs_caps *c);

/* Path enforcement for reading (write=0, read roots) or writing (write=1).
 * On success *out is a malloc'd path to operate on (canonical absolute when
 * sandboxed, the cleaned path as given otherwise) and 0 is returned. */
uint32_t x07_fs_enforce(int write, const x07_fs_caps *c, x07_view path, char **out);
/* Whether an absolute canonical path lies under one of the (read or write) roots. */
int x07_fs_under_roots(int write, const char *abs);

/* errno -> FS v1 code (not found, exists, permission, unsupported, else io). */
uint32_t x07_fs_map_errno(int e);
/* mkdir -p; returns 0 or an errno value. */
int x07_fs_mkdir_p(const char *path);
/* Whether bytes are valid UTF-8. */
int x07_fs_utf8_valid(const uint8_t *p, uint32_t n);
/* Open flags to add for final-component opens (O_NOFOLLOW when sandboxed). */
int x07_fs_open_extra_flags(void);

#endif
