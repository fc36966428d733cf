/* FS v1 directory listing and glob walks: byte-sorted, '\n'-terminated text
 * ("\n" alone when empty). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "os_fs_path.h"
#include "os_glob.h"
#include "os_policy.h"
#include "x07rt_os.h"

typedef struct {
  char **items;
  uint32_t count, cap;
} name_list;

static void nl_push(name_list *l, char *s) {
  if (l->count == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 32;
    char **n = (char **)realloc(l->items, l->cap * sizeof(char *));
    if (!n) x07_trap("out of memory");
    l->items = n;
  }
  l->items[l->count++] = s;
}

static void nl_free(name_list *l) {
  for (uint32_t i = 0; i < l->count; i++) free(l->items[i]);
  free(l->items);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names, one per line; an empty list is a single "\n". */
static x07_bytes render_sorted(name_list *l) {
  qsort(l->items, l->count, sizeof(char *), cmp_str);
  uint64_t total = 0;
  for (uint32_t i = 0; i < l->count; i++) total += strlen(l->items[i]) + 1;
  if (l->count == 0) return x07_bytes_from("\n", 1);
  if (total > 0xFFFFFFFFull) x07_trap("out of memory");
  x07_bytes out = x07_bytes_new((uint32_t)total);
  uint8_t *w = out.ptr;
  for (uint32_t i = 0; i < l->count; i++) {
    size_t n = strlen(l->items[i]);
    memcpy(w, l->items[i], n);
    w[n] = '\n';
    w += n + 1;
  }
  return out;
}

/* Whether a directory entry shows up: not "." / "..", valid UTF-8 (other names are
 * skipped, not errors), and not hidden while the policy denies hidden names. */
static int listed(const x07_fs_caps *c, const char *name) {
  if (!strcmp(name, ".") || !strcmp(name, "..")) return 0;
  if (!x07_fs_utf8_valid((const uint8_t *)name, (uint32_t)strlen(name))) return 0;
  return !(name[0] == '.' && x07_os_pol()->v1_deny_hidden && !(c->flags & X07_FS_FLAG_ALLOW_HIDDEN));
}

/* stat-based directory check of list/walk roots: 0, X07_FS_ERR_NOT_DIR or the mapped errno. */
static uint32_t check_dir(const char *p) {
  struct stat st;
  if (stat(p, &st) != 0) return x07_fs_map_errno(errno);
  return S_ISDIR(st.st_mode) ? 0 : X07_FS_ERR_NOT_DIR;
}

x07_res_bytes x07_os_fs_list_dir_sorted_text_v1(x07_bytes path, x07_bytes capsb) {
  x07_fs_caps caps;
  char *p = NULL;
  uint32_t rc = x07_fs_parse_caps(x07_bytes_view(capsb), &caps);
  if (!rc && !x07_os_pol()->v1_allow_walk) rc = X07_FS_ERR_POLICY_DENY;
  if (!rc) rc = x07_fs_symlink_check(&caps);
  if (!rc) rc = x07_fs_enforce(0, &caps, x07_bytes_view(path), &p);
  x07_bytes_drop(path);
  x07_bytes_drop(capsb);
  if (!rc) rc = check_dir(p);
  DIR *d = NULL;
  if (!rc && !(d = opendir(p))) rc = x07_fs_map_errno(errno);
  free(p);
  if (rc) return x07_res_bytes_err(rc);
  uint32_t max_entries = x07_fs_eff_max(x07_os_pol()->v1_max_entries, caps.max_entries);
  name_list names = {0, 0, 0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *n = e->d_name;
    if (!listed(&caps, n)) continue;
    if (names.count >= max_entries) {
      rc = X07_FS_ERR_TOO_MANY_ENTRIES;
      break;
    }
    nl_push(&names, x07_os_strndup((const uint8_t *)n, (uint32_t)strlen(n)));
  }
  closedir(d);
  x07_res_bytes r = rc ? x07_res_bytes_err(rc) : x07_res_bytes_ok(render_sorted(&names));
  nl_free(&names);
  return r;
}

