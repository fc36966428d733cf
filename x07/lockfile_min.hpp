// The lockfile of a dependency-free project (facade.md §5.2 item 2), written by
// `x07 init` and by `x07 run`'s hydration step (§1.4) when no lockfile exists.
#pragma once
#include <filesystem>
#include <string>

namespace x07::facade {

// Pretty JSON + "\n" in the fixed key order; `compat` = manifest compat or "current".
std::string minimal_lockfile(const std::string& compat);

// `x07 run` hydration for project targets: if the manifest parses, declares no
// dependencies and its lockfile is missing, writes the minimal lockfile and prints the
// "hydrated" note on stderr. Any other state is left alone (the runner reports it).
void hydrate_lockfile_if_missing(const std::filesystem::path& manifest);

}  // namespace x07::facade
