#include <catch2/catch.hpp>

#include <string>

#include "common/policy.hpp"

using namespace x07;

namespace {
// A complete minimal policy; tests splice fields into it.
std::string policy_text(const std::string& process_extra = "", const std::string& top_extra = "") {
  return R"({
  "schema_version": "x07.run-os-policy@0.1.0",
  "policy_id": "test",
  "limits": {"cpu_ms": 1000, "wall_ms": 2000, "mem_bytes": 268435456, "fds": 32, "procs": 0},
  "fs": {"enabled": true, "read_roots": ["a", "b"], "write_roots": [], "deny_hidden": true},
  "net": {"enabled": true, "allow_dns": false, "allow_tcp": true, "allow_udp": false,
          "allow_hosts": [{"host": " example.com ", "ports": [443, 80]}, {"host": "[::1]", "ports": [8080]}]},
  "env": {"enabled": false, "allow_keys": [], "deny_keys": ["SECRET"]},
  "time": {"enabled": true, "allow_monotonic": true, "allow_wall_clock": false, "allow_sleep": true,
           "max_sleep_ms": 50, "allow_local_tzid": false},
  "process": {"enabled": false, "allow_spawn": false, "max_live": 0, "max_spawns": 0,
              "allow_exec": false, "allow_exit": true)" +
         process_extra + "}" + top_extra + "\n}\n";
}

std::string parse_error(const std::string& text) {
  std::string err;
  auto p = policy::parse(text, &err);
  REQUIRE_FALSE(p.has_value());
  return err;
}

std::string validation_error(const std::string& text) {
  std::string err;
  auto p = policy::parse(text, &err);
  INFO(err);
  REQUIRE(p.has_value());
  auto v = policy::validate_basic(*p);
  REQUIRE(v.has_value());
  return *v;
}
}  // namespace

TEST_CASE("policy parses with documented defaults", "[policy]") {
  std::string err;
  auto p = policy::parse(policy_text(), &err);
  INFO(err);
  REQUIRE(p.has_value());
  CHECK(p->limits.cpu_ms == 1000);
  CHECK_FALSE(p->limits.core_dumps.has_value());
  CHECK(p->fs.read_roots == std::vector<std::string>{"a", "b"});
  CHECK(p->fs.max_read_bytes == 0);
  CHECK(p->threads.enabled);
  CHECK(p->threads.max_blocking == 4);
  CHECK(p->threads.max_queue == 1024);
  CHECK(p->process.max_exe_bytes == 4096);
  CHECK(p->process.max_env_key_bytes == 256);
  CHECK(p->process.kill_on_drop);
  CHECK(p->process.kill_tree);
  CHECK_FALSE(p->db.enabled);
  CHECK(p->db.max_queries == 0);
  CHECK_FALSE(p->language.allow_ffi);
  CHECK_FALSE(policy::validate_basic(*p).has_value());
}

TEST_CASE("policy ignores unknown keys and applies db/threads sub-defaults", "[policy]") {
  std::string err;
  auto p = policy::parse(policy_text(R"(, "future_key": 1)",
                                     R"(, "notes": "x", "whatever": {"a": 1}, "db": {"net": {}}, "threads": {"max_workers": 3})"),
                         &err);
  INFO(err);
  REQUIRE(p.has_value());
  CHECK(p->db.net.require_tls);
  CHECK(p->db.net.require_verify);
  CHECK(p->threads.max_workers == 3);
  CHECK(p->threads.max_blocking == 4);
}

TEST_CASE("policy parse errors read like upstream", "[policy]") {
  CHECK(parse_error("{\n  \"schema_version\": \"x\"\n}") == "missing field `policy_id` at line 3 column 1");
  std::string t = policy_text();
  std::string bad = t;
  bad.replace(bad.find("\"cpu_ms\": 1000"), 14, "\"cpu_ms\": \"1\"");
  CHECK(parse_error(bad) == "invalid type: string \"1\", expected u64 at line 4 column 26");
  bad = t;
  bad.replace(bad.find("[443, 80]"), 9, "[443, 70000]");
  CHECK(parse_error(bad).rfind("invalid value: integer `70000`, expected u16 at line 7", 0) == 0);
  bad = t;
  bad.replace(bad.find("\"deny_hidden\": true"), 19, "\"deny_hidden\": 1");
  CHECK(parse_error(bad).rfind("invalid type: integer `1`, expected a boolean", 0) == 0);
  CHECK(parse_error("[]") == "invalid type: sequence, expected struct Policy at line 1 column 2");
  CHECK(parse_error("{").rfind("EOF while parsing an object", 0) == 0);
}

