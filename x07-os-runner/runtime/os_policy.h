/* Internal: the run-os policy as the program sees it (X07_OS_* environment,
 * runner.md §5.3–§5.4). Parsed once per process; internal memory uses malloc
 * (never program-visible). */
#ifndef X07_OS_POLICY_H
#define X07_OS_POLICY_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char **items; /* NUL-terminated entries, trimmed, empties dropped */
  uint32_t count;
} x07_os_list;

typedef struct {
  int sandboxed;

  /* built-in os.fs.read_file / write_file */
  int fs_enabled;
  int deny_hidden;
  uint32_t threads_max_blocking;
  /* sandboxed only (empty in run-os, where no root is consulted); raw entries,
   * FS v1 canonicalizes them itself */
  x07_os_list fs_read_roots, fs_write_roots;

  /* FS v1 (read in every world; defaults depend on `sandboxed`) */
  int v1_enabled, v1_deny_hidden;
  int v1_allow_symlinks, v1_allow_mkdir, v1_allow_remove, v1_allow_rename, v1_allow_walk, v1_allow_glob;
  uint32_t v1_max_read, v1_max_write, v1_max_entries, v1_max_depth;

  /* env */
  int env_enabled;
  x07_os_list env_allow, env_deny;

  /* time */
  int time_enabled, time_allow_wall_clock, time_allow_sleep, time_allow_local_tzid;
  uint32_t time_max_sleep_ms;

  /* process */
  int proc_enabled, proc_allow_exit, proc_allow_spawn, proc_kill_on_drop, proc_kill_tree, proc_allow_cwd;
  uint32_t proc_max_live, proc_max_spawns, proc_max_exe_bytes, proc_max_args, proc_max_arg_bytes;
  uint32_t proc_max_env, proc_max_env_key_bytes, proc_max_env_val_bytes, proc_max_runtime_ms;
  uint32_t proc_max_stdout, proc_max_stderr, proc_max_total, proc_max_stdin;
  x07_os_list proc_execs, proc_exec_prefixes, proc_args_regex, proc_env_keys, proc_cwd_roots;

  /* net */
  int net_enabled, net_allow_tcp, net_allow_udp, net_allow_dns;
  x07_os_list net_hosts; /* raw "host:ports" entries */

  /* db (read in every world; defaults depend on `sandboxed`) */
  int db_enabled, db_sqlite, db_sqlite_readonly_only, db_sqlite_allow_create, db_sqlite_allow_in_memory;
  x07_os_list db_sqlite_paths; /* raw entries; the sqlite driver canonicalizes them */
  uint32_t db_max_live_conns, db_max_queries, db_max_connect_timeout_ms, db_max_query_timeout_ms;
  uint32_t db_max_rows, db_max_resp_bytes, db_max_sql_bytes;
} x07_os_policy;

/* The policy of this process (parsed on first use). */
const x07_os_policy *x07_os_pol(void);
/* Drop the cached policy so the next x07_os_pol() re-reads the environment
 * (used by x07_os_init and by unit harnesses). */
void x07_os_policy_reload(void);

int x07_os_list_contains(const x07_os_list *l, const uint8_t *s, uint32_t n);

/* Splits a ';'-separated list, trimming space/tab/CR/LF around each entry. */
x07_os_list x07_os_list_parse(const char *raw);
void x07_os_list_free(x07_os_list *l);

/* Malloc'd NUL-terminated copy of n bytes (aborts via trap on OOM). */
char *x07_os_strndup(const uint8_t *p, uint32_t n);

/* The relative-path rule of the sandboxed built-in fs calls and process cwds:
 * non-empty, relative, no NUL or '\', no empty, '.', '..' or ".x07_*" segments. */
int x07_os_safe_relative(const uint8_t *p, uint32_t n);
/* Whether any segment starts with '.' (denied when the policy sets deny_hidden). */
int x07_os_has_hidden_segment(const uint8_t *p, uint32_t n);

#endif
