// The compile path: x07AST -> C (in process) -> native executable through the
// content-addressed cache, producing the report's `compile` object (runner.md §2.4, §9).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/report.hpp"

namespace x07::runner {

class EntryLock;

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
  std::vector<std::string> key_files;      // other inputs of the C build (ffi headers): bytes go into the key
  std::optional<std::string> compiled_out;
};

struct BuildResult {
  report::Compile compile;
  std::optional<std::filesystem::path> exe;  // the executable to run (cache path), when compile.ok
  std::shared_ptr<EntryLock> entry_lock;     // keeps `exe` from eviction while this result lives
};

// Throws RunnerError only for runner-side failures (e.g. --compiled-out cannot be written).
BuildResult build_program(const BuildRequest& req);

// x07AST -> C for `req`, recording the outcome in `c` (compile_error, diagnostics, C size,
// compile fuel). Returns the C source, or nullopt when compilation failed.
// `module_probes`, when given, receives the module files looked up (path, found).
std::optional<std::string> compile_to_c(const BuildRequest& req, report::Compile& c,
                                        std::vector<std::pair<std::string, bool>>* module_probes = nullptr);

struct RuntimeLib;
struct Toolchain;
// The cc command line every program build starts with: the compiler, C flags, the limits
// baked into the executable (fuel, memory), world features and the runtime include dirs.
std::vector<std::string> program_cc_args(const BuildRequest& req, const RuntimeLib& rt, const Toolchain& tc);

}  // namespace x07::runner
