// Where the OS std module root (stdlib/os/0.2.0/modules) may live. Shared by the
// runner (which requires it) and the facade (which reports it in wrapped reports).
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

namespace x07::os_stdlib {

// Candidates in search order, all relative to the runner executable (never the cwd):
// beside it, its parent, then the prefix's share/x07 (install tree; the build tree links
// build/share/x07/stdlib/os to the sources so it has the same layout).
std::vector<std::filesystem::path> candidates(const std::filesystem::path& runner_dir);

// The first candidate that is an existing directory.
std::optional<std::filesystem::path> locate(const std::filesystem::path& runner_dir);

}  // namespace x07::os_stdlib
