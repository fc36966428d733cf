#include "source_key.hpp"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/sha256.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMagic = "x07-src-manifest-v1";
// A file modified this close to the manifest write may change again within the same
// mtime tick: its stat alone is not trusted, its content is hashed on every lookup.
constexpr int64_t kRacyNs = 2'000'000'000;

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> file_sha(const std::string& path) {
  std::string bytes;
  if (!fsutil::read_file(path, bytes)) return std::nullopt;
  return Sha256::hex(bytes);
}

bool is_regular(const std::string& path, struct stat* st) {
  return ::stat(path.c_str(), st) == 0 && S_ISREG(st->st_mode);
}

fs::path link_path(const fs::path& cache_dir, const std::string& key) { return cache_dir / "src" / key; }

}  // namespace

std::optional<std::string> source_key(const fs::path& entry, const std::string& context) {
  std::string bytes;
  if (!fsutil::read_file(entry, bytes)) return std::nullopt;
  Sha256 h;
  h.update("x07-src-key-v1");
  h.update(std::string_view("\0", 1));
  h.update(context);
  h.update(std::string_view("\0", 1));
  h.update(entry.string());
  h.update(std::string_view("\0", 1));
  h.update(bytes);
  return h.finish_hex();
}

std::optional<SourceHit> source_lookup(const fs::path& cache_dir, const std::string& key) {
  std::string text;
  if (!fsutil::read_file(link_path(cache_dir, key), text)) return std::nullopt;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) return std::nullopt;
  SourceHit hit;
  int64_t written = 0;
  bool have_native = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "native") {
      ls >> hit.native_key;
      have_native = !hit.native_key.empty();
    } else if (tag == "c_source_size") {
      ls >> hit.c_source_size;
    } else if (tag == "fuel_used") {
      ls >> hit.fuel_used;
    } else if (tag == "written_ns") {
      ls >> written;
    } else if (tag == "A") {
      struct stat st {};
      if (line.size() < 3 || is_regular(line.substr(2), &st)) return std::nullopt;
    } else if (tag == "F") {
      uint64_t dev = 0, ino = 0, size = 0;
      int64_t mt = 0;
      std::string sha;
      ls >> dev >> ino >> size >> mt >> sha;
      if (!ls) return std::nullopt;
      ls.get();  // the single space before the path
      std::string path;
      std::getline(ls, path);
      struct stat st {};
      if (path.empty() || !is_regular(path, &st)) return std::nullopt;
      bool same_stat = st.st_dev == dev && st.st_ino == ino && static_cast<uint64_t>(st.st_size) == size &&
                       mtime_ns(st) == mt && mt < written - kRacyNs;
      if (!same_stat && file_sha(path) != sha) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (!have_native) return std::nullopt;
  return hit;
}

void source_record(const fs::path& cache_dir, const std::string& key, const SourceHit& hit,
                   const std::vector<std::pair<std::string, bool>>& module_probes) {
  std::string m = std::string(kMagic) + "\n";
  m += "native " + hit.native_key + "\n";
  m += "c_source_size " + std::to_string(hit.c_source_size) + "\n";
  m += "fuel_used " + std::to_string(hit.fuel_used) + "\n";
  m += "written_ns " + std::to_string(now_ns()) + "\n";
  for (const auto& [path, found] : module_probes) {
    if (path.empty() || path.find('\n') != std::string::npos) return;  // not representable: no warm path
    if (!found) {
      m += "A " + path + "\n";
      continue;
    }
    struct stat st {};
    if (!is_regular(path, &st)) return;
    auto sha = file_sha(path);
    if (!sha) return;
    m += "F " + std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(mtime_ns(st)) + " " + *sha + " " + path + "\n";
  }
  const fs::path manifest = cache_dir / hit.native_key / ("src-" + key);
  if (!fsutil::write_file_atomic(manifest, m)) return;
  if (!fsutil::create_dirs(cache_dir / "src")) return;
  // Publish the link atomically (a concurrent reader sees the old link or the new one).
  const fs::path link = link_path(cache_dir, key);
  const fs::path tmp = cache_dir / "src" / fsutil::unique_name(".tmp-");
  const std::string target = "../" + hit.native_key + "/src-" + key;
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return;
  if (::rename(tmp.c_str(), link.c_str()) != 0) ::unlink(tmp.c_str());
}

void source_unlink_manifests(const fs::path& cache_dir, const fs::path& entry_dir) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(entry_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind("src-", 0) == 0) ::unlink(link_path(cache_dir, name.substr(4)).c_str());
  }
}

}  // namespace x07::runner
