// The tests manifest of `x07 test` (`x07.tests_manifest@0.1.0` / `@0.2.0`): loading,
// validation with upstream's ETEST_* codes, and entry resolution against module roots.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace x07::facade::tests {

// One manifest problem: code (ETEST_*), message, and where (JSON pointer or entry).
struct ManifestDiag {
  std::string code, message, path;
};

struct TestDecl {
  std::string id, world, entry;
  std::string expect = "pass";           // pass | fail | skip
  std::string returns = "result_i32";    // result_i32 | bytes_status_v1
  std::optional<uint64_t> timeout_ms, solve_fuel;
  std::optional<std::filesystem::path> policy_json;  // resolved against the manifest dir
  std::optional<std::filesystem::path> fixture_root; // fixture worlds: resolved against the manifest dir
  std::optional<std::string> input;                  // input_b64 / input_path bytes (solve-* worlds)
  std::string entry_kind = "defn";       // defn | defasync (from the entry's module)
  std::string entry_result;              // the entry's declared result type
};

struct Manifest {
  std::filesystem::path path, dir;  // dir: absolute directory of the manifest
  std::string schema_version;
  std::vector<TestDecl> tests;
};

// Reads and validates; on failure returns the diagnostics (in manifest order).
std::optional<Manifest> load(const std::filesystem::path& path, bool allow_empty, std::vector<ManifestDiag>& diags);

// Module roots for the manifest's tests: the project's (x07.json found upwards from
// the manifest dir, with its locked dependencies), the project root and the manifest
// dir; only the manifest dir when there is no project.
std::vector<std::filesystem::path> default_module_roots(const Manifest& m);

// Fills entry_kind / entry_result from the entry's module; diagnostics for entries that
// cannot be found (ETEST_ENTRY_INVALID) or async entries of the wrong type.
std::vector<ManifestDiag> resolve_entries(const std::vector<std::filesystem::path>& roots, std::vector<TestDecl>& tests);

// The generated entry program that runs one test and returns its X7TEST_STATUS_V1 bytes.
std::string driver_program(const TestDecl& t);

}  // namespace x07::facade::tests
