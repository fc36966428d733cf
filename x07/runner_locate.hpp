// Where the facade finds its helpers (facade.md §1.11, §1.12).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace x07::facade {

// Directory of the running x07 executable.
std::filesystem::path self_exe_dir();

// `<x07 dir>/x07-os-runner` if it is a file, else `<x07 dir>/../x07-os-runner` when the
// x07 dir is named `deps`, else the bare name `x07-os-runner` (PATH lookup at spawn).
std::filesystem::path locate_runner();

// The OS std module root reported in wrapped reports: first existing of
// `stdlib/os/0.2.0/modules` (cwd), `<runner dir>/stdlib/os/0.2.0/modules`,
// `<runner dir>/../stdlib/os/0.2.0/modules`, `<runner dir>/../share/x07/stdlib/os/0.2.0/modules`,
// then the source tree's copy.
std::optional<std::filesystem::path> locate_os_stdlib_root(const std::filesystem::path& runner);

// Adds that root to a report's resolved_module_roots (the runner appends it after the
// user roots), unless it is missing or already listed.
void append_os_stdlib_root(std::vector<std::string>& roots, const std::filesystem::path& runner);

}  // namespace x07::facade
