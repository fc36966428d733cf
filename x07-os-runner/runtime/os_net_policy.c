/* Network policy: X07_OS_NET* flags and X07_OS_NET_ALLOW_HOSTS matching.
 * Entry "host:ports" — the last ':' splits; "[v6]" hosts are unwrapped; ports
 * are a ',' list of exact numbers. An IP candidate matches an "ip/prefix" CIDR,
 * a "lo-hi" range (either order) or an exact IP; a DNS name matches a name
 * entry case-insensitively. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "os_net.h"
#include "os_policy.h"

typedef struct {
  int v6;
  uint8_t b[16];
} ip_t;

static int parse_ip(const char *s, size_t n, ip_t *ip) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  memset(ip, 0, sizeof *ip);
  if (inet_pton(AF_INET, buf, ip->b) == 1) return 1;
  if (inet_pton(AF_INET6, buf, ip->b) == 1) {
    ip->v6 = 1;
    return 1;
  }
  return 0;
}

static int ip_len(const ip_t *ip) { return ip->v6 ? 16 : 4; }

static int ip_cmp(const ip_t *a, const ip_t *b) { return memcmp(a->b, b->b, (size_t)ip_len(a)); }

static int prefix_match(const ip_t *net, const ip_t *cand, unsigned bits) {
  for (unsigned i = 0; i < bits; i++) {
    unsigned byte = i / 8, mask = 0x80u >> (i % 8);
    if ((net->b[byte] & mask) != (cand->b[byte] & mask)) return 0;
  }
  return 1;
}

/* Host part of an entry vs an IP candidate. */
static int host_matches_ip(const char *h, size_t n, const ip_t *cand) {
  const char *slash = memchr(h, '/', n);
  ip_t a, b;
  if (slash) {
    if (!parse_ip(h, (size_t)(slash - h), &a) || a.v6 != cand->v6) return 0;
    char *end = NULL;
    char tmp[8];
    size_t pl = n - (size_t)(slash - h) - 1;
    if (pl == 0 || pl >= sizeof tmp) return 0;
    memcpy(tmp, slash + 1, pl);
    tmp[pl] = 0;
    unsigned long bits = strtoul(tmp, &end, 10);
    if (*end || bits > (unsigned long)(ip_len(&a) * 8)) return 0;
    return prefix_match(&a, cand, (unsigned)bits);
  }
  const char *dash = memchr(h, '-', n);
  if (dash && parse_ip(h, (size_t)(dash - h), &a) && parse_ip(dash + 1, n - (size_t)(dash - h) - 1, &b)) {
    if (a.v6 != cand->v6 || b.v6 != cand->v6) return 0;
    if (ip_cmp(&a, &b) > 0) {
      ip_t t = a;
      a = b;
      b = t;
    }
    return ip_cmp(&a, cand) <= 0 && ip_cmp(cand, &b) <= 0;
  }
  return parse_ip(h, n, &a) && a.v6 == cand->v6 && ip_cmp(&a, cand) == 0;
}

static int port_listed(const char *ports, uint32_t port) {
  const char *p = ports;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    char *end = NULL;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p) return 0;
    if (v >= 1 && v <= 65535 && v == port) return 1;
    p = end;
    while (*p == ' ') p++;
    if (*p && *p != ',') return 0;
  }
  return 0;
}

/* Splits an entry into host (unwrapped) and the ports text; 0 if malformed. */
static int split_entry(const char *e, const char **host, size_t *hn, const char **ports) {
  const char *colon = strrchr(e, ':');
  if (!colon) return 0;
  *host = e;
  *hn = (size_t)(colon - e);
  *ports = colon + 1;
  if (*hn >= 2 && e[0] == '[' && e[*hn - 1] == ']') {
    (*host)++;
    *hn -= 2;
  }
  return *hn > 0;
}

uint32_t x07_net_check_kind(char kind) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->sandboxed) return 0;
  if (!pol->net_enabled) return X07_NET_POLICY_DENIED;
  if (kind == 't' && !pol->net_allow_tcp) return X07_NET_POLICY_DENIED;
  if (kind == 'u' && !pol->net_allow_udp) return X07_NET_POLICY_DENIED;
  if (pol->net_hosts.count == 0) return X07_NET_POLICY_DENIED;
  return 0;
}

uint32_t x07_net_check_ip(const x07_net_addr *a) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->sandboxed) return 0;
  ip_t cand;
  memset(&cand, 0, sizeof cand);
  cand.v6 = a->tag == X07_NET_TAG_IPV6;
  memcpy(cand.b, a->ip, cand.v6 ? 16 : 4);
  for (uint32_t i = 0; i < pol->net_hosts.count; i++) {
    const char *host, *ports;
    size_t hn;
    if (!split_entry(pol->net_hosts.items[i], &host, &hn, &ports)) continue;
    if (port_listed(ports, a->port) && host_matches_ip(host, hn, &cand)) return 0;
  }
  return X07_NET_POLICY_DENIED;
}

uint32_t x07_net_check_name(const char *name, uint32_t port) {
  const x07_os_policy *pol = x07_os_pol();
  if (!pol->sandboxed) return 0;
  if (!pol->net_allow_dns) return X07_NET_POLICY_DENIED;
  size_t n = strlen(name);
  for (uint32_t i = 0; i < pol->net_hosts.count; i++) {
    const char *host, *ports;
    size_t hn;
    if (!split_entry(pol->net_hosts.items[i], &host, &hn, &ports)) continue;
    if (hn == n && strncasecmp(host, name, n) == 0 && port_listed(ports, port)) return 0;
  }
  return X07_NET_POLICY_DENIED;
}
