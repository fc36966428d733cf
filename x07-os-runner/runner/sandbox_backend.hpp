// Sandbox backend selection (runner.md §8, with our differences: `auto` means the
// kernel-enforced `os` backend for run-os-sandboxed; `none` needs explicit
// acceptance of weaker isolation; `vm` is not available and fails closed).
#pragma once
#include <optional>
#include <string>

namespace x07::runner {

enum class Backend { None, Os, Vm };

const char* backend_name(Backend b);  // "none" | "os" | "vm"

struct BackendChoice {
  Backend effective = Backend::None;
  bool accepted_weaker = false;  // CLI flag or env X07_I_ACCEPT_WEAKER_ISOLATION
};

// Reads CLI value + env X07_SANDBOX_BACKEND / X07_I_ACCEPT_WEAKER_ISOLATION (both
// validated even for run-os) and decides the backend. Throws RunnerError for
// invalid environment values and for `none` without acceptance in run-os-sandboxed.
BackendChoice resolve_backend(const std::string& world, const std::optional<std::string>& cli_backend,
                              bool cli_accept_weaker);

// Fail-closed message used when the kernel sandbox cannot enforce the policy and
// weaker isolation was not accepted; `missing` is what the kernel lacks.
std::string kernel_sandbox_fail_closed_message(const std::string& missing);

}  // namespace x07::runner
