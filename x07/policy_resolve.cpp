#include "policy_resolve.hpp"

#include <iostream>

#include "common/policy_schema.hpp"
#include "facade_error.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

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
  if (!fs::is_regular_file(base, ec)) throw Failure("missing policy file: " + base.string());
  r.base = base;
  if (!overrides.any()) return r;

  try {
    r.derived = policy_derive::materialize(policy_root, base, overrides);
  } catch (const policy_derive::SchemaInvalid& e) {
    std::cerr << policy_schema::x07diag_line(e.messages) << std::flush;
    throw Exit{3};
  } catch (const policy_derive::Error& e) {
    throw Failure(e.what());
  }
  std::cerr << tool << ": using derived policy " << r.derived->string() << "\n" << std::flush;
  return r;
}

}  // namespace x07::facade
