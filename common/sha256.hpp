// SHA-256 (FIPS 180-4), incremental and one-shot.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace x07 {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  void update(const void* data, size_t len);
  std::array<uint8_t, 32> finish();  // the object must not be updated afterwards
  std::string finish_hex();          // lowercase hex

  static std::string hex(std::string_view data);  // one-shot lowercase hex digest

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace x07
