// Which policy file the runner gets (facade.md §1.8 / §2): none (run-os), the base
// policy, or a derived policy materialised from the override options.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "common/policy_derive.hpp"

namespace x07::facade {

struct PolicyResolution {
  std::optional<std::filesystem::path> base;     // resolved base path
  std::optional<std::filesystem::path> derived;  // set when overrides were applied
  std::optional<std::filesystem::path> effective() const { return derived ? derived : base; }
};

// `tool` prefixes the stderr note ("x07 run" / "x07 bundle"). Schema-invalid policies
// print the x07diag line on stderr and throw Exit{3}; other problems throw Failure.
PolicyResolution resolve_policy(const std::string& world, const std::filesystem::path& policy_root,
                                const std::optional<std::string>& cli_policy,
                                const std::optional<std::string>& profile_policy,
                                const policy_derive::Overrides& overrides, const std::string& tool);

}  // namespace x07::facade
