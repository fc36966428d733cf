/* Internal definitions of x07sandbox: the prepared plan and the kernel UAPI
 * constants we need. The UAPI is vendored under x07-prefixed names because
 * distro headers lag the kernel (Debian 12 lacks the Landlock net/scope
 * structs and several access bits). */
#ifndef X07_SANDBOX_INTERNAL_H
#define X07_SANDBOX_INTERNAL_H

#include "x07_sandbox.h"
#include "sandbox_paths.h"

#include <stddef.h>
#include <stdint.h>

/* ---- syscall numbers (same on every architecture since 5.13) ---- */
#define X07_NR_landlock_create_ruleset 444
#define X07_NR_landlock_add_rule 445
#define X07_NR_landlock_restrict_self 446

/* ---- Landlock UAPI ---- */
#define X07_LL_CREATE_RULESET_VERSION (1U << 0)
#define X07_LL_CREATE_RULESET_ERRATA (1U << 1)
#define X07_LL_RULE_PATH_BENEATH 1
#define X07_LL_RULE_NET_PORT 2

#define X07_LL_FS_EXECUTE (1ULL << 0)
#define X07_LL_FS_WRITE_FILE (1ULL << 1)
#define X07_LL_FS_READ_FILE (1ULL << 2)
#define X07_LL_FS_READ_DIR (1ULL << 3)
#define X07_LL_FS_REMOVE_DIR (1ULL << 4)
#define X07_LL_FS_REMOVE_FILE (1ULL << 5)
#define X07_LL_FS_MAKE_CHAR (1ULL << 6)
#define X07_LL_FS_MAKE_DIR (1ULL << 7)
#define X07_LL_FS_MAKE_REG (1ULL << 8)
#define X07_LL_FS_MAKE_SOCK (1ULL << 9)
#define X07_LL_FS_MAKE_FIFO (1ULL << 10)
#define X07_LL_FS_MAKE_BLOCK (1ULL << 11)
#define X07_LL_FS_MAKE_SYM (1ULL << 12)
#define X07_LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define X07_LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define X07_LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

#define X07_LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define X07_LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

#define X07_LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define X07_LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */

/* What the sandbox grants: read roots, executables, write roots. */
#define X07_LL_RIGHTS_READ (X07_LL_FS_READ_FILE | X07_LL_FS_READ_DIR)
#define X07_LL_RIGHTS_EXEC (X07_LL_FS_READ_FILE | X07_LL_FS_EXECUTE)
#define X07_LL_RIGHTS_WRITE                                                                              \
  (X07_LL_RIGHTS_READ | X07_LL_FS_WRITE_FILE | X07_LL_FS_REMOVE_DIR | X07_LL_FS_REMOVE_FILE |           \
   X07_LL_FS_MAKE_DIR | X07_LL_FS_MAKE_REG | X07_LL_FS_MAKE_SYM | X07_LL_FS_MAKE_FIFO |           \
   X07_LL_FS_MAKE_SOCK | X07_LL_FS_REFER | X07_LL_FS_TRUNCATE)

/* Rights that make sense on a regular file (the kernel rejects others). */
#define X07_LL_FS_FILE_RIGHTS \
  (X07_LL_FS_EXECUTE | X07_LL_FS_WRITE_FILE | X07_LL_FS_READ_FILE | X07_LL_FS_TRUNCATE | X07_LL_FS_IOCTL_DEV)

struct x07_ll_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net; /* ABI 4 */
  uint64_t scoped;             /* ABI 6 */
};

struct x07_ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct x07_ll_net_port_attr {
  uint64_t allowed_access;
  uint64_t port; /* host byte order */
};

/* ---- seccomp UAPI bits used without <linux/seccomp.h> ---- */
#define X07_SECCOMP_SET_MODE_FILTER 1
#define X07_SECCOMP_GET_ACTION_AVAIL 2
#define X07_SECCOMP_RET_KILL_PROCESS 0x80000000U
#define X07_SECCOMP_RET_ERRNO 0x00050000U
#define X07_SECCOMP_RET_ALLOW 0x7fff0000U

/* Landlock fs rights known at a given ABI. */
uint64_t x07_ll_fs_rights_for_abi(int abi);

/* ---- the prepared plan ---- */
typedef struct x07_sb_rlimit {
  int resource;
  uint64_t value; /* soft = hard */
} x07_sb_rlimit;

typedef struct x07_sb_bpf {
  void *insns;      /* struct sock_filter[] */
  unsigned short len;
} x07_sb_bpf;

typedef struct x07_sb_mount {
  char *path;           /* resolved absolute path, bound over itself */
  unsigned long flags;  /* MS_RDONLY / MS_NOEXEC / MS_NOSUID / MS_NODEV for the remount */
  int overlay;          /* >= 0: a write root under the write quota (its upper dir index) */
} x07_sb_mount;

typedef struct x07_sb_dest {
  int v6;
  uint8_t lo[16], hi[16]; /* address range, network byte order */
  uint16_t port;
} x07_sb_dest;

struct x07_sandbox_plan {
  x07_sb_rlimit rlimits[6];
  int rlimits_len;

