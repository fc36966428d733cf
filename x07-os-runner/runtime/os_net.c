/* Sockets as OS builtins (os.net.*): TCP connect/listen/accept/read/write/
 * wait/shutdown/close, UDP bind/sendto/recvfrom, DNS lookup. Results are the
 * docs of docs/net/net-v1.md; failures are NetErrDocV1 {0, code, 0}.
 * Handles are 1-based slot indices per kind (streams, listeners, udp). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os_net.h"
#include "os_policy.h"
#include "x07rt_os.h"

typedef struct {
  int *fds; /* -1: closed but slot still allocated; -2: free */
  uint32_t count;
} fd_table;

static fd_table g_streams, g_listeners, g_udp;

static uint32_t table_add(fd_table *t, int fd) {
  for (uint32_t i = 0; i < t->count; i++)
    if (t->fds[i] == -2) {
      t->fds[i] = fd;
      return i + 1;
    }
  int *n = (int *)realloc(t->fds, (t->count + 1) * sizeof(int));
  if (!n) x07_trap("out of memory");
  t->fds = n;
  t->fds[t->count++] = fd;
  return t->count;
}

static int table_fd(const fd_table *t, uint32_t h) {
  if (h == 0 || h > t->count) return -1;
  return t->fds[h - 1] >= 0 ? t->fds[h - 1] : -1;
}

static uint32_t table_close(fd_table *t, uint32_t h, int release) {
  if (h == 0 || h > t->count || t->fds[h - 1] == -2) return 0;
  int was_open = t->fds[h - 1] >= 0;
  if (was_open) close(t->fds[h - 1]);
  t->fds[h - 1] = release ? -2 : -1;
  return release ? 1 : (uint32_t)was_open;
}

static x07_bytes finish(x07_vec v) {
  x07_bytes b = {v.ptr, v.len};
  return b;
}

/* The ok doc whose payload is one u32 (handle, byte count or event mask). */
static x07_bytes ok_u32_doc(uint32_t x) {
  x07_vec v = x07_net_ok_begin();
  x07_net_put_u32(&v, x);
  return finish(v);
}

/* Waits for events on fd; returns 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, uint32_t timeout_ms) {
  struct pollfd p = {fd, events, 0};
  int t = timeout_ms > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)timeout_ms;
  for (;;) {
    int r = poll(&p, 1, t);
    if (r < 0 && errno == EINTR) continue;
    return r < 0 ? -1 : r > 0;
  }
}

/* wait_fd for the I/O calls: 0 when ready, else X07_NET_TIMEOUT or X07_NET_INTERNAL. */
static uint32_t wait_io(int fd, short events, uint32_t timeout_ms) {
  int w = wait_fd(fd, events, timeout_ms);
  return w > 0 ? 0 : w == 0 ? X07_NET_TIMEOUT : X07_NET_INTERNAL;
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---------- DNS ---------- */

x07_bytes x07_os_net_dns_lookup_v1(x07_view name, uint32_t port, x07_view capsv) {
  x07_net_caps caps;
  if (x07_net_parse_caps(capsv, &caps)) return x07_os_err_doc(X07_NET_INVALID_REQ);
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed && (!pol->net_enabled || pol->net_hosts.count == 0)) return x07_os_err_doc(X07_NET_POLICY_DENIED);
  if (name.len == 0 || name.len > 1024 || memchr(name.ptr, 0, name.len) || port > 65535)
    return x07_os_err_doc(X07_NET_INVALID_REQ);
  x07_net_addr a;
  memset(&a, 0, sizeof a);
  a.tag = X07_NET_TAG_DNS;
  a.port = port;
  memcpy(a.name, name.ptr, name.len);
  x07_net_addr out[64];
  uint32_t n = 0;
  uint32_t rc = x07_net_resolve(&a, out, 64, &n);
  if (rc) return x07_os_err_doc(rc);
  x07_vec v = x07_net_ok_begin();
  x07_net_put_u32(&v, n);
  for (uint32_t i = 0; i < n; i++) x07_net_put_addr(&v, &out[i]);
  return finish(v);
}

/* ---------- TCP ---------- */

