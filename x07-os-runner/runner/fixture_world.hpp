// The deterministic fixture worlds (solve-fs, solve-rr, solve-kv, solve-full): the run directory
// a program of such a world starts in, staged from the fixtures as upstream's x07-host-runner does.
#pragma once
#include <filesystem>
#include <string>

#include "cli.hpp"
#include "common/policy.hpp"

namespace x07::runner {

bool is_fixture_world(const std::string& world);

// Checks the --fixture-* flags against the world (RunnerError with upstream's message).
void check_fixture_flags(const Options& o);

// A fresh temporary directory holding the fixture: the fs root's contents at the top,
// .x07_rr/ (the cassettes) and .x07_kv/ (seed.evkv, built from the x07.kv.seed@0.1.0 JSON
// seed) as the world needs, all made read-only. Removed with its contents on destruction.
class FixtureRunDir {
 public:
  explicit FixtureRunDir(const Options& o);
  ~FixtureRunDir();
  FixtureRunDir(const FixtureRunDir&) = delete;
  FixtureRunDir& operator=(const FixtureRunDir&) = delete;
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// The kernel sandbox policy of a fixture run: the run directory is the only readable root,
// nothing is writable, no network, no processes; cpu/wall/memory from the runner's limits.
policy::Policy fixture_sandbox_policy(const std::filesystem::path& run_dir, uint64_t cpu_time_limit_seconds,
                                      uint64_t max_memory_bytes);

}  // namespace x07::runner
