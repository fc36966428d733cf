#include "common/argv_v1.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace x07::argv_v1 {

namespace {
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

bool get_u32(const std::string& in, size_t& pos, uint32_t& v) {
  if (in.size() - pos < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  pos += 4;
  return true;
}
}  // namespace

std::string encode(const std::vector<std::string>& tokens) {
  constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
  if (tokens.size() > kMax) throw std::runtime_error("argv_v1 argc overflow");
  std::string out;
  put_u32(out, static_cast<uint32_t>(tokens.size()));
  for (const auto& t : tokens) {
    if (t.size() > kMax) throw std::runtime_error("argv_v1 token length overflow");
    put_u32(out, static_cast<uint32_t>(t.size()));
    out += t;
  }
  return out;
}

std::optional<std::vector<std::string>> decode(const std::string& bytes) {
  size_t pos = 0;
  uint32_t argc = 0;
  if (!get_u32(bytes, pos, argc)) return std::nullopt;
  std::vector<std::string> out;
  for (uint32_t i = 0; i < argc; ++i) {
    uint32_t len = 0;
    if (!get_u32(bytes, pos, len) || bytes.size() - pos < len) return std::nullopt;
    out.emplace_back(bytes, pos, len);
    pos += len;
  }
  if (pos != bytes.size()) return std::nullopt;
  return out;
}

}  // namespace x07::argv_v1
