#include "policy_resolve.hpp"

#include <iostream>

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/json_locate.hpp"
#include "common/policy_schema.hpp"
#include "facade_error.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

const char* kSchemaHelp =
    "fix the field against the x07.run-os-policy@0.1.0 schema, or regenerate the file with "
    "`x07 policy init --template cli --force`";

// `.x07/policies/base/<template>.sandbox.base.policy.json` -> the command that writes it.
std::string missing_policy_help(const fs::path& base) {
  const std::string name = base.filename().string();
  const std::string suffix = ".sandbox.base.policy.json";
  std::string tmpl = "cli";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    tmpl = name.substr(0, name.size() - suffix.size());
  return "create it with `x07 policy init --template " + tmpl +
         "` (templates: cli, http-client, web-service, fs-tool, sqlite-app, postgres-client, worker, "
         "worker-parallel), or pass --policy PATH";
}

std::string derive_help(const std::string& msg, const fs::path& base) {
  auto from_template = [&](const std::string& t) {
    return "the base policy " + base.string() + " does not allow this; start from `x07 policy init --template " + t +
           "` and pass --policy .x07/policies/base/" + t + ".sandbox.base.policy.json";
  };
  if (msg.find("networking") != std::string::npos || msg.find("TCP") != std::string::npos)
    return from_template("http-client");
  if (msg.find("filesystem") != std::string::npos) return from_template("fs-tool");
  if (msg.find("root path") != std::string::npos) return "give a directory, e.g. --allow-write-root out";
  if (msg.find("host spec") != std::string::npos || msg.find("port") != std::string::npos)
    return "hosts are HOST:PORT[,PORT...], e.g. --allow-host example.com:443";
  return "fix the flag named above (see x07 run --help)";
}

// Parses and validates the base policy; on failure prints the x07diag document (upstream's
// machine-readable form) and one error line per violation with FILE:LINE:COL, exit 3.
void check_policy_schema(const fs::path& base) {
  std::string text, err;
  if (!fsutil::read_file(base, text, &err)) throw Failure("read policy: " + base.string() + ": " + err);
  json::Document doc;
  std::vector<policy_schema::Violation> violations;
  if (!json::parse(text, doc, &err)) {
    violations.push_back({"parse policy JSON: " + err, ""});
  } else {
    violations = policy_schema::validate(doc);
  }
  if (violations.empty()) return;
  std::vector<std::string> msgs;
  for (const auto& v : violations) msgs.push_back(v.pointer.empty() && v.message.rfind("parse", 0) == 0 ? v.message : v.text());
  std::cerr << policy_schema::x07diag_line(msgs);
  for (const auto& v : violations) {
    std::string loc = base.string();
    if (auto lc = json::locate_pointer(text, v.pointer); lc && doc.IsObject())
      loc += ":" + std::to_string(lc->line) + ":" + std::to_string(lc->col);
    std::cerr << render_error("X07-POLICY-SCHEMA-0001", loc, v.pointer.empty() ? v.message : v.text(), kSchemaHelp);
  }
  std::cerr << std::flush;
  throw Exit{3};
}

}  // namespace

PolicyResolution resolve_policy(const std::string& world, const fs::path& policy_root,
                                const std::optional<std::string>& cli_policy,
                                const std::optional<std::string>& profile_policy,
                                const policy_derive::Overrides& overrides, const std::string& tool) {
  const bool sandboxed = world == "run-os-sandboxed";
  if (overrides.any() && !sandboxed)
    throw Failure(
        "--allow-host/--deny-host/--allow-read-root/--allow-write-root requires run-os-sandboxed "
        "(policy-enforced OS world)");
  if (cli_policy && !sandboxed) throw Failure("--policy is only valid for --world run-os-sandboxed");
  PolicyResolution r;
  if (!sandboxed) return r;

  std::optional<std::string> given = cli_policy ? cli_policy : profile_policy;
  if (!given) throw Failure("run-os-sandboxed requires a policy file (--policy or profile policy)");
  fs::path base = fs::path(*given).is_absolute() ? fs::path(*given) : policy_root / *given;
  std::error_code ec;
  if (!fs::is_regular_file(base, ec)) throw Failure("missing policy file: " + base.string(), 2, missing_policy_help(base), "X07POLICY_MISSING");
  r.base = base;
  check_policy_schema(base);  // also without derived-policy flags: a misspelt key is never ignored
  if (!overrides.any()) return r;

  try {
    r.derived = policy_derive::materialize(policy_root, base, overrides);
  } catch (const policy_derive::SchemaInvalid& e) {
    std::cerr << policy_schema::x07diag_line(e.messages);
    for (const auto& m : e.messages)
      std::cerr << render_error("X07-POLICY-SCHEMA-0001", base.string(), m, kSchemaHelp);
    std::cerr << std::flush;
    throw Exit{3};
  } catch (const policy_derive::Error& e) {
    throw Failure(e.what(), 2, derive_help(e.what(), base), "X07POLICY_DERIVE");
  }
  std::cerr << tool << ": using derived policy " << r.derived->string() << "\n" << std::flush;
  return r;
}

}  // namespace x07::facade
