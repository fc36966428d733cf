/* os.db.sqlite.* builtins (run-os worlds; docs/db/sqlite-v1.md) on the system
 * libsqlite3. Requests X7SO/X7SQ/X7SE/X7SC, caps X7DC, responses X7DB.
 *
 * Policy (db section, X07_OS_DB_*): db.enabled and db.drivers.sqlite gate every
 * call; max_queries counts query+exec calls, max_live_conns open connections. In
 * run-os-sandboxed a file must be listed in db.sqlite.allow_paths (compared after
 * canonicalization), ":memory:" needs allow_in_memory, the create flag needs
 * allow_create and readonly_only forces the readonly flag. The kernel sandbox
 * additionally limits the files themselves: allow_paths are readable, writing needs
 * the file's directory in fs.write_roots (SQLite writes a journal beside it).
 * Sandboxed connections cannot ATTACH other files (nor VACUUM INTO one). */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext_db.h"
#include "ext_text.h"
#include "os_policy.h"

enum {
  DB_ERR_SQLITE_OPEN = 53504,
  DB_ERR_SQLITE_PREP = 53505,
  DB_ERR_SQLITE_STEP = 53506,
};
#define OPEN_FLAG_READONLY 1u
#define OPEN_FLAG_CREATE 2u
#define MAX_CONNS 4096

static sqlite3 *g_conns[MAX_CONNS]; /* slot 0 unused: connection ids start at 1 */
static uint32_t g_queries;

/* realpath when the file exists, else the absolute spelling (relative to cwd). */
static char *canonical_path(const char *p) {
  char *r = realpath(p, NULL);
  if (r) return r;
  if (p[0] == '/') return strdup(p);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return strdup(p);
  size_t n = strlen(cwd) + strlen(p) + 2;
  char *abs = malloc(n);
  if (!abs) return NULL;
  snprintf(abs, n, "%s/%s", cwd, p);
  r = realpath(abs, NULL);
  if (r) {
    free(abs);
    return r;
  }
  return abs;
}

static int sqlite_path_allowed(const x07_os_policy *pol, const char *path) {
  if (!pol->sandboxed) return 1;
  char *cand = canonical_path(path);
  int ok = 0;
  for (uint32_t i = 0; cand && !ok && i < pol->db_sqlite_paths.count; i++) {
    char *allowed = canonical_path(pol->db_sqlite_paths.items[i]);
    ok = allowed && strcmp(allowed, cand) == 0;
    free(allowed);
  }
  free(cand);
  return ok;
}

static x07_bytes err_resp(uint32_t op, uint32_t code) { return x07_db_resp_err(op, code, NULL, 0); }
static x07_bytes err_resp_msg(uint32_t op, uint32_t code, sqlite3 *db) {
  const char *m = db ? sqlite3_errmsg(db) : NULL;
  return x07_db_resp_err(op, code, m, m ? strlen(m) : 0);
}

/* Common entry checks; 0 when the driver is usable. */
static uint32_t driver_gate(const x07_os_policy *pol) {
  return pol->db_enabled && pol->db_sqlite ? 0 : DB_ERR_POLICY_DENIED;
}

