// Pinned record/replay policies for std.rr.with_policy_v1: arch/rr/index.x07rr.json lists the
// policies (x07.arch.rr.index@0.1.0), each policy file (x07.arch.rr.policy@0.1.0) gives the match
// mode and budgets. The result is the X7RC cfg that rr.open_v1 reads (runtime/world_rr.c):
//   "X7RC" u16 version=1, u16 0, u8 mode, u8 match_mode, u16 0, u64 max_cassette_bytes,
//   u32 max_entries, u32 max_req_bytes, u32 max_resp_bytes, u32 max_key_bytes,
//   u32 cassette_len, cassette path bytes.
#include <algorithm>
#include <filesystem>

#include "ast.hpp"
#include "common/json.hpp"

namespace x07c {

namespace fs = std::filesystem;
namespace json = x07::json;

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::string read_doc(const fs::path& path, const char* what, json::Document& doc) {
  if (auto e = json::parse_file(path, doc))
    return std::string(e->kind == json::FileError::Kind::Read ? "read " : "parse ") + what +
           (e->kind == json::FileError::Kind::Read ? " file " : " JSON ") + path.string() + ": " + e->message;
  if (!doc.IsObject()) return std::string("parse ") + what + " JSON " + path.string() + ": not an object";
  return "";
}

}  // namespace

std::string load_rr_cfg(const std::string& entry_file, const std::string& policy_id, const std::string& cassette,
                        int32_t mode, std::string* cfg) {
  static const char* const kModes[] = {"off", "record_v1", "replay_v1", "record_missing_v1", "rewrite_v1"};
  if (mode < 0 || mode > 4)
    return "std.rr.with_policy_v1 mode must be one of: 0(off),1(record),2(replay),3(record_missing),4(rewrite)";
  const fs::path root = arch_root_of(entry_file);
  const fs::path index_path = root / "arch" / "rr" / "index.x07rr.json";
  json::Document index;
  if (auto e = read_doc(index_path, "rr index", index); !e.empty()) return e;
  std::string sv = json::get_string(index, "schema_version").value_or("");
  if (sv != "x07.arch.rr.index@0.1.0")
    return "rr index schema_version mismatch: got \"" + sv + "\" expected \"x07.arch.rr.index@0.1.0\"";
  std::vector<std::string> allowed;
  if (const json::Value* d = json::get_object(index, "defaults"))
    if (const json::Value* modes = json::get_array(*d, "record_modes_allowed"))
      for (const auto& m : modes->GetArray())
        if (m.IsString()) allowed.emplace_back(m.GetString(), m.GetStringLength());
  if (allowed.empty()) allowed.push_back("replay_v1");
  if (std::find(allowed.begin(), allowed.end(), kModes[mode]) == allowed.end())
    return std::string("std.rr.with_policy_v1 mode \"") + kModes[mode] +
           "\" is not allowed by arch/rr index defaults.record_modes_allowed";
  const json::Value* policies = json::get_array(index, "policies");
  if (!policies) return "rr index policies must be an array";
  std::optional<std::string> rel;
  for (const auto& p : policies->GetArray()) {
    if (!p.IsObject() || json::get_string(p, "id") != policy_id) continue;
    rel = json::get_string(p, "policy_path");
    break;
  }
  if (!rel) return "rr policy \"" + policy_id + "\" not found in rr index policies (" + index_path.string() + ")";
  json::Document pol;
  if (auto e = read_doc(root / *rel, "rr policy", pol); !e.empty()) return e;
  sv = json::get_string(pol, "schema_version").value_or("");
  if (sv != "x07.arch.rr.policy@0.1.0")
    return "rr policy schema_version mismatch: got \"" + sv + "\" expected \"x07.arch.rr.policy@0.1.0\"";
  std::string id = json::get_string(pol, "id").value_or("");
  if (id != policy_id) return "rr policy id mismatch: got \"" + id + "\" expected \"" + policy_id + "\"";
  std::string match = json::get_string(pol, "match_mode").value_or("");
  if (match != "lookup_v1" && match != "transcript_v1")
    return "rr policy match_mode is not supported: \"" + match + "\"";
  const json::Value* budgets = json::get_object(pol, "budgets");
  if (!budgets) return "rr policy budgets must be an object";
  uint64_t v[5];
  const char* const keys[] = {"max_cassette_bytes", "max_entries", "max_req_bytes", "max_resp_bytes", "max_key_bytes"};
  for (int i = 0; i < 5; i++) {
    auto x = json::get_u64(*budgets, keys[i]);
    if (!x) return std::string("rr policy budgets.") + keys[i] + " must be an integer";
    if (i > 0 && *x > 0xFFFFFFFFull) return std::string("rr policy budgets.") + keys[i] + " out of u32 range";
    v[i] = *x;
  }
  std::string out = "X7RC";
  put_le(out, 1, 2);
  put_le(out, 0, 2);
  out += static_cast<char>(mode);
  out += static_cast<char>(match == "lookup_v1" ? 0 : 1);
  put_le(out, 0, 2);
  put_le(out, v[0], 8);
  for (int i = 1; i < 5; i++) put_le(out, v[i], 4);
  put_le(out, cassette.size(), 4);
  out += cassette;
  *cfg = std::move(out);
  return "";
}

}  // namespace x07c
