#include "program_env.hpp"

#include <algorithm>
#include <cstdlib>

namespace x07::runner {

std::vector<std::string> sandboxed_env(const policy::Policy* p,
                                       const std::vector<std::pair<std::string, std::string>>& runtime_vars) {
  std::vector<std::string> env;
  auto listed = [](const std::vector<std::string>& keys, const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  auto runtime_key = [&](const std::string& k) {
    return std::any_of(runtime_vars.begin(), runtime_vars.end(), [&](const auto& kv) { return kv.first == k; });
  };
  if (p && p->env.enabled) {
    for (const auto& k : p->env.allow_keys) {
      if (k.empty() || k.find('=') != std::string::npos || listed(p->env.deny_keys, k) || runtime_key(k)) continue;
      if (const char* v = std::getenv(k.c_str())) env.push_back(k + "=" + v);
    }
  }
  for (const auto& [k, v] : runtime_vars) env.push_back(k + "=" + v);
  return env;
}

}  // namespace x07::runner
