/* x07sandbox: kernel-enforced sandbox for run-os-sandboxed (the `os` backend).
 *
 * Layers (each one holds even against code that bypasses the x07 runtime):
 *   - rlimits (cpu, address space, fds, procs, core); for uid 0 with spawning
 *     allowed, a per-run pids cgroup (root ignores RLIMIT_NPROC) and memory
 *     cgroup (mem_bytes for the whole tree);
 *   - no_new_privs, and for root: capabilities dropped, SECBIT_NOROOT locked;
 *   - Landlock: read-only fs.read_roots, read-write fs.write_roots, EXECUTE only
 *     for the artifact, its loader and the allowed execs; TCP bind/connect only
 *     to ports of net.allow_hosts (ABI >= 4); signal/abstract-socket scoping
 *     (ABI >= 6);
 *   - seccomp-bpf (stage 1, installed before exec): io_uring, ptrace,
 *     process_vm_*, bpf, perf_event_open, userfaultfd, mount & namespace calls,
 *     keyrings, kexec/modules ... always denied; sockets denied when net is off;
 *     fork/clone (not threads) denied when spawning is off;
 *   - seccomp stage 2 (installed by the x07 runtime at startup, see
 *     x07_sandbox_runtime_lockdown): denies execve/execveat when spawning is off,
 *     which stage 1 cannot do because it must let the artifact itself be exec'd.
 * Denials return EPERM/EACCES (never kill), except for foreign syscall ABIs
 * (i386 int 0x80, x32), which kill the process: a deny-list cannot be sound there.
 *
 * Usage by the runner (parent prepares, child applies):
 *     x07_sandbox_caps caps; x07_sandbox_probe(&caps);
 *     x07_sandbox_config cfg; x07_sandbox_config_init(&cfg); ... fill from the policy ...
 *     char err[512];
 *     if (x07_sandbox_check_support(&cfg, &caps, err, sizeof err) != 0 && !accept_weaker) fail(err);
 *     x07_sandbox_plan *plan = x07_sandbox_prepare(&cfg, &caps, err, sizeof err);   // NULL on error
 *     pid = fork();
 *     child:  int step; int e = x07_sandbox_apply(plan, &step);  // async-signal-safe
 *             if (e) { report -e and x07_sandbox_step_name(step) to the parent; _exit(127); }
 *             execve(cfg.artifact_path, ...);   // execve, not execveat/fexecve (refused)
 *     parent: run and reap the child, then
 *             if (x07_sandbox_denial_note(plan, stderr, ...)) print the note on stderr;
 *             x07_sandbox_plan_free(plan);       // after reaping: empties the cgroups
 * Self-sandboxing (a bundle's startup): cfg.in_process = 1, prepare, apply to the
 * process itself, then x07_sandbox_runtime_lockdown(); keep the plan (never free it).
 *
 * Compiles as C11 with -D_GNU_SOURCE. All strings are NUL-terminated byte paths.
 */
#ifndef X07_SANDBOX_H
#define X07_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "limit not set": the rlimit is left as inherited. */
#define X07_SANDBOX_LIMIT_UNSET UINT64_MAX

/* ---- kernel capabilities ---------------------------------------------------- */
typedef struct x07_sandbox_caps {
  int landlock_abi;        /* 0 = unavailable */
  int landlock_errno;      /* why unavailable: ENOSYS (not built), EOPNOTSUPP (disabled at boot) */
  int landlock_errata;     /* errata bitmask (LANDLOCK_CREATE_RULESET_ERRATA), 0 if unknown */
  int seccomp_filter;      /* 1 = seccomp(SECCOMP_SET_MODE_FILTER) usable */
  int seccomp_errno;
  int libseccomp;          /* 1 = this build can generate stage-1 BPF (libseccomp present) */
} x07_sandbox_caps;

/* Queries the running kernel. Never fails; fields say what is missing. */
void x07_sandbox_probe(x07_sandbox_caps *out);

