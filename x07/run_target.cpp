#include "run_target.hpp"

#include <dirent.h>
#include <string_view>
#include <sys/stat.h>
#include <system_error>

#include "facade_error.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

const char* kind_name(TargetKind k) {
  switch (k) {
    case TargetKind::Project: return "project";
    case TargetKind::Program: return "program";
    case TargetKind::Artifact: return "artifact";
  }
  return "project";
}

namespace {

std::optional<fs::path> manifest_in(const fs::path& dir) {
  std::error_code ec;
  fs::path direct = dir / "x07.json";
  if (dir.empty()) direct = "x07.json";
  if (fs::is_regular_file(direct, ec)) return direct;
  // Else exactly one regular file (symlinks followed) named *.x07project.json. Plain
  // readdir: this runs on every `x07 run`, in directories of any size.
  const fs::path listed = dir.empty() ? fs::path(".") : dir;
  DIR* d = ::opendir(listed.c_str());
  if (!d) return std::nullopt;
  static constexpr std::string_view kSuffix = ".x07project.json";
  std::optional<fs::path> found;
  int count = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.size() < kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) continue;
    bool regular = e->d_type == DT_REG;
    if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
      struct stat st {};
      regular = ::stat((listed / std::string(name)).c_str(), &st) == 0 && S_ISREG(st.st_mode);
    }
    if (!regular) continue;
    ++count;
    found = dir.empty() ? fs::path(std::string(name)) : dir / std::string(name);
  }
  ::closedir(d);
  if (count == 1) return found;
  return std::nullopt;
}

}  // namespace

std::optional<fs::path> discover_manifest(const fs::path& start) {
  fs::path dir = start;
  while (true) {
    if (auto m = manifest_in(dir)) return m;
    if (dir.empty() || dir == ".") return std::nullopt;  // "." and its parent_path() "" are the same directory
    fs::path parent = dir.parent_path();
    if (parent == dir) return std::nullopt;  // reached "/"
    dir = parent;
  }
}

std::optional<fs::path> discover_program_manifest(const fs::path& program) {
  fs::path parent = program.parent_path();
  return discover_manifest(parent.empty() ? fs::path(".") : parent);
}

Target select_run_target(const std::optional<std::string>& project, const std::optional<std::string>& program,
                         const std::optional<std::string>& artifact) {
  int n = (project ? 1 : 0) + (program ? 1 : 0) + (artifact ? 1 : 0);
  if (n > 1) throw Failure("set exactly one of --project, --program, or --artifact");
  Target t;
  std::error_code ec;
  if (project) {
    t.kind = TargetKind::Project;
    t.path = *project;
    if (fs::is_directory(t.path, ec)) t.path /= "x07.json";
    t.manifest = t.path;
  } else if (program) {
    t.kind = TargetKind::Program;
    t.path = *program;
    t.manifest = discover_program_manifest(t.path);
  } else if (artifact) {
    t.kind = TargetKind::Artifact;
    t.path = *artifact;
  } else {
    auto m = discover_manifest(fs::current_path());
    if (!m) throw Failure("no project found (pass --project, --program, or --artifact)", 2,
                  "create one here with `x07 init`, or pass --project DIR / --program FILE.x07.json", "X07PROJECT_MISSING");
    t.kind = TargetKind::Project;
    t.path = *m;
    t.manifest = m;
  }
  return t;
}

fs::path project_root_of(const fs::path& manifest) {
  fs::path dir = fs::absolute(manifest).parent_path().lexically_normal();
  std::string s = dir.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace x07::facade
