// The warm path's cache key: computed from the bytes of the entry file, the build
// context (options, toolchain identity, this runner binary) and a small manifest of the
// module files the front end looked up, so a cache hit never runs the front end.
//
// A manifest lives next to the native entry it points to (<entry>/src-<key>) and is
// reached through the symlink <cache>/src/<key>; an evicted entry leaves the link
// dangling, which reads as a miss.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace x07::runner {

struct SourceHit {
  std::string native_key;  // name of the native cache entry
  uint64_t c_source_size = 0;
  uint64_t fuel_used = 0;
};

// sha256 hex over `context` (everything but the sources) and the entry file's bytes;
// nullopt when the entry cannot be read (the front end then reports the error).
std::optional<std::string> source_key(const std::filesystem::path& entry, const std::string& context);

// The recorded result for `key`, if its manifest exists and every module file it lists
// is unchanged (same stat, or same content) and every module path that was absent still is.
std::optional<SourceHit> source_lookup(const std::filesystem::path& cache_dir, const std::string& key);

// Records a compile under `key` (best effort: the warm path is an optimisation).
void source_record(const std::filesystem::path& cache_dir, const std::string& key, const SourceHit& hit,
                   const std::vector<std::pair<std::string, bool>>& module_probes);

// Removes the links of the manifests stored in a native entry that is being evicted.
void source_unlink_manifests(const std::filesystem::path& cache_dir, const std::filesystem::path& entry_dir);

}  // namespace x07::runner