/* Non-blocking connect with a timeout; returns fd or -code. */
static int connect_one(const x07_net_addr *a, uint32_t timeout_ms) {
  struct sockaddr_storage ss;
  socklen_t sl = x07_net_to_sockaddr(a, &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -X07_NET_INTERNAL;
  if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return -X07_NET_CONNECT;
    }
    int w = wait_fd(fd, POLLOUT, timeout_ms);
    if (w <= 0) {
      close(fd);
      return w == 0 ? -X07_NET_TIMEOUT : -X07_NET_CONNECT;
    }
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
      close(fd);
      return -X07_NET_CONNECT;
    }
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

x07_bytes x07_os_net_tcp_connect_v1(x07_view addrv, x07_view capsv) {
  x07_net_addr a;
  x07_net_caps caps;
  uint32_t rc = x07_net_check_kind('t');
  if (!rc) rc = x07_net_parse_addr(addrv, &a);
  if (!rc) rc = x07_net_parse_caps(capsv, &caps);
  x07_net_addr targets[16];
  uint32_t n = 0;
  if (!rc) rc = x07_net_resolve(&a, targets, 16, &n);
  if (rc) return x07_os_err_doc(rc);
  int last = -X07_NET_CONNECT;
  for (uint32_t i = 0; i < n; i++) {
    last = connect_one(&targets[i], caps.connect_timeout_ms);
    if (last >= 0) break;
  }
  if (last < 0) return x07_os_err_doc((uint32_t)-last);
  return ok_u32_doc(table_add(&g_streams, last));
}

/* Binds a socket of `type` on an IP address (DNS names resolve first). */
static uint32_t bind_socket(x07_view addrv, x07_view capsv, char kind, int type, int *fd_out, x07_net_addr *bound) {
  x07_net_addr a;
  x07_net_caps caps;
  uint32_t rc = x07_net_check_kind(kind);
  if (!rc) rc = x07_net_parse_addr(addrv, &a);
  if (!rc) rc = x07_net_parse_caps(capsv, &caps);
  x07_net_addr targets[4];
  uint32_t n = 0;
  if (!rc) rc = x07_net_resolve(&a, targets, 4, &n);
  if (rc) return rc;
  struct sockaddr_storage ss;
  socklen_t sl = x07_net_to_sockaddr(&targets[0], &ss);
  int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return X07_NET_INTERNAL;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    int e = errno;
    close(fd);
    return e == EACCES || e == EPERM ? X07_NET_POLICY_DENIED : X07_NET_CONNECT;
  }
  struct sockaddr_storage bs;
  socklen_t bl = sizeof bs;
  getsockname(fd, (struct sockaddr *)&bs, &bl);
  x07_net_from_sockaddr((struct sockaddr *)&bs, bound);
  *fd_out = fd;
  return 0;
}

static x07_bytes handle_addr_doc(uint32_t h, const x07_net_addr *a) {
  x07_vec v = x07_net_ok_begin();
  x07_net_put_u32(&v, h);
  x07_net_put_addr(&v, a);
  return finish(v);
}

x07_bytes x07_os_net_tcp_listen_v1(x07_view addrv, x07_view capsv) {
  int fd = -1;
  x07_net_addr bound;
  uint32_t rc = bind_socket(addrv, capsv, 't', SOCK_STREAM, &fd, &bound);
  if (rc) return x07_os_err_doc(rc);
  set_nonblock(fd);
  return handle_addr_doc(table_add(&g_listeners, fd), &bound);
}

x07_bytes x07_os_net_tcp_accept_v1(uint32_t listener, x07_view capsv) {
  x07_net_caps caps;
  if (x07_net_parse_caps(capsv, &caps)) return x07_os_err_doc(X07_NET_INVALID_REQ);
  int lfd = table_fd(&g_listeners, listener);
  if (lfd < 0) return x07_os_err_doc(X07_NET_INVALID_REQ);
  uint32_t rc = wait_io(lfd, POLLIN, caps.io_timeout_ms);
  if (rc) return x07_os_err_doc(rc);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return x07_os_err_doc(errno == EAGAIN ? X07_NET_TIMEOUT : X07_NET_INTERNAL);
  x07_net_addr peer;
  x07_net_from_sockaddr((struct sockaddr *)&ss, &peer);
  return handle_addr_doc(table_add(&g_streams, fd), &peer);
}

