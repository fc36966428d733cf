/* jsonschema.* builtins: the keywords. Supported (per dialect, as JSON Schema defines them):
 * type, enum, const; multipleOf, minimum/maximum, exclusiveMinimum/exclusiveMaximum (draft 4: booleans);
 * minLength/maxLength (codepoints), pattern (the regex.* engine, Unicode mode); items/prefixItems
 * (2020-12) or items/additionalItems (earlier), minItems/maxItems, uniqueItems, contains
 * (+ minContains/maxContains from 2019-09); properties, patternProperties, additionalProperties,
 * required, minProperties/maxProperties, propertyNames, dependencies (draft 4-7),
 * dependentRequired/dependentSchemas and unevaluatedProperties/unevaluatedItems (2019-09+);
 * allOf, anyOf, oneOf, not, if/then/else (draft 7+); $ref to "#" + a JSON pointer (in draft 4-7 a
 * $ref replaces its siblings); boolean schemas. `format` is an annotation only.
 * Errors: one entry per failing keyword with the instance pointer, the keyword and a message worded
 * like upstream's validator's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"
#include "ext_jsonschema.h"
#include "ext_regex.h"

#define JS_MAX_DEPTH 256

typedef struct {
  const js_schema *sc;
  js_errs *errs; /* NULL: verdict only (inside anyOf / oneOf / not / if / contains) */
  ej_buf ipath;  /* instance pointer of the value being validated */
  int depth;
} ctx;

static void add_err(ctx *c, const char *kw, ej_buf *msg) {
  if (!c->errs) return;
  js_errs *e = c->errs;
  if (e->n == e->cap) {
    uint32_t cap = e->cap ? e->cap * 2 : 8;
    js_err *ne = realloc(e->e, cap * sizeof *ne);
    if (!ne) x07_trap("jsonschema: out of memory");
    e->e = ne;
    e->cap = cap;
  }
  js_err *x = &e->e[e->n++];
  memset(x, 0, sizeof *x);
  ej_buf_put(&x->ptr, c->ipath.p ? c->ipath.p : "", c->ipath.n);
  ej_buf_puts(&x->kw, kw);
  ej_buf_put(&x->msg, msg->p ? msg->p : "", msg->n);
}

/* msg = <instance JSON> + text */
static void err_inst(ctx *c, const char *kw, const ej *inst, const char *text, const ej *arg, const char *tail) {
  if (!c->errs) return;
  ej_buf m = {0};
  ej_write(&m, inst);
  ej_buf_puts(&m, text);
  if (arg) ej_write(&m, arg);
  if (tail) ej_buf_puts(&m, tail);
  add_err(c, kw, &m);
  free(m.p);
}

static int is_type(const ctx *c, const ej *v, const char *t, uint32_t tl) {
  if (tl == 4 && !memcmp(t, "null", 4)) return v->t == EJ_NULL;
  if (tl == 7 && !memcmp(t, "boolean", 7)) return v->t == EJ_BOOL;
  if (tl == 6 && !memcmp(t, "object", 6)) return v->t == EJ_OBJ;
  if (tl == 5 && !memcmp(t, "array", 5)) return v->t == EJ_ARR;
  if (tl == 6 && !memcmp(t, "number", 6)) return v->t == EJ_NUM;
  if (tl == 6 && !memcmp(t, "string", 6)) return v->t == EJ_STR;
  if (tl == 7 && !memcmp(t, "integer", 7)) {
    if (v->t != EJ_NUM) return 0;
    if (c->sc->dialect == JS_DRAFT4) return !strpbrk(v->s, ".eE");
    return ej_is_integer(v);
  }
  return 0;
}

static uint32_t utf8_len(const char *s, uint32_t n) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
  return k;
}

/* pattern / patternProperties: compiled per use (schemas are small; matching is linear) */
static int re_match(const char *pat, uint32_t pl, const char *s, uint32_t sl) {
  xr_prog p;
  uint32_t pos, st, en;
  if (xr_compile((const uint8_t *)pat, pl, 8, &p, &pos)) return 0;
  int m = xr_search(&p, (const uint8_t *)s, sl, 0, &st, &en, NULL);
  xr_prog_free(&p);
  return m;
}

static const ej *resolve_ref(const js_schema *sc, const ej *ref);

static int validate(ctx *c, const ej *s, const ej *inst, uint8_t *eval);

