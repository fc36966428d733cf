// Public API of the x07AST -> C compiler used by x07-os-runner.
// Stages (one file each): loader.cpp (load + resolve modules), typecheck.cpp,
// lower.cpp, emit_c.cpp.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace x07c {

inline constexpr const char* kLangId = "x07-core@0.2.0";

struct CompileOptions {
  std::string world = "run-os";                         // "run-os" | "run-os-sandboxed" | "solve-fs|kv|rr|full"
  bool allow_unsafe = true;                             // sandboxed: policy.language.allow_unsafe
  bool allow_ffi = true;                                // sandboxed: policy.language.allow_ffi
  std::vector<std::filesystem::path> module_roots;      // user roots, searched in order
  std::optional<std::filesystem::path> os_stdlib_root;  // appended after the user roots
  uint64_t max_c_bytes = 32u * 1024u * 1024u;
  bool keep_unreachable = false;  // check + emit every loaded function, not only those reachable from solve
};

struct Diagnostic {
  std::string code;      // e.g. "X07-TYPE-0001"
  std::string message;
  std::string file;      // source file the error is in
  std::string ptr;       // x07AST JSON pointer, e.g. "/solve/2"
};

struct CompileResult {
  bool ok = false;
  std::string c_source;                 // the generated program (on success)
  std::string error_kind;               // Parse | Typing | Unsupported | Budget | Internal
  std::string error_message;            // human message naming file, pointer and a fix
  std::vector<Diagnostic> diagnostics;  // at most 20
  uint64_t fuel_used = 0;               // compile-time work units
  // Module files looked up on disk (path, found), on success: with the entry file's
  // bytes and the options they determine the result.
  std::vector<std::pair<std::string, bool>> module_probes;
  // "<Kind>: <message>" as the report's compile.compile_error shows it.
  std::string compile_error() const { return error_kind + ": " + error_message; }
};

// Compile an entry file (kind "entry", module_id "main").
CompileResult compile_entry_file(const std::filesystem::path& entry, const CompileOptions& opts);

// The environment variables that change the generated C (X07_NO_LOOP_VERSIONING,
// X07_SPLIT_ABOVE) as one string, for cache keys that skip the front end.
std::string compiler_env_knobs();

// Load, resolve and typecheck an entry file and every declaration of the modules it
// loads (reachable or not) without lowering or emitting C (`x07 check`). On success
// `ok` is set and `c_source` stays empty.
CompileResult check_entry_file(const std::filesystem::path& entry, const CompileOptions& opts);

}  // namespace x07c
