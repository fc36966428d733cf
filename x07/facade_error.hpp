// Errors of the facade commands. `Failure` carries an exit code; its text is printed
// to stderr as one line (facade.md §0: message chain joined with ": ", exit 2).
#pragma once
#include <stdexcept>
#include <string>

namespace x07::facade {

class Failure : public std::runtime_error {
 public:
  explicit Failure(const std::string& msg, int code = 2) : std::runtime_error(msg), exit_code(code) {}
  int exit_code;
};

// Already reported (e.g. an x07diag document was printed); just exit with `code`.
struct Exit {
  int code;
};

}  // namespace x07::facade
