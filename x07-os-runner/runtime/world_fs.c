/* fs.read, fs.read_async, fs.open_read, fs.list_dir: in solve-fs / solve-full the fixture
 * filesystem (and the std.stream.src.fs_open_read_v1 pipe source); in run-os the working
 * directory, as upstream (which enables these adapters in its OS worlds too); in run-os-sandboxed
 * additionally only below the policy's fs.read_roots (upstream checks no policy there; we trap
 * "<op> denied by policy path=..." as the kernel sandbox would refuse the open anyway).
 *
 * The runner copies the fixture into a fresh read-only run directory and starts the program
 * there (runner/fixture_world.cpp), under the kernel sandbox with that directory as its only
 * readable root. Paths are relative to it: no leading '/', no empty, "." or ".." segment, no
 * '\\' or NUL, and no segment starting with ".x07_" (the runner's own rr/kv fixtures), as
 * upstream checks them; anything else traps "<op> unsafe path". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_fs_path.h"
#include "os_policy.h"
#include "x07rt.h"
#include "world_fixture.h"

int x07_world_safe_rel_path(x07_view p) {
  if (p.len == 0 || p.ptr[0] == '/') return 0;
  uint32_t seg = 0;
  for (uint32_t i = 0; i <= p.len; i++) {
    uint8_t c = i == p.len ? '/' : p.ptr[i];
    if (i < p.len && (c == 0 || c == '\\')) return 0;
    if (c != '/') continue;
    uint32_t n = i - seg;
    if (n == 0) return 0;
    if (n == 1 && p.ptr[seg] == '.') return 0;
    if (n == 2 && p.ptr[seg] == '.' && p.ptr[seg + 1] == '.') return 0;
    if (n >= 5 && memcmp(p.ptr + seg, ".x07_", 5) == 0) return 0;
    seg = i + 1;
  }
  return 1;
}

char *x07_world_cstr(x07_view p) {
  char *c = (char *)x07_alloc(p.len + 1);
  if (p.len) memcpy(c, p.ptr, p.len);
  return c;
}

/* Reads a whole regular file below the run directory; traps "<op> open failed path=..." when
 * it cannot (missing, a directory, unreadable). */
x07_bytes x07_world_read_whole(const char *op, const char *path) {
  char msg[96];
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(msg, sizeof msg, "%s open failed", op);
    x07_trap_path(msg, path);
  }
  if ((uint64_t)st.st_size > 0xFFFFFFFFull) {
    snprintf(msg, sizeof msg, "%s file too large", op);
    x07_trap(msg);
  }
  x07_bytes out = x07_bytes_new((uint32_t)st.st_size);
  uint32_t got = 0;
  while (got < out.len) {
    ssize_t n = read(fd, out.ptr + got, out.len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      snprintf(msg, sizeof msg, "%s short read", op);
      x07_trap(msg);
    }
    got += (uint32_t)n;
  }
  close(fd);
  return out;
}

static char *checked_path(const char *op, x07_view path) {
  char msg[96];
  if (!x07_world_safe_rel_path(path)) {
    snprintf(msg, sizeof msg, "%s unsafe path", op);
    x07_trap(msg);
  }
  char *p = x07_world_cstr(path);
  if (!x07_os_pol()->sandboxed) return p;
  /* run-os-sandboxed: the policy's read roots decide (fs.enabled, roots, hidden files) */
  x07_fs_caps caps = {0, 0, 0, 0, 0};
  char *resolved = NULL;
  if (x07_fs_enforce(0, &caps, path, &resolved) != 0) {
    snprintf(msg, sizeof msg, "%s denied by policy", op);
    x07_trap_path(msg, p);
  }
  x07_free(p);
  p = x07_world_cstr((x07_view){(const uint8_t *)resolved, (uint32_t)strlen(resolved)});
  free(resolved);
  return p;
}

/* A whole fixture file, counted as one read (fs.read and the pipe's fs source). */
static x07_bytes read_fixture_file(const char *op, x07_view path) {
  char *p = checked_path(op, path);
  x07_metrics.fs_read_file_calls += 1;
  x07_bytes out = x07_world_read_whole(op, p);
  x07_free(p);
  return out;
}

x07_bytes x07_fs_read(x07_view path) { return read_fixture_file("fs.read", path); }

/* The reader holds a private copy of the file: fixture files are small and read-only. */
x07_iface x07_io_open_read_bytes(x07_view b);
x07_iface x07_fs_open_read(x07_view path) {
  char *p = checked_path("fs.open_read", path);
  x07_metrics.fs_read_file_calls += 1;
  x07_bytes data = x07_world_read_whole("fs.open_read", p);
  x07_free(p);
  x07_iface it = x07_io_open_read_bytes(x07_bytes_view(data));
  x07_bytes_drop(data);
  return it;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Entry names of a fixture directory, sorted bytewise, each followed by '\n'; ".", ".." and
 * ".x07_*" entries are left out. */
x07_bytes x07_fs_list_dir(x07_view path) {
  char *p = checked_path("fs.list_dir", path);
  x07_metrics.fs_list_dir_calls += 1;
  DIR *d = opendir(p);
  if (!d) x07_trap_path("fs.list_dir open failed", p);
  char **names = 0;
  uint32_t n = 0, cap = 0;
  uint64_t total = 0;
  for (struct dirent *e; (e = readdir(d)) != 0;) {
    const char *nm = e->d_name;
    if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || strncmp(nm, ".x07_", 5) == 0) continue;
    if (n == cap) {
      uint32_t ncap = cap ? cap * 2 : 16;
      char **grown = (char **)x07_alloc(ncap * (uint32_t)sizeof(char *));
      if (n) memcpy(grown, names, n * sizeof(char *));
      x07_free(names);
      names = grown;
      cap = ncap;
    }
    size_t len = strlen(nm);
    names[n] = (char *)x07_alloc((uint32_t)len + 1);
    memcpy(names[n++], nm, len);
    total += len + 1;
    if (total > 0xFFFFFFFFull) x07_trap("fs.list_dir output too large");
  }
  closedir(d);
  if (n) qsort(names, n, sizeof(char *), name_cmp);
  x07_bytes out = x07_bytes_new((uint32_t)total);
  uint32_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]);
    memcpy(out.ptr + off, names[i], len);
    out.ptr[off + len] = '\n';
    off += (uint32_t)len + 1;
    x07_free(names[i]);
  }
  x07_free(names);
  x07_free(p);
  return out;
}

/* std.stream.src.fs_open_read_v1 in the fixture worlds: the whole file (the pipe hands it out
 * in bufread/chunk-sized pieces like upstream's reader loop). */
x07_bytes x07_world_fs_pipe_source(x07_view path) { return read_fixture_file("fs.open_read", path); }