/* ---- configuration (built by the runner from the policy) -------------------- */
typedef struct x07_sandbox_port_list {
  const uint16_t *ports;
  size_t len;
} x07_sandbox_port_list;

/* One net.allow_hosts entry: "ip", "ip/bits", "lo-hi" or a DNS name, and its ports. */
typedef struct x07_sandbox_host {
  const char *host;
  const uint16_t *ports;
  size_t ports_len;
} x07_sandbox_host;

typedef struct x07_sandbox_config {
  /* limits (policy.limits). cpu_ms is rounded up to whole seconds. */
  uint64_t cpu_ms;         /* RLIMIT_CPU */
  uint64_t mem_bytes;      /* RLIMIT_AS */
  uint64_t fds;            /* RLIMIT_NOFILE (0 allowed) */
  uint64_t procs;          /* RLIMIT_NPROC (0 allowed); for uid 0 a pids cgroup (see prepare) */
  int core_dumps;          /* RLIMIT_CORE: 0 -> 0, 1 -> RLIM_INFINITY */
  uint64_t file_bytes;     /* RLIMIT_FSIZE (fs.max_write_bytes); SIGXFSZ is ignored so writes get EFBIG */
  /* Total bytes the run may write into its write roots (0 = no total): the write
   * roots become overlays on a tmpfs of this size in the mount namespace, and
   * x07_sandbox_finish carries the changes out after the run. */
  uint64_t write_quota_bytes;

  /* filesystem (policy.fs). Entries are trimmed of spaces/tabs/CR/LF (as the
   * runtime does); relative roots are resolved against `cwd`. */
  int fs_enabled;
  const char *const *read_roots;  size_t read_roots_len;
  const char *const *write_roots; size_t write_roots_len;
  /* Create missing write roots (mkdir -p, in prepare) so Landlock can grant
   * them; runner sets it from fs.allow_mkdir. Missing roots are otherwise skipped. */
  int create_missing_write_roots;

  /* network (policy.net). tcp_ports = union of the ports of net.allow_hosts. */
  int net_enabled;
  int allow_tcp;
  int allow_udp;
  int allow_dns;           /* also grants read of /etc/{resolv.conf,hosts,nsswitch.conf,gai.conf,host.conf} */
  x07_sandbox_port_list tcp_ports;
  /* net.allow_hosts, for the network supervisor (destinations of TCP and UDP) */
  const x07_sandbox_host *net_hosts; size_t net_hosts_len;

  /* process (policy.process). exec_paths = allow_execs + allow_exec_prefixes;
   * a prefix that is not an existing path is granted on its longest existing
   * directory. Interpreters (PT_INTERP, #!) of the execs are added automatically. */
  int proc_enabled;
  int allow_spawn;
  const char *const *exec_paths;  size_t exec_paths_len;

  /* the program */
  const char *artifact_path;      /* required: executed with READ_FILE|EXECUTE */
  const char *cwd;                /* run cwd for relative roots; NULL = getcwd() */
  /* Extra read-only paths (e.g. FFI shared-library dirs); extra executables. */
  const char *const *extra_read_paths; size_t extra_read_paths_len;
  const char *const *extra_exec_paths; size_t extra_exec_paths_len;
  /* Add the default loader paths (/lib, /lib64, /usr/lib, /usr/lib64,
   * /usr/local/lib, /etc/ld.so.cache, /dev/{null,zero,urandom,random}). Default 1. */
  int system_lib_paths;
  /* 1 = the plan is applied to the calling process itself (a self-sandboxing
   * bundle), not to a forked child: no per-run pids cgroup (nobody would be
   * left to empty and remove it), and never free such a plan's cgroup. */
  int in_process;
  /* Optional: a stage-1 filter generated earlier for an equal
   * x07_sandbox_seccomp_key (e.g. kept in the runner's cache). It is installed
   * as-is instead of generating it again with libseccomp, which costs about
   * 0.25 ms per run. Bytes of struct sock_filter[]; NULL = generate. */
  const void *seccomp_bpf;
  size_t seccomp_bpf_len;
  /* 1 = no namespaces even where available (they are used by default as uid 0
   * with CAP_SYS_ADMIN; never for in_process plans). */
  int no_namespaces;
} x07_sandbox_config;

