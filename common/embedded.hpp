// A file compiled into a binary at build time (see cmake/EmbedFiles.cmake).
#pragma once
#include <cstddef>
#include <string_view>

namespace x07 {
struct EmbeddedFile {
  std::string_view path;  // relative to the embedded tree's base directory
  std::string_view data;
};
}  // namespace x07
