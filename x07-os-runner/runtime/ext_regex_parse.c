/* regex.* builtins: pattern syntax -> AST (types in ext_regex_parse.h, sets and classes in
 * ext_regex_sets.c, AST -> program in ext_regex_gen.c). The syntax is the one upstream's
 * backend accepts (Rust regex syntax): literals, `.`, classes with ranges, negation, nested
 * classes and `[:ascii:]` names, perl classes `\d \w \s` (+ negations), `\p{..}`/`\P{..}` general
 * categories (Unicode mode only), anchors `^ $ \A \z \b \B \< \>`, groups `( )`, `(?: )`,
 * `(?P<n> )`, `(?<n> )`, flags `i m s U x u` (`(?flags)` / `(?flags: )`), greedy and lazy
 * `* + ? {n} {n,} {n,m}`, alternation. Errors carry upstream's codes and positions (the byte
 * offset where the parser found the problem; an unclosed group or class: the pattern length).
 * Not supported (an error, code 4): class set operations (`&&`, `--`, `~~`), Unicode scripts and
 * binary properties other than the general categories, `Any`, `ASCII` and `Assigned`. */
#include <stdlib.h>
#include <string.h>
#include "ext_regex_parse.h"

_Noreturn void xr_fail(P *ps, uint32_t code, uint32_t pos) {
  ps->err = code;
  ps->errpos = pos;
  longjmp(ps->jb, 1);
}

void *xr_alloc(P *ps, size_t n) {
  void *q = calloc(1, n ? n : 1);
  if (!q) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
  return q;
}

nd *xr_node(P *ps, int kind) {
  nd *x = xr_alloc(ps, sizeof *x);
  x->kind = (uint8_t)kind;
  x->next_alloc = ps->nodes;
  ps->nodes = x;
  return x;
}

static void add_kid(P *ps, nd *x, nd *kid) {
  if (x->nk == x->capk) {
    uint32_t c = x->capk ? x->capk * 2 : 4;
    nd **k = realloc(x->k, c * sizeof *k);
    if (!k) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
    x->k = k;
    x->capk = c;
  }
  x->k[x->nk++] = kid;
}

static nd *set_node(P *ps, xr_set *s) {
  if (ps->flags & F_I) xr_set_fold(ps, s);
  nd *x = xr_node(ps, ND_SET);
  x->set = xr_prog_set(ps, s);
  return x;
}

/* ---------------- lexing ---------------- */

static int at_end(P *ps) { return ps->i >= ps->n; }
static uint8_t peek(P *ps) { return ps->p[ps->i]; }

static void skip_ws(P *ps) {
  if (!(ps->flags & F_X)) return;
  while (!at_end(ps)) {
    uint8_t c = peek(ps);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') ps->i++;
    else if (c == '#') {
      while (!at_end(ps) && peek(ps) != '\n') ps->i++;
    } else break;
  }
}

/* next codepoint of the (already UTF-8 validated) pattern */
static uint32_t next_cp(P *ps) {
  uint32_t cp = 0, len = xr_utf8_decode(ps->p, ps->n, ps->i, &cp);
  ps->i += len ? len : 1;
  return cp;
}

static int hexval(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* \x \u \U after the letter; esc is the offset of the backslash */
static uint32_t parse_hex(P *ps, uint8_t kind, uint32_t esc) {
  uint32_t want = kind == 'x' ? 2 : kind == 'u' ? 4 : 8, v = 0;
  if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
  if (peek(ps) == '{') {
    ps->i++;
    uint32_t digits = 0;
    while (!at_end(ps) && peek(ps) != '}') {
      int h = hexval(peek(ps));
      if (h < 0 || digits >= 8) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      v = v * 16 + (uint32_t)h;
      digits++;
      ps->i++;
    }
    if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
    if (!digits) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
    ps->i++;
  } else {
    for (uint32_t d = 0; d < want; d++) {
      if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      int h = hexval(peek(ps));
      if (h < 0) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      v = v * 16 + (uint32_t)h;
      ps->i++;
    }
  }
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
  return v;
}

/* One escape. Returns 1 with *cp for a literal, 0 with the set filled for a class, 2 with *cp
 * = XA_* for an assertion (in_class: assertions are errors). */
static int parse_escape(P *ps, uint32_t *cp, xr_set *set, int in_class) {
  uint32_t esc = ps->i;
  ps->i++; /* backslash */
  if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->n);
  uint8_t c = peek(ps);
  ps->i++;
  switch (c) {
    case 'a': *cp = 7; return 1;
    case 'f': *cp = 12; return 1;
    case 't': *cp = 9; return 1;
    case 'n': *cp = 10; return 1;
    case 'r': *cp = 13; return 1;
    case 'v': *cp = 11; return 1;
    case 'x': case 'u': case 'U':
      *cp = parse_hex(ps, c, esc);
      if (!ps->unicode && *cp > 0xFF) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
      return 1;
    case 'd': case 's': case 'w': case 'D': case 'S': case 'W':
      xr_add_perl(ps, set, (char)(c | 0x20));
      if (c < 'a') xr_set_negate(ps, set);
      return 0;
    case 'p': case 'P': {
      if (!ps->unicode) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
      char name[64];
      size_t nl = 0;
      if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      if (peek(ps) == '{') {
        ps->i++;
        while (!at_end(ps) && peek(ps) != '}') {
          if (nl + 1 >= sizeof name) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
          name[nl++] = (char)peek(ps);
          ps->i++;
        }
        if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
        ps->i++;
      } else {
        name[nl++] = (char)next_cp(ps);
      }
      name[nl] = 0;
      xr_add_property(ps, set, name, esc);
      if (c == 'P') xr_set_negate(ps, set);
      return 0;
    }
    case 'b': case 'B': case 'A': case 'z': case '<': case '>':
      if (in_class) xr_fail(ps, XR_PARSE_INVALID_CLASS, esc);
      *cp = c == 'b' ? XA_WORD : c == 'B' ? XA_NOT_WORD : c == 'A' ? XA_TEXT_START : c == 'z' ? XA_TEXT_END
          : c == '<' ? XA_WORD_START : XA_WORD_END;
      return 2;
    default:
      if (c < 0x80 && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) {
        *cp = c; /* escaped punctuation or space: itself */
        return 1;
      }
      xr_fail(ps, XR_PARSE_INVALID_ESCAPE, esc);
  }
}