/* validates inst against s at instance pointer + "/seg" (seg NULL: same place) */
static int sub(ctx *c, const ej *s, const ej *inst, const char *seg, uint32_t seglen, uint8_t *eval) {
  size_t saved = c->ipath.n;
  if (seg) {
    ej_buf_put(&c->ipath, "/", 1);
    for (uint32_t i = 0; i < seglen; i++) { /* JSON pointer escaping */
      if (seg[i] == '~') ej_buf_put(&c->ipath, "~0", 2);
      else if (seg[i] == '/') ej_buf_put(&c->ipath, "~1", 2);
      else ej_buf_put(&c->ipath, &seg[i], 1);
    }
  }
  int ok = validate(c, s, inst, eval);
  c->ipath.n = saved;
  if (c->ipath.p) c->ipath.p[saved] = 0;
  return ok;
}

static int sub_index(ctx *c, const ej *s, const ej *inst, uint32_t i) {
  char num[16];
  int l = snprintf(num, sizeof num, "%u", i);
  return sub(c, s, inst, num, (uint32_t)l, NULL);
}

/* verdict only */
static int quiet(ctx *c, const ej *s, const ej *inst, uint8_t *eval) {
  js_errs *saved = c->errs;
  c->errs = NULL;
  int ok = validate(c, s, inst, eval);
  c->errs = saved;
  return ok;
}

static int later(const ctx *c, int dialect) { return c->sc->dialect == JS_2020_12 || c->sc->dialect == dialect; }
static int is_2019_plus(const ctx *c) { return later(c, JS_2019_09); }

static void merge(uint8_t *dst, const uint8_t *src, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) dst[i] |= src[i];
}

static int numeric(ctx *c, const ej *s, const ej *inst) {
  int ok = 1;
  const ej *k;
  double x = inst->num;
  if ((k = ej_get(s, "multipleOf")) && k->t == EJ_NUM && k->num > 0) {
    double q = x / k->num;
    if (!isfinite(q) || floor(q) != q) ok = 0, err_inst(c, "multipleOf", inst, " is not a multiple of ", k, NULL);
  }
  int d4 = c->sc->dialect == JS_DRAFT4;
  const ej *exmin = ej_get(s, "exclusiveMinimum"), *exmax = ej_get(s, "exclusiveMaximum");
  if ((k = ej_get(s, "minimum")) && k->t == EJ_NUM) {
    int excl = d4 && exmin && exmin->t == EJ_BOOL && exmin->b;
    if (excl ? x <= k->num : x < k->num)
      ok = 0, err_inst(c, excl ? "exclusiveMinimum" : "minimum", inst,
                       excl ? " is less than or equal to the minimum of " : " is less than the minimum of ", k, NULL);
  }
  if ((k = ej_get(s, "maximum")) && k->t == EJ_NUM) {
    int excl = d4 && exmax && exmax->t == EJ_BOOL && exmax->b;
    if (excl ? x >= k->num : x > k->num)
      ok = 0, err_inst(c, excl ? "exclusiveMaximum" : "maximum", inst,
                       excl ? " is greater than or equal to the maximum of " : " is greater than the maximum of ", k,
                       NULL);
  }
  if (!d4 && exmin && exmin->t == EJ_NUM && x <= exmin->num)
    ok = 0, err_inst(c, "exclusiveMinimum", inst, " is less than or equal to the minimum of ", exmin, NULL);
  if (!d4 && exmax && exmax->t == EJ_NUM && x >= exmax->num)
    ok = 0, err_inst(c, "exclusiveMaximum", inst, " is greater than or equal to the maximum of ", exmax, NULL);
  return ok;
}

static void count_msg(ctx *c, const char *kw, const ej *inst, const char *what, const ej *lim, const char *one,
                      const char *many) {
  char tail[32];
  snprintf(tail, sizeof tail, " %s", lim->num == 1 ? one : many);
  err_inst(c, kw, inst, what, lim, tail);
}

static int string_kw(ctx *c, const ej *s, const ej *inst) {
  int ok = 1;
  const ej *k;
  uint32_t len = utf8_len(inst->s, inst->slen);
  if ((k = ej_get(s, "maxLength")) && k->t == EJ_NUM && len > k->num)
    ok = 0, count_msg(c, "maxLength", inst, " is longer than ", k, "character", "characters");
  if ((k = ej_get(s, "minLength")) && k->t == EJ_NUM && len < k->num)
    ok = 0, count_msg(c, "minLength", inst, " is shorter than ", k, "character", "characters");
  if ((k = ej_get(s, "pattern")) && k->t == EJ_STR && !re_match(k->s, k->slen, inst->s, inst->slen))
    ok = 0, err_inst(c, "pattern", inst, " does not match ", k, NULL);
  return ok;
}