/* Zero + defaults: limits unset, everything disabled, system_lib_paths = 1. */
void x07_sandbox_config_init(x07_sandbox_config *cfg);

/* What the kernel lacks for this config. Returns 0 when everything the policy
 * needs can be enforced; otherwise the number of missing features and a
 * "; "-separated message in `msg` (e.g. "Landlock unavailable (ENOSYS): fs roots
 * cannot be enforced"). The runner fails closed on non-zero unless the user
 * accepted weaker isolation. */
int x07_sandbox_check_support(const x07_sandbox_config *cfg, const x07_sandbox_caps *caps,
                              char *msg, size_t msg_len);

/* ---- prepare (parent) / apply (child) --------------------------------------- */
typedef struct x07_sandbox_plan x07_sandbox_plan;

/* Resolves paths, builds the Landlock ruleset, the stage-1 seccomp BPF and the
 * rlimit table. As uid 0 with spawning allowed it also creates pids and memory
 * cgroups for limits.procs (the kernel ignores RLIMIT_NPROC for root) and
 * limits.mem_bytes of the whole tree; freeing the plan kills whatever is left in
 * them and removes them. Features the kernel
 * lacks (per `caps`) are skipped (best effort) and recorded in the summary.
 * Returns NULL and an error message on failure (e.g. artifact missing). */
x07_sandbox_plan *x07_sandbox_prepare(const x07_sandbox_config *cfg, const x07_sandbox_caps *caps,
                                      char *err, size_t err_len);
void x07_sandbox_plan_free(x07_sandbox_plan *plan);

/* ---- stage-1 filter reuse ---------------------------------------------------- */
/* Names everything the stage-1 filter of `cfg` depends on (architecture,
 * libseccomp version, the policy bits it encodes), so callers can cache the
 * generated filter: within one x07sandbox build, equal keys give equal filters.
 * Writes a NUL-terminated key and returns its length; returns 0 when this build
 * generates no filter (no libseccomp). */
size_t x07_sandbox_seccomp_key(const x07_sandbox_config *cfg, char *buf, size_t buf_len);

/* The plan's stage-1 filter as bytes (for caching); NULL and *len = 0 if none. */
const void *x07_sandbox_seccomp_bpf(const x07_sandbox_plan *plan, size_t *len);

/* 1 when `len` bytes can be a stage-1 filter: whole instructions, at most the
 * kernel's 4096. (The kernel checks the program itself when it is installed.) */
int x07_sandbox_seccomp_bpf_len_ok(size_t len);

/* Steps of x07_sandbox_apply, for error reports. */
enum {
  X07_SANDBOX_STEP_NONE = 0,
  X07_SANDBOX_STEP_FDS,        /* mark inherited fds >= 3 close-on-exec */
  X07_SANDBOX_STEP_RLIMITS,
  X07_SANDBOX_STEP_NO_NEW_PRIVS,
  X07_SANDBOX_STEP_LANDLOCK,
  X07_SANDBOX_STEP_CAPS,       /* drop capabilities (uid 0 only) */
  X07_SANDBOX_STEP_SECCOMP,
  X07_SANDBOX_STEP_CGROUP,     /* join the per-run cgroups (uid 0 with spawning allowed) */
  X07_SANDBOX_STEP_MOUNTS,     /* set up the mount namespace (read-only / noexec roots) */
  X07_SANDBOX_STEP_NETSUP      /* install the notifying filter, hand it to the network supervisor */
};

/* ---- network supervisor (parent side, net enabled) ---------------------------- */
/* Checks the destinations of connect/sendto/sendmsg/sendmmsg and refuses listen()
 * without a port, for the child and everything it spawns. Start it before forking
 * the child (NULL = the plan needs none, or an error in `err`: check err[0]); stop
 * it after reaping. While it runs, x07_sandbox_apply in the child hands it the
 * seccomp listener. */
