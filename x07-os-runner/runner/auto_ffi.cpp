#include "auto_ffi.hpp"

#include <algorithm>

#include "common/json.hpp"
#include "runner_error.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

void push_unique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

}  // namespace

AutoFfi auto_ffi_collect(const std::vector<fs::path>& package_dirs, const std::vector<fs::path>& module_roots) {
  std::error_code ec;
  std::vector<fs::path> dirs;
  auto add_dir = [&](const fs::path& d) {
    fs::path abs = fs::weakly_canonical(fs::absolute(d, ec), ec);
    if (std::find(dirs.begin(), dirs.end(), abs) == dirs.end()) dirs.push_back(abs);
  };
  for (const auto& d : package_dirs) add_dir(d);
  for (const auto& r : module_roots) {
    fs::path root = fs::absolute(r, ec).lexically_normal();
    if (!root.has_filename()) root = root.parent_path();  // "dir/" names dir itself
    if (fs::is_regular_file(root / "x07-package.json", ec))
      add_dir(root);
    else if (fs::is_regular_file(root.parent_path() / "x07-package.json", ec))
      add_dir(root.parent_path());
  }

  AutoFfi out;
  std::vector<std::string> sources, libs;
  for (const auto& dir : dirs) {
    json::Document pkg;
    if (json::parse_file(dir / "x07-package.json", pkg)) continue;  // not a (readable) package
    const json::Value* meta = json::get_object(pkg, "meta");
    if (!meta || json::get_string(*meta, "import_mode").value_or("") != "ffi") continue;
    const std::string name = json::get_string(pkg, "name").value_or("");
    std::string quoted;
    json::append_quoted(quoted, name);
    fs::path ffi = dir / "ffi";
    if (!fs::is_directory(ffi, ec))
      throw RunnerError("package " + quoted + " is meta.import_mode=ffi but missing ffi directory: " + ffi.string());
    std::vector<std::string> found, others;
    for (const auto& e : fs::recursive_directory_iterator(ffi, ec)) {
      if (!e.is_regular_file(ec)) continue;
      const bool top_level_c = e.path().extension() == ".c" && e.path().parent_path() == ffi;
      (top_level_c ? found : others).push_back(e.path().string());
    }
    if (found.empty())
      throw RunnerError("package " + quoted + " is meta.import_mode=ffi but has no ffi/*.c sources: " + ffi.string());
    std::sort(found.begin(), found.end());  // per package, packages in module-root order (as upstream)
    for (const auto& s : found) {
      fs::path real = fs::canonical(s, ec);
      push_unique(sources, ec ? s : real.string());
    }
    for (auto& s : others) push_unique(out.key_files, std::move(s));
    if (const json::Value* l = json::get_array(*meta, "ffi_libs")) {
      for (const auto& v : l->GetArray()) {
        if (v.IsString()) push_unique(libs, "-l" + std::string(v.GetString(), v.GetStringLength()));
      }
    }
  }
  std::sort(out.key_files.begin(), out.key_files.end());
  out.cc_args = std::move(sources);
  out.cc_args.insert(out.cc_args.end(), libs.begin(), libs.end());
  return out;
}

}  // namespace x07::runner
