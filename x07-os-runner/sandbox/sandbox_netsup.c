/* Network destinations enforced on the kernel side: a seccomp user-notification
 * supervisor (a thread of the runner) for connect, sendto with an address,
 * sendmsg, sendmmsg and listen.
 *
 * Landlock knows TCP ports only; this layer checks the address too, for TCP and
 * UDP alike, against net.allow_hosts (IPs, CIDRs, ranges, names resolved when
 * the plan is prepared) and, with net.allow_dns, the resolv.conf name servers
 * on port 53. To stay free of time-of-check/time-of-use races (another thread
 * of the program rewriting the address after the check), the supervisor copies
 * the address and payload out of the program and performs the call itself on a
 * duplicate of the program's socket (pidfd_getfd): datagram sends and connects
 * of datagram or non-blocking sockets. Only a blocking TCP connect is checked
 * and then continued by the kernel; its port is still held by Landlock. Stream
 * sends ignore the address (MSG_FASTOPEN is refused by stage 1). listen() on a
 * socket without a port (auto-bind to an ephemeral port) is refused. */
#include "sandbox_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define MAX_DGRAM 65536
#define MAX_MMSG 64

/* ---- allowlist (parent side) ---- */

static int add_rule(struct x07_sandbox_plan *plan, int v6, const uint8_t *lo, const uint8_t *hi, uint16_t port) {
  x07_sb_dest *grown = realloc(plan->dests, (plan->dests_len + 1) * sizeof *grown);
  if (!grown) return -ENOMEM;
  plan->dests = grown;
  x07_sb_dest *d = &plan->dests[plan->dests_len++];
  memset(d, 0, sizeof *d);
  d->v6 = v6;
  memcpy(d->lo, lo, v6 ? 16 : 4);
  memcpy(d->hi, hi, v6 ? 16 : 4);
  d->port = port;
  return 0;
}

static int parse_ip(const char *s, size_t n, int *v6, uint8_t *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  memset(out, 0, 16);
  if (inet_pton(AF_INET, buf, out) == 1) return *v6 = 0, 1;
  if (inet_pton(AF_INET6, buf, out) == 1) return *v6 = 1, 1;
  return 0;
}

