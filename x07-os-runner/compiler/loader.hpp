// Stage 1 interface: load the entry file and every module it imports.
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

#include "ast.hpp"

namespace x07c {

struct LoadOptions {
  std::vector<std::filesystem::path> module_roots;
  std::optional<std::filesystem::path> os_stdlib_root;
  bool keep_unreachable = false;
};

// Fills `prog` (world must be set first). Throws CompileError.
void load_program(Program& prog, const std::filesystem::path& entry, const LoadOptions& opts);

}  // namespace x07c
