#include "test_manifest.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/base64.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/project.hpp"
#include "run_target.hpp"

namespace fs = std::filesystem;

namespace x07::facade::tests {
namespace {

const std::set<std::string> kWorlds = {"solve-pure", "solve-fs",  "solve-rr",        "solve-kv",
                                       "solve-full", "run-os",    "run-os-sandboxed"};

bool valid_symbol(const std::string& s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string seg = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (seg.empty() || !(std::isalpha(static_cast<unsigned char>(seg[0])) || seg[0] == '_')) return false;
    for (char c : seg)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// A relative path without `..`, backslashes or a root (upstream's safe-path rule).
bool safe_rel_path(const std::string& raw) {
  if (raw.empty() || raw.find('\\') != std::string::npos) return false;
  const fs::path p(raw);
  if (p.is_absolute()) return false;
  for (const auto& c : p)
    if (c == "..") return false;
  return true;
}

std::optional<std::string> opt_string(const json::Value& o, const char* key, const std::string& base,
                                      std::vector<ManifestDiag>& diags, bool& bad) {
  const json::Value* v = json::find(o, key);
  if (!v || v->IsNull()) return std::nullopt;
  if (!v->IsString()) {
    diags.push_back({"ETEST_MANIFEST_JSON", std::string(key) + " must be a string", base + "/" + key});
    bad = true;
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<uint64_t> opt_u64(const json::Value& o, const char* key, const std::string& base,
                                std::vector<ManifestDiag>& diags, bool& bad) {
  const json::Value* v = json::find(o, key);
  if (!v || v->IsNull()) return std::nullopt;
  if (!v->IsUint64()) {
    diags.push_back({"ETEST_MANIFEST_JSON", std::string(key) + " must be a non-negative integer", base + "/" + key});
    bad = true;
    return std::nullopt;
  }
  return v->GetUint64();
}

}  // namespace

std::optional<Manifest> load(const fs::path& path, bool allow_empty, std::vector<ManifestDiag>& diags) {
  std::string text, err;
  if (!fsutil::read_file(path, text, &err)) {
    diags.push_back({"ETEST_MANIFEST_IO", "failed to read manifest: " + err, ""});
    return std::nullopt;
  }
  json::Document doc;
  if (!json::parse(text, doc, &err)) {
    diags.push_back({"ETEST_MANIFEST_JSON", "invalid JSON: " + err, ""});
    return std::nullopt;
  }
  if (!doc.IsObject()) {
    diags.push_back({"ETEST_MANIFEST_JSON", "invalid JSON: the manifest must be an object", ""});
    return std::nullopt;
  }
  Manifest m;
  m.path = path;
  std::error_code ec;
  m.dir = fs::absolute(path, ec).parent_path();
  m.schema_version = json::get_string(doc, "schema_version").value_or("");
  const bool v2 = m.schema_version == "x07.tests_manifest@0.2.0";
  if (m.schema_version != "x07.tests_manifest@0.1.0" && !v2)
    diags.push_back({"ETEST_SCHEMA_VERSION",
                     "schema_version must be x07.tests_manifest@0.1.0 or x07.tests_manifest@0.2.0, got " + m.schema_version,
                     "/schema_version"});
  const json::Value* tests = json::get_array(doc, "tests");
  if (!tests) {
    diags.push_back({"ETEST_MANIFEST_JSON", "invalid JSON: missing field `tests` (an array)", "/tests"});
    return std::nullopt;
  }
  if (tests->Empty() && !allow_empty) diags.push_back({"ETEST_TESTS_EMPTY", "tests array is empty", "/tests"});

  std::map<std::string, size_t> seen_ids;
  for (rapidjson::SizeType i = 0; i < tests->Size(); ++i) {
    const std::string base = "/tests/" + std::to_string(i);
    const json::Value& t = (*tests)[i];
    if (!t.IsObject()) {
      diags.push_back({"ETEST_MANIFEST_JSON", "test entry must be an object", base});
      continue;
    }
    bool bad = false;
    TestDecl d;
    d.id = opt_string(t, "id", base, diags, bad).value_or("");
    d.world = opt_string(t, "world", base, diags, bad).value_or("");
    d.entry = opt_string(t, "entry", base, diags, bad).value_or("");
    const auto expect = opt_string(t, "expect", base, diags, bad);
    const auto returns = opt_string(t, "returns", base, diags, bad);
    const auto policy = opt_string(t, "policy_json", base, diags, bad);
    const auto fixture = opt_string(t, "fixture_root", base, diags, bad);
    d.timeout_ms = opt_u64(t, "timeout_ms", base, diags, bad);
    d.solve_fuel = opt_u64(t, "solve_fuel", base, diags, bad);
    if (bad) continue;

    if (d.id.empty()) {
      diags.push_back({"ETEST_ID_EMPTY", "id must be non-empty", base + "/id"});
      continue;
    }
    if (!std::all_of(d.id.begin(), d.id.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
      diags.push_back({"ETEST_ID_NON_ASCII", "id must be ASCII printable", base + "/id"});
      continue;
    }
    if (auto [it, fresh] = seen_ids.emplace(d.id, i); !fresh) {
      diags.push_back({"ETEST_ID_DUPLICATE", "duplicate id: " + d.id + " (previous at index " + std::to_string(it->second) + ")",
                       base + "/id"});
      continue;
    }
    if (!kWorlds.count(d.world)) {
      diags.push_back({"ETEST_WORLD_INVALID",
                       "invalid world: " + d.world +
                           " (allowed: solve-pure, solve-fs, solve-rr, solve-kv, solve-full, run-os, run-os-sandboxed)",
                       base + "/world"});
      continue;
    }
    const bool has_input = json::find(t, "input_b64") || json::find(t, "input_path");
    if (has_input && !v2) {
      diags.push_back({"ETEST_INPUT_NOT_ALLOWED_V010", "input_b64/input_path require x07.tests_manifest@0.2.0", base});
      continue;
    }
    if (has_input && d.world.rfind("solve-", 0) != 0) {
      diags.push_back({"ETEST_INPUT_UNSUPPORTED_WORLD", "inputs are only supported for deterministic solve-* worlds", base});
      continue;
    }
    if (has_input) {
      const auto b64 = opt_string(t, "input_b64", base, diags, bad);
      const auto path = opt_string(t, "input_path", base, diags, bad);
      if (bad) continue;
      if (b64 && path) {
        diags.push_back({"ETEST_INPUT_CONFLICT", "set at most one of input_b64 and input_path", base});
        continue;
      }
      if (b64) {
        d.input = base64::decode(*b64);
        if (!d.input) {
          diags.push_back({"ETEST_INPUT_B64_INVALID", "input_b64 is not valid base64", base + "/input_b64"});
          continue;
        }
      } else {
        if (!safe_rel_path(*path)) {
          diags.push_back({"ETEST_INPUT_UNSAFE_PATH", "unsafe input_path: " + *path, base + "/input_path"});
          continue;
        }
        std::string bytes;
        if (!fsutil::read_file(m.dir / *path, bytes, &err)) {
          diags.push_back({"ETEST_INPUT_PATH_READ_FAILED", "cannot read input_path " + *path + ": " + err,
                           base + "/input_path"});
          continue;
        }
        d.input = std::move(bytes);
      }
    }
    if (d.entry.find('.') == std::string::npos) {
      diags.push_back({"ETEST_ENTRY_INVALID", "entry must contain '.', got: " + d.entry, base + "/entry"});
      continue;
    }
    if (!valid_symbol(d.entry)) {
      diags.push_back({"ETEST_ENTRY_INVALID", "invalid entry: " + d.entry, base + "/entry"});
      continue;
    }
    d.expect = expect.value_or("pass");
    if (d.expect != "pass" && d.expect != "fail" && d.expect != "skip") {
      diags.push_back({"ETEST_EXPECT_INVALID", "invalid expect: Some(\"" + d.expect + "\")", base + "/expect"});
      continue;
    }
    d.returns = returns.value_or("result_i32");
    if (d.returns != "result_i32" && d.returns != "bytes_status_v1") {
      diags.push_back({"ETEST_RETURNS_INVALID", "invalid returns: Some(\"" + d.returns + "\")", base + "/returns"});
      continue;
    }
    if (d.timeout_ms && *d.timeout_ms == 0) {
      diags.push_back({"ETEST_TIMEOUT_INVALID", "timeout_ms must be >= 1", base + "/timeout_ms"});
      continue;
    }
    {  // fixture_root: required by the fixture worlds, forbidden elsewhere (upstream's checks)
      const bool fixture_world = d.world == "solve-fs" || d.world == "solve-rr" || d.world == "solve-kv" ||
                                 d.world == "solve-full";
      const fs::path dir = fixture ? m.dir / *fixture : fs::path();
      if (!fixture_world && fixture) {
        diags.push_back({"ETEST_FIXTURE_FORBIDDEN",
                         d.world == "solve-pure" ? "fixture_root must not be set for solve-pure"
                                                 : "fixture_root must not be set for OS worlds",
                         base + "/fixture_root"});
        continue;
      }
      if (fixture_world && !fixture) {
        diags.push_back({"ETEST_FIXTURE_REQUIRED", "fixture_root is required for " + d.world, base + "/fixture_root"});
        continue;
      }
      if (fixture_world && fixture->find('\\') != std::string::npos) {
        diags.push_back({"ETEST_FIXTURE_UNSAFE_PATH", "fixture_root must not contain '\\\\': " + *fixture,
                         base + "/fixture_root"});
        continue;
      }
      if (fixture_world && !safe_rel_path(*fixture)) {
        diags.push_back({"ETEST_FIXTURE_UNSAFE_PATH", "unsafe fixture_root path: expected safe relative path, got " +
                                                          *fixture, base + "/fixture_root"});
        continue;
      }
      if (fixture_world && !fs::is_directory(dir, ec)) {
        diags.push_back({"ETEST_FIXTURE_MISSING", "fixture_root must be an existing directory: " + *fixture,
                         base + "/fixture_root"});
        continue;
      }
      if (d.world == "solve-full") {
        const char* missing = nullptr;
        for (const char* sub : {"fs", "rr", "kv"})
          if (!missing && !fs::is_directory(dir / sub, ec)) missing = sub;
        if (missing) {
          diags.push_back({"ETEST_FIXTURE_MISSING", std::string("solve-full fixture_root must contain ") + missing +
                                                        "/ directory", base + "/fixture_root"});
          continue;
        }
      }
      if (fixture_world) d.fixture_root = dir;
    }
    if (d.world == "run-os-sandboxed") {
      if (!policy) {
        diags.push_back({"ETEST_POLICY_REQUIRED", "policy_json is required for run-os-sandboxed", base + "/policy_json"});
        continue;
      }
      if (!safe_rel_path(*policy) && !fs::path(*policy).is_absolute()) {
        diags.push_back({"ETEST_POLICY_UNSAFE_PATH", "unsafe policy_json path: " + *policy, base + "/policy_json"});
        continue;
      }
      const fs::path resolved = fs::path(*policy).is_absolute() ? fs::path(*policy) : m.dir / *policy;
      if (!fs::is_regular_file(resolved, ec)) {
        diags.push_back({"ETEST_POLICY_MISSING", "policy_json must be an existing file: " + *policy, base + "/policy_json"});
        continue;
      }
      d.policy_json = resolved;
    } else if (policy) {
      diags.push_back({"ETEST_POLICY_FORBIDDEN", "policy_json is only valid for run-os-sandboxed", base + "/policy_json"});
      continue;
    }
    m.tests.push_back(std::move(d));
  }
  if (!diags.empty()) return std::nullopt;
  return m;
}

std::vector<fs::path> default_module_roots(const Manifest& m) {
  std::vector<fs::path> roots;
  auto add = [&](const fs::path& p) {
    if (std::find(roots.begin(), roots.end(), p) == roots.end()) roots.push_back(p);
  };
  if (auto manifest = discover_manifest(m.dir)) {
    try {
      project::Manifest pm = project::load_manifest(*manifest);
      std::optional<project::Lockfile> lock;
      std::error_code ec;
      if (fs::is_regular_file(pm.lockfile_path(), ec)) lock = project::load_lockfile(pm.lockfile_path());
      for (const auto& r : project::module_roots(pm, lock ? &*lock : nullptr))
        add(r.is_absolute() ? r : fs::absolute(r, ec));
      add(project_root_of(*manifest));
    } catch (const std::exception&) {
      // An unreadable project only loses its roots; the manifest dir still resolves.
    }
  }
  add(m.dir);
  return roots;
}

std::vector<ManifestDiag> resolve_entries(const std::vector<fs::path>& roots, std::vector<TestDecl>& tests) {
  std::vector<ManifestDiag> diags;
  std::map<std::string, std::shared_ptr<json::Document>> modules;  // module file -> parsed
  for (TestDecl& t : tests) {
    const std::string module_id = t.entry.substr(0, t.entry.rfind('.'));
    std::string rel = module_id;
    std::replace(rel.begin(), rel.end(), '.', '/');
    bool found = false;
    for (const auto& root : roots) {
      const fs::path file = root / (rel + ".x07.json");
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) continue;
      auto& doc = modules[file.string()];
      if (!doc) {
        doc = std::make_shared<json::Document>();
        std::string text;
        if (!fsutil::read_file(file, text) || !json::parse(text, *doc, nullptr)) doc->SetNull();
      }
      const json::Value* decls = doc->IsObject() ? json::get_array(*doc, "decls") : nullptr;
      if (!decls) continue;
      for (const auto& d : decls->GetArray()) {
        if (!d.IsObject() || json::get_string(d, "name") != t.entry) continue;
        const std::string kind = json::get_string(d, "kind").value_or("");
        if (kind != "defn" && kind != "defasync") {
          diags.push_back({"ETEST_ENTRY_INVALID", "unsupported test entry declaration kind: " + kind, t.entry});
          found = true;
          break;
        }
        t.entry_kind = kind;
        t.entry_result = json::get_string(d, "result").value_or("");
        found = true;
        if (kind == "defasync") {
          const bool ok = t.returns == "result_i32" ? t.entry_result == "result_i32"
                                                    : (t.entry_result == "bytes" || t.entry_result == "result_bytes");
          if (!ok)
            diags.push_back({"X07TEST_ASYNC_ENTRY_UNSUPPORTED",
                             "async entry \"" + t.entry + "\" returns \"" + t.entry_result +
                                 "\", which is incompatible with x07 test returns=\"" + t.returns + "\"",
                             t.entry});
        }
        break;
      }
      if (found) break;
    }
    if (!found)
      diags.push_back({"ETEST_ENTRY_INVALID",
                       "entry \"" + t.entry + "\" was not found under the resolved module roots — expected a module file `" +
                           rel + ".x07.json` under a module root; a module's file name must match its `module_id`",
                       t.entry});
  }
  return diags;
}

std::string driver_program(const TestDecl& t) {
  const std::string module_id = t.entry.substr(0, t.entry.rfind('.'));
  std::vector<std::string> imports = {"std.test"};
  if (module_id != "std.test") imports.push_back(module_id);
  std::sort(imports.begin(), imports.end());
  std::string imports_json;
  for (const auto& i : imports) imports_json += (imports_json.empty() ? "" : ",") + ("\"" + i + "\"");
  const std::string call = "[\"" + t.entry + "\"]";
  std::string solve;
  if (t.entry_kind == "defasync") {
    const std::string spawn = "[\"begin\",[\"let\",\"task\"," + call + "],[\"task.spawn\",\"task\"],";
    if (t.returns == "result_i32")
      solve = spawn + "[\"std.test.status_from_result_i32\",[\"await\",\"task\"]]]";
    else if (t.entry_result == "result_bytes")
      solve = spawn +
              "[\"let\",\"out\",[\"task.join.result_bytes\",\"task\"]],[\"if\",[\"result_bytes.is_ok\",\"out\"],"
              "[\"std.test.status_ok\"],[\"std.test.status_fail\",[\"result_bytes.err_code\",\"out\"]]]]";
    else
      solve = spawn + "[\"let\",\"out\",[\"await\",\"task\"]],\"out\"]";
  } else {
    solve = t.returns == "result_i32" ? "[\"std.test.status_from_result_i32\"," + call + "]" : call;
  }
  return "{\"decls\":[],\"imports\":[" + imports_json +
         "],\"kind\":\"entry\",\"module_id\":\"main\",\"schema_version\":\"x07.x07ast@0.5.0\",\"solve\":" + solve + "}\n";
}

}  // namespace x07::facade::tests
