#include "cli_args.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>

#include <boost/program_options.hpp>

#include "facade_error.hpp"
#include "text.hpp"

namespace po = boost::program_options;

namespace x07::cli {

namespace {

// The command's flags, the global ones and --help; built once per command (commands are
// static objects and the CLI is single-threaded).
const std::vector<Flag>& all_flags(const Command& cmd) {
  static std::map<const Command*, std::vector<Flag>> built;
  auto [it, fresh] = built.try_emplace(&cmd);
  if (!fresh) return it->second;
  std::vector<Flag>& out = it->second;
  out = cmd.flags;
  for (const auto& g : global_flags())
    if (std::none_of(out.begin(), out.end(), [&](const Flag& f) { return f.name == g.name; })) out.push_back(g);
  out.push_back({"help", "", "Print help (also -h)"});
  return out;
}

const Flag* find_flag(const std::vector<Flag>& flags, std::string_view name) {
  for (const auto& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

[[noreturn]] void usage_error(const Command& cmd, const std::string& msg) { throw UsageError(msg, cmd.usage); }

[[noreturn]] void unexpected_argument(const Command& cmd, const std::string& token) {
  std::string help;
  if (token.rfind("--", 0) == 0) {
    std::vector<std::string> names;
    for (const auto& f : all_flags(cmd))
      if (!f.hidden) names.push_back("--" + f.name);
    std::string near = text::nearest(token.substr(0, token.find('=')), names);
    if (!near.empty()) help = "did you mean '" + near + "'?";
  } else if (!token.empty() && token[0] != '-') {
    help = cmd.positionals == Positionals::None
               ? "'" + cmd.path + "' takes no positional arguments"
               : "'" + cmd.path + "' takes at most one " + cmd.positional_name;
  } else {
    help = "flags are long options like '--help'";
  }
  throw UsageError("error: unexpected argument '" + token + "' found", cmd.usage, help);
}

// Splits the tokens into the part Program_options parses (options and their values)
// and positional tokens. With Positionals::Trailing the first positional token and
// everything after it (or everything after `--`) is program argv.
void split_tokens(const Command& cmd, const std::vector<Flag>& flags, const std::vector<std::string>& in,
                  std::vector<std::string>& options, std::vector<std::string>& positionals) {
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& t = in[i];
    if (t == "--") {
      positionals.insert(positionals.end(), in.begin() + static_cast<long>(i) + 1, in.end());
      if (cmd.positionals == Positionals::None && !positionals.empty())
        unexpected_argument(cmd, positionals.front());
      return;
    }
    if (t.size() > 2 && t.compare(0, 2, "--") == 0) {
      options.push_back(t);
      std::string name = t.substr(2, t.find('=') == std::string::npos ? std::string::npos : t.find('=') - 2);
      const Flag* f = find_flag(flags, name);
      if (f && f->takes_next_token() && t.find('=') == std::string::npos && i + 1 < in.size())
        options.push_back(in[++i]);
      continue;
    }
    if (t == "-h") {
      options.push_back("--help");
      continue;
    }
    if (t.size() > 1 && t[0] == '-') unexpected_argument(cmd, t);
    if (cmd.positionals == Positionals::Many) {
      positionals.push_back(t);
      continue;
    }
    if (cmd.positionals == Positionals::Trailing) {
      positionals.insert(positionals.end(), in.begin() + static_cast<long>(i), in.end());
      return;
    }
    if (cmd.positionals == Positionals::None || !positionals.empty())
      unexpected_argument(cmd, t);
    positionals.push_back(t);
  }
}

}  // namespace

std::vector<Flag> concat(std::initializer_list<std::vector<Flag>> parts) {
  std::vector<Flag> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<Flag>& global_flags() {
  static const std::vector<Flag> flags = {
      {"out", "PATH", "Output path (policy init: policy file; bundle: executable)"},
      {"report-out", "PATH", "Also write the report to PATH"},
      {"quiet-json", "", "Do not print the report on stdout (requires --report-out)"},
      {"json", "MODE", "Tool envelope output (not supported by this toolchain)", false, true, {}, true},
      {"jsonl", "", "Tool envelope output (not supported by this toolchain)", false, true},
      {"json-schema", "", "Tool envelope schema (not supported by this toolchain)", false, true},
      {"json-schema-id", "", "Tool envelope schema id (not supported by this toolchain)", false, true},
  };
  return flags;
}

int global_flag_arity(const std::string& t) {
  for (const auto& f : global_flags()) {
    if (t == "--" + f.name) return f.takes_next_token() ? 1 : 0;
    if (t.rfind("--" + f.name + "=", 0) == 0) return 0;
  }
  return -1;
}

size_t leading_global_flags_end(const std::vector<std::string>& tokens) {
  size_t i = 0;
  while (i < tokens.size()) {
    int arity = global_flag_arity(tokens[i]);
    if (arity < 0) break;
    i += 1 + static_cast<size_t>(arity);
  }
  return std::min(i, tokens.size());  // a trailing `--out` without its value
}

std::string UsageError::full_text() const {
  std::string msg = what();
  if (msg.rfind("error: ", 0) == 0) msg = msg.substr(7);
  std::string fix = help.empty() ? "" : help + "\n";
  return facade::render_error("X07_USAGE", "", msg,
                              fix + "usage: " + usage + " (for more information, try '--help')");
}

std::string placeholder(const Flag& f) {
  return "'--" + f.name + (f.value.empty() ? "'" : " <" + f.value + ">'");
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<uint64_t> Args::u64(const std::string& name) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  const std::vector<Flag>& flags = all_flags(*command);
  const Flag* f = find_flag(flags, name);
  auto bad = [&](const std::string& why) {
    usage_error(*command, "error: invalid value '" + *v + "' for " + placeholder(*f) + ": " + why);
  };
  if (v->empty()) bad("cannot parse integer from empty string");
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec == std::errc::result_out_of_range) bad("number too large to fit in target type");
  if (ec != std::errc() || p != v->data() + v->size()) bad("invalid digit found in string");
  return out;
}

void conflict(const Args& a, const std::string& first, const std::string& second) {
  const auto& flags = all_flags(*a.command);
  const Flag* f1 = find_flag(flags, first);
  const Flag* f2 = find_flag(flags, second);
  std::string p1 = f1 ? placeholder(*f1) : "'" + first + "'";
  std::string p2 = f2 ? placeholder(*f2) : "'" + second + "'";
  usage_error(*a.command, "error: the argument " + p1 + " cannot be used with " + p2);
}

Args parse(const Command& cmd, const std::vector<std::string>& tokens) {
  const std::vector<Flag>& flags = all_flags(cmd);
  std::vector<std::string> option_tokens;
  Args out;
  out.command = &cmd;
  split_tokens(cmd, flags, tokens, option_tokens, out.positionals);

  po::options_description desc;
  for (const auto& f : flags) {
    if (f.value.empty()) desc.add_options()(f.name.c_str(), po::bool_switch());
    else if (f.value_optional) desc.add_options()(f.name.c_str(), po::value<std::string>()->implicit_value(""));
    else if (f.repeatable) desc.add_options()(f.name.c_str(), po::value<std::vector<std::string>>()->composing());
    else desc.add_options()(f.name.c_str(), po::value<std::string>());
  }
  po::variables_map vm;
  try {
    int style = po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent |
                po::command_line_style::long_allow_next;
    po::store(po::command_line_parser(option_tokens).options(desc).style(style).run(), vm);
  } catch (const po::unknown_option& e) {
    unexpected_argument(cmd, e.get_option_name());
  } catch (const po::multiple_occurrences& e) {
    const std::string& opt = e.get_option_name();  // "--report-out": strip the leading dashes only
    const Flag* f = find_flag(flags, opt.substr(std::min(opt.find_first_not_of('-'), opt.size())));
    std::string shown = f ? placeholder(*f) : "'" + e.get_option_name() + "'";
    usage_error(cmd, "error: the argument " + shown + " cannot be used multiple times");
  } catch (const po::invalid_command_line_syntax& e) {
    std::string name = e.get_option_name();
    if (name.rfind("--", 0) == 0) name = name.substr(2);
    const Flag* f = find_flag(flags, name);
    if (e.kind() == po::invalid_command_line_syntax::missing_parameter && f)
      usage_error(cmd, "error: a value is required for " + placeholder(*f) + " but none was supplied");
    if (e.kind() == po::invalid_command_line_syntax::extra_parameter && f)
      usage_error(cmd, "error: unexpected value for " + placeholder(*f));
    usage_error(cmd, std::string("error: ") + e.what());
  } catch (const po::error& e) {
    usage_error(cmd, std::string("error: ") + e.what());
  }

  if (vm.count("help") && vm["help"].as<bool>()) {
    print_help(cmd);
    throw HelpShown{};
  }
  for (const auto& f : flags) {
    if (!vm.count(f.name) || vm[f.name].defaulted()) continue;
    if (f.value.empty()) {
      if (vm[f.name].as<bool>()) out.values_[f.name] = {""};
      continue;
    }
    std::vector<std::string> vals = f.repeatable ? vm[f.name].as<std::vector<std::string>>()
                                                 : std::vector<std::string>{vm[f.name].as<std::string>()};
    if (!f.choices.empty()) {
      for (const auto& v : vals) {
        if (std::find(f.choices.begin(), f.choices.end(), v) != f.choices.end()) continue;
        std::string near = text::nearest(v, f.choices);
        throw UsageError("error: invalid value '" + v + "' for " + placeholder(f) + " [possible values: " +
                             facade::join(f.choices, ", ") + "]",
                         cmd.usage, near.empty() ? "" : "did you mean '" + near + "'?");
      }
    }
    out.values_[f.name] = vals;
  }
  for (const char* j : {"json", "jsonl", "json-schema", "json-schema-id"})
    if (out.has(j) && !find_flag(cmd.flags, j))  // a command may define its own --json
      usage_error(cmd, std::string("error: --") + j +
                           " (the tool-envelope mode) is not supported by this toolchain; use the command's own "
                           "report on stdout");
  if (out.has("quiet-json") && !out.has("report-out"))
    throw UsageError("error: the following required arguments were not provided: --report-out <PATH>", cmd.usage,
                     "--quiet-json only makes sense with --report-out FILE");
  return out;
}

void print_help(const Command& cmd) {
  std::cout << cmd.about << "\n\nUsage: " << cmd.usage << "\n";
  if (cmd.positionals != Positionals::None) {
    const bool many = cmd.positionals == Positionals::Trailing || cmd.positionals == Positionals::Many;
    std::string name = many ? "[" + cmd.positional_name + "]..." : "[" + cmd.positional_name + "]";
    if (!cmd.positional_help.empty()) name.append(name.size() < 40 ? 40 - name.size() : 2, ' ');
    std::cout << "\nArguments:\n  " << name << cmd.positional_help << "\n";
  }
  std::cout << "\nOptions:\n";
  for (const auto& f : all_flags(cmd)) {
    if (f.hidden) continue;
    std::string left = "      --" + f.name + (f.value.empty() ? "" : " <" + f.value + ">");
    if (left.size() < 42) left.append(42 - left.size(), ' ');
    else left += "  ";
    std::string help = f.help;
    if (!f.choices.empty()) help += " [possible values: " + facade::join(f.choices, ", ") + "]";
    std::cout << left << help << "\n";
  }
  if (!cmd.after_help.empty()) std::cout << "\n" << cmd.after_help;
}

}  // namespace x07::cli
