/* Internal to the regex.* builtins (ext_regex*.c): the compiled program of a pattern and the
 * two searches upstream's ext-regex backend promises (leftmost start, then the longest match
 * from that start, with the captures of that match). */
#ifndef X07_EXT_REGEX_H
#define X07_EXT_REGEX_H

#include <stdint.h>

/* ext.regex error codes (upstream's ext.regex module constants). */
enum {
  XR_PARSE_UNBALANCED_PAREN = 1,
  XR_PARSE_UNCLOSED_CLASS = 2,
  XR_PARSE_INVALID_CLASS = 3,
  XR_PARSE_INVALID_ESCAPE = 4,
  XR_PARSE_NOTHING_TO_REPEAT = 5,
  XR_PARSE_INVALID_REPEAT = 6,
  XR_PARSE_REPEAT_RANGE = 7,
  XR_COMPILE_STACK_OVERFLOW = 8,
  XR_COMPILE_TOO_MANY_STATES = 9,
  XR_EXEC_INVALID_COMPILED = 10,
  XR_PARSE_TOO_MANY_CAPTURES = 11,
};

/* compile options (upstream's opts bits) */
enum { XR_OPT_CASEI = 1, XR_OPT_MULTILINE = 2, XR_OPT_DOTALL = 4, XR_OPT_UNICODE = 8 };

#define XR_MAX_CAPS 32
#define XR_NO_POS 0xFFFFFFFFu

typedef struct { uint32_t lo, hi; } xr_range;
typedef struct { xr_range *r; uint32_t n, cap; } xr_set;

/* Instructions. SET consumes one unit (a byte, or in Unicode mode one UTF-8 codepoint) in set x;
 * SPLIT prefers x over y; SAVE writes the position into slot x; ASSERT checks `arg` (XA_*). */
enum { XI_SET, XI_SPLIT, XI_JMP, XI_SAVE, XI_ASSERT, XI_MATCH };
enum { XA_TEXT_START, XA_TEXT_END, XA_LINE_START, XA_LINE_END, XA_WORD, XA_NOT_WORD, XA_WORD_START, XA_WORD_END };
typedef struct { uint8_t op, arg; uint32_t x, y; } xr_inst;

typedef struct {
  xr_inst *code;
  uint32_t n, cap;
  xr_set *sets;
  uint32_t nsets, capsets;
  uint32_t ncaps;   /* capture groups, group 0 (the whole match) not counted */
  int unicode;      /* units are UTF-8 codepoints (opts bit 8), else bytes */
} xr_prog;

/* Compiles `pat` with upstream's option bits. 0 on success, else the error code and *pos. */
uint32_t xr_compile(const uint8_t *pat, uint32_t len, uint32_t opts, xr_prog *out, uint32_t *pos);
void xr_prog_free(xr_prog *p);

/* Searches text[start..len): 1 and the match [*s, *e) (leftmost start, longest end from it), with
 * 2*(ncaps+1) slots in `slots` when it is not NULL (XR_NO_POS for a group that did not take part). */
int xr_search(const xr_prog *p, const uint8_t *text, uint32_t len, uint32_t start, uint32_t *s, uint32_t *e,
              uint32_t *slots);

/* Unicode tables (ext_regex_unicode.c, generated). */
typedef struct { const char *name; const uint32_t *ranges; uint32_t n; } xr_ucat;
extern const xr_ucat xr_ucats[];
extern const uint32_t xr_ufold[];
extern const uint32_t xr_ufold_n;

/* helpers shared by the parser and the VM */
int xr_set_has(const xr_set *s, uint32_t c);
int xr_is_word_cp(uint32_t c, int unicode);
/* Decodes one UTF-8 codepoint at t[i..n): its length, or 0 when the bytes there are not valid UTF-8. */
uint32_t xr_utf8_decode(const uint8_t *t, uint32_t n, uint32_t i, uint32_t *cp);

#endif