static void check_literal(P *ps, uint32_t cp, uint32_t pos) {
  if (!ps->unicode && cp > 0x7F) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, pos); /* Unicode not allowed */
}

/* [...] after the '['; start = offset of '[' */
static void parse_class(P *ps, xr_set *out, uint32_t start) {
  int neg = 0;
  if (ps->depth++ >= XR_NEST_LIMIT) xr_fail(ps, XR_COMPILE_STACK_OVERFLOW, start);
  if (!at_end(ps) && peek(ps) == '^') { neg = 1; ps->i++; }
  int first = 1;
  for (;;) {
    skip_ws(ps);
    if (at_end(ps)) xr_fail(ps, XR_PARSE_UNCLOSED_CLASS, ps->n);
    uint8_t c = peek(ps);
    if (c == ']' && !first) { ps->i++; break; }
    first = 0;
    uint32_t item = ps->i;
    if (c == '[') {
      if (ps->i + 1 < ps->n && ps->p[ps->i + 1] == ':') {
        const uint8_t *end = memchr(ps->p + ps->i + 2, ']', ps->n - ps->i - 2);
        if (end && end[-1] == ':' && end - (ps->p + ps->i) >= 4) {
          uint32_t nb = ps->i + 2;
          int cneg = ps->p[nb] == '^';
          char name[16];
          size_t nl = (size_t)(end - 1 - (ps->p + nb + cneg));
          if (nl >= sizeof name) xr_fail(ps, XR_PARSE_INVALID_CLASS, item);
          memcpy(name, ps->p + nb + cneg, nl);
          name[nl] = 0;
          xr_set t = {0};
          xr_add_ascii_class(ps, &t, name, item);
          if (cneg) xr_set_negate(ps, &t);
          xr_set_union(ps, out, &t);
          free(t.r);
          ps->i = (uint32_t)(end - ps->p) + 1;
          continue;
        }
      }
      ps->i++;
      xr_set t = {0};
      parse_class(ps, &t, item);
      xr_set_union(ps, out, &t);
      free(t.r);
      continue;
    }
    if ((c == '&' || c == '-' || c == '~') && ps->i + 1 < ps->n && ps->p[ps->i + 1] == c && c != '-')
      xr_fail(ps, XR_PARSE_INVALID_CLASS, item); /* set operations: not supported */
    uint32_t lo;
    if (c == '\\') {
      xr_set t = {0};
      int k = parse_escape(ps, &lo, &t, 1);
      if (k == 0) {
        xr_set_union(ps, out, &t);
        free(t.r);
        if (!at_end(ps) && peek(ps) == '-' && ps->i + 1 < ps->n && ps->p[ps->i + 1] != ']')
          xr_fail(ps, XR_PARSE_INVALID_CLASS, item); /* a class cannot be a range end */
        continue;
      }
    } else {
      lo = next_cp(ps);
      check_literal(ps, lo, item);
    }
    uint32_t hi = lo;
    if (!at_end(ps) && peek(ps) == '-' && ps->i + 1 < ps->n && ps->p[ps->i + 1] != ']') {
      ps->i++;
      uint32_t hpos = ps->i;
      if (peek(ps) == '\\') {
        xr_set t = {0};
        int k = parse_escape(ps, &hi, &t, 1);
        free(t.r);
        if (k != 1) xr_fail(ps, XR_PARSE_INVALID_CLASS, hpos);
      } else if (peek(ps) == '[') {
        xr_fail(ps, XR_PARSE_INVALID_CLASS, hpos);
      } else {
        hi = next_cp(ps);
        check_literal(ps, hi, hpos);
      }
      if (hi < lo) xr_fail(ps, XR_PARSE_INVALID_CLASS, item);
    }
    xr_set_add(ps, out, lo, hi);
  }
  if (ps->flags & F_I) xr_set_fold(ps, out);
  if (neg) xr_set_negate(ps, out);
  ps->depth--;
}

