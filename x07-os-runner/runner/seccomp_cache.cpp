#include "seccomp_cache.hpp"

#include "common/fsutil.hpp"
#include "common/sha256.hpp"
#include "native_cache.hpp"
#include "sandbox/x07_sandbox.h"

namespace x07::runner {

namespace {

// File layout: "<key>\n<sha256 hex of the filter>\n<filter bytes>". The header
// catches a file of another key or a damaged one; both are regenerated.
std::string header(const std::string& key, std::string_view bpf) { return key + "\n" + Sha256::hex(bpf) + "\n"; }

}  // namespace

SeccompFilterCache::SeccompFilterCache(x07_sandbox_config& cfg) {
  char key[256];
  if (x07_sandbox_seccomp_key(&cfg, key, sizeof key) == 0) return;
  const std::string self = runner_binary_identity();
  if (self.empty()) return;
  key_ = "runner " + self + " " + key;
  path_ = (native_cache_dir() / "meta" / ("seccomp-" + Sha256::hex(key_))).string();
  std::string file;
  if (!fsutil::read_file(path_, file)) return;
  const size_t hdr_len = key_.size() + 1 + 64 + 1;
  if (file.size() <= hdr_len) return;
  std::string_view bpf = std::string_view(file).substr(hdr_len);
  if (!x07_sandbox_seccomp_bpf_len_ok(bpf.size()) || file.compare(0, hdr_len, header(key_, bpf)) != 0) return;
  bpf_ = std::string(bpf);
  cfg.seccomp_bpf = bpf_.data();
  cfg.seccomp_bpf_len = bpf_.size();
  hit_ = true;
}

void SeccompFilterCache::store(const x07_sandbox_plan* plan) const {
  if (hit_ || path_.empty()) return;
  size_t len = 0;
  const void* insns = x07_sandbox_seccomp_bpf(plan, &len);
  if (!insns) return;
  std::string_view bpf(static_cast<const char*>(insns), len);
  const std::filesystem::path p(path_);
  if (fsutil::create_dirs(p.parent_path())) fsutil::write_file_atomic(p, header(key_, bpf) + std::string(bpf));
}

}  // namespace x07::runner
