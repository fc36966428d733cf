// The project manifest of a `x07 run` / `x07 bundle` target, loaded only when a step
// needs it (world fallback, compat, report fields) and then only once.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "common/project.hpp"

namespace x07::facade {

class LazyManifest {
 public:
  explicit LazyManifest(std::optional<std::filesystem::path> path) : path_(std::move(path)) {}

  // The manifest; throws Failure with the loader's message when it does not load.
  // Requires a path (the target has a manifest).
  const project::Manifest& get();

  // The manifest's compat; nullopt without a manifest, without compat, or when the
  // manifest does not load (a broken manifest is the runner's to report).
  std::optional<std::string> compat();

 private:
  std::optional<std::filesystem::path> path_;
  std::optional<project::Manifest> loaded_;
};

}  // namespace x07::facade
