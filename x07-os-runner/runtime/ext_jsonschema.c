/* jsonschema.* builtins (any world), the native side of upstream's ext-jsonschema-rs package
 * (ext.jsonschema module): same documents and codes as upstream's backend, our own JSON parser
 * (ext_json.c) and validator (ext_jsonschema_validate.c).
 *   compile ok:     [1]["X7JS"][1][handle u32le][dialect u8][fnv1a32(schema) u32le]     (15 bytes)
 *   compile error:  [0]["X7JS"][1][code u32le][len u32le][message]   codes 1 JSON, 2 dialect, 3 schema
 *   validate ok:    [1]["X7JV"][1]                                                       (6 bytes)
 *   validate error: [0]["X7JV"][1][code u32le][len u32le][errors JSON]
 *                   codes 1 errors, 2 bad handle, 3 instance JSON, 4 internal; errors JSON is
 *                   [{"jsonPointer":..,"keyword":..,"message":..}] sorted by pointer, keyword, message.
 * $schema picks the dialect (2020-12 by default; 2019-09, draft-07, -06, -04). Compiling the same
 * schema text again returns the same handle; handles live as long as the process. */
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"
#include "ext_jsonschema.h"
#include "ext_regex.h"

static js_schema **g_table; /* index 0 unused */
static uint32_t g_count, g_cap;

static void put_u32(uint8_t *d, uint32_t x) {
  d[0] = (uint8_t)x, d[1] = (uint8_t)(x >> 8), d[2] = (uint8_t)(x >> 16), d[3] = (uint8_t)(x >> 24);
}

static x07_bytes doc_with_payload(int ok, const char *magic, uint32_t code, const char *msg, size_t len) {
  x07_bytes out = x07_bytes_new((uint32_t)(14 + len));
  out.ptr[0] = (uint8_t)ok;
  memcpy(out.ptr + 1, magic, 4);
  out.ptr[5] = 1;
  put_u32(out.ptr + 6, code);
  put_u32(out.ptr + 10, (uint32_t)len);
  if (len) memcpy(out.ptr + 14, msg, len);
  return out;
}

static x07_bytes compile_err(uint32_t code, const char *msg, size_t len) {
  return doc_with_payload(0, "X7JS", code, msg, len);
}

static int valid_utf8(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n;) {
    uint32_t cp, l = xr_utf8_decode(p, n, i, &cp);
    if (!l) return 0;
    i += l;
  }
  return 1;
}

/* the dialect named by $schema (trailing '#' and '/' ignored, http or https) */
static int dialect_of(const ej *root, ej_buf *msg) {
  const ej *sv = root->t == EJ_OBJ ? ej_get(root, "$schema") : NULL;
  if (!sv) return JS_2020_12;
  if (sv->t != EJ_STR) {
    ej_buf_puts(msg, "schema $schema must be a string");
    return -3;
  }
  size_t n = sv->slen;
  while (n && sv->s[n - 1] == '#') n--;
  if (n && sv->s[n - 1] == '/') n--;
  static const struct { const char *tail; int id; } k[] = {
      {"://json-schema.org/draft/2020-12/schema", JS_2020_12}, {"://json-schema.org/draft/2019-09/schema", JS_2019_09},
      {"://json-schema.org/draft-07/schema", JS_DRAFT7}, {"://json-schema.org/draft-06/schema", JS_DRAFT6},
      {"://json-schema.org/draft-04/schema", JS_DRAFT4}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    for (int https = 0; https < 2; https++) {
      const char *scheme = https ? "https" : "http";
      size_t sl = strlen(scheme), tl = strlen(k[i].tail);
      if (n == sl + tl && !memcmp(sv->s, scheme, sl) && !memcmp(sv->s + sl, k[i].tail, tl)) return k[i].id;
    }
  ej_buf_puts(msg, "unsupported $schema dialect: ");
  ej_buf_put(msg, sv->s, sv->slen);
  return -2;
}

x07_bytes x07_ext_jsonschema_compile_v1(x07_view schema_json) {
  uint32_t h32 = 0x811c9dc5u;
  uint64_t h64 = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < schema_json.len; i++) {
    h32 = (h32 ^ schema_json.ptr[i]) * 0x01000193u;
    h64 = (h64 ^ schema_json.ptr[i]) * 0x100000001b3ull;
  }
  if (!valid_utf8(schema_json.ptr, schema_json.len)) return compile_err(1, "schema_json must be utf-8", 25);
  js_schema *s = calloc(1, sizeof *s);
  if (!s) x07_trap("jsonschema: out of memory");
  char perr[160];
  ej_buf msg = {0};
  x07_bytes out;
  if (ej_parse(&s->doc, schema_json.ptr, schema_json.len, perr, sizeof perr)) {
    ej_buf_puts(&msg, "invalid schema_json: ");
    ej_buf_puts(&msg, perr);
    out = compile_err(1, msg.p, msg.n);
    goto drop;
  }
  int d = dialect_of(s->doc.root, &msg);
  if (d < 0) {
    out = compile_err((uint32_t)-d, msg.p, msg.n);
    goto drop;
  }
  s->dialect = (uint8_t)d;
  s->len = schema_json.len;
  s->hash64 = h64;
  uint32_t h = 0;
  for (uint32_t i = 1; i < g_count && !h; i++) /* the same schema text compiled before */
    if (g_table[i] && g_table[i]->dialect == s->dialect && g_table[i]->len == s->len && g_table[i]->hash64 == h64)
      h = i;
  if (!h) {
    if (js_check_schema(s, &msg)) {
      out = compile_err(3, msg.p, msg.n);
      goto drop;
    }
    if (g_count == 0) g_count = 1;
    if (g_count >= g_cap) {
      uint32_t c = g_cap ? g_cap * 2 : 16;
      js_schema **t = realloc(g_table, c * sizeof *t);
      if (!t) x07_trap("jsonschema: out of memory");
      memset(t + g_cap, 0, (c - g_cap) * sizeof *t);
      g_table = t;
      g_cap = c;
    }
    h = g_count++;
    g_table[h] = s;
    s = NULL;
  }
  out = x07_bytes_new(15);
  out.ptr[0] = 1;
  memcpy(out.ptr + 1, "X7JS", 4);
  out.ptr[5] = 1;
  put_u32(out.ptr + 6, h);
  out.ptr[10] = (uint8_t)d;
  put_u32(out.ptr + 11, h32);
drop:
  if (s) {
    ej_free(&s->doc);
    free(s);
  }
  free(msg.p);
  return out;
}

