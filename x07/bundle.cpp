// `x07 bundle` (facade.md §6): a native executable that takes argc/argv (argv_v1,
// token 0 = bundle name), writes the program's raw output to stdout and exits with its
// status. Sandbox bundles embed the policy environment and apply the kernel sandbox at
// startup. Like `x07 run`, the facade only resolves target/profile/world/policy; the
// build itself is done by x07-os-runner (hidden --bundle-* flags, bundle_build.cpp).
#include <cstdlib>
#include <iostream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/policy.hpp"
#include "common/project.hpp"
#include "compat.hpp"
#include "facade_error.hpp"
#include "lazy_manifest.hpp"
#include "policy_resolve.hpp"
#include "profile.hpp"
#include "run_target.hpp"
#include "run_report.hpp"
#include "run_text.hpp"
#include "runner_argv.hpp"
#include "runner_locate.hpp"
#include "subprocess.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

const cli::Command& bundle_command() {
  static const cli::Command cmd = {
      "bundle",
      "Build a native executable (argv_v1 input from its arguments, raw output on stdout) via x07-os-runner",
      "x07 bundle [OPTIONS] --out <PATH>",
      cli::Positionals::None,
      "",
      cli::concat({
          {
              {"project", "PATH", "Project manifest (x07.json)"},
              {"program", "PATH", "x07AST entry file (*.x07.json); with --project it replaces the entry"},
              {"profile", "NAME", "Profile from x07.json profiles"},
              {"world", "WORLD", "Override the world", false, true, {"run-os", "run-os-sandboxed"}},
              {"policy", "PATH", "Base policy file (run-os-sandboxed)"},
              {"sandbox-backend", "BACKEND", "Sandbox backend embedded in the bundle", false, false,
               {"auto", "vm", "os", "native", "none"}},
              {"i-accept-weaker-isolation", "", "Accept weaker isolation (needed for backend none)"},
          },
          derived_policy_flags(),
          {
              {"cc-profile", "PROFILE", "C flag profile", false, false, {"default", "size"}},
              {"max-c-bytes", "BYTES", "Limit on the generated C size"},
              {"max-memory-bytes", "N", "Heap arena size [default: profile, else 67108864]"},
              {"max-output-bytes", "N", "Output cap checked by the bundle"},
              {"cpu-time-limit-seconds", "N", "RLIMIT_CPU set by the bundle at startup (0 = none)"},
              {"solve-fuel", "N", "Fuel budget [default: profile, else 50000000]"},
              {"debug-borrow-checks", "", "Compile with runtime borrow checks"},
              {"auto-ffi", "", "Compile and link ffi/*.c of ffi packages"},
              {"no-auto-ffi", "", "Do not compile ffi packages"},
              {"emit-dir", "DIR", "Also write report.json and the C sources here"},
              {"emit", "DIR", "Alias of --emit-dir", false, true},
              {"emit-attestation", "PATH", "Bundle attestation (not supported by this toolchain)", false, true},
              {"module-root", "PATH", "Module root for --program (repeatable)", true},
              {"repair", "MODE", "Accepted for compatibility; source files are never rewritten", false, false,
               {"off", "memory", "write"}},
              {"repair-max-iters", "N", "Accepted for compatibility"},
          },
      })};
  return cmd;
}

std::string lower_trim(const char* s) {
  std::string out = trimmed_non_empty(std::string(s)).value_or("");
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json::Value str_or_null(const std::optional<std::string>& s, json::Allocator& a) {
  return s ? json::make_string(*s, a) : json::Value();
}

json::Value string_list(const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::make_string(s, a), a);
  return arr;
}

}  // namespace

