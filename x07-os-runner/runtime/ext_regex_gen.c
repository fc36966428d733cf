/* regex.* pattern compiler: AST -> program, and the entry point xr_compile. Repetitions are
 * compiled as upstream's engine compiles them (see ND_REP). */
#include <stdlib.h>
#include <string.h>
#include "ext_regex_parse.h"

/* ---------------- code generation ---------------- */

static uint32_t emit(P *ps, uint8_t op, uint8_t arg, uint32_t x, uint32_t y) {
  xr_prog *p = ps->prog;
  if (p->n >= XR_MAX_INSTS) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
  if (p->n == p->cap) {
    uint32_t c = p->cap ? p->cap * 2 : 32;
    xr_inst *nc = realloc(p->code, c * sizeof *nc);
    if (!nc) xr_fail(ps, XR_COMPILE_TOO_MANY_STATES, 0);
    p->code = nc;
    p->cap = c;
  }
  xr_inst *in = &p->code[p->n];
  in->op = op;
  in->arg = arg;
  in->x = x;
  in->y = y;
  return p->n++;
}

static int can_be_empty(const nd *x) {
  switch (x->kind) {
    case ND_SET: return 0;
    case ND_CAT:
      for (uint32_t i = 0; i < x->nk; i++)
        if (!can_be_empty(x->k[i])) return 0;
      return 1;
    case ND_ALT:
      for (uint32_t i = 0; i < x->nk; i++)
        if (can_be_empty(x->k[i])) return 1;
      return 0;
    case ND_REP: return x->min == 0 || can_be_empty(x->k[0]);
    case ND_CAP: return can_be_empty(x->k[0]);
    default: return 1;
  }
}

static void patch_split(xr_prog *p, uint32_t sp, uint32_t body, uint32_t out, int greedy) {
  p->code[sp].x = greedy ? body : out;
  p->code[sp].y = greedy ? out : body;
}

static void gen(P *ps, const nd *x) {
  xr_prog *p = ps->prog;
  switch (x->kind) {
    case ND_EMPTY: return;
    case ND_SET: emit(ps, XI_SET, 0, x->set, 0); return;
    case ND_ASSERT:
      emit(ps, XI_ASSERT, x->akind, 0, 0);
      return;
    case ND_CAT:
      for (uint32_t i = 0; i < x->nk; i++) gen(ps, x->k[i]);
      return;
    case ND_CAP:
      emit(ps, XI_SAVE, 0, 2 * x->cap, 0);
      gen(ps, x->k[0]);
      emit(ps, XI_SAVE, 0, 2 * x->cap + 1, 0);
      return;
    case ND_ALT: {
      uint32_t *jumps = xr_alloc(ps, x->nk * sizeof *jumps);
      for (uint32_t i = 0; i < x->nk; i++) {
        if (i + 1 < x->nk) {
          uint32_t sp = emit(ps, XI_SPLIT, 0, 0, 0);
          p->code[sp].x = p->n;
          gen(ps, x->k[i]);
          jumps[i] = emit(ps, XI_JMP, 0, 0, 0);
          p->code[sp].y = p->n;
        } else {
          gen(ps, x->k[i]);
        }
      }
      for (uint32_t i = 0; i + 1 < x->nk; i++) p->code[jumps[i]].x = p->n;
      free(jumps);
      return;
    }
    case ND_REP: {
      /* as upstream's engine compiles them: x* = (x+)? when x can match empty, x{n,} = x{n-1} x+,
       * x{n,m} = x{n} then m-n optional copies */
      const nd *k = x->k[0];
      if (x->max == UINT32_MAX) {
        if (x->min == 0 && !can_be_empty(k)) {
          uint32_t sp = emit(ps, XI_SPLIT, 0, 0, 0);
          gen(ps, k);
          emit(ps, XI_JMP, 0, sp, 0);
          patch_split(p, sp, sp + 1, p->n, x->greedy);
          return;
        }
        uint32_t opt = x->min == 0 ? emit(ps, XI_SPLIT, 0, 0, 0) : 0;
        for (uint32_t i = 1; i < x->min; i++) gen(ps, k);
        uint32_t body = p->n;
        gen(ps, k);
        uint32_t sp = emit(ps, XI_SPLIT, 0, 0, 0);
        patch_split(p, sp, body, p->n, x->greedy);
        if (x->min == 0) patch_split(p, opt, opt + 1, p->n, x->greedy);
        return;
      }
      for (uint32_t i = 0; i < x->min; i++) gen(ps, k);
      uint32_t extra = x->max - x->min;
      uint32_t *splits = extra ? xr_alloc(ps, extra * sizeof *splits) : NULL;
      for (uint32_t i = 0; i < extra; i++) {
        splits[i] = emit(ps, XI_SPLIT, 0, 0, 0);
        gen(ps, k);
      }
      for (uint32_t i = 0; i < extra; i++) patch_split(p, splits[i], splits[i] + 1, p->n, x->greedy);
      free(splits);
      return;
    }
  }
}

static void free_nodes(P *ps) {
  while (ps->nodes) {
    nd *x = ps->nodes;
    ps->nodes = x->next_alloc;
    free(x->k);
    free(x);
  }
}

void xr_prog_free(xr_prog *p) {
  for (uint32_t i = 0; i < p->nsets; i++) free(p->sets[i].r);
  free(p->sets);
  free(p->code);
  memset(p, 0, sizeof *p);
}

uint32_t xr_compile(const uint8_t *pat, uint32_t len, uint32_t opts, xr_prog *out, uint32_t *pos) {
  memset(out, 0, sizeof *out);
  for (uint32_t i = 0; i < len;) { /* the pattern must be UTF-8 text */
    uint32_t cp, l = xr_utf8_decode(pat, len, i, &cp);
    if (!l) {
      *pos = 0;
      return XR_PARSE_INVALID_ESCAPE;
    }
    i += l;
  }
  static P zero;
  P *ps = malloc(sizeof *ps);
  if (!ps) {
    *pos = 0;
    return XR_COMPILE_TOO_MANY_STATES;
  }
  *ps = zero;
  ps->p = pat;
  ps->n = len;
  ps->prog = out;
  ps->unicode = (opts & XR_OPT_UNICODE) != 0;
  ps->flags = ((opts & XR_OPT_CASEI) ? F_I : 0) | ((opts & XR_OPT_MULTILINE) ? F_M : 0) |
              ((opts & XR_OPT_DOTALL) ? F_S : 0);
  out->unicode = ps->unicode;
  uint32_t code = 0;
  if (setjmp(ps->jb) == 0) {
    nd *root = xr_parse_alt(ps);
    if (ps->i < ps->n) xr_fail(ps, XR_PARSE_INVALID_ESCAPE, ps->i); /* a ')' with no '(' */
    if (ps->ncaps > XR_MAX_CAPS) xr_fail(ps, XR_PARSE_TOO_MANY_CAPTURES, 0);
    gen(ps, root);
    emit(ps, XI_MATCH, 0, 0, 0);
    out->ncaps = ps->ncaps;
  } else {
    code = ps->err;
    *pos = ps->errpos;
    xr_prog_free(out);
  }
  free_nodes(ps);
  free(ps);
  return code;
}
