/* Landlock ruleset construction (parent side) and restriction (child side).
 *
 * The whole ruleset (fs path rules + TCP port rules + scopes) is built in the
 * parent; the child only calls landlock_restrict_self() on the inherited
 * ruleset fd, so nothing in the child allocates or resolves paths. */
#include "sandbox_internal.h"
#include "sandbox_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

uint64_t x07_ll_fs_rights_for_abi(int abi) {
  if (abi <= 0) return 0;
  if (abi == 1) return (1ULL << 13) - 1;
  if (abi == 2) return (1ULL << 14) - 1;
  if (abi <= 4) return (1ULL << 15) - 1;
  return (1ULL << 16) - 1;
}


typedef struct ll_builder {
  struct x07_sandbox_plan *plan;
  int ruleset_fd;
  char *err;
  size_t err_len;
} ll_builder;

/* Adds a path rule. Missing paths are not an error (returns 1, nothing added);
 * `what` names the policy item for the skipped-list. */
static int add_path_rule(ll_builder *b, const char *abs_path, uint64_t rights, const char *what) {
  int fd = open(abs_path, O_PATH | O_CLOEXEC);
  if (fd < 0) {
    if (what) {
      char line[X07_SB_PATH_MAX + 64];
      snprintf(line, sizeof line, "%s %s missing (not granted)", what, abs_path);
      x07_sb_append(b->plan->skipped, sizeof b->plan->skipped, line);
    }
    return 1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    snprintf(b->err, b->err_len, "kernel sandbox: cannot stat %s: %s", abs_path, strerror(e));
    return -e;
  }
  if (!S_ISDIR(st.st_mode)) rights &= X07_LL_FS_FILE_RIGHTS;
  rights &= b->plan->handled_fs;
  if (rights == 0) {
    close(fd);
    return 1;
  }
  struct x07_ll_path_beneath_attr attr;
  attr.allowed_access = rights;
  attr.parent_fd = fd;
  long r = syscall(X07_NR_landlock_add_rule, b->ruleset_fd, X07_LL_RULE_PATH_BENEATH, &attr, 0);
  int e = errno;
  close(fd);
  if (r != 0) {
    snprintf(b->err, b->err_len, "kernel sandbox: landlock_add_rule(%s) failed: %s", abs_path, strerror(e));
    return -e;
  }
  b->plan->fs_rules++;
  return 0;
}

static int add_port_rule(ll_builder *b, uint16_t port, uint64_t rights) {
  struct x07_ll_net_port_attr attr;
  attr.allowed_access = rights & b->plan->handled_net;
  attr.port = port;
  if (syscall(X07_NR_landlock_add_rule, b->ruleset_fd, X07_LL_RULE_NET_PORT, &attr, 0) != 0) {
    int e = errno;
    snprintf(b->err, b->err_len, "kernel sandbox: landlock_add_rule(tcp port %u) failed: %s", (unsigned)port,
             strerror(e));
    return -e;
  }
  b->plan->net_rules++;
  return 0;
}

/* Grants an executable plus its interpreter chain (#! lines, then an ELF's
 * PT_INTERP, which the kernel loads without looking for an interpreter of its own). */
static int add_exec_rule(ll_builder *b, const char *abs_path, const char *what) {
  char cur[X07_SB_PATH_MAX];
  snprintf(cur, sizeof cur, "%s", abs_path);
  int elf_interp = 0; /* `cur` is an ELF's PT_INTERP */
  for (int depth = 0; depth < 4; depth++) {
    int r = add_path_rule(b, cur, X07_LL_RIGHTS_EXEC, what);
    if (r != 0) return r < 0 ? r : 0;
    if (elf_interp) return 0;
    char interp[X07_SB_PATH_MAX];
    int kind = x07_sb_memo_interpreter(&b->plan->interps, cur, interp, sizeof interp);
    if (kind < 0) return 0;
    elf_interp = kind == X07_SB_INTERP_ELF;
    snprintf(cur, sizeof cur, "%s", interp);
    what = "interpreter";
  }
  return 0;
}

