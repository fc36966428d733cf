#include "common/project.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/fsutil.hpp"
#include "common/json_decoder.hpp"
#include "common/text.hpp"
#include "common/sha256.hpp"

namespace x07::project {

namespace fs = std::filesystem;
using json::Decoder;
using json::Value;

namespace {

const auto& debug_quote = text::json_quoted;
using text::trim;

std::string debug_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + debug_quote(items[i]);
  return out + "]";
}

void check_rel_path(const std::string& field, const std::string& raw) {
  if (raw.empty()) throw Error(field + " must be non-empty");
  fs::path p(raw);
  if (p.is_absolute()) throw Error(field + " must be a relative path, got " + debug_quote(raw));
  for (const auto& part : p) {
    if (part == "..") throw Error(field + " must not contain '..' segments: " + debug_quote(raw));
  }
}

void check_link_name(const std::string& field, const std::string& raw) {
  if (raw.empty()) throw Error(field + " must be non-empty");
  if (raw[0] == '-') throw Error(field + " must not start with '-': " + debug_quote(raw));
  for (char c : raw) {
    if (c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '\\')
      throw Error(field + " must not contain whitespace, '/', '\\\\', or NUL: " + debug_quote(raw));
  }
}

void trim_all(std::vector<std::string>& v) {
  for (auto& s : v) s = trim(s);
}

std::string lock_hint(const Manifest& m) { return " (hint: run `x07 pkg lock --project " + m.path.string() + "`)"; }

// `$workspace/...` module roots resolve against X07_WORKSPACE_ROOT, else the enclosing git root.
fs::path workspace_root(const fs::path& start) {
  if (const char* env = std::getenv("X07_WORKSPACE_ROOT"); env && *env) return fs::path(env);
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / ".git", ec)) return d;
    if (d == d.parent_path()) break;
  }
  return dir;
}

}  // namespace

std::vector<std::string> Link::cc_args(const fs::path& base) const {
  std::vector<std::string> out;
  if (static_link) out.push_back("-static");
  for (const auto& p : search_paths) {
    out.push_back("-L");
    out.push_back((base / p).string());
  }
  for (const auto& l : libs) {
    out.push_back("-l");
    out.push_back(l);
  }
  for (const auto& f : frameworks) {
    out.push_back("-framework");
    out.push_back(f);
  }
  return out;
}

