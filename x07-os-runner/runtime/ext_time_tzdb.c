/* os.time.tzdb_* builtins: UTC offsets from the IANA time zone database as the
 * system ships it (TZif files under /usr/share/zoneinfo, Debian's tzdata).
 * Upstream compiles a snapshot into the binary (chrono-tz); here the snapshot is
 * the installed tzdata, and tzdb_snapshot_id_v1 names its version. Results are
 * duration docs: ok {u8 1, u8 1, i64le secs, u32le nanos}, err {u8 0, u32le code, u32le 0}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x07rt.h"

#ifndef X07_TZDIR
#define X07_TZDIR "/usr/share/zoneinfo"
#endif
enum { TZ_ERR_INVALID_TZID = 100, TZ_ERR_RANGE = 101, TZ_ERR_INTERNAL = 102 };
/* chrono's DateTime range (years -262143..262142), in Unix seconds */
#define TZ_MIN_UNIX_S (-8334601228800LL)
#define TZ_MAX_UNIX_S 8210266876799LL

/* Zone names: [A-Za-z0-9_+-] segments joined by '/', no '.'-leading segment; the
 * "posix/" and "right/" mirrors and non-zone files are not names. */
static int tzid_syntax_ok(x07_view id) {
  if (id.len == 0 || id.len > 255 || id.ptr[0] == '/' || id.ptr[id.len - 1] == '/') return 0;
  for (uint32_t i = 0; i < id.len; i++) {
    uint8_t c = id.ptr[i];
    int seg_start = i == 0 || id.ptr[i - 1] == '/';
    if (c == '/' && seg_start) return 0;
    if (seg_start && c == '.') return 0;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
          c == '-' || c == '/' || c == '.'))
      return 0;
  }
  if ((id.len > 6 && !memcmp(id.ptr, "posix/", 6)) || (id.len > 6 && !memcmp(id.ptr, "right/", 6))) return 0;
  if (id.len == 10 && !memcmp(id.ptr, "posixrules", 10)) return 0;
  if (id.len == 9 && !memcmp(id.ptr, "localtime", 9)) return 0;
  return 1;
}

/* The TZif file of a zone (malloc'd), or NULL. */
static uint8_t *load_tzif(x07_view id, size_t *n) {
  if (!tzid_syntax_ok(id)) return NULL;
  char path[sizeof X07_TZDIR + 260];
  snprintf(path, sizeof path, "%s/%.*s", X07_TZDIR, (int)id.len, (const char *)id.ptr);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, len = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 8192;
      if (cap > (1u << 22)) break; /* no zone file is anywhere near 4 MiB */
      uint8_t *nb = realloc(buf, cap);
      if (!nb) break;
      buf = nb;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    if (r == 0) break;
    len += r;
  }
  fclose(f);
  if (!buf || len < 44 || memcmp(buf, "TZif", 4) != 0) {
    free(buf);
    return NULL;
  }
  *n = len;
  return buf;
}

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static int64_t be64(const uint8_t *p) { return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4)); }

/* ---- POSIX TZ footer rules (RFC 8536 §3.3), for instants after the last transition ---- */

