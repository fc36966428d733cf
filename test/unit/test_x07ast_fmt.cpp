#include <catch2/catch.hpp>

#include "common/json_locate.hpp"
#include "common/x07ast_fmt.hpp"

using namespace x07;

namespace {
std::string fmt(const std::string& src, bool pretty = false) {
  auto r = x07ast::format_canonical(src, pretty);
  INFO(r.error.message << " at " << r.error.ptr);
  REQUIRE(r.ok);
  return r.text;
}
x07ast::FormatError fmt_err(const std::string& src) {
  auto r = x07ast::format_canonical(src, false);
  REQUIRE_FALSE(r.ok);
  return r.error;
}
const char* kHead = R"("schema_version":"x07.x07ast@0.8.0","kind":"module","module_id":"m",)";
}  // namespace

TEST_CASE("fmt: canonical order, sorted imports/exports, dropped unknown fields", "[fmt]") {
  const std::string src = std::string("{") + kHead +
                          R"("imports":["b","a","b"],"extra":1,"decls":[
      {"kind":"defn","name":"m.z","params":[],"result":"i32","body":0,"junk":true},
      {"kind":"export","names":["m.z","m.a","m.a"]},
      {"kind":"defn","name":"m.a","doc":"  hi  ","params":[{"name":"x","ty":["t","T"]}],"result":"i32","body":["f",-1,"x"]}]})";
  CHECK(fmt(src) ==
        R"({"decls":[{"kind":"export","names":["m.a","m.z"]},{"body":["f",-1,"x"],"doc":"hi","kind":"defn","name":"m.a",)"
        R"("params":[{"name":"x","ty":["t","T"]}],"result":"i32"},{"body":0,"kind":"defn","name":"m.z","params":[],)"
        R"("result":"i32"}],"imports":["a","b"],"kind":"module","module_id":"m","schema_version":"x07.x07ast@0.8.0"})"
        "\n");
}

TEST_CASE("fmt: idempotent, pretty form, entry with solve and meta", "[fmt]") {
  const std::string src =
      R"({"schema_version":"x07.x07ast@0.5.0","kind":"entry","module_id":"main","imports":[],"decls":[],)"
      R"("solve":["bytes.lit","a b"],"meta":{"z":1,"a":[true,null]}})";
  const std::string once = fmt(src);
  CHECK(once == fmt(once));
  CHECK(once ==
        R"({"decls":[],"imports":[],"kind":"entry","meta":{"a":[true,null],"z":1},"module_id":"main",)"
        R"("schema_version":"x07.x07ast@0.5.0","solve":["bytes.lit","a b"]})"
        "\n");
  const std::string pretty = fmt(src, true);
  CHECK(pretty.rfind("{\n  \"decls\": [],\n  \"imports\": [],\n", 0) == 0);
  CHECK(fmt(pretty, true) == pretty);
}

TEST_CASE("fmt: rejects what the reader rejects, with a pointer", "[fmt]") {
  auto e = fmt_err(std::string("{") + kHead + R"("imports":[],"decls":[{"kind":"defn","name":"m.f","params":[],"result":"i32","body":["a b"]}]})");
  CHECK(e.message == "list head must not contain whitespace");
  CHECK(e.ptr == "/decls/0/body/0");
  e = fmt_err(std::string("{") + kHead + R"("imports":[],"decls":[{"kind":"defn","name":"x.f","params":[],"result":"i32","body":0}]})");
  CHECK(e.ptr == "/decls/0/name");
  e = fmt_err(std::string("{") + kHead + R"("imports":[],"decls":[{"kind":"defn","name":"m.f","params":[],"result":"i32","body":1.5}]})");
  CHECK(e.message == "number is not an i64");
  e = fmt_err(std::string("{") + kHead + R"("imports":[],"decls":[{"kind":"defn","name":"m.f","params":[],"result":"i32","body":3000000000}]})");
  CHECK(e.message == "number out of i32 range: 3000000000");
  e = fmt_err(R"({"schema_version":"x07.x07ast@9.9.9","kind":"module","module_id":"m","imports":[],"decls":[]})");
  CHECK(e.ptr == "/schema_version");
  e = fmt_err(std::string("{") + kHead + R"("imports":[],"decls":[{"kind":"export","names":["m.a"]},{"kind":"export","names":["m.b"]}]})");
  CHECK(e.message == "duplicate export decl");
  CHECK(fmt_err("[1,").ptr.empty());
}

TEST_CASE("locate_pointer: line and column of a pointer's value", "[fmt]") {
  const std::string text = "{\n  \"a\": [1, {\"b~/c\": \"x\"}],\n  \"d\": \"\xc3\xa9\xc3\xa9\", \"e\": 2\n}";
  auto at = [&](const char* p) {
    auto pos = json::locate_pointer(text, p);
    REQUIRE(pos);
    return std::make_pair(pos->line, pos->col);
  };
  CHECK(at("") == std::make_pair(1, 1));
  CHECK(at("/a") == std::make_pair(2, 8));
  CHECK(at("/a/1") == std::make_pair(2, 12));
  CHECK(at("/a/1/b~0~1c") == std::make_pair(2, 21));
  CHECK(at("/e") == std::make_pair(3, 19));  // columns count characters, not bytes
  CHECK(at("/a/7") == std::make_pair(2, 8));  // deeper than the document: the closest ancestor
  CHECK_FALSE(json::locate_pointer("   ", "/a"));
}
