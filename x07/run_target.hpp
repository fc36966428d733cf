// Target selection for `x07 run` / `x07 bundle` (facade.md §1.2, §1.3, §6.2 step 1).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace x07::facade {

enum class TargetKind { Project, Program, Artifact };

struct Target {
  TargetKind kind = TargetKind::Project;
  std::filesystem::path path;                     // as used (forwarded to the runner)
  std::optional<std::filesystem::path> manifest;  // given or discovered x07.json
};

const char* kind_name(TargetKind k);

// Walks up from `start` looking for `x07.json` (or exactly one `*.x07project.json`).
// A relative start only ascends through its own components (never above the cwd).
std::optional<std::filesystem::path> discover_manifest(const std::filesystem::path& start);
// discover_manifest from the directory of a --program file ("." for a bare file name).
std::optional<std::filesystem::path> discover_program_manifest(const std::filesystem::path& program);

// `x07 run`: at most one of the three options; a --project directory gets /x07.json.
Target select_run_target(const std::optional<std::string>& project, const std::optional<std::string>& program,
                         const std::optional<std::string>& artifact);

// Absolute directory of a manifest path (the project root).
std::filesystem::path project_root_of(const std::filesystem::path& manifest);

}  // namespace x07::facade
