// Small string helpers shared by the facade's commands.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace x07::facade {

// `s` as a JSON string literal (json::append_quoted's escaping), for messages and the
// hand-written reports whose byte layout is fixed.
std::string json_quoted(std::string_view s);

// Trims ASCII whitespace; nullopt when the result is empty (or `s` is nullopt).
std::optional<std::string> trimmed_non_empty(const std::optional<std::string>& s);

// The items separated by `sep`, e.g. "a, b, c".
std::string join(const std::vector<std::string>& items, std::string_view sep);

// path.string() of each path (module roots as reports and runner argv show them).
std::vector<std::string> path_strings(const std::vector<std::filesystem::path>& paths);

}  // namespace x07::facade
