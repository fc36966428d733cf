#include "common/policy_derive.hpp"

#include <algorithm>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/utf8.hpp"
#include "common/policy_schema.hpp"
#include "common/sha256.hpp"

namespace fs = std::filesystem;

namespace x07::policy_derive {

namespace {

constexpr const char* kAllowContext = "Expected HOST:PORTS (ports are 1..65535).";
constexpr const char* kDenyContext = "Expected HOST:PORTS (ports are 1..65535 or *).";
constexpr const char* kSplitError = "Expected HOST:PORTS.";
constexpr const char* kPortsError = "Expected HOST:PORTS (ports are 1..65535).";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits `HOST:PORTS` / `[HOST]:PORTS`. Returns false on a malformed spec.
bool split_host_ports(std::string_view raw, std::string_view& host, std::string_view& ports) {
  raw = trim(raw);
  if (raw.empty()) return false;
  if (raw.front() == '[') {
    size_t close = raw.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view after = raw.substr(close + 1);
    if (after.empty() || after.front() != ':') return false;
    host = raw.substr(1, close - 1);
    ports = after.substr(1);
    return !host.empty() && !trim(ports).empty();
  }
  size_t idx = raw.rfind(':');
  if (idx == std::string_view::npos) return false;
  host = raw.substr(0, idx);
  ports = raw.substr(idx + 1);
  return !trim(host).empty() && !trim(ports).empty();
}

std::string normalize_host(std::string_view raw) {
  raw = trim(raw);
  if (raw.empty()) throw Error("host must be non-empty");
  if (raw.size() > 255) throw Error("host must be <= 255 chars");
  for (char c : raw)
    if (c == ';' || is_space(c)) throw Error("host must not contain whitespace or semicolons");
  std::string out(raw);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// One decimal port the way Rust's `u16::from_str` reads it (optional leading '+').
bool parse_u16(std::string_view s, uint16_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
    if (v > 65535) return false;
  }
  out = static_cast<uint16_t>(v);
  return true;
}

std::set<uint16_t> parse_ports(std::string_view raw) {
  std::set<uint16_t> out;
  size_t start = 0;
  while (true) {
    size_t comma = raw.find(',', start);
    std::string_view part = trim(raw.substr(start, comma == std::string_view::npos ? raw.npos : comma - start));
    uint16_t port = 0;
    if (part.empty() || !parse_u16(part, port)) throw Error(kPortsError);
    if (port == 0) throw Error("ports are 1..65535");
    out.insert(port);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.size() > 64) throw Error("ports list would exceed 64 entries");
  return out;
}

std::string normalize_root(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) throw Error("root path must be non-empty");
  if (s.size() > 4096) throw Error("root path must be <= 4096 chars");
  return std::string(s);
}

fs::path resolve_against(const fs::path& root, const fs::path& p) { return p.is_absolute() ? p : root / p; }

std::vector<std::string> read_host_file(const fs::path& policy_root, const std::string& path) {
  fs::path full = resolve_against(policy_root, path);
  std::string text, err;
  if (!fsutil::read_file(full, text, &err)) throw Error("read: " + full.string() + ": " + err);
  return host_file_lines(text);
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

json::Value ports_array(const std::set<uint16_t>& ports, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (uint16_t p : ports) arr.PushBack(json::Value(static_cast<unsigned>(p)), a);
  return arr;
}

json::Value string_array(const std::vector<std::string>& v, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : v) arr.PushBack(json::make_string(s, a), a);
  return arr;
}

// Rebuilds net.allow_hosts / net.allow_dns: base hosts normalised and merged, new
// allow hosts appended (sorted), denies applied last (§2.3).
void apply_net(json::Document& doc, const ParsedOverrides& po) {
  auto& a = doc.GetAllocator();
  json::Value& net = doc["net"];
  const bool base_dns = net["allow_dns"].GetBool();

  std::vector<std::string> order;
  std::map<std::string, std::set<uint16_t>> allowed;
  for (const auto& entry : net["allow_hosts"].GetArray()) {
    std::string host = normalize_host(std::string_view(entry["host"].GetString(), entry["host"].GetStringLength()));
    auto [it, inserted] = allowed.try_emplace(host);
    if (inserted) order.push_back(host);
    for (const auto& p : entry["ports"].GetArray()) {
      if (!p.IsUint64() || p.GetUint64() > 65535) throw Error("policy.net.allow_hosts[].ports must be u16");
      if (p.GetUint64() == 0) throw Error("policy contains port 0");
      it->second.insert(static_cast<uint16_t>(p.GetUint64()));
    }
    if (it->second.size() > 64) throw Error("Host " + host + " would exceed 64 allowed ports");
  }
  // po.allow is a std::map, so new hosts are appended in ascending byte order.
  for (const auto& [host, ports] : po.allow) {
    auto [it, inserted] = allowed.try_emplace(host);
    if (inserted) {
      order.push_back(host);
      if (order.size() > 256) throw Error("Policy net.allow_hosts would exceed 256 entries");
    }
    it->second.insert(ports.begin(), ports.end());
    if (it->second.size() > 64) throw Error("Host " + host + " would exceed 64 allowed ports");
  }
  for (const auto& [host, deny] : po.deny) {
    auto it = allowed.find(host);
    if (it == allowed.end()) continue;
    if (deny.all_ports) {
      allowed.erase(it);
      continue;
    }
    for (uint16_t p : deny.ports) it->second.erase(p);
    if (it->second.empty()) allowed.erase(it);
  }

  bool dns = base_dns;
  json::Value hosts(rapidjson::kArrayType);
  for (const auto& host : order) {
    auto it = allowed.find(host);
    if (it == allowed.end()) continue;
    if (std::any_of(host.begin(), host.end(), [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }))
      dns = true;
    json::Value e(rapidjson::kObjectType);
    e.AddMember("host", json::make_string(host, a), a);
    e.AddMember("ports", ports_array(it->second, a), a);
    hosts.PushBack(e, a);
  }
  net["allow_dns"].SetBool(dns);
  net["allow_hosts"] = hosts;
}

void append_roots(json::Value& list, const std::vector<std::string>& add, const char* what, json::Allocator& a) {
  for (const auto& r : add) {
    const auto entries = list.GetArray();
    bool present = std::any_of(entries.begin(), entries.end(), [&](const json::Value& e) {
      return e.IsString() && std::string_view(e.GetString(), e.GetStringLength()) == r;
    });
    if (!present) list.PushBack(json::make_string(r, a), a);
  }
  if (list.Size() > 128) throw Error(std::string(what) + " would exceed 128 entries");
}

void apply_id_and_notes(json::Document& doc, const std::string& base_id, const std::string& g8,
                        const std::string& base_display) {
  auto& a = doc.GetAllocator();
  std::string suffix = ".g" + g8;
  std::string id = base_id.substr(0, std::min(base_id.size(), 64 - suffix.size())) + suffix;
  doc["policy_id"] = json::make_string(id, a);

  // upstream's wording, also for policies derived by `x07 bundle`
  std::string line = "Derived by x07 run from `" + base_display + "` (g" + g8 + ")";
  auto notes = doc.FindMember("notes");
  if (notes == doc.MemberEnd()) {
    json::set(doc, "notes", json::make_string(line, a), a);
    return;
  }
  std::string existing = notes->value.IsString() ? notes->value.GetString() : "";
  if (existing.empty()) {
    notes->value = json::make_string(line, a);
  } else if (existing.size() + 1 + line.size() <= 4096) {
    notes->value = json::make_string(existing + "\n" + line, a);
  }
}

}  // namespace

