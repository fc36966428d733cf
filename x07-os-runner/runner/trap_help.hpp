// `trap_help` of the report: what a person needs to act on a trap — the operation and
// values behind an out-of-bounds trap, the flag or policy field that raises a limit, and
// for a policy denial the field, the refused value, what is allowed and the fix. The
// trap texts themselves stay exactly as upstream prints them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "common/policy.hpp"

namespace x07::runner {

struct TrapContext {
  uint64_t solve_fuel = 0;
  uint64_t max_output_bytes = 0;
  uint64_t max_memory_bytes = 0;
  uint64_t cpu_time_limit_seconds = 0;
  uint64_t wall_ms = 0;
  const policy::Policy* policy = nullptr;  // run-os-sandboxed only
  std::string policy_path;
};

// `detail` = the runtime's "x07: …" line just before the trap line (index and length,
// the refused value), without the prefix; empty when there is none.
std::optional<std::string> trap_help_for(const std::string& trap, const TrapContext& ctx, const std::string& detail);

}  // namespace x07::runner
