// Bundle builds for `x07 bundle` (facade.md §6), behind the hidden runner flags
// `--bundle-out PATH`, `--bundle-name NAME` and `--bundle-emit-dir DIR`: the program is
// compiled like a normal run, but linked with runtime/main_bundle.c (argv_v1 input from
// the process arguments, raw stdout) and a generated setup unit that applies the CPU
// limit and, for run-os-sandboxed, the embedded policy environment and kernel sandbox.
#pragma once
#include <string>

#include "build.hpp"
#include "cli.hpp"
#include "common/policy.hpp"
#include "sandbox_backend.hpp"

namespace x07::runner {

// Builds the bundle and prints a compile-only report (`solve: null`) in `mode`.
// Returns the exit code (0 compiled, 1 compile failure). Throws RunnerError.
int build_bundle(const Options& o, const BuildRequest& req, const policy::Policy* policy, Backend backend,
                 const std::string& mode);

// The generated setup unit (exposed for tests): defines x07_bundle_setup().
std::string bundle_setup_source(const policy::Policy* policy, Backend backend, bool accept_weaker,
                                uint64_t cpu_limit_seconds);

}  // namespace x07::runner
