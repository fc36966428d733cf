// serde-style decoding helpers over a parsed DOM: typed field access whose
// error texts and locations read like upstream's (Rust serde_json) messages,
// e.g. "missing field `limits` at line 3 column 1".
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"

namespace x07::json {

// Decodes the DOM into the model with serde-like error texts and locations
// (upstream deserializes with serde; users see those messages).
class Decoder {
 public:
  explicit Decoder(const Positions& pos) : pos_(pos) {}

  [[noreturn]] void fail(const std::string& ptr, const std::string& msg) const {
    throw json::Error(msg + pos_.at_end_of(ptr));
  }

  // Visits the members of a struct-shaped object in document order. `visit`
  // returns false for unknown keys (ignored). Missing required fields are
  // reported after the whole object, in declaration order, like serde derive.
  void object(const Value& v, const std::string& ptr, const char* struct_name,
              std::initializer_list<const char*> required,
              const std::function<bool(std::string_view, const Value&, const std::string&)>& visit) const {
    if (!v.IsObject()) fail(ptr, "invalid type: " + describe(v) + ", expected struct " + struct_name);
    std::set<std::string, std::less<>> seen;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      std::string child = Positions::child(ptr, key);
      if (seen.count(key)) fail(child, "duplicate field `" + std::string(key) + "`");
      if (visit(key, it->value, child)) seen.emplace(key);
    }
    for (const char* name : required) {
      if (!seen.count(std::string_view(name))) fail(ptr, std::string("missing field `") + name + "`");
    }
  }

  bool boolean(const Value& v, const std::string& ptr) const {
    if (!v.IsBool()) fail(ptr, "invalid type: " + describe(v) + ", expected a boolean");
    return v.GetBool();
  }

  std::optional<bool> opt_boolean(const Value& v, const std::string& ptr) const {
    if (v.IsNull()) return std::nullopt;
    return boolean(v, ptr);
  }

  std::string string(const Value& v, const std::string& ptr) const {
    if (!v.IsString()) fail(ptr, "invalid type: " + describe(v) + ", expected a string");
    return std::string(v.GetString(), v.GetStringLength());
  }

  std::optional<std::string> opt_string(const Value& v, const std::string& ptr) const {
    if (v.IsNull()) return std::nullopt;
    return string(v, ptr);
  }

  uint64_t unsigned_int(const Value& v, const std::string& ptr, uint64_t max, const char* type) const {
    if (v.IsUint64()) {
      if (v.GetUint64() > max) fail(ptr, "invalid value: " + describe(v) + ", expected " + type);
      return v.GetUint64();
    }
    if (v.IsInt64()) fail(ptr, "invalid value: " + describe(v) + ", expected " + type);
    fail(ptr, "invalid type: " + describe(v) + ", expected " + type);
  }
  uint64_t u64(const Value& v, const std::string& ptr) const {
    return unsigned_int(v, ptr, std::numeric_limits<uint64_t>::max(), "u64");
  }
  uint32_t u32(const Value& v, const std::string& ptr) const {
    return static_cast<uint32_t>(unsigned_int(v, ptr, std::numeric_limits<uint32_t>::max(), "u32"));
  }
  uint16_t u16(const Value& v, const std::string& ptr) const {
    return static_cast<uint16_t>(unsigned_int(v, ptr, std::numeric_limits<uint16_t>::max(), "u16"));
  }

  template <class T, class F>
  std::vector<T> seq(const Value& v, const std::string& ptr, F elem) const {
    if (!v.IsArray()) fail(ptr, "invalid type: " + describe(v) + ", expected a sequence");
    std::vector<T> out;
    out.reserve(v.Size());
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) out.push_back(elem(v[i], Positions::child(ptr, i)));
    return out;
  }
  std::vector<std::string> strings(const Value& v, const std::string& ptr) const {
    return seq<std::string>(v, ptr, [&](const Value& e, const std::string& p) { return string(e, p); });
  }
  std::vector<uint16_t> ports(const Value& v, const std::string& ptr) const {
    return seq<uint16_t>(v, ptr, [&](const Value& e, const std::string& p) { return u16(e, p); });
  }

 private:
  const Positions& pos_;
};

}  // namespace x07::json
