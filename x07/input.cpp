#include "input.hpp"

#include <atomic>
#include <iostream>
#include <iterator>
#include <unistd.h>

#include "common/argv_v1.hpp"
#include "common/base64.hpp"
#include "common/fsutil.hpp"
#include "facade_error.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

std::string read_all_stdin() {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    else if (n == 0) break;
    else if (errno == EBADF) break;  // stdin closed: no input
    else if (errno != EINTR) throw Failure("read stdin: " + fsutil::os_error_text(errno));
  }
  return out;
}

}  // namespace

TempFiles::~TempFiles() {
  for (const auto& p : paths_) {
    std::error_code ec;
    fs::remove(p, ec);
  }
}

fs::path TempFiles::create(const std::string& prefix, const std::string& bytes) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  fs::path dir = fs::current_path() / "target";
  if (!fs::is_directory(dir, ec)) dir = fs::temp_directory_path(ec);
  fs::path p = dir / (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".bin");
  std::string err;
  if (!fsutil::write_file_atomic(p, bytes, &err, 0600)) throw Failure("write temp input: " + p.string() + ": " + err);
  paths_.push_back(p);
  return p;
}

std::optional<std::string> resolve_input(const InputSources& src, TempFiles& temps) {
  if (src.input_path) return *src.input_path;
  if (src.from_stdin) return temps.create("x07_run_input", read_all_stdin()).string();
  if (src.input_b64) {
    std::string why;
    auto bytes = base64::decode(trimmed_non_empty(src.input_b64).value_or(""), &why);
    if (!bytes) throw Failure("decode --input-b64: " + why);
    return temps.create("x07_run_input", *bytes).string();
  }
  if (!src.trailing.empty()) {
    std::string bytes;
    try {
      bytes = argv_v1::encode(src.trailing);
    } catch (const std::runtime_error& e) {
      throw Failure(e.what());
    }
    return temps.create("x07_run_argv_v1", bytes).string();
  }
  if (src.profile_input) {
    fs::path p = *src.profile_input;
    if (p.is_relative()) p = (src.project_root ? *src.project_root : fs::current_path()) / p;
    return p.string();
  }
  if (!::isatty(STDIN_FILENO)) {
    std::string bytes = read_all_stdin();
    if (!bytes.empty()) return temps.create("x07_run_input", bytes).string();
  }
  return std::nullopt;
}

}  // namespace x07::facade
