#include <catch2/catch.hpp>

#include "common/json.hpp"
#include "common/report.hpp"

using namespace x07;

namespace {
std::vector<std::string> keys(const json::Value& o) {
  std::vector<std::string> out;
  for (auto it = o.MemberBegin(); it != o.MemberEnd(); ++it) out.emplace_back(it->name.GetString());
  return out;
}
}  // namespace

TEST_CASE("run-os report: keys sorted, nulls present, exit_code derived", "[report]") {
  report::RunOsReport r;
  r.world = "run-os";
  r.solve.ok = false;
  r.solve.exit_status = 137;
  r.solve.stdout_bytes = std::string("\x01\x00\x00\x00", 4);
  r.solve.trap = "timed out";
  std::string text = report::to_json(r);
  REQUIRE(text.back() == '\n');
  json::Document d;
  REQUIRE(json::parse(text, d, nullptr));
  CHECK(keys(d) == std::vector<std::string>{
                       "debug_stats", "exit_code", "exit_status", "fs_list_dir_calls", "fs_read_file_calls",
                       "fuel_used", "heap_used", "kv_get_calls", "kv_set_calls", "mem_stats", "mode", "ok",
                       "rr_append_calls", "rr_close_calls", "rr_next_calls", "rr_next_miss_calls", "rr_open_calls",
                       "rr_stats_calls", "sched_stats", "schema_version", "solve_output_b64", "stderr_b64",
                       "stdout_b64", "trap", "trap_help", "world"});
  CHECK(d["exit_code"].GetInt() == 1);
  CHECK(d["fuel_used"].IsNull());
  CHECK(d["trap_help"].IsNull());
  CHECK(std::string(d["stdout_b64"].GetString()) == "AQAAAA==");
  CHECK(std::string(d["mode"].GetString()) == "run-os");
  CHECK(std::string(d["schema_version"].GetString()) == "x07-os-runner.report@0.5.0");
  CHECK(text.find("\n  \"debug_stats\": null,\n") != std::string::npos);
}

TEST_CASE("run-os report with metrics and sandbox backend", "[report]") {
  report::RunOsReport r;
  r.world = "run-os-sandboxed";
  r.sandbox_backend = "os";
  r.solve.ok = true;
  r.solve.exit_status = 0;
  report::Metrics m;
  m.fuel_used = 12;
  m.mem_stats = report::MemStats{};
  m.sched_stats = report::SchedStats{};
  m.sched_stats->sched_trace_hash = "0x0000000000000000";
  r.solve.metrics = m;
  json::Document d;
  REQUIRE(json::parse(report::to_json(r), d, nullptr));
  CHECK(d["exit_code"].GetInt() == 0);
  CHECK(d["fuel_used"].GetUint64() == 12);
  CHECK(d["kv_get_calls"].GetUint64() == 0);
  CHECK(std::string(d["sandbox_backend"].GetString()) == "os");
  CHECK(keys(d["mem_stats"]) == std::vector<std::string>{"alloc_calls", "bytes_alloc_total", "bytes_freed_total",
                                                         "free_calls", "live_allocs", "live_bytes", "memcpy_bytes",
                                                         "peak_live_allocs", "peak_live_bytes", "realloc_calls"});
  CHECK(keys(d["sched_stats"]).front() == "blocked_waits");
  CHECK(d["debug_stats"].IsNull());
}

TEST_CASE("compile-run report: compile failure has null solve", "[report]") {
  report::CompileRunReport r;
  r.mode = "compile-run";
  r.world = "run-os";
  r.compile.lang_id = "x07-core@0.2.0";
  r.compile.native_world = "run-os";
  r.compile.compile_error = "Parse: bad";
  std::string text = report::to_json(r);
  json::Document d;
  REQUIRE(json::parse(text, d, nullptr));
  CHECK(keys(d) == std::vector<std::string>{"compile", "exit_code", "mode", "schema_version", "solve", "world"});
  CHECK(d["exit_code"].GetInt() == 1);
  CHECK(d["solve"].IsNull());
  CHECK(keys(d["compile"]) == std::vector<std::string>{"c_source_size", "compile_error", "compiled_exe",
                                                       "compiled_exe_size", "exit_status", "fuel_used", "lang_id",
                                                       "native_requires", "ok", "stderr_b64", "stdout_b64", "trap"});
  CHECK(text.find("\"native_requires\": {\n      \"requires\": [],\n      \"schema_version\": "
                  "\"x07.native-requires@0.1.0\",\n      \"world\": \"run-os\"\n    },") != std::string::npos);
}

TEST_CASE("compile-run report: compile-only exit 0, solve exit status drives exit_code", "[report]") {
  report::CompileRunReport r;
  r.mode = "project-compile-run";
  r.world = "run-os";
  r.compile.ok = true;
  r.compile.exit_status = 0;
  CHECK(r.exit_code() == 0);
  r.solve = report::Solve{};
  r.solve->ok = true;
  r.solve->exit_status = 0;
  CHECK(r.exit_code() == 0);
  r.solve->exit_status = 3;
  CHECK(r.exit_code() == 1);
  r.compile.diagnostics.push_back({"X07-TYPE-0001", "error", "type", "bad", "main.x07.json", "/solve"});
  r.compile.native_requires.push_back({"x07.ext.fs", 1, {}});
  json::Document d;
  REQUIRE(json::parse(report::to_json(r), d, nullptr));
  CHECK(d["compile"]["diagnostics"].Size() == 1);
  const auto& diag = d["compile"]["diagnostics"][0];
  CHECK(std::string(diag["loc"]["kind"].GetString()) == "x07ast");
  CHECK(std::string(diag["loc"]["ptr"].GetString()) == "/solve");
  CHECK_FALSE(diag["loc"].HasMember("file"));
  CHECK(std::string(diag["data"]["file"].GetString()) == "main.x07.json");
  CHECK_FALSE(d["compile"]["native_requires"]["requires"][0].HasMember("features"));
  CHECK(d["solve"]["exit_status"].GetInt() == 3);
}

TEST_CASE("report: a diagnostic with a line uses x07diag's text location", "[report]") {
  report::CompileRunReport r;
  r.world = "run-os";
  report::Diagnostic diag{"X07-TYPE-0001", "error", "type", "bad", "main.x07.json", "/solve"};
  diag.line = 3;
  diag.col = 7;
  r.compile.diagnostics.push_back(diag);
  json::Document d;
  REQUIRE(json::parse(report::to_json(r), d, nullptr));
  const auto& loc = d["compile"]["diagnostics"][0]["loc"];
  CHECK(std::string(loc["kind"].GetString()) == "text");
  CHECK(std::string(loc["span"]["file"].GetString()) == "main.x07.json");
  CHECK(loc["span"]["start"]["line"].GetInt() == 3);
  CHECK(loc["span"]["start"]["col"].GetInt() == 7);
  CHECK(loc["span"]["end"]["line"].GetInt() == 3);
  CHECK(std::string(d["compile"]["diagnostics"][0]["data"]["ptr"].GetString()) == "/solve");
}
