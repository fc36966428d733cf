#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/json.hpp"

using namespace x07;

TEST_CASE("json pretty sorted: nested, empty containers, trailing newline", "[json]") {
  json::Document d;
  REQUIRE(json::parse(R"({"b":[1,{"z":null,"a":true}],"a":{},"c":[],"B":-3})", d, nullptr));
  CHECK(json::to_pretty_sorted(d) ==
        "{\n  \"B\": -3,\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"a\": true,\n      \"z\": null\n"
        "    }\n  ],\n  \"c\": []\n}\n");
  CHECK(json::to_compact_sorted(d) == R"({"B":-3,"a":{},"b":[1,{"a":true,"z":null}],"c":[]})");
  CHECK(json::to_compact(d) == R"({"b":[1,{"z":null,"a":true}],"a":{},"c":[],"B":-3})");
}

TEST_CASE("json escaping follows upstream rules", "[json]") {
  std::string out;
  json::append_quoted(out, std::string("a/\"\\\n\t\r\b\f\x01\x1f\x7f", 12) + "\xc3\xa9");
  CHECK(out == "\"a/\\\"\\\\\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\xc3\xa9\"");
}

TEST_CASE("json numbers: big unsigned, negative, doubles", "[json]") {
  json::Document d;
  REQUIRE(json::parse(R"([18446744073709551615,-9223372036854775808,1.5,2.0,1e20])", d, nullptr));
  CHECK(json::to_compact(d) == "[18446744073709551615,-9223372036854775808,1.5,2.0,1e20]");
}

// RapidJSON 1.1's full-precision path calls __builtin_clzll(0) (UB; UBSan in the fuzz
// build) for a zero significand with a large exponent, and refuses 0e400, which serde
// reads as 0.0: such zeros are read as zeros.
TEST_CASE("json zero numbers with any exponent", "[json]") {
  json::Document d;
  std::string err;
  REQUIRE(json::parse(R"([0.000000000000E277,-0.00000000000000000000000000,0e400,-0E-999,0.0,1e-300])", d, &err));
  REQUIRE(d.Size() == 6);
  for (int i = 0; i < 5; ++i) CHECK(d[i].GetDouble() == 0.0);
  CHECK(std::signbit(d[1].GetDouble()));
  CHECK(std::signbit(d[3].GetDouble()));
  CHECK_FALSE(std::signbit(d[2].GetDouble()));
  CHECK(d[5].GetDouble() == 1e-300);
  // strings and invalid numbers are left alone (same errors at the same places)
  REQUIRE(json::parse(R"(["0.000E277"])", d, &err));
  CHECK(std::string(d[0].GetString()) == "0.000E277");
  CHECK_FALSE(json::parse("[00.000E277]", d, &err));
  CHECK(err == "expected `,` or `]` at line 1 column 3");
  CHECK_FALSE(json::parse("[0.000E]", d, &err));
  CHECK(err.rfind("invalid number", 0) == 0);
  json::Positions pos;
  REQUIRE(json::parse_tracked(R"({"a":0.000000000000E277})", d, pos, &err));
  CHECK(d["a"].GetDouble() == 0.0);
}

TEST_CASE("json keys sort by unsigned byte order", "[json]") {
  json::Document d;
  REQUIRE(json::parse("{\"\xc3\xa9\":1,\"z\":2,\"Z\":3,\"_\":4}", d, nullptr));
  CHECK(json::to_compact_sorted(d) == "{\"Z\":3,\"_\":4,\"z\":2,\"\xc3\xa9\":1}");
}

