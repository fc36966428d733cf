// `x07 test`: runs the tests of a tests manifest (tests/tests.json) through
// x07-os-runner, each in its world (run-os, or run-os-sandboxed with its policy), in
// parallel up to the core count. People get a progress line (on a terminal), the
// failures and a summary; `--json` prints upstream's `x07.x07test@0.4.0` report on
// stdout instead, and `--report-out` writes it in either mode.
// Exit codes (upstream's): 0 every test met its expectation, 10 some did not,
// 11 a test failed to compile, 12 a run failed or the manifest is invalid, 2 usage.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/base64.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "facade_error.hpp"
#include "runner_locate.hpp"
#include "subprocess.hpp"
#include "test_manifest.hpp"

namespace fs = std::filesystem;

namespace x07::facade {
namespace {

using json::Value;
using tests::TestDecl;

constexpr uint64_t kDefaultSolveFuel = 400000000;  // upstream's per-test default

const cli::Command& test_command() {
  static const cli::Command cmd = {
      "test",
      "Run the tests of a tests manifest (x07.tests_manifest@0.2.0) through x07-os-runner",
      "x07 test [OPTIONS]",
      cli::Positionals::None,
      "",
      {
          {"manifest", "PATH", "Tests manifest (default: tests/tests.json, searched upwards from the cwd)"},
          {"module-root", "DIR", "Module root for resolving test entries (repeatable; default: the project's roots)", true},
          {"filter", "SUBSTR", "Run only tests whose id contains SUBSTR"},
          {"exact", "", "With --filter: the id must equal SUBSTR"},
          {"allow-empty", "", "Selecting zero tests is a success instead of an error"},
          {"list", "", "Print the selected tests (id, world, expect, entry) without running them"},
          {"jobs", "N", "Tests run at once (default: the number of cores)"},
          {"json", "", "Print the x07test JSON report on stdout instead of text"},
          {"verbose", "", "Print each test's result line, not only failures"},
          {"keep-artifacts", "", "Keep the generated driver programs under --artifact-dir"},
          {"artifact-dir", "DIR", "Where driver programs are written (default: target/x07test)"},
          {"compat", "COMPAT", "Language compatibility mode (accepted for upstream compatibility)"},
          {"pbt", "", "Property-based tests only (not supported by this toolchain)", false, true},
          {"all", "", "Unit and property-based tests (not supported by this toolchain)", false, true},
      }};
  return cmd;
}

struct Outcome {
  std::string status = "error";  // pass fail skip error xfail_pass xfail_fail
  uint64_t duration_ms = 0;
  std::optional<bool> compile_ok;
  int compile_exit = 0;
  uint64_t c_bytes = 0;
  std::optional<bool> run_ok;
  int run_exit = 0;
  std::optional<uint64_t> fuel_used, failure_code;
  std::string runner_report;  // the runner's JSON (kept for mem/sched stats and outputs)
  std::vector<tests::ManifestDiag> diags;
};

std::string status_for(const std::string& expect, int tag) {
  if (expect == "skip") return "skip";
  if (tag == 2) return "skip";
  if (expect == "pass") return tag == 1 ? "pass" : tag == 0 ? "fail" : "error";
  return tag == 0 ? "xfail_fail" : tag == 1 ? "xfail_pass" : "error";
}

bool meets_expectation(const std::string& expect, const std::string& status) {
  if (expect == "pass") return status == "pass" || status == "skip";
  if (expect == "fail") return status == "xfail_fail" || status == "skip";
  return status == "skip";
}

std::string safe_name(const std::string& id) {
  std::string out;
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "test" : out;
}

// The runner's --fixture-* flags for a test's fixture_root, as upstream's x07 test maps it: solve-fs
// reads `root/` when the fixture has one, solve-kv seeds from seed.json, solve-full holds fs/, rr/, kv/.
std::vector<std::string> fixture_flags(const std::string& world, const fs::path& root) {
  std::error_code ec;
  std::vector<std::string> out;
  auto add_fs = [&](const fs::path& dir) {
    out.insert(out.end(), {"--fixture-fs-dir", dir.string()});
    if (fs::is_directory(dir / "root", ec)) out.insert(out.end(), {"--fixture-fs-root", "root"});
  };
  auto add_kv = [&](const fs::path& dir) {
    out.insert(out.end(), {"--fixture-kv-dir", dir.string()});
    if (fs::is_regular_file(dir / "seed.json", ec)) out.insert(out.end(), {"--fixture-kv-seed", "seed.json"});
  };
  if (world == "solve-fs") add_fs(root);
  if (world == "solve-rr") out.insert(out.end(), {"--fixture-rr-dir", root.string()});
  if (world == "solve-kv") add_kv(root);
  if (world == "solve-full") {
    add_fs(root / "fs");
    out.insert(out.end(), {"--fixture-rr-dir", (root / "rr").string()});
    add_kv(root / "kv");
  }
  return out;
}

struct RunContext {
  fs::path runner, artifact_dir, manifest_dir;
  std::vector<fs::path> module_roots;
};

Outcome run_one(const RunContext& ctx, const TestDecl& t) {
  Outcome o;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&]() -> Outcome& {
    o.duration_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    return o;
  };
  if (t.expect == "skip") {
    o.status = "skip";
    return finish();
  }
  // solve-pure programs use no OS effects, so the OS runner runs them as they are; the
  // fixture worlds (solve-fs/rr/kv/full) run there too, from a read-only copy of the fixture.
  const std::string world = t.world == "solve-pure" ? "run-os" : t.world;
  const fs::path dir = ctx.artifact_dir / safe_name(t.id);
  const fs::path driver = dir / "main.x07.json";
  std::string err;
  if (!fsutil::create_dirs(dir, &err) || !fsutil::write_file_atomic(driver, tests::driver_program(t), &err)) {
    o.diags.push_back({"ETEST_RUN", "cannot write the test driver " + driver.string() + ": " + err, ""});
    return finish();
  }
  const uint64_t cpu_s = t.timeout_ms ? (*t.timeout_ms + 999) / 1000 : 5;
  std::vector<std::string> argv = {"--world", world, "--program", driver.string(), "--auto-ffi",
                                   "--cpu-time-limit-seconds", std::to_string(cpu_s),
                                   "--solve-fuel", std::to_string(t.solve_fuel.value_or(kDefaultSolveFuel))};
  if (t.input) {
    const fs::path input = dir / "input.bin";
    if (!fsutil::write_file_atomic(input, *t.input, &err)) {
      o.diags.push_back({"ETEST_RUN", "cannot write the test input " + input.string() + ": " + err, ""});
      return finish();
    }
    argv.push_back("--input");
    argv.push_back(input.string());
  }
  if (t.policy_json) {
    argv.push_back("--policy");
    argv.push_back(t.policy_json->string());
  }
  if (t.fixture_root) {
    std::vector<std::string> f = fixture_flags(t.world, *t.fixture_root);
    argv.insert(argv.end(), f.begin(), f.end());
  }
  for (const auto& r : ctx.module_roots) {
    argv.push_back("--module-root");
    argv.push_back(r.string());
  }
  const Captured c = run_captured(ctx.runner, argv, ctx.manifest_dir);
  json::Document rep;
  if (!json::parse(c.out, rep, &err) || !rep.IsObject()) {
    o.diags.push_back({"ETEST_OS_RUNNER_JSON", "x07-os-runner did not emit valid JSON: " + err, ""});
    if (!c.err.empty()) o.diags.push_back({"ETEST_OS_RUNNER_STDERR", c.err, ""});
    return finish();
  }
  o.runner_report = c.out;
  const Value* compile = json::get_object(rep, "compile");
  o.compile_ok = compile && json::get_bool(*compile, "ok").value_or(false);
  o.compile_exit = compile ? static_cast<int>(json::get_i64(*compile, "exit_status").value_or(1)) : 1;
  o.c_bytes = compile ? json::get_u64(*compile, "c_source_size").value_or(0) : 0;
  if (!*o.compile_ok) {
    o.diags.push_back({"ETEST_COMPILE",
                       compile ? json::get_string(*compile, "compile_error").value_or("compile failed") : "compile failed", ""});
    return finish();
  }
  const Value* solve = json::get_object(rep, "solve");
  if (!solve) {
    o.diags.push_back({"ETEST_RUN", "missing solve section in x07-os-runner report", ""});
    return finish();
  }
  o.run_ok = json::get_bool(*solve, "ok").value_or(false);
  o.run_exit = static_cast<int>(json::get_i64(*solve, "exit_status").value_or(1));
  o.fuel_used = json::get_u64(*solve, "fuel_used");
  if (!*o.run_ok || o.run_exit != 0) {
    if (auto trap = json::get_string(*solve, "trap")) o.diags.push_back({"X07T_RUN_TRAP", "runner trapped: " + *trap, ""});
    o.diags.push_back({"ETEST_RUN", "runner failed: ok=" + std::string(*o.run_ok ? "true" : "false") +
                                        " exit_status=" + std::to_string(o.run_exit), ""});
    return finish();
  }
  const std::optional<std::string> decoded = base64::decode(json::get_string(*solve, "solve_output_b64").value_or(""));
  if (!decoded) {
    o.diags.push_back({"EBAD_STATUS", "invalid base64 solve_output", ""});
    return finish();
  }
  const std::string& status = *decoded;
  if (status.size() != 5 || static_cast<unsigned char>(status[0]) > 2) {
    o.diags.push_back({"EBAD_STATUS", "X7TEST_STATUS_V1 must be 5 bytes with tag 0, 1 or 2, got " +
                                          std::to_string(status.size()) + " bytes", ""});
    return finish();
  }
  const auto* b = reinterpret_cast<const unsigned char*>(status.data());
  o.failure_code = static_cast<uint64_t>(b[1]) | static_cast<uint64_t>(b[2]) << 8 | static_cast<uint64_t>(b[3]) << 16 |
                   static_cast<uint64_t>(b[4]) << 24;
  o.status = status_for(t.expect, b[0]);
  return finish();
}

// ---- the x07test report (upstream's field order) ----

Value str(const std::string& s, json::Allocator& a) { return json::make_string(s, a); }

Value diag_json(const tests::ManifestDiag& d, json::Allocator& a) {
  Value o(rapidjson::kObjectType);
  json::set(o, "code", str(d.code, a), a);
  json::set(o, "message", str(d.message, a), a);
  if (!d.path.empty()) json::set(o, "path", str(d.path, a), a);
  return o;
}

Value test_json(const TestDecl& t, const Outcome& o, json::Allocator& a) {
  Value r(rapidjson::kObjectType);
  json::set(r, "id", str(t.id, a), a);
  json::set(r, "world", str(t.world, a), a);
  json::set(r, "expect", str(t.expect, a), a);
  json::set(r, "status", str(o.status, a), a);
  json::set(r, "duration_ms", Value(o.duration_ms), a);
  json::set(r, "entry_kind", str(t.entry_kind, a), a);
  json::set(r, "entry", str(t.entry, a), a);
  if (t.fixture_root) json::set(r, "fixture_root", str(t.fixture_root->string(), a), a);  // absolute, as upstream
  json::Document rep;
  const bool have_rep = !o.runner_report.empty() && json::parse(o.runner_report, rep, nullptr) && rep.IsObject();
  if (o.compile_ok) {
    Value c(rapidjson::kObjectType);
    json::set(c, "ok", Value(*o.compile_ok), a);
    json::set(c, "exit_code", Value(o.compile_exit), a);
    json::set(c, "c_bytes", Value(o.c_bytes), a);
    json::set(r, "compile", std::move(c), a);
  }
  if (o.run_ok && have_rep) {
    const Value& solve = rep["solve"];
    Value s(rapidjson::kObjectType);
    json::set(s, "ok", Value(*o.run_ok), a);
    json::set(s, "exit_code", Value(o.run_exit), a);
    if (o.fuel_used) json::set(s, "fuel_used", Value(*o.fuel_used), a);
    for (const char* k : {"mem_stats", "sched_stats"})
      if (const Value* v = json::get_object(solve, k)) json::set(s, k, Value(*v, a), a);
    for (const char* k : {"solve_output_b64", "stdout_b64", "stderr_b64"})
      if (auto v = json::get_string(solve, k)) json::set(s, k, str(*v, a), a);
    if (o.failure_code) json::set(s, "failure_code_u32", Value(*o.failure_code), a);
    if (auto be = json::get_string(rep, "sandbox_backend")) json::set(s, "sandbox_backend", str(*be, a), a);
    json::set(r, "run", std::move(s), a);
  }
  if (!o.diags.empty()) {
    Value ds(rapidjson::kArrayType);
    for (const auto& d : o.diags) ds.PushBack(diag_json(d, a), a);
    json::set(r, "diags", std::move(ds), a);
  }
  return r;
}

struct Summary {
  uint64_t passed = 0, failed = 0, skipped = 0, errors = 0, xfail_passed = 0, xfail_failed = 0, duration_ms = 0;
  uint64_t compile_failures = 0, run_failures = 0;
};

std::string report_json(const std::vector<std::string>& argv, const fs::path& manifest, const std::string& module_root,
                        unsigned jobs, const Summary& s, const std::vector<TestDecl>& tests,
                        const std::vector<Outcome>& outcomes) {
  json::Document doc;
  auto& a = doc.GetAllocator();
  doc.SetObject();
  json::set(doc, "schema_version", str("x07.x07test@0.4.0", a), a);
  Value tool(rapidjson::kObjectType);
  json::set(tool, "name", str("x07", a), a);
  json::set(tool, "version", str(X07_VERSION, a), a);
  json::set(doc, "tool", std::move(tool), a);
  Value inv(rapidjson::kObjectType);
  Value av(rapidjson::kArrayType);
  for (const auto& s2 : argv) av.PushBack(str(s2, a), a);
  json::set(inv, "argv", std::move(av), a);
  std::error_code ec;
  json::set(inv, "cwd", str(fs::current_path(ec).string(), a), a);
  json::set(inv, "started_at_unix_ms", Value(0), a);
  json::set(inv, "repeat", Value(1), a);
  json::set(inv, "jobs", Value(jobs), a);
  json::set(inv, "manifest_path", str(manifest.string(), a), a);
  if (!module_root.empty()) json::set(inv, "module_root", str(module_root, a), a);
  json::set(doc, "invocation", std::move(inv), a);
  Value sum(rapidjson::kObjectType);
  json::set(sum, "passed", Value(s.passed), a);
  json::set(sum, "failed", Value(s.failed), a);
  json::set(sum, "skipped", Value(s.skipped), a);
  json::set(sum, "errors", Value(s.errors), a);
  json::set(sum, "xfail_passed", Value(s.xfail_passed), a);
  json::set(sum, "xfail_failed", Value(s.xfail_failed), a);
  json::set(sum, "duration_ms", Value(s.duration_ms), a);
  json::set(sum, "compile_failures", Value(s.compile_failures), a);
  json::set(sum, "run_failures", Value(s.run_failures), a);
  json::set(doc, "summary", std::move(sum), a);
  Value ts(rapidjson::kArrayType);
  for (size_t i = 0; i < tests.size(); ++i) ts.PushBack(test_json(tests[i], outcomes[i], a), a);
  json::set(doc, "tests", std::move(ts), a);
  return json::to_compact(doc) + "\n";
}

void emit_report(const cli::Args& a, const std::string& report, bool json_mode) {
  if (auto out = a.get("report-out")) {
    std::string err;
    if (!fsutil::write_file_atomic(*out, report, &err))
      throw Failure("error[X07-TEST-IO]: " + *out + ": cannot write the report: " + err);
  }
  if (json_mode && !a.flag("quiet-json")) std::cout << report;
}

fs::path find_manifest(const std::optional<std::string>& given) {
  if (given) return *given;
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "tests/tests.json", ec)) return dir / "tests/tests.json";
    if (dir == dir.parent_path()) break;
  }
  return "tests/tests.json";
}

}  // namespace

