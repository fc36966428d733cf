#include "stdlib_locate.hpp"

#include <string>

#include "common/fsutil.hpp"
#include "common/os_stdlib.hpp"
#include "runner_error.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

fs::path locate_os_stdlib() {
  const fs::path exe_dir = fsutil::self_exe().parent_path();
  if (auto root = os_stdlib::locate(exe_dir)) return *root;
  const auto candidates = os_stdlib::candidates(exe_dir);
  std::string msg = "could not locate stdlib/os module root (expected stdlib/os/0.2.0/modules)\n\nlooked for:\n";
  for (const auto& c : candidates) msg += "  - " + c.string() + "\n";
  msg +=
      "\nfix:\n  - install an official toolchain archive (it must include stdlib/os/0.2.0/modules), or\n"
      "  - run the tool from the x07 repo root";
  throw RunnerError(msg);
}

}  // namespace x07::runner
