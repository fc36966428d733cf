// Turning a finished program run into the report's solve object (runner.md §2.5, §3.2, §3.3).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/report.hpp"
#include "spawn.hpp"
#include "trap_help.hpp"

namespace x07::runner {

inline constexpr size_t kStderrCap = 262144;

// Parses the u32le-length-prefixed stdout frame; returns the payload, or sets *trap.
std::optional<std::string> parse_frame(std::string_view out, uint64_t max_output_bytes, std::string* trap);
// The trap text for a framed stdout of `total` bytes starting with `head`, or nullopt if well formed.
std::optional<std::string> frame_error(std::string_view head, uint64_t total, uint64_t max_output_bytes);

// Finds the metrics JSON line in stderr (scanning from the last line backwards).
std::optional<report::Metrics> parse_metrics(std::string_view err);

// The whole §2.5 derivation, in upstream's precedence order.
report::Solve solve_from_outcome(const SpawnOutcome& o, const TrapContext& ctx);

// Replaces invalid UTF-8 with U+FFFD so texts from program output are valid JSON strings.
std::string utf8_lossy(std::string_view s);

}  // namespace x07::runner
