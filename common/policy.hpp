// The run-os policy model (`x07.run-os-policy@0.1.0`): parsing with upstream's
// required fields and defaults, basic validation, and the mapping to the
// X07_OS_* environment the compiled runtime reads (runner.md §5, facade.md §4).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace x07::policy {

inline constexpr const char* kSchemaVersion = "x07.run-os-policy@0.1.0";

struct Limits {
  uint64_t cpu_ms = 0, wall_ms = 0, mem_bytes = 0, fds = 0, procs = 0;
  std::optional<bool> core_dumps;
};

struct Fs {
  bool enabled = false;
  std::vector<std::string> read_roots, write_roots;
  bool deny_hidden = false;
  bool allow_symlinks = false, allow_mkdir = false, allow_remove = false, allow_rename = false;
  bool allow_walk = false, allow_glob = false;
  uint32_t max_read_bytes = 0, max_write_bytes = 0, max_entries = 0, max_depth = 0;
};

struct NetHost {
  std::string host;
  std::vector<uint16_t> ports;
};

struct Net {
  bool enabled = false, allow_dns = false, allow_tcp = false, allow_udp = false;
  std::vector<NetHost> allow_hosts;
};

struct DbDrivers {
  bool sqlite = false, postgres = false, mysql = false, redis = false;
};
struct DbSqlite {
  std::vector<std::string> allow_paths;
  bool readonly_only = false, allow_create = false, allow_in_memory = false;
};
struct DbNet {
  std::vector<std::string> allow_dns, allow_cidrs;
  std::vector<uint16_t> allow_ports;
  bool require_tls = true, require_verify = true;
};
// Absent `db` = everything false/0 (not the schema's documented defaults).
struct Db {
  bool enabled = false;
  DbDrivers drivers;
  uint32_t max_live_conns = 0, max_queries = 0, connect_timeout_ms = 0, query_timeout_ms = 0;
  uint32_t max_sql_bytes = 0, max_rows = 0, max_resp_bytes = 0;
  DbSqlite sqlite;
  DbNet net;
};

struct Env {
  bool enabled = false;
  std::vector<std::string> allow_keys, deny_keys;
};

struct Time {
  bool enabled = false, allow_monotonic = false, allow_wall_clock = false, allow_sleep = false;
  uint64_t max_sleep_ms = 0;
  bool allow_local_tzid = false;
};

struct Language {
  bool allow_unsafe = false, allow_ffi = false;
};

struct Threads {
  bool enabled = true;
  uint64_t max_workers = 0, max_blocking = 4, max_queue = 1024;
};

struct Process {
  bool enabled = false, allow_spawn = false;
  uint64_t max_live = 0, max_spawns = 0;
  std::vector<std::string> allow_execs, allow_exec_prefixes, allow_args_regex_lite, allow_env_keys;
  bool allow_exec = false, allow_exit = false;
  uint64_t max_exe_bytes = 4096, max_args = 64, max_arg_bytes = 4096, max_env = 64;
  uint64_t max_env_key_bytes = 256, max_env_val_bytes = 4096;
  uint64_t max_runtime_ms = 0;
  uint64_t max_stdout_bytes = 0, max_stderr_bytes = 0, max_total_bytes = 0, max_stdin_bytes = 0;
  bool kill_on_drop = true, kill_tree = true;
  bool allow_cwd = false;
  std::vector<std::string> allow_cwd_roots;
};

struct Policy {
  std::string schema_version;
  std::string policy_id;
  Limits limits;
  Fs fs;
  Net net;
  Db db;
  Env env;
  Time time;
  Language language;
  Threads threads;
  Process process;
};

// Parses policy JSON text. Unknown keys are ignored; missing required fields and
// wrong types fail. On failure returns nullopt and sets *err to a serde-style
// message with location, e.g. "missing field `limits` at line 3 column 1".
std::optional<Policy> parse(std::string_view text, std::string* err);

// Reads + parses a policy file. Errors: "read policy: <path>: <os error>" or
// "parse policy JSON: <path>: <message>".
std::optional<Policy> load(const std::filesystem::path& path, std::string* err);

// Semantic checks of runner.md §5.2; returns the first violation (without the
// "invalid policy: " prefix) or nullopt when the policy is acceptable.
std::optional<std::string> validate_basic(const Policy& p);

// The X07_OS_* variables for a sandboxed run, in upstream's exact order
// (names include the X07_OS_ prefix). Does not include X07_WORLD / X07_OS_SANDBOXED.
std::vector<std::pair<std::string, std::string>> env_vars(const Policy& p);

}  // namespace x07::policy
