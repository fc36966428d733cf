// C++ side of x07sandbox for the runner: maps a run-os policy onto
// x07_sandbox_config (owning every string the C struct points at) and wraps
// the prepared plan in RAII. Header-only, so the C library stays plain C.
//
// Runner flow (run-os-sandboxed, backend os):
//   x07::sandbox::PolicyConfig pc(policy, artifact_abs_path, program_cwd);
//   x07::sandbox::Kernel k;                                   // probes once
//   if (auto missing = k.missing_for(pc); !missing.empty() && !accepted_weaker)
//     throw RunnerError(kernel_sandbox_fail_closed_message(missing));
//   x07::sandbox::Plan plan(pc, k);                           // throws std::runtime_error
//   spawn_request.sandbox = plan.get();                       // child: x07_sandbox_apply
//   ... run ...
//   if (auto note = plan.denial_note(outcome.err, exit_code, term_signal); !note.empty())
//     std::cerr << note << '\n';
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/policy.hpp"
#include "sandbox/x07_sandbox.h"

namespace x07::sandbox {

class PolicyConfig {
 public:
  // `artifact` and `cwd` should be absolute; relative policy roots are resolved
  // against `cwd` (the program's working directory). `extra_read` adds
  // read-only paths the program needs to load (e.g. FFI library dirs).
  PolicyConfig(const policy::Policy& p, std::string artifact, std::string cwd,
               std::vector<std::string> extra_read = {})
      : artifact_(std::move(artifact)), cwd_(std::move(cwd)), extra_read_(std::move(extra_read)) {
    x07_sandbox_config_init(&cfg_);
    cfg_.cpu_ms = p.limits.cpu_ms;
    cfg_.mem_bytes = p.limits.mem_bytes;
    cfg_.fds = p.limits.fds;
    cfg_.procs = p.limits.procs;
    cfg_.core_dumps = p.limits.core_dumps.value_or(false) ? 1 : 0;

    cfg_.fs_enabled = p.fs.enabled;
    if (p.fs.enabled) {
      for (const auto& r : p.fs.read_roots) add_trimmed(read_roots_, r);
      for (const auto& r : p.fs.write_roots) add_trimmed(write_roots_, r);
    }
    cfg_.create_missing_write_roots = p.fs.allow_mkdir;

    cfg_.net_enabled = p.net.enabled;
    cfg_.allow_tcp = p.net.allow_tcp;
    cfg_.allow_udp = p.net.allow_udp;
    cfg_.allow_dns = p.net.allow_dns;
    for (const auto& h : p.net.allow_hosts)
      for (uint16_t port : h.ports) ports_.push_back(port);

    cfg_.proc_enabled = p.process.enabled;
    cfg_.allow_spawn = p.process.allow_spawn;
    for (const auto& e : p.process.allow_execs) add_trimmed(execs_, e);
    for (const auto& e : p.process.allow_exec_prefixes) add_trimmed(execs_, e);

    point(read_roots_, read_ptrs_, cfg_.read_roots, cfg_.read_roots_len);
    point(write_roots_, write_ptrs_, cfg_.write_roots, cfg_.write_roots_len);
    point(execs_, exec_ptrs_, cfg_.exec_paths, cfg_.exec_paths_len);
    point(extra_read_, extra_ptrs_, cfg_.extra_read_paths, cfg_.extra_read_paths_len);
    cfg_.tcp_ports.ports = ports_.data();
    cfg_.tcp_ports.len = ports_.size();
    cfg_.artifact_path = artifact_.c_str();
    cfg_.cwd = cwd_.empty() ? nullptr : cwd_.c_str();
  }
  PolicyConfig(const PolicyConfig&) = delete;  // cfg_ points into the members
  PolicyConfig& operator=(const PolicyConfig&) = delete;

  const x07_sandbox_config& config() const { return cfg_; }

 private:
  static void add_trimmed(std::vector<std::string>& out, const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    if (b != std::string::npos) out.push_back(s.substr(b, e - b + 1));
  }
  static void point(const std::vector<std::string>& src, std::vector<const char*>& ptrs,
                    const char* const*& field, size_t& len) {
    for (const auto& s : src) ptrs.push_back(s.c_str());
    field = ptrs.data();
    len = ptrs.size();
  }

  x07_sandbox_config cfg_{};
  std::string artifact_, cwd_;
  std::vector<std::string> read_roots_, write_roots_, execs_, extra_read_;
  std::vector<const char*> read_ptrs_, write_ptrs_, exec_ptrs_, extra_ptrs_;
  std::vector<uint16_t> ports_;
};

// What the running kernel offers (probed once).
class Kernel {
 public:
  Kernel() { x07_sandbox_probe(&caps_); }
  const x07_sandbox_caps& caps() const { return caps_; }
  // Empty when the kernel can enforce everything the policy needs; otherwise
  // a "; "-separated list of what is missing.
  std::string missing_for(const PolicyConfig& pc) const {
    char msg[2048];
    return x07_sandbox_check_support(&pc.config(), &caps_, msg, sizeof msg) == 0 ? std::string() : std::string(msg);
  }

 private:
  x07_sandbox_caps caps_{};
};

// A prepared plan (Landlock ruleset fd, seccomp BPF, rlimits); free on scope exit.
class Plan {
 public:
  Plan(const PolicyConfig& pc, const Kernel& k) {
    char err[2048];
    plan_ = x07_sandbox_prepare(&pc.config(), &k.caps(), err, sizeof err);
    if (!plan_) throw std::runtime_error(err);
  }
  ~Plan() { x07_sandbox_plan_free(plan_); }
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  const x07_sandbox_plan* get() const { return plan_; }
  std::string describe() const {
    char buf[2048];
    x07_sandbox_describe(plan_, buf, sizeof buf);
    return buf;
  }
  // The stderr note after a run, or "" when nothing looks like a kernel denial.
  std::string denial_note(const std::string& prog_stderr, int exit_code, int term_signal) const {
    char buf[4096];
    return x07_sandbox_denial_note(plan_, prog_stderr.data(), prog_stderr.size(), exit_code, term_signal, buf,
                                   sizeof buf)
               ? std::string(buf)
               : std::string();
  }

 private:
  x07_sandbox_plan* plan_ = nullptr;
};

}  // namespace x07::sandbox
