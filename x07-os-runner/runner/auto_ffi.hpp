// --auto-ffi: C sources and libraries of packages whose x07-package.json says
// meta.import_mode == "ffi" (runner.md §1.1, §9.2).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace x07::runner {

struct AutoFfi {
  // Extra cc arguments, in upstream order: absolute ffi/*.c sources (sorted per package, deduped),
  // then -l<lib> (deduped).
  std::vector<std::string> cc_args;
  // The other files under each ffi/ directory (headers the sources include): not on the
  // command line, but the executable depends on their bytes, so they go into the cache key.
  std::vector<std::string> key_files;
};

// Package directories are the given ones plus, for every module root, the root itself
// when it holds an x07-package.json, else its parent when that does (upstream's lookup).
// Throws RunnerError for an ffi package without an ffi directory or sources.
AutoFfi auto_ffi_collect(const std::vector<std::filesystem::path>& package_dirs,
                         const std::vector<std::filesystem::path>& module_roots);

}  // namespace x07::runner
