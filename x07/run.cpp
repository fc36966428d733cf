// `x07 run` (facade.md §1): pick the target, profile, world, policy and input, then
// hand everything to x07-os-runner and pass its report through. The facade never
// compiles or runs programs itself, and never rewrites user source (no auto-repair).
#include <iostream>
#include <unistd.h>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/project.hpp"
#include "compat.hpp"
#include "facade_error.hpp"
#include "input.hpp"
#include "lazy_manifest.hpp"
#include "lockfile_min.hpp"
#include "policy_resolve.hpp"
#include "profile.hpp"
#include "run_report.hpp"
#include "run_text.hpp"
#include "run_target.hpp"
#include "runner_argv.hpp"
#include "runner_locate.hpp"
#include "subprocess.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

const cli::Command& run_command() {
  static const cli::Command cmd = {
      "run",
      "Run an x07 project, program or artifact in an OS world via x07-os-runner and print its report",
      "x07 run [OPTIONS] [ARGS]...",
      cli::Positionals::Trailing,
      "ARGS",
      cli::concat({
          {
              {"project", "PATH", "Project manifest (x07.json) or its directory"},
              {"program", "PATH", "Single x07AST entry file (*.x07.json)"},
              {"artifact", "PATH", "Precompiled executable (not for run-os-sandboxed)"},
              {"profile", "NAME", "Profile from x07.json profiles"},
              {"world", "WORLD", "Override the world", false, true, project::kKnownWorlds},
              {"runner", "RUNNER", "Runner selection", false, true, {"auto", "host", "os"}},
              {"host", "", "Use the host runner (solve worlds)", false, true},
              {"os", "", "Use the OS runner (world run-os)", false, true},
              {"compat", "COMPAT", "Language compat: current, strict, or MAJOR.MINOR[.PATCH]"},
              {"offline", "", "Do not use the network for dependency hydration"},
              {"input", "PATH", "Program input file"},
              {"stdin", "", "Read program input from stdin"},
              {"input-b64", "BASE64", "Program input as base64"},
              {"cc-profile", "PROFILE", "C flag profile", false, false, {"default", "size"}},
              {"max-c-bytes", "BYTES", "Limit on the generated C size"},
              {"compiled-out", "PATH", "Also copy the compiled executable here"},
              {"compile-only", "", "Compile only (solve worlds)", false, true},
              {"module-root", "PATH", "Module root for --program (repeatable)", true},
              {"policy", "PATH", "Base policy file (run-os-sandboxed)"},
              {"sandbox-backend", "BACKEND", "Sandbox backend (forwarded to the runner)", false, false,
               {"auto", "vm", "os", "native", "none"}},
              {"i-accept-weaker-isolation", "", "Accept weaker isolation than the backend default"},
              {"attest-runtime", "PATH", "Write a runtime attestation (run-os-sandboxed)"},
          },
          derived_policy_flags(),
          {
              {"solve-fuel", "N", "Fuel budget [default: profile, else 50000000]"},
              {"max-memory-bytes", "N", "Heap arena size [default: profile, else 67108864]"},
              {"max-output-bytes", "N", "Largest accepted program output [default: profile, else runner default]"},
              {"cpu-time-limit-seconds", "N", "run-os CPU limit [default: profile, else runner default]"},
              {"debug-borrow-checks", "", "Compile with runtime borrow checks"},
              {"auto-ffi", "", "Compile and link ffi/*.c of ffi packages"},
              {"no-auto-ffi", "", "Do not compile ffi packages"},
              {"report", "MODE",
               "Output: text (program output; default on a terminal), runner (the runner's JSON report; default "
               "otherwise), wrapped",
               false, false, {"runner", "wrapped", "text"}},
              {"verbose", "", "Text mode: also print a status line when the program succeeds"},
              {"repair", "MODE", "Accepted for compatibility; x07 run never rewrites source files", false, false,
               {"off", "memory", "write"}},
              {"repair-max-iters", "N", "Accepted for compatibility (no repair is done)"},
          },
      }),
      "Program arguments: everything after `--` (or after the first non-flag token) reaches the program as "
      "argv_v1 bytes, argv[0] = the program name",
      "Exit status:\n"
      "  --report runner|wrapped (JSON): 0 ok; 1 compile failure, trap or non-zero program status (see the report);\n"
      "                                  2 usage/runner error; 3 schema-invalid policy\n"
      "  --report text: the program's own status; 2 usage/runner error; 3 schema-invalid policy; 4 compile error;\n"
      "                 5 trap, incl. policy denials and fuel/memory exhaustion (a bundle exits 5 too);\n"
      "                 6 stopped at an outside limit (wall time, CPU, output cap, killed by a signal)\n"
      "\nEnvironment:\n"
      "  X07_CC, X07_CC_ARGS         C compiler and extra flags used to build programs\n"
      "  X07_NATIVE_CACHE_DIR        artifact cache [default: ~/.cache/x07/native]\n"
      "  X07_NATIVE_CACHE_MAX_BYTES  cache size cap [default: 1 GiB]\n"
      "  X07_MAX_C_BYTES             limit on the generated C size (like --max-c-bytes)\n"
      "  X07_COMPAT                  default language compat (like --compat)\n"
      "  X07_KEEP_C                  keep the generated C next to the cached executable\n"
      "  x07-os-runner is found next to x07, else on PATH\n"};
  return cmd;
}

