/* Path helpers for building the sandbox plan (parent side only). */
#ifndef X07_SANDBOX_PATHS_H
#define X07_SANDBOX_PATHS_H

#include <stddef.h>

#define X07_SB_PATH_MAX 4096

/* `path` (trimmed of spaces/tabs/CR/LF) if absolute, else "<cwd>/<path>".
 * Returns 0, 1 if the trimmed path is empty, -1 if it does not fit. */
int x07_sb_absolute(const char *cwd, const char *path, char *out, size_t out_len);

/* mkdir -p (mode 0777 minus umask); errors are ignored (the rule is then skipped). */
void x07_sb_mkdirs(const char *abs_path);

/* The interpreter an execve of `path` would load: the ELF PT_INTERP, or the
 * "#!" program of a script. Returns 0 and the absolute path, -1 if none. */
int x07_sb_exec_interpreter(const char *path, char *out, size_t out_len);

/* Real paths and exec interpreters looked up while a plan is prepared. The
 * Landlock rules open every path the mount namespace then needs resolved (fs
 * roots, executables, library directories): the Landlock pass hands its O_PATH
 * descriptors over, and the namespace pass asks the kernel for their real path
 * (one readlink of /proc/self/fd/N instead of realpath's one per component) and
 * reuses the interpreters already read. Lookups that miss fall back to
 * realpath() and reading the file. */
typedef struct x07_sb_memo_entry {
  char *path;      /* as asked (absolute) */
  int fd;          /* O_PATH descriptor from the Landlock pass, -1 once resolved or when none */
  int is_dir;      /* -1 unknown */
  char *real;      /* NULL until resolved */
  int interp;      /* 0 not looked up, 1 none, 2 `interp_path` */
  char *interp_path;
} x07_sb_memo_entry;

typedef struct x07_sb_path_memo {
  int enabled; /* keep descriptors (namespaces will be prepared) */
  x07_sb_memo_entry *items;
  size_t len;
} x07_sb_path_memo;

/* Takes `fd` (an O_PATH descriptor of `path`); closes it itself when the memo is
 * disabled or full. */
void x07_sb_memo_keep(x07_sb_path_memo *m, const char *path, int fd, int is_dir);
/* realpath(path) through the memo; 0 or -1 (missing). */
int x07_sb_memo_realpath(x07_sb_path_memo *m, const char *path, char *out, size_t out_len);
/* x07_sb_exec_interpreter(real) through the memo (directories have none). */
int x07_sb_memo_interpreter(x07_sb_path_memo *m, const char *real, char *out, size_t out_len);
void x07_sb_memo_free(x07_sb_path_memo *m);

#endif /* X07_SANDBOX_PATHS_H */
