/* regex-lite: patterns are compiled into at most 256 tokens, then matched with
 * a small backtracking loop (a star token tries the longest run first). */
#include "os_regex_lite.h"

#include <string.h>

#include "x07rt.h"

typedef struct {
  int any;      /* '.' */
  uint8_t byte; /* literal otherwise */
  int star;
} token;

enum { MAX_TOKENS = 256 };

static int compile(const char *pat, token *t) {
  int n = 0;
  for (size_t i = 0; pat[i]; i++) {
    char c = pat[i];
    if (c == '*') {
      if (n == 0 || t[n - 1].star) x07_trap("os.process allow_args_regex_lite invalid pattern");
      t[n - 1].star = 1;
      continue;
    }
    if (n == MAX_TOKENS) x07_trap("os.process allow_args_regex_lite pattern too long");
    token k = {0, 0, 0};
    if (c == '.') k.any = 1;
    else if (c == '\\') {
      if (!pat[i + 1]) x07_trap("os.process allow_args_regex_lite invalid pattern");
      k.byte = (uint8_t)pat[++i];
    } else k.byte = (uint8_t)c;
    t[n++] = k;
  }
  return n;
}

static int tok_eq(const token *k, uint8_t b) { return k->any || k->byte == b; }

static int match_from(const token *t, int nt, const uint8_t *s, uint32_t n) {
  if (nt == 0) return n == 0;
  if (t[0].star) {
    uint32_t run = 0;
    while (run < n && tok_eq(&t[0], s[run])) run++;
    for (uint32_t k = run + 1; k-- > 0;)
      if (match_from(t + 1, nt - 1, s + k, n - k)) return 1;
    return 0;
  }
  return n > 0 && tok_eq(&t[0], s[0]) && match_from(t + 1, nt - 1, s + 1, n - 1);
}

int x07_regex_lite_match(const char *pat, const uint8_t *s, uint32_t n) {
  token t[MAX_TOKENS];
  int nt = compile(pat, t);
  return match_from(t, nt, s, n);
}
