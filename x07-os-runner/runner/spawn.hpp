// Spawning a compiled x07 program: framed stdin, capped stdout/stderr capture,
// rlimits, optional kernel sandbox, wall timeout that kills the whole process group.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spool.hpp"

struct x07_sandbox_plan;

namespace x07::runner {

struct Rlimit {
  int resource;
  uint64_t value;  // soft = hard
};

struct SpawnRequest {
  std::string exe;                  // absolute path
  std::vector<std::string> env;     // complete environment, "KEY=VALUE"
  std::optional<std::string> cwd;   // working directory (default: inherited)
  std::string stdin_bytes;          // sent first (the frame header, or all of the framed input)
  int stdin_file = -1;              // then this file's bytes to its end (-1: none); read from here
  size_t stdout_cap = 0;            // bytes kept; more sets stdout_truncated
  size_t stderr_cap = 0;
  uint64_t wall_ms = 1;
  std::vector<Rlimit> rlimits;      // applied in the child before exec
  const x07_sandbox_plan* sandbox = nullptr;  // applied in the child right before exec
  // --stream-output: stderr also goes to ours as it arrives; the output frame moves to fd 3
  // of the program (X07_FRAME_FD=3, set by the caller), so what the program itself writes to
  // stdout (os.stdio) is kept apart and passed to `live_stdout_fd` (if >= 0) as it arrives.
  bool live_stderr = false;
  bool frame_on_fd3 = false;
  int live_stdout_fd = -1;
};

struct SpawnOutcome {
  bool exited = false;
  int exit_code = 0;
  bool signaled = false;
  int signal = 0;
  bool timed_out = false;
  Spool out;             // the frame channel (fd 1, or fd 3 with frame_on_fd3): memory while small, then a temporary file
  std::string err;
  std::string live_out;  // frame_on_fd3: the program's own stdout writes
  bool out_truncated = false, err_truncated = false;
  int exit_status() const { return exited ? exit_code : signaled ? 128 + signal : 1; }
};

// Runs the program to completion (or the wall deadline). Throws RunnerError
// "spawn artifact: <exe>: <os error>" when the child could not be started.
SpawnOutcome spawn_program(const SpawnRequest& req);

// The runner's environment with `overrides` applied (replacing same-named entries).
std::vector<std::string> build_env(const std::vector<std::pair<std::string, std::string>>& overrides);

}  // namespace x07::runner
