/* Reads the X07_OS_* policy environment once (runner.md §5.3–§5.4).
 *
 * "Sandboxed" is decided once: X07_WORLD == run-os-sandboxed, or X07_OS_SANDBOXED
 * set to 1/true/yes (upstream used three slightly different tests; the runner
 * always sets both variables, and taking the union is the stricter choice).
 * When not sandboxed, the built-in checks (env, time, process, net, read_file)
 * allow everything; FS v1 still reads its variables with permissive defaults,
 * as upstream's ext-fs backend does. */
#include "os_policy.h"

#include <stdlib.h>
#include <string.h>

#include "x07rt.h"

static x07_os_policy g_pol;
static int g_loaded;

char *x07_os_strndup(const uint8_t *p, uint32_t n) {
  char *s = (char *)malloc((size_t)n + 1);
  if (!s) x07_trap("out of memory");
  if (n) memcpy(s, p, n);
  s[n] = 0;
  return s;
}

int x07_os_safe_relative(const uint8_t *p, uint32_t n) {
  if (n == 0 || p[0] == '/') return 0;
  uint32_t i = 0;
  while (i <= n) {
    uint32_t j = i;
    while (j < n && p[j] != '/') {
      if (p[j] == 0 || p[j] == '\\') return 0;
      j++;
    }
    uint32_t len = j - i;
    if (len == 0) return 0;
    if (len == 1 && p[i] == '.') return 0;
    if (len == 2 && p[i] == '.' && p[i + 1] == '.') return 0;
    if (len >= 5 && memcmp(p + i, ".x07_", 5) == 0) return 0;
    i = j + 1;
  }
  return 1;
}

int x07_os_has_hidden_segment(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (p[i] == '.' && (i == 0 || p[i - 1] == '/')) return 1;
  return 0;
}

static int is_trim_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

x07_os_list x07_os_list_parse(const char *raw) {
  x07_os_list l = {0, 0};
  if (!raw) return l;
  size_t cap = 0;
  const char *p = raw;
  for (;;) {
    const char *end = strchr(p, ';');
    const char *stop = end ? end : p + strlen(p);
    const char *a = p, *b = stop;
    while (a < b && is_trim_char(*a)) a++;
    while (b > a && is_trim_char(b[-1])) b--;
    if (b > a) {
      if (l.count == cap) {
        cap = cap ? cap * 2 : 8;
        char **n = (char **)realloc(l.items, cap * sizeof(char *));
        if (!n) x07_trap("out of memory");
        l.items = n;
      }
      l.items[l.count++] = x07_os_strndup((const uint8_t *)a, (uint32_t)(b - a));
    }
    if (!end) break;
    p = end + 1;
  }
  return l;
}

void x07_os_list_free(x07_os_list *l) {
  for (uint32_t i = 0; i < l->count; i++) free(l->items[i]);
  free(l->items);
  l->items = 0;
  l->count = 0;
}

int x07_os_list_contains(const x07_os_list *l, const uint8_t *s, uint32_t n) {
  for (uint32_t i = 0; i < l->count; i++) {
    if (strlen(l->items[i]) == n && memcmp(l->items[i], s, n) == 0) return 1;
  }
  return 0;
}

/* C-runtime style number: strtoul base 10; unset/empty/non-numeric -> default. */
static uint32_t env_num(const char *name, uint32_t def) {
  const char *v = getenv(name);
  if (!v || !*v) return def;
  char *end = 0;
  unsigned long x = strtoul(v, &end, 10);
  if (end == v) return def;
  return x > 0xFFFFFFFFul ? 0xFFFFFFFFu : (uint32_t)x;
}

static int env_flag(const char *name, int def) { return env_num(name, def ? 1u : 0u) != 0; }

/* FS v1 style boolean: only the listed spellings count, anything else -> default. */
static int env_bool_words(const char *name, int def) {
  const char *v = getenv(name);
  if (!v) return def;
  if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "TRUE") || !strcmp(v, "yes") || !strcmp(v, "YES")) return 1;
  if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "FALSE") || !strcmp(v, "no") || !strcmp(v, "NO")) return 0;
  return def;
}

/* FS v1 style number: decimal u32, 0 or invalid -> default. */
static uint32_t env_u32_nonzero(const char *name, uint32_t def) {
  const char *v = getenv(name);
  if (!v || !*v) return def;
  uint64_t x = 0;
  for (const char *p = v; *p; p++) {
    if (*p < '0' || *p > '9') return def;
    x = x * 10 + (uint64_t)(*p - '0');
    if (x > 0xFFFFFFFFull) return def;
  }
  return x ? (uint32_t)x : def;
}

static x07_os_list env_list(const char *name) { return x07_os_list_parse(getenv(name)); }

