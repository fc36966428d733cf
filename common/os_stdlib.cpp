#include "common/os_stdlib.hpp"

namespace x07::os_stdlib {

namespace fs = std::filesystem;

std::vector<fs::path> candidates(const fs::path& runner_dir) {
  std::vector<fs::path> out;
  if (runner_dir.empty()) return out;
  const fs::path rel = fs::path("stdlib") / "os" / "0.2.0" / "modules";
  out.push_back(runner_dir / rel);
  out.push_back(runner_dir / ".." / rel);
  out.push_back(runner_dir / ".." / "share" / "x07" / rel);  // install tree, and the build tree mirrors it
  return out;
}

std::optional<fs::path> locate(const fs::path& runner_dir) {
  for (const auto& c : candidates(runner_dir)) {
    std::error_code ec;
    if (fs::is_directory(c, ec)) return c;
  }
  return std::nullopt;
}

}  // namespace x07::os_stdlib
