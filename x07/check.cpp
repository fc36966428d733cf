// `x07 check [--project PATH | --program FILE]`: load, resolve and typecheck a program
// and every declaration of the modules it loads, without emitting C or starting a C
// compiler. It runs the compiler's front end in-process (no runner process), so a check
// of a small project takes milliseconds. Exit 0 when clean, 1 with diagnostics (people:
// `error[CODE]: FILE:LINE:COL` + `help:` on stderr; `--json`: an x07diag report on
// stdout), 2 for usage errors and a missing project.
#include <iostream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/json.hpp"
#include "common/os_stdlib.hpp"
#include "common/policy.hpp"
#include "common/project.hpp"
#include "compiler/compiler.hpp"
#include "compile_help.hpp"
#include "diag_print.hpp"
#include "facade_error.hpp"
#include "profile.hpp"
#include "run_target.hpp"
#include "runner_locate.hpp"

namespace fs = std::filesystem;

namespace x07::facade {
namespace {

const cli::Command& check_command() {
  static const cli::Command cmd = {
      "check",
      "Load, resolve and typecheck a project or program without building or running it",
      "x07 check [OPTIONS]",
      cli::Positionals::None,
      "",
      {
          {"project", "PATH", "Project manifest (x07.json) or its directory (default: found from the cwd upwards)"},
          {"program", "PATH", "Entry file (*.x07.json) to check instead of a project"},
          {"module-root", "PATH", "Module root for --program (repeatable; default: the program's directory)", true},
          {"profile", "NAME", "Project profile whose world and policy apply (default: the project's default)"},
          {"world", "WORLD", "World to check for", false, false, {"run-os", "run-os-sandboxed"}},
          {"compat", "COMPAT", "Language compatibility mode (accepted for upstream compatibility)"},
          {"json", "", "Print an x07diag JSON report on stdout instead of lines on stderr"},
      }};
  return cmd;
}

struct CheckPlan {
  fs::path entry;
  x07c::CompileOptions opts;
};

// World, module roots and language gates of a project (profile > manifest world).
CheckPlan plan_project(const fs::path& manifest_path, const cli::Args& a) {
  CheckPlan plan;
  project::Manifest m;
  try {
    m = project::load_manifest(manifest_path);
  } catch (const project::Error& e) {
    throw Failure(std::string("error[X07-PROJECT]: ") + manifest_path.string() + ": " + e.what() +
                  "\nhelp: fix x07.json (or run `x07 init` in a new directory to see a working one)");
  }
  plan.entry = m.entry_path();
  std::optional<project::Lockfile> lock;
  std::error_code ec;
  if (fs::is_regular_file(m.lockfile_path(), ec)) {
    try {
      lock = project::load_lockfile(m.lockfile_path());
    } catch (const project::Error&) {
      lock.reset();  // a broken lockfile only loses dependency roots; `x07 run` reports it
    }
  }
  plan.opts.module_roots = project::module_roots(m, lock ? &*lock : nullptr);
  std::optional<Profile> profile = select_profile(manifest_path, a.get("profile"));
  plan.opts.world = a.get("world").value_or(profile ? profile->world : m.world);
  if (plan.opts.world == "run-os-sandboxed" && profile && profile->policy) {
    const fs::path policy_path = project_root_of(manifest_path) / *profile->policy;
    std::string err;
    if (auto pol = policy::load(policy_path, &err)) {
      plan.opts.allow_unsafe = pol->language.allow_unsafe;
      plan.opts.allow_ffi = pol->language.allow_ffi;
    } else {
      throw Failure("error[X07-POLICY]: " + policy_path.string() + ": " + err +
                    "\nhelp: create it with `x07 policy init --template cli` (or fix the file)");
    }
  }
  return plan;
}

CheckPlan plan_program(const std::string& program, const cli::Args& a) {
  CheckPlan plan;
  plan.entry = program;
  std::vector<std::string> roots = a.all("module-root");
  if (roots.empty()) {
    const fs::path parent = fs::path(program).parent_path();
    roots.push_back(parent.empty() ? "." : parent.string());
  }
  for (const auto& r : roots) plan.opts.module_roots.emplace_back(r);
  plan.opts.world = a.get("world").value_or("run-os");
  if (plan.opts.world == "run-os-sandboxed") plan.opts.allow_unsafe = plan.opts.allow_ffi = false;
  return plan;
}

const char* stage_of(const std::string& kind) {
  if (kind == "Parse") return "parse";
  if (kind == "Typing" || kind == "Unsupported") return "type";
  return "lower";
}

std::string x07diag_report(const x07c::CompileResult& r) {
  json::Document doc;
  auto& al = doc.GetAllocator();
  doc.SetObject();
  json::set(doc, "schema_version", json::make_string("x07.x07diag@0.1.0", al), al);
  json::set(doc, "ok", json::Value(r.ok), al);
  json::Value diags(rapidjson::kArrayType);
  for (const auto& d : r.diagnostics) {
    json::Value o(rapidjson::kObjectType);
    json::set(o, "code", json::make_string(d.code, al), al);
    json::set(o, "severity", json::make_string("error", al), al);
    json::set(o, "stage", json::make_string(stage_of(r.error_kind), al), al);
    json::set(o, "message", json::make_string(d.message.empty() ? "error" : d.message, al), al);
    json::Value loc(rapidjson::kObjectType);
    json::set(loc, "kind", json::make_string("x07ast", al), al);
    json::set(loc, "ptr", json::make_string(d.ptr, al), al);
    json::set(o, "loc", std::move(loc), al);
    if (!d.file.empty()) {
      json::Value data(rapidjson::kObjectType);
      json::set(data, "file", json::make_string(d.file, al), al);
      json::set(o, "data", std::move(data), al);
    }
    diags.PushBack(o, al);
  }
  if (!r.ok && r.diagnostics.empty()) {  // budget / internal failures carry no diagnostic
    json::Value o(rapidjson::kObjectType);
    json::set(o, "code", json::make_string("X07-INTERNAL-0001", al), al);
    json::set(o, "severity", json::make_string("error", al), al);
    json::set(o, "stage", json::make_string("lower", al), al);
    json::set(o, "message", json::make_string(r.compile_error(), al), al);
    diags.PushBack(o, al);
  }
  json::set(doc, "diagnostics", std::move(diags), al);
  return json::to_pretty_sorted(doc);
}

}  // namespace

int cmd_check(const std::vector<std::string>& tokens) {
  const cli::Args a = cli::parse(check_command(), tokens);
  if (a.has("project") && a.has("program")) cli::conflict(a, "project", "program");
  if (a.has("module-root") && !a.has("program"))
    throw cli::UsageError("error: --module-root is only valid with --program", check_command().usage);

  CheckPlan plan;
  if (auto program = a.get("program")) {
    std::error_code ec;
    if (!fs::is_regular_file(*program, ec))
      throw Failure("error[X07-CHECK-INPUT]: " + *program + ": no such file\nhelp: pass the entry file, e.g. --program src/main.x07.json");
    plan = plan_program(*program, a);
  } else {
    std::optional<fs::path> manifest;
    if (auto p = a.get("project")) {
      fs::path mp(*p);
      std::error_code ec;
      if (fs::is_directory(mp, ec)) mp /= "x07.json";
      if (!fs::is_regular_file(mp, ec))
        throw Failure("error[X07-PROJECT]: " + mp.string() + ": no such file\nhelp: pass a project directory or its x07.json (`x07 init` creates one)");
      manifest = mp;
    } else {
      manifest = discover_manifest(".");
    }
    if (!manifest)
      throw Failure("error[X07-PROJECT]: no x07.json found in this directory or its parents\n"
                    "help: run `x07 init` to create a project, or check one file with `x07 check --program FILE`");
    plan = plan_project(*manifest, a);
  }
  plan.opts.os_stdlib_root = os_stdlib::locate(locate_runner().parent_path());
  if (!plan.opts.os_stdlib_root) plan.opts.os_stdlib_root = os_stdlib::locate(self_exe_dir());

  const x07c::CompileResult r = x07c::check_entry_file(plan.entry, plan.opts);
  if (a.flag("json")) {
    std::cout << x07diag_report(r);
    return r.ok ? 0 : 1;
  }
  if (r.ok) return 0;
  if (r.diagnostics.empty()) {
    print_diag(std::cerr, {"X07-INTERNAL-0001", plan.entry.string(), "", r.compile_error(), ""});
    return 1;
  }
  for (const auto& d : r.diagnostics) {
    const std::string file = d.file.empty() ? plan.entry.string() : d.file;
    print_diag(std::cerr, {d.code, file, d.ptr, d.message, compile_help(d.code, d.message, file, d.ptr)});
  }
  return 1;
}

}  // namespace x07::facade
