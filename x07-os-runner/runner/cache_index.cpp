#include "cache_index.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/fsutil.hpp"
#include "native_cache.hpp"
#include "source_key.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kSecondNs = 1000000000LL;
constexpr int64_t kStaleNs = 3600 * kSecondNs;  // temporaries older than this belong to dead runs

struct Entry {
  std::string name;
  uint64_t size = 0;
  int64_t used_ns = 0;  // marker mtime, filled in when evicting
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * kSecondNs + st.st_mtim.tv_nsec;
}

bool is_rt(const std::string& name) { return name.rfind("rt/", 0) == 0; }

fs::path marker_of(const fs::path& cache_dir, const std::string& name) {
  return cache_dir / name / (is_rt(name) ? "libx07rt.a" : "solver");
}

// Bytes of the regular files under one entry (a symlinked entry is followed).
uint64_t entry_size(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

bool is_key_name(const std::string& n) { return !n.empty() && n[0] != '.' && n != "meta" && n != "rt" && n != "src"; }

bool read_index(const fs::path& path, std::vector<Entry>& out) {
  std::string text;
  if (!fsutil::read_file(path, text)) return false;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "x07-cache-index-v1") return false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    Entry e;
    if (ls >> e.name >> e.size) out.push_back(e);
  }
  return true;
}

void write_index(const fs::path& path, const std::vector<Entry>& entries) {
  std::string text = "x07-cache-index-v1\n";
  for (const auto& e : entries) text += e.name + " " + std::to_string(e.size) + "\n";
  fsutil::write_file_atomic(path, text);
}

// The index rebuilt from the directory (first use, or an index lost or damaged).
std::vector<Entry> scan(const fs::path& cache_dir) {
  std::vector<Entry> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(cache_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_key_name(name) && fs::exists(marker_of(cache_dir, name), ec)) out.push_back({name, entry_size(it->path())});
  }
  ec.clear();
  for (auto it = fs::directory_iterator(cache_dir / "rt", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = "rt/" + it->path().filename().string();
    if (it->path().filename().string()[0] != '.' && fs::exists(marker_of(cache_dir, name), ec))
      out.push_back({name, entry_size(it->path())});
  }
  return out;
}

// Leftovers of runs that died mid-build or mid-eviction; at most once an hour, since it
// visits every entry.
void upkeep(const fs::path& cache_dir) {
  const fs::path stamp = cache_dir / "meta" / "upkeep";
  const int64_t now = now_ns();
  int64_t last = mtime_ns(stamp);
  if (last >= 0 && last > now - kStaleNs) return;
  if (!fsutil::create_dirs(cache_dir / "meta") || !fsutil::write_file_atomic(stamp, "")) return;
  auto stale = [&](const fs::path& p) { return mtime_ns(p) < now - kStaleNs; };
  std::error_code ec;
  for (auto it = fs::directory_iterator(cache_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code ec2;
    if (name.rfind(".evict-", 0) == 0) {
      fs::remove_all(it->path(), ec2);
    } else if (name.rfind("solver_", 0) == 0 && stale(it->path())) {  // a build's temporaries (build.cpp)
      fs::remove(it->path(), ec2);
    } else if (is_key_name(name) && it->is_directory(ec2)) {
      for (auto f = fs::directory_iterator(it->path(), ec2); !ec2 && f != fs::directory_iterator(); f.increment(ec2)) {
        if (f->path().filename().string().rfind("solver_", 0) == 0 && stale(f->path())) fs::remove(f->path(), ec2);
      }
    }
  }
  ec.clear();
  for (auto it = fs::directory_iterator(cache_dir / "rt", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code ec2;
    if (it->path().filename().string().rfind(".tmp-", 0) == 0 && stale(it->path())) fs::remove_all(it->path(), ec2);
  }
}

// Removes an entry unless it is in use. The directory is renamed away first, so a reader
// that opened the marker before sees it gone once it gets its lock (EntryLock::acquire).
bool evict(const fs::path& cache_dir, const std::string& name) {
  const fs::path marker = marker_of(cache_dir, name);
  int fd = ::open(marker.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;  // already gone
  bool done = false;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    const fs::path trash = cache_dir / fsutil::unique_name(".evict-");
    if (::rename((cache_dir / name).c_str(), trash.c_str()) == 0) {
      if (!is_rt(name)) source_unlink_manifests(cache_dir, trash);
      std::error_code ec;
      fs::remove_all(trash, ec);
      done = true;
    }
  }
  ::close(fd);
  return done;
}

}  // namespace

EntryLock& EntryLock::operator=(EntryLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

EntryLock::~EntryLock() {
  if (fd_ >= 0) ::close(fd_);
}

EntryLock EntryLock::acquire(const fs::path& marker) {
  EntryLock l;
  int fd = ::open(marker.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return l;
  int r;
  while ((r = flock(fd, LOCK_SH)) != 0 && errno == EINTR) {
  }
  struct stat by_fd {}, by_path {};
  if (r != 0 || ::fstat(fd, &by_fd) != 0 || ::stat(marker.c_str(), &by_path) != 0 || by_fd.st_ino != by_path.st_ino ||
      by_fd.st_dev != by_path.st_dev) {
    ::close(fd);
    return l;
  }
  l.fd_ = fd;
  return l;
}

void cache_touch(const fs::path& marker) {
  int64_t m = mtime_ns(marker);
  if (m >= 0 && m < now_ns() - 60 * kSecondNs) utimensat(AT_FDCWD, marker.c_str(), nullptr, 0);
}

void cache_index_add(const fs::path& cache_dir, const std::string& name) {
  int lock_fd = ::open((cache_dir / "index.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return;
  while (flock(lock_fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  const fs::path index = cache_dir / "index";
  std::vector<Entry> entries;
  if (!read_index(index, entries)) entries = scan(cache_dir);
  upkeep(cache_dir);

  uint64_t size = entry_size(cache_dir / name);
  auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.name == name; });
  if (it == entries.end()) entries.push_back({name, size});
  else it->size = size;

  uint64_t total = 0;
  for (const auto& e : entries) total += e.size;
  const uint64_t cap = native_cache_max_bytes();
  if (total > cap) {
    std::vector<Entry> kept;
    std::vector<Entry> candidates;
    for (auto& e : entries) {
      e.used_ns = mtime_ns(marker_of(cache_dir, e.name));
      if (e.used_ns < 0) {
        total -= std::min(total, e.size);  // removed behind our back
        continue;
      }
      (e.name == name ? kept : candidates).push_back(e);
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Entry& a, const Entry& b) { return a.used_ns < b.used_ns; });
    for (const auto& e : candidates) {
      if (total > cap && evict(cache_dir, e.name)) {
        total -= std::min(total, e.size);
        continue;
      }
      kept.push_back(e);
    }
    entries = std::move(kept);
  }
  write_index(index, entries);
  ::close(lock_fd);
}

}  // namespace x07::runner