typedef struct {
  const x07_fs_caps *caps;
  const char *glob;
  int follow;
  uint32_t max_depth, max_entries;
  name_list out;
} walk_ctx;

/* Walks dir (absolute or cwd-relative `abs`) whose path relative to the walk
 * root is `rel` ("" for the root). Returns 0 or an FS v1 code. */
static uint32_t walk(walk_ctx *w, const char *abs, const char *rel, uint32_t depth) {
  DIR *d = opendir(abs);
  if (!d) return X07_FS_ERR_IO;
  uint32_t rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d)) != NULL) {
    const char *n = e->d_name;
    if (!listed(w->caps, n)) continue;
    if (depth + 1 > w->max_depth) {
      rc = X07_FS_ERR_DEPTH_EXCEEDED;
      break;
    }
    size_t la = strlen(abs) + strlen(n) + 2, lr = strlen(rel) + strlen(n) + 2;
    char *cabs = (char *)malloc(la), *crel = (char *)malloc(lr);
    if (!cabs || !crel) x07_trap("out of memory");
    snprintf(cabs, la, "%s/%s", abs, n);
    snprintf(crel, lr, "%s%s%s", rel, *rel ? "/" : "", n);
    struct stat st;
    int ok = lstat(cabs, &st) == 0;
    if (ok && S_ISLNK(st.st_mode) && w->follow) {
      ok = stat(cabs, &st) == 0;
      if (ok && x07_os_pol()->sandboxed) {
        /* a followed link must still resolve inside a read root */
        char *real = realpath(cabs, NULL);
        if (!real || !x07_fs_under_roots(0, real)) ok = 0;
        free(real);
      }
      if (!ok) {
        free(cabs);
        free(crel);
        continue;
      }
    }
    if (!ok) rc = X07_FS_ERR_IO;
    else if (S_ISDIR(st.st_mode)) rc = walk(w, cabs, crel, depth + 1);
    else if (x07_glob_match(w->glob, crel)) {
      if (w->out.count >= w->max_entries) rc = X07_FS_ERR_TOO_MANY_ENTRIES;
      else {
        nl_push(&w->out, crel);
        crel = NULL;
      }
    }
    free(cabs);
    free(crel);
  }
  closedir(d);
  return rc;
}

x07_res_bytes x07_os_fs_walk_glob_sorted_text_v1(x07_bytes root, x07_bytes glob, x07_bytes capsb) {
  x07_fs_caps caps;
  char *p = NULL, *g = NULL;
  const x07_os_policy *pol = x07_os_pol();
  uint32_t rc = x07_fs_parse_caps(x07_bytes_view(capsb), &caps);
  if (!rc && !(pol->v1_allow_walk && pol->v1_allow_glob)) rc = X07_FS_ERR_POLICY_DENY;
  if (!rc) rc = x07_fs_enforce(0, &caps, x07_bytes_view(root), &p);
  if (!rc) rc = check_dir(p);
  if (!rc) {
    if (!x07_fs_utf8_valid(glob.ptr, glob.len) || memchr(glob.ptr, 0, glob.len)) rc = X07_FS_ERR_BAD_PATH;
    else {
      g = x07_os_strndup(glob.ptr, glob.len);
      if (!x07_glob_valid(g)) rc = X07_FS_ERR_BAD_PATH;
    }
  }
  if (!rc) rc = x07_fs_symlink_check(&caps);
  x07_bytes_drop(root);
  x07_bytes_drop(glob);
  x07_bytes_drop(capsb);
  x07_res_bytes r;
  if (rc) {
    r = x07_res_bytes_err(rc);
  } else {
    walk_ctx w = {&caps, g, x07_fs_follow_symlinks(&caps), x07_fs_eff_max(pol->v1_max_depth, caps.max_depth),
                  x07_fs_eff_max(pol->v1_max_entries, caps.max_entries), {0, 0, 0}};
    rc = walk(&w, p, "", 0);
    r = rc ? x07_res_bytes_err(rc) : x07_res_bytes_ok(render_sorted(&w.out));
    nl_free(&w.out);
  }
  free(p);
  free(g);
  return r;
}