static x07_bytes do_open(x07_view req, x07_view caps_b) {
  const x07_os_policy *pol = x07_os_pol();
  if (driver_gate(pol)) return err_resp(DB_OP_OPEN, DB_ERR_POLICY_DENIED);
  x07_db_caps caps;
  if (x07_db_caps_parse(caps_b, &caps)) return err_resp(DB_OP_OPEN, DB_ERR_BAD_REQ);
  if (req.len < 16 || memcmp(req.ptr, "X7SO", 4) != 0 || x07_rd_u32le(req.ptr + 4) != 1 ||
      (uint64_t)req.len != 16 + (uint64_t)x07_rd_u32le(req.ptr + 12))
    return err_resp(DB_OP_OPEN, DB_ERR_BAD_REQ);
  uint32_t flags = x07_rd_u32le(req.ptr + 8);
  const uint8_t *path = req.ptr + 16;
  uint32_t path_len = req.len - 16;
  if (flags & ~(OPEN_FLAG_READONLY | OPEN_FLAG_CREATE)) return err_resp(DB_OP_OPEN, DB_ERR_BAD_REQ);
  if ((flags & OPEN_FLAG_CREATE) && !pol->db_sqlite_allow_create) return err_resp(DB_OP_OPEN, DB_ERR_POLICY_DENIED);
  if (pol->db_sqlite_readonly_only && !(flags & OPEN_FLAG_READONLY))
    return err_resp(DB_OP_OPEN, DB_ERR_POLICY_DENIED);
  int is_memory = path_len == 8 && memcmp(path, ":memory:", 8) == 0;
  if (is_memory && pol->sandboxed && !pol->db_sqlite_allow_in_memory)
    return err_resp(DB_OP_OPEN, DB_ERR_POLICY_DENIED);
  if (memchr(path, 0, path_len)) return err_resp(DB_OP_OPEN, DB_ERR_BAD_REQ);
  char *cpath = x07_os_strndup(path, path_len);
  if (!is_memory && !sqlite_path_allowed(pol, cpath)) {
    free(cpath);
    return err_resp(DB_OP_OPEN, DB_ERR_POLICY_DENIED);
  }
  int oflags = (flags & OPEN_FLAG_READONLY) ? SQLITE_OPEN_READONLY
               : (flags & OPEN_FLAG_CREATE) ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                            : SQLITE_OPEN_READWRITE;
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(cpath, &db, oflags, NULL);
  free(cpath);
  if (rc != SQLITE_OK || !db) {
    x07_bytes out = err_resp_msg(DB_OP_OPEN, DB_ERR_SQLITE_OPEN, db);
    if (db) sqlite3_close(db);
    return out;
  }
  /* ATTACH and VACUUM INTO would open files that allow_paths never saw: in a
   * sandbox a connection reaches its own file only. */
  if (pol->sandboxed) sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  uint32_t timeout = x07_db_effective(pol->db_max_connect_timeout_ms, caps.connect_timeout_ms);
  if (timeout) sqlite3_busy_timeout(db, timeout > INT_MAX ? INT_MAX : (int)timeout);
  uint32_t live = 0, slot = 0;
  for (uint32_t i = 1; i < MAX_CONNS; i++) {
    if (g_conns[i]) live++;
    else if (!slot) slot = i;
  }
  if (!slot || (pol->db_max_live_conns && live >= pol->db_max_live_conns)) {
    sqlite3_close(db);
    return err_resp(DB_OP_OPEN, DB_ERR_TOO_LARGE);
  }
  g_conns[slot] = db;
  uint8_t id[4];
  x07_wr_u32le(id, slot);
  return x07_db_resp_ok(DB_OP_OPEN, id, 4);
}

static x07_bytes do_close(x07_view req) {
  const x07_os_policy *pol = x07_os_pol();
  if (driver_gate(pol)) return err_resp(DB_OP_CLOSE, DB_ERR_POLICY_DENIED);
  if (req.len != 12 || memcmp(req.ptr, "X7SC", 4) != 0 || x07_rd_u32le(req.ptr + 4) != 1)
    return err_resp(DB_OP_CLOSE, DB_ERR_BAD_REQ);
  uint32_t id = x07_rd_u32le(req.ptr + 8);
  if (id == 0 || id >= MAX_CONNS || !g_conns[id] || sqlite3_close(g_conns[id]) != SQLITE_OK)
    return err_resp(DB_OP_CLOSE, DB_ERR_BAD_CONN);
  g_conns[id] = NULL;
  return x07_db_resp_ok(DB_OP_CLOSE, NULL, 0);
}

