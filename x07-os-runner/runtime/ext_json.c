/* JSON DOM for native builtins (ext_json.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"
#include "ext_json.h"

#define EJ_MAX_DEPTH 512

struct ej_block {
  ej_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char mem[];
};

static void *arena(ej_doc *d, size_t n) {
  n = (n + 15) & ~(size_t)15;
  ej_block *b = d->blocks;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 65536 ? n : 65536;
    b = malloc(sizeof *b + cap);
    if (!b) x07_trap("json: out of memory");
    b->next = d->blocks;
    b->used = 0;
    b->cap = cap;
    d->blocks = b;
  }
  void *p = b->mem + b->used;
  b->used += n;
  return p;
}

void ej_free(ej_doc *d) {
  while (d->blocks) {
    ej_block *b = d->blocks;
    d->blocks = b->next;
    free(b);
  }
  d->root = NULL;
}

typedef struct {
  ej_doc *d;
  const uint8_t *p;
  uint32_t n, i;
  char *err;
  size_t errcap;
} jp;

static int fail(jp *s, const char *what) {
  uint32_t line = 1, col = 1;
  for (uint32_t k = 0; k < s->i && k < s->n; k++) {
    if (s->p[k] == '\n') line++, col = 1;
    else col++;
  }
  snprintf(s->err, s->errcap, "%s at line %u column %u", what, line, col);
  return -1;
}

static void ws(jp *s) {
  while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' || s->p[s->i] == '\r')) s->i++;
}

static int hex4(jp *s, uint32_t *out) {
  if (s->n - s->i < 4) return fail(s, "EOF while parsing a string");
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    uint8_t c = s->p[s->i++];
    int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (h < 0) return fail(s, "invalid escape");
    v = v * 16 + (uint32_t)h;
  }
  *out = v;
  return 0;
}

static uint32_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* after the opening quote; the decoded text is never longer than the source */
static int str(jp *s, const char **out, uint32_t *olen) {
  uint32_t start = s->i;
  while (s->i < s->n && s->p[s->i] != '"') s->i += s->p[s->i] == '\\' ? 2 : 1;
  if (s->i >= s->n) return fail(s, "EOF while parsing a string");
  char *o = arena(s->d, s->i - start + 1);
  uint32_t w = 0;
  s->i = start;
  while (s->p[s->i] != '"') {
    uint8_t c = s->p[s->i];
    if (c < 0x20) return fail(s, "control character (\\u0000-\\u001F) found while parsing a string");
    if (c != '\\') {
      o[w++] = (char)c;
      s->i++;
      continue;
    }
    s->i++;
    uint8_t e = s->p[s->i++];
    switch (e) {
      case '"': o[w++] = '"'; break;
      case '\\': o[w++] = '\\'; break;
      case '/': o[w++] = '/'; break;
      case 'b': o[w++] = '\b'; break;
      case 'f': o[w++] = '\f'; break;
      case 'n': o[w++] = '\n'; break;
      case 'r': o[w++] = '\r'; break;
      case 't': o[w++] = '\t'; break;
      case 'u': {
        uint32_t cp;
        if (hex4(s, &cp)) return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (s->n - s->i < 6 || s->p[s->i] != '\\' || s->p[s->i + 1] != 'u') return fail(s, "lone leading surrogate in hex escape");
          s->i += 2;
          if (hex4(s, &lo)) return -1;
          if (lo < 0xDC00 || lo > 0xDFFF) return fail(s, "lone leading surrogate in hex escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return fail(s, "lone leading surrogate in hex escape");
        }
        w += put_utf8(o + w, cp);
        break;
      }
      default: return fail(s, "invalid escape");
    }
  }
  s->i++;
  o[w] = 0;
  *out = o;
  *olen = w;
  return 0;
}

static int value(jp *s, ej **out, int depth);

