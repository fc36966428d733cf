/* FS v1 path rules and canonical containment (runner.md §6.1b).
 *
 * Sandboxed paths are made absolute against the cwd, the longest existing
 * prefix is resolved with realpath (symlinks and '..' of the filesystem), the
 * missing tail is re-appended, and the result must lie component-wise under a
 * canonical root. A missing component that nevertheless exists as a directory
 * entry (a dangling or looping symlink) is refused: creating through it could
 * land outside the roots. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "os_fs_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_grow.h"
#include "os_policy.h"

uint32_t x07_fs_parse_caps(x07_view caps, x07_fs_caps *out) {
  if (caps.len != 24 || x07_rd_u32le(caps.ptr) != 1) return X07_FS_ERR_BAD_CAPS;
  out->max_read = x07_rd_u32le(caps.ptr + 4);
  out->max_write = x07_rd_u32le(caps.ptr + 8);
  out->max_entries = x07_rd_u32le(caps.ptr + 12);
  out->max_depth = x07_rd_u32le(caps.ptr + 16);
  out->flags = x07_rd_u32le(caps.ptr + 20);
  return 0;
}

uint32_t x07_fs_eff_max(uint32_t policy_max, uint32_t caps_max) {
  if (caps_max == 0) return policy_max;
  return caps_max < policy_max ? caps_max : policy_max;
}

uint32_t x07_fs_symlink_check(const x07_fs_caps *c) {
  if ((c->flags & X07_FS_FLAG_ALLOW_SYMLINKS) && !x07_os_pol()->v1_allow_symlinks) return X07_FS_ERR_SYMLINK_DENIED;
  return 0;
}

int x07_fs_follow_symlinks(const x07_fs_caps *c) {
  return (c->flags & X07_FS_FLAG_ALLOW_SYMLINKS) && x07_os_pol()->v1_allow_symlinks;
}

int x07_fs_open_extra_flags(void) { return x07_os_pol()->sandboxed ? O_NOFOLLOW : 0; }

uint32_t x07_fs_map_errno(int e) {
  switch (e) {
    case ENOENT: return X07_FS_ERR_NOT_FOUND;
    case EEXIST: return X07_FS_ERR_ALREADY_EXISTS;
    case EACCES:
    case EPERM: return X07_FS_ERR_PERMISSION;
    case ENOTSUP:
    case ENOSYS: return X07_FS_ERR_UNSUPPORTED;
    default: return X07_FS_ERR_IO;
  }
}

int x07_fs_utf8_valid(const uint8_t *p, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    uint32_t need, cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; }
    else return 0;
    if (n - i <= need) return 0;
    for (uint32_t k = 1; k <= need; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += need + 1;
  }
  return 1;
}

/* Growable string helper. */
typedef struct { char *s; size_t len, cap; } sbuf;
static void sb_add(sbuf *b, const char *p, size_t n) {
  b->s = (char *)x07_os_grow(b->s, &b->cap, b->len + n + 1, 64);
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = 0;
}
static void sb_adds(sbuf *b, const char *p) { sb_add(b, p, strlen(p)); }

/* Parses the path per the v1 rules into a cleaned path ('.' segments dropped).
 * Returns 0 or X07_FS_ERR_BAD_PATH; *hidden set when any segment starts with '.'. */
static uint32_t parse_path(x07_view v, char **out, int *hidden) {
  if (!x07_fs_utf8_valid(v.ptr, v.len) || v.len == 0) return X07_FS_ERR_BAD_PATH;
  for (uint32_t i = 0; i < v.len; i++)
    if (v.ptr[i] == 0 || v.ptr[i] == '\\') return X07_FS_ERR_BAD_PATH;
  int abs = v.ptr[0] == '/';
  uint32_t i = abs ? 1 : 0;
  if (i >= v.len) return X07_FS_ERR_BAD_PATH;
  sbuf b = {0, 0, 0};
  if (abs) sb_adds(&b, "/");
  int nseg = 0;
  *hidden = 0;
  while (1) {
    uint32_t j = i;
    while (j < v.len && v.ptr[j] != '/') j++;
    uint32_t n = j - i;
    const char *seg = (const char *)v.ptr + i;
    if (n == 0 || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
      free(b.s);
      return X07_FS_ERR_BAD_PATH;
    }
    if (!(n == 1 && seg[0] == '.')) {
      if (seg[0] == '.') *hidden = 1;
      if (nseg > 0) sb_adds(&b, "/");
      sb_add(&b, seg, n);
      nseg++;
    }
    if (j >= v.len) break;
    i = j + 1;
  }
  if (nseg == 0) {
    free(b.s);
    return X07_FS_ERR_BAD_PATH;
  }
  *out = b.s;
  return 0;
}

static char *make_abs(const char *p) {
  sbuf b = {0, 0, 0};
  if (p[0] != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) sb_adds(&b, cwd);
    if (b.len == 0 || b.s[b.len - 1] != '/') sb_adds(&b, "/");
  }
  sb_adds(&b, p);
  return b.s;
}

