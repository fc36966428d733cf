#include "common/policy_schema.hpp"

#include <cmath>
#include <deque>
#include <initializer_list>

namespace x07::policy_schema {

namespace {

// ---- the schema tree ----

std::deque<SchemaNode>& arena() {
  static std::deque<SchemaNode> nodes;
  return nodes;
}

SchemaNode of(Type t) {
  SchemaNode n;
  n.type = t;
  return n;
}

const SchemaNode* add(SchemaNode n) {
  arena().push_back(std::move(n));
  return &arena().back();
}

const SchemaNode* boolean() { return add(of(Type::Boolean)); }

const SchemaNode* integer(int64_t min, int64_t max) {
  SchemaNode n = of(Type::Integer);
  n.minimum = min;
  n.maximum = max;
  return add(std::move(n));
}

const SchemaNode* string(uint64_t min_len, uint64_t max_len, Pattern p = Pattern::None) {
  SchemaNode n = of(Type::String);
  n.min_length = min_len;
  n.max_length = max_len;
  n.pattern = p;
  return add(std::move(n));
}

const SchemaNode* pattern_string(Pattern p) {
  SchemaNode n = of(Type::String);
  n.pattern = p;
  return add(std::move(n));
}

const SchemaNode* max_len_string(uint64_t max_len) {
  SchemaNode n = of(Type::String);
  n.max_length = max_len;
  return add(std::move(n));
}

const SchemaNode* array(const SchemaNode* items, uint64_t max_items) {
  SchemaNode n = of(Type::Array);
  n.items = items;
  n.max_items = max_items;
  return add(std::move(n));
}

const SchemaNode* constant(std::string v) {
  SchemaNode n = of(Type::Const);
  n.const_value = std::move(v);
  return add(std::move(n));
}

// Property list entry: R = required, O = optional.
Property R(std::string name, const SchemaNode* n) { return {std::move(name), true, n}; }
Property O(std::string name, const SchemaNode* n) { return {std::move(name), false, n}; }

const SchemaNode* object(std::initializer_list<Property> props) {
  SchemaNode n = of(Type::Object);
  n.properties = props;
  return add(std::move(n));
}

const SchemaNode* build_schema() {
  const auto b = [] { return boolean(); };
  const auto limits = object({
      R("cpu_ms", integer(1, 600000)),
      R("wall_ms", integer(1, 600000)),
      R("mem_bytes", integer(1048576, 17179869184LL)),
      R("fds", integer(0, 1024)),
      R("procs", integer(0, 1024)),
      O("core_dumps", b()),
  });
  const auto u32 = [] { return integer(0, 4294967295LL); };
  const auto fs = object({
      R("enabled", b()),
      R("read_roots", array(string(1, 4096), 128)),
      R("write_roots", array(string(1, 4096), 128)),
      R("deny_hidden", b()),
      O("allow_symlinks", b()),
      O("allow_mkdir", b()),
      O("allow_remove", b()),
      O("allow_rename", b()),
      O("allow_walk", b()),
      O("allow_glob", b()),
      O("max_read_bytes", u32()),
      O("max_write_bytes", u32()),
      O("max_entries", u32()),
      O("max_depth", u32()),
  });
  const auto host_entry = object({
      R("host", string(1, 255, Pattern::HostName)),
      R("ports", array(integer(1, 65535), 64)),
  });
  const auto net = object({
      R("enabled", b()),
      R("allow_dns", b()),
      R("allow_tcp", b()),
      R("allow_udp", b()),
      R("allow_hosts", array(host_entry, 256)),
  });
  const auto db = object({
      R("enabled", b()),
      R("drivers", object({R("sqlite", b()), R("postgres", b()), R("mysql", b()), O("redis", b())})),
      O("max_live_conns", integer(0, 1024)),
      O("max_queries", integer(0, 1000000)),
      O("connect_timeout_ms", integer(0, 600000)),
      O("query_timeout_ms", integer(0, 600000)),
      O("max_sql_bytes", integer(0, 10485760)),
      O("max_rows", integer(0, 1000000)),
      O("max_resp_bytes", integer(0, 134217728)),
      O("sqlite", object({
                      O("allow_paths", array(string(1, 4096), 256)),
                      O("readonly_only", b()),
                      O("allow_create", b()),
                      O("allow_in_memory", b()),
                  })),
      O("net", object({
                   O("allow_dns", array(string(1, 255), 256)),
                   O("allow_cidrs", array(string(1, 255), 256)),
                   O("allow_ports", array(integer(1, 65535), 256)),
                   O("require_tls", b()),
                   O("require_verify", b()),
               })),
  });
  const auto env = object({
      R("enabled", b()),
      R("allow_keys", array(string(1, 256), 256)),
      R("deny_keys", array(string(1, 256), 256)),
  });
  const auto time = object({
      R("enabled", b()),
      R("allow_monotonic", b()),
      R("allow_wall_clock", b()),
      R("allow_sleep", b()),
      R("max_sleep_ms", integer(0, 86400000)),
      R("allow_local_tzid", b()),
  });
  const auto language = object({R("allow_unsafe", b()), R("allow_ffi", b())});
  const auto threads = object({
      R("enabled", b()),
      R("max_workers", integer(0, 256)),
      R("max_blocking", integer(0, 4096)),
      R("max_queue", integer(0, 1000000)),
  });
  const auto process = object({
      R("enabled", b()),
      R("allow_spawn", b()),
      R("max_live", integer(0, 1024)),
      R("max_spawns", integer(0, 1024)),
      O("allow_execs", array(string(1, 4096), 256)),
      O("allow_exec_prefixes", array(string(1, 4096), 256)),
      O("allow_args_regex_lite", array(string(1, 256), 128)),
      O("allow_env_keys", array(string(1, 256), 256)),
      R("allow_exec", b()),
      R("allow_exit", b()),
      O("max_exe_bytes", integer(0, 1048576)),
      O("max_args", integer(0, 1024)),
      O("max_arg_bytes", integer(0, 1048576)),
      O("max_env", integer(0, 1024)),
      O("max_env_key_bytes", integer(0, 4096)),
      O("max_env_val_bytes", integer(0, 1048576)),
      O("max_runtime_ms", integer(0, 600000)),
      O("max_stdout_bytes", integer(0, 268435456)),
      O("max_stderr_bytes", integer(0, 268435456)),
      O("max_total_bytes", integer(0, 536870912)),
      O("max_stdin_bytes", integer(0, 268435456)),
      O("kill_on_drop", b()),
      O("kill_tree", b()),
      O("allow_cwd", b()),
      O("allow_cwd_roots", array(string(1, 4096), 128)),
  });
  return object({
      R("schema_version", constant("x07.run-os-policy@0.1.0")),
      R("policy_id", pattern_string(Pattern::PolicyId)),
      O("notes", max_len_string(4096)),
      R("limits", limits),
      R("fs", fs),
      R("net", net),
      O("db", db),
      R("env", env),
      R("time", time),
      O("language", language),
      O("threads", threads),
      R("process", process),
  });
}

// ---- matching helpers ----

// Decodes one UTF-8 code point starting at s[i]; advances i. Invalid bytes count as one unit.
uint32_t next_code_point(const std::string& s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  uint32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) next_code_point(s, i);
  return n;
}

// `\s` in the schema's regex dialect: Unicode White_Space.
bool is_regex_space(uint32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Compact rendering of an instance for messages, shortened when long.
std::string show(const json::Value& v) {
  std::string s = json::to_compact(v);
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::Object: return "object";
    case Type::Array: return "array";
    case Type::String: return "string";
    case Type::Integer: return "integer";
    case Type::Boolean: return "boolean";
    case Type::Const: return "string";
  }
  return "?";
}

bool is_integer(const json::Value& v) {
  if (v.IsInt64() || v.IsUint64()) return true;
  if (v.IsDouble()) {
    double d = v.GetDouble();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

// Three-way compare of an integer-valued JSON number with an int64 bound.
int compare(const json::Value& v, int64_t bound) {
  if (v.IsInt64()) {
    int64_t x = v.GetInt64();
    return x < bound ? -1 : x > bound ? 1 : 0;
  }
  if (v.IsUint64()) return 1;  // above INT64_MAX, larger than every bound we use
  double d = v.GetDouble();
  double b = static_cast<double>(bound);
  return d < b ? -1 : d > b ? 1 : 0;
}

const Property* find_property(const SchemaNode& n, std::string_view name) {
  for (const auto& p : n.properties)
    if (p.name == name) return &p;
  return nullptr;
}

std::string escape_pointer_token(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

class Validator {
 public:
  std::vector<Violation> out;

  void check(const SchemaNode& n, const json::Value& v, const std::string& ptr) {
    switch (n.type) {
      case Type::Const:
        if (!v.IsString() || std::string_view(v.GetString(), v.GetStringLength()) != n.const_value) {
          std::string expected;
          json::append_quoted(expected, n.const_value);
          report(expected + " was expected", ptr);
        }
        return;
      case Type::Boolean:
        if (!v.IsBool()) type_error(n, v, ptr);
        return;
      case Type::Integer:
        if (!v.IsNumber() || !is_integer(v)) return type_error(n, v, ptr);
        if (n.minimum && compare(v, *n.minimum) < 0)
          report(show(v) + " is less than the minimum of " + std::to_string(*n.minimum), ptr);
        if (n.maximum && compare(v, *n.maximum) > 0)
          report(show(v) + " is greater than the maximum of " + std::to_string(*n.maximum), ptr);
        return;
      case Type::String: {
        if (!v.IsString()) return type_error(n, v, ptr);
        std::string s(v.GetString(), v.GetStringLength());
        size_t len = code_points(s);
        if (n.min_length && len < *n.min_length)
          report(show(v) + (*n.min_length == 1 ? " should be non-empty" : " is too short"), ptr);
        if (n.max_length && len > *n.max_length)
          report(show(v) + " is longer than " + std::to_string(*n.max_length) + " characters", ptr);
        if (!matches(n.pattern, s)) {
          std::string pat;
          json::append_quoted(pat, pattern_source(n.pattern));
          report(show(v) + " does not match " + pat, ptr);
        }
        return;
      }
      case Type::Array: {
        if (!v.IsArray()) return type_error(n, v, ptr);
        if (n.max_items && v.Size() > *n.max_items)
          report(show(v) + " has more than " + std::to_string(*n.max_items) + " items", ptr);
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) check(*n.items, v[i], ptr + "/" + std::to_string(i));
        return;
      }
      case Type::Object: {
        if (!v.IsObject()) return type_error(n, v, ptr);
        for (const auto& p : n.properties) {
          if (p.required && !v.HasMember(p.name.c_str())) {
            std::string q;
            json::append_quoted(q, p.name);
            report(q + " is a required property", ptr);
          }
        }
        std::vector<std::string> unexpected;
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
          std::string_view key(it->name.GetString(), it->name.GetStringLength());
          if (!find_property(n, key)) unexpected.emplace_back(key);
        }
        if (!unexpected.empty()) {
          std::string list;
          for (size_t i = 0; i < unexpected.size(); ++i) {
            if (i) list += ", ";
            list += "'" + unexpected[i] + "'";
          }
          report("Additional properties are not allowed (" + list +
                     (unexpected.size() == 1 ? " was unexpected)" : " were unexpected)"),
                 ptr);
        }
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
          std::string_view key(it->name.GetString(), it->name.GetStringLength());
          if (const Property* p = find_property(n, key))
            check(*p->node, it->value, ptr + "/" + escape_pointer_token(key));
        }
        return;
      }
    }
  }

 private:
  void report(std::string msg, const std::string& ptr) { out.push_back({std::move(msg), ptr}); }
  void type_error(const SchemaNode& n, const json::Value& v, const std::string& ptr) {
    report(show(v) + " is not of type \"" + type_name(n.type) + "\"", ptr);
  }
};

}  // namespace

