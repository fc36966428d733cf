#include "fixture_world.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "runner_error.hpp"

namespace fs = std::filesystem;

namespace x07::runner {

namespace {

// upstream's ensure_safe_rel_path: empty, or only normal components (no /, ., ..).
void ensure_safe_rel_path(const std::string& rel) {
  if (rel.empty()) return;
  fs::path p(rel);
  bool ok = !p.is_absolute();
  for (const auto& c : p)
    if (c.empty() || c == "." || c == "..") ok = false;
  if (!ok) throw RunnerError("expected safe relative path, got " + rel);
}

// Copies the regular files and directories below `src` into `dst` (which exists).
// Anything else (symlinks, devices, sockets) is refused, as upstream does.
void copy_dir_contents(const fs::path& src, const fs::path& dst) {
  std::error_code ec;
  fs::directory_iterator it(src, ec);
  if (ec) throw RunnerError("read_dir: " + src.string() + ": " + fsutil::os_error_text(ec.value()));
  for (const auto& e : it) {
    const fs::path to = dst / e.path().filename();
    const fs::file_status st = fs::symlink_status(e.path(), ec);
    if (fs::is_directory(st)) {
      if (!fs::create_directory(to, ec)) throw RunnerError("create_dir: " + to.string());
      copy_dir_contents(e.path(), to);
    } else if (fs::is_regular_file(st)) {
      if (!fs::copy_file(e.path(), to, ec))
        throw RunnerError("copy file from " + e.path().string() + " to " + to.string() + ": " + ec.message());
    } else {
      throw RunnerError("unsupported fixture entry type: " + e.path().string());
    }
  }
}

void put_u32(std::string& out, uint64_t v) {
  for (int i = 0; i < 4; i++) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// seed.json (x07.kv.seed@0.1.0) -> seed.evkv ("X7KV", u16 1, u32 count, sorted entries).
void write_kv_seed(const fs::path& src, const fs::path& dst) {
  json::Document doc;
  if (auto e = json::parse_file(src, doc))
    throw RunnerError(std::string(e->kind == json::FileError::Kind::Read ? "read" : "parse") + " kv seed json: " +
                      src.string() + ": " + e->message);
  std::string format = doc.IsObject() ? json::get_string(doc, "format").value_or("") : "";
  if (format != "x07.kv.seed@0.1.0") throw RunnerError("unexpected kv seed format: " + format + " (" + src.string() + ")");
  const json::Value* entries = json::get_array(doc, "entries");
  if (!entries) throw RunnerError("parse kv seed json: " + src.string() + ": missing field `entries`");
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& e : entries->GetArray()) {
    auto k = e.IsObject() ? json::get_string(e, "key_b64") : std::nullopt;
    auto v = e.IsObject() ? json::get_string(e, "value_b64") : std::nullopt;
    if (!k || !v) throw RunnerError("parse kv seed json: " + src.string() + ": entries need key_b64 and value_b64");
    auto kd = base64::decode(*k), vd = base64::decode(*v);
    if (!kd) throw RunnerError("decode kv seed key_b64: " + *k);
    if (!vd) throw RunnerError("decode kv seed value_b64: " + *v);
    kv.emplace_back(std::move(*kd), std::move(*vd));
  }
  std::stable_sort(kv.begin(), kv.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "X7KV";
  out += '\x01';
  out += '\0';
  put_u32(out, kv.size());
  for (const auto& [k, v] : kv) {
    put_u32(out, k.size());
    out += k;
    put_u32(out, v.size());
    out += v;
  }
  std::string err;
  if (!fsutil::write_file_atomic(dst, out, &err)) throw RunnerError("write kv seed bin: " + dst.string() + ": " + err);
}

void set_mode_recursive(const fs::path& p, bool writable) {
  std::error_code ec;
  const bool dir = fs::is_directory(fs::symlink_status(p, ec));
  if (dir && writable) ::chmod(p.c_str(), 0755);  // first, so the entries can be reached
  if (dir)
    for (const auto& e : fs::directory_iterator(p, ec)) set_mode_recursive(e.path(), writable);
  if (dir && !writable) ::chmod(p.c_str(), 0555);
  if (!dir) ::chmod(p.c_str(), writable ? 0644 : 0444);
}

fs::path require_dir(const std::optional<std::string>& flag, const char* name, const std::string& world) {
  if (!flag) throw RunnerError(std::string("set --") + name + " for --world " + world);
  std::error_code ec;
  fs::path p = fs::absolute(*flag, ec);
  if (!fs::is_directory(p, ec)) throw RunnerError(std::string("--") + name + " must be a directory: " + *flag);
  return p;
}

}  // namespace

bool is_fixture_world(const std::string& w) {
  return w == "solve-fs" || w == "solve-rr" || w == "solve-kv" || w == "solve-full";
}

void check_fixture_flags(const Options& o) {
  const std::string& w = o.world;
  const bool fs_w = w == "solve-fs" || w == "solve-full", rr_w = w == "solve-rr" || w == "solve-full",
             kv_w = w == "solve-kv" || w == "solve-full";
  auto refuse = [&](const std::optional<std::string>& v, const char* name, bool allowed) {
    if (v && !allowed) throw RunnerError(std::string("--") + name + " is not used by --world " + w);
  };
  refuse(o.fixture_fs_dir, "fixture-fs-dir", fs_w);
  refuse(o.fixture_fs_root, "fixture-fs-root", fs_w);
  refuse(o.fixture_rr_dir, "fixture-rr-dir", rr_w);
  refuse(o.fixture_kv_dir, "fixture-kv-dir", kv_w);
  refuse(o.fixture_kv_seed, "fixture-kv-seed", kv_w);
  if (o.fixture_fs_latency_index)
    throw RunnerError("--fixture-fs-latency-index is not supported: fixture fs reads take no virtual time here");
  if (fs_w) require_dir(o.fixture_fs_dir, "fixture-fs-dir", w);
  if (rr_w) require_dir(o.fixture_rr_dir, "fixture-rr-dir", w);
  if (kv_w) require_dir(o.fixture_kv_dir, "fixture-kv-dir", w);
  if (o.policy) throw RunnerError("--policy is only valid for --world run-os-sandboxed");
}

FixtureRunDir::FixtureRunDir(const Options& o) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/x07-fixture-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw RunnerError("create temp dir under " + tmpl + ": " + fsutil::os_error_text(errno));
  dir_ = fs::canonical(tmpl);
  try {
    const std::string& w = o.world;
    if (w == "solve-fs" || w == "solve-full") {
      std::string root = o.fixture_fs_root.value_or("");
      ensure_safe_rel_path(root);
      const fs::path src = fs::absolute(*o.fixture_fs_dir) / root;
      std::error_code ec;
      if (!fs::is_directory(src, ec)) throw RunnerError("copy fixture dir: " + src.string() + ": not a directory");
      copy_dir_contents(src, dir_);
    }
    if (w == "solve-rr" || w == "solve-full") {
      fs::create_directory(dir_ / ".x07_rr");
      copy_dir_contents(fs::absolute(*o.fixture_rr_dir), dir_ / ".x07_rr");
    }
    if (w == "solve-kv" || w == "solve-full") {
      const fs::path kv = dir_ / ".x07_kv";
      fs::create_directory(kv);
      copy_dir_contents(fs::absolute(*o.fixture_kv_dir), kv);
      std::error_code ec;
      if (!fs::is_regular_file(kv / "seed.evkv", ec)) {
        if (!o.fixture_kv_seed) throw RunnerError("missing --fixture-kv-seed for " + w + " (seed.evkv not present)");
        ensure_safe_rel_path(*o.fixture_kv_seed);
        write_kv_seed(fs::absolute(*o.fixture_kv_dir) / *o.fixture_kv_seed, kv / "seed.evkv");
      }
    }
    set_mode_recursive(dir_, false);
  } catch (...) {
    set_mode_recursive(dir_, true);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

FixtureRunDir::~FixtureRunDir() {
  set_mode_recursive(dir_, true);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

policy::Policy fixture_sandbox_policy(const fs::path& run_dir, uint64_t cpu_time_limit_seconds,
                                      uint64_t max_memory_bytes) {
  policy::Policy p;
  p.schema_version = "x07.run-os-policy@0.1.0";
  p.policy_id = "fixture-world";
  p.limits.cpu_ms = cpu_time_limit_seconds * 1000;
  p.limits.wall_ms = (cpu_time_limit_seconds + 1) * 1000;
  // The heap arena (max_memory_bytes) plus room for code, stacks and the C library.
  p.limits.mem_bytes = std::max<uint64_t>(512ull << 20, max_memory_bytes + (256ull << 20));
  p.limits.fds = 64;
  p.limits.procs = 16;
  p.limits.core_dumps = false;
  p.fs.enabled = true;
  p.fs.read_roots = {run_dir.string()};
  p.net.enabled = false;
  p.process.enabled = false;
  p.language.allow_unsafe = false;
  p.language.allow_ffi = false;
  return p;
}

}  // namespace x07::runner
