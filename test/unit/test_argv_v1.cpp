#include <catch2/catch.hpp>

#include "common/argv_v1.hpp"

using namespace x07;

TEST_CASE("argv_v1 encodes the documented example", "[argv_v1]") {
  std::string enc = argv_v1::encode({"tool", "--help"});
  const unsigned char want[] = {2, 0, 0, 0, 4, 0, 0, 0, 't', 'o', 'o', 'l',
                                6, 0, 0, 0, '-', '-', 'h', 'e', 'l', 'p'};
  CHECK(enc == std::string(reinterpret_cast<const char*>(want), sizeof want));
  CHECK(argv_v1::decode(enc) == std::optional<std::vector<std::string>>({"tool", "--help"}));
}

TEST_CASE("argv_v1 empty list and empty tokens", "[argv_v1]") {
  CHECK(argv_v1::encode({}) == std::string(4, '\0'));
  auto enc = argv_v1::encode({"", "a"});
  CHECK(enc.size() == 4 + 4 + 4 + 1);
  CHECK(argv_v1::decode(enc) == std::optional<std::vector<std::string>>({"", "a"}));
}

TEST_CASE("argv_v1 decode rejects truncated and trailing bytes", "[argv_v1]") {
  auto enc = argv_v1::encode({"abc"});
  CHECK_FALSE(argv_v1::decode(enc.substr(0, enc.size() - 1)).has_value());
  CHECK_FALSE(argv_v1::decode(enc + "x").has_value());
  CHECK_FALSE(argv_v1::decode("\x01\x00").has_value());
}