static int array_kw(ctx *c, const ej *s, const ej *inst, uint8_t *ev) {
  int ok = 1;
  const ej *k;
  uint32_t n = inst->n, first = 0;
  if (c->sc->dialect == JS_2020_12) {
    if ((k = ej_get(s, "prefixItems")) && k->t == EJ_ARR)
      for (uint32_t i = 0; i < k->n && i < n; i++, first++) {
        ok &= sub_index(c, k->v[i], inst->v[i], i);
        ev[i] = 1;
      }
    if ((k = ej_get(s, "items")))
      for (uint32_t i = first; i < n; i++) {
        ok &= sub_index(c, k, inst->v[i], i);
        ev[i] = 1;
      }
  } else if ((k = ej_get(s, "items"))) {
    if (k->t == EJ_ARR) {
      for (uint32_t i = 0; i < k->n && i < n; i++, first++) {
        ok &= sub_index(c, k->v[i], inst->v[i], i);
        ev[i] = 1;
      }
      const ej *ai = ej_get(s, "additionalItems");
      if (ai)
        for (uint32_t i = first; i < n; i++) {
          ok &= sub_index(c, ai, inst->v[i], i);
          ev[i] = 1;
        }
    } else {
      for (uint32_t i = 0; i < n; i++) {
        ok &= sub_index(c, k, inst->v[i], i);
        ev[i] = 1;
      }
    }
  }
  if ((k = ej_get(s, "maxItems")) && k->t == EJ_NUM && n > k->num)
    ok = 0, count_msg(c, "maxItems", inst, " has more than ", k, "item", "items");
  if ((k = ej_get(s, "minItems")) && k->t == EJ_NUM && n < k->num)
    ok = 0, count_msg(c, "minItems", inst, " has less than ", k, "item", "items");
  if ((k = ej_get(s, "uniqueItems")) && k->t == EJ_BOOL && k->b) {
    int dup = 0;
    for (uint32_t i = 0; i < n && !dup; i++)
      for (uint32_t j = i + 1; j < n && !dup; j++) dup = ej_equal(inst->v[i], inst->v[j]);
    if (dup) ok = 0, err_inst(c, "uniqueItems", inst, " has non-unique elements", NULL, NULL);
  }
  if ((k = ej_get(s, "contains")) && c->sc->dialect != JS_DRAFT4) {
    uint32_t hits = 0;
    for (uint32_t i = 0; i < n; i++)
      if (quiet(c, k, inst->v[i], NULL)) hits++, ev[i] = 1;
    const ej *mn = is_2019_plus(c) ? ej_get(s, "minContains") : NULL;
    const ej *mx = is_2019_plus(c) ? ej_get(s, "maxContains") : NULL;
    double lo = mn && mn->t == EJ_NUM ? mn->num : 1;
    if (hits < lo) {
      ok = 0;
      if (mn) count_msg(c, "minContains", inst, " contains less than ", mn, "matching item", "matching items");
      else err_inst(c, "contains", inst, " does not contain items matching the given schema", NULL, NULL);
    }
    if (mx && mx->t == EJ_NUM && hits > mx->num)
      ok = 0, count_msg(c, "maxContains", inst, " contains more than ", mx, "matching item", "matching items");
  }
  if (is_2019_plus(c) && (k = ej_get(s, "unevaluatedItems"))) {
    for (uint32_t i = 0; i < n; i++)
      if (!ev[i]) {
        if (k->t == EJ_BOOL && !k->b) {
          ok = 0;
          err_inst(c, "unevaluatedItems", inst, " has unevaluated items that are not allowed", NULL, NULL);
          break;
        }
        ok &= sub_index(c, k, inst->v[i], i);
        ev[i] = 1;
      }
  }
  return ok;
}

