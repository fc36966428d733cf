#include "run_text.hpp"

#include <iostream>
#include <rapidjson/pointer.h>
#include <unistd.h>

#include "common/base64.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/json_locate.hpp"
#include "compile_help.hpp"
#include "diag_print.hpp"
#include "facade_error.hpp"

namespace x07::facade {

namespace {

void write_stdout(const std::string& bytes) {
  std::cout.flush();
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n > 0) {
    ssize_t w = ::write(STDOUT_FILENO, p, n);
    if (w <= 0) return;  // a closed stdout (e.g. `| head`) is not our failure
    p += w;
    n -= static_cast<size_t>(w);
  }
}

std::string str_or(const json::Value& o, const char* key, std::string dflt = "") {
  return json::get_string(o, key).value_or(dflt);
}

// "FILE:LINE:COL" of the value at `ptr` (just FILE when it cannot be located).
// "ptr=/solve/3" at the end of a trap text -> the source location of that node (the
// trap text keeps the pointer).
std::string trap_location(const std::string& trap, const std::string& entry) {
  size_t at = trap.find(" ptr=");
  if (at == std::string::npos || entry.empty()) return entry;
  return source_location(entry, trap.substr(at + 5));
}

// The head of the call at `ptr` in the entry file ("bytes.get_u8"), so an out-of-bounds
// help names the operation the user wrote rather than the runtime helper behind it.
std::string head_at(const std::string& entry, const std::string& ptr) {
  json::Document doc;
  if (entry.empty() || json::parse_file(entry, doc)) return "";
  const json::Value* v = rapidjson::Pointer(ptr.c_str()).Get(doc);
  if (!v || !v->IsArray() || v->Empty() || !(*v)[0].IsString()) return "";
  return (*v)[0].GetString();
}

std::string user_op_help(const std::string& trap, std::string help, const std::string& entry) {
  size_t at = trap.find(" oob ptr=");
  if (at == std::string::npos) return help;
  std::string op = trap.substr(0, at);
  std::string user = head_at(entry, trap.substr(at + 9));
  if (!user.empty() && user != op && help.rfind(op + ":", 0) == 0) help = user + help.substr(op.size());
  return help;
}

// Limits the runner enforces from outside the program (fuel and memory traps are the
// program's own, exit 5 like a bundle).
bool is_limit(const std::string& trap) {
  return trap == "timed out" || trap == "stdout exceeded cap" || trap == "stderr exceeded cap" || trap.rfind("native output too large", 0) == 0 ||
         trap.rfind("terminated by signal", 0) == 0;
}

}  // namespace

int present_compile_failure(const json::Value& compile, const std::string& entry) {
  TextContext ctx;
  ctx.entry = entry;
  const json::Value* diags = json::get_array(compile, "diagnostics");
  if (diags && !diags->Empty()) {
    for (const auto& d : diags->GetArray()) {
      std::string loc;
      std::string file = ctx.entry, ptr;
      if (const json::Value* l = json::get_object(d, "loc")) {
        if (auto f = json::get_string(*l, "file"); f && !f->empty()) file = *f;
        ptr = str_or(*l, "ptr");
      }
      if (!file.empty()) loc = ptr.empty() ? file : source_location(file, ptr);
      std::string code = str_or(d, "code", "X07C_ERROR");
      std::string msg = str_or(d, "message");
      std::cerr << render_error(code, loc, ptr.empty() ? msg : msg + " (at " + ptr + ")",
                                compile_help(code, msg, file, ptr));
    }
    return kExitCompile;
  }
  std::string msg = str_or(compile, "compile_error", "compile failed");
  std::cerr << render_error("X07C_ERROR", ctx.entry, msg, compile_help("", msg, ctx.entry, ""));
  return kExitCompile;
}

void explain_json_report_failure(const std::string& runner_stdout, const std::string& entry) {
  try {
    TextContext ctx;
    ctx.entry = entry;
    ctx.write_output = false;
    present_text_report(runner_stdout, 1, ctx);
  } catch (const std::exception&) {
    // not a report we can read: the report on stdout is all there is
  }
}

int present_text_report(const std::string& runner_stdout, int runner_exit, const TextContext& ctx) {
  if (runner_exit == 2 && runner_stdout.empty()) return kExitUsage;  // the runner printed its error
  json::Document doc;
  std::string err;
  if (!json::parse(runner_stdout, doc, &err) || !doc.IsObject())
    throw Failure("the runner's report is not JSON: " + err, kExitUsage,
                  "rerun with --report runner to see the raw output", "X07E_RUNNER_REPORT");

  const json::Value* solve = &doc;
  if (const json::Value* compile = json::get_object(doc, "compile")) {
    if (!json::get_bool(*compile, "ok").value_or(false)) return present_compile_failure(*compile, ctx.entry);
    solve = json::get_object(doc, "solve");
    if (!solve) {  // --compile-only
      if (ctx.verbose) std::cerr << "x07: compiled " << ctx.entry << "\n";
      return 0;
    }
  }
  std::string out;
  if (auto b64 = json::get_string(*solve, "solve_output_b64")) {
    if (auto bytes = base64::decode(*b64)) out = std::move(*bytes);
  }
  if (ctx.write_output) write_stdout(out);

  const int status = static_cast<int>(json::get_i64(*solve, "exit_status").value_or(1));
  auto trap = json::get_string(*solve, "trap");
  if (trap) {
    std::string help = json::get_string(*solve, "trap_help").value_or("");
    if (help.empty()) help = "the program stopped at a runtime check; rerun with --report runner for the full report";
    help = user_op_help(*trap, help, ctx.entry);
    std::string code = is_limit(*trap) ? "X07T_LIMIT" : "X07T_TRAP";
    if (trap->find("by policy") != std::string::npos || trap->find("unsafe path") != std::string::npos ||
        trap->find("denied") != std::string::npos || trap->find("not allowed") != std::string::npos ||
        trap->find("allow_hosts required") != std::string::npos)
      code = "X07T_DENIED";
    std::cerr << render_error(code, trap_location(*trap, ctx.entry), "program trapped: " + *trap, help);
    return is_limit(*trap) ? kExitLimit : kExitTrap;
  }
  if (ctx.verbose) {
    std::cerr << "x07: program exited with status " << status;
    if (auto f = json::get_u64(*solve, "fuel_used")) std::cerr << " (fuel_used " << *f << ")";
    std::cerr << "\n";
  }
  return status;
}

}  // namespace x07::facade
