/* Stage-1 seccomp filter, generated with libseccomp in the parent and
 * installed in the child right before execve(artifact).
 *
 * Default action ALLOW; a deny list of escape hatches returns EPERM, socket
 * creation outside the policy returns EACCES; foreign syscall ABIs (i386 int
 * 0x80, x32) kill the process because a deny list cannot cover them. */
#include "sandbox_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<seccomp.h>)
#define X07_HAVE_LIBSECCOMP 1
#endif
#endif

int x07_sandbox_apply_seccomp(const x07_sandbox_plan *plan) {
  if (!plan || plan->seccomp.len == 0) return 0;
  return x07_sb_install_bpf(plan->seccomp.insns, plan->seccomp.len, 0);
}

const void *x07_sandbox_seccomp_bpf(const x07_sandbox_plan *plan, size_t *len) {
  *len = plan ? (size_t)plan->seccomp.len * 8 : 0;
  return *len ? plan->seccomp.insns : NULL;
}

int x07_sandbox_seccomp_bpf_len_ok(size_t len) {
  return len > 0 && len % 8 == 0 && len / 8 <= 4096 /* BPF_MAXINSNS */;
}

#ifndef X07_HAVE_LIBSECCOMP

int x07_sandbox_have_libseccomp(void) { return 0; }

size_t x07_sandbox_seccomp_key(const x07_sandbox_config *cfg, char *buf, size_t buf_len) {
  (void)cfg;
  if (buf_len) buf[0] = 0;
  return 0;
}

int x07_sb_prepare_seccomp(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg, char *err,
                           size_t err_len) {
  (void)cfg; (void)err; (void)err_len;
  x07_sb_append(plan->skipped, sizeof plan->skipped, "built without libseccomp: no seccomp filter");
  return 0;
}

#else
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/socket.h>

int x07_sandbox_have_libseccomp(void) { return 1; }

/* Escape hatches: never needed by an x07 program, each a known way around a
 * sandbox (tracing, kernel attack surface, namespaces, keyrings, time, ...). */
static const char *const k_always_denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_getfd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "open_tree_attr", "fsopen", "fsconfig",
    "fsmount", "fspick", "mount_setattr", "unshare", "setns", "keyctl", "add_key", "request_key",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "iopl", "ioperm",
    "modify_ldt", "uselib", "lookup_dcookie", "open_by_handle_at", "name_to_handle_at",
    "fanotify_init", "move_pages", "migrate_pages", "vhangup", "nfsservctl", "settimeofday",
    "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname", "setrlimit",
    /* File metadata: Landlock does not cover mode/owner/times/xattrs, and the owner
     * (every root-owned file, for uid 0) may change them anywhere. */
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utime", "utimes",
    "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr",
    "lremovexattr", "fremovexattr", "removexattrat", "file_setattr",
};

static const unsigned long k_namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
#ifdef CLONE_NEWTIME
    CLONE_NEWTIME,
#endif
};

typedef struct sc_builder {
  scmp_filter_ctx ctx;
  int rc;
  const char *failed;
} sc_builder;

/* Syscalls newer than the libseccomp we build with. Since Linux 5.1 new
 * syscalls share one number on x86-64 and arm64 (asm-generic numbering). */
static const struct {
  const char *name;
  int nr;
} k_new_syscalls[] = {
    {"fchmodat2", 452}, {"setxattrat", 463}, {"removexattrat", 466}, {"open_tree_attr", 467},
    {"file_setattr", 469},
};

static int resolve(const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
#if defined(__x86_64__) || defined(__aarch64__)
  for (size_t i = 0; nr == __NR_SCMP_ERROR && i < sizeof k_new_syscalls / sizeof *k_new_syscalls; i++)
    if (strcmp(k_new_syscalls[i].name, name) == 0) nr = k_new_syscalls[i].nr;
#endif
  return nr;
}