/* "('a', 'b' were unexpected)" */
static void unexpected_msg(ctx *c, const char *kw, const char *head, const ej *inst, const uint8_t *bad) {
  if (!c->errs) return;
  ej_buf m = {0};
  ej_buf_puts(&m, head);
  uint32_t count = 0;
  for (uint32_t i = 0; i < inst->n; i++)
    if (bad[i]) {
      ej_buf_puts(&m, count++ ? ", '" : "'");
      ej_buf_put(&m, inst->k[i], inst->klen[i]);
      ej_buf_puts(&m, "'");
    }
  ej_buf_puts(&m, count == 1 ? " was unexpected)" : " were unexpected)");
  add_err(c, kw, &m);
  free(m.p);
}

static int object_kw(ctx *c, const ej *s, const ej *inst, uint8_t *ev) {
  int ok = 1;
  const ej *k, *props = ej_get(s, "properties"), *pats = ej_get(s, "patternProperties");
  uint32_t n = inst->n;
  uint8_t *seen = calloc(n ? n : 1, 1); /* matched by properties / patternProperties */
  if (!seen) x07_trap("jsonschema: out of memory");
  for (uint32_t i = 0; i < n; i++) {
    if (props && props->t == EJ_OBJ)
      for (uint32_t j = 0; j < props->n; j++)
        if (props->klen[j] == inst->klen[i] && !memcmp(props->k[j], inst->k[i], inst->klen[i])) {
          ok &= sub(c, props->v[j], inst->v[i], inst->k[i], inst->klen[i], NULL);
          seen[i] = ev[i] = 1;
        }
    if (pats && pats->t == EJ_OBJ)
      for (uint32_t j = 0; j < pats->n; j++)
        if (re_match(pats->k[j], pats->klen[j], inst->k[i], inst->klen[i])) {
          ok &= sub(c, pats->v[j], inst->v[i], inst->k[i], inst->klen[i], NULL);
          seen[i] = ev[i] = 1;
        }
  }
  if ((k = ej_get(s, "additionalProperties"))) {
    if (k->t == EJ_BOOL && !k->b) {
      int any = 0;
      for (uint32_t i = 0; i < n; i++) any |= !seen[i];
      uint8_t *bad = malloc(n ? n : 1);
      if (!bad) x07_trap("jsonschema: out of memory");
      for (uint32_t i = 0; i < n; i++) bad[i] = !seen[i];
      if (any) ok = 0, unexpected_msg(c, "additionalProperties", "Additional properties are not allowed (", inst, bad);
      free(bad);
    } else {
      for (uint32_t i = 0; i < n; i++)
        if (!seen[i]) ok &= sub(c, k, inst->v[i], inst->k[i], inst->klen[i], NULL);
    }
    for (uint32_t i = 0; i < n; i++) ev[i] = 1;
  }
  free(seen);
  if ((k = ej_get(s, "required")) && k->t == EJ_ARR)
    for (uint32_t j = 0; j < k->n; j++) {
      const ej *r = k->v[j];
      if (r->t != EJ_STR) continue;
      int have = 0;
      for (uint32_t i = 0; i < n && !have; i++) have = inst->klen[i] == r->slen && !memcmp(inst->k[i], r->s, r->slen);
      if (!have) ok = 0, err_inst(c, "required", r, " is a required property", NULL, NULL);
    }
  if ((k = ej_get(s, "maxProperties")) && k->t == EJ_NUM && n > k->num)
    ok = 0, count_msg(c, "maxProperties", inst, " has more than ", k, "property", "properties");
  if ((k = ej_get(s, "minProperties")) && k->t == EJ_NUM && n < k->num)
    ok = 0, count_msg(c, "minProperties", inst, " has less than ", k, "property", "properties");
  if ((k = ej_get(s, "propertyNames")) && c->sc->dialect != JS_DRAFT4)
    for (uint32_t i = 0; i < n; i++) {
      ej name = {0};
      name.t = EJ_STR;
      name.s = inst->k[i];
      name.slen = inst->klen[i];
      ok &= validate(c, k, &name, NULL);
    }
  /* dependencies (draft 4-7) / dependentRequired + dependentSchemas (2019-09+) */
  const ej *dr = is_2019_plus(c) ? ej_get(s, "dependentRequired") : ej_get(s, "dependencies");
  const ej *ds = is_2019_plus(c) ? ej_get(s, "dependentSchemas") : dr;
  for (int pass = 0; pass < 2; pass++) {
    const ej *d = pass ? ds : dr;
    if (!d || d->t != EJ_OBJ) continue;
    for (uint32_t j = 0; j < d->n; j++) {
      int present = 0;
      for (uint32_t i = 0; i < n && !present; i++)
        present = inst->klen[i] == d->klen[j] && !memcmp(inst->k[i], d->k[j], d->klen[j]);
      if (!present) continue;
      const ej *dv = d->v[j];
      if (!pass && dv->t == EJ_ARR) {
        for (uint32_t q = 0; q < dv->n; q++) {
          if (dv->v[q]->t != EJ_STR) continue;
          if (!ej_get(inst, dv->v[q]->s)) ok = 0, err_inst(c, "required", dv->v[q], " is a required property", NULL, NULL);
        }
      } else if (pass && dv->t != EJ_ARR) {
        uint8_t *sev = calloc(n ? n : 1, 1);
        int v = validate(c, dv, inst, sev);
        if (v) merge(ev, sev, n);
        ok &= v;
        free(sev);
      }
    }
  }
  if (is_2019_plus(c) && (k = ej_get(s, "unevaluatedProperties"))) {
    uint8_t *bad = calloc(n ? n : 1, 1);
    int any = 0;
    for (uint32_t i = 0; i < n; i++)
      if (!ev[i]) {
        if (k->t == EJ_BOOL && !k->b) bad[i] = 1, any = 1;
        else ok &= sub(c, k, inst->v[i], inst->k[i], inst->klen[i], NULL);
        ev[i] = 1;
      }
    if (any) ok = 0, unexpected_msg(c, "unevaluatedProperties", "Unevaluated properties are not allowed (", inst, bad);
    free(bad);
  }
  return ok;
}

