// Kernel sandbox (x07sandbox): probe, support check, plan building, and forked
// children that apply the sandbox and try to get out.
#include <catch2/catch.hpp>

#include "sandbox/x07_sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

x07_sandbox_caps probe() {
  x07_sandbox_caps caps;
  x07_sandbox_probe(&caps);
  return caps;
}

bool kernel_has_sandbox(const x07_sandbox_caps &c) { return c.landlock_abi > 0 && c.seccomp_filter && c.libseccomp; }

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

// A scratch tree: <base>/{read/r.txt, write/, outside/secret.txt, read/link -> outside/secret.txt}.
struct Scratch {
  fs::path base;
  Scratch() {
    char tmpl[] = "/tmp/x07-sandbox-test-XXXXXX";
    base = mkdtemp(tmpl);
    fs::create_directories(base / "read");
    fs::create_directories(base / "write");
    fs::create_directories(base / "outside");
    std::ofstream(base / "read" / "r.txt") << "readable";
    std::ofstream(base / "outside" / "secret.txt") << "secret";
    fs::create_symlink(base / "outside" / "secret.txt", base / "read" / "link");
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  std::string p(const std::string &rel) const { return (base / rel).string(); }
};

// Runs `body` in a forked child after x07_sandbox_apply; the child reports
// "name=errno" lines (0 = success) through a pipe.
using Report = std::map<std::string, int>;
struct Child {
  int fd;
  void put(const std::string &name, int err) {
    std::string line = name + "=" + std::to_string(err) + "\n";
    ssize_t ignored = write(fd, line.data(), line.size());
    (void)ignored;
  }
  // Records 0 if rc >= 0, else errno.
  void check(const std::string &name, long rc) { put(name, rc >= 0 ? 0 : errno); }
};

Report run_sandboxed(x07_sandbox_plan *plan, const std::function<void(Child &)> &body, int *apply_err = nullptr) {
  int p[2];
  REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    Child c{p[1]};
    int step = 0;
    int e = x07_sandbox_apply(plan, &step);
    c.put("apply", -e);
    if (e == 0) body(c);
    _exit(0);
  }
  close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  Report r;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl - pos);
    size_t eq = line.find('=');
    r[line.substr(0, eq)] = std::stoi(line.substr(eq + 1));
    pos = nl + 1;
  }
  if (apply_err) *apply_err = r.count("apply") ? r["apply"] : -1;
  return r;
}

struct Plan {
  x07_sandbox_plan *p = nullptr;
  std::string err;
  Plan(const x07_sandbox_config &cfg, const x07_sandbox_caps &caps) {
    char e[1024];
    p = x07_sandbox_prepare(&cfg, &caps, e, sizeof e);
    err = e;
  }
  ~Plan() { x07_sandbox_plan_free(p); }
};

int listen_on_loopback(uint16_t *port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(s, 4) != 0) return -1;
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr *>(&a), &len);
  *port = ntohs(a.sin_port);
  return s;
}

long connect_loopback(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  long rc = connect(s, reinterpret_cast<sockaddr *>(&a), sizeof a);
  int e = errno;
  close(s);
  errno = e;
  return rc;
}

}  // namespace

TEST_CASE("sandbox probe reports the kernel's Landlock ABI and seccomp", "[sandbox]") {
  x07_sandbox_caps c = probe();
  long abi = syscall(444, nullptr, 0, 1U);
  if (abi > 0) {
    CHECK(c.landlock_abi == abi);
    CHECK(c.landlock_errno == 0);
  } else {
    CHECK(c.landlock_abi == 0);
    CHECK(c.landlock_errno != 0);
  }
  CHECK(c.libseccomp == 1);
  CHECK((c.seccomp_filter == 1 || c.seccomp_errno != 0));
}

