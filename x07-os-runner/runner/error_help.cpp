#include "error_help.hpp"

#include <string_view>

namespace x07::runner {

namespace {

bool has(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }
bool starts(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

}  // namespace

std::string runner_error_code(const std::string& m) {
  if (starts(m, "invalid policy") || starts(m, "read policy") || starts(m, "parse policy") || has(m, "write_roots"))
    return "X07RUN_POLICY";
  if (starts(m, "read ") || starts(m, "write ") || starts(m, "create ") || starts(m, "install "))
    return "X07RUN_IO";
  if (starts(m, "spawn artifact")) return "X07RUN_SPAWN";
  return "X07RUN_ARGS";
}

std::string runner_error_help(const std::string& m) {
  if (starts(m, "set exactly one of"))
    return "pass one target: --program FILE.x07.json, --project x07.json, or --artifact EXE";
  if (starts(m, "run-os-sandboxed requires --policy"))
    return "create a base policy with `x07 policy init --template cli` and pass --policy "
           ".x07/policies/base/cli.sandbox.base.policy.json";
  if (starts(m, "--policy is only valid")) return "add --world run-os-sandboxed, or drop --policy";
  if (starts(m, "--attest-runtime")) return "add --world run-os-sandboxed --policy FILE, or drop --attest-runtime";
  if (starts(m, "--program must be")) return "x07 programs are x07AST JSON files named *.x07.json";
  if (starts(m, "--compile-only")) return "use --program or --project with --compile-only";
  if (starts(m, "read program") || starts(m, "read input") || has(m, "read entry"))
    return "check that the file exists and is readable (paths are relative to the current directory)";
  if (starts(m, "invalid policy") || starts(m, "parse policy") || starts(m, "read policy"))
    return "fix the policy file, or regenerate it with `x07 policy init --template cli`";
  if (has(m, "contains the native cache directory"))
    return "choose write roots that do not contain X07_NATIVE_CACHE_DIR, or move the cache with "
           "X07_NATIVE_CACHE_DIR=DIR";
  if (starts(m, "invalid --compat")) return "use --compat current, strict, or a version like 0.2";
  if (starts(m, "refusing to run eval world")) return "x07-os-runner runs --world run-os or run-os-sandboxed";
  if (has(m, "kernel sandbox step"))
    return "the kernel refused a sandbox step; pass --i-accept-weaker-isolation to run with the runtime checks only";
  if (starts(m, "spawn artifact")) return "check that the executable exists, is executable and matches this machine";
  if (starts(m, "invalid environment variable")) return "unset the variable or give it one of the listed values";
  if (starts(m, "write ") || starts(m, "create ") || starts(m, "install "))
    return "check that the directory exists and is writable, and that the disk has room";
  if (has(m, "meta.import_mode=ffi")) return "add the package's ffi/*.c sources, or drop --auto-ffi";
  return "run x07-os-runner --help for the options";
}

}  // namespace x07::runner
