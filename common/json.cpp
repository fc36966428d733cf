#include "common/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "common/fsutil.hpp"

namespace x07::json {

namespace {

// serde_json-style wording for the common syntax errors (upstream messages are serde's).
std::string describe_parse_error(rapidjson::ParseErrorCode code, bool at_eof) {
  using namespace rapidjson;
  switch (code) {
    case kParseErrorDocumentEmpty: return "EOF while parsing a value";
    case kParseErrorDocumentRootNotSingular: return "trailing characters";
    case kParseErrorValueInvalid: return at_eof ? "EOF while parsing a value" : "expected value";
    case kParseErrorObjectMissName: return at_eof ? "EOF while parsing an object" : "key must be a string";
    case kParseErrorObjectMissColon: return at_eof ? "EOF while parsing an object" : "expected `:`";
    case kParseErrorObjectMissCommaOrCurlyBracket:
      return at_eof ? "EOF while parsing an object" : "expected `,` or `}`";
    case kParseErrorArrayMissCommaOrSquareBracket:
      return at_eof ? "EOF while parsing a list" : "expected `,` or `]`";
    case kParseErrorStringUnicodeEscapeInvalidHex:
    case kParseErrorStringEscapeInvalid: return "invalid escape";
    case kParseErrorStringUnicodeSurrogateInvalid: return "lone leading surrogate in hex escape";
    case kParseErrorStringMissQuotationMark: return "EOF while parsing a string";
    case kParseErrorStringInvalidEncoding: return "invalid unicode code point or control character in string";
    case kParseErrorNumberTooBig: return "number out of range";
    case kParseErrorNumberMissFraction:
    case kParseErrorNumberMissExponent: return "invalid number";
    default: return GetParseError_En(code);
  }
}

void line_col(std::string_view text, size_t off, size_t& line, size_t& col) {
  line = 1;
  size_t line_start = 0;
  off = std::min(off, text.size());
  for (size_t i = 0; i < off; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  col = off - line_start + 1;
}

void append_number(std::string& out, const Value& v) {
  char buf[64];
  if (v.IsUint64()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.GetUint64());
    out.append(buf, r.ptr);
  } else if (v.IsInt64()) {
    auto r = std::to_chars(buf, buf + sizeof buf, v.GetInt64());
    out.append(buf, r.ptr);
  } else {
    double d = v.GetDouble();
    if (!std::isfinite(d)) {
      out += "null";
      return;
    }
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    // Match serde_json/ryu: "1.0" for integral values, "1e20" rather than "1e+20".
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    if (auto p = s.find("e+"); p != std::string::npos) s.erase(p + 1, 1);
    out += s;
  }
}

void newline_indent(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<size_t>(depth) * 2, ' ');
}

void write_value(std::string& out, const Value& v, bool pretty, bool sorted, int depth) {
  switch (v.GetType()) {
    case rapidjson::kNullType: out += "null"; break;
    case rapidjson::kFalseType: out += "false"; break;
    case rapidjson::kTrueType: out += "true"; break;
    case rapidjson::kNumberType: append_number(out, v); break;
    case rapidjson::kStringType:
      append_quoted(out, std::string_view(v.GetString(), v.GetStringLength()));
      break;
    case rapidjson::kArrayType: {
      if (v.Empty()) {
        out += "[]";
        break;
      }
      out += '[';
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) out += ',';
        first = false;
        if (pretty) newline_indent(out, depth + 1);
        write_value(out, e, pretty, sorted, depth + 1);
      }
      if (pretty) newline_indent(out, depth);
      out += ']';
      break;
    }
    case rapidjson::kObjectType: {
      if (v.MemberCount() == 0) {
        out += "{}";
        break;
      }
      std::vector<const Value::Member*> members;
      members.reserve(v.MemberCount());
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members.push_back(&*it);
      if (sorted) {
        // char_traits<char>::compare orders like memcmp, i.e. by unsigned byte.
        std::stable_sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
          return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
                 std::string_view(b->name.GetString(), b->name.GetStringLength());
        });
      }
      out += '{';
      bool first = true;
      for (const auto* m : members) {
        if (!first) out += ',';
        first = false;
        if (pretty) newline_indent(out, depth + 1);
        append_quoted(out, std::string_view(m->name.GetString(), m->name.GetStringLength()));
        out += pretty ? ": " : ":";
        write_value(out, m->value, pretty, sorted, depth + 1);
      }
      if (pretty) newline_indent(out, depth);
      out += '}';
      break;
    }
  }
}


constexpr unsigned kParseFlags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag;

// Whether each byte of JSON text, fed in order, lies outside every string literal
// (the quotes and everything between them, escapes included, are inside).
struct StringTracker {
  bool in_string = false, escaped = false;
  bool outside(char c) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      return false;
    }
    if (c == '"') {
      in_string = true;
      return false;
    }
    return true;
  }
};

