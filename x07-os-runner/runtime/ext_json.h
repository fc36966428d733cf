/* A small JSON DOM for native builtins (RFC 8259 text in, a tree of values out): used by the
 * jsonschema.* builtins. Values live in one arena per document (ej_doc); object members keep the
 * order of the text. Strings are decoded to UTF-8 (escapes resolved, may contain NUL). */
#ifndef X07_EXT_JSON_H
#define X07_EXT_JSON_H

#include <stddef.h>
#include <stdint.h>

enum { EJ_NULL, EJ_BOOL, EJ_NUM, EJ_STR, EJ_ARR, EJ_OBJ };

typedef struct ej {
  uint8_t t;
  uint8_t b;        /* EJ_BOOL */
  double num;       /* EJ_NUM */
  const char *s;    /* EJ_STR: the string; EJ_NUM: the number's text */
  uint32_t slen;
  struct ej **v;    /* EJ_ARR items / EJ_OBJ member values */
  const char **k;   /* EJ_OBJ member names */
  uint32_t *klen;
  uint32_t n;
} ej;

typedef struct ej_block ej_block;
typedef struct {
  ej_block *blocks;
  ej *root;
} ej_doc;

/* Parses `len` bytes of JSON text (one value, surrounding whitespace allowed, nesting <= 512).
 * 0 on success; else nonzero with a message "<what> at line L column C" in err. */
int ej_parse(ej_doc *d, const uint8_t *text, uint32_t len, char *err, size_t errcap);
void ej_free(ej_doc *d);

const ej *ej_get(const ej *obj, const char *key);  /* member by name (first match), NULL if none */
int ej_equal(const ej *a, const ej *b);            /* JSON equality (numbers by value, objects unordered) */
int ej_is_integer(const ej *v);                    /* a number with no fractional part */

/* Growable text buffer; ej_write appends a value as compact JSON (object keys sorted, as
 * serde_json prints a map), numbers as written in the source text. */
typedef struct { char *p; size_t n, cap; } ej_buf;
void ej_buf_put(ej_buf *b, const char *s, size_t n);
void ej_buf_puts(ej_buf *b, const char *s);
void ej_write_str(ej_buf *b, const char *s, size_t n);  /* a JSON string literal */
void ej_write(ej_buf *b, const ej *v);

#endif