TEST_CASE("json parse errors carry line and column", "[json]") {
  json::Document d;
  std::string err;
  CHECK_FALSE(json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", d, &err));
  CHECK(err == "expected `:` at line 3 column 7");
  CHECK_FALSE(json::parse("", d, &err));
  CHECK(err.rfind("EOF while parsing a value", 0) == 0);
  CHECK_FALSE(json::parse("{} x", d, &err));
  CHECK(err.rfind("trailing characters", 0) == 0);
  CHECK_FALSE(json::parse("[1,", d, &err));
  CHECK(err.rfind("EOF while parsing", 0) == 0);
}

TEST_CASE("json typed getters", "[json]") {
  json::Document d;
  REQUIRE(json::parse(R"({"s":"x","b":false,"u":7,"i":-2,"a":[],"o":{}})", d, nullptr));
  CHECK(json::get_string(d, "s") == std::optional<std::string>("x"));
  CHECK(json::get_bool(d, "b") == std::optional<bool>(false));
  CHECK(json::get_u64(d, "u") == std::optional<uint64_t>(7));
  CHECK_FALSE(json::get_u64(d, "i").has_value());
  CHECK(json::get_i64(d, "i") == std::optional<int64_t>(-2));
  CHECK(json::get_array(d, "a") != nullptr);
  CHECK(json::get_object(d, "a") == nullptr);
  CHECK(json::get_object(d, "o") != nullptr);
  CHECK_FALSE(json::get_string(d, "missing").has_value());
  CHECK(json::describe(*json::find(d, "s")) == "string \"x\"");
  CHECK(json::describe(*json::find(d, "u")) == "integer `7`");
}

TEST_CASE("json fixed-order building and set()", "[json]") {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::set(d, "zeta", json::Value(1), a);
  json::set(d, "alpha", json::make_string("v", a), a);
  json::set(d, "zeta", json::Value(2), a);
  CHECK(json::to_pretty(d) == "{\n  \"zeta\": 2,\n  \"alpha\": \"v\"\n}\n");
}

TEST_CASE("json parse_file distinguishes read and parse failures", "[json]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("x07_json_test_" + std::to_string(::getpid()));
  REQUIRE(fsutil::create_dirs(dir));
  json::Document d;
  auto e = json::parse_file(dir / "missing.json", d);
  REQUIRE(e.has_value());
  CHECK(e->kind == json::FileError::Kind::Read);
  CHECK(e->message == "No such file or directory (os error 2)");
  REQUIRE(fsutil::write_file_atomic(dir / "bad.json", "{\"a\":"));
  e = json::parse_file(dir / "bad.json", d);
  REQUIRE(e.has_value());
  CHECK(e->kind == json::FileError::Kind::Parse);
  REQUIRE(fsutil::write_file_atomic(dir / "ok.json", "{\"a\":1}"));
  CHECK_FALSE(json::parse_file(dir / "ok.json", d).has_value());
  CHECK(json::get_u64(d, "a") == std::optional<uint64_t>(1));
  fs::remove_all(dir);
}

TEST_CASE("json nesting is limited like serde_json (127 levels), at any depth without a crash", "[json]") {
  auto nested = [](size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  json::Document d;
  std::string err;
  CHECK(json::parse(nested(127), d, &err));
  CHECK_FALSE(json::parse(nested(128), d, &err));
  CHECK(err == "recursion limit exceeded at line 1 column 128");
  CHECK_FALSE(json::parse(nested(200000), d, &err));
  CHECK(err == "recursion limit exceeded at line 1 column 128");
  // brackets inside strings do not count; a syntax error before the limit comes first
  CHECK(json::parse("[\"" + std::string(500, '[') + "\"]", d, &err));
  CHECK_FALSE(json::parse("[1 " + nested(300), d, &err));
  CHECK(err == "expected `,` or `]` at line 1 column 4");
  json::Positions pos;
  CHECK_FALSE(json::parse_tracked("{\"a\":" + nested(100000) + "}", d, pos, &err));
  CHECK(err == "recursion limit exceeded at line 1 column 132");
  // x07AST programs may nest to the compiler's budget; past it the same error, iteratively
  CHECK(json::parse(nested(json::kProgramMaxDepth), d, &err, json::kProgramMaxDepth));
  CHECK(d.IsArray());
  CHECK_FALSE(json::parse(nested(json::kProgramMaxDepth + 1), d, &err, json::kProgramMaxDepth));
  CHECK(err == "recursion limit exceeded at line 1 column " + std::to_string(json::kProgramMaxDepth + 1));
  CHECK(json::too_deep_offset(nested(128)) == 127);
  CHECK(json::too_deep_offset(nested(128), json::kProgramMaxDepth) == std::string_view::npos);
}
