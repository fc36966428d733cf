#include "run_report.hpp"

#include <iostream>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/utf8.hpp"
#include "facade_error.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

std::string quoted_or_null(const std::optional<std::string>& s) { return s ? json_quoted(*s) : "null"; }

}  // namespace

std::string wrap_runner_report(const WrappedTarget& t, const std::string& runner_stdout) {
  if (!utf8::valid(runner_stdout)) throw Failure("runner report is not utf-8");
  const char* ws = " \t\n\r";  // JSON's insignificant whitespace (not \f or \v)
  size_t b = runner_stdout.find_first_not_of(ws);
  std::string body = b == std::string::npos ? "" : runner_stdout.substr(b, runner_stdout.find_last_not_of(ws) - b + 1);
  json::Document doc;
  std::string err;
  if (!json::parse(body, doc, &err)) throw Failure("parse runner report JSON: " + err);

  std::string roots;
  if (t.resolved_module_roots.empty()) {
    roots = "[]";
  } else {
    roots = "[";
    for (size_t i = 0; i < t.resolved_module_roots.size(); ++i)
      roots += std::string(i ? "," : "") + "\n      " + json_quoted(t.resolved_module_roots[i]);
    roots += "\n    ]";
  }
  return std::string("{\n") +
         "  \"schema_version\": \"x07.run.report@0.3.0\",\n"
         "  \"runner\": \"os\",\n"
         "  \"world\": " + json_quoted(t.world) + ",\n"
         "  \"target\": {\n"
         "    \"kind\": " + json_quoted(t.kind) + ",\n"
         "    \"path\": " + json_quoted(t.path) + ",\n"
         "    \"project_root\": " + quoted_or_null(t.project_root) + ",\n"
         "    \"lockfile\": " + quoted_or_null(t.lockfile) + ",\n"
         "    \"resolved_module_roots\": " + roots + "\n"
         "  },\n"
         "  \"report\": " + body + "\n"
         "}\n";
}

void check_report_out(const std::optional<std::string>& report_out) {
  if (report_out && *report_out == "-")
    throw Failure("--report-out '-' is not supported (stdout is reserved for the report)");
}

void emit_report(const std::string& bytes, const std::optional<std::string>& report_out, bool quiet) {
  if (report_out) {
    fs::path p = *report_out;
    std::string err;
    if (p.has_parent_path() && !fsutil::create_dirs(p.parent_path(), &err))
      throw Failure("create dir: " + p.parent_path().string() + ": " + err);
    if (!fsutil::write_file_atomic(p, bytes, &err)) throw Failure("write report: " + p.string() + ": " + err);
  }
  if (!quiet) std::cout << bytes << std::flush;
}

}  // namespace x07::facade
