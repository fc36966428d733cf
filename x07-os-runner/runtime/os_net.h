/* Internal: networking helpers — NetAddrV1 <-> sockaddr, NetCapsV1, the
 * allow-hosts policy and result docs (docs/net/net-v1.md, runner.md §6.2). */
#ifndef X07_OS_NET_H
#define X07_OS_NET_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "os_doc.h"
#include "x07rt.h"

enum {
  X07_NET_POLICY_DENIED = 1,
  X07_NET_INVALID_REQ = 2,
  X07_NET_TIMEOUT = 3,
  X07_NET_TOO_LARGE = 4,
  X07_NET_DNS = 5,
  X07_NET_CONNECT = 6,
  X07_NET_TLS = 7,
  X07_NET_INTERNAL = 8,
};

enum { X07_NET_TAG_IPV4 = 1, X07_NET_TAG_IPV6 = 2, X07_NET_TAG_DNS = 3 };

typedef struct {
  uint32_t tag, port;
  uint8_t ip[16]; /* 4 used for ipv4 */
  char name[1025]; /* dns */
} x07_net_addr;

typedef struct {
  uint32_t connect_timeout_ms, io_timeout_ms, max_read, max_write;
} x07_net_caps;

/* Decoders return 0 or X07_NET_INVALID_REQ. Empty caps mean defaults. */
uint32_t x07_net_parse_addr(x07_view v, x07_net_addr *a);
uint32_t x07_net_parse_caps(x07_view v, x07_net_caps *c);

/* sockaddr of an IP address (tag 1/2); returns its length. */
socklen_t x07_net_to_sockaddr(const x07_net_addr *a, struct sockaddr_storage *ss);
void x07_net_from_sockaddr(const struct sockaddr *sa, x07_net_addr *a);
/* Appends the NetAddrV1 encoding of an IP address. */
void x07_net_put_addr(x07_vec *v, const x07_net_addr *a);

/* Policy (sandboxed only; everything allowed otherwise).
 * kind: 't' tcp, 'u' udp. Checks enable flags and, for IP addresses, the
 * allow list. DNS names are checked with x07_net_check_name and each resolved
 * address again with x07_net_check_ip. Return 0 or X07_NET_POLICY_DENIED. */
uint32_t x07_net_check_kind(char kind);
uint32_t x07_net_check_ip(const x07_net_addr *a);
uint32_t x07_net_check_name(const char *name, uint32_t port);

/* Resolves addr (any tag) to the allowed IP addresses; *n receives the count.
 * Returns 0, X07_NET_DNS or X07_NET_POLICY_DENIED. */
uint32_t x07_net_resolve(const x07_net_addr *addr, x07_net_addr *out, uint32_t cap, uint32_t *n);

/* Docs: errors are x07_os_err_doc(code); ok = header {1, 1, 0, 0} then payload. */
x07_vec x07_net_ok_begin(void);
void x07_net_put_u32(x07_vec *v, uint32_t x);

void x07_net_fini(void);

#endif