typedef struct x07_sandbox_netsup x07_sandbox_netsup;
x07_sandbox_netsup *x07_sandbox_netsup_start(const x07_sandbox_plan *plan, char *err, size_t err_len);
void x07_sandbox_netsup_stop(x07_sandbox_netsup *sup);

/* After the run (the program and everything it spawned are gone), before the
 * plan is freed: carries what the run wrote under the write quota out to the
 * real write roots. Returns 0, or -errno and a message (some changes may be
 * missing then). No-op without a write quota. */
int x07_sandbox_finish(x07_sandbox_plan *plan, char *msg, size_t msg_len);

/* The namespaces the child must be created in: pass them to clone()
 * (CLONE_NEWPID), then call x07_sandbox_apply in the child, which enters new
 * ipc, uts, mount (and, with networking off, net) namespaces itself. 0 = none
 * (not uid 0 with CAP_SYS_ADMIN, or cfg.no_namespaces / in_process). */
unsigned long x07_sandbox_clone_flags(const x07_sandbox_plan *plan);
const char *x07_sandbox_step_name(int step);

/* Applies everything to the calling process (cgroup join first, then the order
 * above). Meant for a
 * forked child right before execve(artifact): only raw syscalls, no malloc,
 * no locks. Returns 0, or -errno with *failed_step set (may be NULL).
 * `plan` may be NULL (then it does nothing and returns 0). */
int x07_sandbox_apply(const x07_sandbox_plan *plan, int *failed_step);

/* The individual layers, for tests and callers that want a subset. Same
 * contract as x07_sandbox_apply. */
int x07_sandbox_apply_rlimits(const x07_sandbox_plan *plan);
int x07_sandbox_apply_no_new_privs(void);
int x07_sandbox_apply_landlock(const x07_sandbox_plan *plan);
int x07_sandbox_apply_seccomp(const x07_sandbox_plan *plan);

/* One line describing what the plan enforces, e.g.
 * "landlock abi 7: fs read 2 roots, write 1 root, exec artifact only; tcp ports none;
 *  seccomp: sockets denied, spawn denied, io_uring denied; rlimits cpu=60s as=512MiB nofile=128 nproc=16".
 * Returns the length written (truncated to buf_len-1, always NUL-terminated). */
size_t x07_sandbox_describe(const x07_sandbox_plan *plan, char *buf, size_t buf_len);

/* After the run: if the program's stderr or exit looks like a kernel denial
 * (EACCES/EPERM texts, "open failed", "disabled"/"denied" traps, SIGSYS,
 * SIGKILL/SIGXCPU from RLIMIT_CPU, ...), writes a note for the runner's stderr,
 * starting with "x07-os-runner: kernel sandbox: ", and returns 1; otherwise 0.
 * `term_signal` is the signal that killed the program: pass 0 if it exited or
 * if the runner itself killed it (wall timeout). */
int x07_sandbox_denial_note(const x07_sandbox_plan *plan, const char *prog_stderr, size_t stderr_len,
                            int exit_code, int term_signal, char *buf, size_t buf_len);

/* ---- stage 2 (runtime side) -------------------------------------------------- */
/* Called by the x07 runtime's main at startup, before any user code, when the
 * environment has X07_OS_SANDBOXED=1. Reads X07_OS_PROC / X07_OS_PROC_ALLOW_SPAWN
 * and, when spawning is not allowed, installs a seccomp filter (hand-written
 * BPF, no libseccomp needed) that makes execve/execveat fail with EACCES and
 * fork/vfork/clone (without CLONE_THREAD) fail with EPERM (clone3 -> ENOSYS so
 * libc falls back to clone). No-op (returns 0) when not sandboxed or spawning
 * is allowed. Returns 0 or -errno; callers may ignore failure (stage 1 and
 * Landlock already hold). Does not allocate. */
int x07_sandbox_runtime_lockdown(void);

#ifdef __cplusplus
}
#endif
#endif /* X07_SANDBOX_H */
