// x07-os-runner: compile (or take) a native x07 program, run it in an OS world,
// and print the JSON report (runner.md). Exit 0/1 with a report, 2 for runner errors.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attestation.hpp"
#include "auto_ffi.hpp"
#include "build.hpp"
#include "bundle_build.hpp"
#include "cli.hpp"
#include "error_help.hpp"
#include "fixture_world.hpp"
#include "common/base64.hpp"
#include "common/error_style.hpp"
#include "common/fsutil.hpp"
#include "common/policy.hpp"
#include "common/project.hpp"
#include "common/report.hpp"
#include "runner_error.hpp"
#include "sandbox_backend.hpp"
#include "program_env.hpp"
#include "sandbox_setup.hpp"
#include "solve_result.hpp"
#include "spawn.hpp"
#include "stdlib_locate.hpp"
#include "toolchain.hpp"

namespace fs = std::filesystem;
using namespace x07;
using namespace x07::runner;

namespace {

constexpr uint64_t kDefaultMaxOutputBytes = 1048576;

int g_live_stdout_fd = -1;  // see main()

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_solve_world(const std::string& w) { return w.rfind("solve-", 0) == 0; }

// `--cc-profile size` merges the size flags into X07_CC_ARGS (dedup, order kept).
void apply_cc_profile(const std::string& profile) {
  if (profile != "size") return;
  const char* cur = std::getenv("X07_CC_ARGS");
  std::vector<std::string> args = split_ws(cur ? cur : "");
  for (const char* f : {"-Os", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections", "-Wl,--strip-all"}) {
    if (std::find(args.begin(), args.end(), f) == args.end()) args.emplace_back(f);
  }
  std::string joined;
  for (const auto& a : args) joined += (joined.empty() ? "" : " ") + a;
  setenv("X07_CC_ARGS", joined.c_str(), 1);
}

void check_compat(const std::string& v) {
  if (v == "current" || v == "strict") return;
  int parts = 0;
  size_t i = 0;
  while (i <= v.size()) {
    size_t dot = v.find('.', i);
    std::string part = v.substr(i, dot == std::string::npos ? std::string::npos : dot - i);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) parts = -1;
    if (parts < 0) break;
    ++parts;
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  if (parts < 2 || parts > 3)
    throw RunnerError("invalid --compat \"" + v + "\" (expected current, strict, or MAJOR.MINOR[.PATCH])");
}

// The report printed when the VM backend is requested (we have no VM runtime): the
// error chain on stderr, a synthesized compile failure on stdout, exit 1 (runner.md §2.6).
int vm_failure(const Options& o, const std::string& msg) {
  std::cerr << msg << "\n";
  report::CompileRunReport r;
  r.mode = o.project ? "project-compile-run" : "compile-run";
  r.world = o.world;
  r.compile.lang_id = "";
  r.compile.native_world = o.world;
  r.compile.compile_error = msg;
  r.compile.stderr_bytes = msg;
  r.compile.trap = "vm backend failure: " + msg;
  std::cout << report::to_json(r);
  return 1;
}

struct RunSetup {
  std::string world;
  std::optional<policy::Policy> policy;
  Backend backend = Backend::None;
  bool accepted_weaker = false;
  std::string input;        // the input bytes, unless input_fd streams them
  int input_fd = -1;        // a regular input file, sent to the program from here
  uint64_t input_size = 0;
  uint64_t max_output_bytes = kDefaultMaxOutputBytes;
  uint64_t wall_ms = 0;
  std::vector<Rlimit> rlimits;
  uint64_t solve_fuel = 0;
  uint64_t max_memory_bytes = 0;
  uint64_t cpu_time_limit_seconds = 0;
  std::string policy_path;
  bool stream_output = false;
  std::optional<policy::Policy> fixture_policy;  // fixture worlds: the kernel sandbox of the run directory
};

// `built_here`: an executable this runner compiled (its runtime honours X07_FRAME_FD);
// prebuilt --artifact executables keep the frame on stdout even with --stream-output.
report::Solve run_program(const RunSetup& s, const fs::path& exe, const std::optional<fs::path>& cwd,
                          const std::string& canonical_errors_for, bool built_here) {
  std::error_code ec;
  fs::path abs = fs::canonical(exe, ec);
  if (ec) {
    throw RunnerError("canonicalize artifact path: " + canonical_errors_for + ": " +
                      fsutil::os_error_text(ec.value()));
  }
  SpawnRequest req;
  req.exe = abs.string();
  std::vector<std::pair<std::string, std::string>> env{{"X07_WORLD", s.world}};
  if (s.world == "run-os-sandboxed") {
    env.emplace_back("X07_OS_SANDBOXED", "1");
    if (s.policy) {
      auto vars = policy::env_vars(*s.policy);
      env.insert(env.end(), vars.begin(), vars.end());
    }
  }
  // run-os-sandboxed and the fixture worlds: a clean environment, never the runner's own
  if (s.world == "run-os-sandboxed") req.env = sandboxed_env(s.policy ? &*s.policy : nullptr, env);
  else if (s.fixture_policy) req.env = sandboxed_env(nullptr, env);
  else req.env = build_env(env);
  if (cwd) req.cwd = cwd->string();
  uint32_t len = s.input_size > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<uint32_t>(s.input_size);
  req.stdin_bytes.reserve(4 + s.input.size());
  for (int i = 0; i < 4; ++i) req.stdin_bytes += static_cast<char>((len >> (8 * i)) & 0xFF);
  req.stdin_bytes += s.input;
  if (s.input_fd >= 0 && lseek(s.input_fd, 0, SEEK_SET) == 0) req.stdin_file = s.input_fd;
  req.stdout_cap = static_cast<size_t>(4 + s.max_output_bytes + 1);
  req.stderr_cap = kStderrCap;
  req.wall_ms = s.wall_ms;
  req.live_stderr = s.stream_output;
  if (s.stream_output && built_here) {  // the frame moves to fd 3; the program's own stdout writes go on live
    req.frame_on_fd3 = true;
    req.live_stdout_fd = g_live_stdout_fd;
    req.env.push_back("X07_FRAME_FD=3");
  }

  std::optional<KernelSandbox> sandbox;
  const policy::Policy* kernel_policy = s.world == "run-os-sandboxed" && s.policy ? &*s.policy
                                        : s.fixture_policy                        ? &*s.fixture_policy
                                                                                  : nullptr;
  if (s.backend == Backend::Os && kernel_policy) {
    std::string run_dir = cwd ? fs::absolute(*cwd, ec).string() : fs::current_path(ec).string();
    sandbox.emplace(*kernel_policy, req.exe, run_dir, s.accepted_weaker);
    req.sandbox = sandbox->plan();  // applies the policy rlimits itself
  } else {
    req.rlimits = s.rlimits;
  }
  SpawnOutcome o = spawn_program(req);
  if (sandbox) {
    if (std::string failed = sandbox->finish(); !failed.empty()) std::cerr << failed << "\n";
    std::string note =
        sandbox->denial_note(o.err, o.exited ? o.exit_code : 0, o.signaled && !o.timed_out ? o.signal : 0);
    if (!note.empty()) std::cerr << note << (note.back() == '\n' ? "" : "\n");
  }
  TrapContext tc;
  tc.solve_fuel = s.solve_fuel;
  tc.max_output_bytes = s.max_output_bytes;
  tc.max_memory_bytes = s.max_memory_bytes;
  tc.cpu_time_limit_seconds = s.cpu_time_limit_seconds;
  tc.wall_ms = s.wall_ms;
  if (s.world == "run-os-sandboxed" && s.policy) {
    tc.policy = &*s.policy;
    tc.policy_path = s.policy_path;
  }
  return solve_from_outcome(o, tc);
}

int run(int argc, char** argv) {
  Options o;
  if (parse_cli(argc, argv, o) == ParseOutcome::HelpPrinted) return 0;
  if (o.version) {
    std::cout << "x07-os-runner " << X07_VERSION << "\n";
    return 0;
  }
  if (o.compile_only && o.artifact) throw RunnerError("--compile-only is not supported with --artifact");
  if (o.accept_weaker_isolation) setenv("X07_I_ACCEPT_WEAKER_ISOLATION", "1", 1);
  if (o.cli_specrows) {
    std::cout << cli_specrows() << "\n";
    return 0;
  }
  apply_cc_profile(o.cc_profile);
  if (o.max_c_bytes) setenv("X07_MAX_C_BYTES", std::to_string(*o.max_c_bytes).c_str(), 1);
  const bool fixture = is_fixture_world(o.world);
  if (is_solve_world(o.world) && !fixture)
    throw RunnerError("refusing to run eval world \"" + o.world + "\" in x07-os-runner");
  if (fixture) check_fixture_flags(o);
  if (fixture && o.artifact)
    throw RunnerError("--artifact is not supported with --world " + o.world +
                      "; use --program or --project so the program is compiled for the fixture world");
  const bool sandboxed = o.world == "run-os-sandboxed";
  if (o.attest_runtime && !sandboxed)
    throw RunnerError("--attest-runtime is only supported for --world run-os-sandboxed");
  if (o.compat) check_compat(*o.compat);

  BackendChoice backend = resolve_backend(o.world, o.sandbox_backend, o.accept_weaker_isolation);

  RunSetup s;
  s.world = o.world;
  s.backend = backend.effective;
  s.accepted_weaker = backend.accepted_weaker;
  s.solve_fuel = o.solve_fuel;
  s.stream_output = o.stream_output;
  s.max_memory_bytes = o.max_memory_bytes;
  s.cpu_time_limit_seconds = o.cpu_time_limit_seconds;
  if (o.policy) s.policy_path = *o.policy;
  if (!sandboxed && o.policy) throw RunnerError("--policy is only valid for --world run-os-sandboxed");
  if (sandboxed && !o.policy) throw RunnerError("run-os-sandboxed requires --policy");
  if (o.policy) {
    std::string err;
    s.policy = policy::load(*o.policy, &err);
    if (!s.policy) throw RunnerError(err);
    if (auto bad = policy::validate_basic(*s.policy)) throw RunnerError("invalid policy: " + *bad);
  }
  if (sandboxed && backend.effective == Backend::Os && s.policy)
    kernel_sandbox_preflight(*s.policy, backend.accepted_weaker);
  if (fixture && backend.effective == Backend::Os)
    kernel_sandbox_preflight(fixture_sandbox_policy("/", o.cpu_time_limit_seconds, o.max_memory_bytes),
                             backend.accepted_weaker);

  if (o.input) {
    // A regular file is streamed to the program (never held whole in memory); anything
    // else (a pipe, a device) is read first.
    int fd = ::open(o.input->c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      s.input_fd = fd;
      s.input_size = static_cast<uint64_t>(st.st_size);
    } else {
      if (fd >= 0) ::close(fd);
      std::string err;
      if (!fsutil::read_file(*o.input, s.input, &err)) throw RunnerError("read input: " + *o.input + ": " + err);
      s.input_size = s.input.size();
    }
  }
  s.max_output_bytes = o.max_output_bytes.value_or(kDefaultMaxOutputBytes);
  if (sandboxed && s.policy) {
    const auto& l = s.policy->limits;
    s.wall_ms = l.wall_ms;
    s.rlimits = {{RLIMIT_CPU, (l.cpu_ms + 999) / 1000},
                 {RLIMIT_AS, l.mem_bytes},
                 {RLIMIT_NOFILE, l.fds},
                 {RLIMIT_NPROC, l.procs},
                 {RLIMIT_CORE, l.core_dumps.value_or(false) ? static_cast<uint64_t>(RLIM_INFINITY) : 0}};
  } else {
    s.wall_ms = (o.cpu_time_limit_seconds + 1) * 1000;
    s.rlimits = {{RLIMIT_CPU, o.cpu_time_limit_seconds}, {RLIMIT_CORE, 0}};
    if (fixture) {  // as upstream's host runner, also without the kernel sandbox: no file writes
      s.rlimits.push_back({RLIMIT_FSIZE, 0});
      s.rlimits.push_back({RLIMIT_NOFILE, 64});
    }
  }

  if (backend.effective == Backend::Vm) {
    if (!sandboxed) return vm_failure(o, "sandbox_backend=vm is only supported for --world run-os-sandboxed");
    if (o.artifact) return vm_failure(o, "set --program or --project for sandbox_backend=vm");
    return vm_failure(o,
                      "sandbox_backend=vm is not available: this toolchain has no VM runtime; use "
                      "--sandbox-backend os (kernel-enforced isolation, the default)");
  }

  int targets = (o.artifact ? 1 : 0) + (o.program ? 1 : 0) + (o.project ? 1 : 0);
  if (targets != 1) throw RunnerError("set exactly one of --artifact, --program, or --project");
  const std::optional<std::string> sandbox_label =
      sandboxed || (fixture && backend.effective == Backend::Os) ? std::optional<std::string>(backend_name(backend.effective))
                                                                 : std::nullopt;

  Attestation attest(o, s.policy ? &*s.policy : nullptr, backend, s.input_size);

  if (o.artifact) {
    if (sandboxed && !o.accept_precompiled_artifact)
      throw RunnerError(
          "run-os-sandboxed does not support --artifact; use --program or --project so x07-os-runner can enforce "
          "policy.language.allow_unsafe/allow_ffi at compile time");
    report::RunOsReport r;
    r.world = o.world;
    r.sandbox_backend = sandbox_label;
    r.solve = run_program(s, *o.artifact, std::nullopt, *o.artifact, false);
    if (o.attest_runtime) r.runtime_attestation = attest.write(*o.artifact, std::nullopt, r.solve);
    report::write_json(std::cout, r);
    return r.exit_code();
  }

  BuildRequest b;
  b.world = o.world;
  b.solve_fuel = o.solve_fuel;
  b.max_memory_bytes = o.max_memory_bytes;
  b.debug_borrow = o.debug_borrow_checks;
  b.compiled_out = o.compiled_out;
  if (sandboxed) {
    b.allow_unsafe = s.policy && s.policy->language.allow_unsafe;
    b.allow_ffi = s.policy && s.policy->language.allow_ffi;
  }
  std::optional<fs::path> run_dir;
  report::CompileRunReport r;
  r.world = o.world;
  r.sandbox_backend = sandbox_label;
  bool compile_only = false;
  std::vector<fs::path> ffi_packages;  // --auto-ffi candidates besides module-root parents

  if (o.program) {
    r.mode = "compile-run";
    if (!ends_with(*o.program, ".x07.json"))
      throw RunnerError("--program must be an x07AST JSON file (*.x07.json), got " + *o.program);
    std::string text, err;
    if (!fsutil::read_file(*o.program, text, &err)) throw RunnerError("read program: " + *o.program + ": " + err);
    b.entry = *o.program;
    b.os_stdlib_root = locate_os_stdlib();
    for (const auto& m : o.module_roots) b.module_roots.emplace_back(m);
    compile_only = o.compile_only;
  } else {
    r.mode = "project-compile-run";
    b.os_stdlib_root = locate_os_stdlib();
    fs::path manifest_path = *o.project;
    std::error_code ec;
    if (fs::is_directory(manifest_path, ec)) manifest_path /= "x07.json";
    project::Manifest m;
    std::optional<project::Lockfile> lock;
    try {
      m = project::load_manifest(manifest_path);
      fs::path lock_path = m.lockfile_path();
      // A project without dependencies needs no lockfile; with dependencies it must be present.
      if (!m.dependencies.empty() || fs::exists(lock_path, ec)) {
        lock = project::load_lockfile(lock_path);
        project::verify_lockfile(m, *lock);
      }
    } catch (const project::Error& e) {
      throw RunnerError(e.what());
    }
    fs::path entry = m.entry_path();
    std::string text, err;
    if (!fsutil::read_file(entry, text, &err))
      throw RunnerError("[X07ENTRY_READ] read entry: " + entry.string() + " (hint: check x07.json `entry`): " + err);
    b.entry = entry;
    b.module_roots = project::module_roots(m, lock ? &*lock : nullptr);
    b.extra_cc_args = m.link.cc_args(m.dir);
    if (o.auto_ffi && lock) {
      for (const auto& dep : lock->dependencies) ffi_packages.push_back(m.dir / dep.path);
    }
    run_dir = m.dir;
  }
  if (o.auto_ffi) {
    AutoFfi ffi = auto_ffi_collect(ffi_packages, b.module_roots);
    b.extra_cc_args.insert(b.extra_cc_args.end(), ffi.cc_args.begin(), ffi.cc_args.end());
    b.key_files = std::move(ffi.key_files);
  }

  if (o.bundle_out) return build_bundle(o, b, s.policy ? &*s.policy : nullptr, s.backend, r.mode);
  BuildResult built = build_program(b);
  r.compile = built.compile;
  if (!built.compile.ok || compile_only) {
    std::cout << report::to_json(r);
    return r.exit_code();
  }
  std::optional<FixtureRunDir> fixture_dir;
  if (fixture) {  // the program starts in a read-only copy of its fixtures and sees nothing else
    fixture_dir.emplace(o);
    run_dir = fixture_dir->path();
    s.fixture_policy = fixture_sandbox_policy(run_dir->string(), o.cpu_time_limit_seconds, o.max_memory_bytes);
  }
  r.solve = run_program(s, *built.exe, run_dir, built.exe->string(), true);
  if (o.attest_runtime)
    r.runtime_attestation = attest.write(built.exe->string(), run_dir ? std::optional<std::string>(run_dir->string())
                                                                      : std::nullopt,
                                         *r.solve);
  report::write_json(std::cout, r);
  return r.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  // --stream-output: fd 3, when the caller (x07 run --report text) opened it, is where the
  // program's own stdout writes are passed on. Kept away from compiler subprocesses.
  if (fcntl(3, F_GETFD) >= 0) {
    g_live_stdout_fd = 3;
    fcntl(3, F_SETFD, FD_CLOEXEC);
  }
  signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  try {
    int code = run(argc, argv);
    std::cout.flush();
    return code;
  } catch (const UsageError& e) {
    std::string msg = e.what();
    if (msg.rfind("error: ", 0) == 0) msg = msg.substr(7);
    std::cerr << render_error("X07_USAGE", "", msg, usage_help(msg));
  } catch (const RunnerError& e) {
    std::cerr << render_error(runner_error_code(e.what()), "", e.what(), runner_error_help(e.what()));
  } catch (const std::exception& e) {
    std::cerr << render_error("X07E_INTERNAL", "", std::string("x07-os-runner panicked: ") + e.what(),
                              "this is a bug in x07-os-runner; please report it with the command line");
  } catch (...) {
    std::cerr << render_error("X07E_INTERNAL", "", "x07-os-runner panicked: unknown error",
                              "this is a bug in x07-os-runner; please report it with the command line");
  }
  return 2;
}
