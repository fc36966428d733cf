// Pinned budget profiles for budget.scope_from_arch_v1: arch/budgets/profiles/<id>.budget.json
// (schema x07.budget.profile@0.1.0) under the program's arch root. Two toolchain profiles have a
// built-in default when the file is missing, as upstream.
#include <filesystem>
#include <map>
#include <system_error>

#include "ast.hpp"
#include "common/json.hpp"

namespace x07c {

namespace fs = std::filesystem;
namespace json = x07::json;

namespace {

// Built-in defaults (values of upstream's toolchain profiles).
bool builtin_profile(const std::string& id, BudgetProfile* out) {
  if (id == "stream_xf_plugin_v1") {
    *out = {1, "stream_xf_plugin_v1", {134217728u, 0, 0, 268435456u, 0, 0}};
    return true;
  }
  if (id == "archive_extract_safe_v1") {
    *out = {1, "archive.extract.safe.v1", {134217728u, 200000u, 50000u, 536870912u, 2000000u, 0}};
    return true;
  }
  return false;
}

}  // namespace

// The nearest ancestor of the entry file holding `arch/`, else of the working directory
// (`x07 test` runs the runner from the manifest's folder, upstream's arch root), else the cwd.
fs::path arch_root_of(const std::string& entry_file) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  for (const fs::path& start : {fs::weakly_canonical(fs::absolute(entry_file, ec), ec).parent_path(), cwd}) {
    for (fs::path d = start; !d.empty(); d = d.parent_path()) {
      if (fs::is_directory(d / "arch", ec)) return d;
      if (d == d.root_path()) break;
    }
  }
  return cwd;
}

std::string load_budget_profile(const std::string& entry_file, const std::string& id, BudgetProfile* out) {
  fs::path path = arch_root_of(entry_file) / "arch" / "budgets" / "profiles" / (id + ".budget.json");
  std::error_code ec;
  if (!fs::exists(path, ec) && builtin_profile(id, out)) return "";
  json::Document doc;
  if (auto e = json::parse_file(path, doc))
    return (e->kind == json::FileError::Kind::Read ? "read budget profile file " : "parse budget profile JSON ") +
           path.string() + ": " + e->message;
  auto sv = doc.IsObject() ? json::get_string(doc, "schema_version") : std::nullopt;
  if (!sv || *sv != "x07.budget.profile@0.1.0")
    return "budget profile schema_version mismatch: got \"" + sv.value_or("") +
           "\" expected \"x07.budget.profile@0.1.0\"";
  auto pid = json::get_string(doc, "id");
  if (!pid || *pid != id) return "budget profile id mismatch: got \"" + pid.value_or("") + "\" expected \"" + id + "\"";
  const json::Value* cfg = json::get_object(doc, "cfg");
  if (!cfg) return "budget profile cfg must be an object";
  static const std::map<std::string, uint32_t> modes = {
      {"trap_v1", 0}, {"result_err_v1", 1}, {"stats_only_v1", 2}, {"yield_v1", 3}};
  std::string m = json::get_string(*cfg, "mode").value_or("");
  auto mi = modes.find(m);
  if (mi == modes.end()) return "budget profile cfg.mode is not supported: \"" + m + "\"";
  out->mode = mi->second;
  out->label = json::get_string(*cfg, "label").value_or("");
  if (out->label.empty()) return "budget profile cfg.label must be a non-empty string";
  out->caps.clear();
  for (const char* k : {"alloc_bytes", "alloc_calls", "realloc_calls", "memcpy_bytes", "sched_ticks", "fuel"}) {
    uint64_t v = json::get_u64(*cfg, k).value_or(0);
    out->caps.push_back(v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)v);
  }
  return "";
}

}  // namespace x07c
