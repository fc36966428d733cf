// Running helper tools (the C compiler) and capturing their output.
#pragma once
#include <string>
#include <vector>

namespace x07::runner {

struct ToolResult {
  bool started = false;  // false: exec failed (errno in spawn_errno)
  int spawn_errno = 0;
  int exit_code = 1;     // exit status; 1 when killed by a signal
  std::string out, err;
};

// Runs argv[0] (PATH lookup) with stdin = /dev/null and captures stdout/stderr.
ToolResult run_tool(const std::vector<std::string>& argv);

// Runs several commands with at most `jobs` in flight; results in input order.
std::vector<ToolResult> run_tools_parallel(const std::vector<std::vector<std::string>>& argvs, unsigned jobs);

}  // namespace x07::runner
