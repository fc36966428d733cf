/* RFC 8785 JSON canonicalization (JCS) for std.stream.xf.json_canon_stream_v1:
 * no insignificant whitespace, object members sorted by the UTF-16 code units of
 * their names, strings re-escaped minimally (\b \t \n \f \r \" \\ and \u00xx for
 * other controls, everything else as UTF-8), numbers printed as ECMAScript's
 * Number.prototype.toString of the nearest double.
 * I-JSON rules: invalid UTF-8, lone surrogates, noncharacters, duplicate member
 * names and numbers outside the double range are "not I-JSON" (21). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_xf.h"

enum { E_SYNTAX = 20, E_NOT_IJSON = 21, E_TOO_DEEP = 22, E_OBJECT_TOO_LARGE = 23, E_TRAILING = 24 };

typedef struct {
  const uint8_t *buf;
  uint32_t len, max_depth, max_members, max_obj_bytes;
  uint32_t err, off;
} jcs;

static int jfail(jcs *j, uint32_t code, uint32_t off) {
  if (!j->err) {
    j->err = code;
    j->off = off;
  }
  return -1;
}

static uint32_t skip_ws(const jcs *j, uint32_t pos) {
  while (pos < j->len && (j->buf[pos] == ' ' || j->buf[pos] == '\t' || j->buf[pos] == '\n' || j->buf[pos] == '\r'))
    pos++;
  return pos;
}

static int nonchar(uint32_t cp) { return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE; }

static int hex4(const jcs *j, uint32_t pos, uint32_t *out) {
  if (j->len - pos < 4 || pos > j->len) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = j->buf[pos + i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return 0;
    v = v * 16 + (uint32_t)d;
  }
  *out = v;
  return 1;
}

/* Strict UTF-8 decode (no overlongs, no surrogates, max U+10FFFF). */
static int utf8(const jcs *j, uint32_t pos, uint32_t *cp, uint32_t *next) {
  const uint8_t *s = j->buf + pos;
  uint32_t n = j->len - pos;
  uint8_t b0 = s[0];
  uint32_t need, c, min;
  if (b0 >= 0xC2 && b0 <= 0xDF) need = 1, c = b0 & 0x1F, min = 0x80;
  else if (b0 >= 0xE0 && b0 <= 0xEF) need = 2, c = b0 & 0x0F, min = 0x800;
  else if (b0 >= 0xF0 && b0 <= 0xF4) need = 3, c = b0 & 0x07, min = 0x10000;
  else return 0;
  if (n < need + 1) return 0;
  for (uint32_t i = 1; i <= need; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  *next = pos + need + 1;
  return 1;
}

static void push_utf8(x07_vec *o, uint32_t cp) {
  uint8_t b[4];
  uint32_t n;
  if (cp < 0x80) b[0] = (uint8_t)cp, n = 1;
  else if (cp < 0x800) b[0] = (uint8_t)(0xC0 | (cp >> 6)), b[1] = (uint8_t)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000)
    b[0] = (uint8_t)(0xE0 | (cp >> 12)), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (uint8_t)(0x80 | (cp & 0x3F)),
    n = 3;
  else
    b[0] = (uint8_t)(0xF0 | (cp >> 18)), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F)),
    b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (uint8_t)(0x80 | (cp & 0x3F)), n = 4;
  x07_vec_push_bytes(o, b, n);
}

static void push_escaped(x07_vec *o, uint32_t cp) {
  const char *e = NULL;
  switch (cp) {
    case '\b': e = "\\b"; break;
    case '\t': e = "\\t"; break;
    case '\n': e = "\\n"; break;
    case '\f': e = "\\f"; break;
    case '\r': e = "\\r"; break;
    case '"': e = "\\\""; break;
    case '\\': e = "\\\\"; break;
  }
  if (e) {
    x07_vec_push_bytes(o, e, 2);
  } else if (cp < 0x20) {
    char u[7];
    snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
    x07_vec_push_bytes(o, u, 6);
  } else {
    push_utf8(o, cp);
  }
}

/* UTF-16 code units, big-endian, so that memcmp orders like JCS. */
static void push_sort_key(x07_vec *k, uint32_t cp) {
  uint8_t b[4];
  if (cp < 0x10000) {
    b[0] = (uint8_t)(cp >> 8), b[1] = (uint8_t)cp;
    x07_vec_push_bytes(k, b, 2);
    return;
  }
  uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
  b[0] = (uint8_t)(hi >> 8), b[1] = (uint8_t)hi, b[2] = (uint8_t)(lo >> 8), b[3] = (uint8_t)lo;
  x07_vec_push_bytes(k, b, 4);
}

