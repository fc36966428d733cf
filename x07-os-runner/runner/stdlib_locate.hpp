// Locating the OS std module root (stdlib/os/0.2.0/modules), runner.md §1.2 step 17.
#pragma once
#include <filesystem>

namespace x07::runner {

// First existing candidate; throws RunnerError listing every candidate otherwise.
std::filesystem::path locate_os_stdlib();

}  // namespace x07::runner