TEST_CASE("sandbox config defaults leave limits unset and everything disabled", "[sandbox]") {
  x07_sandbox_config cfg;
  std::memset(&cfg, 0x5a, sizeof cfg);
  x07_sandbox_config_init(&cfg);
  CHECK(cfg.cpu_ms == X07_SANDBOX_LIMIT_UNSET);
  CHECK(cfg.mem_bytes == X07_SANDBOX_LIMIT_UNSET);
  CHECK(cfg.fds == X07_SANDBOX_LIMIT_UNSET);
  CHECK(cfg.procs == X07_SANDBOX_LIMIT_UNSET);
  CHECK(cfg.fs_enabled == 0);
  CHECK(cfg.net_enabled == 0);
  CHECK(cfg.proc_enabled == 0);
  CHECK(cfg.read_roots_len == 0);
  CHECK(cfg.artifact_path == nullptr);
  CHECK(cfg.system_lib_paths == 1);
}

TEST_CASE("sandbox support check names what the kernel lacks", "[sandbox]") {
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.net_enabled = 1;
  cfg.allow_tcp = 1;
  char msg[1024];

  x07_sandbox_caps full{};
  full.landlock_abi = 7;
  full.seccomp_filter = 1;
  full.libseccomp = 1;
  CHECK(x07_sandbox_check_support(&cfg, &full, msg, sizeof msg) == 0);
  CHECK(std::string(msg).empty());

  x07_sandbox_caps old = full;
  old.landlock_abi = 3;
  CHECK(x07_sandbox_check_support(&cfg, &old, msg, sizeof msg) == 1);
  CHECK(std::string(msg).find("Landlock ABI 3 < 4") != std::string::npos);
  cfg.allow_tcp = 0;  // without TCP, ABI 3 is enough (seccomp handles sockets)
  CHECK(x07_sandbox_check_support(&cfg, &old, msg, sizeof msg) == 0);

  x07_sandbox_caps none{};
  none.landlock_errno = ENOSYS;
  none.seccomp_errno = EINVAL;
  CHECK(x07_sandbox_check_support(&cfg, &none, msg, sizeof msg) == 2);
  CHECK(std::string(msg).find("Landlock unavailable (ENOSYS") != std::string::npos);
  CHECK(std::string(msg).find("seccomp filter mode unavailable") != std::string::npos);
}

TEST_CASE("sandbox prepare rejects a missing artifact", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = "/nonexistent/x07/solver";
  Plan plan(cfg, caps);
  CHECK(plan.p == nullptr);
  CHECK(plan.err.find("/nonexistent/x07/solver") != std::string::npos);
}

TEST_CASE("sandbox denial note recognises kernel refusals only", "[sandbox]") {
  char buf[2048];
  const std::string denied = "os.fs.read_file open failed path=/etc/passwd\n";
  CHECK(x07_sandbox_denial_note(nullptr, denied.data(), denied.size(), 0, SIGILL, buf, sizeof buf) == 1);
  CHECK(std::string(buf).rfind("x07-os-runner: kernel sandbox: ", 0) == 0);
  const std::string clean = "{\"fuel_used\":1}\n";
  CHECK(x07_sandbox_denial_note(nullptr, clean.data(), clean.size(), 0, 0, buf, sizeof buf) == 0);
  CHECK(x07_sandbox_denial_note(nullptr, "", 0, 0, SIGXCPU, buf, sizeof buf) == 1);
  CHECK(std::string(buf).find("RLIMIT_CPU") != std::string::npos);
  CHECK(x07_sandbox_denial_note(nullptr, "", 0, 0, SIGKILL, buf, sizeof buf) == 1);  // soft == hard
  CHECK(std::string(buf).find("RLIMIT_CPU") != std::string::npos);
  const std::string perm = "open /etc/passwd: Permission denied\n";
  CHECK(x07_sandbox_denial_note(nullptr, perm.data(), perm.size(), 3, 0, buf, sizeof buf) == 1);
  CHECK(std::string(buf).find("EACCES/EPERM") != std::string::npos);
  CHECK(x07_sandbox_denial_note(nullptr, "", 0, 1, 0, buf, sizeof buf) == 0);
}

