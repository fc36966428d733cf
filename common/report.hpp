// The x07-os-runner report (`x07-os-runner.report@0.5.0`, runner.md §2): model and
// writer. Reports are pretty-printed with byte-sorted keys at every level plus "\n".
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace x07::report {

inline constexpr const char* kSchemaVersion = "x07-os-runner.report@0.5.0";
inline constexpr const char* kNativeRequiresSchema = "x07.native-requires@0.1.0";

struct MemStats {
  uint64_t alloc_calls = 0, realloc_calls = 0, free_calls = 0, bytes_alloc_total = 0, bytes_freed_total = 0;
  uint64_t live_bytes = 0, peak_live_bytes = 0, live_allocs = 0, peak_live_allocs = 0, memcpy_bytes = 0;
};

struct SchedStats {
  uint64_t tasks_spawned = 0, spawn_calls = 0, join_calls = 0, yield_calls = 0, sleep_calls = 0;
  uint64_t chan_send_calls = 0, chan_recv_calls = 0, ctx_switches = 0, wake_events = 0, blocked_waits = 0;
  uint64_t virtual_time_end = 0;
  std::string sched_trace_hash;
};

struct DebugStats {
  uint64_t borrow_violations = 0;
};

// Counters from the program's metrics line; all absent when no metrics were found.
struct Metrics {
  uint64_t fuel_used = 0, heap_used = 0, fs_read_file_calls = 0, fs_list_dir_calls = 0;
  uint64_t rr_open_calls = 0, rr_close_calls = 0, rr_stats_calls = 0, rr_next_calls = 0;
  uint64_t rr_next_miss_calls = 0, rr_append_calls = 0, kv_get_calls = 0, kv_set_calls = 0;
  std::optional<SchedStats> sched_stats;
  std::optional<MemStats> mem_stats;
  std::optional<DebugStats> debug_stats;
};

// Bytes left in a file instead of memory (a program's large output): `size` bytes of
// the file open as *fd, from `offset`. The descriptor closes with its last holder.
struct FileBytes {
  std::shared_ptr<const int> fd;
  uint64_t offset = 0, size = 0;
};

// The solve object (§2.5); for mode run-os its fields sit at the report's top level.
struct Solve {
  bool ok = false;
  int exit_status = 1;
  std::string solve_output;  // raw bytes (written as base64)
  std::string stdout_bytes;  // raw captured stdout, including the length prefix
  std::string stderr_bytes;
  // When set, these replace solve_output / stdout_bytes (written base64 as a stream).
  std::optional<FileBytes> solve_output_file, stdout_file;
  std::optional<Metrics> metrics;
  std::optional<std::string> trap;
  std::optional<std::string> trap_help;
};

struct NativeRequirement {
  std::string backend_id;
  uint64_t abi_major = 1;
  std::vector<std::string> features;  // omitted when empty
};

// One x07diag diagnostic (schema x07.x07diag@0.1.0, $defs/diagnostic). Its location is the
// schema's text form (span in `file`) when a line is known, else its x07ast form (`ptr`) with
// the file in `data.file` (the schema's x07ast location has no file field).
struct Diagnostic {
  std::string code, severity = "error", stage, message;
  std::string file, ptr;  // loc; omitted when both empty
  uint32_t line = 0, col = 0;  // 1-based; 0 = unknown
};

struct Compile {
  bool ok = false;
  int exit_status = 1;
  std::string lang_id;
  std::vector<NativeRequirement> native_requires;
  std::optional<std::string> native_world;  // native_requires.world
  uint64_t c_source_size = 0;
  std::optional<std::string> compiled_exe;
  std::optional<uint64_t> compiled_exe_size;
  std::optional<std::string> compile_error;
  std::vector<Diagnostic> diagnostics;  // key omitted when empty
  std::string stdout_bytes, stderr_bytes;
  std::optional<uint64_t> fuel_used;
  std::optional<std::string> trap;
};

struct AttestationRef {
  std::string path, sandbox_backend, network_mode, network_enforcement;
  bool weaker_isolation = false;
};

// Mode "run-os" (--artifact).
struct RunOsReport {
  std::string world;
  Solve solve;
  std::optional<std::string> sandbox_backend;  // key present only when set
  std::optional<AttestationRef> runtime_attestation;
  int exit_code() const { return solve.ok && solve.exit_status == 0 ? 0 : 1; }
};

// Modes "compile-run" (--program) and "project-compile-run" (--project).
struct CompileRunReport {
  std::string mode;
  std::string world;
  Compile compile;
  std::optional<Solve> solve;  // null when compile failed or --compile-only
  std::optional<std::string> sandbox_backend;
  std::optional<AttestationRef> runtime_attestation;
  int exit_code() const;
};

std::string to_json(const RunOsReport& r);
std::string to_json(const CompileRunReport& r);
// The same bytes written to `out`, with file-backed fields base64-encoded as a stream
// (memory stays flat however large the program's output). Returns false on a write error.
bool write_json(std::ostream& out, const RunOsReport& r);
bool write_json(std::ostream& out, const CompileRunReport& r);

}  // namespace x07::report