static int detect_sandboxed(void) {
  const char *w = getenv("X07_WORLD");
  if (w && !strcmp(w, "run-os-sandboxed")) return 1;
  const char *s = getenv("X07_OS_SANDBOXED");
  if (s && (s[0] == '1' || !strcmp(s, "true") || !strcmp(s, "TRUE") || !strcmp(s, "yes") || !strcmp(s, "YES")))
    return 1;
  return 0;
}

static void load_builtin_sections(x07_os_policy *p) {
  if (!p->sandboxed) {
    /* run-os: the built-in checks allow everything, no process maxima. */
    p->fs_enabled = 1;
    p->deny_hidden = 0;
    p->threads_max_blocking = 4;
    p->env_enabled = 1;
    p->time_enabled = p->time_allow_wall_clock = p->time_allow_sleep = p->time_allow_local_tzid = 1;
    p->time_max_sleep_ms = 0xFFFFFFFFu;
    p->proc_enabled = p->proc_allow_exit = p->proc_allow_spawn = p->proc_allow_cwd = 1;
    p->proc_kill_on_drop = p->proc_kill_tree = 1;
    p->net_enabled = p->net_allow_tcp = p->net_allow_udp = p->net_allow_dns = 1;
    return;
  }
  p->fs_enabled = env_flag("X07_OS_FS", 0);
  p->deny_hidden = env_flag("X07_OS_DENY_HIDDEN", 1);
  p->threads_max_blocking = env_num("X07_OS_THREADS_MAX_BLOCKING", 4);
  p->fs_read_roots = env_list("X07_OS_FS_READ_ROOTS");
  p->fs_write_roots = env_list("X07_OS_FS_WRITE_ROOTS");

  p->env_enabled = env_flag("X07_OS_ENV", 0);
  p->env_allow = env_list("X07_OS_ENV_ALLOW_KEYS");
  p->env_deny = env_list("X07_OS_ENV_DENY_KEYS");

  p->time_enabled = env_flag("X07_OS_TIME", 0);
  p->time_allow_wall_clock = env_flag("X07_OS_TIME_ALLOW_WALL_CLOCK", 0);
  p->time_allow_sleep = env_flag("X07_OS_TIME_ALLOW_SLEEP", 0);
  p->time_allow_local_tzid = env_flag("X07_OS_TIME_ALLOW_LOCAL_TZID", 0);
  p->time_max_sleep_ms = env_num("X07_OS_TIME_MAX_SLEEP_MS", 0);

  p->proc_enabled = env_flag("X07_OS_PROC", 0);
  p->proc_allow_exit = env_flag("X07_OS_PROC_ALLOW_EXIT", 0);
  p->proc_allow_spawn = env_flag("X07_OS_PROC_ALLOW_SPAWN", 0);
  p->proc_kill_on_drop = env_flag("X07_OS_PROC_KILL_ON_DROP", 1);
  p->proc_kill_tree = env_flag("X07_OS_PROC_KILL_TREE", 1);
  p->proc_allow_cwd = env_flag("X07_OS_PROC_ALLOW_CWD", 0);
  p->proc_max_live = env_num("X07_OS_PROC_MAX_LIVE", 0);
  p->proc_max_spawns = env_num("X07_OS_PROC_MAX_SPAWNS", 0);
  p->proc_max_exe_bytes = env_num("X07_OS_PROC_MAX_EXE_BYTES", 4096);
  p->proc_max_args = env_num("X07_OS_PROC_MAX_ARGS", 64);
  p->proc_max_arg_bytes = env_num("X07_OS_PROC_MAX_ARG_BYTES", 4096);
  p->proc_max_env = env_num("X07_OS_PROC_MAX_ENV", 64);
  p->proc_max_env_key_bytes = env_num("X07_OS_PROC_MAX_ENV_KEY_BYTES", 256);
  p->proc_max_env_val_bytes = env_num("X07_OS_PROC_MAX_ENV_VAL_BYTES", 4096);
  p->proc_max_runtime_ms = env_num("X07_OS_PROC_MAX_RUNTIME_MS", 0);
  p->proc_max_stdout = env_num("X07_OS_PROC_MAX_STDOUT_BYTES", 0);
  p->proc_max_stderr = env_num("X07_OS_PROC_MAX_STDERR_BYTES", 0);
  p->proc_max_total = env_num("X07_OS_PROC_MAX_TOTAL_BYTES", 0);
  p->proc_max_stdin = env_num("X07_OS_PROC_MAX_STDIN_BYTES", 0);
  p->proc_execs = env_list("X07_OS_PROC_ALLOW_EXECS");
  p->proc_exec_prefixes = env_list("X07_OS_PROC_ALLOW_EXEC_PREFIXES");
  p->proc_args_regex = env_list("X07_OS_PROC_ALLOW_ARGS_REGEX_LITE");
  p->proc_env_keys = env_list("X07_OS_PROC_ALLOW_ENV_KEYS");
  p->proc_cwd_roots = env_list("X07_OS_PROC_ALLOW_CWD_ROOTS");

  p->net_enabled = env_flag("X07_OS_NET", 0);
  p->net_allow_tcp = env_flag("X07_OS_NET_ALLOW_TCP", 0);
  p->net_allow_udp = env_flag("X07_OS_NET_ALLOW_UDP", 0);
  p->net_allow_dns = env_flag("X07_OS_NET_ALLOW_DNS", 0);
  p->net_hosts = env_list("X07_OS_NET_ALLOW_HOSTS");
}