HostSpec parse_host_spec(std::string_view spec, bool deny) {
  std::string_view host_raw, ports_raw;
  if (!split_host_ports(spec, host_raw, ports_raw))
    throw Error(std::string(deny ? kDenyContext : kAllowContext) + ": " + kSplitError);
  const std::string_view ports = trim(ports_raw);
  const bool star = ports == "*";
  if (star && !deny) throw Error("Expected HOST:PORTS (ports are 1..65535; '*' is only valid for --deny-host).");
  HostSpec out;
  out.host = normalize_host(host_raw);
  if (star) out.all_ports = true;
  else out.ports = parse_ports(ports);
  return out;
}

std::vector<std::string> host_file_lines(std::string_view text) {
  if (!utf8::valid(text)) throw Error("host spec file must be utf-8");
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = trim(line.substr(0, hash));
      if (line.empty()) continue;
    }
    out.emplace_back(line);
  }
  return out;
}

std::string ParsedOverrides::digest_json() const {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::Value allow_arr(rapidjson::kArrayType);
  for (const auto& [host, ports] : allow) {
    json::Value e(rapidjson::kObjectType);
    e.AddMember("host", json::make_string(host, a), a);
    e.AddMember("ports", ports_array(ports, a), a);
    allow_arr.PushBack(e, a);
  }
  json::Value deny_arr(rapidjson::kArrayType);
  for (const auto& [host, entry] : deny) {
    json::Value e(rapidjson::kObjectType);
    e.AddMember("all_ports", json::Value(entry.all_ports), a);
    e.AddMember("host", json::make_string(host, a), a);
    e.AddMember("ports", ports_array(entry.ports, a), a);
    deny_arr.PushBack(e, a);
  }
  auto sorted_unique = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  d.AddMember("allow_hosts", allow_arr, a);
  d.AddMember("allow_read_roots", string_array(sorted_unique(read_roots), a), a);
  d.AddMember("allow_write_roots", string_array(sorted_unique(write_roots), a), a);
  d.AddMember("deny_hosts", deny_arr, a);
  return json::to_compact_sorted(d);
}

