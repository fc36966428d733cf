#include "progress_note.hpp"

#include <cstdio>
#include <unistd.h>

namespace x07::runner {

ProgressNote::ProgressNote(const std::string& what) : start_(std::chrono::steady_clock::now()) {
  if (!::isatty(STDERR_FILENO)) return;
  shown_ = true;
  std::fprintf(stderr, "x07-os-runner: %s...", what.c_str());
  std::fflush(stderr);
}

ProgressNote::~ProgressNote() {
  if (!shown_) return;
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, " done in %.1f s\n", s);
  std::fflush(stderr);
}

}  // namespace x07::runner