/* Parses the string at pos into `out` (escaped, with quotes) and optionally its sort key. */
static int parse_string(jcs *j, uint32_t pos, x07_vec *out, x07_vec *key, uint32_t *end) {
  if (pos >= j->len || j->buf[pos] != '"') return jfail(j, E_SYNTAX, pos);
  x07_vec_push_bytes(out, "\"", 1);
  pos++;
  for (;;) {
    if (pos >= j->len) return jfail(j, E_SYNTAX, pos);
    uint8_t c = j->buf[pos];
    uint32_t cp, next;
    if (c == '"') {
      x07_vec_push_bytes(out, "\"", 1);
      *end = pos + 1;
      return 0;
    }
    if (c == '\\') {
      uint32_t esc = pos;
      if (j->len - pos < 2) return jfail(j, E_SYNTAX, pos);
      uint8_t e = j->buf[pos + 1];
      next = pos + 2;
      switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
          uint32_t u;
          if (!hex4(j, pos + 2, &u)) return jfail(j, E_SYNTAX, esc);
          next = pos + 6;
          if (u >= 0xDC00 && u <= 0xDFFF) return jfail(j, E_NOT_IJSON, esc);
          if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t u2;
            if (j->len - next < 6 || j->buf[next] != '\\' || j->buf[next + 1] != 'u') return jfail(j, E_NOT_IJSON, esc);
            if (!hex4(j, next + 2, &u2)) return jfail(j, E_SYNTAX, esc);
            if (u2 < 0xDC00 || u2 > 0xDFFF) return jfail(j, E_NOT_IJSON, esc);
            u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
            next += 6;
          }
          cp = u;
          break;
        }
        default:
          return jfail(j, E_SYNTAX, esc);
      }
      if (nonchar(cp)) return jfail(j, E_NOT_IJSON, esc);
    } else if (c < 0x20) {
      return jfail(j, E_SYNTAX, pos);
    } else if (c < 0x80) {
      cp = c;
      next = pos + 1;
    } else {
      if (!utf8(j, pos, &cp, &next) || nonchar(cp)) return jfail(j, E_NOT_IJSON, pos);
    }
    if (key) push_sort_key(key, cp);
    push_escaped(out, cp);
    pos = next;
  }
}

/* ECMAScript Number::toString for a finite double. */
static void push_number(x07_vec *o, double d) {
  if (d == 0) {
    x07_vec_push_bytes(o, "0", 1);
    return;
  }
  char buf[40];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (strtod(buf, NULL) == d) break;
  }
  /* buf: [-]D[.DDD]e[+-]XX */
  char digits[24];
  int nd = 0, neg = buf[0] == '-';
  const char *s = buf + neg;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9') digits[nd++] = *s;
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  int exp = atoi(s + 1); /* value = 0.D1D2... * 10^(exp+1) */
  int n = exp + 1;       /* ES: digits * 10^(n-k) */
  if (neg) x07_vec_push_bytes(o, "-", 1);
  if (nd <= n && n <= 21) {
    x07_vec_push_bytes(o, digits, (uint32_t)nd);
    for (int i = nd; i < n; i++) x07_vec_push_bytes(o, "0", 1);
  } else if (0 < n && n <= 21) {
    x07_vec_push_bytes(o, digits, (uint32_t)n);
    x07_vec_push_bytes(o, ".", 1);
    x07_vec_push_bytes(o, digits + n, (uint32_t)(nd - n));
  } else if (-6 < n && n <= 0) {
    x07_vec_push_bytes(o, "0.", 2);
    for (int i = 0; i < -n; i++) x07_vec_push_bytes(o, "0", 1);
    x07_vec_push_bytes(o, digits, (uint32_t)nd);
  } else {
    char e[16];
    x07_vec_push_bytes(o, digits, 1);
    if (nd > 1) {
      x07_vec_push_bytes(o, ".", 1);
      x07_vec_push_bytes(o, digits + 1, (uint32_t)(nd - 1));
    }
    int len = snprintf(e, sizeof e, "e%c%d", n - 1 >= 0 ? '+' : '-', n - 1 >= 0 ? n - 1 : 1 - n);
    x07_vec_push_bytes(o, e, (uint32_t)len);
  }
}

