#include "sandbox_backend.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "runner_error.hpp"

namespace x07::runner {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r\f\v") - b + 1);
}

const char* kFixWeaker =
    "explicitly accept weaker isolation: --i-accept-weaker-isolation (or set X07_I_ACCEPT_WEAKER_ISOLATION=1)";

}  // namespace

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::Os: return "os";
    case Backend::Vm: return "vm";
    case Backend::None: break;
  }
  return "none";
}

std::string kernel_sandbox_fail_closed_message(const std::string& missing) {
  return "run-os-sandboxed with sandbox_backend=os fails closed: this kernel cannot enforce the policy (" + missing +
         ")\n\nfix:\n  - run on a kernel with Landlock and seccomp enabled, or\n  - " + kFixWeaker;
}

BackendChoice resolve_backend(const std::string& world, const std::optional<std::string>& cli_backend,
                              bool cli_accept_weaker) {
  std::string requested = "auto";
  if (cli_backend) {
    requested = *cli_backend;
  } else if (const char* raw = std::getenv("X07_SANDBOX_BACKEND")) {
    std::string v = trim(raw);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "native") v = "os";
    if (!v.empty()) {
      if (v != "auto" && v != "vm" && v != "os" && v != "none") {
        throw RunnerError("invalid environment variable X07_SANDBOX_BACKEND=\"" + std::string(raw) +
                          "\": invalid sandbox backend \"" + v + "\" (expected one of: auto, vm, os, none)");
      }
      requested = v;
    }
  }

  BackendChoice out;
  out.accepted_weaker = cli_accept_weaker;
  if (const char* raw = std::getenv("X07_I_ACCEPT_WEAKER_ISOLATION")) {
    std::string v = trim(raw);
    if (v == "1" || v == "true" || v == "TRUE" || v == "yes" || v == "YES") {
      out.accepted_weaker = true;
    } else if (!(v.empty() || v == "0" || v == "false" || v == "FALSE" || v == "no" || v == "NO")) {
      throw RunnerError("invalid environment variable X07_I_ACCEPT_WEAKER_ISOLATION=\"" + v +
                        "\" (expected one of: 1, 0, true, false, yes, no)");
    }
  }

  // The fixture worlds run under the kernel sandbox too (the program sees only its fixture).
  const bool sandboxed = world == "run-os-sandboxed" || world == "solve-fs" || world == "solve-rr" ||
                         world == "solve-kv" || world == "solve-full";
  if (requested == "vm") out.effective = Backend::Vm;
  else if (requested == "os") out.effective = Backend::Os;
  else if (requested == "none") out.effective = Backend::None;
  else out.effective = sandboxed ? Backend::Os : Backend::None;  // auto

  if (sandboxed && out.effective == Backend::None && !out.accepted_weaker) {
    throw RunnerError(world +
                      " with sandbox_backend=none runs without kernel isolation and fails closed; "
                      "effective sandbox backend is None\n\nfix:\n  - use the kernel-enforced backend: "
                      "--sandbox-backend=os (default), or\n  - " +
                      kFixWeaker);
  }
  return out;
}

}  // namespace x07::runner
