// argv_v1 byte encoding of program arguments (facade.md §1.7):
// u32_le argc, then per token u32_le length + raw bytes. No argv0 is inserted.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace x07::argv_v1 {

// Throws std::runtime_error("argv_v1 argc overflow" / "argv_v1 token length overflow")
// when a count does not fit in u32.
std::string encode(const std::vector<std::string>& tokens);

// Inverse of encode. Returns std::nullopt if the bytes are truncated or have trailing data.
std::optional<std::vector<std::string>> decode(const std::string& bytes);

}  // namespace x07::argv_v1
