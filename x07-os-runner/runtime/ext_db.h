/* Internal: the driver-independent parts of DB v1 (docs/db/db-v1.md): the X7DB
 * response envelope, X7DC caps, and the DataModel encoding of params and results.
 * Scratch buffers are malloc'd; only the final response is arena bytes. */
#ifndef X07_EXT_DB_H
#define X07_EXT_DB_H
#include <stddef.h>
#include <stdint.h>
#include "x07rt.h"

enum {
  DB_ERR_POLICY_DENIED = 53249,
  DB_ERR_BAD_REQ = 53250,
  DB_ERR_BAD_CONN = 53251,
  DB_ERR_TOO_LARGE = 53760,
};
enum { DB_OP_OPEN = 1, DB_OP_EXEC = 2, DB_OP_QUERY = 3, DB_OP_CLOSE = 4 };

/* X7DC: timeouts and maxima, 0 = the policy's value. */
typedef struct {
  uint32_t connect_timeout_ms, query_timeout_ms, max_rows, max_resp_bytes;
} x07_db_caps;
/* 0 on success, DB_ERR_BAD_REQ if the blob is not a 24-byte X7DC v1. */
uint32_t x07_db_caps_parse(x07_view b, x07_db_caps *out);
/* min(policy, caps) where 0 on either side means "the other one". */
uint32_t x07_db_effective(uint32_t policy_max, uint32_t caps_max);

/* Growable scratch buffer. */
typedef struct {
  uint8_t *p;
  size_t len, cap;
} x07_db_buf;
void x07_db_put(x07_db_buf *b, const void *src, size_t n);
void x07_db_put_u8(x07_db_buf *b, uint8_t x);
void x07_db_put_u32(x07_db_buf *b, uint32_t x);
void x07_db_buf_free(x07_db_buf *b);

/* DataModel values: null 0 | bool 1 b | number 2 len ascii | string 3 len bytes |
 * seq 4 count values... | map 5 count (klen key value)... (keys sorted); a doc is
 * 1 + value. Writers append to b. */
void x07_dm_null(x07_db_buf *b);
void x07_dm_number(x07_db_buf *b, const void *ascii, uint32_t n);
void x07_dm_string(x07_db_buf *b, const void *s, uint32_t n);
void x07_dm_seq_header(x07_db_buf *b, uint32_t count);
void x07_dm_map_header(x07_db_buf *b, uint32_t count);
void x07_dm_map_key(x07_db_buf *b, const char *key);

/* One scalar of a params doc (a doc whose root is a seq of scalars). */
typedef struct {
  uint8_t tag; /* 0 null, 1 bool, 2 number, 3 string */
  uint8_t bool_val;
  const uint8_t *p;
  uint32_t n;
} x07_dm_scalar;
/* Calls fn for each param in order; stops at the first non-zero return. Returns
 * DB_ERR_BAD_REQ for a malformed doc or a non-scalar element, else fn's result. */
uint32_t x07_dm_params_each(x07_view doc, uint32_t (*fn)(void *ctx, uint32_t idx, const x07_dm_scalar *v),
                            void *ctx);

/* X7DB responses as arena bytes. */
x07_bytes x07_db_resp_ok(uint32_t op, const void *payload, size_t n);
x07_bytes x07_db_resp_err(uint32_t op, uint32_t code, const void *msg, size_t n);

#endif
