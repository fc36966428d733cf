// Spawning a helper (the runner) with stdin on /dev/null and stdout/stderr captured
// completely (facade.md §1.11 "Execution").
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace x07::facade {

struct Captured {
  int exit_code = 0;      // the exit status, or -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

// Runs `program` (a bare name is looked up in PATH) with `args`. Throws Failure
// "exec <program>: <os error>" when it cannot be started.
// A non-empty `cwd` is the child's working directory. With `inherit_stderr` (text mode)
// the helper writes to our stderr directly and gets our stdout as its fd 3, so the
// program's output reaches the terminal as it is produced; `err` stays empty.
Captured run_captured(const std::filesystem::path& program, const std::vector<std::string>& args,
                      const std::filesystem::path& cwd = {}, bool inherit_stderr = false);

}  // namespace x07::facade
