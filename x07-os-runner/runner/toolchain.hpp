// The C toolchain used to build programs: X07_CC (default `cc`), X07_CC_ARGS, and
// the compiler identity (`cc --version`), memoized on disk by the cc binary's
// path + mtime + size so warm runs never spawn the compiler.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace x07::runner {

struct Toolchain {
  std::string cc;                     // program name as configured (X07_CC or "cc")
  std::string cc_args_raw;            // X07_CC_ARGS trimmed
  std::vector<std::string> cc_args;   // X07_CC_ARGS split on whitespace
  std::string identity;               // `cc --version` stdout + stderr (or a fallback)
};

// Reads the environment and resolves the identity (cached under `cache_dir`/meta).
Toolchain detect_toolchain(const std::filesystem::path& cache_dir);

// Splits on ASCII whitespace.
std::vector<std::string> split_ws(const std::string& s);

}  // namespace x07::runner
