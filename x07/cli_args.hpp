// Command-line parsing for the facade's subcommands: a flag table per command, parsed
// with Boost.Program_options (long options, `--flag value` / `--flag=value`), clap-like
// error texts, generated `--help`, and the trailing-argument rule of `x07 run`
// (everything after `--` or after the first positional token is program argv).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace x07::cli {

struct Flag {
  std::string name;       // without the leading "--"
  std::string value;      // placeholder, e.g. "PATH"; empty = boolean switch
  std::string help;
  bool repeatable = false;
  bool hidden = false;
  std::vector<std::string> choices = {};  // allowed values (empty = any)
  bool value_optional = false;  // `--flag=v` or bare `--flag`; never takes the next token

  // Whether `--flag` consumes the following token as its value.
  bool takes_next_token() const { return !value.empty() && !value_optional; }
};

enum class Positionals {
  None,
  OneOptional /* x07 init [DIR] */,
  Trailing /* x07 run [ARGS]... */,
  Many /* x07 fmt [PATH]...: any number, flags may follow */
};

struct Command {
  std::string path;   // "run", "policy init", ...
  std::string about;  // first line of --help
  std::string usage;  // e.g. "x07 run [OPTIONS] [ARGS]..."
  Positionals positionals = Positionals::None;
  std::string positional_name;  // for help, e.g. "DIR" or "ARGS"
  std::vector<Flag> flags;      // the global flags are appended automatically
  std::string positional_help = {};  // shown next to the positional in --help
  std::string after_help = {};       // printed after the options (exit codes, environment)
};

// Bad command line: exit 2, `what()` + usage hint on stderr.
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& msg, const std::string& usage, std::string help = {})
      : std::runtime_error(msg), usage(usage), help(std::move(help)) {}
  // "error[X07_USAGE]: …" + "help: …" lines (the fix, then the usage line).
  std::string full_text() const;
  std::string usage;
  std::string help;  // e.g. "did you mean '--report'?"
};

// Thrown after `--help` was printed (exit 0).
struct HelpShown {};

class Args {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  bool flag(const std::string& name) const { return has(name); }
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  // Unsigned integer value; usage error with clap's wording when malformed.
  std::optional<uint64_t> u64(const std::string& name) const;

  std::vector<std::string> positionals;  // Trailing: program argv; OneOptional: at most one
  const Command* command = nullptr;

  std::map<std::string, std::vector<std::string>> values_;  // switches map to {""}
};

// Concatenates flag tables (commands that share a group of flags).
std::vector<Flag> concat(std::initializer_list<std::vector<Flag>> parts);

// The flags every subcommand accepts (facade.md §0).
const std::vector<Flag>& global_flags();

// For a token like `--out` / `--out=x` / `--quiet-json`: -1 if it is not a global flag,
// else how many following tokens it consumes (0 or 1).
int global_flag_arity(const std::string& token);

// Global flags may precede a (sub)command name (`x07 --out p policy init …`): the index
// of the first token that is neither such a flag nor its value.
size_t leading_global_flags_end(const std::vector<std::string>& tokens);

// Parses `args` (the tokens after the subcommand name). Throws UsageError or HelpShown.
Args parse(const Command& cmd, const std::vector<std::string>& args);

void print_help(const Command& cmd);

// "'--name <VALUE>'" as clap shows an argument in messages.
std::string placeholder(const Flag& f);

// Throws a UsageError "error: the argument '--a' cannot be used with '--b'".
[[noreturn]] void conflict(const Args& a, const std::string& first, const std::string& second);

}  // namespace x07::cli