/* One allow_hosts host: "ip", "ip/bits", "lo-hi" or a DNS name (resolved now). */
static int add_host(struct x07_sandbox_plan *plan, const char *host, const uint16_t *ports, size_t nports) {
  size_t n = strlen(host);
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') host++, n -= 2;
  uint8_t lo[16], hi[16];
  int v6 = 0, v6b = 0, r = 0;
  const char *slash = memchr(host, '/', n), *dash = memchr(host, '-', n);
  int ok = 0;
  if (slash && parse_ip(host, (size_t)(slash - host), &v6, lo)) {
    unsigned long bits = strtoul(slash + 1, NULL, 10);
    unsigned len = v6 ? 16 : 4;
    if (bits > len * 8) bits = len * 8;
    memcpy(hi, lo, 16);
    for (unsigned i = (unsigned)bits; i < len * 8; i++) {
      lo[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
      hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    }
    ok = 1;
  } else if (dash && parse_ip(host, (size_t)(dash - host), &v6, lo) &&
             parse_ip(dash + 1, n - (size_t)(dash - host) - 1, &v6b, hi) && v6 == v6b) {
    if (memcmp(lo, hi, v6 ? 16 : 4) > 0) {
      uint8_t t[16];
      memcpy(t, lo, 16), memcpy(lo, hi, 16), memcpy(hi, t, 16);
    }
    ok = 1;
  } else if (parse_ip(host, n, &v6, lo)) {
    memcpy(hi, lo, 16);
    ok = 1;
  }
  if (ok) {
    for (size_t i = 0; !r && i < nports; i++) r = add_rule(plan, v6, lo, hi, ports[i]);
    return r;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  char name[1024];
  snprintf(name, sizeof name, "%.*s", (int)n, host);
  if (getaddrinfo(name, NULL, &hints, &res) != 0) return 0; /* unresolvable: nothing to reach */
  for (struct addrinfo *ai = res; ai && !r; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      memset(lo, 0, 16);
      memcpy(lo, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
      for (size_t i = 0; !r && i < nports; i++) r = add_rule(plan, 0, lo, lo, ports[i]);
    } else if (ai->ai_family == AF_INET6) {
      memcpy(lo, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
      for (size_t i = 0; !r && i < nports; i++) r = add_rule(plan, 1, lo, lo, ports[i]);
    }
  }
  freeaddrinfo(res);
  return r;
}

/* The resolver's name servers (glibc falls back to 127.0.0.1 without any). */
static int add_name_servers(struct x07_sandbox_plan *plan) {
  static const uint16_t dns_port[] = {53};
  FILE *f = fopen("/etc/resolv.conf", "re");
  int found = 0, r = 0;
  char line[512];
  while (f && !r && fgets(line, sizeof line, f)) {
    char ip[256];
    if (sscanf(line, " nameserver %255s", ip) == 1) {
      char *pct = strchr(ip, '%'); /* fe80::1%eth0 */
      if (pct) *pct = 0;
      r = add_host(plan, ip, dns_port, 1);
      found = 1;
    }
  }
  if (f) fclose(f);
  if (!found && !r) r = add_host(plan, "127.0.0.1", dns_port, 1);
  return r;
}

int x07_sb_prepare_netsup(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  plan->netsup_child_fd = -1;
  if (cfg->in_process || !cfg->net_enabled || !(cfg->allow_tcp || cfg->allow_udp || cfg->allow_dns)) return 0;
#ifndef NATIVE_AUDIT_ARCH
  x07_sb_append(plan->skipped, sizeof plan->skipped, "no network supervisor on this architecture: hosts and "
                "udp destinations checked in-process only");
  return 0;
#else
  unsigned int action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    x07_sb_append(plan->skipped, sizeof plan->skipped, "seccomp user notification unavailable: hosts and udp "
                  "destinations checked in-process only");
    return 0;
  }
  int r = 0;
  for (size_t i = 0; !r && i < cfg->net_hosts_len; i++)
    r = add_host(plan, cfg->net_hosts[i].host, cfg->net_hosts[i].ports, cfg->net_hosts[i].ports_len);
  if (!r && cfg->allow_dns) r = add_name_servers(plan);
  if (!r) plan->netsup = 1;
  return r;
#endif
}

/* ---- the check ---- */

static int dest_allowed(const struct x07_sandbox_plan *plan, const struct sockaddr_storage *ss, socklen_t len) {
  uint8_t ip[16];
  int v6;
  uint16_t port;
  if (ss->ss_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
    v6 = 0, port = ntohs(s4->sin_port);
    memcpy(ip, &s4->sin_addr, 4);
  } else if (ss->ss_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
    port = ntohs(s6->sin6_port);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
      v6 = 0;
      memcpy(ip, (const uint8_t *)&s6->sin6_addr + 12, 4);
    } else {
      v6 = 1;
      memcpy(ip, &s6->sin6_addr, 16);
    }
  } else if (ss->ss_family == AF_NETLINK && len >= (socklen_t)sizeof(struct sockaddr_nl)) {
    return ((const struct sockaddr_nl *)ss)->nl_pid == 0; /* the kernel only, never another process */
  } else if (ss->ss_family == AF_UNSPEC) {
    return 1; /* dissolves a datagram association */
  } else {
    return 0;
  }
  for (size_t i = 0; i < plan->dests_len; i++) {
    const x07_sb_dest *d = &plan->dests[i];
    size_t n = d->v6 ? 16 : 4;
    if (d->v6 == v6 && d->port == port && memcmp(d->lo, ip, n) <= 0 && memcmp(ip, d->hi, n) <= 0) return 1;
  }
  return 0;
}

#ifdef NATIVE_AUDIT_ARCH

/* ---- child side: install the notifying filter, hand the listener over ---- */

int x07_sb_apply_netsup(const struct x07_sandbox_plan *plan) {
  if (!plan->netsup || plan->netsup_child_fd < 0) return 0;
#define NR_IS(nr, target) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), (target), 0)
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 0, 10), /* foreign: stage 1 kills */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      NR_IS(__NR_connect, 9),
      NR_IS(__NR_sendmsg, 8),
      NR_IS(__NR_sendmmsg, 7),
      NR_IS(__NR_listen, 6),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[4])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3), /* sendto with an address */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[4]) + 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
  };
