// Program input for `x07 run` (facade.md §1.7): explicit file, stdin, base64, argv_v1
// from trailing args, profile input, or piped stdin — first match wins. Bytes that do
// not come from a file go to a temp file that lives as long as the TempFiles object.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace x07::facade {

// Owns the temp files of one invocation; removes them on destruction (also on error).
class TempFiles {
 public:
  TempFiles() = default;
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  ~TempFiles();
  // Writes `<dir>/<prefix>_<pid>_<n>.bin` (dir = <cwd>/target if it exists, else the
  // system temp dir) and returns its path.
  std::filesystem::path create(const std::string& prefix, const std::string& bytes);

 private:
  std::vector<std::filesystem::path> paths_;
};

struct InputSources {
  std::optional<std::string> input_path;  // --input
  bool from_stdin = false;                // --stdin
  std::optional<std::string> input_b64;   // --input-b64
  std::vector<std::string> trailing;      // after `--`
  std::optional<std::string> profile_input;
  std::optional<std::filesystem::path> project_root;  // for a relative profile input
};

// The path to forward as `--input`, or nullopt for "no input".
std::optional<std::string> resolve_input(const InputSources& src, TempFiles& temps);

}  // namespace x07::facade