/* allOf / anyOf / oneOf / not / if-then-else / $ref: subschemas at the same instance location */
static int in_place(ctx *c, const ej *s, const ej *inst, uint8_t *ev, uint32_t n) {
  int ok = 1;
  const ej *k;
  uint8_t *sev = calloc(n ? n : 1, 1);
  if (!sev) x07_trap("jsonschema: out of memory");
#define RESET() memset(sev, 0, n ? n : 1)
  if ((k = ej_get(s, "allOf")) && k->t == EJ_ARR)
    for (uint32_t i = 0; i < k->n; i++) {
      RESET();
      int v = validate(c, k->v[i], inst, sev);
      if (v) merge(ev, sev, n);
      ok &= v;
    }
  if ((k = ej_get(s, "anyOf")) && k->t == EJ_ARR) {
    int any = 0;
    for (uint32_t i = 0; i < k->n; i++) {
      RESET();
      if (quiet(c, k->v[i], inst, sev)) any = 1, merge(ev, sev, n);
    }
    if (!any)
      ok = 0, err_inst(c, "anyOf", inst, " is not valid under any of the schemas listed in the 'anyOf' keyword", NULL,
                       NULL);
  }
  if ((k = ej_get(s, "oneOf")) && k->t == EJ_ARR) {
    uint32_t valid = 0;
    for (uint32_t i = 0; i < k->n; i++) {
      RESET();
      if (quiet(c, k->v[i], inst, sev)) valid++, merge(ev, sev, n);
    }
    if (valid == 0)
      ok = 0, err_inst(c, "oneOf", inst, " is not valid under any of the schemas listed in the 'oneOf' keyword", NULL,
                       NULL);
    else if (valid > 1)
      ok = 0, err_inst(c, "oneOf", inst, " is valid under more than one of the schemas listed in the 'oneOf' keyword",
                       NULL, NULL);
  }
  if ((k = ej_get(s, "not")) && quiet(c, k, inst, NULL)) {
    ok = 0;
    if (c->errs) {
      ej_buf m = {0};
      ej_write(&m, k);
      ej_buf_puts(&m, " is not allowed for ");
      ej_write(&m, inst);
      add_err(c, "not", &m);
      free(m.p);
    }
  }
  if (c->sc->dialect != JS_DRAFT4 && c->sc->dialect != JS_DRAFT6 && (k = ej_get(s, "if"))) {
    RESET();
    const ej *branch = quiet(c, k, inst, sev) ? ej_get(s, "then") : ej_get(s, "else");
    if (branch == ej_get(s, "then")) merge(ev, sev, n);
    if (branch) {
      RESET();
      int v = validate(c, branch, inst, sev);
      if (v) merge(ev, sev, n);
      ok &= v;
    }
  }
#undef RESET
  free(sev);
  return ok;
}

