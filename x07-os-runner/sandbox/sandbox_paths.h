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

#endif /* X07_SANDBOX_PATHS_H */
