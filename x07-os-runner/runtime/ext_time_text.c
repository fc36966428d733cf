/* time.rfc3339.* / time.civil.* builtins (any world): the 64-bit calendar
 * arithmetic behind our ext.time.rfc3339 and ext.time.civil modules
 * (docs/time/rfc3339-v1.md, civil-v1.md). Instants are Unix seconds from
 * 1970-01-01 to 9999-12-31; earlier dates are a range error as upstream. */
#include <stdio.h>
#include <string.h>
#include "x07rt.h"

enum { TS_ERR_INVALID = 1, TS_ERR_RANGE = 2, TS_ERR_BAD_TZID = 3, TS_ERR_TRUNCATED = 4 };
enum { CIV_ERR_INVALID_PARAM = 2, CIV_ERR_OUT_OF_RANGE = 3, CIV_ERR_BEFORE_EPOCH = 4 };

static x07_bytes err_doc(uint32_t code) {
  x07_bytes b = x07_bytes_new(9);
  x07_wr_u32le(b.ptr + 1, code);
  return b;
}

static int is_leap(uint32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static uint32_t days_in_month(uint32_t y, uint32_t m) {
  static const uint8_t d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return d[m - 1] + (m == 2 && is_leap(y));
}
static uint64_t days_since_1970(uint32_t y, uint32_t m, uint32_t d) {
  uint64_t days = 0;
  for (uint32_t yy = 1970; yy < y; yy++) days += 365u + is_leap(yy);
  for (uint32_t mm = 1; mm < m; mm++) days += days_in_month(y, mm);
  return days + d - 1;
}
/* Local civil fields of `local` seconds since 1970; 0 when the year passes 9999. */
static int civil_of(uint64_t local, uint32_t f[6]) {
  uint64_t days = local / 86400;
  uint32_t sod = (uint32_t)(local % 86400);
  if (days >> 32) return 0;
  uint32_t y = 1970, rem = (uint32_t)days;
  while (rem >= 365u + is_leap(y) && y <= 9999) rem -= 365u + is_leap(y), y++;
  if (y > 9999) return 0;
  uint32_t m = 1;
  while (rem >= days_in_month(y, m)) rem -= days_in_month(y, m), m++;
  f[0] = y, f[1] = m, f[2] = rem + 1, f[3] = sod / 3600, f[4] = sod % 3600 / 60, f[5] = sod % 60;
  return 1;
}

static int dig(const uint8_t *p, uint32_t i, uint32_t n) {
  uint32_t v = 0;
  for (uint32_t k = 0; k < n; k++) {
    if (p[i + k] < '0' || p[i + k] > '9') return -1;
    v = v * 10 + (p[i + k] - '0');
  }
  return (int)v;
}

/* "YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)[[TZID]]" -> ok doc
 * {u8 1, u32 unix_lo, i32 offset_s, u32 nanos, u32 tzid_len, tzid, u32 unix_hi} or an err doc. */
x07_bytes x07_time_rfc3339_parse_v1(x07_view s) {
  const uint8_t *p = s.ptr;
  uint32_t n = s.len;
  if (n < 20) return err_doc(TS_ERR_TRUNCATED);
  if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' || p[16] != ':')
    return err_doc(TS_ERR_INVALID);
  int f[6] = {dig(p, 0, 4), dig(p, 5, 2), dig(p, 8, 2), dig(p, 11, 2), dig(p, 14, 2), dig(p, 17, 2)};
  for (int i = 0; i < 6; i++)
    if (f[i] < 0) return err_doc(TS_ERR_INVALID);
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || (uint32_t)f[2] > days_in_month((uint32_t)f[0], (uint32_t)f[1]) ||
      f[3] > 23 || f[4] > 59)
    return err_doc(TS_ERR_RANGE);
  if (f[5] == 60) return err_doc(TS_ERR_INVALID); /* leap seconds are not representable */
  if (f[5] > 59) return err_doc(TS_ERR_RANGE);
  uint32_t i = 19, nanos = 0;
  if (i < n && p[i] == '.') {
    if (++i >= n) return err_doc(TS_ERR_TRUNCATED);
    uint32_t digits = 0;
    while (digits < 9 && i < n && p[i] >= '0' && p[i] <= '9') nanos = nanos * 10 + (p[i++] - '0'), digits++;
    if (digits == 0 || (digits == 9 && i < n && p[i] >= '0' && p[i] <= '9')) return err_doc(TS_ERR_INVALID);
    while (digits++ < 9) nanos *= 10;
  }
  if (i >= n) return err_doc(TS_ERR_TRUNCATED);
  int32_t offset = 0;
  uint32_t tz_end;
  if (p[i] == 'Z' || p[i] == 'z') {
    tz_end = i + 1;
  } else if (p[i] == '+' || p[i] == '-') {
    if (i + 5 >= n) return err_doc(TS_ERR_TRUNCATED);
    int hh = dig(p, i + 1, 2), mm = dig(p, i + 4, 2);
    if (hh < 0 || mm < 0 || p[i + 3] != ':') return err_doc(TS_ERR_INVALID);
    if (hh > 23 || mm > 59) return err_doc(TS_ERR_RANGE);
    offset = (hh * 3600 + mm * 60) * (p[i] == '-' ? -1 : 1);
    tz_end = i + 6;
  } else {
    return err_doc(TS_ERR_INVALID);
  }
  uint32_t tz_start = 0, tz_len = 0;
  if (tz_end < n) { /* "[TZID]" up to the end */
    if (p[tz_end] != '[') return err_doc(TS_ERR_BAD_TZID);
    tz_start = tz_end + 1;
    const uint8_t *close = memchr(p + tz_start, ']', n - tz_start);
    if (!close || close == p + tz_start || (uint32_t)(close - p) + 1 != n) return err_doc(TS_ERR_BAD_TZID);
    tz_len = (uint32_t)(close - p) - tz_start;
  }
  if (f[0] < 1970) return err_doc(TS_ERR_RANGE);
  uint64_t local = days_since_1970((uint32_t)f[0], (uint32_t)f[1], (uint32_t)f[2]) * 86400u +
                   (uint32_t)(f[3] * 3600 + f[4] * 60 + f[5]);
  if (offset > 0 && local < (uint64_t)offset) return err_doc(TS_ERR_RANGE);
  uint64_t unix_s = local - (int64_t)offset;
  x07_bytes out = x07_bytes_new(21 + tz_len);
  out.ptr[0] = 1;
  x07_wr_u32le(out.ptr + 1, (uint32_t)unix_s);
  x07_wr_u32le(out.ptr + 5, (uint32_t)offset);
  x07_wr_u32le(out.ptr + 9, nanos);
  x07_wr_u32le(out.ptr + 13, tz_len);
  memcpy(out.ptr + 17, p + tz_start, tz_len);
  x07_wr_u32le(out.ptr + 17 + tz_len, (uint32_t)(unix_s >> 32));
  return out;
}