ParsedOverrides parse_overrides(const Overrides& o, const fs::path& policy_root) {
  ParsedOverrides po;
  auto add_allow = [&](const std::string& spec) {
    HostSpec h = parse_host_spec(spec, false);
    po.allow[h.host].insert(h.ports.begin(), h.ports.end());
  };
  auto add_deny = [&](const std::string& spec) {
    HostSpec h = parse_host_spec(spec, true);
    auto [it, inserted] = po.deny.try_emplace(h.host);
    DenyEntry& e = it->second;
    if (h.all_ports) {
      e.all_ports = true;
      e.ports.clear();
    } else if (inserted || !e.all_ports) {
      e.ports.insert(h.ports.begin(), h.ports.end());
    }
  };
  for (const auto& f : o.allow_host_files)
    for (const auto& spec : read_host_file(policy_root, f)) add_allow(spec);
  for (const auto& spec : o.allow_hosts) add_allow(spec);
  for (const auto& f : o.deny_host_files)
    for (const auto& spec : read_host_file(policy_root, f)) add_deny(spec);
  for (const auto& spec : o.deny_hosts) add_deny(spec);
  for (const auto& r : o.allow_read_roots) po.read_roots.push_back(normalize_root(r));
  for (const auto& r : o.allow_write_roots) po.write_roots.push_back(normalize_root(r));
  return po;
}

Derived derive_from_bytes(std::string_view base_bytes, const std::string& base_display, const Overrides& o,
                          const fs::path& policy_root) {
  json::Document doc;
  std::string perr;
  if (!json::parse(base_bytes, doc, &perr)) throw SchemaInvalid({"parse policy JSON: " + perr});
  if (auto msgs = policy_schema::violation_texts(doc); !msgs.empty()) throw SchemaInvalid(std::move(msgs));

  if (o.any_host() && !doc["net"]["enabled"].GetBool())
    throw Error("base policy disables networking (net.enabled=false)");
  if (o.any_host() && !doc["net"]["allow_tcp"].GetBool())
    throw Error("base policy forbids TCP (net.allow_tcp=false)");
  if (o.any_root() && !doc["fs"]["enabled"].GetBool())
    throw Error("base policy disables filesystem access (fs.enabled=false)");

  ParsedOverrides po = parse_overrides(o, policy_root);

  Sha256 h;
  h.update(base_bytes);
  h.update(po.digest_json());
  auto digest = h.finish();

  Derived out;
  out.g8 = hex_bytes(digest.data(), 4);
  const std::string base_id = doc["policy_id"].GetString();
  out.file_name = base_id + ".g" + out.g8 + ".policy.json";

  apply_net(doc, po);
  if (o.any_root()) {
    auto& a = doc.GetAllocator();
    append_roots(doc["fs"]["read_roots"], po.read_roots, "fs.read_roots", a);
    append_roots(doc["fs"]["write_roots"], po.write_roots, "fs.write_roots", a);
  }
  apply_id_and_notes(doc, base_id, out.g8, base_display);
  out.policy_id = doc["policy_id"].GetString();

  if (auto msgs = policy_schema::violation_texts(doc); !msgs.empty()) throw SchemaInvalid(std::move(msgs));
  out.bytes = json::to_pretty_sorted(doc);
  return out;
}

fs::path materialize(const fs::path& policy_root, const fs::path& base_path, const Overrides& o) {
  std::string base_bytes, err;
  if (!fsutil::read_file(base_path, base_bytes, &err)) throw Error("read policy: " + base_path.string() + ": " + err);
  Derived d = derive_from_bytes(base_bytes, base_path.string(), o, policy_root);

  fs::path dir = policy_root / ".x07" / "policies" / "_generated";
  if (!fsutil::create_dirs(dir, &err)) throw Error("create dir: " + dir.string() + ": " + err);
  fs::path out = dir / d.file_name;
  std::string existing;
  if (fs::is_regular_file(out) && fsutil::read_file(out, existing) && existing == d.bytes) return out;
  if (!fsutil::write_file_atomic(out, d.bytes, &err)) throw Error("write: " + out.string() + ": " + err);
  return out;
}

}  // namespace x07::policy_derive