// Length of a valid JSON number at text[i] whose significand is zero and that has a
// fraction or an exponent ("0.000E277", "-0e400"); 0 otherwise. RapidJSON 1.1 reads
// these with __builtin_clzll(0) (undefined) or refuses exponents past 308, while the
// value is plainly ±0.0 (serde_json's reading).
size_t zero_double_length(std::string_view text, size_t i) {
  auto digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  size_t k = i;
  if (k < text.size() && text[k] == '-') ++k;
  if (k >= text.size() || text[k] != '0' || digit(k + 1)) return 0;
  ++k;
  bool frac_or_exp = false;
  if (k < text.size() && text[k] == '.') {
    if (!digit(k + 1)) return 0;
    for (++k; digit(k); ++k)
      if (text[k] != '0') return 0;
    frac_or_exp = true;
  }
  if (k < text.size() && (text[k] == 'e' || text[k] == 'E')) {
    ++k;
    if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
    if (!digit(k)) return 0;
    while (digit(k)) ++k;
    frac_or_exp = true;
  }
  if (!frac_or_exp || (k < text.size() && (text[k] == '.' || text[k] == 'e' || text[k] == 'E' || text[k] == '+')))
    return 0;
  return k - i;
}

// The text with every such zero replaced by "0.0"/"-0.0" padded with spaces to the
// same length (offsets, hence error positions, stay the same); nullopt if none.
std::optional<std::string> without_odd_zeros(std::string_view text) {
  std::optional<std::string> out;
  StringTracker strings;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!strings.outside(c)) continue;
    if (c != '-' && c != '0') continue;
    if (i > 0 && ((text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '.' || text[i - 1] == '-' ||
                  text[i - 1] == '+' || text[i - 1] == 'e' || text[i - 1] == 'E'))
      continue;  // inside a longer number
    size_t n = zero_double_length(text, i);
    if (n == 0) continue;
    if (!out) out.emplace(text);
    std::string zero = c == '-' ? "-0.0" : "0.0";
    if (zero.size() > n) continue;  // "0e5" is 3 long: "0.0" fits; "-0e5" fits "-0.0"
    zero.resize(n, ' ');
    out->replace(i, n, zero);
    i += n - 1;
  }
  return out;
}

std::string error_text(std::string_view text, std::string what, size_t off) {
  size_t line = 0, col = 0;
  line_col(text, off, line, col);
  return what + " at line " + std::to_string(line) + " column " + std::to_string(col);
}

// Text nested past the limit: the recursive parser could exhaust the stack, so the
// iterative one only looks for a syntax error before the limit (reported first, as
// serde does); otherwise it is "recursion limit exceeded" at the offending bracket.
std::string too_deep_error(std::string_view text, size_t deep) {
  std::optional<std::string> fixed = without_odd_zeros(text);
  std::string_view parsed = fixed ? std::string_view(*fixed) : text;
  rapidjson::MemoryStream is(parsed.data(), parsed.size());
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::Reader reader;
  rapidjson::ParseResult r = reader.Parse<kParseFlags | rapidjson::kParseIterativeFlag>(is, ignore);
  if (r.IsError() && r.Offset() < deep)
    return error_text(text, describe_parse_error(r.Code(), r.Offset() >= text.size()), r.Offset());
  return error_text(text, "recursion limit exceeded", deep);
}

}  // namespace

// serde_json's limit: 127 levels parse, the 128th is "recursion limit exceeded".
size_t too_deep_offset(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  StringTracker strings;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!strings.outside(c)) continue;
    if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

bool parse(std::string_view text, Document& doc, std::string* err, size_t max_depth) {
  if (size_t deep = too_deep_offset(text, max_depth); deep != std::string_view::npos) {
    doc.SetNull();
    if (err) *err = too_deep_error(text, deep);
    return false;
  }
  std::optional<std::string> fixed = without_odd_zeros(text);
  std::string_view parsed = fixed ? std::string_view(*fixed) : text;
  // Past serde's limit the recursive reader could use a lot of stack: parse iteratively.
  if (max_depth > kMaxDepth) doc.Parse<kParseFlags | rapidjson::kParseIterativeFlag>(parsed.data(), parsed.size());
  else doc.Parse<kParseFlags>(parsed.data(), parsed.size());
  if (!doc.HasParseError()) return true;
  if (err) {
    size_t off = doc.GetErrorOffset();
    *err = error_text(text, describe_parse_error(doc.GetParseError(), off >= text.size()), off);
  }
  return false;
}

std::optional<FileError> parse_file(const std::filesystem::path& path, Document& doc) {
  std::string text, os_err;
  if (!fsutil::read_file(path, text, &os_err)) return FileError{FileError::Kind::Read, os_err};
  std::string err;
  if (!parse(text, doc, &err)) return FileError{FileError::Kind::Parse, err};
  return std::nullopt;
}

const Value* find(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) return &it->value;
  }
  return nullptr;
}

