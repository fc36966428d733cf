// The one error style of every x07 command (x07, x07 bundle/init/policy, x07-os-runner):
//   error[CODE]: FILE:LINE:COL: what happened
//   help: how to fix it
#pragma once
#include <string>

namespace x07 {

// LOCATION is omitted when empty; a message that starts with "[CODE] " (upstream's bracketed
// codes) supplies the code; an empty help gets a pointer to --help; a multi-line help gives
// one "help:" line per line.
std::string render_error(std::string code, const std::string& location, std::string message, const std::string& help);

}  // namespace x07