static int validate(ctx *c, const ej *s, const ej *inst, uint8_t *eval) {
  if (s->t == EJ_BOOL) {
    if (s->b) {
      if (eval && (inst->t == EJ_OBJ || inst->t == EJ_ARR)) memset(eval, 1, inst->n);
      return 1;
    }
    /* upstream's keyword here is the last segment of the false schema's own path (e.g. a property
     * name); this validator does not track schema paths and reports "" (right for a root `false`) */
    err_inst(c, "", inst, "", NULL, NULL);
    if (c->errs) { /* "False schema does not allow <instance>" */
      js_err *x = &c->errs->e[c->errs->n - 1];
      ej_buf m = {0};
      ej_buf_puts(&m, "False schema does not allow ");
      ej_write(&m, inst);
      free(x->msg.p);
      x->msg = m;
    }
    return 0;
  }
  if (s->t != EJ_OBJ) return 1;
  if (++c->depth > JS_MAX_DEPTH) {
    c->depth--;
    err_inst(c, "$ref", inst, " exceeds the schema recursion limit", NULL, NULL);
    return 0;
  }
  uint32_t n = inst->t == EJ_OBJ || inst->t == EJ_ARR ? inst->n : 0;
  uint8_t *ev = calloc(n ? n : 1, 1);
  if (!ev) x07_trap("jsonschema: out of memory");
  int ok = 1;
  const ej *k;
  const ej *ref = ej_get(s, "$ref");
  int ref_only = ref && !is_2019_plus(c);
  if (ref) {
    const ej *target = resolve_ref(c->sc, ref);
    uint8_t *sev = calloc(n ? n : 1, 1);
    int v = target ? validate(c, target, inst, sev) : 0;
    if (v) merge(ev, sev, n);
    ok &= v;
    free(sev);
  }
  if (!ref_only) {
    if ((k = ej_get(s, "type"))) {
      int match = 0;
      if (k->t == EJ_STR) match = is_type(c, inst, k->s, k->slen);
      else if (k->t == EJ_ARR)
        for (uint32_t i = 0; i < k->n && !match; i++)
          match = k->v[i]->t == EJ_STR && is_type(c, inst, k->v[i]->s, k->v[i]->slen);
      if (!match) {
        ok = 0;
        if (c->errs) {
          ej_buf m = {0};
          ej_write(&m, inst);
          if (k->t == EJ_STR) {
            ej_buf_puts(&m, " is not of type ");
            ej_write(&m, k);
          } else {
            ej_buf_puts(&m, " is not of types ");
            for (uint32_t i = 0; i < k->n; i++) {
              if (i) ej_buf_puts(&m, ", ");
              ej_write(&m, k->v[i]);
            }
          }
          add_err(c, "type", &m);
          free(m.p);
        }
      }
    }
    if ((k = ej_get(s, "enum")) && k->t == EJ_ARR) {
      int hit = 0;
      for (uint32_t i = 0; i < k->n && !hit; i++) hit = ej_equal(k->v[i], inst);
      if (!hit) ok = 0, err_inst(c, "enum", inst, " is not one of ", k, NULL);
    }
    if ((k = ej_get(s, "const")) && c->sc->dialect != JS_DRAFT4 && !ej_equal(k, inst)) {
      ok = 0;
      if (c->errs) {
        ej_buf m = {0};
        ej_write(&m, k);
        ej_buf_puts(&m, " was expected");
        add_err(c, "const", &m);
        free(m.p);
      }
    }
    if (inst->t == EJ_NUM) ok &= numeric(c, s, inst);
    if (inst->t == EJ_STR) ok &= string_kw(c, s, inst);
    ok &= in_place(c, s, inst, ev, n);
    if (inst->t == EJ_ARR) ok &= array_kw(c, s, inst, ev);
    if (inst->t == EJ_OBJ) ok &= object_kw(c, s, inst, ev);
  }
  if (ok && eval) merge(eval, ev, n);
  free(ev);
  c->depth--;
  return ok;
}