static nd *literal_node(P *ps, uint32_t cp) {
  xr_set s = {0};
  if (!ps->unicode && cp > 0x7F) {
    /* byte mode: \xHH above 0x7F is that byte */
    xr_set_add(ps, &s, cp, cp);
    nd *x = xr_node(ps, ND_SET);
    x->set = xr_prog_set(ps, &s);
    return x;
  }
  xr_set_add(ps, &s, cp, cp);
  return set_node(ps, &s);
}

static uint32_t parse_decimal(P *ps) {
  skip_ws(ps);
  if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_REPEAT, ps->i);
  uint64_t v = 0;
  uint32_t start = ps->i;
  while (!at_end(ps) && peek(ps) >= '0' && peek(ps) <= '9') {
    v = v * 10 + (uint64_t)(peek(ps) - '0');
    if (v > 0xFFFFFFFFull) xr_fail(ps, XR_PARSE_INVALID_REPEAT, start);
    ps->i++;
  }
  if (ps->i == start) xr_fail(ps, XR_PARSE_INVALID_REPEAT, ps->i);
  skip_ws(ps);
  return (uint32_t)v;
}


/* after '(' ; open = offset of '(' */
static nd *parse_group(P *ps, uint32_t open) {
  uint32_t saved = ps->flags;
  int cap = 1;
  if (!at_end(ps) && peek(ps) == '?') {
    ps->i++;
    if (at_end(ps)) xr_fail(ps, XR_PARSE_UNBALANCED_PAREN, ps->n);
    uint8_t c = peek(ps);
    if (c == 'P' || c == '<') {
      if (c == 'P') ps->i++;
      if (at_end(ps) || peek(ps) != '<') xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      ps->i++;
      uint32_t ns = ps->i;
      while (!at_end(ps) && peek(ps) != '>') {
        uint8_t d = peek(ps);
        int alpha = (d | 0x20) >= 'a' && (d | 0x20) <= 'z';
        int digit = d >= '0' && d <= '9';
        if (!(alpha || d == '_' || d == '.' || d == '[' || d == ']' || (digit && ps->i > ns)))
          xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
        ps->i++;
      }
      if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->n);
      if (ps->i == ns) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      ps->i++;
    } else {
      int negate = 0, any = 0;
      uint32_t f = ps->flags;
      for (;;) {
        if (at_end(ps)) xr_fail(ps, XR_PARSE_UNBALANCED_PAREN, ps->n);
        c = peek(ps);
        uint32_t bit = 0;
        if (c == ')' || c == ':') break;
        if (c == '-') {
          if (negate) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
          negate = 1;
          ps->i++;
          continue;
        }
        if (c == 'i') bit = F_I;
        else if (c == 'm') bit = F_M;
        else if (c == 's') bit = F_S;
        else if (c == 'U') bit = F_U;
        else if (c == 'x') bit = F_X;
        else if (c == 'u') bit = 0; /* Unicode mode is fixed by the opts bit */
        else xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
        f = negate ? f & ~bit : f | bit;
        any = 1;
        ps->i++;
      }
      if (!any && c == ')') xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i);
      ps->i++;
      if (c == ')') { /* (?flags): for the rest of the enclosing group */
        ps->flags = f;
        return NULL;
      }
      ps->flags = f;
      cap = 0;
    }
  }
  uint32_t idx = 0;
  if (cap) idx = ++ps->ncaps;
  nd *body = xr_parse_alt(ps);
  if (at_end(ps) || peek(ps) != ')') xr_fail(ps, XR_PARSE_UNBALANCED_PAREN, ps->n);
  ps->i++;
  ps->flags = saved;
  (void)open;
  if (!cap) return body;
  nd *g = xr_node(ps, ND_CAP);
  g->cap = idx;
  add_kid(ps, g, body);
  return g;
}

static nd *assert_node(P *ps, uint8_t kind) {
  nd *x = xr_node(ps, ND_ASSERT);
  x->akind = kind;
  return x;
}

