#include "trap_help.hpp"

#include "common/text.hpp"

namespace x07::runner {

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

std::string list_or_none(const std::vector<std::string>& v) {
  return v.empty() ? "none" : "[" + text::join(v, ", ") + "]";
}

std::string hosts_of(const policy::Net& n) {
  std::vector<std::string> hs;
  for (const auto& h : n.allow_hosts) {
    std::string ports;
    for (auto p : h.ports) ports += (ports.empty() ? "" : ",") + std::to_string(p);
    hs.push_back(h.host + ":" + ports);
  }
  return list_or_none(hs);
}

// The refused value the runtime printed on the line before the trap ("x07: refused value: …").
std::string refused(std::string detail) {
  if (detail.rfind("refused value: ", 0) == 0) detail = detail.substr(15);
  return detail.empty() ? "" : " (refused: " + detail + ")";
}

std::optional<std::string> denial_help(const std::string& trap, const TrapContext& c, const std::string& detail) {
  if (!c.policy) return std::nullopt;
  const policy::Policy& p = *c.policy;
  const std::string where = c.policy_path.empty() ? "the policy" : c.policy_path;
  if (trap == "os.fs disabled by policy")
    return where + " sets fs.enabled=false; set fs.enabled=true with fs.read_roots/fs.write_roots, or start from "
                   "`x07 policy init --template fs-tool`";
  if (trap == "os.threads.blocking disabled by policy")
    return where + " sets threads.max_blocking=0; fs and blocking calls need threads.max_blocking >= 1";
  if (contains(trap, " unsafe path"))
    return "sandboxed fs paths must be relative, without '..' segments" + refused(detail) +
           "; they are resolved against fs.read_roots=" + list_or_none(p.fs.read_roots) +
           " / fs.write_roots=" + list_or_none(p.fs.write_roots) + " of " + where +
           "; grant a directory with --allow-read-root DIR or --allow-write-root DIR";
  if (contains(trap, " hidden path denied"))
    return where + " sets fs.deny_hidden=true, which refuses paths with a segment starting with '.'" +
           refused(detail) + "; rename the file or set fs.deny_hidden=false";
  if (starts_with(trap, "os.fs.read_file open failed") && !p.fs.read_roots.empty())
    return "no file at that path under fs.read_roots=" + list_or_none(p.fs.read_roots) + " of " + where +
           "; check the path, or grant its directory with --allow-read-root DIR";
  if (trap == "os.env disabled by policy")
    return where + " sets env.enabled=false; set env.enabled=true and list the variables in env.allow_keys";
  if (trap == "os.env.get key not allowed")
    return "the variable is not in env.allow_keys=" + list_or_none(p.env.allow_keys) + " of " + where +
           refused(detail) + "; add it to env.allow_keys";
  if (trap == "os.env.get key denied")
    return "the variable is in env.deny_keys=" + list_or_none(p.env.deny_keys) + " of " + where + refused(detail) +
           "; remove it from env.deny_keys";
  if (trap == "os.time disabled by policy")
    return where + " sets time.enabled=false; set time.enabled=true (and allow_wall_clock/allow_sleep as needed)";
  if (trap == "os.time.now_unix_ms disabled by policy")
    return where + " sets time.allow_wall_clock=false; set it to true to read the wall clock";
  if (trap == "os.process disabled by policy")
    return where + " sets process.enabled=false; set process.enabled=true (and allow_spawn/allow_execs as needed)";
  if (trap == "os.process.exit disabled by policy")
    return where + " sets process.allow_exit=false; set it to true to let the program choose its exit status";
  if (trap == "os.net disabled by policy" || trap == "os.net.http_request disabled by policy")
    return where + " sets net.enabled=false; start from `x07 policy init --template http-client` and allow hosts "
                   "with --allow-host HOST:PORT";
  if (trap == "os.net.allow_hosts required")
    return "net.allow_hosts of " + where + " is " + hosts_of(p.net) + "; allow a destination with --allow-host HOST:PORT";
  if (contains(trap, "disabled by policy") || contains(trap, "denied") || contains(trap, "not allowed"))
    return "refused by " + where + refused(detail) + "; see the policy field named in the trap";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> trap_help_for(const std::string& trap, const TrapContext& c, const std::string& detail) {
  if (trap == "fuel exhausted")
    return "fuel limit " + std::to_string(c.solve_fuel) +
           " reached; raise it with --solve-fuel or scope costs with budget.scope_v1";
  if (trap == "X07T_BUDGET_EXCEEDED_FUEL")
    return "a budget.scope_v1 fuel budget was exceeded; raise the scope budget or reduce work inside the scope";
  if (trap == "map_u32 full")
    return "std.hash_map capacity exceeded; create the map with std.hash_map.with_capacity_u32(expected_len) sized "
           "for the input";
  if (contains(trap, " oob"))
    return trap.substr(0, trap.find(" oob")) + (detail.empty() ? ": index out of bounds" : ": " + detail) +
           "; check the index against the length before the call";
  if (trap == "out of memory") {
    if (c.policy)
      return "the heap arena (--max-memory-bytes " + std::to_string(c.max_memory_bytes) +
             ") or limits.mem_bytes=" + std::to_string(c.policy->limits.mem_bytes) + " of " +
             (c.policy_path.empty() ? "the policy" : c.policy_path) + " is exhausted; raise the one that is smaller";
    return "the heap arena of " + std::to_string(c.max_memory_bytes) +
           " bytes is exhausted; raise it with --max-memory-bytes N";
  }
  if (trap == "timed out") {
    if (c.policy)
      return "wall-clock limit limits.wall_ms=" + std::to_string(c.wall_ms) + " of " +
             (c.policy_path.empty() ? "the policy" : c.policy_path) + " reached; raise limits.wall_ms";
    return "wall-clock limit of " + std::to_string(c.wall_ms) +
           " ms reached (--cpu-time-limit-seconds + 1 s); raise it with --cpu-time-limit-seconds N";
  }
  if (trap == "terminated by signal 9" || trap == "terminated by signal 24") {
    if (c.policy)
      return "killed at a limit: most often the CPU limit limits.cpu_ms=" + std::to_string(c.policy->limits.cpu_ms) +
             " of " + (c.policy_path.empty() ? "the policy" : c.policy_path) + "; raise limits.cpu_ms";
    return "killed at a limit: most often the CPU limit of " + std::to_string(c.cpu_time_limit_seconds) +
           " s; raise it with --cpu-time-limit-seconds N";
  }
  if (trap == "stdout exceeded cap" || starts_with(trap, "native output too large"))
    return "the program's output passed --max-output-bytes " + std::to_string(c.max_output_bytes) +
           "; raise it with --max-output-bytes N";
  if (trap == "stderr exceeded cap")
    return "the program wrote more than 262144 bytes to stderr (a fixed cap); write less diagnostics";
  if (trap == "native stdout too short for length prefix")
    return "the program ended without producing its output frame (it crashed or exited early)";
  if (starts_with(trap, "terminated by signal"))
    return "the program was killed by a signal (a crash in unsafe or ffi code, or a sandbox kill); see stderr";
  return denial_help(trap, c, detail);
}

}  // namespace x07::runner
