// libFuzzer harness for the parsers that read untrusted JSON: the run-os policy,
// the project manifest and lockfile, and x07AST programs (through the compiler).
// The first input byte picks the parser; the rest is the file's text. Every bad
// input must end in a documented error (returned or thrown as the documented type),
// never a crash, a sanitizer report or another exception.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "common/policy.hpp"
#include "common/project.hpp"
#include "compiler/compiler.hpp"

namespace {

std::filesystem::path scratch_file(const char* name, std::string_view text) {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("x07fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  auto p = dir / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(text.size()));
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      std::string err;
      if (auto p = x07::policy::parse(text, &err)) {
        (void)x07::policy::validate_basic(*p);
        (void)x07::policy::env_vars(*p);
      }
      break;
    }
    case 1:
      try {
        (void)x07::project::load_manifest(scratch_file("x07.json", text));
      } catch (const x07::project::Error&) {
      }
      break;
    case 2:
      try {
        (void)x07::project::load_lockfile(scratch_file("x07.lock.json", text));
      } catch (const x07::project::Error&) {
      }
      break;
    default:
      (void)x07c::compile_entry_file(scratch_file("main.x07.json", text), x07c::CompileOptions{});
      break;
  }
  return 0;
}