/* Unix seconds (hi:lo, unsigned) at `offset_s` as RFC 3339 text, or an err doc. */
x07_bytes x07_time_rfc3339_format_v1(uint32_t lo, uint32_t hi, uint32_t offset_u, uint32_t nanos, x07_view tzid) {
  int32_t offset = (int32_t)offset_u;
  int64_t off_abs = offset < 0 ? -(int64_t)offset : offset;
  if ((int32_t)nanos < 0 || nanos >= 1000000000u || off_abs >= 86400 || off_abs % 60 != 0)
    return err_doc(TS_ERR_INVALID);
  if (memchr(tzid.ptr, '[', tzid.len) || memchr(tzid.ptr, ']', tzid.len)) return err_doc(TS_ERR_BAD_TZID);
  uint64_t unix_s = ((uint64_t)hi << 32) | lo;
  if (offset < 0 && unix_s < (uint64_t)off_abs) return err_doc(TS_ERR_RANGE);
  uint32_t f[6];
  if (!civil_of(unix_s + (uint64_t)(int64_t)offset, f)) return err_doc(TS_ERR_RANGE);
  char text[48];
  int k = snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", f[0], f[1], f[2], f[3], f[4], f[5]);
  if (nanos) k += snprintf(text + k, sizeof text - (size_t)k, ".%09u", nanos);
  if (offset == 0) text[k++] = 'Z';
  else k += snprintf(text + k, sizeof text - (size_t)k, "%c%02u:%02u", offset < 0 ? '-' : '+',
                     (unsigned)(off_abs / 3600), (unsigned)(off_abs % 3600 / 60));
  uint32_t tz_extra = tzid.len ? tzid.len + 2 : 0;
  x07_bytes out = x07_bytes_new((uint32_t)k + tz_extra);
  memcpy(out.ptr, text, (size_t)k);
  if (tzid.len) {
    out.ptr[k] = '[';
    memcpy(out.ptr + k + 1, tzid.ptr, tzid.len);
    out.ptr[k + 1 + tzid.len] = ']';
  }
  return out;
}

