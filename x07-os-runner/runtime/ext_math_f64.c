/* math.f64.* builtins (any world): f64 values travel as 8-byte little-endian
 * IEEE-754 binary64 bit patterns. Arithmetic is plain C doubles (programs and the
 * runtime build with -ffp-contract=off), transcendentals come from libm. Results
 * never carry a NaN payload: every NaN is written as 0x7ff8000000000000. Inputs of
 * the wrong length are a program bug and trap. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"
#include "ext_text.h"

enum {
  F64_ERR_PARSE_INVALID = 40001,
  F64_ERR_PARSE_OVERFLOW = 40002,
  F64_ERR_TO_I32_NAN_INF = 40020,
  F64_ERR_TO_I32_RANGE = 40021,
};

static double rd(x07_view v) {
  if (v.len != 8) {
    char msg[96];
    snprintf(msg, sizeof msg, "math.f64: an f64 value must be 8 bytes, got %u", (unsigned)v.len);
    x07_trap(msg);
  }
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | v.ptr[i];
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

static x07_bytes wr(double d) {
  uint64_t bits;
  if (isnan(d)) bits = 0x7ff8000000000000ULL;
  else memcpy(&bits, &d, 8);
  x07_bytes out = x07_bytes_new(8);
  for (int i = 0; i < 8; ++i) out.ptr[i] = (uint8_t)(bits >> (8 * i));
  return out;
}

x07_bytes x07_math_f64_add_v1(x07_view a, x07_view b) { return wr(rd(a) + rd(b)); }
x07_bytes x07_math_f64_sub_v1(x07_view a, x07_view b) { return wr(rd(a) - rd(b)); }
x07_bytes x07_math_f64_mul_v1(x07_view a, x07_view b) { return wr(rd(a) * rd(b)); }
x07_bytes x07_math_f64_div_v1(x07_view a, x07_view b) { return wr(rd(a) / rd(b)); }
x07_bytes x07_math_f64_pow_v1(x07_view a, x07_view b) { return wr(pow(rd(a), rd(b))); }
x07_bytes x07_math_f64_atan2_v1(x07_view y, x07_view x) { return wr(atan2(rd(y), rd(x))); }
x07_bytes x07_math_f64_min_v1(x07_view a, x07_view b) {
  double x = rd(a), y = rd(b);
  return wr(isnan(x) || isnan(y) ? NAN : fmin(x, y)); /* NaN in, NaN out (unlike fmin) */
}
x07_bytes x07_math_f64_max_v1(x07_view a, x07_view b) {
  double x = rd(a), y = rd(b);
  return wr(isnan(x) || isnan(y) ? NAN : fmax(x, y));
}
x07_bytes x07_math_f64_sqrt_v1(x07_view x) { return wr(sqrt(rd(x))); }
x07_bytes x07_math_f64_neg_v1(x07_view x) { return wr(-rd(x)); }
x07_bytes x07_math_f64_abs_v1(x07_view x) { return wr(fabs(rd(x))); }
x07_bytes x07_math_f64_sin_v1(x07_view x) { return wr(sin(rd(x))); }
x07_bytes x07_math_f64_cos_v1(x07_view x) { return wr(cos(rd(x))); }
x07_bytes x07_math_f64_tan_v1(x07_view x) { return wr(tan(rd(x))); }
x07_bytes x07_math_f64_exp_v1(x07_view x) { return wr(exp(rd(x))); }
x07_bytes x07_math_f64_log_v1(x07_view x) { return wr(log(rd(x))); }
x07_bytes x07_math_f64_floor_v1(x07_view x) { return wr(floor(rd(x))); }
x07_bytes x07_math_f64_ceil_v1(x07_view x) { return wr(ceil(rd(x))); }
x07_bytes x07_math_f64_from_i32_v1(uint32_t x) { return wr((double)(int32_t)x); }

x07_bytes x07_math_f64_to_bits_u64le_v1(x07_view x) {
  (void)rd(x); /* length check only: the bits are returned unchanged, NaN payload included */
  return x07_bytes_from(x.ptr, 8);
}

x07_res_i32 x07_math_f64_to_i32_trunc_v1(x07_view x) {
  double v = rd(x);
  if (!isfinite(v)) return x07_res_i32_err(F64_ERR_TO_I32_NAN_INF);
  double t = trunc(v);
  if (t < -2147483648.0 || t > 2147483647.0) return x07_res_i32_err(F64_ERR_TO_I32_RANGE);
  return x07_res_i32_ok((uint32_t)(int32_t)t);
}

/* ---- text ---- */

static int is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Whole-string decimal syntax: [+-] (d+ [. d*] | . d+) [(e|E) [+-] d+]. */
static int decimal_syntax_ok(const uint8_t *p, uint32_t n) {
  uint32_t i = 0, int_digits = 0, frac_digits = 0;
  if (i < n && (p[i] == '+' || p[i] == '-')) i++;
  while (i < n && is_digit(p[i])) i++, int_digits++;
  if (i < n && p[i] == '.') {
    i++;
    while (i < n && is_digit(p[i])) i++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return 0;
  if (i < n && (p[i] == 'e' || p[i] == 'E')) {
    i++;
    if (i < n && (p[i] == '+' || p[i] == '-')) i++;
    uint32_t exp_digits = 0;
    while (i < n && is_digit(p[i])) i++, exp_digits++;
    if (exp_digits == 0) return 0;
  }
  return i == n;
}

static int ascii_ieq(const uint8_t *p, uint32_t n, const char *lit) {
  if (strlen(lit) != n) return 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
    if (c != (uint8_t)lit[i]) return 0;
  }
  return 1;
}