/* "#" + JSON pointer (~0 ~1, %xx); NULL when it does not resolve */
static const ej *resolve_ref(const js_schema *sc, const ej *ref) {
  if (ref->t != EJ_STR || ref->slen < 1 || ref->s[0] != '#') return NULL;
  const ej *cur = sc->doc.root;
  const char *p = ref->s + 1, *end = ref->s + ref->slen;
  if (p < end && *p != '/') return NULL;
  char seg[256];
  while (p < end && cur) {
    p++; /* '/' */
    size_t l = 0;
    while (p < end && *p != '/') {
      char ch = *p++;
      if (ch == '~' && p < end) ch = *p++ == '1' ? '/' : '~';
      else if (ch == '%' && end - p >= 2) {
        char hx[3] = {p[0], p[1], 0};
        ch = (char)strtol(hx, NULL, 16);
        p += 2;
      }
      if (l + 1 >= sizeof seg) return NULL;
      seg[l++] = ch;
    }
    seg[l] = 0;
    if (cur->t == EJ_OBJ) cur = ej_get(cur, seg);
    else if (cur->t == EJ_ARR) {
      char *e;
      unsigned long i = strtoul(seg, &e, 10);
      cur = *e || !l || i >= cur->n ? NULL : cur->v[i];
    } else cur = NULL;
  }
  return cur;
}

static int check_node(const js_schema *sc, const ej *s, ej_buf *msg, int depth) {
  if (depth > 512) return ej_buf_puts(msg, "schema nesting too deep"), 1;
  if (s->t == EJ_ARR) {
    for (uint32_t i = 0; i < s->n; i++)
      if (check_node(sc, s->v[i], msg, depth + 1)) return 1;
    return 0;
  }
  if (s->t != EJ_OBJ) return 0;
  for (uint32_t i = 0; i < s->n; i++) {
    const char *key = s->k[i];
    const ej *v = s->v[i];
    if (!strcmp(key, "$ref") && !resolve_ref(sc, v)) {
      ej_buf_puts(msg, "unresolvable $ref: ");
      if (v->t == EJ_STR) ej_buf_put(msg, v->s, v->slen);
      return 1;
    }
    if (!strcmp(key, "type") && v->t != EJ_STR && v->t != EJ_ARR) {
      ej_write(msg, v);
      ej_buf_puts(msg, " is not valid under any of the schemas listed in the 'anyOf' keyword");
      return 1;
    }
    if ((!strcmp(key, "required") && v->t != EJ_ARR && !(sc->dialect == JS_DRAFT4 && v->t == EJ_BOOL)) ||
        ((!strcmp(key, "minimum") || !strcmp(key, "maximum") || !strcmp(key, "multipleOf") ||
          !strcmp(key, "minLength") || !strcmp(key, "maxLength") || !strcmp(key, "minItems") ||
          !strcmp(key, "maxItems")) && v->t != EJ_NUM)) {
      ej_write(msg, v);
      ej_buf_puts(msg, v->t == EJ_ARR || key[0] == 'r' ? " is not of type \"array\"" : " is not of type \"number\"");
      return 1;
    }
    if (!strcmp(key, "pattern") && v->t == EJ_STR) {
      xr_prog p;
      uint32_t pos;
      if (xr_compile((const uint8_t *)v->s, v->slen, 8, &p, &pos)) {
        ej_write(msg, v);
        ej_buf_puts(msg, " is not a \"regex\"");
        return 1;
      }
      xr_prog_free(&p);
    }
    if (strcmp(key, "enum") && strcmp(key, "const") && check_node(sc, v, msg, depth + 1)) return 1;
  }
  return 0;
}

int js_check_schema(const js_schema *s, ej_buf *msg) { return check_node(s, s->doc.root, msg, 0); }

static int cmp_buf(const ej_buf *a, const ej_buf *b) {
  size_t n = a->n < b->n ? a->n : b->n;
  int r = n ? memcmp(a->p, b->p, n) : 0;
  return r ? r : (a->n > b->n) - (a->n < b->n);
}

static int cmp_err(const void *x, const void *y) {
  const js_err *a = x, *b = y;
  int r = cmp_buf(&a->ptr, &b->ptr);
  if (!r) r = cmp_buf(&a->kw, &b->kw);
  if (!r) r = cmp_buf(&a->msg, &b->msg);
  return r;
}

int js_validate(const js_schema *s, const ej *inst, js_errs *errs) {
  ctx c = {s, errs, {0}, 0};
  ej_buf_put(&c.ipath, "", 0);
  int ok = validate(&c, s->doc.root, inst, NULL);
  free(c.ipath.p);
  if (errs && errs->n) qsort(errs->e, errs->n, sizeof *errs->e, cmp_err); /* by pointer, keyword, message */
  return ok;
}
