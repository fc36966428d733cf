#include "lazy_manifest.hpp"

#include "facade_error.hpp"

namespace x07::facade {

const project::Manifest& LazyManifest::get() {
  if (!loaded_) {
    try {
      loaded_ = project::load_manifest(*path_);
    } catch (const std::exception& e) {
      throw Failure(e.what());
    }
  }
  return *loaded_;
}

std::optional<std::string> LazyManifest::compat() {
  if (!path_) return std::nullopt;
  try {
    return get().compat;
  } catch (const Failure&) {
    return std::nullopt;
  }
}

}  // namespace x07::facade
