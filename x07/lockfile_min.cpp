#include "lockfile_min.hpp"

#include <cstdlib>
#include <iostream>

#include "common/fsutil.hpp"
#include "common/project.hpp"
#include "facade_error.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

std::string minimal_lockfile(const std::string& compat) {
  const char* env = std::getenv("X07_PKG_INDEX_URL");
  std::string index = trimmed_non_empty(env ? std::optional<std::string>(env) : std::nullopt)
                          .value_or("sparse+https://registry.x07.io/index/");
  return std::string("{\n") +
         "  \"schema_version\": \"x07.lock@0.4.0\",\n"
         "  \"toolchain\": {\n"
         "    \"x07_version\": " + json_quoted(X07_VERSION) + ",\n"
         "    \"x07c_version\": " + json_quoted(X07_VERSION) + ",\n"
         "    \"lang_id\": \"x07-core@0.2.0\",\n"
         "    \"compat\": " + json_quoted(compat) + "\n"
         "  },\n"
         "  \"registry\": {\n"
         "    \"index_url\": " + json_quoted(index) + "\n"
         "  },\n"
         "  \"dependencies\": []\n"
         "}\n";
}

void hydrate_lockfile_if_missing(const fs::path& manifest_path) {
  project::Manifest m;
  try {
    m = project::load_manifest(manifest_path);
  } catch (const std::exception&) {
    return;  // a broken manifest is reported by the runner
  }
  if (!m.dependencies.empty()) return;
  fs::path lock = m.lockfile_path();
  std::error_code ec;
  if (fs::exists(lock, ec)) return;
  std::string err;
  if (!fsutil::write_file_atomic(lock, minimal_lockfile(m.compat.value_or("current")), &err))
    throw Failure("hydrate project deps: write " + lock.string() + ": " + err);
  std::cerr << "x07 run: hydrated project dependencies via `x07 pkg lock --project " << manifest_path.string()
            << "`\n";
}

}  // namespace x07::facade
