/* Internal: glob matching for os.fs.walk_glob_sorted_text_v1.
 * Syntax: `*` any sequence (also across '/'), `?` one character, `[abc]`,
 * `[a-z]`, `[!x]`/`[^x]` classes, `{a,b}` alternation (not nested), `\x` escape,
 * `**` only as a whole path component (`**` followed by `/` matches zero or more directories). */
#ifndef X07_OS_GLOB_H
#define X07_OS_GLOB_H

/* 1 if the pattern is well-formed. */
int x07_glob_valid(const char *pat);
/* 1 if the whole string matches the (valid) pattern. */
int x07_glob_match(const char *pat, const char *s);

#endif