static uint32_t bind_one(void *ctx, uint32_t idx, const x07_dm_scalar *v) {
  sqlite3_stmt *st = ctx;
  int i = (int)idx + 1, rc;
  if (v->tag == 0) {
    rc = sqlite3_bind_null(st, i);
  } else if (v->tag == 1) {
    rc = sqlite3_bind_int(st, i, v->bool_val);
  } else if (v->tag == 3) {
    rc = sqlite3_bind_text(st, i, (const char *)v->p, (int)v->n, SQLITE_TRANSIENT);
  } else if (memchr(v->p, '.', v->n) || memchr(v->p, 'e', v->n) || memchr(v->p, 'E', v->n)) {
    double d;
    if (!x07_ext_parse_decimal(v->p, v->n, &d)) return DB_ERR_BAD_REQ;
    rc = sqlite3_bind_double(st, i, d);
  } else {
    /* [+-]digits fitting in i64 */
    uint32_t k = v->n && (v->p[0] == '+' || v->p[0] == '-');
    int neg = v->n && v->p[0] == '-';
    if (k == v->n) return DB_ERR_BAD_REQ;
    unsigned long long mag = 0;
    for (; k < v->n; k++) {
      if (v->p[k] < '0' || v->p[k] > '9') return DB_ERR_BAD_REQ;
      mag = mag * 10 + (unsigned)(v->p[k] - '0');
      if (mag > 9223372036854775808ULL) return DB_ERR_BAD_REQ;
    }
    if (!neg && mag > 9223372036854775807ULL) return DB_ERR_BAD_REQ;
    rc = sqlite3_bind_int64(st, i, neg ? (sqlite3_int64)(0 - mag) : (sqlite3_int64)mag);
  }
  return rc == SQLITE_OK ? 0 : DB_ERR_BAD_REQ;
}

static void put_cell(x07_db_buf *b, sqlite3_stmt *st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: {
      char t[24];
      int n = snprintf(t, sizeof t, "%lld", (long long)sqlite3_column_int64(st, i));
      x07_dm_number(b, t, (uint32_t)n);
      break;
    }
    case SQLITE_FLOAT: {
      char t[40];
      uint32_t n = x07_ext_f64_text(sqlite3_column_double(st, i), t);
      x07_dm_number(b, t, n);
      break;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      const void *p = sqlite3_column_type(st, i) == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i)
                                                                : sqlite3_column_blob(st, i);
      int n = sqlite3_column_bytes(st, i);
      x07_dm_string(b, p, p && n > 0 ? (uint32_t)n : 0);
      break;
    }
    default:
      x07_dm_null(b);
  }
}

/* {"cols": [names], "rows": [[cells]]} as a DataModel doc; the row count is
 * patched in after stepping. Returns 0 or an error code. */
static uint32_t rows_doc(sqlite3_stmt *st, uint32_t max_rows, x07_db_buf *b) {
  int ncols = sqlite3_column_count(st);
  x07_db_put_u8(b, 1);
  x07_dm_map_header(b, 2);
  x07_dm_map_key(b, "cols");
  x07_dm_seq_header(b, (uint32_t)ncols);
  for (int i = 0; i < ncols; i++) {
    const char *name = sqlite3_column_name(st, i);
    x07_dm_string(b, name, name ? (uint32_t)strlen(name) : 0);
  }
  x07_dm_map_key(b, "rows");
  size_t count_at = b->len + 1;
  x07_dm_seq_header(b, 0);
  uint32_t nrows = 0;
  for (;;) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return DB_ERR_SQLITE_STEP;
    if (max_rows && nrows >= max_rows) return DB_ERR_TOO_LARGE;
    x07_dm_seq_header(b, (uint32_t)ncols);
    for (int i = 0; i < ncols; i++) put_cell(b, st, i);
    nrows++;
  }
  x07_wr_u32le(b->p + count_at, nrows);
  return 0;
}