int x07_ext_parse_decimal(const uint8_t *p, uint32_t n, double *out) {
  if (!decimal_syntax_ok(p, n)) return 0;
  char *buf = malloc((size_t)n + 1); /* internal scratch, never program-visible */
  if (!buf) x07_trap("out of memory");
  memcpy(buf, p, n);
  buf[n] = '\0';
  *out = strtod(buf, NULL); /* correctly rounded; the runtime never changes the C locale */
  free(buf);
  return 1;
}

x07_res_bytes x07_math_f64_parse_v1(x07_view s) {
  const uint8_t *p = s.ptr;
  uint32_t n = s.len;
  while (n > 0 && is_ws(p[0])) p++, n--;
  while (n > 0 && is_ws(p[n - 1])) n--;
  if (n == 0) return x07_res_bytes_err(F64_ERR_PARSE_INVALID);
  int neg = p[0] == '-';
  const uint8_t *rest = p + (p[0] == '+' || p[0] == '-');
  uint32_t rest_n = n - (uint32_t)(rest - p);
  if (rest_n == 0) return x07_res_bytes_err(F64_ERR_PARSE_INVALID);
  if (ascii_ieq(rest, rest_n, "nan")) return x07_res_bytes_ok(wr(NAN));
  if (ascii_ieq(rest, rest_n, "inf")) return x07_res_bytes_ok(wr(neg ? -INFINITY : INFINITY));
  double d;
  if (!x07_ext_parse_decimal(p, n, &d)) return x07_res_bytes_err(F64_ERR_PARSE_INVALID);
  if (!isfinite(d)) return x07_res_bytes_err(F64_ERR_PARSE_OVERFLOW);
  return x07_res_bytes_ok(wr(d));
}

/* Shortest round-trip digits of a finite nonzero |d|: the fewest significant
 * digits whose correctly rounded value reads back as d. Returns the digit count
 * and the decimal exponent of the first digit. */
static int shortest_digits(double d, char digits[20], int *exp10) {
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (strtod(buf, NULL) == d || prec == 17) {
      int n = 0;
      const char *q = buf;
      for (; *q && *q != 'e'; ++q)
        if (is_digit((uint8_t)*q)) digits[n++] = *q;
      *exp10 = atoi(q + 1);
      while (n > 1 && digits[n - 1] == '0') n--;
      digits[n] = '\0';
      return n;
    }
  }
  return 0; /* unreachable */
}

/* Rust-style float text (ryu's format): "NaN", "inf", "-inf"; otherwise the
 * shortest round-trip decimal, plain with a ".0" tail for integral values when the
 * decimal exponent is in -5 < e <= 16, d[.ddd]e<exp> outside. */
uint32_t x07_ext_f64_text(double v, char out[40]) {
  size_t o = 0;
  if (isnan(v)) return (uint32_t)snprintf(out, 40, "NaN");
  if (isinf(v)) return (uint32_t)snprintf(out, 40, v > 0 ? "inf" : "-inf");
  if (signbit(v)) out[o++] = '-', v = -v;
  if (v == 0) return (uint32_t)(o + (size_t)snprintf(out + o, 40 - o, "0.0"));
  char dg[20];
  int e10 = 0;
  int len = shortest_digits(v, dg, &e10);
  int kk = e10 + 1; /* 10^(kk-1) <= v < 10^kk */
  int k = kk - len;  /* v = digits * 10^k */
  if (k >= 0 && kk <= 16) {
    memcpy(out + o, dg, (size_t)len), o += (size_t)len;
    for (int i = 0; i < k; ++i) out[o++] = '0';
    out[o++] = '.', out[o++] = '0';
  } else if (kk > 0 && kk <= 16) {
    memcpy(out + o, dg, (size_t)kk), o += (size_t)kk;
    out[o++] = '.';
    memcpy(out + o, dg + kk, (size_t)(len - kk)), o += (size_t)(len - kk);
  } else if (kk > -5 && kk <= 0) {
    out[o++] = '0', out[o++] = '.';
    for (int i = 0; i < -kk; ++i) out[o++] = '0';
    memcpy(out + o, dg, (size_t)len), o += (size_t)len;
  } else {
    out[o++] = dg[0];
    if (len > 1) {
      out[o++] = '.';
      memcpy(out + o, dg + 1, (size_t)(len - 1)), o += (size_t)(len - 1);
    }
    o += (size_t)snprintf(out + o, 40 - o, "e%d", kk - 1);
  }
  return (uint32_t)o;
}

/* Canonical text: "nan", "inf", "-inf"; otherwise the Rust-style text without a
 * ".0" tail (1.0 -> "1", 1e16 -> "10000000000000000", 1e17 -> "1e17"). */
x07_bytes x07_math_f64_fmt_shortest_v1(x07_view x) {
  double v = rd(x);
  if (isnan(v)) return x07_bytes_from("nan", 3);
  char out[40];
  uint32_t n = x07_ext_f64_text(v, out);
  if (n >= 2 && out[n - 2] == '.' && out[n - 1] == '0') n -= 2;
  return x07_bytes_from(out, n);
}
