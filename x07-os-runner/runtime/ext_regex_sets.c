/* regex.* pattern compiler: codepoint/byte sets, case folding, named classes (`[:alpha:]`,
 * perl classes, Unicode general categories). */
#include <stdlib.h>
#include <string.h>
#include "ext_regex_parse.h"

/* ---------------- sets ---------------- */

void xr_set_add(P *ps, xr_set *s, uint32_t lo, uint32_t hi) {
  if (s->n == s->cap) {
    uint32_t c = s->cap ? s->cap * 2 : 8;
    xr_range *r = realloc(s->r, c * sizeof *r);
    if (!r) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
    s->r = r;
    s->cap = c;
  }
  s->r[s->n].lo = lo;
  s->r[s->n].hi = hi;
  s->n++;
}

static int cmp_range(const void *a, const void *b) {
  const xr_range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void xr_set_norm(xr_set *s) {
  if (!s->n) return;
  qsort(s->r, s->n, sizeof *s->r, cmp_range);
  uint32_t w = 0;
  for (uint32_t i = 1; i < s->n; i++) {
    if (s->r[i].lo <= s->r[w].hi + 1 || s->r[w].hi == 0xFFFFFFFFu) {
      if (s->r[i].hi > s->r[w].hi) s->r[w].hi = s->r[i].hi;
    } else {
      s->r[++w] = s->r[i];
    }
  }
  s->n = w + 1;
}

uint32_t xr_universe_max(P *ps) { return ps->unicode ? 0x10FFFF : 0xFF; }

void xr_set_negate(P *ps, xr_set *s) {
  xr_set_norm(s);
  xr_set out = {0};
  uint32_t next = 0, top = xr_universe_max(ps);
  for (uint32_t i = 0; i < s->n && next <= top; i++) {
    if (s->r[i].lo > next) xr_set_add(ps, &out, next, s->r[i].lo - 1);
    next = s->r[i].hi + 1;
  }
  if (next <= top) xr_set_add(ps, &out, next, top);
  free(s->r);
  *s = out;
}

void xr_set_union(P *ps, xr_set *dst, const xr_set *src) {
  for (uint32_t i = 0; i < src->n; i++) xr_set_add(ps, dst, src->r[i].lo, src->r[i].hi);
}

int xr_set_has(const xr_set *s, uint32_t c) {
  uint32_t lo = 0, hi = s->n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (c < s->r[mid].lo) hi = mid;
    else if (c > s->r[mid].hi) lo = mid + 1;
    else return 1;
  }
  return 0;
}

