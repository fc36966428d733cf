#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/policy_schema.hpp"

using namespace x07;
using namespace x07::policy_schema;
namespace fs = std::filesystem;

namespace {

json::Document load(const fs::path& p) {
  json::Document d;
  auto err = json::parse_file(p, d);
  INFO(p.string());
  REQUIRE(!err);
  return d;
}

json::Document load_template(const std::string& name) {
  return load(fs::path(X07_SOURCE_ROOT) / "templates/policies" / (name + ".json"));
}

// Walks our constraint tree next to the published JSON Schema and checks they agree
// on every keyword the policy schema uses.
void compare(const SchemaNode& n, const json::Value& s, const std::string& where) {
  INFO(where);
  auto type = json::get_string(s, "type");
  switch (n.type) {
    case Type::Const:
      REQUIRE(json::get_string(s, "const") == n.const_value);
      return;
    case Type::Boolean:
      CHECK(type == "boolean");
      return;
    case Type::Integer:
      CHECK(type == "integer");
      CHECK(json::get_i64(s, "minimum") == n.minimum);
      CHECK(json::get_i64(s, "maximum") == n.maximum);
      return;
    case Type::String: {
      CHECK(type == "string");
      auto min_len = json::get_u64(s, "minLength");
      auto max_len = json::get_u64(s, "maxLength");
      CHECK(min_len == n.min_length);
      CHECK(max_len == n.max_length);
      auto pat = json::get_string(s, "pattern");
      if (n.pattern == Pattern::None) CHECK(!pat);
      else CHECK(pat == std::string(pattern_source(n.pattern)));
      return;
    }
    case Type::Array:
      CHECK(type == "array");
      CHECK(json::get_u64(s, "maxItems") == n.max_items);
      REQUIRE(json::get_object(s, "items"));
      compare(*n.items, *json::get_object(s, "items"), where + "/items");
      return;
    case Type::Object: {
      CHECK(type == "object");
      CHECK(json::get_bool(s, "additionalProperties") == false);
      std::set<std::string> required;
      if (auto* r = json::get_array(s, "required"))
        for (const auto& e : r->GetArray()) required.insert(e.GetString());
      const json::Value* props = json::get_object(s, "properties");
      REQUIRE(props);
      CHECK(props->MemberCount() == n.properties.size());
      std::set<std::string> ours_required;
      for (const auto& p : n.properties) {
        if (p.required) ours_required.insert(p.name);
        const json::Value* ps = json::get_object(*props, p.name);
        INFO("property " << p.name);
        REQUIRE(ps);
        compare(*p.node, *ps, where + "/" + p.name);
      }
      CHECK(required == ours_required);
      return;
    }
  }
}

}  // namespace

TEST_CASE("schema: our constraint tree matches run-os-policy.schema.json", "[policy_schema]") {
  // The upstream schemas ship beside the repository (../shared/schemas), not in it.
  const fs::path path = fs::path(X07_SCHEMAS_DIR) / "run-os-policy.schema.json";
  if (!fs::exists(path) && !std::getenv("CI")) {
    WARN("upstream schema not found, skipping: " << path);
    return;
  }
  json::Document schema = load(path);
  compare(run_os_policy_schema(), schema, "");
}

TEST_CASE("schema: every template is valid", "[policy_schema]") {
  for (const char* t : {"cli", "http-client", "web-service", "fs-tool", "sqlite-app", "postgres-client", "worker",
                        "worker-parallel"}) {
    INFO(t);
    CHECK(violation_texts(load_template(t)).empty());
  }
}

TEST_CASE("schema: violations carry message and pointer", "[policy_schema]") {
  json::Document d = load_template("sqlite-app");
  auto& a = d.GetAllocator();
  d["limits"]["cpu_ms"].SetInt(600001);
  d["limits"]["fds"].SetDouble(1.5);
  d["fs"]["read_roots"].PushBack(json::make_string("", a), a);
  d["net"].RemoveMember("allow_udp");
  d["db"]["sqlite"].AddMember("extra", true, a);
  d["env"]["enabled"] = json::make_string("yes", a);
  d["policy_id"] = json::make_string("bad id", a);
  d["schema_version"] = json::make_string("x07.run-os-policy@9", a);
  json::Value host(rapidjson::kObjectType);
  host.AddMember("host", json::make_string("a;b", a), a);
  json::Value ports(rapidjson::kArrayType);
  ports.PushBack(0, a);
  host.AddMember("ports", ports, a);
  d["net"]["allow_hosts"].PushBack(host, a);
  d.AddMember("bogus", 1, a);

  auto got = violation_texts(d);
  auto has = [&](const std::string& s) { return std::find(got.begin(), got.end(), s) != got.end(); };
  CHECK(has("Additional properties are not allowed ('bogus' was unexpected) ()"));
  CHECK(has("\"x07.run-os-policy@0.1.0\" was expected (/schema_version)"));
  CHECK(has("\"bad id\" does not match \"^[a-zA-Z0-9_.-]{1,64}$\" (/policy_id)"));
  CHECK(has("600001 is greater than the maximum of 600000 (/limits/cpu_ms)"));
  CHECK(has("1.5 is not of type \"integer\" (/limits/fds)"));
  CHECK(has("\"\" should be non-empty (/fs/read_roots/1)"));
  CHECK(has("\"allow_udp\" is a required property (/net)"));
  CHECK(has("\"a;b\" does not match \"^[^;\\\\s]+$\" (/net/allow_hosts/0/host)"));
  CHECK(has("0 is less than the minimum of 1 (/net/allow_hosts/0/ports/0)"));
  CHECK(has("Additional properties are not allowed ('extra' was unexpected) (/db/sqlite)"));
  CHECK(has("\"yes\" is not of type \"boolean\" (/env/enabled)"));
  CHECK(got.size() == 11);
}

TEST_CASE("schema: lengths count code points, whitespace includes unicode spaces", "[policy_schema]") {
  json::Document d = load_template("http-client");
  auto& a = d.GetAllocator();
  std::string accents;
  for (int i = 0; i < 4096; ++i) accents += "\xc3\xa9";  // 4096 code points, 8192 bytes
  d["notes"] = json::make_string(accents, a);
  CHECK(violation_texts(d).empty());
  d["notes"] = json::make_string(accents + "x", a);
  REQUIRE(violation_texts(d).size() == 1);
  CHECK(validate(d)[0].pointer == "/notes");

  d["notes"] = json::make_string("ok", a);
  json::Value host(rapidjson::kObjectType);
  host.AddMember("host", json::make_string("a\xe2\x80\x83" "b", a), a);  // U+2003 EM SPACE
  host.AddMember("ports", json::Value(rapidjson::kArrayType), a);
  d["net"]["allow_hosts"].PushBack(host, a);
  REQUIRE(violation_texts(d).size() == 1);
  CHECK(validate(d)[0].pointer == "/net/allow_hosts/0/host");
}

TEST_CASE("schema: x07diag line shape", "[policy_schema]") {
  CHECK(x07diag_line({"m1 (/a)", "q\""}) ==
        "{\"schema_version\":\"x07.x07diag@0.1.0\",\"ok\":false,\"diagnostics\":["
        "{\"code\":\"X07-POLICY-SCHEMA-0001\",\"severity\":\"error\",\"stage\":\"parse\",\"message\":\"m1 (/a)\"},"
        "{\"code\":\"X07-POLICY-SCHEMA-0001\",\"severity\":\"error\",\"stage\":\"parse\",\"message\":\"q\\\"\"}]}\n");
}