/* Adds one rule; syscalls unknown on this architecture are skipped. */
static void rule(sc_builder *b, uint32_t action, const char *name, unsigned n, const struct scmp_arg_cmp *args) {
  if (b->rc) return;
  int nr = resolve(name);
  if (nr == __NR_SCMP_ERROR) return;
  int r = seccomp_rule_add_array(b->ctx, action, nr, n, args);
  if (r < 0) {
    b->rc = r;
    b->failed = name;
  }
}

static void rule0(sc_builder *b, uint32_t action, const char *name) { rule(b, action, name, 0, NULL); }

/* socket(domain, type, protocol) when net is enabled: only TCP (if allowed),
 * UDP (if allowed or DNS) over IPv4/IPv6, and NETLINK_ROUTE (getaddrinfo's
 * AI_ADDRCONFIG). AF_UNIX is refused: pathname sockets (docker, dbus) are
 * not covered by Landlock before ABI 9. socketpair() stays allowed.
 * libseccomp allows one comparison per argument and rule, so the value sets are
 * written as few masked matches: every rule denies, and values a mask lets
 * through are caught by another rule. */
typedef struct { unsigned long mask, value; } masked;

static void deny_masked(sc_builder *b, struct scmp_arg_cmp *a, unsigned n_fixed, unsigned arg, const masked *m,
                        size_t count) {
  for (size_t i = 0; i < count; i++) {
    a[n_fixed] = (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, m[i].mask, m[i].value};
    rule(b, SCMP_ACT_ERRNO(EACCES), "socket", n_fixed + 1, a);
  }
}

static void socket_rules(sc_builder *b, const x07_sandbox_config *cfg) {
  const uint32_t deny = SCMP_ACT_ERRNO(EACCES);
  struct scmp_arg_cmp a[3];
  /* domains: only AF_INET (2), AF_INET6 (10), AF_NETLINK (16) */
  static const masked other_domains[] = {{0x1f, 3}, {0x1c, 4}, {0x1e, 8}, {0x1f, 11}, {0x1c, 12}};
  a[0] = SCMP_A0(SCMP_CMP_LT, AF_INET);
  rule(b, deny, "socket", 1, a);
  a[0] = SCMP_A0(SCMP_CMP_GT, AF_NETLINK);
  rule(b, deny, "socket", 1, a);
  deny_masked(b, a, 0, 0, other_domains, sizeof other_domains / sizeof *other_domains);
  a[0] = SCMP_A0(SCMP_CMP_EQ, AF_NETLINK);
  a[1] = SCMP_A2(SCMP_CMP_NE, 0 /* NETLINK_ROUTE */);
  rule(b, deny, "socket", 2, a);

  /* types (low 4 bits; the rest are SOCK_NONBLOCK/SOCK_CLOEXEC): only STREAM (1), DGRAM (2) */
  static const masked other_types[] = {{0xf, 0}, {0xf, 3}, {0xc, 4}, {0xc, 8}, {0xc, 12}};
  /* protocols: TCP 0|6 (not SCTP 132, MPTCP 262); UDP 0|17 (not ICMP 1, UDP-lite 136) */
  static const masked not_tcp[] = {{0x1, 1}, {0x6, 2}, {0x6, 4}};
  static const masked not_udp[] = {{0x1f, 1}, {0x2, 2}, {0x4, 4}, {0x8, 8}, {0x1f, 16}};
  const int udp_ok = cfg->allow_udp || cfg->allow_dns;
  const unsigned long inet[2] = {AF_INET, AF_INET6};
  for (int i = 0; i < 2; i++) {
    a[0] = SCMP_A0(SCMP_CMP_EQ, inet[i]);
    deny_masked(b, a, 1, 1, other_types, sizeof other_types / sizeof *other_types);
    a[1] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_STREAM);
    if (!cfg->allow_tcp) {
      rule(b, deny, "socket", 2, a);
    } else {
      a[2] = SCMP_A2(SCMP_CMP_GT, 6);
      rule(b, deny, "socket", 3, a);
      deny_masked(b, a, 2, 2, not_tcp, sizeof not_tcp / sizeof *not_tcp);
    }
    a[1] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM);
    if (!udp_ok) {
      rule(b, deny, "socket", 2, a);
    } else {
      a[2] = SCMP_A2(SCMP_CMP_GT, 17);
      rule(b, deny, "socket", 3, a);
      deny_masked(b, a, 2, 2, not_udp, sizeof not_udp / sizeof *not_udp);
    }
  }
}