#undef NR_IS
  struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof *f), f};
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (listener < 0) return -errno;
  int fd = (int)listener;
  /* the supervisor learns our pid from the socket credentials and takes the fd */
  if (write(plan->netsup_child_fd, &fd, sizeof fd) != (ssize_t)sizeof fd) return -errno;
  char ack = 0;
  if (read(plan->netsup_child_fd, &ack, 1) != 1 || ack != 1) return -EPROTO;
  close(fd);
  return 0;
}

/* ---- parent side: the supervisor thread ---- */

struct x07_sandbox_netsup {
  const struct x07_sandbox_plan *plan;
  int sock;        /* our end of the handoff socketpair */
  int stop[2];     /* pipe: written to stop the thread */
  pthread_t thread;
};

static int read_mem(pid_t pid, uint64_t addr, void *buf, size_t len) {
  if (len == 0) return 0;
  struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int write_mem(pid_t pid, uint64_t addr, const void *buf, size_t len) {
  struct iovec local = {(void *)buf, len}, remote = {(void *)(uintptr_t)addr, len};
  return process_vm_writev(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

/* The program's socket `fd`, duplicated into the runner (-errno on failure). */
static int grab_fd(pid_t tid, int fd) {
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
  long pidfd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
  if (pidfd < 0) pidfd = syscall(SYS_pidfd_open, tid, 0);
  if (pidfd < 0) return -errno;
  long dup = syscall(SYS_pidfd_getfd, (int)pidfd, fd, 0);
  int e = errno;
  close((int)pidfd);
  return dup < 0 ? -e : (int)dup;
}

static int read_addr(pid_t pid, uint64_t addr, uint64_t len, struct sockaddr_storage *ss, socklen_t *sl) {
  memset(ss, 0, sizeof *ss);
  if (len > sizeof *ss) return -EINVAL;
  *sl = (socklen_t)len;
  return read_mem(pid, addr, ss, (size_t)len);
}

/* A message of the program, copied: address, payload (datagram-sized), no control data. */
typedef struct {
  struct sockaddr_storage name;
  socklen_t namelen;
  char *data;
  size_t len;
} copied_msg;

static int copy_msghdr(pid_t pid, uint64_t addr, copied_msg *m) {
  struct msghdr h;
  int r = read_mem(pid, addr, &h, sizeof h);
  if (r) return r;
  if (h.msg_controllen) return -EACCES; /* ancillary data (sources, fds) is not relayed */
  m->namelen = 0;
  if (h.msg_name && (r = read_addr(pid, (uint64_t)(uintptr_t)h.msg_name, h.msg_namelen, &m->name, &m->namelen)))
    return r;
  if (h.msg_iovlen > 1024) return -EMSGSIZE;
  m->len = 0;
  for (size_t i = 0; i < h.msg_iovlen; i++) {
    struct iovec v;
    if ((r = read_mem(pid, (uint64_t)(uintptr_t)(h.msg_iov + i), &v, sizeof v))) return r;
    if (m->len + v.iov_len > MAX_DGRAM) return -EMSGSIZE;
    if ((r = read_mem(pid, (uint64_t)(uintptr_t)v.iov_base, m->data + m->len, v.iov_len))) return r;
    m->len += v.iov_len;
  }
  return 0;
}

static long send_copied(const struct x07_sandbox_plan *plan, int sock, const copied_msg *m, int flags) {
  if (m->namelen && !dest_allowed(plan, &m->name, m->namelen)) return -EACCES;
  struct iovec v = {m->data, m->len};
  struct msghdr h;
  memset(&h, 0, sizeof h);
  h.msg_name = m->namelen ? (void *)&m->name : NULL;
  h.msg_namelen = m->namelen;
  h.msg_iov = &v;
  h.msg_iovlen = 1;
  ssize_t n = sendmsg(sock, &h, flags | MSG_NOSIGNAL);
  return n < 0 ? -errno : n;
}

enum { CONTINUE = 1 };

/* Decides one notification: returns CONTINUE, or the result (>= 0 or -errno). */
static long handle(const struct x07_sandbox_plan *plan, const struct seccomp_notif *req, char *buf) {
  const pid_t pid = (pid_t)req->pid;
  const __u64 *a = req->data.args;
  const int nr = req->data.nr;
  int sock = grab_fd(pid, (int)a[0]);
  if (sock < 0) return sock == -EBADF ? -EBADF : -ENOTSOCK;
  int type = 0;
  socklen_t tl = sizeof type;
  long res;
  if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl) != 0) {
    res = -ENOTSOCK;
    goto out;
  }
  const int stream = type == SOCK_STREAM;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (nr == __NR_listen) {
    sl = sizeof ss;
    memset(&ss, 0, sizeof ss);
    getsockname(sock, (struct sockaddr *)&ss, &sl);
    int unbound = (ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port == 0) ||
                  (ss.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&ss)->sin6_port == 0);
    res = unbound ? -EACCES : CONTINUE; /* listen() would pick a port no rule granted */
  } else if (nr == __NR_connect) {
    if ((res = read_addr(pid, a[1], a[2], &ss, &sl)) == 0) {
      if (!dest_allowed(plan, &ss, sl)) {
        res = -EACCES;
      } else if (stream && !(fcntl(sock, F_GETFL) & O_NONBLOCK)) {
        res = CONTINUE; /* a blocking connect could stall us; Landlock still holds its port */
      } else {
        res = connect(sock, (struct sockaddr *)&ss, sl) == 0 ? 0 : -errno;
      }
    }
  } else if (stream) {
    res = CONTINUE; /* stream sockets ignore the address */
  } else if (nr == __NR_sendto) {
    copied_msg m = {.data = buf};
    if (a[2] > MAX_DGRAM) res = -EMSGSIZE;
    else if ((res = read_addr(pid, a[4], a[5], &m.name, &m.namelen)) == 0 &&
             (res = read_mem(pid, a[1], buf, (size_t)a[2])) == 0) {
      m.len = (size_t)a[2];
      res = send_copied(plan, sock, &m, (int)a[3]);
    }
  } else if (nr == __NR_sendmsg) {
    copied_msg m = {.data = buf};
    if ((res = copy_msghdr(pid, a[1], &m)) == 0) res = send_copied(plan, sock, &m, (int)a[2]);
  } else { /* sendmmsg: one message at a time, msg_len written back */
    unsigned vlen = a[2] > MAX_MMSG ? MAX_MMSG : (unsigned)a[2];
    long sent = 0;
    res = 0;
    for (unsigned i = 0; i < vlen; i++) {
      uint64_t at = a[1] + (uint64_t)i * sizeof(struct mmsghdr);
      copied_msg m = {.data = buf};
      long r = copy_msghdr(pid, at, &m);
      if (r == 0) r = send_copied(plan, sock, &m, (int)a[3]);
      if (r < 0) {
        res = sent ? sent : r;
        break;
      }
      unsigned int len = (unsigned int)r;
      write_mem(pid, at + offsetof(struct mmsghdr, msg_len), &len, sizeof len);
      res = ++sent;
    }
  }
out:
  close(sock);
  return res;
}