static int add_roots(ll_builder *b, const char *cwd, const char *const *roots, size_t n, uint64_t rights,
                     int create_missing, const char *what, size_t *counter) {
  for (size_t i = 0; i < n; i++) {
    char abs_path[X07_SB_PATH_MAX];
    int a = x07_sb_absolute(cwd, roots[i], abs_path, sizeof abs_path);
    if (a > 0) continue; /* empty entry: skipped, like the runtime does */
    if (a < 0) {
      snprintf(b->err, b->err_len, "kernel sandbox: %s path too long: %s", what, roots[i]);
      return -ENAMETOOLONG;
    }
    if (create_missing && access(abs_path, F_OK) != 0) x07_sb_mkdirs(abs_path);
    int r = add_path_rule(b, abs_path, rights, what);
    if (r < 0) return r;
    if (r == 0) (*counter)++;
  }
  return 0;
}

static const char *const k_system_read_paths[] = {
    "/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib",
    "/etc/ld.so.cache", "/dev/zero", "/dev/urandom", "/dev/random", "/sys/devices/system/cpu",
};
static const char *const k_net_read_paths[] = {
    "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf",
    "/etc/host.conf", "/etc/services", "/etc/protocols",
};

static int build_rules(ll_builder *b, const x07_sandbox_config *cfg, const char *cwd) {
  struct x07_sandbox_plan *plan = b->plan;
  int r;
  char abs_path[X07_SB_PATH_MAX];

  /* the program itself and its loader */
  if (x07_sb_absolute(cwd, cfg->artifact_path, abs_path, sizeof abs_path) != 0) return -ENAMETOOLONG;
  if ((r = add_exec_rule(b, abs_path, "artifact")) < 0) return r;

  if (cfg->system_lib_paths) {
    for (size_t i = 0; i < sizeof k_system_read_paths / sizeof *k_system_read_paths; i++)
      if ((r = add_path_rule(b, k_system_read_paths[i], X07_LL_RIGHTS_READ, NULL)) < 0) return r;
    if ((r = add_path_rule(b, "/dev/null", X07_LL_FS_READ_FILE | X07_LL_FS_WRITE_FILE, NULL)) < 0) return r;
  }
  if (cfg->net_enabled) {
    for (size_t i = 0; i < sizeof k_net_read_paths / sizeof *k_net_read_paths; i++)
      if ((r = add_path_rule(b, k_net_read_paths[i], X07_LL_FS_READ_FILE, NULL)) < 0) return r;
  }
  for (size_t i = 0; i < cfg->extra_read_paths_len; i++) {
    int a = x07_sb_absolute(cwd, cfg->extra_read_paths[i], abs_path, sizeof abs_path);
    if (a > 0) continue;
    if (a < 0) return -ENAMETOOLONG;
    if ((r = add_path_rule(b, abs_path, X07_LL_RIGHTS_READ, NULL)) < 0) return r;
  }
  for (size_t i = 0; i < cfg->extra_exec_paths_len; i++) {
    int a = x07_sb_absolute(cwd, cfg->extra_exec_paths[i], abs_path, sizeof abs_path);
    if (a > 0) continue;
    if (a < 0) return -ENAMETOOLONG;
    if ((r = add_exec_rule(b, abs_path, NULL)) < 0) return r;
  }

  if (cfg->fs_enabled) {
    if ((r = add_roots(b, cwd, cfg->read_roots, cfg->read_roots_len, X07_LL_RIGHTS_READ, 0, "fs.read_roots",
                       &plan->read_roots)) < 0)
      return r;
    if ((r = add_roots(b, cwd, cfg->write_roots, cfg->write_roots_len, X07_LL_RIGHTS_WRITE,
                       cfg->create_missing_write_roots, "fs.write_roots", &plan->write_roots)) < 0)
      return r;
  }

  if (cfg->proc_enabled && cfg->allow_spawn) {
    for (size_t i = 0; i < cfg->exec_paths_len; i++) {
      int a = x07_sb_absolute(cwd, cfg->exec_paths[i], abs_path, sizeof abs_path);
      if (a > 0) continue;
      if (a < 0) return -ENAMETOOLONG;
      /* A raw prefix such as "/usr/bin/py" names files in "/usr/bin": grant that
       * directory, never anything wider (a typo must not open up "/"). */
      if (access(abs_path, F_OK) != 0) {
        char *slash = strrchr(abs_path, '/');
        if (slash && slash != abs_path) *slash = 0;
        if (!slash || slash == abs_path || access(abs_path, F_OK) != 0) {
          char line[X07_SB_PATH_MAX + 64];
          snprintf(line, sizeof line, "process exec %s missing (not granted)", cfg->exec_paths[i]);
          x07_sb_append(plan->skipped, sizeof plan->skipped, line);
          continue;
        }
      }
      if ((r = add_exec_rule(b, abs_path, "process exec")) < 0) return r;
      plan->exec_paths++;
    }
  }

  if (plan->handled_net && cfg->net_enabled && cfg->allow_tcp) {
    for (size_t i = 0; i < cfg->tcp_ports.len; i++) {
      int dup = 0;
      for (size_t j = 0; j < i; j++) dup |= cfg->tcp_ports.ports[j] == cfg->tcp_ports.ports[i];
      if (dup || cfg->tcp_ports.ports[i] == 0) continue;
      if ((r = add_port_rule(b, cfg->tcp_ports.ports[i], X07_LL_NET_BIND_TCP | X07_LL_NET_CONNECT_TCP)) < 0)
        return r;
    }
  }
  return 0;
}

