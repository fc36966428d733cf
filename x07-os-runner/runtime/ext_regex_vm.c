/* regex.* builtins: the matcher, a Pike VM over the program of ext_regex_parse.c (time linear in
 * text length x program size, no backtracking). Upstream's backend finds a match in two steps and
 * so does this: the leftmost position where any match starts, then, anchored there, the longest
 * match; the captures are those of the last thread (in priority order) that reached the final
 * match position, as a PikeVM searching with "all matches" semantics reports them. */
#include <stdlib.h>
#include <string.h>
#include "ext_regex.h"

uint32_t xr_utf8_decode(const uint8_t *t, uint32_t n, uint32_t i, uint32_t *cp) {
  uint8_t b = t[i];
  if (b < 0x80) { *cp = b; return 1; }
  uint32_t len, c, min;
  if ((b & 0xE0) == 0xC0) len = 2, c = b & 0x1F, min = 0x80;
  else if ((b & 0xF0) == 0xE0) len = 3, c = b & 0x0F, min = 0x800;
  else if ((b & 0xF8) == 0xF0) len = 4, c = b & 0x07, min = 0x10000;
  else return 0;
  if (n - i < len) return 0;
  for (uint32_t k = 1; k < len; k++) {
    if ((t[i + k] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (t[i + k] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

int xr_is_word_cp(uint32_t c, int unicode) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  if (!unicode) return 0;
  static const char *const cats[] = {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc", 0};
  if (c == 0x200C || c == 0x200D) return 1;
  for (const xr_ucat *u = xr_ucats; u->name; u++)
    for (int k = 0; cats[k]; k++)
      if (!strcmp(u->name, cats[k])) {
        xr_set s = {(xr_range *)(uintptr_t)u->ranges, u->n, u->n};
        if (xr_set_has(&s, c)) return 1;
      }
  return 0;
}

typedef struct {
  uint32_t *dense, *sparse, n;
  uint32_t *slots; /* nslots per dense entry */
} tlist;

typedef struct {
  const xr_prog *p;
  const uint8_t *t;
  uint32_t len, nslots;
  tlist a, b;
  uint32_t *stack, *tmp;
} vm;

static int word_before(const vm *m, uint32_t pos) {
  if (pos == 0) return 0;
  if (!m->p->unicode) return xr_is_word_cp(m->t[pos - 1], 0);
  uint32_t i = pos - 1, cp;
  while (i > 0 && pos - i < 4 && (m->t[i] & 0xC0) == 0x80) i--;
  uint32_t l = xr_utf8_decode(m->t, m->len, i, &cp);
  return l && i + l == pos && xr_is_word_cp(cp, 1);
}

static int word_after(const vm *m, uint32_t pos) {
  if (pos >= m->len) return 0;
  if (!m->p->unicode) return xr_is_word_cp(m->t[pos], 0);
  uint32_t cp;
  return xr_utf8_decode(m->t, m->len, pos, &cp) && xr_is_word_cp(cp, 1);
}

static int assert_ok(const vm *m, uint8_t kind, uint32_t pos) {
  switch (kind) {
    case XA_TEXT_START: return pos == 0;
    case XA_TEXT_END: return pos == m->len;
    case XA_LINE_START: return pos == 0 || m->t[pos - 1] == '\n';
    case XA_LINE_END: return pos == m->len || m->t[pos] == '\n';
    case XA_WORD: return word_before(m, pos) != word_after(m, pos);
    case XA_NOT_WORD: return word_before(m, pos) == word_after(m, pos);
    case XA_WORD_START: return !word_before(m, pos) && word_after(m, pos);
    case XA_WORD_END: return word_before(m, pos) && !word_after(m, pos);
  }
  return 0;
}

/* Adds the thread at pc with slots m->tmp, following jumps, splits (preferred branch first),
 * saves and assertions; a pc already in the list keeps its higher-priority thread. */
#define RESTORE_BIT 0x80000000u
static void add_thread(vm *m, tlist *l, uint32_t pc0, uint32_t pos) {
  uint32_t sp = 0;
  m->stack[sp++] = pc0;
  while (sp) {
    uint32_t f = m->stack[--sp];
    if (f & RESTORE_BIT) {
      m->tmp[f & ~RESTORE_BIT] = m->stack[--sp];
      continue;
    }
    uint32_t pc = f;
    if (m->p->code[pc].op != XI_SAVE) { /* dedup on every pc but saves (each save is one visit anyway) */
      uint32_t k = l->sparse[pc];
      if (k < l->n && l->dense[k] == pc) continue;
      l->sparse[pc] = l->n;
      l->dense[l->n] = pc;
      memcpy(l->slots + (size_t)l->n * m->nslots, m->tmp, m->nslots * sizeof(uint32_t));
      l->n++;
    }
    const xr_inst *in = &m->p->code[pc];
    switch (in->op) {
      case XI_JMP: m->stack[sp++] = in->x; break;
      case XI_SPLIT:
        m->stack[sp++] = in->y;
        m->stack[sp++] = in->x;
        break;
      case XI_SAVE:
        if (in->x < m->nslots) {
          m->stack[sp++] = m->tmp[in->x];
          m->stack[sp++] = in->x | RESTORE_BIT;
          m->tmp[in->x] = pos;
        }
        m->stack[sp++] = pc + 1;
        break;
      case XI_ASSERT:
        if (assert_ok(m, in->arg, pos)) m->stack[sp++] = pc + 1;
        break;
      default: break; /* SET / MATCH: stays in the list */
    }
  }
}

static int vm_init(vm *m, const xr_prog *p, const uint8_t *t, uint32_t len, uint32_t nslots) {
  memset(m, 0, sizeof *m);
  m->p = p;
  m->t = t;
  m->len = len;
  m->nslots = nslots;
  size_t n = p->n;
  m->a.dense = malloc(n * sizeof(uint32_t));
  m->a.sparse = calloc(n, sizeof(uint32_t));
  m->a.slots = malloc(n * nslots * sizeof(uint32_t));
  m->b.dense = malloc(n * sizeof(uint32_t));
  m->b.sparse = calloc(n, sizeof(uint32_t));
  m->b.slots = malloc(n * nslots * sizeof(uint32_t));
  m->stack = malloc((6 * n + 16) * sizeof(uint32_t));
  m->tmp = malloc(nslots * sizeof(uint32_t));
  return m->a.dense && m->a.sparse && m->a.slots && m->b.dense && m->b.sparse && m->b.slots && m->stack && m->tmp;
}

static void vm_free(vm *m) {
  free(m->a.dense), free(m->a.sparse), free(m->a.slots);
  free(m->b.dense), free(m->b.sparse), free(m->b.slots);
  free(m->stack), free(m->tmp);
}

/* length of the unit at pos (0: none matches there: end of text or invalid UTF-8 in Unicode mode,
 * *skip then says how far the scan moves on) */
static uint32_t unit_at(const vm *m, uint32_t pos, uint32_t *cp, uint32_t *skip) {
  *skip = 1;
  if (pos >= m->len) return 0;
  if (!m->p->unicode) { *cp = m->t[pos]; return 1; }
  uint32_t l = xr_utf8_decode(m->t, m->len, pos, cp);
  if (l) *skip = l;
  return l;
}

/* Runs the VM from `start`. anchored=0: finds the leftmost start of any match (*s); anchored=1:
 * the longest match from `start` with its slots (copied into out_slots). */
static int run(vm *m, uint32_t start, int anchored, uint32_t *s_out, uint32_t *e_out, uint32_t *out_slots) {
  tlist *cl = &m->a, *nl = &m->b;
  cl->n = nl->n = 0;
  int found = 0;
  uint32_t best = 0, end = 0;
  for (uint32_t pos = start;;) {
    int boundary = !m->p->unicode || pos >= m->len || (m->t[pos] & 0xC0) != 0x80;
    if (!found && (anchored ? pos == start : boundary)) {
      for (uint32_t k = 0; k < m->nslots; k++) m->tmp[k] = XR_NO_POS;
      m->tmp[0] = pos;
      add_thread(m, cl, 0, pos);
    }
    if (!cl->n && (found || anchored)) break;
    uint32_t cp = 0, skip;
    uint32_t ulen = unit_at(m, pos, &cp, &skip);
    nl->n = 0;
    for (uint32_t k = 0; k < cl->n; k++) {
      uint32_t pc = cl->dense[k];
      uint32_t *ts = cl->slots + (size_t)k * m->nslots;
      const xr_inst *in = &m->p->code[pc];
      if (!anchored && found && ts[0] >= best) continue; /* cannot start further left than the match found */
      if (in->op == XI_MATCH) {
        if (anchored) {
          memcpy(out_slots, ts, m->nslots * sizeof(uint32_t));
          out_slots[1] = pos;
          end = pos;
          found = 1;
        } else if (!found || ts[0] < best) {
          best = ts[0];
          found = 1;
        }
      } else if (in->op == XI_SET && ulen && xr_set_has(&m->p->sets[in->x], cp)) {
        memcpy(m->tmp, ts, m->nslots * sizeof(uint32_t));
        add_thread(m, nl, pc + 1, pos + ulen);
      }
    }
    if (pos >= m->len) break;
    tlist *t = cl;
    cl = nl;
    nl = t;
    pos += ulen ? ulen : skip;
  }
  if (found) {
    *s_out = anchored ? start : best;
    *e_out = end;
  }
  return found;
}

int xr_search(const xr_prog *p, const uint8_t *text, uint32_t len, uint32_t start, uint32_t *s, uint32_t *e,
              uint32_t *slots) {
  if (start > len) return 0;
  vm m;
  int ok = 0;
  uint32_t st = 0, en = 0;
  if (vm_init(&m, p, text, len, 1) && run(&m, start, 0, &st, &en, NULL)) ok = 1;
  vm_free(&m);
  if (!ok) return 0;
  uint32_t nslots = 2 * (p->ncaps + 1);
  uint32_t *buf = malloc(nslots * sizeof(uint32_t));
  ok = buf && vm_init(&m, p, text, len, nslots) && run(&m, st, 1, &st, &en, buf);
  if (ok) {
    *s = st;
    *e = en;
    if (slots) memcpy(slots, buf, nslots * sizeof(uint32_t));
  }
  vm_free(&m);
  free(buf);
  return ok;
}