std::optional<std::string> get_string(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> get_bool(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<uint64_t> get_u64(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsUint64()) return std::nullopt;
  return v->GetUint64();
}

std::optional<int64_t> get_i64(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

const Value* get_array(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  return v && v->IsArray() ? v : nullptr;
}

const Value* get_object(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  return v && v->IsObject() ? v : nullptr;
}

std::string describe(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType: return "boolean `false`";
    case rapidjson::kTrueType: return "boolean `true`";
    case rapidjson::kStringType: {
      std::string s = "string ";
      append_quoted(s, std::string_view(v.GetString(), v.GetStringLength()));
      return s;
    }
    case rapidjson::kArrayType: return "sequence";
    case rapidjson::kObjectType: return "map";
    case rapidjson::kNumberType: {
      std::string n;
      append_number(n, v);
      return (v.IsInt64() || v.IsUint64() ? "integer `" : "floating point `") + n + "`";
    }
  }
  return "value";
}

void set(Value& obj, std::string_view key, Value value, Allocator& a) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
      it->value = value;
      return;
    }
  }
  obj.AddMember(make_string(key, a), value, a);
}

void append_quoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run = 0;  // start of the pending bytes that need no escape (copied in one append)
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string to_pretty_sorted(const Value& v) {
  std::string out;
  write_value(out, v, true, true, 0);
  out += '\n';
  return out;
}

std::string to_pretty(const Value& v) {
  std::string out;
  write_value(out, v, true, false, 0);
  out += '\n';
  return out;
}

std::string to_compact_sorted(const Value& v) {
  std::string out;
  write_value(out, v, false, true, 0);
  return out;
}

std::string to_compact(const Value& v) {
  std::string out;
  write_value(out, v, false, false, 0);
  return out;
}

}  // namespace x07::json

// ---- position tracking ----

namespace x07::json {

namespace {

// SAX handler that builds the DOM through the Document's own handler interface
// and records, for every completed value, the stream offset just after it.
class TrackingHandler {
 public:
  TrackingHandler(Document& doc, rapidjson::MemoryStream& is, std::unordered_map<std::string, size_t>& end)
      : doc_(doc), is_(is), end_(end) {}

  bool Null() { return done(doc_.Null()); }
  bool Bool(bool b) { return done(doc_.Bool(b)); }
  bool Int(int i) { return done(doc_.Int(i)); }
  bool Uint(unsigned u) { return done(doc_.Uint(u)); }
  bool Int64(int64_t i) { return done(doc_.Int64(i)); }
  bool Uint64(uint64_t u) { return done(doc_.Uint64(u)); }
  bool Double(double d) { return done(doc_.Double(d)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return done(doc_.RawNumber(s, n, copy)); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return done(doc_.String(s, n, copy)); }
  bool StartObject() {
    frames_.push_back({false, 0, path_.size()});
    return doc_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    path_.resize(frames_.back().base);
    path_ = Positions::child(path_, std::string_view(s, n));
    return doc_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) { return close(doc_.EndObject(n)); }
  bool StartArray() {
    frames_.push_back({true, 0, path_.size()});
    path_ = Positions::child(path_, size_t{0});
    return doc_.StartArray();
  }
  bool EndArray(rapidjson::SizeType n) { return close(doc_.EndArray(n)); }

 private:
  struct Frame {
    bool is_array;
    size_t index;
    size_t base;  // length of the container's own pointer
  };
  bool done(bool ok) {
    end_[path_] = is_.Tell();
    if (!frames_.empty() && frames_.back().is_array) {
      path_.resize(frames_.back().base);
      path_ = Positions::child(path_, ++frames_.back().index);
    }
    return ok;
  }
  bool close(bool ok) {
    path_.resize(frames_.back().base);
    frames_.pop_back();
    return done(ok);
  }

  Document& doc_;
  rapidjson::MemoryStream& is_;
  std::unordered_map<std::string, size_t>& end_;
  std::vector<Frame> frames_;
  std::string path_;
};

}  // namespace

std::string Positions::child(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string Positions::child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string Positions::at_offset(size_t offset) const {
  // serde counts the column as the number of bytes consumed on the current line.
  offset = std::min(offset, text_.size());
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text_[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return " at line " + std::to_string(line) + " column " + std::to_string(offset - line_start);
}

std::string Positions::at_end_of(const std::string& pointer) const {
  auto it = end_.find(pointer);
  return at_offset(it == end_.end() ? text_.size() : it->second);
}

bool parse_tracked(std::string_view text, Document& doc, Positions& pos, std::string* err) {
  pos.text_.assign(text);
  pos.end_.clear();
  if (size_t deep = too_deep_offset(text); deep != std::string_view::npos) {
    doc.SetNull();
    if (err) *err = too_deep_error(text, deep);
    return false;
  }
  rapidjson::ParseResult result;
  std::optional<std::string> fixed = without_odd_zeros(text);
  std::string_view parsed = fixed ? std::string_view(*fixed) : std::string_view(pos.text_);
  auto generator = [&](Document& d) {
    rapidjson::MemoryStream is(parsed.data(), parsed.size());
    TrackingHandler h(d, is, pos.end_);
    rapidjson::Reader reader;
    result = reader.Parse<kParseFlags>(is, h);
    return !result.IsError();
  };
  doc.Populate(generator);
  if (!result.IsError()) return true;
  if (err) {
    size_t off = result.Offset();
    *err = error_text(text, describe_parse_error(result.Code(), off >= text.size()), off);
  }
  return false;
}

}  // namespace x07::json
