#include "stdlib_locate.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include "runner_error.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

fs::path locate_os_stdlib() {
  const fs::path rel = fs::path("stdlib") / "os" / "0.2.0" / "modules";
  std::vector<fs::path> candidates{rel};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    candidates.push_back(dir / rel);
    candidates.push_back(dir / ".." / rel);
    candidates.push_back(dir / ".." / "share" / "x07" / rel);
  }
  candidates.push_back(fs::path(X07_SOURCE_ROOT) / "x07-os-runner" / rel);
  for (const auto& c : candidates) {
    if (fs::is_directory(c, ec)) return c;
  }
  std::string msg = "could not locate stdlib/os module root (expected stdlib/os/0.2.0/modules)\n\nlooked for:\n";
  for (const auto& c : candidates) msg += "  - " + c.string() + "\n";
  msg +=
      "\nfix:\n  - install an official toolchain archive (it must include stdlib/os/0.2.0/modules), or\n"
      "  - run the tool from the x07 repo root";
  throw RunnerError(msg);
}

}  // namespace x07::runner
