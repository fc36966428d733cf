#include "native_cache.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "cache_index.hpp"
#include "common/embedded.hpp"
#include "common/fsutil.hpp"
#include "common/sha256.hpp"
#include "subprocess.hpp"
#include "progress_note.hpp"

extern const x07::EmbeddedFile x07_runtime_files[];
extern const std::size_t x07_runtime_files_count;

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

bool is_c_source(std::string_view p) { return p.size() > 2 && p.substr(p.size() - 2) == ".c"; }

std::string base_name(std::string_view p) {
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

}  // namespace

fs::path native_cache_dir() {
  if (const char* d = std::getenv("X07_NATIVE_CACHE_DIR"); d && *d) return fs::path(d);
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "x07" / "native";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "x07" / "native";
  return fs::temp_directory_path() / "x07-native-cache";
}

uint64_t native_cache_max_bytes() {
  if (const char* v = std::getenv("X07_NATIVE_CACHE_MAX_BYTES"); v && *v) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (end && *end == '\0' && n > 0) return n;
  }
  return 1ULL << 30;
}

std::string runner_binary_identity() {
  // Asked by the runtime library memo and the seccomp filter cache: stat once.
  static const std::string identity = [] {
    struct stat st {};
    if (stat("/proc/self/exe", &st) != 0) return std::string();
    return std::to_string(st.st_dev) + "-" + std::to_string(st.st_ino) + "-" + std::to_string(st.st_size) + "-" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }();
  return identity;
}

std::string runtime_content_hash(const fs::path& cache_dir) {
  // Memo keyed by this runner binary's identity: the embedded sources change only with it.
  std::string memo_file;
  if (std::string self = runner_binary_identity(); !self.empty()) {
    memo_file = "rt-" + self;
    std::string cached;
    if (fsutil::read_file(cache_dir / "meta" / memo_file, cached) && cached.size() == 64) return cached;
  }
  Sha256 h;
  h.update("x07-runtime-v1");
  for (size_t i = 0; i < x07_runtime_files_count; ++i) {
    const auto& f = x07_runtime_files[i];
    h.update(std::string_view("\0", 1));
    h.update(f.path);
    h.update(std::string_view("\0", 1));
    h.update(std::to_string(f.data.size()));
    h.update(std::string_view("\0", 1));
    h.update(f.data);
  }
  std::string hex = h.finish_hex();
  if (!memo_file.empty() && fsutil::create_dirs(cache_dir / "meta"))
    fsutil::write_file_atomic(cache_dir / "meta" / memo_file, hex);
  return hex;
}

std::vector<std::string> base_c_flags() {
  return {"-std=c11", "-O2", "-fno-builtin", "-ffp-contract=off", "-D_GNU_SOURCE", "-D_DEFAULT_SOURCE"};
}