TEST_CASE("sandboxed child: filesystem roots hold against every path trick", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping forked sandbox checks");
    return;
  }
  Scratch t;
  std::string exe = self_exe();
  std::string write_root = t.p("write");
  // relative (and padded, like policy entries the runtime trims) roots resolve against cfg.cwd
  const char *reads[] = {" read\t", ""};
  const char *writes[] = {write_root.c_str(), "missing-root"};
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.cwd = t.base.c_str();
  cfg.fs_enabled = 1;
  cfg.read_roots = reads;
  cfg.read_roots_len = 2;
  cfg.write_roots = writes;
  cfg.write_roots_len = 2;
  cfg.fds = 64;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);

  char desc[2048];
  x07_sandbox_describe(plan.p, desc, sizeof desc);
  CHECK(std::string(desc).find("landlock abi") != std::string::npos);
  CHECK(std::string(desc).find("missing-root missing") != std::string::npos);

  const std::string outside = t.p("outside/secret.txt");
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.check("read_in_root", open(t.p("read/r.txt").c_str(), O_RDONLY));
    c.check("read_abs_outside", open(outside.c_str(), O_RDONLY));
    c.check("read_dotdot", open(t.p("read/../outside/secret.txt").c_str(), O_RDONLY));
    c.check("read_symlink", open(t.p("read/link").c_str(), O_RDONLY));
    c.check("read_proc_root", open(("/proc/self/root" + outside).c_str(), O_RDONLY));
    c.check("read_etc_passwd", open("/etc/passwd", O_RDONLY));
    c.check("write_in_root", open(t.p("write/new.txt").c_str(), O_CREAT | O_WRONLY, 0644));
    c.check("write_in_read_root", open(t.p("read/new.txt").c_str(), O_CREAT | O_WRONLY, 0644));
    c.check("write_outside", open(t.p("outside/new.txt").c_str(), O_CREAT | O_WRONLY, 0644));
    c.check("truncate_outside", truncate(outside.c_str(), 0));
    c.check("mkdir_outside", mkdir(t.p("outside/d").c_str(), 0755));
    c.check("chmod_outside", chmod(outside.c_str(), 0777));
    c.check("chmod_in_write_root", chmod(t.p("write/new.txt").c_str(), 0600));
    c.check("utimes_outside", utimensat(AT_FDCWD, outside.c_str(), nullptr, 0));
    c.check("xattr_outside", syscall(SYS_setxattr, outside.c_str(), "user.x07", "v", 1, 0));
    c.check("fchmodat2_outside", syscall(452 /* fchmodat2, Linux 6.6 */, AT_FDCWD, outside.c_str(), 0777, 0));
    c.check("rename_out_of_root", rename(t.p("read/r.txt").c_str(), t.p("write/stolen.txt").c_str()));
    c.check("link_out_of_root", link(outside.c_str(), t.p("write/hard").c_str()));
    c.check("exec_shell", execl("/bin/sh", "sh", "-c", "true", (char *)nullptr));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    c.put("nofile", static_cast<int>(rl.rlim_cur));
    c.check("raise_nofile", [&] { rl.rlim_cur = rl.rlim_max = 4096; return setrlimit(RLIMIT_NOFILE, &rl); }());
  });
  CHECK(r["apply"] == 0);
  CHECK(r["read_in_root"] == 0);
  CHECK(r["read_abs_outside"] == EACCES);
  CHECK(r["read_dotdot"] == EACCES);
  CHECK(r["read_symlink"] == EACCES);
  CHECK(r["read_proc_root"] == EACCES);
  CHECK(r["read_etc_passwd"] == EACCES);
  CHECK(r["write_in_root"] == 0);
  CHECK((r["write_in_read_root"] == EACCES || r["write_in_read_root"] == EROFS));  // EROFS: read-only bind (root)
  CHECK(r["write_outside"] == EACCES);
  CHECK(r["truncate_outside"] == EACCES);
  CHECK(r["mkdir_outside"] == EACCES);
  CHECK(r["chmod_outside"] == EPERM);
  CHECK(r["chmod_in_write_root"] == EPERM);  // metadata calls are refused everywhere
  CHECK(r["utimes_outside"] == EPERM);
  CHECK(r["xattr_outside"] == EPERM);
  CHECK((r["fchmodat2_outside"] == EPERM || r["fchmodat2_outside"] == ENOSYS));  // ENOSYS: kernel < 6.6
  CHECK((r["rename_out_of_root"] == EACCES || r["rename_out_of_root"] == EXDEV));
  CHECK((r["link_out_of_root"] == EACCES || r["link_out_of_root"] == EXDEV));
  CHECK(r["exec_shell"] == EACCES);
  CHECK(r["nofile"] == 64);
  CHECK(r["raise_nofile"] == EPERM);
  // nothing outside the roots changed
  CHECK(fs::file_size(outside) == 6);
  CHECK((fs::status(outside).permissions() & fs::perms::others_write) == fs::perms::none);
  CHECK(fs::exists(t.p("read/r.txt")));
  CHECK(!fs::exists(t.p("outside/new.txt")));
  CHECK(!fs::exists(t.p("outside/d")));
  CHECK(fs::exists(t.p("write/new.txt")));
}