int x07_sb_prepare_landlock(struct x07_sandbox_plan *plan, const x07_sandbox_config *cfg,
                            const x07_sandbox_caps *caps, char *err, size_t err_len) {
  plan->landlock_ruleset_fd = -1;
  if (caps->landlock_abi <= 0) {
    x07_sb_append(plan->skipped, sizeof plan->skipped, "landlock unavailable: fs/exec/tcp rules not enforced");
    return 0;
  }
  int abi = caps->landlock_abi;
  plan->landlock_abi = abi;
  plan->handled_fs = x07_ll_fs_rights_for_abi(abi);
  plan->handled_net = abi >= 4 ? (X07_LL_NET_BIND_TCP | X07_LL_NET_CONNECT_TCP) : 0;
  plan->scoped = abi >= 6 ? (X07_LL_SCOPE_ABSTRACT_UNIX_SOCKET | X07_LL_SCOPE_SIGNAL) : 0;
  if (abi < 4)
    x07_sb_append(plan->skipped, sizeof plan->skipped, "landlock abi < 4: tcp ports not enforced by landlock");
  if (abi < 3)
    x07_sb_append(plan->skipped, sizeof plan->skipped, "landlock abi < 3: truncate(2) outside write roots");
  if (abi < 6)
    x07_sb_append(plan->skipped, sizeof plan->skipped,
                  "landlock abi < 6: signals to other processes of the same user not scoped");

  struct x07_ll_ruleset_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.handled_access_fs = plan->handled_fs;
  attr.handled_access_net = plan->handled_net;
  attr.scoped = plan->scoped;
  size_t attr_size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
  long fd = syscall(X07_NR_landlock_create_ruleset, &attr, attr_size, 0);
  if (fd < 0) {
    int e = errno;
    snprintf(err, err_len, "kernel sandbox: landlock_create_ruleset failed: %s", strerror(e));
    return -e;
  }
  plan->landlock_ruleset_fd = (int)fd;

  char cwd_buf[X07_SB_PATH_MAX];
  const char *cwd = cfg->cwd;
  if (!cwd || !*cwd) {
    if (!getcwd(cwd_buf, sizeof cwd_buf)) {
      int e = errno;
      snprintf(err, err_len, "kernel sandbox: getcwd failed: %s", strerror(e));
      return -e;
    }
    cwd = cwd_buf;
  }
  ll_builder b = {plan, (int)fd, err, err_len};
  int r = build_rules(&b, cfg, cwd);
  if (r < 0 && !err[0]) snprintf(err, err_len, "kernel sandbox: path too long while building landlock rules");
  return r;
}

int x07_sandbox_apply_landlock(const x07_sandbox_plan *plan) {
  if (!plan || plan->landlock_abi <= 0 || plan->landlock_ruleset_fd < 0) return 0;
  if (syscall(X07_NR_landlock_restrict_self, plan->landlock_ruleset_fd, 0) != 0) return -errno;
  return 0;
}