int cmd_test(const std::vector<std::string>& tokens) {
  const auto started = std::chrono::steady_clock::now();
  const cli::Args a = cli::parse(test_command(), tokens);
  for (const char* unsupported : {"pbt", "all"})
    if (a.flag(unsupported))
      throw cli::UsageError(std::string("error: --") + unsupported +
                                " (property-based tests) is not supported by this toolchain",
                            test_command().usage);
  const bool json_mode = a.flag("json");
  std::vector<std::string> argv = {"x07", "test"};
  argv.insert(argv.end(), tokens.begin(), tokens.end());
  const fs::path manifest_path = find_manifest(a.get("manifest"));

  auto fail_manifest = [&](const std::vector<tests::ManifestDiag>& diags) {
    for (const auto& d : diags)
      std::cerr << "error[" << d.code << "]: " << manifest_path.string() << ": " << d.message
                << (d.path.empty() ? "" : " (at " + d.path + ")") << "\n";
    std::cerr << "help: see the tests manifest format (x07.tests_manifest@0.2.0) in README.md, section x07 test\n";
    Summary s;
    s.errors = diags.empty() ? 1 : diags.size();
    emit_report(a, report_json(argv, manifest_path, "", 1, s, {}, {}), json_mode);
    return 12;
  };

  std::vector<tests::ManifestDiag> diags;
  std::optional<tests::Manifest> m = tests::load(manifest_path, a.flag("allow-empty"), diags);
  if (!m) return fail_manifest(diags);

  std::vector<fs::path> roots;
  for (const auto& r : a.all("module-root")) roots.push_back(fs::absolute(r));
  if (roots.empty()) roots = tests::default_module_roots(*m);
  std::vector<TestDecl> selected = m->tests;
  if (auto f = a.get("filter"))
    selected.erase(std::remove_if(selected.begin(), selected.end(),
                                  [&](const TestDecl& t) { return a.flag("exact") ? t.id != *f : t.id.find(*f) == std::string::npos; }),
                   selected.end());
  std::sort(selected.begin(), selected.end(), [](const TestDecl& x, const TestDecl& y) { return x.id < y.id; });
  if (auto entry_diags = tests::resolve_entries(roots, selected); !entry_diags.empty()) return fail_manifest(entry_diags);

  if (selected.empty() && !a.flag("allow-empty")) {
    std::cerr << "error[X07-TEST-EMPTY]: " << manifest_path.string() << ": 0 tests selected (manifest had "
              << m->tests.size() << (a.get("filter") ? "; filter=" + *a.get("filter") : "; no filters") << ")\n"
              << "help: pass --allow-empty to treat this as success, or change --filter\n";
    return 12;
  }
  if (a.flag("list")) {
    for (const auto& t : selected) std::cout << t.id << "\t" << t.world << "\t" << t.expect << "\t" << t.entry << "\n";
    return 0;
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t jobs = std::max<uint64_t>(1, a.u64("jobs").value_or(cores));
  RunContext ctx;
  ctx.runner = locate_runner();
  ctx.manifest_dir = m->dir;
  ctx.module_roots = roots;
  ctx.artifact_dir = fs::absolute(a.get("artifact-dir").value_or("target/x07test"));

  std::vector<Outcome> outcomes(selected.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex out_mu;
  const bool progress = !json_mode && ::isatty(STDERR_FILENO);
  auto worker = [&] {
    for (size_t i; (i = next++) < selected.size();) {
      outcomes[i] = run_one(ctx, selected[i]);
      const size_t n = ++done;
      std::lock_guard<std::mutex> lock(out_mu);
      if (progress) std::cerr << "\r\033[K[" << n << "/" << selected.size() << "] " << selected[i].id << std::flush;
    }
  };
  std::vector<std::thread> pool;
  for (uint64_t k = 0; k < std::min<uint64_t>(jobs, selected.size()); ++k) pool.emplace_back(worker);
  for (auto& th : pool) th.join();
  if (progress) std::cerr << "\r\033[K";
  if (!a.flag("keep-artifacts"))
    for (const auto& t : selected) {
      std::error_code ec;
      fs::remove_all(ctx.artifact_dir / safe_name(t.id), ec);
    }

  Summary s;
  bool mismatch = false;
  for (size_t i = 0; i < selected.size(); ++i) {
    const Outcome& o = outcomes[i];
    const std::string& st = o.status;
    if (st == "pass") ++s.passed;
    else if (st == "fail") ++s.failed;
    else if (st == "skip") ++s.skipped;
    else if (st == "xfail_pass") ++s.xfail_passed;
    else if (st == "xfail_fail") ++s.xfail_failed;
    else ++s.errors;
    if (o.compile_ok && !*o.compile_ok) ++s.compile_failures;
    if (o.run_ok && !*o.run_ok) ++s.run_failures;
    if (!meets_expectation(selected[i].expect, st)) mismatch = true;
  }
  s.duration_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  const int exit_code = s.compile_failures > 0 ? 11 : s.run_failures > 0 ? 12 : mismatch ? 10 : 0;

  emit_report(a, report_json(argv, manifest_path, roots.empty() ? "" : roots.front().string(), static_cast<unsigned>(jobs), s,
                             selected, outcomes),
              json_mode);
  if (json_mode) return exit_code;

  for (size_t i = 0; i < selected.size(); ++i) {
    const TestDecl& t = selected[i];
    const Outcome& o = outcomes[i];
    const bool ok = meets_expectation(t.expect, o.status);
    if (ok && !a.flag("verbose")) continue;
    std::cout << (ok ? "ok    " : "FAIL  ") << t.id << "  (" << o.status << ", expected " << t.expect << ", "
              << o.duration_ms << " ms)\n";
    if (!ok && o.failure_code && *o.failure_code != 0) std::cout << "      failure code " << *o.failure_code << "\n";
    for (const auto& d : o.diags) std::cout << "      " << d.code << ": " << d.message << "\n";
  }
  std::cout << "test result: " << (exit_code == 0 ? "ok" : "FAILED") << ". " << s.passed << " passed, "
            << (s.failed + s.errors) << " failed, " << s.skipped << " skipped";
  if (s.xfail_failed + s.xfail_passed) std::cout << ", " << s.xfail_failed << " failed as expected";
  std::cout << " (" << s.duration_ms << " ms)\n";
  return exit_code;
}

}  // namespace x07::facade
