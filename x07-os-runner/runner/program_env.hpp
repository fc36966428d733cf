// The environment a compiled program gets.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "common/policy.hpp"

namespace x07::runner {

// run-os-sandboxed: a clean environment, never the runner's own. It holds only the
// runtime's variables (`runtime_vars`: X07_WORLD, X07_OS_SANDBOXED, the X07_OS_* policy
// variables) plus the runner's values of the keys the policy lets the program read
// (env.enabled, in env.allow_keys and not in env.deny_keys).
std::vector<std::string> sandboxed_env(const policy::Policy* p,
                                       const std::vector<std::pair<std::string, std::string>>& runtime_vars);

}  // namespace x07::runner