static x07_bytes do_sql(uint32_t op, x07_view req, x07_view caps_b) {
  const x07_os_policy *pol = x07_os_pol();
  if (driver_gate(pol)) return err_resp(op, DB_ERR_POLICY_DENIED);
  if (pol->db_max_queries && g_queries++ >= pol->db_max_queries) return err_resp(op, DB_ERR_POLICY_DENIED);
  x07_db_caps caps;
  if (x07_db_caps_parse(caps_b, &caps)) return err_resp(op, DB_ERR_BAD_REQ);
  const char *magic = op == DB_OP_QUERY ? "X7SQ" : "X7SE";
  if (req.len < 24 || memcmp(req.ptr, magic, 4) != 0 || x07_rd_u32le(req.ptr + 4) != 1)
    return err_resp(op, DB_ERR_BAD_REQ);
  uint32_t id = x07_rd_u32le(req.ptr + 8);
  uint64_t sql_len = x07_rd_u32le(req.ptr + 16);
  if ((uint64_t)req.len < 24 + sql_len) return err_resp(op, DB_ERR_BAD_REQ);
  const uint8_t *sql = req.ptr + 20;
  uint64_t params_len = x07_rd_u32le(req.ptr + 20 + sql_len);
  if ((uint64_t)req.len != 24 + sql_len + params_len) return err_resp(op, DB_ERR_BAD_REQ);
  x07_view params = {req.ptr + 24 + sql_len, (uint32_t)params_len};
  if (sql_len > pol->db_max_sql_bytes) return err_resp(op, DB_ERR_TOO_LARGE);
  sqlite3 *db = id > 0 && id < MAX_CONNS ? g_conns[id] : NULL;
  if (!db) return err_resp(op, DB_ERR_BAD_CONN);
  uint32_t timeout = x07_db_effective(pol->db_max_query_timeout_ms, caps.query_timeout_ms);
  if (timeout) sqlite3_busy_timeout(db, timeout > INT_MAX ? INT_MAX : (int)timeout);
  if (memchr(sql, 0, sql_len)) return err_resp(op, DB_ERR_BAD_REQ);

  char *csql = x07_os_strndup(sql, (uint32_t)sql_len);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, csql, -1, &st, NULL);
  free(csql);
  if (rc != SQLITE_OK || !st) {
    x07_bytes out = err_resp_msg(op, DB_ERR_SQLITE_PREP, db);
    sqlite3_finalize(st);
    return out;
  }
  if (params.len && x07_dm_params_each(params, bind_one, st)) {
    sqlite3_finalize(st);
    return err_resp(op, DB_ERR_BAD_REQ);
  }
  x07_db_buf doc = {0};
  uint32_t err = 0;
  if (op == DB_OP_QUERY) {
    err = rows_doc(st, x07_db_effective(pol->db_max_rows, caps.max_rows), &doc);
  } else {
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) err = DB_ERR_SQLITE_STEP;
  }
  sqlite3_finalize(st);
  if (!err && op == DB_OP_EXEC) {
    char t[24];
    x07_db_put_u8(&doc, 1);
    x07_dm_map_header(&doc, 2);
    x07_dm_map_key(&doc, "last_insert_id");
    x07_dm_number(&doc, t, (uint32_t)snprintf(t, sizeof t, "%lld", (long long)sqlite3_last_insert_rowid(db)));
    x07_dm_map_key(&doc, "rows_affected");
    x07_dm_number(&doc, t, (uint32_t)snprintf(t, sizeof t, "%d", sqlite3_changes(db)));
  }
  uint32_t max_resp = x07_db_effective(pol->db_max_resp_bytes, caps.max_resp_bytes);
  if (!err && max_resp && doc.len > max_resp) err = DB_ERR_TOO_LARGE;
  x07_bytes out = err ? err_resp(op, err) : x07_db_resp_ok(op, doc.p, doc.len);
  x07_db_buf_free(&doc);
  return out;
}

/* The builtins consume both arguments. */
x07_bytes x07_os_db_sqlite_open_v1(x07_bytes req, x07_bytes caps) {
  x07_bytes out = do_open(x07_bytes_view(req), x07_bytes_view(caps));
  x07_bytes_drop(req), x07_bytes_drop(caps);
  return out;
}
x07_bytes x07_os_db_sqlite_query_v1(x07_bytes req, x07_bytes caps) {
  x07_bytes out = do_sql(DB_OP_QUERY, x07_bytes_view(req), x07_bytes_view(caps));
  x07_bytes_drop(req), x07_bytes_drop(caps);
  return out;
}
x07_bytes x07_os_db_sqlite_exec_v1(x07_bytes req, x07_bytes caps) {
  x07_bytes out = do_sql(DB_OP_EXEC, x07_bytes_view(req), x07_bytes_view(caps));
  x07_bytes_drop(req), x07_bytes_drop(caps);
  return out;
}
x07_bytes x07_os_db_sqlite_close_v1(x07_bytes req, x07_bytes caps) {
  x07_bytes out = do_close(x07_bytes_view(req));
  x07_bytes_drop(req), x07_bytes_drop(caps);
  return out;
}
