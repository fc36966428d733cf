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

/* The interpreter an execve of `path` would load: the "#!" program of a script
 * (X07_SB_INTERP_SCRIPT) or the ELF PT_INTERP (X07_SB_INTERP_ELF), its absolute
 * path in `out`; -1 if none. */
#define X07_SB_INTERP_SCRIPT 0
#define X07_SB_INTERP_ELF 1
int x07_sb_exec_interpreter(const char *path, char *out, size_t out_len);

/* Interpreters looked up while a plan is prepared: the Landlock pass (EXECUTE
 * grants) and the mount namespace pass (exec re-bound inside data roots) walk
 * the same chains; each file's header is read once. */
typedef struct x07_sb_interp_memo {
  struct x07_sb_interp_entry {
    char *path;   /* as asked */
    int kind;     /* x07_sb_exec_interpreter's result */
    char *interp; /* NULL when kind < 0 */
  } *items;
  size_t len;
} x07_sb_interp_memo;

/* x07_sb_exec_interpreter(path) through the memo. */
int x07_sb_memo_interpreter(x07_sb_interp_memo *m, const char *path, char *out, size_t out_len);
void x07_sb_memo_free(x07_sb_interp_memo *m);

#endif /* X07_SANDBOX_PATHS_H */
