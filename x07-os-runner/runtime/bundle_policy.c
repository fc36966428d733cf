/* The kernel sandbox of a self-sandboxing bundle (x07 bundle, run-os-sandboxed,
 * backend os) follows the policy the runtime enforces: the X07_OS_* environment
 * after the bundle's setup put in the embedded policy's values as defaults and
 * forced X07_WORLD / X07_OS_SANDBOXED. As upstream, whoever starts the bundle may
 * override policy values through its environment but cannot turn the sandbox off;
 * the kernel then holds exactly the effective policy (never more than the runtime
 * allows, and no silent denial of what it allows). Limits stay the embedded ones. */
#include "bundle_policy.h"

#include <stdlib.h>
#include <string.h>

#include "os_policy.h"

static const char *const *items(const x07_os_list *l) { return (const char *const *)l->items; }

/* Appends the ports of a "host:ports" entry (last ':' splits, ports ','-separated). */
static int add_ports(const char *entry, uint16_t **ports, size_t *n, size_t *cap) {
  const char *colon = strrchr(entry, ':');
  if (!colon) return 0;
  const char *p = colon + 1;
  while (*p) {
    char *end = NULL;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p) break;
    if (v >= 1 && v <= 65535) {
      if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 16;
        uint16_t *grown = realloc(*ports, grown_cap * sizeof *grown);
        if (!grown) return -1;
        *ports = grown;
        *cap = grown_cap;
      }
      (*ports)[(*n)++] = (uint16_t)v;
    }
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') break;
  }
  return 0;
}

int x07_bundle_sandbox_policy_from_env(x07_sandbox_config *cfg) {
  const x07_os_policy *pol = x07_os_pol();

  cfg->fs_enabled = pol->fs_enabled;
  cfg->read_roots = items(&pol->fs_read_roots);
  cfg->read_roots_len = pol->fs_read_roots.count;
  cfg->write_roots = items(&pol->fs_write_roots);
  cfg->write_roots_len = pol->fs_write_roots.count;
  cfg->create_missing_write_roots = pol->v1_allow_mkdir;

  cfg->net_enabled = pol->net_enabled;
  cfg->allow_tcp = pol->net_allow_tcp;
  cfg->allow_udp = pol->net_allow_udp;
  cfg->allow_dns = pol->net_allow_dns;
  uint16_t *ports = NULL;
  size_t nports = 0, cap = 0;
  for (uint32_t i = 0; i < pol->net_hosts.count; i++)
    if (add_ports(pol->net_hosts.items[i], &ports, &nports, &cap) != 0) return -1;
  cfg->tcp_ports.ports = ports;
  cfg->tcp_ports.len = nports;

  cfg->proc_enabled = pol->proc_enabled;
  cfg->allow_spawn = pol->proc_allow_spawn;
  size_t nexec = (size_t)pol->proc_execs.count + pol->proc_exec_prefixes.count;
  const char **execs = calloc(nexec + 1, sizeof *execs);
  if (!execs) return -1;
  for (uint32_t i = 0; i < pol->proc_execs.count; i++) execs[i] = pol->proc_execs.items[i];
  for (uint32_t i = 0; i < pol->proc_exec_prefixes.count; i++)
    execs[pol->proc_execs.count + i] = pol->proc_exec_prefixes.items[i];
  cfg->exec_paths = execs;
  cfg->exec_paths_len = nexec;

  /* as the runner's kernel_extra_read_paths: tzdata, and the sqlite files the db policy lists */
  const int sqlite = pol->db_enabled && pol->db_sqlite;
  size_t nextra = 1 + (sqlite ? pol->db_sqlite_paths.count : 0);
  const char **extra = calloc(nextra + 1, sizeof *extra);
  if (!extra) return -1;
  extra[0] = "/usr/share/zoneinfo";
  for (uint32_t i = 0; sqlite && i < pol->db_sqlite_paths.count; i++) extra[1 + i] = pol->db_sqlite_paths.items[i];
  cfg->extra_read_paths = extra;
  cfg->extra_read_paths_len = nextra;
  return 0;
}
