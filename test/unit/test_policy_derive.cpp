#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/policy_derive.hpp"
#include "common/sha256.hpp"

using namespace x07;
using namespace x07::policy_derive;
namespace fs = std::filesystem;

namespace {

std::string template_bytes(const std::string& name) {
  std::string out;
  REQUIRE(fsutil::read_file(fs::path(X07_SOURCE_ROOT) / "templates/policies" / (name + ".json"), out));
  return out;
}

std::string error_of(std::string_view spec, bool deny) {
  try {
    parse_host_spec(spec, deny);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

Derived derive(const std::string& base, const Overrides& o) {
  return derive_from_bytes(base, "/p/base.json", o, "/nonexistent-root");
}

json::Document parse(const std::string& s) {
  json::Document d;
  REQUIRE(json::parse(s, d, nullptr));
  return d;
}

}  // namespace

TEST_CASE("derive: the spec's http-client test vector", "[policy_derive]") {
  std::string base = template_bytes("http-client");
  REQUIRE(Sha256::hex(base) == "782737b1acb40aa686a853028fc33a16cf9289399d7d05d313352a3d8543d831");

  Overrides o;
  o.allow_hosts = {"example.com:443"};
  CHECK(parse_overrides(o, "/").digest_json() ==
        R"({"allow_hosts":[{"host":"example.com","ports":[443]}],"allow_read_roots":[],"allow_write_roots":[],"deny_hosts":[]})");
  Derived d = derive(base, o);
  CHECK(d.g8 == "8fef694d");
  CHECK(d.file_name == "sandbox.http-client.base.g8fef694d.policy.json");
  CHECK(d.policy_id == "sandbox.http-client.base.g8fef694d");
  auto doc = parse(d.bytes);
  CHECK(json::to_compact(doc["net"]["allow_hosts"]) == R"([{"host":"example.com","ports":[443]}])");
  CHECK(doc["net"]["allow_dns"].GetBool());
  CHECK(std::string(doc["notes"].GetString()).ends_with("\nDerived by x07 run from `/p/base.json` (g8fef694d)"));
  CHECK(d.bytes.back() == '\n');
  CHECK(d.bytes == json::to_pretty_sorted(doc));

  o.deny_hosts = {"example.com:*"};
  Derived d2 = derive(base, o);
  CHECK(d2.g8 == "2a51c46e");
  CHECK(json::to_compact(parse(d2.bytes)["net"]["allow_hosts"]) == "[]");
}

TEST_CASE("derive: host spec parsing and exact messages", "[policy_derive]") {
  HostSpec h = parse_host_spec("  Example.COM:443, 80 ,443 ", false);
  CHECK(h.host == "example.com");
  CHECK(h.ports == std::set<uint16_t>{80, 443});
  CHECK(parse_host_spec("[::1]:8080", false).host == "::1");
  CHECK(parse_host_spec("a:b:c:9", false).host == "a:b:c");
  HostSpec star = parse_host_spec("x.org:*", true);
  CHECK(star.all_ports);
  CHECK(star.ports.empty());

  CHECK(error_of("", false) == "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS.");
  CHECK(error_of("nohostport", false) == "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS.");
  CHECK(error_of("host:", true) == "Expected HOST:PORTS (ports are 1..65535 or *).: Expected HOST:PORTS.");
  CHECK(error_of("[::1", false) == "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS.");
  CHECK(error_of("[::1]80", false) == "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS.");
  CHECK(error_of("[]:80", false) == "Expected HOST:PORTS (ports are 1..65535).: Expected HOST:PORTS.");
  CHECK(error_of("h:*", false) == "Expected HOST:PORTS (ports are 1..65535; '*' is only valid for --deny-host).");
  CHECK(error_of("h:0", false) == "ports are 1..65535");
  CHECK(error_of("h:65536", false) == "Expected HOST:PORTS (ports are 1..65535).");
  CHECK(error_of("h:1,,2", true) == "Expected HOST:PORTS (ports are 1..65535).");
  CHECK(error_of("h:x", false) == "Expected HOST:PORTS (ports are 1..65535).");
  CHECK(error_of("a;b:1", false) == "host must not contain whitespace or semicolons");
  CHECK(error_of("a b:1", false) == "host must not contain whitespace or semicolons");
  CHECK(error_of(std::string(256, 'a') + ":1", false) == "host must be <= 255 chars");
  std::string many = "h:";
  for (int p = 1; p <= 65; ++p) many += std::to_string(p) + (p < 65 ? "," : "");
  CHECK(error_of(many, false) == "ports list would exceed 64 entries");
}

TEST_CASE("derive: host files skip blanks and comments", "[policy_derive]") {
  auto lines = host_file_lines("# header\n\n  a.com:1  # trailing\n  # indented comment\nb.com:2\r\n   #\n");
  CHECK(lines == std::vector<std::string>{"a.com:1", "b.com:2"});
  CHECK_THROWS_WITH(host_file_lines("a.com:1\n\xff\n"), "host spec file must be utf-8");
}

TEST_CASE("derive: merge order, deny wins, new hosts sorted, dns rule", "[policy_derive]") {
  auto base_doc = parse(template_bytes("http-client"));
  auto& a = base_doc.GetAllocator();
  json::Document hosts;
  REQUIRE(json::parse(R"([{"host":"Zeta.example","ports":[443,80]},{"host":"10.0.0.1","ports":[22]},{"host":"zeta.example","ports":[8080]}])", hosts, nullptr));
  base_doc["net"]["allow_hosts"].CopyFrom(hosts, a);
  base_doc["net"]["allow_dns"].SetBool(false);
  std::string base = json::to_pretty_sorted(base_doc);

  Overrides o;
  o.allow_hosts = {"b.example:1", "a.example:2,3", "10.0.0.1:23", "127.0.0.1:9"};
  o.deny_hosts = {"a.example:2", "zeta.example:*", "10.0.0.1:22,23", "unknown:5"};
  auto doc = parse(derive(base, o).bytes);
  CHECK(json::to_compact(doc["net"]["allow_hosts"]) ==
        R"([{"host":"127.0.0.1","ports":[9]},{"host":"a.example","ports":[3]},{"host":"b.example","ports":[1]}])");
  CHECK(doc["net"]["allow_dns"].GetBool());

  Overrides ip_only;
  ip_only.allow_hosts = {"127.0.0.1:8080"};
  ip_only.deny_hosts = {"zeta.example:*"};
  auto doc2 = parse(derive(base, ip_only).bytes);
  CHECK(json::to_compact(doc2["net"]["allow_hosts"]) ==
        R"([{"host":"10.0.0.1","ports":[22]},{"host":"127.0.0.1","ports":[8080]}])");
  CHECK_FALSE(doc2["net"]["allow_dns"].GetBool());

  // A later numeric deny does not undo an earlier `*`.
  Overrides star_then_num;
  star_then_num.deny_hosts = {"zeta.example:*", "zeta.example:80"};
  auto po = parse_overrides(star_then_num, "/");
  CHECK(po.deny.at("zeta.example").all_ports);
  CHECK(po.deny.at("zeta.example").ports.empty());
}

TEST_CASE("derive: roots appended once, digest sorts and dedups", "[policy_derive]") {
  std::string base = template_bytes("cli");
  Overrides o;
  o.allow_read_roots = {" data ", ".", "a", "data"};
  o.allow_write_roots = {"out", "tmp"};
  auto po = parse_overrides(o, "/");
  CHECK(po.digest_json() ==
        R"({"allow_hosts":[],"allow_read_roots":[".","a","data"],"allow_write_roots":["out","tmp"],"deny_hosts":[]})");
  auto doc = parse(derive(base, o).bytes);
  CHECK(json::to_compact(doc["fs"]["read_roots"]) == R"([".","data","a"])");
  CHECK(json::to_compact(doc["fs"]["write_roots"]) == R"(["out","tmp"])");

  Overrides empty_root;
  empty_root.allow_read_roots = {"  "};
  CHECK_THROWS_WITH(derive(base, empty_root), "root path must be non-empty");
  Overrides long_root;
  long_root.allow_write_roots = {std::string(4097, 'r')};
  CHECK_THROWS_WITH(derive(base, long_root), "root path must be <= 4096 chars");
  Overrides too_many;
  for (int i = 0; i < 128; ++i) too_many.allow_read_roots.push_back(std::string("r").append(std::to_string(i)));
  CHECK_THROWS_WITH(derive(base, too_many), "fs.read_roots would exceed 128 entries");
}

TEST_CASE("derive: base preconditions in order", "[policy_derive]") {
  Overrides host;
  host.allow_hosts = {"x.com:1"};
  CHECK_THROWS_WITH(derive(template_bytes("cli"), host), "base policy disables networking (net.enabled=false)");

  auto doc = parse(template_bytes("http-client"));
  doc["net"]["allow_tcp"].SetBool(false);
  CHECK_THROWS_WITH(derive(json::to_pretty_sorted(doc), host), "base policy forbids TCP (net.allow_tcp=false)");

  Overrides root;
  root.allow_read_roots = {"x"};
  CHECK_THROWS_WITH(derive(template_bytes("worker"), root),
                    "base policy disables filesystem access (fs.enabled=false)");

  // Base checks come before spec parsing: a bad spec on a net-disabled base reports the base.
  Overrides bad;
  bad.allow_hosts = {"garbage"};
  CHECK_THROWS_WITH(derive(template_bytes("cli"), bad), "base policy disables networking (net.enabled=false)");

  try {
    derive("{not json", host);
    FAIL("expected SchemaInvalid");
  } catch (const SchemaInvalid& e) {
    REQUIRE(e.messages.size() == 1);
    CHECK(e.messages[0].starts_with("parse policy JSON: "));
  }
  auto bad_limits = parse(template_bytes("http-client"));
  bad_limits["limits"]["cpu_ms"].SetInt(0);
  try {
    derive(json::to_pretty_sorted(bad_limits), host);
    FAIL("expected SchemaInvalid");
  } catch (const SchemaInvalid& e) {
    REQUIRE(e.messages.size() == 1);
    CHECK(e.messages[0] == "0 is less than the minimum of 1 (/limits/cpu_ms)");
  }
}

TEST_CASE("derive: policy_id truncation and notes rules", "[policy_derive]") {
  auto doc = parse(template_bytes("http-client"));
  auto& a = doc.GetAllocator();
  doc["policy_id"] = json::make_string(std::string(64, 'p'), a);
  doc.RemoveMember("notes");
  Overrides o;
  o.allow_hosts = {"h.com:1"};
  Derived d = derive(json::to_pretty_sorted(doc), o);
  CHECK(d.file_name == std::string(64, 'p') + ".g" + d.g8 + ".policy.json");
  CHECK(d.policy_id == std::string(54, 'p') + ".g" + d.g8);
  CHECK(std::string(parse(d.bytes)["notes"].GetString()) == "Derived by x07 run from `/p/base.json` (g" + d.g8 + ")");

  json::set(doc, "notes", json::make_string(std::string(4090, 'n'), a), a);
  Derived full = derive(json::to_pretty_sorted(doc), o);
  CHECK(std::string(parse(full.bytes)["notes"].GetString()) == std::string(4090, 'n'));
}

TEST_CASE("derive: materialize writes once into _generated and reads host files", "[policy_derive]") {
  fs::path root = fs::temp_directory_path() / fsutil::unique_name("x07_derive_test_");
  fs::create_directories(root / "cfg");
  std::string base = template_bytes("http-client");
  REQUIRE(fsutil::write_file_atomic(root / "base.json", base));
  REQUIRE(fsutil::write_file_atomic(root / "cfg/hosts.txt", "# allow\nexample.com:443\n"));

  Overrides o;
  o.allow_host_files = {"cfg/hosts.txt"};
  fs::path out = materialize(root, root / "base.json", o);
  CHECK(out == root / ".x07/policies/_generated/sandbox.http-client.base.g8fef694d.policy.json");
  auto t1 = fs::last_write_time(out);
  CHECK(materialize(root, root / "base.json", o) == out);
  CHECK(fs::last_write_time(out) == t1);

  Overrides missing;
  missing.deny_host_files = {"nope.txt"};
  CHECK_THROWS_WITH(materialize(root, root / "base.json", missing),
                    Catch::StartsWith("read: " + (root / "nope.txt").string() + ": No such file or directory"));
  CHECK_THROWS_WITH(materialize(root, root / "absent.json", o), Catch::StartsWith("read policy: "));
  fs::remove_all(root);
}

TEST_CASE("derive: host and port caps", "[policy_derive]") {
  std::string base = template_bytes("http-client");
  Overrides many_hosts;
  for (int i = 0; i < 257; ++i) many_hosts.allow_hosts.push_back(std::string("h").append(std::to_string(i)).append(".example:1"));
  CHECK_THROWS_WITH(derive(base, many_hosts), "Policy net.allow_hosts would exceed 256 entries");
  many_hosts.allow_hosts.pop_back();
  CHECK(parse(derive(base, many_hosts).bytes)["net"]["allow_hosts"].Size() == 256);

  // 64 ports per spec, but two specs for the same host can add up to more.
  Overrides many_ports;
  std::string a = "h.example:", b = "h.example:";
  for (int p = 1; p <= 40; ++p) a.append(std::to_string(p)).append(p < 40 ? "," : "");
  for (int p = 41; p <= 65; ++p) b.append(std::to_string(p)).append(p < 65 ? "," : "");
  many_ports.allow_hosts = {a, b};
  CHECK_THROWS_WITH(derive(base, many_ports), "Host h.example would exceed 64 allowed ports");
}
