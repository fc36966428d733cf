// `--stream-output`: the program's stderr is passed to the runner's stderr while the
// program runs (so long-running programs show their logs live), except the metrics JSON
// line the runtime writes last, which only feeds the report.
#pragma once
#include <string>
#include <string_view>

namespace x07::runner {

class LiveStderr {
 public:
  explicit LiveStderr(int fd) : fd_(fd) {}
  // Bytes as they arrive. Lines starting with '{' are held until the next byte shows
  // they are not the last line.
  void feed(std::string_view bytes);
  // The program is gone: a held line that is the metrics line is dropped, else written.
  void finish();

 private:
  void write_out(std::string_view bytes);
  enum class State { LineStart, Passing, Holding } state_ = State::LineStart;
  std::string held_;  // the current '{' line (complete or not)
  int fd_;
};

}  // namespace x07::runner
