// `x07 run` in a JSON mode that only passes the runner's report through (no --report-out,
// no --quiet-json, no wrapping) does not start x07-os-runner: when the runner beside x07 is
// the one built with it (same ELF build ID), x07 links the very same code and calls it in
// its own process. Same argv, same stdin (/dev/null), same stdout/stderr bytes, same exit
// code, one process start fewer on every run. Any other runner (another build, a script,
// one found on PATH) is spawned as before.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace x07::facade {

// The lowercase hex NT_GNU_BUILD_ID of an ELF executable; "" when it has none or is not ELF.
std::string elf_build_id(const std::filesystem::path& file);

// Whether `runner` is the x07-os-runner built together with this x07.
bool runner_is_built_in(const std::filesystem::path& runner);

// Runs the built-in runner with `args` (argv[0] = `runner`), its stdin on /dev/null, our
// stdout/stderr as its own; `on_failure_report` gets the report of an exit-1 run after it
// was written. Returns the runner's exit code.
int run_runner_in_process(const std::filesystem::path& runner, const std::vector<std::string>& args,
                          std::function<void(const std::string& report_json)> on_failure_report);

}  // namespace x07::facade
