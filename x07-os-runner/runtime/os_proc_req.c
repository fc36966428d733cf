/* ProcCapsV1 / ProcReqV1 parsing and the sandboxed request checks, in the
 * order of runner.md §6.5 (steps 5 and 8–13). Outside the sandbox only the
 * structural (INVALID_REQUEST) checks apply. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "os_policy.h"
#include "os_proc.h"
#include "os_regex_lite.h"

static const char k_trap_prefix[] = "os.process.spawn_capture_v1";

void x07_proc_spec_free(x07_proc_spec *s) {
  if (s->argv)
    for (uint32_t i = 0; i < s->argc; i++) free(s->argv[i]);
  if (s->envp)
    for (uint32_t i = 0; i < s->envc; i++) free(s->envp[i]);
  free(s->argv);
  free(s->envp);
  free(s->cwd);
  free(s->stdin_data);
  memset(s, 0, sizeof *s);
}

static uint32_t sat_add(uint32_t a, uint32_t b) { return a + b < a ? 0xFFFFFFFFu : a + b; }

uint32_t x07_proc_check_caps(x07_view caps, x07_proc_spec *s) {
  const x07_os_policy *pol = x07_os_pol();
  if (caps.len < 17 || caps.ptr[0] != 1) return X07_PROC_INVALID_REQUEST;
  s->max_out = x07_rd_u32le(caps.ptr + 1);
  s->max_err = x07_rd_u32le(caps.ptr + 5);
  s->timeout_ms = x07_rd_u32le(caps.ptr + 9);
  s->max_total = x07_rd_u32le(caps.ptr + 13);
  if (s->max_total == 0) s->max_total = sat_add(s->max_out, s->max_err);
  if (!pol->sandboxed) return 0;
  if (pol->proc_max_runtime_ms != 0) {
    if (s->timeout_ms == 0) s->timeout_ms = pol->proc_max_runtime_ms;
    else if (s->timeout_ms > pol->proc_max_runtime_ms) return X07_PROC_POLICY_DENIED;
  }
  if (pol->proc_max_stdout && pol->proc_max_stdout < s->max_out) return X07_PROC_POLICY_DENIED;
  if (pol->proc_max_stderr && pol->proc_max_stderr < s->max_err) return X07_PROC_POLICY_DENIED;
  if (pol->proc_max_total && pol->proc_max_total < s->max_total) return X07_PROC_POLICY_DENIED;
  return 0;
}

typedef struct {
  const uint8_t *p;
  uint32_t len, off;
} reader;

static int rd_u32(reader *r, uint32_t *out) {
  if (r->len - r->off < 4) return 0;
  *out = x07_rd_u32le(r->p + r->off);
  r->off += 4;
  return 1;
}

static void trap_nul(const char *what) {
  char msg[96];
  strcpy(msg, k_trap_prefix);
  strcat(msg, what);
  x07_trap(msg);
}

static int exec_allowed(const x07_os_policy *pol, const uint8_t *exe, uint32_t n) {
  if (x07_os_list_contains(&pol->proc_execs, exe, n)) return 1;
  for (uint32_t i = 0; i < pol->proc_exec_prefixes.count; i++) {
    size_t pl = strlen(pol->proc_exec_prefixes.items[i]);
    if (pl <= n && memcmp(exe, pol->proc_exec_prefixes.items[i], pl) == 0) return 1;
  }
  return 0;
}

static int args_allowed(const x07_os_policy *pol, const uint8_t *a, uint32_t n) {
  if (pol->proc_args_regex.count == 0) return 1;
  for (uint32_t i = 0; i < pol->proc_args_regex.count; i++)
    if (x07_regex_lite_match(pol->proc_args_regex.items[i], a, n)) return 1;
  return 0;
}

/* An absolute cwd must lie under a root: returns the offset of the remainder. */
static int strip_root(const x07_os_policy *pol, const uint8_t *p, uint32_t n, uint32_t *rest) {
  for (uint32_t i = 0; i < pol->proc_cwd_roots.count; i++) {
    const char *r = pol->proc_cwd_roots.items[i];
    size_t rl = strlen(r);
    while (rl > 0 && r[rl - 1] == '/') rl--;
    if (rl <= n && memcmp(p, r, rl) == 0 && (rl == n || p[rl] == '/')) {
      *rest = rl == n ? n : (uint32_t)rl + 1;
      return 1;
    }
  }
  return 0;
}

static uint32_t check_cwd(const x07_os_policy *pol, const uint8_t *c, uint32_t n, x07_proc_spec *s) {
  if (memchr(c, 0, n)) trap_nul(" cwd contains NUL");
  if (!pol->sandboxed) {
    s->cwd = x07_os_strndup(c, n);
    return 0;
  }
  if (!pol->proc_allow_cwd || pol->proc_cwd_roots.count == 0) return X07_PROC_POLICY_DENIED;
  if (c[0] == '/' || c[0] == '\\') {
    uint32_t rest = 0;
    if (!strip_root(pol, c, n, &rest)) return X07_PROC_POLICY_DENIED;
    c += rest;
    n -= rest;
  }
  /* the built-in fs rule for relative paths (the NUL case trapped above) */
  if (!x07_os_safe_relative(c, n) || (pol->deny_hidden && x07_os_has_hidden_segment(c, n)))
    return X07_PROC_POLICY_DENIED;
  s->cwd = x07_os_strndup(c, n);
  s->cwd_rel = 1;
  return 0;
}