RuntimeLib ensure_runtime(const fs::path& cache_dir, const Toolchain& tc, const std::string& rt_hash,
                          bool debug_borrow) {
  std::vector<std::string> flags = base_c_flags();
  for (const char* f : {"-DX07_ENABLE_FS=1", "-DX07_ENABLE_RR=1", "-DX07_ENABLE_KV=0", "-ffunction-sections",
                        "-fdata-sections"})
    flags.emplace_back(f);
  RuntimeLib lib;
  bool needs_seccomp = false, needs_sqlite = false, borrow_aware = false;
  for (size_t i = 0; i < x07_runtime_files_count; ++i) {
    if (x07_runtime_files[i].data.find("<seccomp.h>") != std::string_view::npos) needs_seccomp = true;
    if (x07_runtime_files[i].data.find("<sqlite3.h>") != std::string_view::npos) needs_sqlite = true;
    if (x07_runtime_files[i].data.find("X07_DEBUG_BORROW") != std::string_view::npos) borrow_aware = true;
  }
  // A separate library variant only when the runtime itself reacts to the flag.
  if (debug_borrow && borrow_aware) flags.emplace_back("-DX07_DEBUG_BORROW=1");
  if (needs_seccomp) lib.link_libs.push_back("-lseccomp");
  lib.link_libs.push_back("-lm");
  // Only programs that call os.db.sqlite.* reference libsqlite3: others get no DT_NEEDED.
  if (needs_sqlite) {
    for (const char* f : {"-Wl,--push-state,--as-needed", "-lsqlite3", "-Wl,--pop-state"}) lib.link_libs.emplace_back(f);
  }

  Sha256 key;
  const std::string_view nul("\0", 1);
  for (std::string_view part : {std::string_view("x07-rtlib-v1"), std::string_view(rt_hash),
                                std::string_view(tc.cc), std::string_view(tc.identity)}) {
    key.update(part);
    key.update(nul);
  }
  for (const auto& f : flags) {
    key.update(f);
    key.update(nul);
  }
  const std::string key_hex = key.finish_hex();
  // Built with the toolchain at build/install time (lib/x07/rt next to bin/): read-only,
  // never evicted, and a new user's first run skips building the library.
  std::error_code ec;
  if (const fs::path& exe = fsutil::self_exe(); !exe.empty()) {
    RuntimeLib pre = lib;
    pre.dir = exe.parent_path().parent_path() / "lib" / "x07" / "rt" / key_hex;
    if (access(pre.archive().c_str(), R_OK) == 0 && access(pre.main_object().c_str(), R_OK) == 0) return pre;
  }
  lib.dir = cache_dir / "rt" / key_hex;
  if (access(lib.archive().c_str(), R_OK) == 0) {
    cache_touch(lib.archive());
    return lib;
  }

  // One builder at a time per library (others wait, then reuse its result); the
  // lock is advisory and released by the kernel if the builder dies.
  std::string err;
  if (!fsutil::create_dirs(cache_dir / "rt", &err))
    throw CcFailure{1, {}, "", "create " + (cache_dir / "rt").string() + ": " + err, "", ""};
  const fs::path lock_path = cache_dir / "rt" / (lib.dir.filename().string().insert(0, ".") + ".lock");
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  struct LockGuard {
    int fd;
    ~LockGuard() {
      if (fd >= 0) ::close(fd);
    }
  } guard{lock_fd};
  if (lock_fd >= 0) {
    while (flock(lock_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
    if (access(lib.archive().c_str(), R_OK) == 0) return lib;  // built while we waited
  }

  ProgressNote note("compiling runtime library (first run)");
  // Build in a private temp dir, then publish it with one rename.
  fs::path tmp = cache_dir / "rt" / fsutil::unique_name(".tmp-");
  if (!fsutil::create_dirs(tmp, &err)) throw CcFailure{1, {}, "", "create " + tmp.string() + ": " + err, "", ""};
  std::vector<std::vector<std::string>> jobs;
  std::vector<std::string> objects;
  for (size_t i = 0; i < x07_runtime_files_count; ++i) {
    const auto& f = x07_runtime_files[i];
    fs::path dst = tmp / std::string(f.path);
    fsutil::create_dirs(dst.parent_path());
    if (!fsutil::write_file_atomic(dst, f.data, &err))
      throw CcFailure{1, {}, "", "write " + dst.string() + ": " + err, "", ""};
  }
  for (size_t i = 0; i < x07_runtime_files_count; ++i) {
    std::string path(x07_runtime_files[i].path);
    if (!is_c_source(path)) continue;
    std::string name = base_name(path);
    bool is_main = name.rfind("main_", 0) == 0;
    if (is_main && name != "main_framed.c") continue;
    std::string obj = (tmp / (is_main ? name.substr(0, name.size() - 2) : std::to_string(i) + "_" +
                                                                               name.substr(0, name.size() - 2)))
                          .string() +
                      ".o";
    std::vector<std::string> argv{tc.cc};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"-I" + (tmp / "runtime").string(), "-I" + (tmp / "sandbox").string(), "-c",
                             (tmp / path).string(), "-o", obj});
    jobs.push_back(argv);
    if (!is_main) objects.push_back(obj);
  }
  unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  auto results = run_tools_parallel(jobs, ncpu);
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].started || results[i].exit_code != 0) {
      CcFailure f{results[i].started ? results[i].exit_code : 1, jobs[i], results[i].out, results[i].err,
                  jobs[i][jobs[i].size() - 3], jobs[i].back()};
      if (!results[i].started) f.err = tc.cc + ": " + fsutil::os_error_text(results[i].spawn_errno);
      fs::remove_all(tmp);
      throw f;
    }
  }
  std::vector<std::string> ar{"ar", "rcs", (tmp / "libx07rt.a").string()};
  ar.insert(ar.end(), objects.begin(), objects.end());
  ToolResult r = run_tool(ar);
  if (!r.started || r.exit_code != 0) {
    fs::remove_all(tmp);
    throw CcFailure{r.started ? r.exit_code : 1, ar, r.out,
                    r.started ? r.err : "ar: " + fsutil::os_error_text(r.spawn_errno), "", ""};
  }
  for (const auto& o : objects) ::unlink(o.c_str());
  fs::rename(tmp, lib.dir, ec);
  if (ec) fs::remove_all(tmp, ec);  // another process published the same library first
  if (access(lib.archive().c_str(), R_OK) != 0)
    throw CcFailure{1, {}, "", "runtime library missing after build: " + lib.archive().string(), "", ""};
  cache_index_add(cache_dir, "rt/" + lib.dir.filename().string());
  return lib;
}

}  // namespace x07::runner