bool is_solve_world(const std::string& w) { return w.rfind("solve-", 0) == 0; }

// Module roots of a manifest whose lockfile exists and verifies (§1.11), else nullopt.
std::optional<std::vector<std::string>> locked_project_roots(const fs::path& manifest) {
  try {
    project::Manifest m = project::load_manifest(manifest);
    std::error_code ec;
    if (!fs::is_regular_file(m.lockfile_path(), ec)) return std::nullopt;
    project::Lockfile lock = project::load_lockfile(m.lockfile_path());
    project::verify_lockfile(m, lock);
    return path_strings(project::module_roots(m, &lock));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Module roots of a project for the wrapped report: manifest + lock, or the manifest's
// own roots when the lockfile is missing or invalid.
std::vector<std::string> project_roots_for_report(const fs::path& manifest) {
  if (auto r = locked_project_roots(manifest)) return *r;
  try {
    return path_strings(project::module_roots(project::load_manifest(manifest), nullptr));
  } catch (const std::exception&) {
    return {};
  }
}

// The program's entry file (for FILE:LINE:COL in error lines); "" for artifacts.
std::string entry_file_of(const Target& target, LazyManifest& manifest) {
  if (target.kind == TargetKind::Program) return target.path.string();
  if (target.kind != TargetKind::Project) return "";
  try {
    return manifest.get().entry_path().string();
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

int cmd_run(const std::vector<std::string>& tokens) {
  cli::Args a = cli::parse(run_command(), tokens);

  // Parse-time conflicts (clap groups).
  const std::vector<std::string> input_flags = {"input", "stdin", "input-b64"};
  for (size_t i = 0; i < input_flags.size(); ++i)
    for (size_t j = i + 1; j < input_flags.size(); ++j)
      if (a.has(input_flags[i]) && a.has(input_flags[j])) cli::conflict(a, input_flags[i], input_flags[j]);
  for (const auto& f : input_flags)
    if (a.has(f) && !a.positionals.empty())
      throw cli::UsageError("error: the argument " + std::string("'--") + f +
                                "' cannot be used with trailing program arguments",
                            run_command().usage);
  if (a.has("runner") && a.has("host")) cli::conflict(a, "runner", "host");
  if (a.has("runner") && a.has("os")) cli::conflict(a, "runner", "os");
  if (a.has("auto-ffi") && a.has("no-auto-ffi")) cli::conflict(a, "auto-ffi", "no-auto-ffi");
  (void)a.u64("repair-max-iters");
  check_report_out(a.get("report-out"));
  // Text on a terminal unless a report shape is asked for (or only a report file is wanted).
  const std::string report_mode =
      a.get("report").value_or(::isatty(STDOUT_FILENO) && !a.has("quiet-json") ? "text" : "runner");
  if (report_mode == "text" && a.has("quiet-json"))
    throw Failure("--quiet-json has no effect with --report text", 2,
                  "drop --quiet-json (text mode never prints the report on stdout; --report-out FILE keeps it)",
                  "X07_USAGE");

  // §1.2 target, §1.4 hydration, §1.5 profile.
  Target target = select_run_target(a.get("project"), a.get("program"), a.get("artifact"));
  if (target.kind == TargetKind::Project) hydrate_lockfile_if_missing(*target.manifest);
  std::optional<Profile> profile = select_profile(target.manifest, trimmed_non_empty(a.get("profile")));

  LazyManifest manifest(target.manifest);  // world fallback, compat, report fields

  // §1.6 world and runner.
  if (a.has("host") && a.has("os")) throw Failure("--host and --os are mutually exclusive");
  std::string world;
  if (auto w = a.get("world")) world = *w;
  else if (a.has("os")) world = "run-os";
  else if (a.has("host")) world = "solve-pure";
  else if (profile) world = profile->world;
  else if (target.manifest) world = manifest.get().world;
  else world = "run-os";
  if (world.empty()) world = "run-os";

  std::string runner_mode = "auto";
  if (auto r = a.get("runner")) runner_mode = *r;
  else if (a.has("host")) runner_mode = "host";
  else if (a.has("os")) runner_mode = "os";
  else if (profile && profile->runner) runner_mode = *profile->runner;
  if (runner_mode == "host" && !is_solve_world(world))
    throw Failure("host runner is incompatible with --world " + world);
  if (runner_mode == "os" && is_solve_world(world)) throw Failure("os runner is incompatible with --world " + world);
  const bool os_runner = runner_mode == "os" || (runner_mode == "auto" && !is_solve_world(world));
  if (!os_runner && (a.has("sandbox-backend") || a.has("i-accept-weaker-isolation")))
    throw Failure("--sandbox-backend/--i-accept-weaker-isolation are only supported for OS worlds");
  if (a.has("attest-runtime") && world != "run-os-sandboxed")
    throw Failure("--attest-runtime is only supported for --world run-os-sandboxed");
  if (!os_runner && world != "solve-pure")  // like upstream's x07 run, which passes no fixtures
    throw Failure("world " + world +
                  " needs fixtures, which x07 run does not take; run it with x07 test (the test's fixture_root) or "
                  "x07-os-runner --world " + world + " --fixture-... (see README, fixture worlds), or use --world run-os");
  if (!os_runner)
    throw Failure("world " + world +
                  " needs the deterministic host runner (x07-host-runner), which this toolchain does not include; "
                  "use --world run-os or --world run-os-sandboxed");

  // §1.8 policy.
  std::optional<fs::path> project_root;
  if (target.manifest) project_root = project_root_of(*target.manifest);
  const fs::path policy_root = project_root ? *project_root : fs::current_path();
  PolicyResolution policy = resolve_policy(world, policy_root, a.get("policy"),
                                           profile ? profile->policy : std::nullopt, overrides_from(a), "x07 run");

  if (world == "run-os-sandboxed" && target.kind == TargetKind::Artifact)
    throw Failure(
        "run-os-sandboxed does not support --artifact; use --program or --project so policy can be enforced at "
        "compile time");
  if (a.has("compile-only")) throw Failure("--compile-only is only valid for deterministic solve worlds");
  if (a.has("module-root") && target.kind != TargetKind::Program)
    throw Failure("--module-root is only valid with --program");

  // §1.7 input (temp files removed when `temps` goes out of scope, also on errors).
  TempFiles temps;
  InputSources src;
  src.input_path = a.get("input");
  src.from_stdin = a.has("stdin");
  src.input_b64 = a.get("input-b64");
  src.trailing = a.positionals;
  src.profile_input = profile ? profile->input : std::nullopt;
  src.project_root = project_root;
  std::optional<std::string> input = resolve_input(src, temps);

  // §1.10 compat and auto-ffi.
  std::optional<std::string> compat = resolve_compat(a.get("compat"), manifest.compat());

  // Program module roots (§1.11).
  std::vector<std::string> program_roots;
  if (target.kind == TargetKind::Program) {
    program_roots = a.all("module-root");
    if (program_roots.empty() && target.manifest) {
      if (auto r = locked_project_roots(*target.manifest)) program_roots = *r;
    }
    if (program_roots.empty()) {
      fs::path parent = target.path.parent_path();
      program_roots.push_back(parent.empty() ? "." : parent.string());
    }
  }

  // §1.11 runner argv, in the documented order.
  std::vector<std::string> argv;
  push(argv, "--cc-profile", cc_profile_of(a, profile));
  push(argv, "--world", world);
  if (compat) push(argv, "--compat", *compat);
  if (auto v = a.u64("max-c-bytes")) push(argv, "--max-c-bytes", std::to_string(*v));
  if (auto v = a.get("compiled-out")) push(argv, "--compiled-out", *v);
  if (input) push(argv, "--input", *input);
  push_resource_limits(argv, a, profile, std::nullopt);  // no CPU default: the runner's applies
  if (a.has("debug-borrow-checks")) argv.push_back("--debug-borrow-checks");
  if (auto p = policy.effective()) push(argv, "--policy", p->string());
  if (auto b = a.get("sandbox-backend")) push(argv, "--sandbox-backend", *b == "native" ? "os" : *b);
  if (a.has("i-accept-weaker-isolation")) argv.push_back("--i-accept-weaker-isolation");
  if (auto p = a.get("attest-runtime")) push(argv, "--attest-runtime", *p);
  if (auto_ffi_enabled(a, profile)) argv.push_back("--auto-ffi");
  switch (target.kind) {
    case TargetKind::Project:
      push(argv, "--project", target.path.string());
      break;
    case TargetKind::Program:
      push(argv, "--program", target.path.string());
      for (const auto& r : program_roots) push(argv, "--module-root", r);
      break;
    case TargetKind::Artifact:
      push(argv, "--artifact", target.path.string());
      break;
  }

  const fs::path runner = locate_runner();
  if (report_mode == "text") {
    argv.push_back("--stream-output");  // the program's stderr reaches ours while it runs
    Captured c = run_captured(runner, argv, {}, /*inherit_stderr=*/true);
    if (c.exit_code < 0)
      throw Failure("x07-os-runner was killed by signal " + std::to_string(c.signal), kExitLimit,
                    "it was stopped from outside (e.g. Ctrl-C or the OOM killer); rerun, or lower the program's "
                    "memory use with --max-memory-bytes",
                    "X07RUN_KILLED");
    if (a.get("report-out") && !c.out.empty()) emit_report(c.out, a.get("report-out"), /*quiet=*/true);
    TextContext ctx;
    ctx.verbose = a.has("verbose");
    ctx.entry = entry_file_of(target, manifest);
    return present_text_report(c.out, c.exit_code, ctx);
  }
  Captured c = run_captured(runner, argv);
  std::cerr << c.err << std::flush;
  int code = c.exit_code < 0 ? 2 : (c.exit_code & 0xFF);
  if (c.exit_code < 0)
    std::cerr << render_error("X07RUN_KILLED", "", "x07-os-runner was killed by signal " + std::to_string(c.signal),
                              "it was stopped from outside (e.g. Ctrl-C or the OOM killer); rerun it");

  std::string report = c.out;
  if (a.get("report") == std::optional<std::string>("wrapped")) {
    WrappedTarget w;
    w.world = world;
    w.kind = kind_name(target.kind);
    w.path = target.path.string();
    if (project_root) w.project_root = project_root->string();
    if (target.manifest) {
      try {
        // the manifest's directory as given (empty for a bare "x07.json"), like upstream
        const auto& lock = manifest.get().lockfile;
        w.lockfile = (target.manifest->parent_path() / (lock && !lock->empty() ? *lock : "x07.lock.json")).string();
      } catch (const Failure&) {
      }
    }
    if (target.kind == TargetKind::Program) w.resolved_module_roots = program_roots;
    else if (target.kind == TargetKind::Project) w.resolved_module_roots = project_roots_for_report(*target.manifest);
    if (target.kind != TargetKind::Artifact) append_os_stdlib_root(w.resolved_module_roots, runner);
    report = wrap_runner_report(w, c.out);
  }
  emit_report(report, a.get("report-out"), a.has("quiet-json"));
  if (code == 1) explain_json_report_failure(c.out, entry_file_of(target, manifest));
  return code;
}

}  // namespace x07::facade
