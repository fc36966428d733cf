// Small string helpers shared by the facade's commands.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.hpp"

namespace x07::facade {

using text::json_quoted;
using text::join;

// Trims ASCII whitespace; nullopt when the result is empty (or `s` is nullopt).
std::optional<std::string> trimmed_non_empty(const std::optional<std::string>& s);

// path.string() of each path (module roots as reports and runner argv show them).
std::vector<std::string> path_strings(const std::vector<std::filesystem::path>& paths);

}  // namespace x07::facade
