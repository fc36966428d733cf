#include "runner_locate.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/fsutil.hpp"
#include "common/os_stdlib.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

fs::path self_exe_dir() {
  const fs::path& exe = fsutil::self_exe();
  if (exe.empty()) return fs::current_path();
  return exe.parent_path();
}

fs::path locate_runner() {
  std::error_code ec;
  fs::path dir = self_exe_dir();
  if (fs::is_regular_file(dir / "x07-os-runner", ec)) return dir / "x07-os-runner";
  if (dir.filename() == "deps" && fs::is_regular_file(dir.parent_path() / "x07-os-runner", ec))
    return dir.parent_path() / "x07-os-runner";
  return "x07-os-runner";
}

namespace {

// Resolves a bare program name through PATH (for the runner's own directory).
std::optional<fs::path> which(const fs::path& name) {
  if (name.has_parent_path()) return name;
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::error_code ec;
    fs::path cand = fs::path(dir.empty() ? "." : dir) / name;
    if (fs::is_regular_file(cand, ec)) return cand;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<fs::path> locate_os_stdlib_root(const fs::path& runner) {
  fs::path dir;
  if (auto r = which(runner)) {
    std::error_code ec;
    dir = fs::weakly_canonical(*r, ec).parent_path();
    if (ec) dir = r->parent_path();
  }
  return os_stdlib::locate(dir);
}

void append_os_stdlib_root(std::vector<std::string>& roots, const fs::path& runner) {
  auto os_root = locate_os_stdlib_root(runner);
  if (os_root && std::find(roots.begin(), roots.end(), os_root->string()) == roots.end())
    roots.push_back(os_root->string());
}

}  // namespace x07::facade