  int landlock_abi;        /* ABI used (0 = Landlock skipped) */
  int landlock_ruleset_fd; /* built in the parent; child only restricts itself */
  uint64_t handled_fs, handled_net, scoped;
  size_t fs_rules, net_rules; /* counts, for the summary */

  x07_sb_bpf seccomp;      /* stage 1 (len 0 = skipped) */
  int drop_caps;           /* prepared as uid 0, or the child gets a user namespace */

  /* per-run cgroups the child joins: one dir (v2) or one per v1 hierarchy (pids, memory) */
  struct {
    char dir[512];
    int procs_fd;          /* cgroup.procs, opened by the parent (-1 = none) */
  } cgroups[2];
  int cgroups_len;
  int procs_cgroup;        /* limits.procs enforced through a pids cgroup */
  int mem_cgroup;          /* limits.mem_bytes caps the whole tree through a memory cgroup */
  int mem_cgroup_index;    /* which of cgroups[] holds the memory controller */
  int mem_v2;
  uint64_t mem_max;
  uint64_t procs_max;

  unsigned long ns_flags;   /* CLONE_NEW* the caller creates the child with (0 = none) */
  x07_sb_mount *ns_mounts;  /* applied in order (parents first) in the new mount namespace */
  size_t ns_mounts_len, ns_data_mounts;
  char ns_cwd[4096];
  int userns;               /* not root: CLONE_NEWUSER, the child maps our own uid/gid */
  int netns_fd;             /* net off as uid 0: the shared empty network namespace to setns() into (-1 = none) */
  int new_net;              /* the program gets a network namespace of its own or the shared empty one */
  int quota_sock[2];        /* write quota: the child sends the tmpfs fd on [1], the runner reads [0] */
  int quota_roots;          /* write roots mounted as overlays on the quota tmpfs (0 = no quota) */
  uint64_t quota_bytes;
  char quota_tmpfs_opts[64];
  char uid_map[32], gid_map[32];

  int netsup;               /* network supervisor needed (net enabled, user notification available) */
  int netsup_child_fd;      /* handoff socket the child writes its listener fd to (-1 = none) */
  x07_sb_dest *dests;       /* allowed destinations (ip range + port) */
  size_t dests_len;

  /* what is enforced, for describe/denial notes */
  int net_sockets_denied, spawn_denied, tcp_ports_limited, udp_denied;
  size_t read_roots, write_roots, exec_paths;
  char skipped[512];       /* features skipped for lack of kernel support / missing roots */

  x07_sb_interp_memo interps; /* while preparing: read by the Landlock and the namespace pass */
};

/* Builders used by x07_sandbox_prepare (parent side). Each returns 0 or -errno
 * and writes a message into err. */
int x07_sb_prepare_landlock(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg,
                            const x07_sandbox_caps *caps, char *err, size_t err_len);
int x07_sb_prepare_seccomp(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg,
                           char *err, size_t err_len);
void x07_sb_prepare_rlimits(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg);
int x07_sb_prepare_cgroup(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg);
/* child side: join the cgroups; parent side after the run: kill leftovers, remove them */
int x07_sb_apply_cgroup(const struct x07_sandbox_plan *plan);
void x07_sb_release_cgroup(struct x07_sandbox_plan *plan);
/* Processes of the run the memory cgroup's OOM killer ended so far (0 = none / no cgroup). */
uint64_t x07_sb_cgroup_oom_kills(const struct x07_sandbox_plan *plan);

/* uid 0 with CAP_SYS_ADMIN (what the namespace layer needs as root). */
int x07_sb_namespaces_available(void);
/* Not root: the kernel lets us create a user namespace with mount and pid
 * namespaces inside (probed once per process by a short-lived clone). */
int x07_sb_userns_available(void);
/* uid 0: an fd of the shared empty network namespace (created on first use), or -1. */
int x07_sb_shared_netns(void);
int x07_sb_prepare_namespaces(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg, const char *cwd);
int x07_sb_apply_mounts(const struct x07_sandbox_plan *plan);
int x07_sb_prepare_netsup(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg);
int x07_sb_apply_netsup(const struct x07_sandbox_plan *plan);
void x07_sb_free_mounts(struct x07_sandbox_plan *plan);
/* write quota (sandbox_quota.c): prepare after the namespaces; child side before
 * and during the mounts */
int x07_sb_prepare_quota(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg);
int x07_sb_quota_begin(const struct x07_sandbox_plan *plan, int *lower_fds, int *tmp_fd);
/* Landlock rules are bound to inodes: grant the overlays (and re-granted
 * executables on them) again, after the mounts, before restricting. */
int x07_sb_quota_landlock(const struct x07_sandbox_plan *plan);
int x07_sb_quota_mount(const struct x07_sandbox_plan *plan, const x07_sb_mount *m, const int *lower_fds,
                       int tmp_fd);

/* 1 when this build generates stage-1 BPF with libseccomp. */
int x07_sandbox_have_libseccomp(void);

/* Appends "; "-separated text to buf (bounded, always NUL-terminated). */
void x07_sb_append(char *buf, size_t buf_len, const char *text);

/* Installs a classic BPF program (raw seccomp(2); async-signal-safe). */
int x07_sb_install_bpf(const void *insns, unsigned short len, unsigned int flags);

#endif /* X07_SANDBOX_INTERNAL_H */