static void build_rules(sc_builder *b, struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  struct scmp_arg_cmp a[2];

  for (size_t i = 0; i < sizeof k_always_denied / sizeof *k_always_denied; i++)
    rule0(b, eperm, k_always_denied[i]);

  /* prlimit64 may read limits but never set them (root could raise them). */
  a[0] = SCMP_A2(SCMP_CMP_NE, 0);
  rule(b, eperm, "prlimit64", 1, a);

  /* kill(-1, sig) signals every process of the user (all of them for uid 0):
   * never legitimate here. Landlock ABI >= 6 also scopes signals to the sandbox;
   * this covers older kernels for the worst case. pid_t is 32 bits. */
  a[0] = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffUL, 0xffffffffUL);
  rule(b, eperm, "kill", 1, a);

  /* Terminal input injection. ioctl's cmd is an unsigned int: compare 32 bits. */
  a[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, 0x5412 /* TIOCSTI */);
  rule(b, eperm, "ioctl", 1, a);
  a[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, 0x541C /* TIOCLINUX */);
  rule(b, eperm, "ioctl", 1, a);

  /* No new namespaces through clone either; clone3 hides its flags in memory,
   * so it reports ENOSYS and libc falls back to clone. */
  for (size_t i = 0; i < sizeof k_namespace_flags / sizeof *k_namespace_flags; i++) {
    a[0] = SCMP_A0(SCMP_CMP_MASKED_EQ, k_namespace_flags[i], k_namespace_flags[i]);
    rule(b, eperm, "clone", 1, a);
  }
  rule0(b, SCMP_ACT_ERRNO(ENOSYS), "clone3");

  /* The artifact is exec'd with execve; execveat (fexecve of a memfd) never.
   * A memfd lives outside every Landlock hierarchy, so an executable one could
   * be exec'd through /proc/self/fd: only sealed non-executable memfds. */
  rule0(b, SCMP_ACT_ERRNO(EACCES), "execveat");
  a[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0x0008 /* MFD_NOEXEC_SEAL */, 0);
  rule(b, eperm, "memfd_create", 1, a);

  if (plan->spawn_denied) {
    rule0(b, eperm, "fork");
    rule0(b, eperm, "vfork");
    a[0] = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
    rule(b, eperm, "clone", 1, a);
  }

  /* A datagram socketpair can sendto/sendmsg a pathname unix socket anywhere
   * (Landlock does not cover unix sockets before ABI 9), fds included; stream
   * and seqpacket pairs ignore a destination address. */
  a[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM);
  rule(b, SCMP_ACT_ERRNO(EACCES), "socketpair", 1, a);

  /* fallocate with FALLOC_FL_KEEP_SIZE allocates blocks past RLIMIT_FSIZE;
   * EOPNOTSUPP makes posix_fallocate fall back to writes, which the limit covers. */
  rule0(b, SCMP_ACT_ERRNO(EOPNOTSUPP), "fallocate");

  if (plan->net_sockets_denied) {
    rule0(b, SCMP_ACT_ERRNO(EACCES), "socket");
  } else {
    socket_rules(b, cfg);
    /* TCP Fast Open connects inside sendto/sendmsg, past Landlock's connect
     * hook and the network supervisor's address check */
    a[0] = SCMP_A3(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN);
    rule(b, SCMP_ACT_ERRNO(EACCES), "sendto", 1, a);
    rule(b, SCMP_ACT_ERRNO(EACCES), "sendmmsg", 1, a);
    a[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN);
    rule(b, SCMP_ACT_ERRNO(EACCES), "sendmsg", 1, a);
  }
}

/* What the filter enforces, for describe/denial notes. These bits are the only
 * policy inputs of build_rules, so they also make up the cache key. */
static void record_enforced(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg) {
  plan->spawn_denied = !(cfg->proc_enabled && cfg->allow_spawn);
  plan->net_sockets_denied = !cfg->net_enabled;
  plan->udp_denied = cfg->net_enabled && !(cfg->allow_udp || cfg->allow_dns);
}

