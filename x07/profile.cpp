#include "profile.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "common/json.hpp"
#include "common/project.hpp"
#include "facade_error.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

// One profile object; throws the parse-error detail (serde-style) on shape problems.
Profile parse_profile(const std::string& name, const json::Value& v) {
  if (!v.IsObject()) throw std::runtime_error("invalid type: " + json::describe(v) + ", expected struct Profile");
  Profile p;
  p.name = name;
  auto str = [&](const char* key) -> std::optional<std::string> {
    const json::Value* f = json::find(v, key);
    if (!f || f->IsNull()) return std::nullopt;
    if (!f->IsString()) throw std::runtime_error("invalid type: " + json::describe(*f) + ", expected a string");
    return trimmed_non_empty(std::string(f->GetString(), f->GetStringLength()));
  };
  auto num = [&](const char* key) -> std::optional<uint64_t> {
    const json::Value* f = json::find(v, key);
    if (!f || f->IsNull()) return std::nullopt;
    if (!f->IsUint64())
      throw std::runtime_error("invalid " + std::string(f->IsNumber() ? "value" : "type") + ": " +
                               json::describe(*f) + ", expected u64");
    return f->GetUint64();
  };
  const json::Value* world = json::find(v, "world");
  if (!world) throw std::runtime_error("missing field `world`");
  if (!world->IsString()) throw std::runtime_error("invalid type: " + json::describe(*world) + ", expected a string");
  p.world = trimmed_non_empty(std::string(world->GetString(), world->GetStringLength())).value_or("");
  p.policy = str("policy");
  p.runner = str("runner");
  p.input = str("input");
  p.cc_profile = str("cc_profile");
  if (const json::Value* f = json::find(v, "auto_ffi"); f && !f->IsNull()) {
    if (!f->IsBool()) throw std::runtime_error("invalid type: " + json::describe(*f) + ", expected a boolean");
    p.auto_ffi = f->GetBool();
  }
  p.solve_fuel = num("solve_fuel");
  p.cpu_time_limit_seconds = num("cpu_time_limit_seconds");
  p.max_memory_bytes = num("max_memory_bytes");
  p.max_output_bytes = num("max_output_bytes");
  return p;
}

void validate_profile(const Profile& p) {
  const std::string n = json_quoted(p.name);
  const auto& worlds = project::kKnownWorlds;
  if (std::find(worlds.begin(), worlds.end(), p.world) == worlds.end())
    throw Failure("invalid profiles[" + n + "].world " + json_quoted(p.world) + ": unknown world: " + p.world);
  if (p.world == "run-os-sandboxed" && !p.policy)
    throw Failure("profiles[" + n + "].policy is required when profiles[" + n + "].world is run-os-sandboxed");
  if (p.world != "run-os-sandboxed" && p.policy)
    throw Failure("profiles[" + n + "].policy is only valid when profiles[" + n + "].world is run-os-sandboxed");
  if (p.runner && *p.runner != "auto" && *p.runner != "host" && *p.runner != "os")
    throw Failure("invalid profiles[" + n + "].runner: expected one of \"auto\", \"host\", or \"os\", got " +
                  json_quoted(*p.runner));
  if (p.cc_profile && *p.cc_profile != "default" && *p.cc_profile != "size")
    throw Failure("invalid profiles[" + n + "].cc_profile: expected one of \"default\" or \"size\", got " +
                  json_quoted(*p.cc_profile));
}

}  // namespace

std::optional<Profile> select_profile(const std::optional<fs::path>& manifest,
                                      const std::optional<std::string>& cli_profile) {
  if (!manifest) {
    if (cli_profile) throw Failure("--profile requires a project manifest (--project or a discovered x07.json)");
    return std::nullopt;
  }
  json::Document doc;
  if (auto err = json::parse_file(*manifest, doc)) {
    if (err->kind == json::FileError::Kind::Read)
      throw Failure("[X07PROJECT_READ] read project: " + manifest->string() + ": " + err->message);
    throw Failure("[X07PROJECT_PARSE] parse project JSON: " + manifest->string() + ": " + err->message);
  }
  std::optional<std::string> default_profile;
  std::map<std::string, Profile> profiles;
  bool has_profiles = false;
  try {
    if (!doc.IsObject()) throw std::runtime_error("invalid type: " + json::describe(doc) + ", expected a map");
    if (const json::Value* d = json::find(doc, "default_profile"); d && !d->IsNull()) {
      if (!d->IsString()) throw std::runtime_error("invalid type: " + json::describe(*d) + ", expected a string");
      default_profile = trimmed_non_empty(std::string(d->GetString(), d->GetStringLength()));
    }
    if (const json::Value* ps = json::find(doc, "profiles"); ps && !ps->IsNull()) {
      if (!ps->IsObject()) throw std::runtime_error("invalid type: " + json::describe(*ps) + ", expected a map");
      has_profiles = true;
      for (auto it = ps->MemberBegin(); it != ps->MemberEnd(); ++it) {
        std::string name(it->name.GetString(), it->name.GetStringLength());
        profiles[name] = parse_profile(name, it->value);
      }
    }
  } catch (const std::runtime_error& e) {
    throw Failure("[X07PROJECT_PARSE] parse project JSON: " + manifest->string() + ": " + e.what());
  }

  if (!has_profiles) {
    if (cli_profile) throw Failure("--profile requires x07.json.profiles");
    return std::nullopt;
  }
  std::string name;
  if (cli_profile) name = *cli_profile;
  else if (default_profile) name = *default_profile;
  else if (profiles.count("dev")) name = "dev";
  else if (profiles.count("os")) name = "os";
  else throw Failure("profiles present but default_profile missing; set default_profile or pass --profile");

  auto it = profiles.find(name);
  if (it == profiles.end()) {
    std::vector<std::string> names;
    for (const auto& [k, _] : profiles) names.push_back(k);
    throw Failure("unknown profile " + json_quoted(name) + " (available: " + join(names, ", ") + ")");
  }
  validate_profile(it->second);
  return it->second;
}

}  // namespace x07::facade
