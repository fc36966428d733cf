// The native cache's size index and entry locks.
//
// <cache>/index lists every entry ("<name> <bytes>" per line; names are "<key>" for a
// program and "rt/<key>" for a runtime library) and is only read and rewritten under
// the exclusive flock of <cache>/index.lock, so the cap holds however many runners
// insert at once, and no insert walks the cache. An entry in use is protected by a
// shared flock on its marker file (the program's `solver`, the library's archive):
// eviction takes the exclusive lock without waiting and skips entries it cannot get.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace x07::runner {

// A shared lock on a cache entry's marker file, held until destroyed.
class EntryLock {
 public:
  EntryLock() = default;
  EntryLock(EntryLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  EntryLock& operator=(EntryLock&& o) noexcept;
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;
  ~EntryLock();
  bool held() const { return fd_ >= 0; }

  // Locks `marker` shared; not held when the marker is missing or was evicted meanwhile.
  static EntryLock acquire(const std::filesystem::path& marker);

 private:
  int fd_ = -1;
};

// Adds (or re-sizes) entry `name` (relative to `cache_dir`) and evicts least recently
// used entries not in use until the cache fits native_cache_max_bytes(). `name` itself
// is never evicted by this call.
void cache_index_add(const std::filesystem::path& cache_dir, const std::string& name);

// Marks an entry as recently used (mtime of its marker = now), at most once a minute.
void cache_touch(const std::filesystem::path& marker);

}  // namespace x07::runner
