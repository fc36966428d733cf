// The runner's whole command line behaviour as a function: x07-os-runner's main() is
// just this, and `x07 run` calls it in its own process when it would only pass the
// report through (one process start fewer on every run; see x07/runner_inproc.hpp).
#pragma once
#include <functional>
#include <string>

namespace x07::runner {

struct RunnerHooks {
  // Called with the report's JSON after a report with exit code 1 was written to stdout.
  std::function<void(const std::string& report_json)> failure_report;
};

// Parses argv (argv[0] = the program name), runs, prints the report; returns the exit code.
// Sets process-wide state the way a fresh x07-os-runner process has it: SIGPIPE ignored,
// iostreams unsynchronized from stdio, fd 3 as the live stdout of --stream-output.
int runner_main(int argc, char** argv, const RunnerHooks& hooks = {});

}  // namespace x07::runner
