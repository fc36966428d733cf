#include "text.hpp"

namespace x07::facade {

std::optional<std::string> trimmed_non_empty(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  std::string t = text::trim(*s);
  if (t.empty()) return std::nullopt;
  return t;
}

std::vector<std::string> path_strings(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(p.string());
  return out;
}

}  // namespace x07::facade
