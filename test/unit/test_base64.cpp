#include <catch2/catch.hpp>

#include "common/base64.hpp"

using namespace x07;

TEST_CASE("base64 RFC 4648 vectors", "[base64]") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64::encode(plain[i]) == enc[i]);
    CHECK(base64::decode(enc[i]) == std::optional<std::string>(plain[i]));
  }
}

TEST_CASE("base64 uses + and / and round-trips all bytes", "[base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  std::string e = base64::encode(all);
  CHECK(e.find('+') != std::string::npos);
  CHECK(e.find('/') != std::string::npos);
  CHECK(base64::decode(e) == std::optional<std::string>(all));
  CHECK(base64::encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64 rejects malformed input", "[base64]") {
  std::string why;
  CHECK_FALSE(base64::decode("abc", &why).has_value());
  CHECK(why == "invalid length");
  CHECK_FALSE(base64::decode("ab=c").has_value());
  CHECK_FALSE(base64::decode("a===").has_value());
  CHECK_FALSE(base64::decode("Zg==Zg==").has_value());
  CHECK_FALSE(base64::decode("Zm9v!A==", &why).has_value());
  CHECK(why == "invalid symbol at offset 4");
}