static nd *parse_cat(P *ps) {
  nd *cat = xr_node(ps, ND_CAT);
  for (;;) {
    skip_ws(ps);
    if (at_end(ps)) break;
    uint8_t c = peek(ps);
    uint32_t at = ps->i;
    if (c == '|' || c == ')') break;
    nd *atom = NULL;
    if (c == '*' || c == '+' || c == '?' || c == '{') {
      if (!cat->nk) xr_fail(ps, XR_PARSE_NOTHING_TO_REPEAT, at);
      nd *last = cat->k[cat->nk - 1];
      uint32_t mn, mx;
      ps->i++;
      if (c == '*') mn = 0, mx = UINT32_MAX;
      else if (c == '+') mn = 1, mx = UINT32_MAX;
      else if (c == '?') mn = 0, mx = 1;
      else {
        if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_REPEAT, at);
        mn = parse_decimal(ps);
        mx = mn;
        if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_REPEAT, at);
        if (peek(ps) == ',') {
          ps->i++;
          skip_ws(ps);
          if (at_end(ps)) xr_fail(ps, XR_PARSE_INVALID_REPEAT, at);
          mx = peek(ps) == '}' ? UINT32_MAX : parse_decimal(ps);
        }
        if (at_end(ps) || peek(ps) != '}') xr_fail(ps, XR_PARSE_INVALID_REPEAT, at);
        ps->i++;
        if (mn > mx) xr_fail(ps, XR_PARSE_REPEAT_RANGE, at);
      }
      int greedy = 1;
      if (!at_end(ps) && peek(ps) == '?') { greedy = 0; ps->i++; }
      if (ps->flags & F_U) greedy = !greedy;
      nd *r = xr_node(ps, ND_REP);
      r->min = mn;
      r->max = mx;
      r->greedy = (uint8_t)greedy;
      add_kid(ps, r, last);
      cat->k[cat->nk - 1] = r;
      continue;
    }
    if (c == '(') {
      ps->i++;
      if (ps->depth++ >= XR_NEST_LIMIT) xr_fail(ps, XR_COMPILE_STACK_OVERFLOW, at);
      atom = parse_group(ps, at);
      ps->depth--;
      if (!atom) continue; /* flag group */
    } else if (c == '[') {
      ps->i++;
      xr_set s = {0};
      uint32_t saved = ps->flags;
      parse_class(ps, &s, at);
      ps->flags &= ~(uint32_t)F_I; /* folded already */
      atom = set_node(ps, &s);
      ps->flags = saved;
    } else if (c == '.') {
      ps->i++;
      xr_set s = {0};
      if (ps->flags & F_S) xr_set_add(ps, &s, 0, xr_universe_max(ps));
      else {
        xr_set_add(ps, &s, 0, 9);
        xr_set_add(ps, &s, 11, xr_universe_max(ps));
      }
      atom = xr_node(ps, ND_SET);
      atom->set = xr_prog_set(ps, &s);
    } else if (c == '^') {
      ps->i++;
      atom = assert_node(ps, (ps->flags & F_M) ? XA_LINE_START : XA_TEXT_START);
    } else if (c == '$') {
      ps->i++;
      atom = assert_node(ps, (ps->flags & F_M) ? XA_LINE_END : XA_TEXT_END);
    } else if (c == '\\') {
      uint32_t cp = 0;
      xr_set s = {0};
      int k = parse_escape(ps, &cp, &s, 0);
      if (k == 1) atom = literal_node(ps, cp);
      else if (k == 2) atom = assert_node(ps, (uint8_t)cp);
      else {
        uint32_t saved = ps->flags;
        if (ps->flags & F_I) xr_set_fold(ps, &s);
        ps->flags &= ~(uint32_t)F_I;
        atom = set_node(ps, &s);
        ps->flags = saved;
      }
    } else {
      uint32_t cp = next_cp(ps);
      if (!ps->unicode && cp > 0x7F) {
        /* byte mode: a non-ASCII literal matches its UTF-8 bytes */
        nd *seq = xr_node(ps, ND_CAT);
        for (uint32_t b = at; b < ps->i; b++) {
          xr_set s = {0};
          xr_set_add(ps, &s, ps->p[b], ps->p[b]);
          nd *x = xr_node(ps, ND_SET);
          x->set = xr_prog_set(ps, &s);
          add_kid(ps, seq, x);
        }
        atom = seq;
      } else {
        atom = literal_node(ps, cp);
      }
    }
    add_kid(ps, cat, atom);
  }
  return cat;
}

nd *xr_parse_alt(P *ps) {
  nd *first = parse_cat(ps);
  if (at_end(ps) || peek(ps) != '|') return first;
  nd *alt = xr_node(ps, ND_ALT);
  add_kid(ps, alt, first);
  while (!at_end(ps) && peek(ps) == '|') {
    ps->i++;
    add_kid(ps, alt, parse_cat(ps));
  }
  return alt;
}