x07_bytes x07_os_net_tcp_stream_read_v1(uint32_t h, uint32_t max, x07_view capsv) {
  x07_net_caps caps;
  if (x07_net_parse_caps(capsv, &caps)) return x07_os_err_doc(X07_NET_INVALID_REQ);
  int fd = table_fd(&g_streams, h);
  if (fd < 0 || (int32_t)max < 0) return x07_os_err_doc(X07_NET_INVALID_REQ);
  uint32_t want = max < caps.max_read ? max : caps.max_read;
  x07_vec v = x07_net_ok_begin();
  x07_net_put_u32(&v, 0);
  if (want == 0) return finish(v);
  uint32_t rc = wait_io(fd, POLLIN, caps.io_timeout_ms);
  if (rc) {
    x07_vec_drop(v);
    return x07_os_err_doc(rc);
  }
  x07_vec_reserve(&v, 8 + want);
  ssize_t r;
  do r = recv(fd, v.ptr + 8, want, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    x07_vec_drop(v);
    return x07_os_err_doc(errno == EAGAIN ? X07_NET_TIMEOUT : X07_NET_CONNECT);
  }
  v.len = 8 + (uint32_t)r;
  x07_wr_u32le(v.ptr + 4, (uint32_t)r);
  return finish(v);
}

x07_bytes x07_os_net_tcp_stream_write_v1(uint32_t h, x07_view data, x07_view capsv) {
  x07_net_caps caps;
  if (x07_net_parse_caps(capsv, &caps)) return x07_os_err_doc(X07_NET_INVALID_REQ);
  int fd = table_fd(&g_streams, h);
  if (fd < 0) return x07_os_err_doc(X07_NET_INVALID_REQ);
  uint32_t n = data.len < caps.max_write ? data.len : caps.max_write;
  ssize_t wr = 0;
  if (n > 0) {
    uint32_t rc = wait_io(fd, POLLOUT, caps.io_timeout_ms);
    if (rc) return x07_os_err_doc(rc);
    do wr = send(fd, data.ptr, n, MSG_NOSIGNAL);
    while (wr < 0 && errno == EINTR);
    if (wr < 0) return x07_os_err_doc(errno == EAGAIN ? X07_NET_TIMEOUT : X07_NET_CONNECT);
  }
  return ok_u32_doc((uint32_t)wr);
}

x07_bytes x07_os_net_tcp_stream_wait_v1(uint32_t h, uint32_t events, uint32_t timeout_ms) {
  int fd = table_fd(&g_streams, h);
  if (fd < 0) return x07_os_err_doc(X07_NET_INVALID_REQ);
  struct pollfd p = {fd, (short)(((events & 1) ? POLLIN : 0) | ((events & 2) ? POLLOUT : 0)), 0};
  int t = (int32_t)timeout_ms < 0 ? 0 : (int)timeout_ms;
  int r;
  do r = poll(&p, 1, t);
  while (r < 0 && errno == EINTR);
  if (r < 0) return x07_os_err_doc(X07_NET_INTERNAL);
  uint32_t got = 0;
  if (p.revents & POLLIN) got |= 1;
  if (p.revents & POLLOUT) got |= 2;
  if (p.revents & (POLLHUP | POLLERR)) got |= 4;
  return ok_u32_doc(got);
}

uint32_t x07_os_net_tcp_stream_shutdown_v1(uint32_t h, uint32_t how) {
  int fd = table_fd(&g_streams, h);
  if (fd < 0 || how > 2) return 0;
  int m = how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : SHUT_RDWR;
  return shutdown(fd, m) == 0 ? 1 : 0;
}

uint32_t x07_os_net_tcp_stream_close_v1(uint32_t h) { return table_close(&g_streams, h, 0); }
uint32_t x07_os_net_tcp_stream_drop_v1(uint32_t h) { return table_close(&g_streams, h, 1); }
uint32_t x07_os_net_tcp_listener_close_v1(uint32_t h) { return table_close(&g_listeners, h, 0); }
uint32_t x07_os_net_tcp_listener_drop_v1(uint32_t h) { return table_close(&g_listeners, h, 1); }

/* ---------- UDP ---------- */

x07_bytes x07_os_net_udp_bind_v1(x07_view addrv, x07_view capsv) {
  int fd = -1;
  x07_net_addr bound;
  uint32_t rc = bind_socket(addrv, capsv, 'u', SOCK_DGRAM, &fd, &bound);
  if (rc) return x07_os_err_doc(rc);
  set_nonblock(fd);
  return handle_addr_doc(table_add(&g_udp, fd), &bound);
}

