// Reuse of a generated stage-1 seccomp filter (x07_sandbox_seccomp_key,
// cfg.seccomp_bpf): the key tracks exactly the bits the filter depends on, and
// a plan built from a reused filter enforces the same as a freshly built one.
#include <catch2/catch.hpp>

#include "sandbox/x07_sandbox.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

namespace {

std::string key_of(const x07_sandbox_config &cfg) {
  char buf[256];
  size_t n = x07_sandbox_seccomp_key(&cfg, buf, sizeof buf);
  return std::string(buf, n);
}

x07_sandbox_config base_config(const std::string &exe) {
  x07_sandbox_config cfg;
  x07_sandbox_config_init(&cfg);
  cfg.artifact_path = exe.c_str();
  return cfg;
}

std::string describe(const x07_sandbox_plan *p) {
  char buf[1024];
  x07_sandbox_describe(p, buf, sizeof buf);
  return buf;
}

// errno of socket() and fork() in a child under `plan` (0 = allowed), as "socket,fork".
std::string child_denials(const x07_sandbox_plan *plan) {
  int p[2];
  REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    int codes[3] = {x07_sandbox_apply(plan, nullptr), 0, 0};
    if (codes[0] == 0) {
      codes[1] = socket(AF_INET, SOCK_STREAM, 0) < 0 ? errno : 0;
      long f = syscall(SYS_fork);
      if (f == 0) _exit(0);
      codes[2] = f < 0 ? errno : 0;
    }
    ssize_t ignored = write(p[1], codes, sizeof codes);
    (void)ignored;
    _exit(0);
  }
  close(p[1]);
  int codes[3] = {-1, -1, -1};
  REQUIRE(read(p[0], codes, sizeof codes) == static_cast<ssize_t>(sizeof codes));
  close(p[0]);
  waitpid(pid, nullptr, 0);
  REQUIRE(codes[0] == 0);
  return std::to_string(codes[1]) + "," + std::to_string(codes[2]);
}

}  // namespace

TEST_CASE("seccomp key names exactly the policy bits the stage-1 filter encodes", "[sandbox]") {
  x07_sandbox_caps caps;
  x07_sandbox_probe(&caps);
  const std::string exe = "/proc/self/exe";
  x07_sandbox_config off = base_config(exe);
  if (!caps.libseccomp) {
    CHECK(key_of(off).empty());
    return;
  }
  REQUIRE_FALSE(key_of(off).empty());

  // net off: the socket flags are not used, so they must not split the key
  x07_sandbox_config off_tcp = off;
  off_tcp.allow_tcp = off_tcp.allow_udp = 1;
  CHECK(key_of(off_tcp) == key_of(off));
  // limits and fs roots are not part of the filter either
  x07_sandbox_config limits = off;
  limits.cpu_ms = 5;
  limits.fs_enabled = 1;
  CHECK(key_of(limits) == key_of(off));

  x07_sandbox_config spawn = off;
  spawn.proc_enabled = spawn.allow_spawn = 1;
  x07_sandbox_config net = off;
  net.net_enabled = 1;
  x07_sandbox_config tcp = net;
  tcp.allow_tcp = 1;
  x07_sandbox_config dns = net;
  dns.allow_dns = 1;
  x07_sandbox_config udp = net;
  udp.allow_udp = 1;
  CHECK(key_of(spawn) != key_of(off));
  CHECK(key_of(net) != key_of(off));
  CHECK(key_of(tcp) != key_of(net));
  CHECK(key_of(dns) != key_of(net));
  CHECK(key_of(udp) == key_of(dns));  // both allow UDP sockets (DNS needs them)
}

TEST_CASE("a plan built from a reused stage-1 filter enforces what a fresh one does", "[sandbox]") {
  x07_sandbox_caps caps;
  x07_sandbox_probe(&caps);
  if (!(caps.libseccomp && caps.seccomp_filter && caps.landlock_abi > 0)) {
    WARN("kernel or build lacks seccomp/Landlock: skipping filter reuse checks");
    return;
  }
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  x07_sandbox_config cfg = base_config(exe);
  char err[512];
  x07_sandbox_plan *fresh = x07_sandbox_prepare(&cfg, &caps, err, sizeof err);
  REQUIRE(fresh != nullptr);
  size_t len = 0;
  const void *bpf = x07_sandbox_seccomp_bpf(fresh, &len);
  REQUIRE(bpf != nullptr);
  CHECK(x07_sandbox_seccomp_bpf_len_ok(len));

  x07_sandbox_config reuse = cfg;
  reuse.seccomp_bpf = bpf;
  reuse.seccomp_bpf_len = len;
  x07_sandbox_plan *reused = x07_sandbox_prepare(&reuse, &caps, err, sizeof err);
  REQUIRE(reused != nullptr);
  size_t len2 = 0;
  const void *bpf2 = x07_sandbox_seccomp_bpf(reused, &len2);
  REQUIRE(len2 == len);
  CHECK(std::string(static_cast<const char *>(bpf2), len2) == std::string(static_cast<const char *>(bpf), len));
  CHECK(describe(reused) == describe(fresh));
  CHECK(child_denials(reused) == std::to_string(EACCES) + "," + std::to_string(EPERM));
  CHECK(child_denials(fresh) == child_denials(reused));
  x07_sandbox_plan_free(reused);
  x07_sandbox_plan_free(fresh);

  SECTION("a reused filter of impossible size is refused, not installed") {
    x07_sandbox_config bad = cfg;
    const char junk[12] = {0};
    bad.seccomp_bpf = junk;
    bad.seccomp_bpf_len = sizeof junk;
    CHECK(x07_sandbox_prepare(&bad, &caps, err, sizeof err) == nullptr);
    CHECK(std::string(err).find("invalid size") != std::string::npos);
    CHECK_FALSE(x07_sandbox_seccomp_bpf_len_ok(0));
    CHECK_FALSE(x07_sandbox_seccomp_bpf_len_ok(8 * 4097));
  }
}
