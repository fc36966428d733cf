#include "compat.hpp"

#include <cstdlib>
#include <vector>

#include "facade_error.hpp"
#include "text.hpp"

namespace x07::facade {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string normalize(const std::string& v) {
  if (v == "current") return "0.5";
  if (v == "strict") return "strict";
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    parts.push_back(v.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  bool ok = (parts.size() == 2 || parts.size() == 3);
  for (const auto& p : parts) ok = ok && all_digits(p);
  if (!ok)
    throw Failure("resolve compat: invalid compat value " + json_quoted(v) +
                  ": expected \"current\", \"strict\", or MAJOR.MINOR[.PATCH]");
  auto strip = [](std::string d) {
    size_t nz = d.find_first_not_of('0');
    return nz == std::string::npos ? std::string("0") : d.substr(nz);
  };
  return strip(parts[0]) + "." + strip(parts[1]);
}

}  // namespace

std::optional<std::string> resolve_compat(const std::optional<std::string>& cli,
                                          const std::optional<std::string>& manifest_compat) {
  const char* env = std::getenv("X07_COMPAT");
  auto m = trimmed_non_empty(manifest_compat);
  if (!cli && !env && !m) return std::nullopt;
  std::optional<std::string> value = trimmed_non_empty(cli);
  if (!value && env) value = trimmed_non_empty(std::string(env));
  if (!value) value = m;
  if (!value) return "0.5";
  return normalize(*value);
}

}  // namespace x07::facade
