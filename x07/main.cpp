// x07: the user-facing CLI (run, policy init, init, bundle). It never compiles or runs
// programs itself; `run` and `bundle` delegate to x07-os-runner (facade.md).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/text.hpp"
#include "facade_error.hpp"

using namespace x07;
using namespace x07::facade;

namespace {

const char* kTopUsage = "x07 [OPTIONS] <COMMAND>";

void print_top_help(std::ostream& os) {
  os << "x07 toolchain (OS worlds): run projects and programs, scaffold projects and sandbox policies\n\n"
        "Usage: "
     << kTopUsage
     << "\n\nCommands:\n"
        "  run     Run a project, program or artifact via x07-os-runner\n"
        "  policy  Generate sandbox policies (x07 policy init --template T)\n"
        "  init    Create a new project\n"
        "  bundle  Build a native executable from a project or program\n"
        "  check   Load, resolve and typecheck a project or program (no C compiler)\n"
        "  fmt     Format x07AST JSON files canonically\n"
        "  test    Run the tests of a tests manifest (tests/tests.json)\n\n"
        "Options:\n"
        "  -h, --help     Print help\n"
        "  -V, --version  Print version\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> tokens(argv + 1, argv + argc);
  const size_t i = cli::leading_global_flags_end(tokens);
  if (i >= tokens.size()) {
    print_top_help(std::cerr);
    std::cerr << "\n"
              << render_error("X07_USAGE", "", "missing command",
                              "try 'x07 init' to create a project, then 'x07 run' to run it");
    return 2;
  }
  const std::string& sub = tokens[i];
  // The subcommand parses the leading global flags together with its own.
  std::vector<std::string> rest(tokens.begin(), tokens.begin() + static_cast<long>(i));
  rest.insert(rest.end(), tokens.begin() + static_cast<long>(i) + 1, tokens.end());

  if (sub == "-h" || sub == "--help" || sub == "help") {
    print_top_help(std::cout);
    return 0;
  }
  if (sub == "-V" || sub == "--version") {
    std::cout << "x07 " << X07_VERSION << "\n";
    return 0;
  }
  try {
    if (sub == "run") return cmd_run(rest);
    if (sub == "policy") return cmd_policy(rest);
    if (sub == "init") return cmd_init(rest);
    if (sub == "bundle") return cmd_bundle(rest);
    if (sub == "fmt") return cmd_fmt(rest);
    if (sub == "check") return cmd_check(rest);
    if (sub == "test") return cmd_test(rest);
    std::string near = text::nearest(sub, {"run", "policy", "init", "bundle", "fmt", "check", "test", "help"});
    std::cerr << render_error("X07_USAGE", "", "unrecognized subcommand '" + sub + "'",
                              (near.empty() ? "" : "did you mean '" + near + "'?\n") + "usage: " + kTopUsage +
                                  " (commands: run, policy, init, bundle, fmt, check, test; try 'x07 --help')");
    return 2;
  } catch (const cli::HelpShown&) {
    return 0;
  } catch (const cli::UsageError& e) {
    std::cerr << e.full_text();
    return 2;
  } catch (const Failure& e) {
    std::cerr << render_error(e.diag_code, e.location, e.what(), e.help);
    return e.exit_code;
  } catch (const Exit& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << render_error("X07E_INTERNAL", "", std::string("internal error: ") + e.what(),
                              "this is a bug in x07; please report it with the command line that triggered it");
    return 101;
  }
}