/* index of the first fold pair whose codepoint is >= c */
static uint32_t fold_first(uint32_t c) {
  uint32_t lo = 0, hi = xr_ufold_n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (xr_ufold[2 * mid] < c) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Adds the simple case variants of every codepoint in s (ASCII only outside Unicode mode). */
void xr_set_fold(P *ps, xr_set *s) {
  xr_set_norm(s);
  xr_set add = {0};
  for (uint32_t i = 0; i < s->n; i++) {
    uint32_t lo = s->r[i].lo, hi = s->r[i].hi;
    if (!ps->unicode) {
      uint32_t a = lo < 'A' ? 'A' : lo, b = hi > 'Z' ? 'Z' : hi;
      if (a <= b) xr_set_add(ps, &add, a + 32, b + 32);
      a = lo < 'a' ? 'a' : lo, b = hi > 'z' ? 'z' : hi;
      if (a <= b) xr_set_add(ps, &add, a - 32, b - 32);
      continue;
    }
    /* fold pairs are sorted by their first codepoint: walk those inside [lo, hi], twice deep
     * (K -> k -> KELVIN SIGN) */
    for (uint32_t j = fold_first(lo); j < xr_ufold_n; j++) {
      uint32_t c = xr_ufold[2 * j];
      if (c > hi) break;
      uint32_t o = xr_ufold[2 * j + 1];
      xr_set_add(ps, &add, o, o);
      for (uint32_t m = fold_first(o); m < xr_ufold_n && xr_ufold[2 * m] == o; m++)
        xr_set_add(ps, &add, xr_ufold[2 * m + 1], xr_ufold[2 * m + 1]);
    }
  }
  xr_set_union(ps, s, &add);
  free(add.r);
  xr_set_norm(s);
}

uint32_t xr_prog_set(P *ps, xr_set *s) {
  xr_prog *p = ps->prog;
  if (p->nsets == p->capsets) {
    uint32_t c = p->capsets ? p->capsets * 2 : 8;
    xr_set *ns = realloc(p->sets, c * sizeof *ns);
    if (!ns) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
    p->sets = ns;
    p->capsets = c;
  }
  xr_set_norm(s);
  p->sets[p->nsets] = *s;
  return p->nsets++;
}


/* ---------------- named classes ---------------- */

void xr_add_ascii_class(P *ps, xr_set *s, const char *name, uint32_t pos) {
  static const struct { const char *n; uint8_t k; uint8_t r[8]; } t[] = {
      {"alnum", 3, {'0', '9', 'A', 'Z', 'a', 'z'}}, {"alpha", 2, {'A', 'Z', 'a', 'z'}},
      {"ascii", 1, {0x00, 0x7F}}, {"blank", 2, {'\t', '\t', ' ', ' '}}, {"cntrl", 2, {0x00, 0x1F, 0x7F, 0x7F}},
      {"digit", 1, {'0', '9'}}, {"graph", 1, {'!', '~'}}, {"lower", 1, {'a', 'z'}}, {"print", 1, {' ', '~'}},
      {"punct", 4, {'!', '/', ':', '@', '[', '`', '{', '~'}}, {"space", 2, {'\t', '\r', ' ', ' '}},
      {"upper", 1, {'A', 'Z'}}, {"word", 4, {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'}},
      {"xdigit", 3, {'0', '9', 'A', 'F', 'a', 'f'}}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(name, t[i].n)) {
      for (uint8_t j = 0; j < t[i].k; j++) xr_set_add(ps, s, t[i].r[2 * j], t[i].r[2 * j + 1]);
      return;
    }
  xr_fail(ps, XR_PARSE_INVALID_CLASS, pos);
}

static const uint32_t kWhiteSpace[] = {0x9, 0xD, 0x20, 0x20, 0x85, 0x85, 0xA0, 0xA0, 0x1680, 0x1680,
                                       0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F,
                                       0x3000, 0x3000};

static void add_cat(P *ps, xr_set *s, const char *prefix) {
  size_t pl = strlen(prefix);
  for (const xr_ucat *c = xr_ucats; c->name; c++)
    if (!strncmp(c->name, prefix, pl))
      for (uint32_t i = 0; i < c->n; i++) xr_set_add(ps, s, c->ranges[2 * i], c->ranges[2 * i + 1]);
}

/* perl class d/s/w (lower case; the caller negates for D/S/W) */
void xr_add_perl(P *ps, xr_set *s, char c) {
  if (!ps->unicode) {
    xr_add_ascii_class(ps, s, c == 'd' ? "digit" : c == 's' ? "space" : "word", 0);
    return;
  }
  if (c == 'd') add_cat(ps, s, "Nd");
  else if (c == 's') {
    for (size_t i = 0; i < sizeof kWhiteSpace / sizeof kWhiteSpace[0]; i += 2)
      xr_set_add(ps, s, kWhiteSpace[i], kWhiteSpace[i + 1]);
  } else {
    add_cat(ps, s, "L");
    add_cat(ps, s, "M");
    add_cat(ps, s, "Nd");
    add_cat(ps, s, "Nl");
    add_cat(ps, s, "Pc");
    xr_set_add(ps, s, 0x200C, 0x200D);
  }
}

/* \p{name}: general categories by short or long name (loose matching: case, spaces, '_', '-'
 * ignored), plus Any / ASCII / Assigned. */
void xr_add_property(P *ps, xr_set *s, const char *raw, uint32_t pos) {
  static const struct { const char *longn, *shortn; } names[] = {
      {"letter", "L"}, {"casedletter", "LC"}, {"uppercaseletter", "Lu"}, {"lowercaseletter", "Ll"},
      {"titlecaseletter", "Lt"}, {"modifierletter", "Lm"}, {"otherletter", "Lo"}, {"mark", "M"},
      {"combiningmark", "M"}, {"nonspacingmark", "Mn"}, {"spacingmark", "Mc"}, {"enclosingmark", "Me"},
      {"number", "N"}, {"decimalnumber", "Nd"}, {"digit", "Nd"}, {"letternumber", "Nl"},
      {"othernumber", "No"}, {"punctuation", "P"}, {"punct", "P"}, {"connectorpunctuation", "Pc"},
      {"dashpunctuation", "Pd"}, {"openpunctuation", "Ps"}, {"closepunctuation", "Pe"},
      {"initialpunctuation", "Pi"}, {"finalpunctuation", "Pf"}, {"otherpunctuation", "Po"},
      {"symbol", "S"}, {"mathsymbol", "Sm"}, {"currencysymbol", "Sc"}, {"modifiersymbol", "Sk"},
      {"othersymbol", "So"}, {"separator", "Z"}, {"spaceseparator", "Zs"}, {"lineseparator", "Zl"},
      {"paragraphseparator", "Zp"}, {"other", "C"}, {"control", "Cc"}, {"cntrl", "Cc"},
      {"format", "Cf"}, {"surrogate", "Cs"}, {"privateuse", "Co"}, {"unassigned", "Cn"}};
  char key[64];
  size_t kl = 0;
  for (const char *q = raw; *q; q++) {
    char c = *q;
    if (c == ' ' || c == '_' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (kl + 1 >= sizeof key) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, pos);
    key[kl++] = c;
  }
  key[kl] = 0;
  if (!strcmp(key, "any")) { xr_set_add(ps, s, 0, 0x10FFFF); return; }
  if (!strcmp(key, "ascii")) { xr_set_add(ps, s, 0, 0x7F); return; }
  const char *cat = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !cat; i++) {
    char sh[4];
    size_t j = 0;
    for (; names[i].shortn[j]; j++) sh[j] = (char)(names[i].shortn[j] | 0x20);
    sh[j] = 0;
    if (!strcmp(key, names[i].longn) || !strcmp(key, sh)) cat = names[i].shortn;
  }
  if (!cat && !strcmp(key, "assigned")) cat = "Cn!";
  if (!cat) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, pos);
  if (!strcmp(cat, "Cn") || !strcmp(cat, "Cn!")) {
    xr_set all = {0};
    for (const xr_ucat *c = xr_ucats; c->name; c++)
      for (uint32_t i = 0; i < c->n; i++) xr_set_add(ps, &all, c->ranges[2 * i], c->ranges[2 * i + 1]);
    if (!strcmp(cat, "Cn")) xr_set_negate(ps, &all);
    xr_set_union(ps, s, &all);
    free(all.r);
  } else if (!strcmp(cat, "LC")) {
    add_cat(ps, s, "Lu");
    add_cat(ps, s, "Ll");
    add_cat(ps, s, "Lt");
  } else if (!strcmp(cat, "C")) {
    xr_add_property(ps, s, "Cn", pos);
    add_cat(ps, s, "C");
  } else {
    add_cat(ps, s, cat);
  }
}