static const char *tz_name(const char *s) {
  if (*s == '<') {
    const char *e = strchr(s, '>');
    return e ? e + 1 : NULL;
  }
  const char *b = s;
  while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) s++;
  return s - b >= 3 ? s : NULL;
}
/* [+-]hh[:mm[:ss]] -> seconds */
static const char *tz_hms(const char *s, long *out) {
  int neg = 0;
  if (*s == '+' || *s == '-') neg = *s++ == '-';
  if (*s < '0' || *s > '9') return NULL;
  long v[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) {
    while (*s >= '0' && *s <= '9') v[i] = v[i] * 10 + (*s++ - '0');
    if (i < 2 && *s == ':') s++;
    else break;
  }
  *out = (v[0] * 3600 + v[1] * 60 + v[2]) * (neg ? -1 : 1);
  return s;
}

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int64_t days_from_civil(int64_t y, int m, int d) { /* days since 1970-01-01 */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

typedef struct {
  char kind; /* 'M', 'J', 'n' */
  int m, w, d;
  long time;
} tz_rule;

static const char *tz_rule_parse(const char *s, tz_rule *r) {
  r->time = 7200;
  if (*s == 'M') {
    r->kind = 'M';
    if (sscanf(s + 1, "%d.%d.%d", &r->m, &r->w, &r->d) != 3) return NULL;
    s++;
    for (int dots = 0; *s && ((*s >= '0' && *s <= '9') || (*s == '.' && dots < 2)); s++) dots += *s == '.';
  } else {
    r->kind = *s == 'J' ? 'J' : 'n';
    if (*s == 'J') s++;
    if (*s < '0' || *s > '9') return NULL;
    r->d = 0;
    while (*s >= '0' && *s <= '9') r->d = r->d * 10 + (*s++ - '0');
  }
  if (*s == '/') s = tz_hms(s + 1, &r->time);
  return s;
}

/* Unix seconds (in local standard/daylight terms given by `offset`) when the rule fires in year y. */
static int64_t tz_rule_at(const tz_rule *r, int64_t y, long offset) {
  int64_t day;
  if (r->kind == 'J') {
    day = days_from_civil(y, 1, 1) + r->d - 1 + (is_leap(y) && r->d >= 60);
  } else if (r->kind == 'n') {
    day = days_from_civil(y, 1, 1) + r->d;
  } else {
    int64_t first = days_from_civil(y, r->m, 1);
    int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int64_t d = first + (r->d - wd + 7) % 7 + (int64_t)(r->w - 1) * 7;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = mdays[r->m - 1] + (r->m == 2 && is_leap(y));
    while (d >= first + dim) d -= 7;
    day = d;
  }
  return day * 86400 + r->time - offset;
}

/* UTC offset at t from a footer like "CET-1CEST,M3.5.0,M10.5.0/3"; 0 on success. */
static int tz_footer_offset(const char *tz, int64_t t, long *out) {
  const char *s = tz_name(tz);
  long std_off, dst_off;
  if (!s || !(s = tz_hms(s, &std_off))) return -1;
  std_off = -std_off; /* POSIX offsets are west-positive */
  if (*s == '\0') {
    *out = std_off;
    return 0;
  }
  if (!(s = tz_name(s))) return -1;
  dst_off = std_off + 3600;
  if (*s && *s != ',') {
    if (!(s = tz_hms(s, &dst_off))) return -1;
    dst_off = -dst_off;
  }
  tz_rule start, end;
  if (*s != ',' || !(s = tz_rule_parse(s + 1, &start)) || *s != ',' || !(s = tz_rule_parse(s + 1, &end)))
    return -1;
  int64_t days = (t >= 0 ? t : t - 86399) / 86400, z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  if (mp >= 10) y++;
  int64_t a = tz_rule_at(&start, y, std_off), b = tz_rule_at(&end, y, dst_off);
  int in_dst = a < b ? (t >= a && t < b) : !(t >= b && t < a);
  *out = in_dst ? dst_off : std_off;
  return 0;
}

/* UTC offset of zone data `f` at t (RFC 8536, version 2+ data block). */
static int tzif_offset(const uint8_t *f, size_t n, int64_t t, long *out) {
  size_t pos = 0;
  for (int block = 0; block < 2; block++) {
    if (pos + 44 > n || memcmp(f + pos, "TZif", 4) != 0) return -1;
    uint32_t isut = be32(f + pos + 20), isstd = be32(f + pos + 24), leap = be32(f + pos + 28);
    uint32_t timecnt = be32(f + pos + 32), typecnt = be32(f + pos + 36), charcnt = be32(f + pos + 40);
    size_t tsz = block == 0 ? 4 : 8;
    size_t body = timecnt * tsz + timecnt + typecnt * 6 + charcnt + leap * (tsz + 4) + isstd + isut;
    if (typecnt == 0 || pos + 44 + body > n) return -1;
    if (block == 0 && f[4] >= '2') { /* skip the 32-bit block */
      pos += 44 + body;
      continue;
    }
    const uint8_t *trans = f + pos + 44, *idx = trans + timecnt * tsz, *types = idx + timecnt;
    size_t lo = 0, hi = timecnt; /* first transition > t */
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      int64_t tm = tsz == 8 ? be64(trans + mid * 8) : (int32_t)be32(trans + mid * 4);
      if (tm <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo == timecnt && block == 1 && pos + 44 + body < n && f[pos + 44 + body] == '\n') {
      const char *foot = (const char *)f + pos + 44 + body + 1;
      const char *end = memchr(foot, '\n', n - (pos + 45 + body));
      if (end && end > foot) {
        char rule[128];
        size_t len = (size_t)(end - foot) < sizeof rule - 1 ? (size_t)(end - foot) : sizeof rule - 1;
        memcpy(rule, foot, len);
        rule[len] = '\0';
        if (tz_footer_offset(rule, t, out) == 0) return 0;
      }
    }
    uint32_t type = lo == 0 ? 0 : idx[lo - 1];
    if (type >= typecnt) return -1;
    *out = (int32_t)be32(types + type * 6);
    return 0;
  }
  return -1;
}

static x07_bytes dur_err(uint32_t code) {
  x07_bytes b = x07_bytes_new(9);
  x07_wr_u32le(b.ptr + 1, code);
  return b;
}

uint32_t x07_os_time_tzdb_is_valid_tzid_v1(x07_view tzid) {
  size_t n;
  uint8_t *f = load_tzif(tzid, &n);
  free(f);
  return f != NULL;
}

x07_bytes x07_os_time_tzdb_offset_duration_v1(x07_view tzid, uint32_t lo, uint32_t hi) {
  int64_t t = (int64_t)(((uint64_t)hi << 32) | lo);
  size_t n;
  uint8_t *f = load_tzif(tzid, &n);
  if (!f) return dur_err(TZ_ERR_INVALID_TZID);
  long off = 0;
  int rc = t < TZ_MIN_UNIX_S || t > TZ_MAX_UNIX_S ? 1 : tzif_offset(f, n, t, &off);
  free(f);
  if (rc) return dur_err(rc > 0 ? TZ_ERR_RANGE : TZ_ERR_INTERNAL);
  uint64_t secs = (uint64_t)(int64_t)off;
  x07_bytes b = x07_bytes_new(14);
  b.ptr[0] = 1;
  b.ptr[1] = 1;
  x07_wr_u32le(b.ptr + 2, (uint32_t)secs);
  x07_wr_u32le(b.ptr + 6, (uint32_t)(secs >> 32));
  return b;
}

/* "tzdb-" + the installed tzdata version ("# version 2025b" heading tzdata.zi). */
x07_bytes x07_os_time_tzdb_snapshot_id_v1(void) {
  char line[64] = "", id[80];
  FILE *f = fopen(X07_TZDIR "/tzdata.zi", "r");
  if (f) {
    if (!fgets(line, sizeof line, f)) line[0] = '\0';
    fclose(f);
  }
  char ver[32] = "unknown";
  if (sscanf(line, "# version %31s", ver) != 1) snprintf(ver, sizeof ver, "unknown");
  int n = snprintf(id, sizeof id, "tzdb-%s", ver);
  return x07_bytes_from(id, (uint32_t)n);
}
