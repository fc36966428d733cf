#include "toolchain.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/sha256.hpp"
#include "subprocess.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r\f\v") - b + 1);
}

// PATH lookup like execvp; returns "" when not found.
std::string resolve_program(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string cand = (dir.empty() ? "." : dir) + "/" + prog;
    if (access(cand.c_str(), X_OK) == 0) return cand;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

}  // namespace

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Toolchain detect_toolchain(const fs::path& cache_dir) {
  Toolchain t;
  const char* cc = std::getenv("X07_CC");
  t.cc = (cc && *cc) ? trim(cc) : "cc";
  if (t.cc.empty()) t.cc = "cc";
  const char* args = std::getenv("X07_CC_ARGS");
  t.cc_args_raw = args ? trim(args) : "";
  t.cc_args = split_ws(t.cc_args_raw);

  // The identity of the resolved binary (symlinks followed: `cc` -> gcc-12 ...).
  std::string resolved = resolve_program(t.cc);
  struct stat st {};
  std::string memo_key;
  if (!resolved.empty() && stat(resolved.c_str(), &st) == 0) {
    memo_key = Sha256::hex(resolved + "\n" + std::to_string(st.st_mtim.tv_sec) + "." +
                           std::to_string(st.st_mtim.tv_nsec) + "\n" + std::to_string(st.st_size) + "\n" +
                           std::to_string(st.st_ino));
    fs::path memo = cache_dir / "meta" / ("cc-" + memo_key);
    if (fsutil::read_file(memo, t.identity)) return t;
  }
  ToolResult r = run_tool({t.cc, "--version"});
  t.identity = r.started ? r.out + r.err : "unavailable: " + t.cc;
  if (r.started && r.exit_code == 0 && !memo_key.empty()) {
    fsutil::create_dirs(cache_dir / "meta");
    fsutil::write_file_atomic(cache_dir / "meta" / ("cc-" + memo_key), t.identity);
  }
  return t;
}

}  // namespace x07::runner
