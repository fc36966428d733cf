// Reuse of the stage-1 seccomp filter across runs (kept in the native cache).
#pragma once
#include <string>

struct x07_sandbox_config;
struct x07_sandbox_plan;

namespace x07::runner {

// Generating the stage-1 filter with libseccomp is the largest part of preparing
// the sandbox (~0.25 ms of a ~5 ms warm run), yet it depends on only a few policy
// bits. The generated filter is therefore kept in <native cache>/meta, one file per
// x07_sandbox_seccomp_key and runner binary (the rule tables are compiled into it).
//
// Trust: the cache already holds executables that later runs execute, unsandboxed
// runs included, and the runtime library linked into every program, which carries
// the stage-2 filter; the runner refuses policies whose write roots contain it. So a
// filter file there gives no one more than the cache does already. Files are written
// atomically; a header with the key and the filter's SHA-256 is checked before use.
class SeccompFilterCache {
 public:
  // Looks up the filter for `cfg`; on a hit points cfg.seccomp_bpf at it (this
  // object must outlive x07_sandbox_prepare).
  explicit SeccompFilterCache(x07_sandbox_config& cfg);
  // After a miss: stores the filter the plan generated (failures are ignored).
  void store(const x07_sandbox_plan* plan) const;

 private:
  std::string key_;   // runner identity + x07_sandbox_seccomp_key
  std::string path_;  // "" = not cacheable (no libseccomp, no runner identity)
  std::string bpf_;
  bool hit_ = false;
};

}  // namespace x07::runner
