// Project manifest (`x07.json`) and lockfile (`x07.lock.json`) loading as the
// runner and the facade consume them (facade.md §5.4/§5.5, runner.md §1.2 step 18).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace x07::project {

// A project loading failure; what() is the full message chain ("ctx: cause").
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline const std::vector<std::string> kManifestSchemaVersions = {
    "x07.project@0.2.0", "x07.project@0.3.0", "x07.project@0.4.0", "x07.project@0.5.0"};
inline const std::vector<std::string> kLockSchemaVersions = {"x07.lock@0.2.0", "x07.lock@0.3.0",
                                                              "x07.lock@0.4.0"};
inline const std::vector<std::string> kKnownWorlds = {"solve-pure", "solve-fs",  "solve-rr",        "solve-kv",
                                                      "solve-full", "run-os", "run-os-sandboxed"};

struct Link {
  std::vector<std::string> libs, search_paths, frameworks;
  bool static_link = false;
  // cc arguments in upstream order: -static, -L <base>/<p>..., -l <lib>..., -framework <fw>...
  std::vector<std::string> cc_args(const std::filesystem::path& base) const;
};

struct Dependency {
  std::string name, version, path;
};

struct Manifest {
  std::filesystem::path path;  // as given
  std::filesystem::path dir;   // directory containing the manifest ("." if none)
  std::string schema_version, world, entry;
  std::optional<std::string> compat;
  std::vector<std::string> module_roots;  // trimmed, as written
  std::vector<Dependency> dependencies;
  std::optional<std::string> lockfile;  // null/empty = default
  Link link;
  std::optional<std::string> default_profile;
  // The whole parsed manifest, for readers of fields not modelled here (e.g. profiles).
  std::shared_ptr<json::Document> doc;

  std::filesystem::path lockfile_path() const { return dir / lockfile.value_or("x07.lock.json"); }
  std::filesystem::path entry_path() const { return dir / entry; }
};

struct LockedDependency {
  std::string name, version, path, package_manifest_sha256, module_root;
  std::map<std::string, std::string> modules_sha256;
};

struct Lockfile {
  std::string schema_version;
  std::vector<LockedDependency> dependencies;
};

// Reads, parses, normalizes (trims) and validates a manifest. Throws Error with
// upstream's texts: "read project: <path>: <os error>", "parse project JSON: <path>: <msg>",
// "project schema_version mismatch: ...", "invalid project world ...", entry/module_roots checks.
Manifest load_manifest(const std::filesystem::path& path);

// Reads + parses the lockfile ([X07LOCK_READ] / [X07LOCK_PARSE] / [X07LOCK_SCHEMA] errors).
Lockfile load_lockfile(const std::filesystem::path& path);

// Checks that the lockfile matches the manifest's dependencies (package manifest and
// module hashes); throws Error with a `(hint: run `x07 pkg lock --project <manifest>`)` suffix.
void verify_lockfile(const Manifest& m, const Lockfile& lock);

// Module roots for compilation: manifest roots (resolved against the manifest dir,
// "." components dropped, de-duplicated), then <dep.path>/<dep.module_root> per locked dep.
std::vector<std::filesystem::path> module_roots(const Manifest& m, const Lockfile* lock);

}  // namespace x07::project
