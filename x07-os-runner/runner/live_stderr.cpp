#include "live_stderr.hpp"

#include <cerrno>
#include <unistd.h>

#include "solve_result.hpp"

namespace x07::runner {

void LiveStderr::write_out(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed stderr must not stop the run
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void LiveStderr::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    if (state_ == State::LineStart) {
      if (!held_.empty()) {  // a complete held line followed by more output: not the metrics line
        write_out(held_);
        held_.clear();
      }
      state_ = bytes.front() == '{' ? State::Holding : State::Passing;
    }
    size_t nl = bytes.find('\n');
    std::string_view part = bytes.substr(0, nl == std::string_view::npos ? bytes.size() : nl + 1);
    if (state_ == State::Holding) held_.append(part);
    else write_out(part);
    if (nl != std::string_view::npos) state_ = State::LineStart;
    bytes.remove_prefix(part.size());
  }
}

void LiveStderr::finish() {
  if (!held_.empty() && !parse_metrics(held_)) write_out(held_);
  held_.clear();
  state_ = State::LineStart;
}

}  // namespace x07::runner
