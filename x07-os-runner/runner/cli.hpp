// Command line of x07-os-runner (runner.md §1.1).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace x07::runner {

struct Options {
  std::optional<std::string> artifact, program, project;
  std::string world = "run-os";
  std::optional<std::string> compat;
  std::optional<std::string> sandbox_backend;  // auto | vm | os | none ("native" already mapped to "os")
  bool accept_weaker_isolation = false;
  std::optional<uint64_t> max_c_bytes;
  std::optional<std::string> policy;
  // Fixture worlds (solve-fs/rr/kv/full), upstream x07-host-runner's flags (fixture_world.cpp).
  std::optional<std::string> fixture_fs_dir, fixture_fs_root, fixture_fs_latency_index, fixture_rr_dir,
      fixture_kv_dir, fixture_kv_seed;
  std::optional<std::string> input;
  uint64_t solve_fuel = 50000000;
  uint64_t max_memory_bytes = 67108864;
  std::optional<uint64_t> max_output_bytes;
  uint64_t cpu_time_limit_seconds = 30;
  bool debug_borrow_checks = false;
  std::string cc_profile = "default";
  std::optional<std::string> compiled_out;
  bool compile_only = false;
  bool accept_precompiled_artifact = false;
  std::vector<std::string> module_roots;
  bool auto_ffi = false;
  std::optional<std::string> attest_runtime;
  bool cli_specrows = false;
  bool stream_output = false;  // pass the program's stderr through live (x07 run --report text)
  bool version = false;
  // Hidden, for `x07 bundle` (bundle_build.cpp): build a bundle executable instead of running.
  std::optional<std::string> bundle_out, bundle_name, bundle_emit_dir;
};

enum class ParseOutcome { Run, HelpPrinted };

// Parses argv. Throws UsageError (with a usage message) on bad flags or values.
ParseOutcome parse_cli(int argc, char** argv, Options& out);

// The help lines of a usage error: a did-you-mean for a mistyped flag, then the usage.
std::string usage_help(const std::string& message);

// One-line JSON description of the CLI (for --cli-specrows).
std::string cli_specrows();

}  // namespace x07::runner
