// The content-addressed native artifact cache: directory selection, the cached
// runtime library (libx07rt.a, built once per runtime content + C toolchain).
// The size index, entry locks and eviction are in cache_index.hpp.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "toolchain.hpp"

namespace x07::runner {

// X07_NATIVE_CACHE_DIR, else $XDG_CACHE_HOME/x07/native, else ~/.cache/x07/native.
std::filesystem::path native_cache_dir();

// Default size cap 1 GiB; env X07_NATIVE_CACHE_MAX_BYTES overrides.
uint64_t native_cache_max_bytes();

// "<dev>-<inode>-<size>-<mtime>" of this runner executable ("" if unknown): keys the
// memos of things derived from code built into the runner.
std::string runner_binary_identity();

// SHA-256 over the embedded runtime sources, memoized per runner binary.
std::string runtime_content_hash(const std::filesystem::path& cache_dir);

// A failed C compiler invocation (runtime or program).
struct CcFailure {
  int exit_code = 1;
  std::vector<std::string> argv;
  std::string out, err;
  std::string src, exe;  // temp paths involved
};

struct RuntimeLib {
  std::filesystem::path dir;        // holds runtime/, sandbox/, libx07rt.a, main_framed.o
  std::vector<std::string> link_libs;  // system libraries the runtime needs (-lseccomp, -lm, ...)
  std::filesystem::path include_runtime() const { return dir / "runtime"; }
  std::filesystem::path include_sandbox() const { return dir / "sandbox"; }
  std::filesystem::path archive() const { return dir / "libx07rt.a"; }
  std::filesystem::path main_object() const { return dir / "main_framed.o"; }
};

// Base C flags shared by the runtime library and programs (runner.md §9.3).
std::vector<std::string> base_c_flags();

// Returns the runtime library for this toolchain, building it on first use
// (atomically: temp dir + rename). Throws CcFailure when the C compiler fails.
RuntimeLib ensure_runtime(const std::filesystem::path& cache_dir, const Toolchain& tc, const std::string& rt_hash,
                          bool debug_borrow);

}  // namespace x07::runner
