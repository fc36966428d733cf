#include "runner_argv.hpp"

namespace x07::facade {

const std::vector<cli::Flag>& derived_policy_flags() {
  static const std::vector<cli::Flag> flags = {
      {"allow-host", "SPEC", "Derived policy: allow HOST:PORT[,PORT...] (repeatable)", true},
      {"allow-host-file", "PATH", "Derived policy: allow specs from a file (repeatable)", true},
      {"deny-host", "SPEC", "Derived policy: deny HOST:* or HOST:PORT[,PORT...] (repeatable)", true},
      {"deny-host-file", "PATH", "Derived policy: deny specs from a file (repeatable)", true},
      {"allow-read-root", "PATH", "Derived policy: extra fs read root (repeatable)", true},
      {"allow-write-root", "PATH", "Derived policy: extra fs write root (repeatable)", true},
  };
  return flags;
}

policy_derive::Overrides overrides_from(const cli::Args& a) {
  policy_derive::Overrides ov;
  ov.allow_hosts = a.all("allow-host");
  ov.allow_host_files = a.all("allow-host-file");
  ov.deny_hosts = a.all("deny-host");
  ov.deny_host_files = a.all("deny-host-file");
  ov.allow_read_roots = a.all("allow-read-root");
  ov.allow_write_roots = a.all("allow-write-root");
  return ov;
}

void push(std::vector<std::string>& argv, const std::string& flag, const std::string& value) {
  argv.push_back(flag);
  argv.push_back(value);
}

std::string cc_profile_of(const cli::Args& a, const std::optional<Profile>& profile) {
  return a.get("cc-profile").value_or(profile && profile->cc_profile ? *profile->cc_profile : "default");
}

void push_resource_limits(std::vector<std::string>& argv, const cli::Args& a, const std::optional<Profile>& profile,
                          std::optional<uint64_t> cpu_time_default) {
  auto limit = [&](const char* flag, std::optional<uint64_t> from_profile, std::optional<uint64_t> dflt) {
    std::optional<uint64_t> v = a.u64(flag);
    if (!v) v = from_profile;
    if (!v) v = dflt;
    if (v) push(argv, std::string("--") + flag, std::to_string(*v));
  };
  const Profile* p = profile ? &*profile : nullptr;
  limit("solve-fuel", p ? p->solve_fuel : std::nullopt, 50000000);
  limit("max-memory-bytes", p ? p->max_memory_bytes : std::nullopt, 67108864);
  limit("max-output-bytes", p ? p->max_output_bytes : std::nullopt, std::nullopt);
  limit("cpu-time-limit-seconds", p ? p->cpu_time_limit_seconds : std::nullopt, cpu_time_default);
}

bool auto_ffi_enabled(const cli::Args& a, const std::optional<Profile>& profile) {
  if (a.has("no-auto-ffi")) return false;
  if (a.has("auto-ffi")) return true;
  return !profile || profile->auto_ffi.value_or(true);
}

}  // namespace x07::facade