uint32_t x07_proc_check_req(x07_view req, x07_proc_spec *s) {
  const x07_os_policy *pol = x07_os_pol();
  int sb = pol->sandboxed;
  if (req.len < 6 || req.ptr[0] != 1 || req.ptr[1] != 0) return X07_PROC_INVALID_REQUEST;
  reader r = {req.ptr, req.len, 2};
  uint32_t argc = 0;
  rd_u32(&r, &argc);
  if (argc == 0 || argc > 128) return X07_PROC_INVALID_REQUEST;
  if (sb && argc > pol->proc_max_args) return X07_PROC_POLICY_DENIED;
  s->argv = (char **)calloc(argc + 1, sizeof(char *));
  if (!s->argv) x07_trap("out of memory");
  for (uint32_t i = 0; i < argc; i++) {
    uint32_t n = 0;
    if (!rd_u32(&r, &n)) return X07_PROC_INVALID_REQUEST;
    if (sb && n > pol->proc_max_arg_bytes) return X07_PROC_POLICY_DENIED;
    if (r.len - r.off < n) return X07_PROC_INVALID_REQUEST;
    const uint8_t *a = r.p + r.off;
    r.off += n;
    if (sb && i >= 1 && !args_allowed(pol, a, n)) return X07_PROC_POLICY_DENIED;
    if (memchr(a, 0, n)) trap_nul(" argv contains NUL");
    s->argv[i] = x07_os_strndup(a, n);
    s->argc = i + 1;
  }
  size_t exe_len = strlen(s->argv[0]);
  if (exe_len == 0) return X07_PROC_INVALID_REQUEST;
  if (sb && exe_len > pol->proc_max_exe_bytes) return X07_PROC_POLICY_DENIED;
  if (sb && !exec_allowed(pol, (const uint8_t *)s->argv[0], (uint32_t)exe_len)) return X07_PROC_POLICY_DENIED;

  uint32_t envc = 0;
  if (!rd_u32(&r, &envc) || envc > 256) return X07_PROC_INVALID_REQUEST;
  if (sb && envc > pol->proc_max_env) return X07_PROC_POLICY_DENIED;
  s->envp = (char **)calloc(envc + 1, sizeof(char *));
  if (!s->envp) x07_trap("out of memory");
  for (uint32_t i = 0; i < envc; i++) {
    uint32_t kl = 0, vl = 0;
    if (!rd_u32(&r, &kl)) return X07_PROC_INVALID_REQUEST;
    if (sb && kl > pol->proc_max_env_key_bytes) return X07_PROC_POLICY_DENIED;
    if (r.len - r.off < kl) return X07_PROC_INVALID_REQUEST;
    const uint8_t *k = r.p + r.off;
    r.off += kl;
    if (!rd_u32(&r, &vl)) return X07_PROC_INVALID_REQUEST;
    if (sb && vl > pol->proc_max_env_val_bytes) return X07_PROC_POLICY_DENIED;
    if (r.len - r.off < vl) return X07_PROC_INVALID_REQUEST;
    const uint8_t *v = r.p + r.off;
    r.off += vl;
    if (kl == 0 || memchr(k, '=', kl)) return X07_PROC_INVALID_REQUEST;
    if (sb && !x07_os_list_contains(&pol->proc_env_keys, k, kl)) return X07_PROC_POLICY_DENIED;
    if (memchr(k, 0, kl)) trap_nul(" env key contains NUL");
    if (memchr(v, 0, vl)) trap_nul(" env val contains NUL");
    char *kv = (char *)malloc((size_t)kl + vl + 2);
    if (!kv) x07_trap("out of memory");
    memcpy(kv, k, kl);
    kv[kl] = '=';
    memcpy(kv + kl + 1, v, vl);
    kv[kl + 1 + vl] = 0;
    s->envp[i] = kv;
    s->envc = i + 1;
  }

  uint32_t cwd_len = 0;
  if (!rd_u32(&r, &cwd_len) || r.len - r.off < cwd_len) return X07_PROC_INVALID_REQUEST;
  if (cwd_len > 0) {
    uint32_t rc = check_cwd(pol, r.p + r.off, cwd_len, s);
    if (rc) return rc;
  }
  r.off += cwd_len;

  uint32_t in_len = 0;
  if (!rd_u32(&r, &in_len) || r.len - r.off < in_len) return X07_PROC_INVALID_REQUEST;
  if (sb && pol->proc_max_stdin && in_len > pol->proc_max_stdin) return X07_PROC_POLICY_DENIED;
  if (r.off + in_len != r.len) return X07_PROC_INVALID_REQUEST;
  if (in_len) {
    s->stdin_data = (uint8_t *)malloc(in_len);
    if (!s->stdin_data) x07_trap("out of memory");
    memcpy(s->stdin_data, r.p + r.off, in_len);
    s->stdin_len = in_len;
  }
  return 0;
}