static x07_bytes validate_err(uint32_t code, const char *keyword, const char *message) {
  ej_buf j = {0};
  ej_buf_puts(&j, "[{\"jsonPointer\":\"\",\"keyword\":");
  ej_write_str(&j, keyword, strlen(keyword));
  ej_buf_puts(&j, ",\"message\":");
  ej_write_str(&j, message, strlen(message));
  ej_buf_puts(&j, "}]");
  x07_bytes out = doc_with_payload(0, "X7JV", code, j.p, j.n);
  free(j.p);
  return out;
}

x07_bytes x07_ext_jsonschema_validate_v1(x07_view compiled, x07_view instance_json) {
  const uint8_t *c = compiled.ptr;
  if (compiled.len < 15) return validate_err(2, "internal", "compiled handle too short");
  if (c[0] == 0) return validate_err(2, "internal", "compiled handle is an error");
  if (memcmp(c + 1, "X7JS", 4)) return validate_err(2, "internal", "compiled handle magic mismatch");
  if (c[5] != 1) return validate_err(2, "internal", "compiled handle version mismatch");
  uint32_t h = (uint32_t)c[6] | (uint32_t)c[7] << 8 | (uint32_t)c[8] << 16 | (uint32_t)c[9] << 24;
  if (h == 0 || h >= g_count || !g_table[h]) return validate_err(2, "internal", "compiled schema handle not found");
  if (!valid_utf8(instance_json.ptr, instance_json.len)) return validate_err(3, "json", "instance_json must be utf-8");
  ej_doc inst;
  char perr[160];
  if (ej_parse(&inst, instance_json.ptr, instance_json.len, perr, sizeof perr)) {
    ej_free(&inst);
    char m[200] = "invalid instance_json: ";
    strncat(m, perr, sizeof m - strlen(m) - 1);
    return validate_err(3, "json", m);
  }
  js_errs errs = {0};
  int ok = js_validate(g_table[h], inst.root, &errs);
  ej_free(&inst);
  x07_bytes out;
  if (ok) {
    out = x07_bytes_new(6);
    out.ptr[0] = 1;
    memcpy(out.ptr + 1, "X7JV", 4);
    out.ptr[5] = 1;
  } else {
    ej_buf j = {0};
    ej_buf_puts(&j, "[");
    for (uint32_t i = 0; i < errs.n; i++) {
      ej_buf_puts(&j, i ? ",{\"jsonPointer\":" : "{\"jsonPointer\":");
      ej_write_str(&j, errs.e[i].ptr.p ? errs.e[i].ptr.p : "", errs.e[i].ptr.n);
      ej_buf_puts(&j, ",\"keyword\":");
      ej_write_str(&j, errs.e[i].kw.p ? errs.e[i].kw.p : "", errs.e[i].kw.n);
      ej_buf_puts(&j, ",\"message\":");
      ej_write_str(&j, errs.e[i].msg.p ? errs.e[i].msg.p : "", errs.e[i].msg.n);
      ej_buf_puts(&j, "}");
    }
    ej_buf_puts(&j, "]");
    out = doc_with_payload(0, "X7JV", 1, j.p, j.n);
    free(j.p);
  }
  for (uint32_t i = 0; i < errs.n; i++) free(errs.e[i].ptr.p), free(errs.e[i].kw.p), free(errs.e[i].msg.p);
  free(errs.e);
  return out;
}