Manifest load_manifest(const fs::path& path) {
  Manifest m;
  m.path = path;
  m.dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string text, err;
  if (!fsutil::read_file(path, text, &err)) throw Error("read project: " + path.string() + ": " + err);
  m.doc = std::make_shared<json::Document>();
  json::Positions pos;
  try {
    if (!json::parse_tracked(text, *m.doc, pos, &err)) throw json::Error(err);
    Decoder d(pos);
    d.object(*m.doc, "", "ProjectManifest", {"schema_version", "world", "entry", "module_roots"},
             [&](std::string_view k, const Value& x, const std::string& p) {
               if (k == "schema_version") m.schema_version = d.string(x, p);
               else if (k == "world") m.world = d.string(x, p);
               else if (k == "entry") m.entry = d.string(x, p);
               else if (k == "compat") m.compat = d.opt_string(x, p);
               else if (k == "module_roots") m.module_roots = d.strings(x, p);
               else if (k == "lockfile") m.lockfile = d.opt_string(x, p);
               else if (k == "default_profile") m.default_profile = d.opt_string(x, p);
               else if (k == "dependencies") {
                 m.dependencies = d.seq<Dependency>(x, p, [&](const Value& e, const std::string& ep) {
                   Dependency dep;
                   d.object(e, ep, "DependencySpec", {"name", "version", "path"},
                            [&](std::string_view k2, const Value& y, const std::string& p2) {
                              if (k2 == "name") dep.name = d.string(y, p2);
                              else if (k2 == "version") dep.version = d.string(y, p2);
                              else if (k2 == "path") dep.path = d.string(y, p2);
                              else return false;
                              return true;
                            });
                   return dep;
                 });
               } else if (k == "link") {
                 d.object(x, p, "LinkConfig", {}, [&](std::string_view k2, const Value& y, const std::string& p2) {
                   if (k2 == "libs") m.link.libs = d.strings(y, p2);
                   else if (k2 == "search_paths") m.link.search_paths = d.strings(y, p2);
                   else if (k2 == "frameworks") m.link.frameworks = d.strings(y, p2);
                   else if (k2 == "static") m.link.static_link = d.boolean(y, p2);
                   else return false;
                   return true;
                 });
               } else return false;
               return true;
             });
  } catch (const json::Error& e) {
    throw Error("parse project JSON: " + path.string() + ": " + e.what());
  }

  m.schema_version = trim(m.schema_version);
  m.world = trim(m.world);
  m.entry = trim(m.entry);
  trim_all(m.module_roots);
  trim_all(m.link.libs);
  trim_all(m.link.search_paths);
  trim_all(m.link.frameworks);
  for (auto& dep : m.dependencies) {
    dep.name = trim(dep.name);
    dep.version = trim(dep.version);
    dep.path = trim(dep.path);
  }
  if (m.lockfile) m.lockfile = trim(*m.lockfile);
  if (m.lockfile && m.lockfile->empty()) m.lockfile.reset();
  if (m.compat) m.compat = trim(*m.compat);
  if (m.default_profile) m.default_profile = trim(*m.default_profile);

  if (std::find(kManifestSchemaVersions.begin(), kManifestSchemaVersions.end(), m.schema_version) ==
      kManifestSchemaVersions.end()) {
    throw Error("project schema_version mismatch: expected one of " + debug_list(kManifestSchemaVersions) +
                " got " + debug_quote(m.schema_version));
  }
  if (std::find(kKnownWorlds.begin(), kKnownWorlds.end(), m.world) == kKnownWorlds.end()) {
    throw Error("invalid project world " + debug_quote(m.world) + ": unknown world: " + m.world);
  }
  if (m.entry.empty()) throw Error("project entry must be non-empty");
  check_rel_path("project.entry", m.entry);
  if (m.entry.size() < 9 || m.entry.compare(m.entry.size() - 9, 9, ".x07.json") != 0) {
    throw Error("project entry must be a *.x07.json file, got " + debug_quote(m.entry));
  }
  if (m.module_roots.empty()) throw Error("project module_roots must be non-empty");
  for (size_t i = 0; i < m.module_roots.size(); ++i) {
    const std::string& r = m.module_roots[i];
    if (r.rfind("$workspace/", 0) == 0) continue;
    check_rel_path("project.module_roots[" + std::to_string(i) + "]", r);
  }
  for (size_t i = 0; i < m.link.libs.size(); ++i)
    check_link_name("project.link.libs[" + std::to_string(i) + "]", m.link.libs[i]);
  for (size_t i = 0; i < m.link.search_paths.size(); ++i)
    check_rel_path("project.link.search_paths[" + std::to_string(i) + "]", m.link.search_paths[i]);
  for (size_t i = 0; i < m.link.frameworks.size(); ++i)
    check_link_name("project.link.frameworks[" + std::to_string(i) + "]", m.link.frameworks[i]);
  for (size_t i = 0; i < m.dependencies.size(); ++i)
    check_rel_path("project.dependencies[" + std::to_string(i) + "].path", m.dependencies[i].path);
  if (m.lockfile) check_rel_path("project.lockfile", *m.lockfile);
  return m;
}

Lockfile load_lockfile(const fs::path& path) {
  const std::string hint = " (hint: run `x07 pkg lock`)";
  std::string text, err;
  if (!fsutil::read_file(path, text, &err))
    throw Error("[X07LOCK_READ] read lockfile: " + path.string() + hint + ": " + err);
  Lockfile lock;
  json::Document doc;
  json::Positions pos;
  bool has_toolchain = false, has_registry = false;
  try {
    if (!json::parse_tracked(text, doc, pos, &err)) throw json::Error(err);
    Decoder d(pos);
    d.object(doc, "", "Lockfile", {"schema_version", "dependencies"},
             [&](std::string_view k, const Value& x, const std::string& p) {
               if (k == "schema_version") lock.schema_version = d.string(x, p);
               else if (k == "toolchain") has_toolchain = true;
               else if (k == "registry") has_registry = true;
               else if (k == "dependencies") {
                 lock.dependencies = d.seq<LockedDependency>(x, p, [&](const Value& e, const std::string& ep) {
                   LockedDependency dep;
                   d.object(e, ep, "LockedDependency",
                            {"name", "version", "path", "package_manifest_sha256", "module_root", "modules_sha256"},
                            [&](std::string_view k2, const Value& y, const std::string& p2) {
                              if (k2 == "name") dep.name = d.string(y, p2);
                              else if (k2 == "version") dep.version = d.string(y, p2);
                              else if (k2 == "path") dep.path = d.string(y, p2);
                              else if (k2 == "package_manifest_sha256") dep.package_manifest_sha256 = d.string(y, p2);
                              else if (k2 == "module_root") dep.module_root = d.string(y, p2);
                              else if (k2 == "modules_sha256") {
                                if (!y.IsObject())
                                  d.fail(p2, "invalid type: " + json::describe(y) + ", expected a map");
                                for (auto it = y.MemberBegin(); it != y.MemberEnd(); ++it) {
                                  std::string key(it->name.GetString(), it->name.GetStringLength());
                                  dep.modules_sha256[key] =
                                      d.string(it->value, json::Positions::child(p2, key));
                                }
                              } else return false;
                              return true;
                            });
                   return dep;
                 });
               } else return false;
               return true;
             });
  } catch (const json::Error& e) {
    throw Error("[X07LOCK_PARSE] parse lockfile JSON: " + path.string() + hint + ": " + e.what());
  }
  std::string v = trim(lock.schema_version);
  if (std::find(kLockSchemaVersions.begin(), kLockSchemaVersions.end(), v) == kLockSchemaVersions.end()) {
    throw Error("[X07LOCK_SCHEMA] lockfile schema_version mismatch: expected one of " +
                debug_list(kLockSchemaVersions) + " got " + debug_quote(lock.schema_version));
  }
  if (v == "x07.lock@0.4.0") {
    if (!has_toolchain) throw Error("[X07LOCK_SCHEMA] lockfile is missing required field toolchain");
    if (!has_registry) throw Error("[X07LOCK_SCHEMA] lockfile is missing required field registry");
  }
  return lock;
}

