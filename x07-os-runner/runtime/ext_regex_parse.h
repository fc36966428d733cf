/* Internal to the regex.* pattern compiler (ext_regex_parse.c syntax -> AST, ext_regex_sets.c
 * codepoint sets and named classes, ext_regex_gen.c AST -> program): the parser state and AST. */
#ifndef X07_EXT_REGEX_PARSE_H
#define X07_EXT_REGEX_PARSE_H

#include <setjmp.h>
#include <stddef.h>
#include "ext_regex.h"

#define XR_MAX_INSTS 200000u
#define XR_NEST_LIMIT 250

enum { F_I = 1, F_M = 2, F_S = 4, F_U = 8 /* swap greed */, F_X = 16 };
enum { ND_EMPTY, ND_SET, ND_CAT, ND_ALT, ND_REP, ND_CAP, ND_ASSERT };

typedef struct nd {
  uint8_t kind, greedy, akind;
  uint32_t set;
  uint32_t min, max; /* max UINT32_MAX: unbounded */
  uint32_t cap;
  struct nd **k;
  uint32_t nk, capk;
  struct nd *next_alloc;
} nd;

typedef struct {
  const uint8_t *p;
  uint32_t n, i, flags, depth, ncaps;
  int unicode;
  uint32_t err, errpos;
  jmp_buf jb;
  xr_prog *prog;
  nd *nodes;
} P;

_Noreturn void xr_fail(P *ps, uint32_t code, uint32_t pos);  /* longjmps out of xr_compile */
void *xr_alloc(P *ps, size_t n);
nd *xr_node(P *ps, int kind);
nd *xr_parse_alt(P *ps);

/* sets (ranges of bytes, or of codepoints in Unicode mode) */
void xr_set_add(P *ps, xr_set *s, uint32_t lo, uint32_t hi);
void xr_set_norm(xr_set *s);
uint32_t xr_universe_max(P *ps);
void xr_set_negate(P *ps, xr_set *s);
void xr_set_union(P *ps, xr_set *dst, const xr_set *src);
void xr_set_fold(P *ps, xr_set *s);
uint32_t xr_prog_set(P *ps, xr_set *s);  /* moves s into the program's set table */
void xr_add_ascii_class(P *ps, xr_set *s, const char *name, uint32_t pos);
void xr_add_perl(P *ps, xr_set *s, char c);
void xr_add_property(P *ps, xr_set *s, const char *raw, uint32_t pos);

#endif