static void load_fs_v1(x07_os_policy *p) {
  int sb = p->sandboxed;
  p->v1_enabled = env_bool_words("X07_OS_FS", !sb);
  p->v1_deny_hidden = env_bool_words("X07_OS_DENY_HIDDEN", sb);
  p->v1_allow_symlinks = env_bool_words("X07_OS_FS_ALLOW_SYMLINKS", !sb);
  p->v1_allow_mkdir = env_bool_words("X07_OS_FS_ALLOW_MKDIR", !sb);
  p->v1_allow_remove = env_bool_words("X07_OS_FS_ALLOW_REMOVE", !sb);
  p->v1_allow_rename = env_bool_words("X07_OS_FS_ALLOW_RENAME", !sb);
  p->v1_allow_walk = env_bool_words("X07_OS_FS_ALLOW_WALK", !sb);
  p->v1_allow_glob = env_bool_words("X07_OS_FS_ALLOW_GLOB", !sb);
  p->v1_max_read = env_u32_nonzero("X07_OS_FS_MAX_READ_BYTES", 16u * 1024u * 1024u);
  p->v1_max_write = env_u32_nonzero("X07_OS_FS_MAX_WRITE_BYTES", 16u * 1024u * 1024u);
  p->v1_max_entries = env_u32_nonzero("X07_OS_FS_MAX_ENTRIES", 10000);
  p->v1_max_depth = env_u32_nonzero("X07_OS_FS_MAX_DEPTH", 64);
}

static void load_db(x07_os_policy *p) {
  int sb = p->sandboxed;
  p->db_enabled = env_bool_words("X07_OS_DB", !sb);
  p->db_sqlite = env_bool_words("X07_OS_DB_SQLITE", !sb);
  p->db_sqlite_readonly_only = env_bool_words("X07_OS_DB_SQLITE_READONLY_ONLY", sb);
  p->db_sqlite_allow_create = env_bool_words("X07_OS_DB_SQLITE_ALLOW_CREATE", !sb);
  p->db_sqlite_allow_in_memory = env_bool_words("X07_OS_DB_SQLITE_ALLOW_IN_MEMORY", !sb);
  p->db_sqlite_paths = env_list("X07_OS_DB_SQLITE_ALLOW_PATHS");
  p->db_max_live_conns = env_u32_nonzero("X07_OS_DB_MAX_LIVE_CONNS", 8);
  p->db_max_queries = env_u32_nonzero("X07_OS_DB_MAX_QUERIES", 1000);
  p->db_max_connect_timeout_ms = env_u32_nonzero("X07_OS_DB_MAX_CONNECT_TIMEOUT_MS", 30000);
  p->db_max_query_timeout_ms = env_u32_nonzero("X07_OS_DB_MAX_QUERY_TIMEOUT_MS", 60000);
  p->db_max_rows = env_u32_nonzero("X07_OS_DB_MAX_ROWS", 10000);
  p->db_max_resp_bytes = env_u32_nonzero("X07_OS_DB_MAX_RESP_BYTES", 32u * 1024u * 1024u);
  p->db_max_sql_bytes = env_u32_nonzero("X07_OS_DB_MAX_SQL_BYTES", 1024u * 1024u);
}

static void policy_free(x07_os_policy *p) {
  x07_os_list *lists[] = {&p->fs_read_roots, &p->fs_write_roots, &p->env_allow, &p->env_deny,
                          &p->proc_execs, &p->proc_exec_prefixes, &p->proc_args_regex, &p->proc_env_keys,
                          &p->proc_cwd_roots, &p->net_hosts, &p->db_sqlite_paths};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) x07_os_list_free(lists[i]);
  memset(p, 0, sizeof *p);
}

const x07_os_policy *x07_os_pol(void) {
  if (!g_loaded) {
    memset(&g_pol, 0, sizeof g_pol);
    g_pol.sandboxed = detect_sandboxed();
    load_builtin_sections(&g_pol);
    load_fs_v1(&g_pol);
    load_db(&g_pol);
    g_loaded = 1;
  }
  return &g_pol;
}

void x07_os_policy_reload(void) {
  if (g_loaded) policy_free(&g_pol);
  g_loaded = 0;
}
