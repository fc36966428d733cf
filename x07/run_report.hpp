// Report output of `x07 run` (facade.md §1.12): runner bytes verbatim, or the
// `x07.run.report@0.3.0` wrapper; optional copy to --report-out.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace x07::facade {

struct WrappedTarget {
  std::string world;
  std::string kind;  // project | program | artifact
  std::string path;
  std::optional<std::string> project_root;
  std::optional<std::string> lockfile;
  std::vector<std::string> resolved_module_roots;
};

// Pretty JSON + "\n" with fixed key order; the runner's JSON is embedded byte-for-byte
// (surrounding whitespace trimmed). Throws Failure when the runner output is not one
// UTF-8 JSON value. The `repair` key is never present (x07 run does not repair).
std::string wrap_runner_report(const WrappedTarget& t, const std::string& runner_stdout);

// Writes `bytes` to --report-out (parent dirs created) and, unless `quiet`, to stdout.
void emit_report(const std::string& bytes, const std::optional<std::string>& report_out, bool quiet);

// Rejects `--report-out -` (facade.md §1.12).
void check_report_out(const std::optional<std::string>& report_out);

}  // namespace x07::facade
