/* NetAddrV1 / NetCapsV1 codecs, result-doc helpers and policy-filtered DNS
 * resolution. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>

#include "os_net.h"

uint32_t x07_net_parse_addr(x07_view v, x07_net_addr *a) {
  memset(a, 0, sizeof *a);
  if (v.len < 12 || x07_rd_u32le(v.ptr) != 1) return X07_NET_INVALID_REQ;
  a->tag = x07_rd_u32le(v.ptr + 4);
  a->port = x07_rd_u32le(v.ptr + 8);
  if (a->port > 65535) return X07_NET_INVALID_REQ;
  if (a->tag == X07_NET_TAG_IPV4 && v.len == 16) memcpy(a->ip, v.ptr + 12, 4);
  else if (a->tag == X07_NET_TAG_IPV6 && v.len == 28) memcpy(a->ip, v.ptr + 12, 16);
  else if (a->tag == X07_NET_TAG_DNS && v.len >= 16) {
    uint32_t n = x07_rd_u32le(v.ptr + 12);
    if (n == 0 || n > 1024 || v.len != 16 + n || memchr(v.ptr + 16, 0, n)) return X07_NET_INVALID_REQ;
    memcpy(a->name, v.ptr + 16, n);
    a->name[n] = 0;
  } else
    return X07_NET_INVALID_REQ;
  return 0;
}

uint32_t x07_net_parse_caps(x07_view v, x07_net_caps *c) {
  c->connect_timeout_ms = c->io_timeout_ms = 30000;
  c->max_read = c->max_write = 1024u * 1024u;
  if (v.len == 0) return 0;
  if (v.len < 24 || x07_rd_u32le(v.ptr) != 1) return X07_NET_INVALID_REQ;
  uint32_t x;
  if ((x = x07_rd_u32le(v.ptr + 4)) != 0) c->connect_timeout_ms = x;
  if ((x = x07_rd_u32le(v.ptr + 8)) != 0) c->io_timeout_ms = x;
  if ((x = x07_rd_u32le(v.ptr + 12)) != 0) c->max_read = x;
  if ((x = x07_rd_u32le(v.ptr + 16)) != 0) c->max_write = x;
  return 0;
}

socklen_t x07_net_to_sockaddr(const x07_net_addr *a, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (a->tag == X07_NET_TAG_IPV6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)a->port);
    memcpy(&s6->sin6_addr, a->ip, 16);
    return sizeof *s6;
  }
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  s4->sin_family = AF_INET;
  s4->sin_port = htons((uint16_t)a->port);
  memcpy(&s4->sin_addr, a->ip, 4);
  return sizeof *s4;
}

void x07_net_from_sockaddr(const struct sockaddr *sa, x07_net_addr *a) {
  memset(a, 0, sizeof *a);
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    a->tag = X07_NET_TAG_IPV6;
    a->port = ntohs(s6->sin6_port);
    memcpy(a->ip, &s6->sin6_addr, 16);
  } else {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    a->tag = X07_NET_TAG_IPV4;
    a->port = ntohs(s4->sin_port);
    memcpy(a->ip, &s4->sin_addr, 4);
  }
}

void x07_net_put_u32(x07_vec *v, uint32_t x) {
  uint8_t b[4];
  x07_wr_u32le(b, x);
  x07_vec_push_bytes(v, b, 4);
}

void x07_net_put_addr(x07_vec *v, const x07_net_addr *a) {
  uint32_t iplen = a->tag == X07_NET_TAG_IPV6 ? 16 : 4;
  x07_net_put_u32(v, 12 + iplen);
  x07_net_put_u32(v, 1);
  x07_net_put_u32(v, a->tag);
  x07_net_put_u32(v, a->port);
  x07_vec_push_bytes(v, a->ip, iplen);
}

x07_vec x07_net_ok_begin(void) {
  x07_vec v = {0, 0, 0};
  static const uint8_t hdr[4] = {1, 1, 0, 0};
  x07_vec_push_bytes(&v, hdr, 4);
  return v;
}

uint32_t x07_net_resolve(const x07_net_addr *addr, x07_net_addr *out, uint32_t cap, uint32_t *n) {
  *n = 0;
  if (addr->tag != X07_NET_TAG_DNS) {
    if (x07_net_check_ip(addr)) return X07_NET_POLICY_DENIED;
    out[0] = *addr;
    *n = 1;
    return 0;
  }
  if (x07_net_check_name(addr->name, addr->port)) return X07_NET_POLICY_DENIED;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(addr->name, NULL, &hints, &res) != 0 || !res) return X07_NET_DNS;
  uint32_t seen = 0;
  for (struct addrinfo *ai = res; ai && *n < cap; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    seen++;
    x07_net_addr a;
    x07_net_from_sockaddr(ai->ai_addr, &a);
    a.port = addr->port;
    if (x07_net_check_ip(&a)) continue; /* resolved addresses are re-checked */
    int dup = 0;
    for (uint32_t k = 0; k < *n; k++)
      if (out[k].tag == a.tag && !memcmp(out[k].ip, a.ip, 16)) dup = 1;
    if (!dup) out[(*n)++] = a;
  }
  freeaddrinfo(res);
  if (*n == 0) return seen ? X07_NET_POLICY_DENIED : X07_NET_DNS;
  return 0;
}
