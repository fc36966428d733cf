// Builds the kernel sandbox plan (x07-os-runner/sandbox) from a run-os policy.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common/policy.hpp"

struct x07_sandbox_plan;

namespace x07::runner {

// Fails closed early (before compiling) when the kernel cannot enforce `p`,
// unless weaker isolation was accepted.
void kernel_sandbox_preflight(const policy::Policy& p, bool accept_weaker);

// Read-only paths the kernel sandbox grants besides fs.read_roots: the public time
// zone data (os.time.tzdb_*) and, with the sqlite driver on, db.sqlite.allow_paths
// (writing one, with its journal beside it, still needs a write root).
std::vector<std::string> kernel_extra_read_paths(const policy::Policy& p);

class KernelSandbox {
 public:
  // Probes the kernel and prepares the plan for `artifact` run in `cwd`. When the
  // kernel cannot enforce everything the policy needs, throws RunnerError
  // (fail closed) unless `accept_weaker`, in which case it enforces what it can.
  KernelSandbox(const policy::Policy& p, const std::string& artifact, const std::string& cwd, bool accept_weaker);
  ~KernelSandbox();
  KernelSandbox(const KernelSandbox&) = delete;
  KernelSandbox& operator=(const KernelSandbox&) = delete;

  const x07_sandbox_plan* plan() const { return plan_; }
  // After the run: carries the writes made under the write quota out to the real write
  // roots; "" or a note for the runner's stderr when that failed.
  std::string finish();
  // A note for the runner's stderr when the run looks like it hit a kernel denial ("" otherwise).
  std::string denial_note(const std::string& prog_stderr, int exit_code, int term_signal) const;

 private:
  x07_sandbox_plan* plan_ = nullptr;
};

}  // namespace x07::runner