TEST_CASE("sandboxed child: syscall escape hatches are refused with errno", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping forked sandbox checks");
    return;
  }
  std::string exe = self_exe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.check("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
    c.check("socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
    int sv[2];
    c.check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    c.check("fork", syscall(SYS_fork));
    c.check("io_uring_setup", syscall(SYS_io_uring_setup, 8, nullptr));
    c.check("ptrace", ptrace(PTRACE_TRACEME, 0, nullptr, nullptr));
    c.check("unshare", syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
    c.check("bpf", syscall(SYS_bpf, 0, nullptr, 0));
    c.check("perf_event_open", syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0));
    c.check("userfaultfd", syscall(SYS_userfaultfd, 0));
    c.check("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, nullptr));
    c.check("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
    c.check("clone3", syscall(SYS_clone3, nullptr, 0));
    c.check("kill_all", kill(-1, 0));  // signal 0: only a permission check
    c.check("kill_self", kill(getpid(), 0));
    c.check("execveat", syscall(SYS_execveat, AT_FDCWD, "/bin/true", nullptr, nullptr, 0));
    c.check("memfd_exec", syscall(SYS_memfd_create, "x", 0));
    c.check("memfd_noexec", syscall(SYS_memfd_create, "x", 0x0008 /* MFD_NOEXEC_SEAL */));
    pthread_t th;
    int tr = pthread_create(&th, nullptr, [](void *) -> void * { return nullptr; }, nullptr);
    if (tr == 0) pthread_join(th, nullptr);
    c.put("thread", tr);
    // uid 0: no capability left (the bounding set stays: with no_new_privs an exec grants nothing),
    // and the root special case at exec is off for good (SECBIT_NOROOT + its lock)
    struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
    struct { uint32_t effective, permitted, inheritable; } data[2] = {};
    bool none = syscall(SYS_capget, &hdr, data) == 0 && !data[0].effective && !data[0].permitted &&
                !data[0].inheritable && !data[1].effective && !data[1].permitted && !data[1].inheritable;
    int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    bool locked = bits >= 0 && (bits & 0x3) == 0x3 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
    c.put("capset_root_caps_gone", none && locked ? 0 : 1);
  });
  CHECK(r["apply"] == 0);
  CHECK(r["socket_inet"] == EACCES);
  CHECK(r["socket_unix"] == EACCES);
  CHECK(r["socketpair"] == 0);
  CHECK(r["fork"] == EPERM);
  CHECK(r["io_uring_setup"] == EPERM);
  CHECK(r["ptrace"] == EPERM);
  CHECK(r["unshare"] == EPERM);
  CHECK(r["bpf"] == EPERM);
  CHECK(r["perf_event_open"] == EPERM);
  CHECK(r["userfaultfd"] == EPERM);
  CHECK(r["mount"] == EPERM);
  CHECK(r["keyctl"] == EPERM);
  CHECK(r["clone3"] == ENOSYS);
  CHECK(r["kill_all"] == EPERM);
  CHECK(r["kill_self"] == 0);
  CHECK(r["execveat"] == EACCES);
  CHECK(r["memfd_exec"] == EPERM);
  CHECK(r["memfd_noexec"] == 0);
  CHECK(r["thread"] == 0);
  if (geteuid() == 0) CHECK(r["capset_root_caps_gone"] == 0);
}

TEST_CASE("sandboxed child: TCP connect only to allowlisted ports", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps) || caps.landlock_abi < 4) {
    WARN("kernel lacks Landlock ABI 4 (TCP port rules): skipping");
    return;
  }
  uint16_t allowed = 0, other = 0;
  int s1 = listen_on_loopback(&allowed), s2 = listen_on_loopback(&other);
  REQUIRE(s1 >= 0);
  REQUIRE(s2 >= 0);
  std::string exe = self_exe();
  uint16_t ports[] = {allowed};
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.net_enabled = 1;
  cfg.allow_tcp = 1;
  cfg.tcp_ports = {ports, 1};
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.check("connect_allowed", connect_loopback(allowed));
    c.check("connect_other", connect_loopback(other));
    c.check("udp", socket(AF_INET, SOCK_DGRAM, 0));
    c.check("raw", socket(AF_INET, SOCK_RAW, 1));
    c.check("sctp", socket(AF_INET, SOCK_STREAM, 132));
    c.check("packet", socket(AF_PACKET, SOCK_RAW, 0));
    c.check("unix", socket(AF_UNIX, SOCK_STREAM, 0));
  });
  close(s1);
  close(s2);
  CHECK(r["apply"] == 0);
  CHECK(r["connect_allowed"] == 0);
  CHECK(r["connect_other"] == EACCES);
  CHECK(r["udp"] == EACCES);
  CHECK(r["raw"] == EACCES);
  CHECK(r["sctp"] == EACCES);
  CHECK(r["packet"] == EACCES);
  CHECK(r["unix"] == EACCES);
}

