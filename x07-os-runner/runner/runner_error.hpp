// A runner-side failure: message on stderr, nothing on stdout, exit code 2.
#pragma once
#include <stdexcept>
#include <string>

namespace x07::runner {

class RunnerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A command-line usage problem (usage text on stderr, exit 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace x07::runner
