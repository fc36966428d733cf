// The compile path: x07AST -> C (in process) -> native executable through the
// content-addressed cache, producing the report's `compile` object (runner.md §2.4, §9).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/report.hpp"

namespace x07::runner {

struct BuildRequest {
  std::filesystem::path entry;
  std::string world;
  bool allow_unsafe = true;
  bool allow_ffi = true;
  std::vector<std::filesystem::path> module_roots;
  std::optional<std::filesystem::path> os_stdlib_root;
  uint64_t solve_fuel = 0;
  uint64_t max_memory_bytes = 0;
  bool debug_borrow = false;
  std::vector<std::string> extra_cc_args;  // project link args etc., after X07_CC_ARGS
  std::optional<std::string> compiled_out;
};

struct BuildResult {
  report::Compile compile;
  std::optional<std::filesystem::path> exe;  // the executable to run (cache path), when compile.ok
};

// Throws RunnerError only for runner-side failures (e.g. --compiled-out cannot be written).
BuildResult build_program(const BuildRequest& req);

}  // namespace x07::runner