size_t x07_sandbox_seccomp_key(const x07_sandbox_config *cfg, char *buf, size_t buf_len) {
  struct x07_sandbox_plan bits;
  memset(&bits, 0, sizeof bits);
  record_enforced(&bits, cfg);
  const int tcp = cfg->net_enabled && cfg->allow_tcp;  /* socket_rules reads allow_tcp only with net on */
  const struct scmp_version *v = seccomp_version();
  int n = snprintf(buf, buf_len, "x07-seccomp-stage1 arch=%u libseccomp=%u.%u.%u spawn_denied=%d sockets_denied=%d "
                   "tcp=%d udp_denied=%d", (unsigned)seccomp_arch_native(), v ? v->major : 0, v ? v->minor : 0,
                   v ? v->micro : 0, bits.spawn_denied, bits.net_sockets_denied, tcp, bits.udp_denied);
  return n < 0 || (size_t)n >= buf_len ? 0 : (size_t)n;
}

/* A filter from an earlier prepare with the same key: copied, not regenerated. */
static int use_prebuilt(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg, char *err, size_t err_len) {
  if (!x07_sandbox_seccomp_bpf_len_ok(cfg->seccomp_bpf_len)) {
    snprintf(err, err_len, "kernel sandbox: prebuilt seccomp filter has an invalid size (%zu bytes)",
             cfg->seccomp_bpf_len);
    return -EINVAL;
  }
  void *insns = malloc(cfg->seccomp_bpf_len);
  if (!insns) {
    snprintf(err, err_len, "kernel sandbox: out of memory");
    return -ENOMEM;
  }
  memcpy(insns, cfg->seccomp_bpf, cfg->seccomp_bpf_len);
  plan->seccomp.insns = insns;
  plan->seccomp.len = (unsigned short)(cfg->seccomp_bpf_len / 8);
  return 0;
}

/* libseccomp 2.5 can only export to an fd: go through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, x07_sb_bpf *out) {
  int fd = memfd_create("x07-seccomp", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  int r = seccomp_export_bpf(ctx, fd);
  if (r < 0) {
    close(fd);
    return r;
  }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % 8 != 0 || size / 8 > 0xffff) {
    close(fd);
    return -EINVAL;
  }
  void *buf = malloc((size_t)size);
  if (!buf) {
    close(fd);
    return -ENOMEM;
  }
  if (pread(fd, buf, (size_t)size, 0) != size) {
    free(buf);
    close(fd);
    return -EIO;
  }
  close(fd);
  out->insns = buf;
  out->len = (unsigned short)(size / 8);
  return 0;
}

int x07_sb_prepare_seccomp(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg, char *err,
                           size_t err_len) {
  record_enforced(plan, cfg);
  if (cfg->seccomp_bpf) return use_prebuilt(plan, cfg, err, err_len);
  sc_builder b = {seccomp_init(SCMP_ACT_ALLOW), 0, NULL};
  if (!b.ctx) {
    snprintf(err, err_len, "kernel sandbox: seccomp_init failed");
    return -ENOMEM;
  }
  int r = seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  /* A binary tree over syscall numbers instead of a linear chain: the kernel
   * emulates a new filter for every syscall number when it is attached (the
   * seccomp action cache), which costs ~110 us for the chain and ~45 us for the
   * tree, more than the ~30 us the tree adds to generation; each syscall of the
   * program also walks fewer comparisons. */
  if (r == 0) r = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (r == 0) build_rules(&b, plan, cfg);
  if (r == 0) r = b.rc;
  if (r == 0) r = export_bpf(b.ctx, &plan->seccomp);
  seccomp_release(b.ctx);
  if (r < 0) {
    snprintf(err, err_len, "kernel sandbox: building the seccomp filter failed%s%s: %s",
             b.failed ? " at " : "", b.failed ? b.failed : "", strerror(-r));
    return r;
  }
  return 0;
}
#endif /* X07_HAVE_LIBSECCOMP */
