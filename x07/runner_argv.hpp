// The parts of the facade that `x07 run` and `x07 bundle` share: the derived-policy
// flags, and the x07-os-runner arguments both build the same way from the command
// line and the selected profile (facade.md §1.11, §6.2).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "common/policy_derive.hpp"
#include "profile.hpp"

namespace x07::facade {

// --allow-host, --allow-host-file, --deny-host, --deny-host-file, --allow-read-root,
// --allow-write-root (all repeatable), in that order.
const std::vector<cli::Flag>& derived_policy_flags();
// Their values, as given.
policy_derive::Overrides overrides_from(const cli::Args& a);

// Appends `flag value`.
void push(std::vector<std::string>& argv, const std::string& flag, const std::string& value);

// --cc-profile, else the profile's cc_profile, else "default".
std::string cc_profile_of(const cli::Args& a, const std::optional<Profile>& profile);

// Appends --solve-fuel, --max-memory-bytes, --max-output-bytes and --cpu-time-limit-seconds,
// each from the command line, else the profile, else its default (fuel 50000000, memory
// 67108864, output none, cpu `cpu_time_default`); a limit with no value is left out.
void push_resource_limits(std::vector<std::string>& argv, const cli::Args& a, const std::optional<Profile>& profile,
                          std::optional<uint64_t> cpu_time_default);

// --no-auto-ffi, else --auto-ffi, else the profile's auto_ffi, else on.
bool auto_ffi_enabled(const cli::Args& a, const std::optional<Profile>& profile);

}  // namespace x07::facade
