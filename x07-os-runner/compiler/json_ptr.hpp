// JsonPtr: where a node came from in its x07AST file (an RFC 6901 JSON pointer).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace x07c {

// A JSON pointer stored as its last token plus a shared link to its parent's pointer.
// Every AST node has one; as full strings they cost memory quadratic in nesting depth
// (a node 500 levels deep carried a 3 KB string), shared they cost one token per node.
// The text is built only where a message or the runtime needs it.
class JsonPtr {
 public:
  JsonPtr() = default;
  JsonPtr(std::string text);  // a pointer given as text ("" = the document root)
  JsonPtr(const char* text) : JsonPtr(std::string(text)) {}

  JsonPtr child(std::string_view escaped_token) const;  // this + "/" + token
  JsonPtr child(size_t index) const;

  bool empty() const { return !last_; }
  std::string str() const;
  operator std::string() const { return str(); }

  friend bool operator==(const JsonPtr& a, const JsonPtr& b) { return a.last_ == b.last_ || a.str() == b.str(); }

 private:
  struct Link {
    std::shared_ptr<const Link> parent;
    std::string text;  // "/token" (or a whole pointer given as text)
    size_t size;       // length of the whole pointer up to here
  };
  explicit JsonPtr(std::shared_ptr<const Link> l) : last_(std::move(l)) {}
  std::shared_ptr<const Link> last_;
};

inline std::string operator+(const JsonPtr& a, std::string_view b) { return a.str().append(b); }
inline std::string operator+(std::string_view a, const JsonPtr& b) { return std::string(a) + b.str(); }

}  // namespace x07c
