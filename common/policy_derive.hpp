// Derived run-os policies (facade.md §2): a base policy plus command-line overrides
// (`--allow-host`, `--deny-host`, their `-file` variants, `--allow-read-root`,
// `--allow-write-root`) become a new policy file under
// `<policy root>/.x07/policies/_generated/<base id>.g<hex8>.policy.json`.
// Shared by `x07 run` and `x07 bundle`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace x07::policy_derive {

// A usage/input problem (exit 2). what() is the full message chain.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The base or derived document fails the policy schema (exit 3). Each message is
// "<validator text> (<json pointer>)" or the single "parse policy JSON: …".
class SchemaInvalid : public std::runtime_error {
 public:
  explicit SchemaInvalid(std::vector<std::string> msgs)
      : std::runtime_error("policy schema validation failed"), messages(std::move(msgs)) {}
  std::vector<std::string> messages;
};

// The override options exactly as given on the command line (each repeatable).
struct Overrides {
  std::vector<std::string> allow_hosts, allow_host_files;
  std::vector<std::string> deny_hosts, deny_host_files;
  std::vector<std::string> allow_read_roots, allow_write_roots;

  bool any_host() const {
    return !allow_hosts.empty() || !allow_host_files.empty() || !deny_hosts.empty() || !deny_host_files.empty();
  }
  bool any_root() const { return !allow_read_roots.empty() || !allow_write_roots.empty(); }
  bool any() const { return any_host() || any_root(); }
};

// One parsed `HOST:PORTS` spec. `all_ports` only for `HOST:*` in deny context.
struct HostSpec {
  std::string host;  // lower-cased, brackets of `[v6]` stripped
  bool all_ports = false;
  std::set<uint16_t> ports;
};

// Parses one spec (§2.2). Throws Error with the exact upstream message.
HostSpec parse_host_spec(std::string_view spec, bool deny);

// Spec lines of a host file's text (comments and blank lines dropped). Throws Error
// `host spec file must be utf-8` for invalid UTF-8.
std::vector<std::string> host_file_lines(std::string_view text);

// Overrides after reading files and parsing specs.
struct DenyEntry {
  bool all_ports = false;
  std::set<uint16_t> ports;
};
struct ParsedOverrides {
  std::map<std::string, std::set<uint16_t>> allow;  // host -> union of ports
  std::map<std::string, DenyEntry> deny;
  std::vector<std::string> read_roots, write_roots;  // CLI order (trimmed)

  // Compact sorted-key JSON hashed together with the base bytes (§2.4).
  std::string digest_json() const;
};

// Reads host files (relative paths against `policy_root`) and parses every spec and root,
// in the order of §2.1 step 6. Throws Error.
ParsedOverrides parse_overrides(const Overrides& o, const std::filesystem::path& policy_root);

// Result of deriving, before anything touches the disk.
struct Derived {
  std::string g8;          // first 4 digest bytes, lowercase hex
  std::string file_name;   // "<base id>.g<g8>.policy.json"
  std::string policy_id;   // base id truncated to 54 bytes + ".g" + g8
  std::string bytes;       // sorted-key pretty JSON + "\n"
};

// Pure derivation from the raw base bytes (§2.1 steps 2–5 and §2.3–2.4). `base_display`
// is the resolved base path quoted in `notes`; host files are resolved against
// `policy_root`. Throws SchemaInvalid or Error (checks run in the order of §2.1).
Derived derive_from_bytes(std::string_view base_bytes, const std::string& base_display, const Overrides& o,
                          const std::filesystem::path& policy_root);

// Full flow: read the base file, derive, and write the result (unless identical bytes are
// already there). Returns the absolute path of the derived policy.
std::filesystem::path materialize(const std::filesystem::path& policy_root, const std::filesystem::path& base_path,
                                  const Overrides& o);

}  // namespace x07::policy_derive
