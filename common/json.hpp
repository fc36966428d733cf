// JSON helpers on top of RapidJSON: parsing with readable errors, typed getters,
// and the writers the toolchain needs (byte-sorted keys or document order,
// pretty or compact) with upstream's exact escaping rules.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include <rapidjson/document.h>

namespace x07::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Allocator = rapidjson::Document::AllocatorType;

// A JSON problem; what() is the full human message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- parsing ----

// Nesting limits. Every JSON document the toolchain reads (policies, projects, lockfiles,
// reports) stops at serde_json's 127 levels, as upstream does. x07AST program files may
// nest to the compiler's own budget (1024 levels, "Budget" error past it): generated
// programs legitimately nest deeper than 127, and the parse is iterative, so depth never
// costs stack.
constexpr size_t kMaxDepth = 127;
constexpr size_t kProgramMaxDepth = 1024;

// Parses `text` into `doc` (full precision numbers, whole input must be one value).
// On failure returns false and sets *err to "<message> at line L column C"; nesting
// past `max_depth` is "recursion limit exceeded" at the bracket that goes too deep.
bool parse(std::string_view text, Document& doc, std::string* err, size_t max_depth = kMaxDepth);

// Offset of the first `[`/`{` (outside strings) that opens nesting level max_depth + 1,
// or std::string_view::npos when the text stays within max_depth.
size_t too_deep_offset(std::string_view text, size_t max_depth = kMaxDepth);

// Result of parse_file: which step failed, and the message (without the path).
struct FileError {
  enum class Kind { Read, Parse } kind;
  std::string message;  // Read: "<os error text> (os error N)"; Parse: see parse()
};
// Reads and parses a file. Returns std::nullopt on success.
std::optional<FileError> parse_file(const std::filesystem::path& path, Document& doc);

// Where each value of a parsed document ends in the source text, so decoders can
// report serde-style locations (" at line L column C", column = last consumed byte).
class Positions {
 public:
  // Location just after the value at JSON pointer `pointer` ("" = root, "/a/0/b").
  std::string at_end_of(const std::string& pointer) const;
  std::string at_offset(size_t offset) const;
  // Appends one reference token to a pointer (escaping `~` and `/` per RFC 6901).
  static std::string child(const std::string& pointer, std::string_view key);
  static std::string child(const std::string& pointer, size_t index);

 private:
  friend bool parse_tracked(std::string_view, Document&, Positions&, std::string*);
  std::string text_;
  std::unordered_map<std::string, size_t> end_;
};
// Like parse(), and records the end offset of every value.
bool parse_tracked(std::string_view text, Document& doc, Positions& pos, std::string* err);

// ---- typed getters (no throw; nullopt when absent or of another type) ----

const Value* find(const Value& obj, std::string_view key);
std::optional<std::string> get_string(const Value& obj, std::string_view key);
std::optional<bool> get_bool(const Value& obj, std::string_view key);
std::optional<uint64_t> get_u64(const Value& obj, std::string_view key);
std::optional<int64_t> get_i64(const Value& obj, std::string_view key);
const Value* get_array(const Value& obj, std::string_view key);
const Value* get_object(const Value& obj, std::string_view key);

// Short description of a value for "invalid type: <desc>, expected <x>" messages
// (serde-style: `string "abc"`, `integer `5``, `boolean `true``, `null`, `map`, `sequence`).
std::string describe(const Value& v);

// ---- building ----

inline Value make_string(std::string_view s, Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}
// Adds (or replaces) obj[key] = value, keeping insertion order for new keys.
void set(Value& obj, std::string_view key, Value value, Allocator& a);

// ---- writing ----

// Appends `s` as a JSON string literal: `"` and `\` escaped, \n \t \r \b \f,
// other controls as \u00xx (lowercase hex); non-ASCII raw; `/` not escaped.
void append_quoted(std::string& out, std::string_view s);

// Pretty (2-space indent, `"key": value`, `[]`/`{}` for empty) with a trailing "\n".
std::string to_pretty_sorted(const Value& v);  // object keys byte-sorted at every level
std::string to_pretty(const Value& v);         // keys in document order
// Compact (no whitespace), no trailing newline.
std::string to_compact_sorted(const Value& v);
std::string to_compact(const Value& v);

}  // namespace x07::json