static int number(jp *s, ej *v) {
  uint32_t st = s->i;
  if (s->p[s->i] == '-') s->i++;
  if (s->i >= s->n || !(s->p[s->i] >= '0' && s->p[s->i] <= '9')) return fail(s, "invalid number");
  if (s->p[s->i] == '0') s->i++;
  else while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9') s->i++;
  if (s->i < s->n && s->p[s->i] == '.') {
    s->i++;
    if (s->i >= s->n || !(s->p[s->i] >= '0' && s->p[s->i] <= '9')) return fail(s, "invalid number");
    while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9') s->i++;
  }
  if (s->i < s->n && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
    s->i++;
    if (s->i < s->n && (s->p[s->i] == '+' || s->p[s->i] == '-')) s->i++;
    if (s->i >= s->n || !(s->p[s->i] >= '0' && s->p[s->i] <= '9')) return fail(s, "invalid number");
    while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9') s->i++;
  }
  char *t = arena(s->d, s->i - st + 1);
  memcpy(t, s->p + st, s->i - st);
  t[s->i - st] = 0;
  v->t = EJ_NUM;
  v->s = t;
  v->slen = s->i - st;
  v->num = strtod(t, NULL);
  if (isinf(v->num)) return fail(s, "number out of range");
  return 0;
}

static int lit(jp *s, const char *w) {
  size_t l = strlen(w);
  if (s->n - s->i < l || memcmp(s->p + s->i, w, l) != 0) return fail(s, "expected value");
  s->i += (uint32_t)l;
  return 0;
}

static int value(jp *s, ej **out, int depth) {
  if (depth > EJ_MAX_DEPTH) return fail(s, "recursion limit exceeded");
  ws(s);
  if (s->i >= s->n) return fail(s, "EOF while parsing a value");
  ej *v = arena(s->d, sizeof *v);
  memset(v, 0, sizeof *v);
  *out = v;
  uint8_t c = s->p[s->i];
  if (c == '"') {
    s->i++;
    v->t = EJ_STR;
    return str(s, &v->s, &v->slen);
  }
  if (c == '{' || c == '[') {
    int obj = c == '{';
    uint32_t cap = 0;
    v->t = obj ? EJ_OBJ : EJ_ARR;
    s->i++;
    ws(s);
    if (s->i < s->n && s->p[s->i] == (obj ? '}' : ']')) {
      s->i++;
      return 0;
    }
    for (;;) {
      ws(s);
      if (v->n == cap) { /* grow the item (and name) arrays together */
        uint32_t c = cap ? cap * 2 : 4;
        ej **nv = arena(s->d, c * sizeof *nv);
        if (v->n) memcpy(nv, v->v, v->n * sizeof *nv);
        v->v = nv;
        if (obj) {
          const char **nk = arena(s->d, c * sizeof *nk);
          uint32_t *nl = arena(s->d, c * sizeof *nl);
          if (v->n) memcpy(nk, v->k, v->n * sizeof *nk), memcpy(nl, v->klen, v->n * sizeof *nl);
          v->k = nk;
          v->klen = nl;
        }
        cap = c;
      }
      if (obj) {
        if (s->i >= s->n || s->p[s->i] != '"') return fail(s, "key must be a string");
        s->i++;
        const char *key;
        uint32_t kl;
        if (str(s, &key, &kl)) return -1;
        v->k[v->n] = key;
        v->klen[v->n] = kl;
        ws(s);
        if (s->i >= s->n || s->p[s->i] != ':') return fail(s, "expected `:`");
        s->i++;
      }
      if (value(s, &v->v[v->n], depth + 1)) return -1;
      v->n++;
      ws(s);
      if (s->i < s->n && s->p[s->i] == ',') {
        s->i++;
        continue;
      }
      if (s->i < s->n && s->p[s->i] == (obj ? '}' : ']')) {
        s->i++;
        return 0;
      }
      return fail(s, obj ? "expected `,` or `}`" : "expected `,` or `]`");
    }
  }
  if (c == 't') { v->t = EJ_BOOL; v->b = 1; return lit(s, "true"); }
  if (c == 'f') { v->t = EJ_BOOL; return lit(s, "false"); }
  if (c == 'n') { v->t = EJ_NULL; return lit(s, "null"); }
  if (c == '-' || (c >= '0' && c <= '9')) return number(s, v);
  return fail(s, "expected value");
}

int ej_parse(ej_doc *d, const uint8_t *text, uint32_t len, char *err, size_t errcap) {
  d->blocks = NULL;
  d->root = NULL;
  jp s = {d, text, len, 0, err, errcap};
  if (value(&s, &d->root, 0)) return -1;
  ws(&s);
  if (s.i != s.n) return fail(&s, "trailing characters");
  return 0;
}