static int parse_number(jcs *j, uint32_t pos, x07_vec *out, uint32_t *end) {
  uint32_t start = pos;
  const uint8_t *b = j->buf;
#define DIGIT(p) ((p) < j->len && b[p] >= '0' && b[p] <= '9')
  if (pos < j->len && b[pos] == '-') pos++;
  if (pos < j->len && b[pos] == '0') {
    pos++;
    if (DIGIT(pos)) return jfail(j, E_SYNTAX, start);
  } else if (DIGIT(pos)) {
    while (DIGIT(pos)) pos++;
  } else {
    return jfail(j, E_SYNTAX, start);
  }
  if (pos < j->len && b[pos] == '.') {
    pos++;
    if (!DIGIT(pos)) return jfail(j, E_SYNTAX, start);
    while (DIGIT(pos)) pos++;
  }
  if (pos < j->len && (b[pos] == 'e' || b[pos] == 'E')) {
    pos++;
    if (pos < j->len && (b[pos] == '+' || b[pos] == '-')) pos++;
    if (!DIGIT(pos)) return jfail(j, E_SYNTAX, start);
    while (DIGIT(pos)) pos++;
  }
#undef DIGIT
  uint32_t n = pos - start;
  char *tmp = (char *)x07_alloc(n + 1);
  memcpy(tmp, b + start, n);
  double d = strtod(tmp, NULL);
  x07_free(tmp);
  if (!isfinite(d)) return jfail(j, E_NOT_IJSON, start);
  push_number(out, d);
  *end = pos;
  return 0;
}

static int parse_value(jcs *j, uint32_t pos, uint32_t depth, x07_vec *out, uint32_t *end);

static int parse_array(jcs *j, uint32_t pos, uint32_t depth, x07_vec *out, uint32_t *end) {
  x07_vec_push_bytes(out, "[", 1);
  pos = skip_ws(j, pos + 1);
  if (pos >= j->len) return jfail(j, E_SYNTAX, pos);
  if (j->buf[pos] == ']') {
    x07_vec_push_bytes(out, "]", 1);
    *end = pos + 1;
    return 0;
  }
  for (int first = 1;; first = 0) {
    if (!first) x07_vec_push_bytes(out, ",", 1);
    if (parse_value(j, pos, depth, out, &pos)) return -1;
    pos = skip_ws(j, pos);
    if (pos >= j->len) return jfail(j, E_SYNTAX, pos);
    if (j->buf[pos] == ',') {
      pos = skip_ws(j, pos + 1);
      continue;
    }
    if (j->buf[pos] == ']') {
      x07_vec_push_bytes(out, "]", 1);
      *end = pos + 1;
      return 0;
    }
    return jfail(j, E_SYNTAX, pos);
  }
}

typedef struct {
  x07_vec key, text; /* sort key (UTF-16BE), "name":value */
  uint32_t off;
} member;

static int cmp_member(const void *a, const void *b) {
  const member *x = (const member *)a, *y = (const member *)b;
  uint32_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
  int c = n ? memcmp(x->key.ptr, y->key.ptr, n) : 0;
  if (c) return c;
  if (x->key.len != y->key.len) return x->key.len < y->key.len ? -1 : 1;
  return x->off < y->off ? -1 : x->off > y->off;
}

static void free_members(member *m, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    x07_vec_drop(m[i].key);
    x07_vec_drop(m[i].text);
  }
  x07_free(m);
}

