// `--compat` forwarding for `x07 run` (facade.md §1.10).
#pragma once
#include <optional>
#include <string>

namespace x07::facade {

// The value to forward as `--compat`, or nullopt when nothing asks for it: forwarded iff
// --compat was given, env X07_COMPAT is set (even empty), or the manifest has a compat.
// Value = first non-empty of CLI, env, manifest; `current` → 0.5, `strict` → strict,
// MAJOR.MINOR[.PATCH] → MAJOR.MINOR, nothing → 0.5. Throws Failure on a bad value.
std::optional<std::string> resolve_compat(const std::optional<std::string>& cli,
                                          const std::optional<std::string>& manifest_compat);

}  // namespace x07::facade
