#include "attestation.hpp"

#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/sha256.hpp"
#include "runner_error.hpp"

namespace x07::runner {

namespace fs = std::filesystem;
using json::Value;

Attestation::Attestation(const Options& o, const policy::Policy* p, const BackendChoice& backend, size_t input_len)
    : o_(o), policy_(p), backend_(backend), input_len_(input_len) {}

report::AttestationRef Attestation::write(const std::string& artifact, const std::optional<std::string>& run_dir,
                                          const report::Solve& outcome) const {
  const std::string path = *o_.attest_runtime;
  std::string policy_bytes, exe_bytes, err;
  if (!o_.policy || !fsutil::read_file(*o_.policy, policy_bytes, &err))
    throw RunnerError("X07RA_EPOLICY_DIGEST: read policy for runtime attestation: " + o_.policy.value_or("") + ": " +
                      err);
  if (!fsutil::read_file(artifact, exe_bytes, &err))
    throw RunnerError("X07RA_EWRITE: read artifact for runtime attestation: " + artifact + ": " + err);

  // os/none backends: only the CLI flag counts as accepting weaker isolation.
  const bool weaker = o_.accept_weaker_isolation;
  const policy::Net& net = policy_->net;
  std::string mode = !net.enabled ? "none" : net.allow_hosts.empty() ? "disabled" : "allowlist";
  std::string enforcement = mode != "allowlist" ? "none" : weaker ? "guest_allowlist" : "unsupported";

  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const std::string& s) { return json::make_string(s, a); };
  auto put = [&](const char* k, Value v) { d.AddMember(Value(k, a), v, a); };
  put("schema_version", str("x07.runtime.attest@0.2.0"));
  put("world", str("run-os-sandboxed"));
  put("sandbox_backend", str(backend_name(backend_.effective)));
  put("weaker_isolation", Value(weaker));
  put("artifact_path", str(artifact));
  put("policy_path", str(*o_.policy));
  put("input_len_bytes", Value(static_cast<uint64_t>(input_len_)));
  if (run_dir) put("run_dir", str(*run_dir));
  put("effective_policy_digest", str("sha256:" + Sha256::hex(policy_bytes)));
  put("network_mode", str(mode));
  put("network_enforcement", str(enforcement));
  put("allow_dns", Value(net.allow_dns));
  put("allow_tcp", Value(net.allow_tcp));
  put("allow_udp", Value(net.allow_udp));
  Value hosts(rapidjson::kArrayType);
  for (const auto& h : net.allow_hosts) {
    Value e(rapidjson::kObjectType);
    e.AddMember("host", str(h.host), a);
    Value ports(rapidjson::kArrayType);
    for (auto p : h.ports) ports.PushBack(Value(static_cast<unsigned>(p)), a);
    e.AddMember("ports", ports, a);
    hosts.PushBack(e, a);
  }
  put("effective_allow_hosts", std::move(hosts));
  put("effective_deny_hosts", Value(rapidjson::kArrayType));
  put("bundled_binary_digest", str("sha256:" + Sha256::hex(exe_bytes)));
  put("compile_attestation_digest", Value());
  put("capsule_attestation_digests", Value(rapidjson::kArrayType));
  put("effect_log_digests", Value(rapidjson::kArrayType));
  Value out(rapidjson::kObjectType);
  out.AddMember("ok", Value(outcome.ok), a);
  out.AddMember("exit_status", Value(outcome.exit_status), a);
  if (outcome.trap) out.AddMember("trap", str(*outcome.trap), a);
  put("outcome", std::move(out));

  fs::path p(path);
  if (!p.parent_path().empty()) fsutil::create_dirs(p.parent_path());
  if (!fsutil::write_file_atomic(p, json::to_pretty(d), &err))
    throw RunnerError("X07RA_EWRITE: write runtime attestation: " + path + ": " + err);
  return report::AttestationRef{path, backend_name(backend_.effective), mode, enforcement, weaker};
}

}  // namespace x07::runner