TEST_CASE("sandboxed child: spawning allowed execs only", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping");
    return;
  }
  if (fs::canonical("/bin/true") == fs::canonical("/bin/sh")) {
    WARN("/bin/true and /bin/sh are the same file here: skipping");
    return;
  }
  std::string exe = self_exe();
  const char *execs[] = {"/bin/true"};
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.proc_enabled = 1;
  cfg.allow_spawn = 1;
  cfg.exec_paths = execs;
  cfg.exec_paths_len = 1;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  auto spawn = [](const char *path) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
      execl(path, path, (char *)nullptr);
      _exit(100 + errno);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
  };
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.put("true", spawn("/bin/true"));
    c.put("sh", spawn("/bin/sh"));
  });
  CHECK(r["apply"] == 0);
  CHECK(r["true"] == 0);
  CHECK(r["sh"] == 100 + EACCES);
}

TEST_CASE("stage-2 runtime lockdown denies exec and fork but keeps threads", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!caps.seccomp_filter) {
    WARN("kernel lacks seccomp: skipping");
    return;
  }
  CHECK(x07_sandbox_runtime_lockdown() == 0 /* not sandboxed: no-op */);
  int p[2];
  REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("X07_OS_SANDBOXED", "1", 1);
    setenv("X07_OS_PROC", "1", 1);
    setenv("X07_OS_PROC_ALLOW_SPAWN", "0", 1);
    int results[4];
    results[0] = x07_sandbox_runtime_lockdown();
    results[1] = execl("/bin/true", "true", (char *)nullptr) < 0 ? errno : 0;
    results[2] = syscall(SYS_fork) < 0 ? errno : 0;
    pthread_t th;
    results[3] = pthread_create(&th, nullptr, [](void *) -> void * { return nullptr; }, nullptr);
    if (results[3] == 0) pthread_join(th, nullptr);
    ssize_t ignored = write(p[1], results, sizeof results);
    (void)ignored;
    _exit(0);
  }
  close(p[1]);
  int results[4] = {-1, -1, -1, -1};
  REQUIRE(read(p[0], results, sizeof results) == sizeof results);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  CHECK(results[0] == 0);
  CHECK(results[1] == EACCES);
  CHECK(results[2] == EPERM);
  CHECK(results[3] == 0);
}