const ej *ej_get(const ej *obj, const char *key) {
  if (!obj || obj->t != EJ_OBJ) return NULL;
  size_t kl = strlen(key);
  for (uint32_t i = 0; i < obj->n; i++)
    if (obj->klen[i] == kl && memcmp(obj->k[i], key, kl) == 0) return obj->v[i];
  return NULL;
}

int ej_is_integer(const ej *v) { return v->t == EJ_NUM && floor(v->num) == v->num; }

int ej_equal(const ej *a, const ej *b) {
  if (a->t != b->t) return 0;
  switch (a->t) {
    case EJ_NULL: return 1;
    case EJ_BOOL: return a->b == b->b;
    case EJ_NUM: return a->num == b->num;
    case EJ_STR: return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
    case EJ_ARR:
      if (a->n != b->n) return 0;
      for (uint32_t i = 0; i < a->n; i++)
        if (!ej_equal(a->v[i], b->v[i])) return 0;
      return 1;
    default:
      if (a->n != b->n) return 0;
      for (uint32_t i = 0; i < a->n; i++) {
        int found = 0;
        for (uint32_t j = 0; j < b->n && !found; j++)
          if (a->klen[i] == b->klen[j] && memcmp(a->k[i], b->k[j], a->klen[i]) == 0) {
            if (!ej_equal(a->v[i], b->v[j])) return 0;
            found = 1;
          }
        if (!found) return 0;
      }
      return 1;
  }
}

void ej_buf_put(ej_buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t c = b->cap ? b->cap : 64;
    while (c < b->n + n + 1) c *= 2;
    char *p = realloc(b->p, c);
    if (!p) x07_trap("json: out of memory");
    b->p = p;
    b->cap = c;
  }
  if (n) memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

void ej_buf_puts(ej_buf *b, const char *s) { ej_buf_put(b, s, strlen(s)); }

void ej_write_str(ej_buf *b, const char *s, size_t n) {
  ej_buf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"') ej_buf_put(b, "\\\"", 2);
    else if (c == '\\') ej_buf_put(b, "\\\\", 2);
    else if (c == '\n') ej_buf_put(b, "\\n", 2);
    else if (c == '\r') ej_buf_put(b, "\\r", 2);
    else if (c == '\t') ej_buf_put(b, "\\t", 2);
    else if (c == '\b') ej_buf_put(b, "\\b", 2);
    else if (c == '\f') ej_buf_put(b, "\\f", 2);
    else if (c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      ej_buf_put(b, esc, 6);
    } else ej_buf_put(b, (const char *)&s[i], 1);
  }
  ej_buf_put(b, "\"", 1);
}

static int key_cmp(const ej *o, uint32_t a, uint32_t b) {
  uint32_t n = o->klen[a] < o->klen[b] ? o->klen[a] : o->klen[b];
  int c = memcmp(o->k[a], o->k[b], n);
  return c ? c : (o->klen[a] > o->klen[b]) - (o->klen[a] < o->klen[b]);
}

void ej_write(ej_buf *b, const ej *v) {
  switch (v->t) {
    case EJ_NULL: ej_buf_puts(b, "null"); return;
    case EJ_BOOL: ej_buf_puts(b, v->b ? "true" : "false"); return;
    case EJ_NUM: ej_buf_put(b, v->s, v->slen); return;
    case EJ_STR: ej_write_str(b, v->s, v->slen); return;
    case EJ_ARR:
      ej_buf_put(b, "[", 1);
      for (uint32_t i = 0; i < v->n; i++) {
        if (i) ej_buf_put(b, ",", 1);
        ej_write(b, v->v[i]);
      }
      ej_buf_put(b, "]", 1);
      return;
    default: {
      uint32_t *ord = malloc((v->n ? v->n : 1) * sizeof *ord);
      if (!ord) x07_trap("json: out of memory");
      for (uint32_t i = 0; i < v->n; i++) {
        uint32_t j = i;
        while (j > 0 && key_cmp(v, ord[j - 1], i) > 0) ord[j] = ord[j - 1], j--;
        ord[j] = i;
      }
      ej_buf_put(b, "{", 1);
      for (uint32_t i = 0; i < v->n; i++) {
        if (i) ej_buf_put(b, ",", 1);
        ej_write_str(b, v->k[ord[i]], v->klen[ord[i]]);
        ej_buf_put(b, ":", 1);
        ej_write(b, v->v[ord[i]]);
      }
      ej_buf_put(b, "}", 1);
      free(ord);
    }
  }
}
