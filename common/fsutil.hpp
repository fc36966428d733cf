// Small filesystem helpers: whole-file reads, atomic writes (temp file + rename),
// directory creation, and Rust-style OS error texts ("<text> (os error N)").
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace x07::fsutil {

// "<strerror text> (os error N)", the way upstream prints std::io::Error.
std::string os_error_text(int err);

// Reads the whole file into `out`. On failure returns false and sets *err (os_error_text).
bool read_file(const std::filesystem::path& path, std::string& out, std::string* err = nullptr);

// Writes `data` to a unique temp file next to `path`, then renames it over `path`, so a
// concurrent reader sees either the old or the complete new file. `mode` is the new file's
// permission bits. Returns false and sets *err on failure (the temp file is removed).
bool write_file_atomic(const std::filesystem::path& path, std::string_view data, std::string* err = nullptr,
                       unsigned mode = 0644);

// Copies `src` to `dst` atomically (temp file in dst's directory + rename), preserving the
// permission bits of `src`. Creates dst's parent directories.
bool copy_file_atomic(const std::filesystem::path& src, const std::filesystem::path& dst,
                      std::string* err = nullptr);

// mkdir -p. Returns false and sets *err on failure.
bool create_dirs(const std::filesystem::path& dir, std::string* err = nullptr);

// A name unique within this process and across processes: "<prefix><pid>_<counter>".
std::string unique_name(std::string_view prefix);

// This executable's path (/proc/self/exe, resolved once per process: several lookups on
// every run are relative to it); empty when it cannot be read.
const std::filesystem::path& self_exe();

}  // namespace x07::fsutil