/* CivilDocV1: {u8 1, i32 year, month, day, hour, minute, second, nanos, offset_s, u32 unix_lo, unix_hi}. */
static x07_bytes civil_doc(const uint32_t f[6], uint32_t nanos, int32_t offset, uint64_t unix_s) {
  x07_bytes out = x07_bytes_new(41);
  out.ptr[0] = 1;
  for (int i = 0; i < 6; i++) x07_wr_u32le(out.ptr + 1 + 4 * i, f[i]);
  x07_wr_u32le(out.ptr + 25, nanos);
  x07_wr_u32le(out.ptr + 29, (uint32_t)offset);
  x07_wr_u32le(out.ptr + 33, (uint32_t)unix_s);
  x07_wr_u32le(out.ptr + 37, (uint32_t)(unix_s >> 32));
  return out;
}

x07_bytes x07_time_civil_from_unix_s_v1(uint32_t lo, uint32_t hi, uint32_t offset_u, uint32_t nanos) {
  int32_t offset = (int32_t)offset_u;
  int64_t off_abs = offset < 0 ? -(int64_t)offset : offset;
  if (nanos >= 1000000000u || off_abs > 86400) return err_doc(CIV_ERR_INVALID_PARAM);
  uint64_t unix_s = ((uint64_t)hi << 32) | lo;
  if (offset < 0 && unix_s < (uint64_t)off_abs) return err_doc(CIV_ERR_BEFORE_EPOCH);
  uint32_t f[6];
  if (!civil_of(unix_s + (uint64_t)(int64_t)offset, f)) return err_doc(CIV_ERR_OUT_OF_RANGE);
  return civil_doc(f, nanos, offset, unix_s);
}

x07_bytes x07_time_civil_make_v1(uint32_t y, uint32_t m, uint32_t d, uint32_t h, uint32_t mi, uint32_t s,
                                 uint32_t nanos, uint32_t offset_u) {
  int32_t offset = (int32_t)offset_u;
  int64_t off_abs = offset < 0 ? -(int64_t)offset : offset;
  if ((int32_t)y < 1970) return err_doc(CIV_ERR_OUT_OF_RANGE);
  if (y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || h > 23 || mi > 59 || s > 59 ||
      nanos >= 1000000000u || off_abs > 86400)
    return err_doc(y > 9999 ? CIV_ERR_OUT_OF_RANGE : CIV_ERR_INVALID_PARAM);
  uint64_t local = days_since_1970(y, m, d) * 86400u + h * 3600u + mi * 60u + s;
  if (offset > 0 && local < (uint64_t)offset) return err_doc(CIV_ERR_BEFORE_EPOCH);
  uint32_t f[6] = {y, m, d, h, mi, s};
  return civil_doc(f, nanos, offset, local - (int64_t)offset);
}
