// A forward scanner over JSON text: it skips values without building them, so it can
// find where a pointer's value starts in a large file cheaply and without recursion.
#include "json_locate.hpp"

#include <string>

namespace x07::json {
namespace {

struct Scanner {
  std::string_view s;
  size_t i = 0;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  // Reads a string literal at s[i] == '"'; returns its decoded text (\uXXXX kept
  // verbatim: keys of interest are ASCII).
  std::optional<std::string> string_lit() {
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    std::string out;
    for (++i; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') {
        ++i;
        return out;
      }
      if (c == '\\' && i + 1 < s.size()) {
        const char e = s[++i];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': out += "\\u"; break;
          default: out += e;
        }
        continue;
      }
      out += c;
    }
    return std::nullopt;
  }
  // Skips one value; depth is counted, not recursed.
  bool skip_value() {
    ws();
    if (i >= s.size()) return false;
    if (s[i] == '"') return string_lit().has_value();
    if (s[i] != '{' && s[i] != '[') {
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
             s[i] != '\r' && s[i] != '\t')
        ++i;
      return true;
    }
    size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        if (!string_lit()) return false;
        continue;
      }
      ++i;
      if (c == '{' || c == '[') ++depth;
      else if ((c == '}' || c == ']') && --depth == 0) return true;
    }
    return false;
  }
};

std::string unescape_token(std::string_view t) {
  std::string out;
  for (size_t k = 0; k < t.size(); ++k) {
    if (t[k] == '~' && k + 1 < t.size() && (t[k + 1] == '0' || t[k + 1] == '1')) {
      out += t[k + 1] == '0' ? '~' : '/';
      ++k;
    } else {
      out += t[k];
    }
  }
  return out;
}

// Moves the scanner from the start of a container to the start of its child `token`.
bool enter(Scanner& sc, const std::string& token) {
  sc.ws();
  if (sc.i >= sc.s.size()) return false;
  if (sc.s[sc.i] == '{') {
    ++sc.i;
    if (sc.eat('}')) return false;
    while (true) {
      sc.ws();
      auto key = sc.string_lit();
      if (!key || !sc.eat(':')) return false;
      sc.ws();
      if (*key == token) return true;
      if (!sc.skip_value()) return false;
      if (!sc.eat(',')) return false;
    }
  }
  if (sc.s[sc.i] == '[') {
    size_t want = 0;
    if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) return false;
    want = std::stoul(token);
    ++sc.i;
    if (sc.eat(']')) return false;
    for (size_t idx = 0;; ++idx) {
      sc.ws();
      if (idx == want) return true;
      if (!sc.skip_value() || !sc.eat(',')) return false;
    }
  }
  return false;
}

}  // namespace

TextPos position_of(std::string_view text, size_t offset) {
  TextPos p;
  for (size_t k = 0; k < offset && k < text.size(); ++k) {
    const unsigned char c = static_cast<unsigned char>(text[k]);
    if (c == '\n') {
      ++p.line;
      p.col = 1;
    } else if ((c & 0xC0) != 0x80) {  // count UTF-8 lead bytes only
      ++p.col;
    }
  }
  return p;
}

std::optional<TextPos> locate_pointer(std::string_view text, std::string_view pointer) {
  Scanner sc{text};
  sc.ws();
  if (sc.i >= text.size()) return std::nullopt;
  size_t last_good = sc.i;
  size_t pos = 0;
  while (pos < pointer.size() && pointer[pos] == '/') {
    const size_t next = pointer.find('/', pos + 1);
    const std::string token = unescape_token(pointer.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
    if (!enter(sc, token)) break;
    sc.ws();
    last_good = sc.i;
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return position_of(text, last_good);
}

}  // namespace x07::json
