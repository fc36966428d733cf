#include "text.hpp"

#include "common/json.hpp"

namespace x07::facade {

std::string json_quoted(std::string_view s) {
  std::string out;
  json::append_quoted(out, s);
  return out;
}

std::optional<std::string> trimmed_non_empty(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  const char* ws = " \t\n\r\f\v";
  size_t b = s->find_first_not_of(ws);
  if (b == std::string::npos) return std::nullopt;
  size_t e = s->find_last_not_of(ws);
  return s->substr(b, e - b + 1);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> path_strings(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(p.string());
  return out;
}

}  // namespace x07::facade