TEST_CASE("weaker isolation: a plan for a kernel without Landlock/seccomp keeps rlimits and says what is missing",
          "[sandbox]") {
  std::string exe = self_exe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.fds = 16;
  x07_sandbox_caps none{};
  none.landlock_errno = ENOSYS;
  none.seccomp_errno = EINVAL;
  none.libseccomp = 1;
  char msg[1024];
  CHECK(x07_sandbox_check_support(&cfg, &none, msg, sizeof msg) == 2);
  Plan plan(cfg, none);
  REQUIRE(plan.p != nullptr);
  char desc[2048];
  x07_sandbox_describe(plan.p, desc, sizeof desc);
  std::string d(desc);
  CHECK(d.find("landlock off") != std::string::npos);
  CHECK(d.find("seccomp off") != std::string::npos);
  CHECK(d.find("not enforced: landlock unavailable") != std::string::npos);
  CHECK(d.find("nofile=16") != std::string::npos);
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    c.put("nofile", static_cast<int>(rl.rlim_cur));
    c.put("nnp", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  });
  CHECK(r["apply"] == 0);
  CHECK(r["nofile"] == 16);
  CHECK(r["nnp"] == 1);
}

TEST_CASE("uid 0 with spawning allowed: limits.procs through a pids cgroup that is emptied afterwards",
          "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (geteuid() != 0 || !kernel_has_sandbox(caps)) {
    WARN("not uid 0 (RLIMIT_NPROC applies) or no kernel sandbox: skipping");
    return;
  }
  std::string exe = self_exe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.proc_enabled = 1;
  cfg.allow_spawn = 1;
  cfg.procs = 3;
  auto plan = std::make_unique<Plan>(cfg, caps);
  REQUIRE(plan->p != nullptr);
  char desc[2048];
  x07_sandbox_describe(plan->p, desc, sizeof desc);
  if (std::string(desc).find("pids cgroup max=3") == std::string::npos) {
    WARN("no writable pids cgroup here: " << desc);
    return;
  }
  Report r = run_sandboxed(plan->p, [&](Child &c) {
    int ok = 0, err = 0;
    for (int i = 0; i < 6; i++) {
      pid_t pid = fork();
      if (pid == 0) {
        close(c.fd);  // the parent reads the report pipe until EOF
        setsid();     // leave the process group: only the cgroup still holds it
        alarm(30);    // never outlive a broken test
        pause();
        _exit(0);
      }
      if (pid > 0) ok++;
      else if (!err) err = errno;
    }
    c.put("forks", ok);
    c.put("err", err);
    // the sleepers are left behind on purpose
  });
  CHECK(r["apply"] == 0);
  CHECK(r["forks"] == 2);  // the program itself + 2 = pids.max 3
  CHECK(r["err"] == EAGAIN);
  plan.reset();  // kills the stragglers, removes the cgroup
  // SIGKILL is asynchronous: a killed sleeper may take a moment to become a zombie on a
  // loaded machine, so poll for a while before calling anything a leftover.
  auto live_stragglers = [&] {
    for (const auto &e : fs::directory_iterator("/proc")) {
      // pid directories only: /proc/self and /proc/thread-self are this test process
      if (e.path().filename().string().find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream f(e.path() / "cmdline");
      std::string cmd;
      std::getline(f, cmd, '\0');
      if (cmd == exe && e.path().filename() != std::to_string(getpid())) {
        std::ifstream st(e.path() / "stat");
        std::string s;
        std::getline(st, s);
        if (!s.empty() && s.find(") Z") == std::string::npos) return true;
      }
    }
    return false;
  };
  bool leftover = live_stragglers();
  for (int i = 0; leftover && i < 100; i++) {
    usleep(50 * 1000);
    leftover = live_stragglers();
  }
  CHECK_FALSE(leftover);
}

