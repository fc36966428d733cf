// Profile selection from x07.json `default_profile` / `profiles` (facade.md §1.5).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace x07::facade {

struct Profile {
  std::string name;
  std::string world;
  std::optional<std::string> policy, runner, input, cc_profile;
  std::optional<bool> auto_ffi;
  std::optional<uint64_t> solve_fuel, cpu_time_limit_seconds, max_memory_bytes, max_output_bytes;
};

// Selects and validates the profile. `cli_profile` is the trimmed --profile value
// (nullopt when absent or empty). Throws Failure with the exact upstream messages.
std::optional<Profile> select_profile(const std::optional<std::filesystem::path>& manifest,
                                      const std::optional<std::string>& cli_profile);

}  // namespace x07::facade
