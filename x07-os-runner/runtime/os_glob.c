/* Small glob matcher (see os_glob.h). Alternation groups are matched by trying
 * each alternative in place, so no expansion buffers are needed. */
#include "os_glob.h"

#include <stdint.h>
#include <string.h>

/* Length in bytes of the UTF-8 sequence starting at s (at least 1). */
static int u8len(const char *s) {
  unsigned char c = (unsigned char)*s;
  int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  for (int i = 1; i < n; i++)
    if (!s[i]) return i;
  return n;
}

static uint32_t u8cp(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  int n = u8len(s);
  if (n == 1) return p[0];
  uint32_t cp = p[0] & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (int i = 1; i < n; i++) cp = (cp << 6) | (p[i] & 0x3F);
  return cp;
}

/* Returns the index just past the class ']' starting at pat[i] == '[', or -1. */
static int class_end(const char *pat, int i) {
  int j = i + 1;
  if (pat[j] == '!' || pat[j] == '^') j++;
  if (pat[j] == ']') j++;
  while (pat[j] && pat[j] != ']') j += u8len(pat + j);
  return pat[j] == ']' ? j + 1 : -1;
}

static int class_match(const char *pat, int i, uint32_t cp) {
  int j = i + 1, neg = 0, hit = 0;
  if (pat[j] == '!' || pat[j] == '^') { neg = 1; j++; }
  int first = 1;
  while (pat[j] && (pat[j] != ']' || first)) {
    first = 0;
    uint32_t lo = u8cp(pat + j);
    j += u8len(pat + j);
    uint32_t hi = lo;
    if (pat[j] == '-' && pat[j + 1] && pat[j + 1] != ']') {
      hi = u8cp(pat + j + 1);
      j += 1 + u8len(pat + j + 1);
    }
    if (cp >= lo && cp <= hi) hit = 1;
  }
  return hit != neg;
}

/* End index of the '{...}' group starting at i (index past '}'), or -1. */
static int group_end(const char *pat, int i) {
  for (int j = i + 1; pat[j]; j++) {
    if (pat[j] == '\\' && pat[j + 1]) j++;
    else if (pat[j] == '[') { int e = class_end(pat, j); if (e < 0) return -1; j = e - 1; }
    else if (pat[j] == '{') return -1;
    else if (pat[j] == '}') return j + 1;
  }
  return -1;
}

int x07_glob_valid(const char *pat) {
  for (int i = 0; pat[i];) {
    char c = pat[i];
    if (c == '\\') {
      if (!pat[i + 1]) return 0;
      i += 1 + u8len(pat + i + 1);
    } else if (c == '[') {
      int e = class_end(pat, i);
      if (e < 0) return 0;
      i = e;
    } else if (c == '{') {
      if (group_end(pat, i) < 0) return 0;
      i++;
    } else if (c == '}') {
      /* only valid when closing an open group: scan back for an unclosed '{' */
      int depth = 0;
      for (int k = i - 1; k >= 0; k--) {
        if (pat[k] == '}') depth++;
        if (pat[k] == '{') { if (depth == 0) { depth = -1; break; } depth--; }
      }
      if (depth != -1) return 0;
      i++;
    } else if (c == '*' && pat[i + 1] == '*') {
      int start_ok = i == 0 || pat[i - 1] == '/' || pat[i - 1] == '{' || pat[i - 1] == ',';
      char nx = pat[i + 2];
      int end_ok = nx == 0 || nx == '/' || nx == '}' || nx == ',';
      if (!start_ok || !end_ok) return 0;
      i += 2;
    } else {
      i += u8len(pat + i);
    }
  }
  return 1;
}

/* Matches pat[pi..] (an alternative when `in_group`, ending at ',' or '}') and then
 * the pending continuations `cont` against s. */
static int match_at(const char *pat, int pi, const char *s, const char *const *cont, int ncont, int in_group);

/* Continue with the next pending continuation after the current segment ends. */
static int match_rest(const char *s, const char *const *cont, int ncont) {
  if (ncont == 0) return *s == 0;
  return match_at(cont[0], 0, s, cont + 1, ncont - 1, 0);
}

static int match_at(const char *pat, int pi, const char *s, const char *const *cont, int ncont, int in_group) {
  for (;;) {
    char c = pat[pi];
    if (c == 0 || (in_group && (c == ',' || c == '}'))) {
      /* inside an alternative, ',' and '}' end it (groups do not nest) */
      return match_rest(s, cont, ncont);
    }
    if (c == '*' && pat[pi + 1] == '*') {
      int atstart = pi == 0 || pat[pi - 1] == '/';
      if (atstart && pat[pi + 2] == '/') {
        /* "**" then "/": zero or more whole directories */
        if (match_at(pat, pi + 3, s, cont, ncont, in_group)) return 1;
        for (const char *p = s; *p; p++)
          if (*p == '/' && match_at(pat, pi + 3, p + 1, cont, ncont, in_group)) return 1;
        return 0;
      }
      /* trailing "**" (also after a slash): anything */
      pi += 2;
      for (const char *p = s;; p++) {
        if (match_at(pat, pi, p, cont, ncont, in_group)) return 1;
        if (!*p) return 0;
      }
    }
    if (c == '*') {
      pi++;
      for (const char *p = s;; p += u8len(p)) {
        if (match_at(pat, pi, p, cont, ncont, in_group)) return 1;
        if (!*p) return 0;
      }
    }
    if (c == '?') {
      if (!*s) return 0;
      s += u8len(s);
      pi++;
      continue;
    }
    if (c == '[') {
      if (!*s) return 0;
      if (!class_match(pat, pi, u8cp(s))) return 0;
      s += u8len(s);
      pi = class_end(pat, pi);
      continue;
    }
    if (c == '{') {
      int end = group_end(pat, pi);
      /* each alternative starts after '{' or ','; after it, continue at `end` */
      const char *after = pat + end;
      const char *nc[64];
      if (ncont >= 63) return 0; /* more than 63 groups in a row: treated as no match */
      nc[0] = after;
      for (int k = 0; k < ncont; k++) nc[k + 1] = cont[k];
      int a = pi + 1;
      for (;;) {
        if (match_at(pat, a, s, nc, ncont + 1, 1)) return 1;
        /* advance to the next ',' at this level */
        int j = a;
        while (pat[j] && pat[j] != ',' && pat[j] != '}') {
          if (pat[j] == '\\' && pat[j + 1]) j += 2;
          else if (pat[j] == '[') j = class_end(pat, j);
          else j++;
        }
        if (pat[j] != ',') return 0;
        a = j + 1;
      }
    }
    if (c == '\\') {
      pi++;
      c = pat[pi];
    }
    int n = u8len(pat + pi);
    if (strncmp(pat + pi, s, (size_t)n) != 0) return 0;
    pi += n;
    s += n;
  }
}

int x07_glob_match(const char *pat, const char *s) { return match_at(pat, 0, s, 0, 0, 0); }
