// The `help:` line of x07-os-runner's own errors (exit 2), chosen by the message.
#pragma once
#include <string>

namespace x07::runner {

std::string runner_error_help(const std::string& message);
// The code shown in `error[CODE]` for a runner error.
std::string runner_error_code(const std::string& message);

}  // namespace x07::runner
