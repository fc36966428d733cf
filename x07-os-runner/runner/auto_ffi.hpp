// --auto-ffi: C sources and libraries of packages whose x07-package.json says
// meta.import_mode == "ffi" (runner.md §1.1, §9.2).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace x07::runner {

// Package directories are the given ones plus the parent of every module root that
// holds an x07-package.json. Returns the extra cc arguments, in upstream order:
// include dirs, absolute ffi/*.c sources (sorted), then -l<lib> (deduped).
// Throws RunnerError for an ffi package without an ffi directory or sources.
std::vector<std::string> auto_ffi_cc_args(const std::vector<std::filesystem::path>& package_dirs,
                                          const std::vector<std::filesystem::path>& module_roots);

}  // namespace x07::runner
