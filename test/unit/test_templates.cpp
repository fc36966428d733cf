#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/policy_schema.hpp"
#include "common/sha256.hpp"

using namespace x07;
namespace fs = std::filesystem;

// The policy templates under templates/policies are stored exactly as `x07 policy init`
// renders them (sorted-key pretty JSON + "\n"), so rendering is the identity and the
// reference sizes/digests of facade.md §3.4 apply to the files themselves.
TEST_CASE("policy templates: byte-exact renders with the reference sizes and digests", "[templates]") {
  const std::map<std::string, std::pair<size_t, std::string>> expected = {
      {"cli", {1985, "110a3469bff3c4399d8d21f625cafc5b9dd9708a5f627bb5179bc2514493188e"}},
      {"http-client", {2054, "782737b1acb40aa686a853028fc33a16cf9289399d7d05d313352a3d8543d831"}},
      {"web-service", {2118, "23bac05b"}},
      {"fs-tool", {2040, "eda4bbd2"}},
      {"sqlite-app", {2541, "18d5301f"}},
      {"postgres-client", {2537, "1170d499"}},
      {"worker", {1952, "cf97d6d4"}},
      {"worker-parallel", {2058, "207cc1d9"}},
  };
  for (const auto& [name, want] : expected) {
    INFO(name);
    std::string bytes;
    REQUIRE(fsutil::read_file(fs::path(X07_SOURCE_ROOT) / "templates/policies" / (name + ".json"), bytes));
    CHECK(bytes.size() == want.first);
    CHECK(Sha256::hex(bytes).rfind(want.second, 0) == 0);
    json::Document d;
    REQUIRE(json::parse(bytes, d, nullptr));
    CHECK(json::to_pretty_sorted(d) == bytes);
    CHECK(policy_schema::validate(d).empty());
    CHECK(std::string(d["policy_id"].GetString()) == "sandbox." + name + ".base");
    CHECK(std::string(d["schema_version"].GetString()) == "x07.run-os-policy@0.1.0");
  }
}

TEST_CASE("policy templates: table differences of facade.md §3.4", "[templates]") {
  auto load = [](const std::string& name) {
    auto d = std::make_unique<json::Document>();
    std::string bytes;
    REQUIRE(fsutil::read_file(fs::path(X07_SOURCE_ROOT) / "templates/policies" / (name + ".json"), bytes));
    REQUIRE(json::parse(bytes, *d, nullptr));
    return d;
  };
  auto web = load("web-service");
  CHECK(json::to_compact((*web)["env"]["allow_keys"]) == R"(["PORT","HOST","LOG_LEVEL"])");
  auto fs_tool = load("fs-tool");
  CHECK(json::to_compact((*fs_tool)["fs"]["write_roots"]) == R"(["src","out"])");
  auto wp = load("worker-parallel");
  CHECK((*wp)["process"]["allow_spawn"].GetBool());
  CHECK(json::to_compact((*wp)["process"]["allow_exec_prefixes"]) == R"(["deps/x07/"])");
  CHECK((*wp)["limits"]["procs"].GetUint64() == 1024);
  auto sqlite = load("sqlite-app");
  CHECK(json::to_compact((*sqlite)["db"]["sqlite"]["allow_paths"]) == R"(["out/app.sqlite"])");
  auto pg = load("postgres-client");
  CHECK((*pg)["db"]["connect_timeout_ms"].GetUint64() == 5000);
  CHECK((*pg)["db"]["drivers"]["postgres"].GetBool());
  CHECK_FALSE((*pg)["net"]["enabled"].GetBool());
  auto http = load("http-client");
  CHECK_FALSE((*http)["fs"]["allow_glob"].GetBool());
  CHECK((*http)["net"]["allow_tcp"].GetBool());
}
