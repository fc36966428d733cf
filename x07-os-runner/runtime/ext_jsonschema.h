/* Internal to the jsonschema.* builtins (ext_jsonschema.c documents and schema table,
 * ext_jsonschema_validate.c the keywords). */
#ifndef X07_EXT_JSONSCHEMA_H
#define X07_EXT_JSONSCHEMA_H

#include <stdint.h>
#include "ext_json.h"

/* dialect ids, as upstream numbers them in the compiled document */
enum { JS_2020_12 = 1, JS_2019_09 = 2, JS_DRAFT4 = 4, JS_DRAFT6 = 6, JS_DRAFT7 = 7 };

typedef struct {
  ej_doc doc;
  uint8_t dialect;
  uint32_t len;
  uint64_t hash64;
} js_schema;

/* One validation error: instance pointer, keyword, message (upstream's errors_json entries). */
typedef struct { ej_buf ptr, kw, msg; } js_err;
typedef struct { js_err *e; uint32_t n, cap; } js_errs;

/* Checks what validation relies on (every $ref resolvable, keyword values of the right JSON type).
 * 0 when usable; else 1 with a message in `msg`. */
int js_check_schema(const js_schema *s, ej_buf *msg);

/* Validates `inst`: 1 valid; 0 invalid with the errors appended to `errs`. */
int js_validate(const js_schema *s, const ej *inst, js_errs *errs);

#endif