static void *supervise(void *arg) {
  struct x07_sandbox_netsup *s = arg;
  sigset_t all; /* signals are the main thread's business */
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  char *buf = malloc(MAX_DGRAM);
  int listener = -1;
  /* 1. the handoff: the child's pid (socket credentials) and its listener fd number */
  struct pollfd p[2] = {{s->sock, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
  while (buf && listener < 0) {
    if (poll(p, 2, -1) < 0) continue;
    if (p[1].revents) goto done;
    int fdnum = -1;
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct ucred))]; } c;
    struct iovec v = {&fdnum, sizeof fdnum};
    struct msghdr h = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b};
    if (recvmsg(s->sock, &h, 0) != (ssize_t)sizeof fdnum) goto done;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&h);
    if (!cm || cm->cmsg_type != SCM_CREDENTIALS) goto done;
    struct ucred cred;
    memcpy(&cred, CMSG_DATA(cm), sizeof cred);
    listener = grab_fd(cred.pid, fdnum);
    char ack = listener >= 0 ? 1 : 0;
    if (write(s->sock, &ack, 1) != 1 || listener < 0) goto done;
  }
  /* 2. the notifications */
  p[0].fd = listener;
  for (;;) {
    if (poll(p, 2, -1) < 0) continue;
    if (p[1].revents || (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))) break;
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) continue;
    long r = handle(s->plan, &req, buf);
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    if (r == CONTINUE) resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else if (r < 0) resp.error = (int)r;
    else resp.val = r;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp); /* ENOENT: the caller is gone */
  }
