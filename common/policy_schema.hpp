// Validation of a run-os policy document against the constraints of the published
// `x07.run-os-policy@0.1.0` JSON Schema (facade.md §4): closed objects everywhere,
// required keys, integer ranges, string lengths (in code points), two patterns,
// array size caps and the schema_version const.
//
// The constraints are kept as a small declarative tree (SchemaNode) so a unit test can
// walk it side by side with the upstream schema file and prove the two agree.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace x07::policy_schema {

enum class Type { Object, Array, String, Integer, Boolean, Const };

// The two patterns the schema uses; matched by hand-written predicates.
enum class Pattern { None, PolicyId /* ^[a-zA-Z0-9_.-]{1,64}$ */, HostName /* ^[^;\s]+$ */ };

struct SchemaNode;
struct Property {
  std::string name;
  bool required;
  const SchemaNode* node;
};

struct SchemaNode {
  Type type = Type::Object;
  // Object
  std::vector<Property> properties;  // additionalProperties is always false
  // Array
  const SchemaNode* items = nullptr;
  std::optional<uint64_t> max_items;
  // String
  std::optional<uint64_t> min_length, max_length;
  Pattern pattern = Pattern::None;
  // Integer
  std::optional<int64_t> minimum, maximum;
  // Const (string)
  std::string const_value;
};

// Root node of the run-os-policy schema (static lifetime).
const SchemaNode& run_os_policy_schema();

// Regex source text of a pattern, as it appears in the schema file.
const char* pattern_source(Pattern p);

// Whether `s` matches the pattern (Pattern::None matches everything).
bool matches(Pattern p, const std::string& s);

struct Violation {
  std::string message;   // validator wording, e.g. `600001 is greater than the maximum of 600000`
  std::string pointer;   // JSON pointer of the offending instance, e.g. `/limits/cpu_ms` ("" = root)
  // "<message> (<pointer>)" — the text used in X07-POLICY-SCHEMA-0001 diagnostics.
  std::string text() const { return message + " (" + pointer + ")"; }
};

// All violations of `doc` (empty = valid), in document-walk order.
std::vector<Violation> validate(const json::Value& doc);
// validate(doc) as Violation::text() strings: the messages of an x07diag document.
std::vector<std::string> violation_texts(const json::Value& doc);

// The x07diag document printed when a policy fails validation (facade.md §2.6):
// compact JSON + "\n", one X07-POLICY-SCHEMA-0001 diagnostic per message.
std::string x07diag_line(const std::vector<std::string>& messages);

}  // namespace x07::policy_schema