TEST_CASE("policy validate_basic messages", "[policy]") {
  std::string t = policy_text();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = t;
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
    return s;
  };
  CHECK(validation_error(with("\"x07.run-os-policy@0.1.0\"", "\"v2\"")) ==
        "policy.schema_version mismatch: expected x07.run-os-policy@0.1.0 got \"v2\"");
  CHECK(validation_error(with("\"test\"", "\"  \"")) == "policy.policy_id must be non-empty");
  CHECK(validation_error(with("\"cpu_ms\": 1000", "\"cpu_ms\": 0")) == "policy.limits.cpu_ms must be 1..600000 (got 0)");
  CHECK(validation_error(with("\"wall_ms\": 2000", "\"wall_ms\": 600001")) ==
        "policy.limits.wall_ms must be 1..600000 (got 600001)");
  CHECK(validation_error(with("268435456", "1048575")) ==
        "policy.limits.mem_bytes must be 1048576..17179869184 (got 1048575)");
  CHECK(validation_error(with("\"fds\": 32", "\"fds\": 1025")) == "policy.limits.fds must be 0..1024 (got 1025)");
  CHECK(validation_error(with("\"allow_spawn\": false", "\"allow_spawn\": true")) ==
        "policy.process.allow_execs or policy.process.allow_exec_prefixes must be non-empty when allow_spawn is true");
  CHECK(validation_error(with("\"allow_spawn\": false", "\"allow_spawn\": true, \"allow_execs\": [\"/bin/true\"]")) ==
        "policy.process.max_live must be non-zero when allow_spawn is true");
  CHECK(validation_error(with("\"allow_exit\": true", "\"allow_exit\": true, \"allow_cwd\": true")) ==
        "policy.process.allow_cwd_roots must be non-empty when allow_cwd is true");
  CHECK(validation_error(with("\"max_sleep_ms\": 50", "\"max_sleep_ms\": 86400001")) ==
        "policy.time.max_sleep_ms must be <= 86400000");
  CHECK(validation_error(with("[\"a\", \"b\"]", "[\"a\", \"b;c\"]")) ==
        "policy.fs.read_roots[1] is invalid: value must not contain ';'");
  CHECK(validation_error(with("\" example.com \"", "\"exa mple\"")) ==
        "policy.net.allow_hosts[0].host must not contain whitespace");
  CHECK(validation_error(with("[8080]", "[]")) == "policy.net.allow_hosts[1].ports must be non-empty");
  CHECK(validation_error(with("[443, 80]", "[443, 0]")) == "policy.net.allow_hosts[0].ports[1] must be 1..65535");
  CHECK(validation_error(with("\"allow_exit\": true", "\"allow_exit\": true, \"allow_args_regex_lite\": [\"a\", \"*x\"]")) ==
        "policy.process.allow_args_regex_lite[1] is invalid: pattern has '*' with nothing to repeat");
  CHECK(validation_error(with("\"allow_exit\": true", "\"allow_exit\": true, \"allow_args_regex_lite\": [\"ab\\\\\"]")) ==
        "policy.process.allow_args_regex_lite[0] is invalid: pattern has trailing '\\\\'");
  CHECK(validation_error(with("\"time\":", "\"threads\": {\"max_workers\": 257}, \"time\":")) ==
        "policy.threads.max_workers must be 0..256 (got 257)");
  CHECK(validation_error(with("\"time\":", "\"db\": {\"enabled\": true}, \"time\":")) ==
        "policy.db.drivers must allow at least one driver when policy.db.enabled is true");
}

TEST_CASE("policy regex-lite accepts escapes and single repeats", "[policy]") {
  std::string t = policy_text(R"(, "allow_args_regex_lite": ["a*b", "\\**", ".*", "x"])");
  std::string err;
  auto p = policy::parse(t, &err);
  INFO(err);
  REQUIRE(p.has_value());
  CHECK_FALSE(policy::validate_basic(*p).has_value());
}

TEST_CASE("policy env mapping: order, encodings", "[policy]") {
  std::string err;
  auto p = policy::parse(policy_text(), &err);
  REQUIRE(p.has_value());
  auto env = policy::env_vars(*p);
  REQUIRE(env.size() == 78);
  CHECK(env[0] == std::make_pair(std::string("X07_OS_FS"), std::string("1")));
  CHECK(env[5].first == "X07_OS_PROC");
  CHECK(env[6] == std::make_pair(std::string("X07_OS_THREADS"), std::string("1")));
  CHECK(env[8] == std::make_pair(std::string("X07_OS_THREADS_MAX_BLOCKING"), std::string("4")));
  CHECK(env[10].first == "X07_OS_DENY_HIDDEN");
  CHECK(env[11] == std::make_pair(std::string("X07_OS_FS_READ_ROOTS"), std::string("a;b")));
  CHECK(env[12] == std::make_pair(std::string("X07_OS_FS_WRITE_ROOTS"), std::string("")));
  CHECK(env.back() ==
        std::make_pair(std::string("X07_OS_NET_ALLOW_HOSTS"), std::string("example.com:443,80;[::1]:8080")));
  bool saw_ports = false;
  for (auto& [k, v] : env) {
    if (k == "X07_OS_DB_NET_REQUIRE_TLS") CHECK(v == "1");
    if (k == "X07_OS_ENV_DENY_KEYS") CHECK(v == "SECRET");
    if (k == "X07_OS_TIME_MAX_SLEEP_MS") CHECK(v == "50");
    if (k == "X07_OS_DB_NET_ALLOW_PORTS") saw_ports = true;
  }
  CHECK(saw_ports);
}
