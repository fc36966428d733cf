/* Internal: the error doc of the v1 builtins that report failures as bytes
 * (net, process, time): u8 0 ‖ u32le code ‖ u32le 0. */
#ifndef X07_OS_DOC_H
#define X07_OS_DOC_H

#include "x07rt.h"

static inline x07_bytes x07_os_err_doc(uint32_t code) {
  x07_bytes b = x07_bytes_new(9); /* zero-filled */
  x07_wr_u32le(b.ptr + 1, code);
  return b;
}

#endif
