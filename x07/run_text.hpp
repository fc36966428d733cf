// `x07 run --report text` (the default when stdout is a terminal): the program's output
// bytes on stdout, its stderr on stderr (streamed live by the runner), and on failure one
// `error[CODE]: …` line plus `help: …` on stderr. The exit status is the program's own,
// or one of the documented failure codes below.
#pragma once
#include <string>

#include <rapidjson/document.h>

namespace x07::facade {

// Exit codes of text mode (also in `x07 run --help` and the README).
inline constexpr int kExitUsage = 2;         // bad command line / runner error
inline constexpr int kExitPolicy = 3;        // schema-invalid policy
inline constexpr int kExitCompile = 4;       // compile error
inline constexpr int kExitTrap = 5;          // trap: policy denial, bounds, fuel, memory (a bundle exits 5 too)
inline constexpr int kExitLimit = 6;         // outside limit: wall time, CPU, output cap, killed by a signal

struct TextContext {
  std::string entry;  // the program/project entry file, for locations
  bool verbose = false;
  bool write_output = true;  // false: only the error lines (JSON modes)
};

// Presents the runner's report (its stdout) and returns the exit status. Runner errors
// (exit 2, no report) have already printed their error on stderr.
// One error line (+ help) per compile diagnostic of a report's `compile` object; returns 4.
int present_compile_failure(const rapidjson::Value& compile, const std::string& entry);

int present_text_report(const std::string& runner_stdout, int runner_exit, const TextContext& ctx);

// JSON modes: the report on stdout stays byte for byte; a compile failure or trap in it is
// also explained on stderr in the error style (nothing when the report cannot be read).
void explain_json_report_failure(const std::string& runner_stdout, const std::string& entry);

}  // namespace x07::facade