TEST_CASE("sandboxed child: a file root grants that file only; missing write roots are created on request",
          "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping");
    return;
  }
  Scratch t;
  std::ofstream(t.base / "read" / "sibling.txt") << "sibling";
  std::string exe = self_exe();
  const char *reads[] = {"read/r.txt"};
  const char *writes[] = {"new/out"};
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.cwd = t.base.c_str();
  cfg.fs_enabled = 1;
  cfg.read_roots = reads;
  cfg.read_roots_len = 1;
  cfg.write_roots = writes;
  cfg.write_roots_len = 1;
  cfg.create_missing_write_roots = 1;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  CHECK(fs::is_directory(t.base / "new" / "out"));
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.check("file_root", open(t.p("read/r.txt").c_str(), O_RDONLY));
    c.check("sibling", open(t.p("read/sibling.txt").c_str(), O_RDONLY));
    c.check("list_parent", open(t.p("read").c_str(), O_RDONLY | O_DIRECTORY));
    c.check("write_created_root", open(t.p("new/out/f.txt").c_str(), O_CREAT | O_WRONLY, 0644));
    c.check("write_beside_created_root", open(t.p("new/g.txt").c_str(), O_CREAT | O_WRONLY, 0644));
  });
  CHECK(r["apply"] == 0);
  CHECK(r["file_root"] == 0);
  CHECK(r["sibling"] == EACCES);
  CHECK(r["list_parent"] == EACCES);
  CHECK(r["write_created_root"] == 0);
  CHECK(r["write_beside_created_root"] == EACCES);
}

TEST_CASE("in-process plans (self-sandboxing bundles) never create a per-run cgroup", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  std::string exe = self_exe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.proc_enabled = 1;
  cfg.allow_spawn = 1;
  cfg.procs = 3;
  cfg.in_process = 1;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  char desc[2048];
  x07_sandbox_describe(plan.p, desc, sizeof desc);
  CHECK(std::string(desc).find("pids cgroup max=") == std::string::npos);
  if (geteuid() == 0) CHECK(std::string(desc).find("in-process sandbox as uid 0") != std::string::npos);
}

TEST_CASE("missing allow_execs are not widened beyond the directory a prefix names", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping");
    return;
  }
  std::string exe = self_exe();
  std::string bin_dir = fs::canonical("/bin/true").parent_path().string();
  std::string prefix = bin_dir + "/tru";  // a raw prefix, not a file
  const char *execs[] = {"/nonexistent-x07-dir/tool", "/x07-missing-top-level", prefix.c_str()};
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.proc_enabled = 1;
  cfg.allow_spawn = 1;
  cfg.exec_paths = execs;
  cfg.exec_paths_len = 3;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  char desc[4096];
  x07_sandbox_describe(plan.p, desc, sizeof desc);
  CHECK(std::string(desc).find("/x07-missing-top-level missing (not granted)") != std::string::npos);
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    c.check("root_listing", open("/", O_RDONLY | O_DIRECTORY));
    c.check("etc_passwd", open("/etc/passwd", O_RDONLY));
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/true", "true", (char *)nullptr);
      _exit(100 + errno);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    c.put("true", WIFEXITED(st) ? WEXITSTATUS(st) : 1000);
  });
  CHECK(r["apply"] == 0);
  CHECK(r["root_listing"] == EACCES);
  CHECK(r["etc_passwd"] == EACCES);
  CHECK(r["true"] == 0);  // granted through the prefix's directory
}

TEST_CASE("stage-2 lockdown is a no-op when the policy allows spawning", "[sandbox]") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("X07_OS_SANDBOXED", "1", 1);
    setenv("X07_OS_PROC", "1", 1);
    setenv("X07_OS_PROC_ALLOW_SPAWN", "1", 1);
    int results[2];
    results[0] = x07_sandbox_runtime_lockdown();
    results[1] = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);  // 0: no filter installed
    ssize_t ignored = write(p[1], results, sizeof results);
    (void)ignored;
    _exit(0);
  }
  close(p[1]);
  int results[2] = {-1, -1};
  REQUIRE(read(p[0], results, sizeof results) == sizeof results);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  CHECK(results[0] == 0);
  CHECK(results[1] == 0);
}

