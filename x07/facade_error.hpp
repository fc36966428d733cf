// Errors of the facade commands. `Failure` carries an exit code, a diagnostic code and a
// fix; main prints it in the one error style of the toolchain (see render_error).
#pragma once
#include <stdexcept>
#include <string>

#include "common/error_style.hpp"

namespace x07::facade {

class Failure : public std::runtime_error {
 public:
  explicit Failure(const std::string& msg, int code = 2, std::string help = {}, std::string diag_code = {})
      : std::runtime_error(msg), exit_code(code), help(std::move(help)), diag_code(std::move(diag_code)) {}
  int exit_code;
  std::string help;       // how to fix it; empty = a generic pointer to --help
  std::string diag_code;  // e.g. X07PROJECT_MISSING; empty = X07E_FACADE
  std::string location;   // FILE[:LINE:COL] when a file is involved
};

// Already reported (e.g. an x07diag document was printed); just exit with `code`.
struct Exit {
  int code;
};

using x07::render_error;

}  // namespace x07::facade
