/* Contract violations (requires/ensures/invariant): one stderr line
 * `X07T_CONTRACT_V1 {json}` then a trap with no message of its own. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "x07rt_mem.h"

static char buf[4096];
static size_t len;
static int n_witness;

static void put(const char *s, size_t n) {
  if (n > sizeof buf - 64 - len) n = sizeof buf - 64 - len; /* keep room for the closing text */
  memcpy(buf + len, s, n);
  len += n;
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void put_json_string(const uint8_t *s, size_t n) {
  puts_("\"");
  for (size_t i = 0; i < n; i++) {
    char e[8];
    uint8_t c = s[i];
    if (c == '"' || c == '\\') { e[0] = '\\'; e[1] = (char)c; put(e, 2); }
    else if (c < 0x20) { snprintf(e, sizeof e, "\\u%04x", c); puts_(e); }
    else put((const char *)&c, 1);
  }
  puts_("\"");
}

void x07_contract_begin(const char *kind, const char *fn, const char *id, uint32_t index, const char *ptr) {
  char num[16];
  len = 0;
  n_witness = 0;
  puts_("X07T_CONTRACT_V1 {\"contract_kind\":");
  put_json_string((const uint8_t *)kind, strlen(kind));
  puts_(",\"fn\":");
  put_json_string((const uint8_t *)fn, strlen(fn));
  puts_(",\"clause_id\":");
  put_json_string((const uint8_t *)id, strlen(id));
  snprintf(num, sizeof num, "%u", index);
  puts_(",\"clause_index\":");
  puts_(num);
  puts_(",\"clause_ptr\":");
  put_json_string((const uint8_t *)ptr, strlen(ptr));
  puts_(",\"witness\":[");
}

void x07_contract_witness_i32(uint32_t v) {
  char num[64];
  snprintf(num, sizeof num, "%s{\"ty\":\"i32\",\"value_i32\":%d}", n_witness++ ? "," : "", (int32_t)v);
  puts_(num);
}

void x07_contract_witness_view(x07_view v) {
  char num[64];
  snprintf(num, sizeof num, "%s{\"ty\":\"bytes_view\",\"len\":%u}", n_witness++ ? "," : "", v.len);
  puts_(num);
}

_Noreturn void x07_contract_fail(void) {
  memcpy(buf + len, "]}\n", 3);
  len += 3;
  x07_write_all(2, buf, len);
  __builtin_trap();
}