TEST_CASE("sandboxed child: socket matrix with net enabled (tcp + dns)", "[sandbox]") {
  x07_sandbox_caps caps = probe();
  if (!kernel_has_sandbox(caps)) {
    WARN("kernel lacks Landlock or seccomp: skipping");
    return;
  }
  std::string exe = self_exe();
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  cfg.net_enabled = 1;
  cfg.allow_tcp = 1;
  cfg.allow_dns = 1;
  Plan plan(cfg, caps);
  REQUIRE(plan.p != nullptr);
  struct Case {
    const char *name;
    int domain, type, protocol;
    bool allowed;
  };
  const int nb = SOCK_NONBLOCK | SOCK_CLOEXEC;
  const std::vector<Case> cases = {
      {"inet_stream", AF_INET, SOCK_STREAM, 0, true},
      {"inet_stream_tcp_flags", AF_INET, SOCK_STREAM | nb, IPPROTO_TCP, true},
      {"inet6_stream", AF_INET6, SOCK_STREAM, 0, true},
      {"inet_dgram", AF_INET, SOCK_DGRAM, 0, true},
      {"inet6_dgram_udp", AF_INET6, SOCK_DGRAM | nb, IPPROTO_UDP, true},
      {"netlink_route", AF_NETLINK, SOCK_RAW, 0, true},
      {"unspec", AF_UNSPEC, SOCK_STREAM, 0, false},
      {"unix", AF_UNIX, SOCK_STREAM, 0, false},
      {"ax25", 3, SOCK_STREAM, 0, false},
      {"ipx", 4, SOCK_DGRAM, 0, false},
      {"bridge", 7, SOCK_STREAM, 0, false},
      {"x25", 9, SOCK_STREAM, 0, false},
      {"af11", 11, SOCK_STREAM, 0, false},
      {"key", 15, SOCK_RAW, 2, false},
      {"packet", AF_PACKET, SOCK_RAW, 0, false},
      {"alg", 38, SOCK_SEQPACKET, 0, false},
      {"vsock", 40, SOCK_STREAM, 0, false},
      {"netlink_audit", AF_NETLINK, SOCK_RAW, 9, false},
      {"inet_raw", AF_INET, SOCK_RAW, IPPROTO_ICMP, false},
      {"inet_seqpacket_sctp", AF_INET, SOCK_SEQPACKET, 132, false},
      {"inet_type0", AF_INET, 0, 0, false},
      {"inet_rdm", AF_INET, SOCK_RDM, 0, false},
      {"inet_packet", AF_INET, SOCK_PACKET, 0, false},
      {"inet_dccp", AF_INET, 6 /* SOCK_DCCP */, 0, false},
      {"inet_stream_sctp", AF_INET, SOCK_STREAM, 132, false},
      {"inet6_stream_mptcp", AF_INET6, SOCK_STREAM, 262, false},
      {"inet_stream_proto1", AF_INET, SOCK_STREAM, 1, false},
      {"inet_stream_proto4", AF_INET, SOCK_STREAM, 4, false},
      {"inet_stream_proto7", AF_INET, SOCK_STREAM, 7, false},
      {"inet_dgram_icmp", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, false},
      {"inet_dgram_proto16", AF_INET, SOCK_DGRAM, 16, false},
      {"inet6_dgram_udplite", AF_INET6, SOCK_DGRAM, 136, false},
      {"inet_dgram_proto18", AF_INET, SOCK_DGRAM, 18, false},
  };
  Report r = run_sandboxed(plan.p, [&](Child &c) {
    for (const auto &k : cases) c.check(k.name, socket(k.domain, k.type, k.protocol));
  });
  CHECK(r["apply"] == 0);
  for (const auto &k : cases) {
    INFO(k.name);
    if (k.allowed) CHECK(r[k.name] != EACCES);
    else CHECK(r[k.name] == EACCES);
  }
}
