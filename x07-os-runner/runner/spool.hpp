// Where a program's stdout goes while it runs: memory up to a small threshold, then an
// unlinked temporary file, so the runner's memory does not grow with the output.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/report.hpp"

namespace x07::runner {

class Spool {
 public:
  explicit Spool(size_t memory_limit = kDefaultMemoryLimit) : memory_limit_(memory_limit) {}

  // Appends `n` bytes, moving everything to a temporary file once past the memory limit.
  // Throws RunnerError when the temporary file cannot be created or written.
  void append(const char* data, size_t n);

  uint64_t size() const { return size_; }
  bool in_memory() const { return !file_.fd; }
  const std::string& memory() const { return mem_; }

  // Up to `n` bytes from offset `off` (reads the file when spooled).
  std::string read(uint64_t off, size_t n) const;
  // A range of the spooled bytes, for the report writer (only when !in_memory()).
  report::FileBytes range(uint64_t off, uint64_t n) const { return {file_.fd, off, n}; }

  static constexpr size_t kDefaultMemoryLimit = 1 << 20;

 private:
  size_t memory_limit_;
  std::string mem_;
  report::FileBytes file_;
  uint64_t size_ = 0;
};

}  // namespace x07::runner
