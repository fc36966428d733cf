/* Internal: the regex-lite matcher of process.allow_args_regex_lite
 * (full-string match over bytes: `.` any byte, `\x` literal x, `c*` zero or more
 * of the previous token, everything else literal). */
#ifndef X07_OS_REGEX_LITE_H
#define X07_OS_REGEX_LITE_H

#include <stdint.h>

/* 1 if s[0..n) matches the whole pattern. Traps on an invalid pattern
 * (`*` with nothing to repeat, more than 256 tokens). */
int x07_regex_lite_match(const char *pat, const uint8_t *s, uint32_t n);

#endif