void verify_lockfile(const Manifest& m, const Lockfile& lock) {
  const std::string hint = lock_hint(m);
  if (lock.dependencies.size() != m.dependencies.size())
    throw Error("lockfile dependency list does not match project" + hint);
  for (size_t i = 0; i < m.dependencies.size(); ++i) {
    const Dependency& want = m.dependencies[i];
    const LockedDependency& got = lock.dependencies[i];
    if (got.name != want.name || got.version != want.version || got.path != want.path)
      throw Error("lockfile dependencies do not match project manifest" + hint);
    fs::path dep_dir = m.dir / want.path;
    fs::path pkg_path = dep_dir / "x07-package.json";
    std::string bytes, err;
    if (!fsutil::read_file(pkg_path, bytes, &err))
      throw Error("read package: " + pkg_path.string() + ": " + err);
    json::Document pkg;
    if (!json::parse(bytes, pkg, &err)) throw Error("parse package JSON: " + pkg_path.string() + ": " + err);
    auto module_root = json::get_string(pkg, "module_root");
    const Value* modules = json::get_array(pkg, "modules");
    if (!module_root || !modules)
      throw Error("parse package JSON: " + pkg_path.string() + ": missing field `module_root` or `modules`");
    if (Sha256::hex(bytes) != got.package_manifest_sha256)
      throw Error("lockfile package manifest hash mismatch for " + debug_quote(got.name) + hint);
    if (trim(*module_root) != got.module_root)
      throw Error("lockfile module_root mismatch for " + debug_quote(got.name) + hint);
    std::map<std::string, std::string> hashes;
    for (const auto& mod : modules->GetArray()) {
      if (!mod.IsString()) continue;
      std::string id = trim(mod.GetString());
      std::string rel = id;
      std::replace(rel.begin(), rel.end(), '.', '/');
      fs::path file = dep_dir / trim(*module_root) / (rel + ".x07.json");
      std::string src;
      if (!fsutil::read_file(file, src, &err))
        throw Error("read module " + debug_quote(id) + ": " + file.string() + ": " + err);
      hashes[id] = Sha256::hex(src);
    }
    if (hashes != got.modules_sha256) throw Error("lockfile module hashes mismatch for " + debug_quote(got.name) + hint);
  }
}

std::vector<fs::path> module_roots(const Manifest& m, const Lockfile* lock) {
  std::vector<fs::path> out;
  auto add = [&](fs::path p) {
    fs::path clean;
    for (const auto& part : p) {
      if (part != "." && !part.empty()) clean /= part;
    }
    if (clean.empty()) clean = ".";
    if (std::find(out.begin(), out.end(), clean) == out.end()) out.push_back(clean);
  };
  for (const auto& r : m.module_roots) {
    if (r.rfind("$workspace/", 0) == 0) {
      add(workspace_root(m.dir) / r.substr(11));
    } else {
      add(m.dir / r);
    }
  }
  if (lock) {
    for (const auto& dep : lock->dependencies) add(m.dir / dep.path / dep.module_root);
  }
  return out;
}

}  // namespace x07::project