const SchemaNode& run_os_policy_schema() {
  static const SchemaNode* root = build_schema();
  return *root;
}

const char* pattern_source(Pattern p) {
  switch (p) {
    case Pattern::PolicyId: return "^[a-zA-Z0-9_.-]{1,64}$";
    case Pattern::HostName: return "^[^;\\s]+$";
    case Pattern::None: return "";
  }
  return "";
}

bool matches(Pattern p, const std::string& s) {
  switch (p) {
    case Pattern::None:
      return true;
    case Pattern::PolicyId:
      if (s.empty() || s.size() > 64) return false;
      for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
        if (!ok) return false;
      }
      return true;
    case Pattern::HostName:
      if (s.empty()) return false;
      for (size_t i = 0; i < s.size();) {
        uint32_t cp = next_code_point(s, i);
        if (cp == ';' || is_regex_space(cp)) return false;
      }
      return true;
  }
  return false;
}

std::vector<Violation> validate(const json::Value& doc) {
  Validator v;
  v.check(run_os_policy_schema(), doc, "");
  return std::move(v.out);
}

std::vector<std::string> violation_texts(const json::Value& doc) {
  std::vector<std::string> out;
  for (const auto& v : validate(doc)) out.push_back(v.text());
  return out;
}

std::string x07diag_line(const std::vector<std::string>& messages) {
  std::string out = R"({"schema_version":"x07.x07diag@0.1.0","ok":false,"diagnostics":[)";
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i) out += ',';
    out += R"({"code":"X07-POLICY-SCHEMA-0001","severity":"error","stage":"parse","message":)";
    json::append_quoted(out, messages[i]);
    out += '}';
  }
  out += "]}\n";
  return out;
}

}  // namespace x07::policy_schema