x07_bytes x07_os_net_udp_sendto_v1(uint32_t h, x07_view addrv, x07_view payload, x07_view capsv) {
  x07_net_addr a;
  x07_net_caps caps;
  uint32_t rc = x07_net_check_kind('u');
  if (!rc) rc = x07_net_parse_addr(addrv, &a);
  if (!rc) rc = x07_net_parse_caps(capsv, &caps);
  int fd = table_fd(&g_udp, h);
  if (!rc && fd < 0) rc = X07_NET_INVALID_REQ;
  if (!rc && payload.len > caps.max_write) rc = X07_NET_TOO_LARGE;
  x07_net_addr targets[4];
  uint32_t n = 0;
  if (!rc) rc = x07_net_resolve(&a, targets, 4, &n);
  if (rc) return x07_os_err_doc(rc);
  struct sockaddr_storage ss;
  socklen_t sl = x07_net_to_sockaddr(&targets[0], &ss);
  rc = wait_io(fd, POLLOUT, caps.io_timeout_ms);
  if (rc) return x07_os_err_doc(rc);
  ssize_t s;
  do s = sendto(fd, payload.ptr, payload.len, MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
  while (s < 0 && errno == EINTR);
  if (s < 0) return x07_os_err_doc(errno == EMSGSIZE ? X07_NET_TOO_LARGE : X07_NET_CONNECT);
  return ok_u32_doc((uint32_t)s);
}

x07_bytes x07_os_net_udp_recvfrom_v1(uint32_t h, uint32_t max, x07_view capsv) {
  x07_net_caps caps;
  if (x07_net_parse_caps(capsv, &caps)) return x07_os_err_doc(X07_NET_INVALID_REQ);
  int fd = table_fd(&g_udp, h);
  if (fd < 0 || (int32_t)max < 0) return x07_os_err_doc(X07_NET_INVALID_REQ);
  uint32_t want = max < caps.max_read ? max : caps.max_read;
  if (want > 65536) want = 65536;
  uint32_t rc = wait_io(fd, POLLIN, caps.io_timeout_ms);
  if (rc) return x07_os_err_doc(rc);
  uint8_t *buf = (uint8_t *)malloc(want ? want : 1);
  if (!buf) x07_trap("out of memory");
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  ssize_t r;
  do r = recvfrom(fd, buf, want, 0, (struct sockaddr *)&ss, &sl);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    free(buf);
    return x07_os_err_doc(errno == EAGAIN ? X07_NET_TIMEOUT : X07_NET_CONNECT);
  }
  x07_net_addr from;
  x07_net_from_sockaddr((struct sockaddr *)&ss, &from);
  x07_vec v = x07_net_ok_begin();
  x07_net_put_addr(&v, &from);
  x07_net_put_u32(&v, (uint32_t)r);
  x07_vec_push_bytes(&v, buf, (uint32_t)r);
  free(buf);
  return finish(v);
}

uint32_t x07_os_net_udp_close_v1(uint32_t h) { return table_close(&g_udp, h, 0); }
uint32_t x07_os_net_udp_drop_v1(uint32_t h) { return table_close(&g_udp, h, 1); }

/* ---------- built-in http_request (never implemented, like upstream) ---------- */

x07_bytes x07_os_net_http_request(x07_bytes req) {
  x07_bytes_drop(req);
  const x07_os_policy *pol = x07_os_pol();
  if (pol->sandboxed) {
    if (!pol->net_enabled) x07_trap("os.net disabled by policy");
    if (!pol->net_allow_tcp || !pol->net_allow_dns) x07_trap("os.net.http_request disabled by policy");
    if (pol->net_hosts.count == 0) x07_trap("os.net.allow_hosts required");
  }
  x07_trap("os.net.http_request not implemented");
}

void x07_net_fini(void) {
  fd_table *ts[3] = {&g_streams, &g_listeners, &g_udp};
  for (int k = 0; k < 3; k++) {
    for (uint32_t i = 0; i < ts[k]->count; i++)
      if (ts[k]->fds[i] >= 0) close(ts[k]->fds[i]);
    free(ts[k]->fds);
    ts[k]->fds = NULL;
    ts[k]->count = 0;
  }
}
