/* Internal: number text helpers shared by the ext modules (math.f64, sqlite). */
#ifndef X07_EXT_TEXT_H
#define X07_EXT_TEXT_H
#include <stdint.h>

/* Rust-style text of a double (what Rust's `{}`/ryu print): "NaN", "inf", "-inf",
 * "1.0", "0.001", "1e-7", "1.5e300". Returns the length (< 40, no NUL). */
uint32_t x07_ext_f64_text(double v, char out[40]);
/* Whole-string decimal [+-](d+[.d*]|.d+)[(e|E)[+-]d+] to the nearest double;
 * 0 on a syntax error (no "nan"/"inf" spellings, no spaces). */
int x07_ext_parse_decimal(const uint8_t *p, uint32_t n, double *out);

#endif
