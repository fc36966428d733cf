#include <catch2/catch.hpp>

#include <string>

#include "compiler/ast.hpp"

TEST_CASE("JsonPtr: shared-prefix pointers read as RFC 6901 text", "[compiler][json_ptr]") {
  using x07c::JsonPtr;
  JsonPtr root;
  CHECK(root.empty());
  CHECK(root.str().empty());
  JsonPtr body = JsonPtr("/decls/2").child("body");
  CHECK(body.str() == "/decls/2/body");
  JsonPtr a = body.child(3), b = body.child(size_t{14});
  CHECK(a.str() == "/decls/2/body/3");
  CHECK(b.str() == "/decls/2/body/14");
  CHECK(std::string(a.child(0)) == "/decls/2/body/3/0");
  CHECK(a + "/1" == "/decls/2/body/3/1");
  CHECK("at " + b == "at /decls/2/body/14");
  CHECK(JsonPtr("/solve") == JsonPtr("/solve"));
  CHECK_FALSE(a == b);
  // deep chains: the text of a 1,000-level pointer is built in one pass
  JsonPtr deep = JsonPtr("/solve");
  for (int i = 0; i < 1000; i++) deep = deep.child(1);
  std::string want = "/solve";
  for (int i = 0; i < 1000; i++) want += "/1";
  CHECK(deep.str() == want);
}
