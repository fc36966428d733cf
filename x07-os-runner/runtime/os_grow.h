/* Internal: growth of the OS modules' private malloc'd buffers (paths, file
 * contents, child output). Program-visible bytes use the arena instead. */
#ifndef X07_OS_GROW_H
#define X07_OS_GROW_H

#include <stdlib.h>

#include "x07rt.h"

/* Returns `p` reallocated to hold at least `need` bytes, doubling from `*cap`
 * (or from `initial` when empty); updates *cap. Traps "out of memory". */
static inline void *x07_os_grow(void *p, size_t *cap, size_t need, size_t initial) {
  if (need <= *cap) return p;
  size_t nc = *cap ? *cap : initial;
  while (nc < need) nc *= 2;
  void *np = realloc(p, nc);
  if (!np) x07_trap("out of memory");
  *cap = nc;
  return np;
}

#endif
