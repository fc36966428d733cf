// Entry points of the facade's subcommands; each gets the tokens after its name and
// returns the exit code (or throws cli::UsageError / cli::HelpShown / Failure / Exit).
#pragma once
#include <string>
#include <vector>

namespace x07::facade {

int cmd_run(const std::vector<std::string>& args);
int cmd_policy(const std::vector<std::string>& args);  // `x07 policy init …`
int cmd_init(const std::vector<std::string>& args);
int cmd_bundle(const std::vector<std::string>& args);
int cmd_fmt(const std::vector<std::string>& args);    // x07 fmt
int cmd_check(const std::vector<std::string>& args);  // x07 check
int cmd_test(const std::vector<std::string>& args);   // x07 test

}  // namespace x07::facade
