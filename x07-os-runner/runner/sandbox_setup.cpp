#include "sandbox_setup.hpp"

#include <algorithm>
#include <filesystem>

#include "native_cache.hpp"
#include "runner_error.hpp"
#include "sandbox_backend.hpp"
#include "seccomp_cache.hpp"
#include "sandbox/x07_sandbox.h"

namespace x07::runner {

namespace {

constexpr uint64_t kDefaultMaxWriteBytes = 16u * 1024u * 1024u;  // runtime/os_policy.c

std::vector<const char*> c_strings(const std::vector<std::string>& v) {
  std::vector<const char*> out;
  for (const auto& s : v) out.push_back(s.c_str());
  return out;
}

// The sandbox config plus the storage its pointers refer to.
struct ConfigHolder {
  x07_sandbox_config cfg;
  std::vector<const char*> read_roots, write_roots, exec_paths, extra_read;
  std::vector<std::string> execs, extra_read_strings;
  std::vector<uint16_t> ports;
  std::vector<x07_sandbox_host> hosts;

  ConfigHolder(const policy::Policy& p, const std::string* artifact, const std::string* cwd) {
    x07_sandbox_config_init(&cfg);
    cfg.cpu_ms = p.limits.cpu_ms;
    cfg.mem_bytes = p.limits.mem_bytes;
    cfg.fds = p.limits.fds;
    cfg.procs = p.limits.procs;
    cfg.core_dumps = p.limits.core_dumps.value_or(false) ? 1 : 0;
    // No file may grow past fs.max_write_bytes (0 = the runtime's default, 16 MiB).
    cfg.file_bytes = p.fs.max_write_bytes ? p.fs.max_write_bytes : kDefaultMaxWriteBytes;
    // A set fs.max_write_bytes is also the run's total (tmpfs overlay; 0 = per file only).
    cfg.write_quota_bytes = p.fs.max_write_bytes;

    read_roots = c_strings(p.fs.read_roots);
    write_roots = c_strings(p.fs.write_roots);
    cfg.fs_enabled = p.fs.enabled;
    cfg.read_roots = read_roots.data();
    cfg.read_roots_len = read_roots.size();
    cfg.write_roots = write_roots.data();
    cfg.write_roots_len = write_roots.size();
    cfg.create_missing_write_roots = p.fs.allow_mkdir;
    extra_read_strings = kernel_extra_read_paths(p);
    extra_read = c_strings(extra_read_strings);
    cfg.extra_read_paths = extra_read.data();
    cfg.extra_read_paths_len = extra_read.size();

    for (const auto& h : p.net.allow_hosts) ports.insert(ports.end(), h.ports.begin(), h.ports.end());
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    cfg.net_enabled = p.net.enabled;
    cfg.allow_tcp = p.net.allow_tcp;
    cfg.allow_udp = p.net.allow_udp;
    cfg.allow_dns = p.net.allow_dns;
    cfg.tcp_ports = {ports.data(), ports.size()};
    for (const auto& h : p.net.allow_hosts) hosts.push_back({h.host.c_str(), h.ports.data(), h.ports.size()});
    cfg.net_hosts = hosts.data();
    cfg.net_hosts_len = hosts.size();

    execs = p.process.allow_execs;
    execs.insert(execs.end(), p.process.allow_exec_prefixes.begin(), p.process.allow_exec_prefixes.end());
    exec_paths = c_strings(execs);
    cfg.proc_enabled = p.process.enabled;
    cfg.allow_spawn = p.process.allow_spawn;
    cfg.exec_paths = exec_paths.data();
    cfg.exec_paths_len = exec_paths.size();

    cfg.artifact_path = artifact ? artifact->c_str() : nullptr;
    cfg.cwd = cwd ? cwd->c_str() : nullptr;
  }
  ConfigHolder(const ConfigHolder&) = delete;
};

// What the kernel offers does not change during a run: probe once for the
// preflight and the plan.
const x07_sandbox_caps& kernel_caps() {
  static const x07_sandbox_caps caps = [] {
    x07_sandbox_caps c;
    x07_sandbox_probe(&c);
    return c;
  }();
  return caps;
}

void check_support(const x07_sandbox_config& cfg, const x07_sandbox_caps& caps, bool accept_weaker) {
  char msg[1024] = {0};
  if (x07_sandbox_check_support(&cfg, &caps, msg, sizeof msg) != 0 && !accept_weaker)
    throw RunnerError(kernel_sandbox_fail_closed_message(msg));
}

// Artifacts in the native cache run later, possibly unsandboxed, so a program that
// could write into the cache could escape its sandbox through a future run. Landlock
// cannot carve the cache out of a write root, so such a policy is refused.
void refuse_write_root_over_cache(const policy::Policy& p, const std::string& cwd) {
  if (!p.fs.enabled) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path cache = fs::weakly_canonical(fs::absolute(native_cache_dir(), ec), ec);
  for (const auto& root : p.fs.write_roots) {
    fs::path r = fs::path(root).is_absolute() ? fs::path(root) : fs::path(cwd) / root;
    r = fs::weakly_canonical(r, ec);
    auto [ri, ci] = std::mismatch(r.begin(), r.end(), cache.begin(), cache.end());
    if (ri == r.end() || (ri != r.end() && ri->empty() && std::next(ri) == r.end()))
      throw RunnerError("policy.fs.write_roots entry \"" + root + "\" contains the native cache directory " +
                        cache.string() +
                        "; a sandboxed program could tamper with cached executables\n\nfix:\n"
                        "  - narrow policy.fs.write_roots, or\n"
                        "  - set X07_NATIVE_CACHE_DIR to a directory outside the write roots");
  }
}

}  // namespace

std::vector<std::string> kernel_extra_read_paths(const policy::Policy& p) {
  std::vector<std::string> v = {"/usr/share/zoneinfo"};
  if (p.db.enabled && p.db.drivers.sqlite) v.insert(v.end(), p.db.sqlite.allow_paths.begin(), p.db.sqlite.allow_paths.end());
  return v;
}

void kernel_sandbox_preflight(const policy::Policy& p, bool accept_weaker) {
  ConfigHolder h(p, nullptr, nullptr);
  check_support(h.cfg, kernel_caps(), accept_weaker);
}

KernelSandbox::KernelSandbox(const policy::Policy& p, const std::string& artifact, const std::string& cwd,
                             bool accept_weaker) {
  const x07_sandbox_caps& caps = kernel_caps();
  refuse_write_root_over_cache(p, cwd);
  ConfigHolder h(p, &artifact, &cwd);
  check_support(h.cfg, caps, accept_weaker);
  SeccompFilterCache filters(h.cfg);
  char err[1024] = {0};
  plan_ = x07_sandbox_prepare(&h.cfg, &caps, err, sizeof err);
  if (!plan_) throw RunnerError(std::string("prepare kernel sandbox: ") + err);
  filters.store(plan_);
}

KernelSandbox::~KernelSandbox() {
  if (plan_) x07_sandbox_plan_free(plan_);
}

std::string KernelSandbox::finish() {
  char msg[1024] = {0};
  if (x07_sandbox_finish(plan_, msg, sizeof msg) == 0) return "";
  return std::string("x07-os-runner: kernel sandbox: ") + msg;
}

std::string KernelSandbox::denial_note(const std::string& prog_stderr, int exit_code, int term_signal) const {
  char buf[1024] = {0};
  if (x07_sandbox_denial_note(plan_, prog_stderr.data(), prog_stderr.size(), exit_code, term_signal, buf,
                              sizeof buf) == 0)
    return "";
  return buf;
}

}  // namespace x07::runner
