// "x07-os-runner: compiling runtime library (first run)... done in 6.1 s" on stderr while a
// slow build step runs — only when stderr is a terminal (never in captured output).
#pragma once
#include <chrono>
#include <string>

namespace x07::runner {

class ProgressNote {
 public:
  explicit ProgressNote(const std::string& what);
  ~ProgressNote();
  ProgressNote(const ProgressNote&) = delete;
  ProgressNote& operator=(const ProgressNote&) = delete;

 private:
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace x07::runner