/* realpath of the path, or the absolute path unchanged if that fails. */
static char *canon_best_effort(const char *p) {
  char *abs = make_abs(p);
  char *r = realpath(abs, NULL);
  if (r) {
    free(abs);
    return r;
  }
  /* drop trailing slashes so containment compares components */
  size_t n = strlen(abs);
  while (n > 1 && abs[n - 1] == '/') abs[--n] = 0;
  return abs;
}

/* Canonical form of an absolute path whose tail may not exist yet.
 * Returns NULL when a missing component is an unresolvable directory entry. */
static char *canon_existing_prefix(const char *abs) {
  size_t n = strlen(abs);
  char *cur = x07_os_strndup((const uint8_t *)abs, (uint32_t)n);
  size_t cut = n; /* cur[0..cut) is the prefix being tried */
  char *base = NULL;
  while (1) {
    cur[cut] = 0;
    base = realpath(cut ? cur : "/", NULL);
    if (base) break;
    char *slash = strrchr(cur, '/');
    if (!slash || slash == cur) {
      base = x07_os_strndup((const uint8_t *)"/", 1);
      cut = 0;
      break;
    }
    cut = (size_t)(slash - cur);
  }
  free(cur);
  sbuf b = {0, 0, 0};
  sb_adds(&b, base);
  free(base);
  const char *tail = abs + cut;
  int first = 1;
  while (*tail) {
    while (*tail == '/') tail++;
    if (!*tail) break;
    const char *e = strchr(tail, '/');
    size_t len = e ? (size_t)(e - tail) : strlen(tail);
    if (b.len == 0 || b.s[b.len - 1] != '/') sb_adds(&b, "/");
    sb_add(&b, tail, len);
    if (first) {
      struct stat st;
      if (lstat(b.s, &st) == 0) {
        free(b.s);
        return NULL;
      }
      first = 0;
    }
    tail += len;
  }
  return b.s;
}

typedef struct {
  int loaded;
  char **items;
  uint32_t count;
} root_set;
static root_set g_roots[2];

static const root_set *canonical_roots(int write) {
  root_set *rs = &g_roots[write ? 1 : 0];
  if (!rs->loaded) {
    const x07_os_list *raw = write ? &x07_os_pol()->fs_write_roots : &x07_os_pol()->fs_read_roots;
    rs->items = (char **)calloc(raw->count ? raw->count : 1, sizeof(char *));
    if (!rs->items) x07_trap("out of memory");
    for (uint32_t i = 0; i < raw->count; i++) rs->items[rs->count++] = canon_best_effort(raw->items[i]);
    rs->loaded = 1;
  }
  return rs;
}

int x07_fs_under_roots(int write, const char *abs) {
  const root_set *rs = canonical_roots(write);
  for (uint32_t i = 0; i < rs->count; i++) {
    const char *r = rs->items[i];
    size_t rl = strlen(r);
    if (rl == 1 && r[0] == '/') {
      if (abs[0] == '/') return 1;
      continue;
    }
    if (strncmp(abs, r, rl) == 0 && (abs[rl] == 0 || abs[rl] == '/')) return 1;
  }
  return 0;
}

uint32_t x07_fs_enforce(int write, const x07_fs_caps *c, x07_view path, char **out) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->v1_enabled) return X07_FS_ERR_DISABLED;
  char *clean = NULL;
  int hidden = 0;
  uint32_t rc = parse_path(path, &clean, &hidden);
  if (rc) return rc;
  if (pol->v1_deny_hidden && hidden && !(c->flags & X07_FS_FLAG_ALLOW_HIDDEN)) {
    free(clean);
    return X07_FS_ERR_POLICY_DENY;
  }
  if (!pol->sandboxed) {
    *out = clean;
    return 0;
  }
  if ((write ? pol->fs_write_roots.count : pol->fs_read_roots.count) == 0) {
    free(clean);
    return X07_FS_ERR_POLICY_DENY;
  }
  char *abs = canon_best_effort(clean);
  free(clean);
  char *canon = canon_existing_prefix(abs);
  free(abs);
  if (!canon || !x07_fs_under_roots(write, canon)) {
    free(canon);
    return X07_FS_ERR_POLICY_DENY;
  }
  *out = canon;
  return 0;
}

int x07_fs_mkdir_p(const char *path) {
  size_t n = strlen(path);
  char *buf = x07_os_strndup((const uint8_t *)path, (uint32_t)n);
  for (size_t i = 1; i <= n; i++) {
    if (i == n || buf[i] == '/') {
      char saved = buf[i];
      buf[i] = 0;
      if (mkdir(buf, 0777) != 0) {
        int e = errno;
        struct stat st;
        if (e != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
          free(buf);
          return e == EEXIST ? ENOTDIR : e;
        }
      }
      buf[i] = saved;
    }
  }
  free(buf);
  return 0;
}