int cmd_bundle(const std::vector<std::string>& tokens) {
  cli::Args a = cli::parse(bundle_command(), tokens);
  if (a.has("auto-ffi") && a.has("no-auto-ffi")) cli::conflict(a, "auto-ffi", "no-auto-ffi");
  check_report_out(a.get("report-out"));
  if (a.has("emit-attestation")) throw Failure("--emit-attestation is not supported by this toolchain");
  (void)a.u64("repair-max-iters");

  // 1-2. Target.
  const auto project = a.get("project");
  const auto program = a.get("program");
  std::optional<fs::path> manifest_path;
  if (project) {
    manifest_path = fs::path(*project);
  } else if (program) {
    manifest_path = discover_program_manifest(*program);
  } else {
    manifest_path = discover_manifest(fs::current_path());
    if (!manifest_path) throw Failure("no project found (pass --project or --program)", 2,
                  "create one here with `x07 init`, or pass --project DIR / --program FILE.x07.json", "X07PROJECT_MISSING");
  }
  const bool is_project = !program;
  const std::vector<std::string> explicit_roots = a.all("module-root");
  if (is_project && !explicit_roots.empty()) throw Failure("--module-root is only valid with --program");
  if (program && !project && explicit_roots.empty()) throw Failure("--program requires explicit --module-root");

  // 3. Profile and world.
  std::optional<Profile> profile = select_profile(manifest_path, trimmed_non_empty(a.get("profile")));
  LazyManifest manifest(manifest_path);
  std::string world;
  if (auto w = a.get("world")) world = *w;
  else if (profile) world = profile->world;
  else if (manifest_path) world = manifest.get().world;
  if (world.empty()) world = "run-os";
  if (world != "run-os" && world != "run-os-sandboxed")
    throw Failure("x07 bundle supports the run-os and run-os-sandboxed worlds, got " + world);
  const bool sandboxed = world == "run-os-sandboxed";

  // 4-5. Sandbox backend.
  if (!sandboxed && (a.has("sandbox-backend") || a.has("i-accept-weaker-isolation")))
    throw Failure("--sandbox-backend/--i-accept-weaker-isolation are only supported for --world run-os-sandboxed");
  std::optional<std::string> backend = a.get("sandbox-backend");
  if (sandboxed && !backend) {
    if (const char* env = std::getenv("X07_SANDBOX_BACKEND")) backend = lower_trim(env);
  }
  if (backend && *backend == "native") backend = "os";
  if (sandboxed && backend == std::optional<std::string>("vm"))
    throw Failure(
        "sandbox_backend=vm is not available: this toolchain has no VM runtime and fails closed; use "
        "--sandbox-backend os (kernel-enforced isolation, the default)");

  // 7. Policy.
  std::optional<fs::path> project_root;
  if (manifest_path) project_root = project_root_of(*manifest_path);
  PolicyResolution pol = resolve_policy(world, project_root ? *project_root : fs::current_path(), a.get("policy"),
                                        profile ? profile->policy : std::nullopt, overrides_from(a), "x07 bundle");
  std::vector<std::string> env_keys;
  if (sandboxed) {
    std::string err;
    auto parsed = policy::load(*pol.effective(), &err);
    if (!parsed) throw Failure(err);
    if (auto bad = policy::validate_basic(*parsed)) throw Failure("invalid policy: " + *bad);
    env_keys = {"X07_WORLD", "X07_OS_SANDBOXED"};
    for (const auto& [k, _] : policy::env_vars(*parsed)) env_keys.push_back(k);
  }

  // 8. Output path and bundle name.
  auto out_arg = a.get("out");
  if (!out_arg) throw Failure("missing --out <PATH> for output executable", 2, "pass --out dist/NAME (the executable to write)",
                  "X07_USAGE");
  fs::path out = *out_arg;
  std::error_code ec;
  if (fs::is_directory(out, ec) || out_arg->back() == '/' || out_arg->back() == '\\') {
    std::string name = "app";
    if (is_project && project_root) name = project_root->filename().string();
    out = fs::path(*out_arg) / name;
  }
  const std::string bundle_name = out.stem().string();
  std::optional<std::string> emit_dir = a.get("emit-dir");
  if (!emit_dir) emit_dir = a.get("emit");

  // Module roots (program) and the report's target block.
  std::vector<std::string> roots;
  std::optional<std::string> lockfile;
  if (manifest_path) {
    try {
      const project::Manifest& pm = manifest.get();
      if (fs::exists(pm.lockfile_path(), ec)) lockfile = pm.lockfile_path().string();
      std::optional<project::Lockfile> lock;
      if (lockfile) lock = project::load_lockfile(pm.lockfile_path());
      if (explicit_roots.empty()) roots = path_strings(project::module_roots(pm, lock ? &*lock : nullptr));
    } catch (const std::exception&) {
      // the runner reports broken manifests/lockfiles for project targets
    }
  }
  if (!explicit_roots.empty()) roots = explicit_roots;

  // 9-10. The runner builds.
  std::vector<std::string> argv;
  push(argv, "--cc-profile", cc_profile_of(a, profile));
  push(argv, "--world", world);
  if (auto c = resolve_compat(std::nullopt, manifest.compat())) push(argv, "--compat", *c);
  if (auto v = a.u64("max-c-bytes")) push(argv, "--max-c-bytes", std::to_string(*v));
  push_resource_limits(argv, a, profile, 0);  // the bundle sets its own RLIMIT_CPU: 0 = none
  if (a.has("debug-borrow-checks")) argv.push_back("--debug-borrow-checks");
  if (auto p = pol.effective()) push(argv, "--policy", p->string());
  if (backend) push(argv, "--sandbox-backend", *backend);
  if (a.has("i-accept-weaker-isolation")) argv.push_back("--i-accept-weaker-isolation");
  if (auto_ffi_enabled(a, profile)) argv.push_back("--auto-ffi");
  push(argv, "--bundle-out", out.string());
  push(argv, "--bundle-name", bundle_name);
  if (emit_dir) push(argv, "--bundle-emit-dir", *emit_dir);
  if (is_project) {
    push(argv, "--project", manifest_path->string());
  } else {
    push(argv, "--program", *program);
    for (const auto& r : roots) push(argv, "--module-root", r);
  }

  const fs::path runner = locate_runner();
  Captured c = run_captured(runner, argv);
  std::cerr << c.err << std::flush;
  if (c.exit_code < 0)
    throw Failure("x07-os-runner was killed by signal " + std::to_string(c.signal), 2,
                  "it was stopped from outside (e.g. Ctrl-C or the OOM killer); rerun it", "X07RUN_KILLED");
  if (c.exit_code != 0 && c.exit_code != 1) return c.exit_code;
  json::Document runner_report;
  std::string perr;
  if (!json::parse(c.out, runner_report, &perr) || !runner_report.IsObject() || !runner_report.HasMember("compile"))
    throw Failure("parse runner report JSON: " + perr);
  const bool ok = runner_report["compile"]["ok"].IsTrue();

  // 11. Bundle report (fixed key order; the embedded compile report has sorted keys).
  append_os_stdlib_root(roots, runner);
  json::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  d.AddMember("schema_version", "x07.bundle.report@0.4.0", al);
  d.AddMember("runner", "host", al);
  d.AddMember("world", json::make_string(world, al), al);
  json::Value target(rapidjson::kObjectType);
  target.AddMember("kind", json::make_string(is_project ? "project" : "program", al), al);
  target.AddMember("path", json::make_string(is_project ? manifest_path->string() : *program, al), al);
  target.AddMember("project_root", str_or_null(project_root ? std::optional(project_root->string()) : std::nullopt, al),
                   al);
  target.AddMember("lockfile", str_or_null(lockfile, al), al);
  target.AddMember("resolved_module_roots", string_list(roots, al), al);
  d.AddMember("target", target, al);
  json::Value bundle(rapidjson::kObjectType);
  bundle.AddMember("out", json::make_string(out.string(), al), al);
  bundle.AddMember("name", json::make_string(bundle_name, al), al);
  json::Value abi(rapidjson::kObjectType);
  abi.AddMember("kind", "argv_v1", al);
  bundle.AddMember("abi", abi, al);
  if (sandboxed) {
    json::Value p(rapidjson::kObjectType);
    p.AddMember("base_policy", json::make_string(pol.base->string(), al), al);
    p.AddMember("effective_policy", json::make_string(pol.effective()->string(), al), al);
    p.AddMember("embedded_env_keys", string_list(env_keys, al), al);
    bundle.AddMember("policy", p, al);
  } else {
    bundle.AddMember("policy", json::Value(), al);
  }
  bundle.AddMember("emit_dir", str_or_null(emit_dir, al), al);
  bundle.AddMember("kind", "native", al);
  bundle.AddMember("guest", json::Value(), al);
  d.AddMember("bundle", bundle, al);
  json::Value rep(rapidjson::kObjectType);
  rep.AddMember("compile", json::Value(runner_report["compile"], al), al);
  rep.AddMember("exit_code", ok ? 0 : 1, al);
  rep.AddMember("mode", json::make_string(is_project ? "project-compile" : "compile", al), al);
  rep.AddMember("schema_version", "x07-host-runner.report@0.3.0", al);
  rep.AddMember("solve", json::Value(), al);
  d.AddMember("report", rep, al);
  const std::string text = json::to_pretty(d);

  if (emit_dir) {
    std::string err;
    fs::path dir = *emit_dir;
    if (!fsutil::create_dirs(dir, &err) || !fsutil::write_file_atomic(dir / "report.json", text, &err))
      throw Failure("write --emit-dir: " + dir.string() + ": " + err);
    if (sandboxed && !fsutil::copy_file_atomic(*pol.effective(), dir / "policy.used.json", &err))
      throw Failure("write --emit-dir: " + dir.string() + ": " + err);
  }
  emit_report(text, a.get("report-out"), a.has("quiet-json"));
  if (!ok) {
    std::string entry = is_project ? "" : *program;
    if (is_project) {
      try {
        entry = manifest.get().entry_path().string();
      } catch (const std::exception&) {
      }
    }
    present_compile_failure(runner_report["compile"], entry);
  }
  return ok ? 0 : 1;
}

}  // namespace x07::facade