done:
  if (listener >= 0) close(listener);
  free(buf);
  return NULL;
}

x07_sandbox_netsup *x07_sandbox_netsup_start(const x07_sandbox_plan *plan, char *err, size_t err_len) {
  if (!plan || !plan->netsup) return NULL;
  struct x07_sandbox_netsup *s = calloc(1, sizeof *s);
  int sv[2] = {-1, -1}, one = 1;
  if (!s || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 ||
      setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0 || pipe2(s->stop, O_CLOEXEC) != 0) {
    snprintf(err, err_len, "kernel sandbox: network supervisor setup failed: %s", strerror(errno));
    free(s);
    return NULL;
  }
  s->plan = plan;
  s->sock = sv[0];
  /* the child's end; the plan is heap memory owned by the caller, only this field changes */
  ((struct x07_sandbox_plan *)plan)->netsup_child_fd = sv[1];
  if (pthread_create(&s->thread, NULL, supervise, s) != 0) {
    snprintf(err, err_len, "kernel sandbox: network supervisor thread: %s", strerror(errno));
    close(sv[0]), close(sv[1]), close(s->stop[0]), close(s->stop[1]);
    ((struct x07_sandbox_plan *)plan)->netsup_child_fd = -1;
    free(s);
    return NULL;
  }
  return s;
}

void x07_sandbox_netsup_stop(x07_sandbox_netsup *s) {
  if (!s) return;
  char b = 1;
  ssize_t ignored = write(s->stop[1], &b, 1);
  (void)ignored;
  pthread_join(s->thread, NULL);
  close(s->sock);
  if (s->plan->netsup_child_fd >= 0) close(s->plan->netsup_child_fd);
  ((struct x07_sandbox_plan *)s->plan)->netsup_child_fd = -1;
  close(s->stop[0]);
  close(s->stop[1]);
  free(s);
}

#else /* no supervisor on this architecture */

int x07_sb_apply_netsup(const struct x07_sandbox_plan *plan) {
  (void)plan;
  return 0;
}
x07_sandbox_netsup *x07_sandbox_netsup_start(const x07_sandbox_plan *plan, char *err, size_t err_len) {
  (void)plan, (void)err, (void)err_len;
  return NULL;
}
void x07_sandbox_netsup_stop(x07_sandbox_netsup *s) { (void)s; }

#endif
