// Standard base64 (RFC 4648 alphabet `+/`, `=` padding).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace x07::base64 {

std::string encode(std::string_view bytes);

// Strict decode: length must be a multiple of 4, padding only at the end, no whitespace.
// Returns std::nullopt on malformed input and, if `why` is given, a short reason.
std::optional<std::string> decode(std::string_view text, std::string* why = nullptr);

}  // namespace x07::base64
