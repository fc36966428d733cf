#include "auto_ffi.hpp"

#include <algorithm>

#include "common/json.hpp"
#include "runner_error.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

std::vector<std::string> auto_ffi_cc_args(const std::vector<fs::path>& package_dirs,
                                          const std::vector<fs::path>& module_roots) {
  std::error_code ec;
  std::vector<fs::path> dirs;
  auto add_dir = [&](const fs::path& d) {
    fs::path abs = fs::weakly_canonical(fs::absolute(d, ec), ec);
    if (std::find(dirs.begin(), dirs.end(), abs) == dirs.end()) dirs.push_back(abs);
  };
  for (const auto& d : package_dirs) add_dir(d);
  for (const auto& r : module_roots) {
    fs::path parent = fs::absolute(r, ec).lexically_normal().parent_path();
    if (fs::is_regular_file(parent / "x07-package.json", ec)) add_dir(parent);
  }

  std::vector<std::string> includes, sources, libs;
  for (const auto& dir : dirs) {
    json::Document pkg;
    if (json::parse_file(dir / "x07-package.json", pkg)) continue;  // not a (readable) package
    const json::Value* meta = json::get_object(pkg, "meta");
    if (!meta || json::get_string(*meta, "import_mode").value_or("") != "ffi") continue;
    const std::string name = json::get_string(pkg, "name").value_or(dir.filename().string());
    std::string quoted;
    json::append_quoted(quoted, name);
    fs::path ffi = dir / "ffi";
    if (!fs::is_directory(ffi, ec))
      throw RunnerError("package " + quoted + " is meta.import_mode=ffi but missing ffi directory: " + ffi.string());
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(ffi, ec)) {
      if (e.path().extension() == ".c" && e.is_regular_file(ec)) found.push_back(e.path().string());
    }
    if (found.empty())
      throw RunnerError("package " + quoted + " is meta.import_mode=ffi but has no ffi/*.c sources: " + ffi.string());
    includes.push_back("-I" + ffi.string());
    sources.insert(sources.end(), found.begin(), found.end());
    if (const json::Value* l = json::get_array(*meta, "ffi_libs")) {
      for (const auto& v : l->GetArray()) {
        if (!v.IsString()) continue;
        std::string flag = "-l" + std::string(v.GetString(), v.GetStringLength());
        if (std::find(libs.begin(), libs.end(), flag) == libs.end()) libs.push_back(flag);
      }
    }
  }
  std::sort(sources.begin(), sources.end());
  std::vector<std::string> out = includes;
  out.insert(out.end(), sources.begin(), sources.end());
  out.insert(out.end(), libs.begin(), libs.end());
  return out;
}

}  // namespace x07::runner