static int parse_object(jcs *j, uint32_t pos, uint32_t depth, x07_vec *out, uint32_t *end) {
  uint32_t obj_off = pos;
  pos = skip_ws(j, pos + 1);
  if (pos >= j->len) return jfail(j, E_SYNTAX, pos);
  if (j->buf[pos] == '}') {
    x07_vec_push_bytes(out, "{}", 2);
    *end = pos + 1;
    return 0;
  }
  member *m = NULL;
  uint32_t n = 0, cap = 0;
  uint64_t used = 0;
  int rc = -1;
  for (;;) {
    if (pos >= j->len || j->buf[pos] != '"') {
      jfail(j, E_SYNTAX, pos);
      goto done;
    }
    if (j->max_members && n >= j->max_members) {
      jfail(j, E_OBJECT_TOO_LARGE, obj_off);
      goto done;
    }
    if (n == cap) {
      uint32_t nc = cap ? cap * 2 : 8;
      member *nm = (member *)x07_alloc(nc * (uint32_t)sizeof(member));
      if (n) memcpy(nm, m, n * sizeof(member));
      x07_free(m);
      m = nm;
      cap = nc;
    }
    member *cur = &m[n++];
    cur->off = pos;
    if (parse_string(j, pos, &cur->text, &cur->key, &pos)) goto done;
    pos = skip_ws(j, pos);
    if (pos >= j->len || j->buf[pos] != ':') {
      jfail(j, E_SYNTAX, pos);
      goto done;
    }
    x07_vec_push_bytes(&cur->text, ":", 1);
    if (parse_value(j, pos + 1, depth, &cur->text, &pos)) goto done;
    /* upstream's budget: per member its record (key offset + 3 lengths, escaped name, sort key,
     * value) and a 4-byte offset entry; 8 more bytes per member for the sort at the end */
    used += (uint64_t)(cur->text.len - 1) + cur->key.len + 20;
    if (used > j->max_obj_bytes) {
      jfail(j, E_OBJECT_TOO_LARGE, obj_off);
      goto done;
    }
    pos = skip_ws(j, pos);
    if (pos >= j->len) {
      jfail(j, E_SYNTAX, pos);
      goto done;
    }
    if (j->buf[pos] == ',') {
      pos = skip_ws(j, pos + 1);
      continue;
    }
    if (j->buf[pos] == '}') break;
    jfail(j, E_SYNTAX, pos);
    goto done;
  }
  if (used + 8ull * n > j->max_obj_bytes) {
    jfail(j, E_OBJECT_TOO_LARGE, obj_off);
    goto done;
  }
  qsort(m, n, sizeof(member), cmp_member);
  for (uint32_t i = 1; i < n; i++)
    if (m[i].key.len == m[i - 1].key.len && (!m[i].key.len || !memcmp(m[i].key.ptr, m[i - 1].key.ptr, m[i].key.len))) {
      jfail(j, E_NOT_IJSON, m[i].off);
      goto done;
    }
  x07_vec_push_bytes(out, "{", 1);
  for (uint32_t i = 0; i < n; i++) {
    if (i) x07_vec_push_bytes(out, ",", 1);
    x07_vec_push_bytes(out, m[i].text.ptr, m[i].text.len);
  }
  x07_vec_push_bytes(out, "}", 1);
  *end = pos + 1;
  rc = 0;
done:
  free_members(m, n);
  return rc;
}

static int parse_value(jcs *j, uint32_t pos, uint32_t depth, x07_vec *out, uint32_t *end) {
  pos = skip_ws(j, pos);
  if (pos >= j->len) return jfail(j, E_SYNTAX, pos);
  uint8_t c = j->buf[pos];
  if (c == '{' || c == '[') {
    if (depth >= j->max_depth) return jfail(j, E_TOO_DEEP, pos);
    return c == '{' ? parse_object(j, pos, depth + 1, out, end) : parse_array(j, pos, depth + 1, out, end);
  }
  if (c == '"') return parse_string(j, pos, out, NULL, end);
  static const char *const lits[] = {"true", "false", "null"};
  for (int i = 0; i < 3; i++) {
    uint32_t n = (uint32_t)strlen(lits[i]);
    if (c == (uint8_t)lits[i][0]) {
      if (j->len - pos < n || memcmp(j->buf + pos, lits[i], n) != 0) return jfail(j, E_SYNTAX, pos);
      x07_vec_push_bytes(out, lits[i], n);
      *end = pos + n;
      return 0;
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) return parse_number(j, pos, out, end);
  return jfail(j, E_SYNTAX, pos);
}

uint32_t x07_json_jcs_canon(const uint8_t *in, uint32_t len, uint32_t max_depth, uint32_t max_members,
                            uint32_t max_object_total_bytes, x07_bytes *out, uint32_t *err_off) {
  jcs j = {in, len, max_depth ? max_depth : 1, max_members, max_object_total_bytes, 0, 0};
  x07_vec o = {0, 0, 0};
  uint32_t pos = skip_ws(&j, 0), end = 0;
  if (pos >= len) {
    jfail(&j, E_SYNTAX, 0);
  } else if (parse_value(&j, pos, 0, &o, &end) == 0) {
    end = skip_ws(&j, end);
    if (end != len) jfail(&j, E_TRAILING, end);
  }
  if (j.err) {
    x07_vec_drop(o);
    *err_off = j.off;
    return j.err;
  }
  out->ptr = o.ptr;
  out->len = o.len;
  return 0;
}
