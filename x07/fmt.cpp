// `x07 fmt (--check | --write) [--pretty] [--input PATH]... [PATH]...`: canonical x07AST
// formatting (common/x07ast_fmt.hpp). Directories are walked for `*.x07.json` (skipping
// .git, .x07, target, .agent, .claude). --check lists the files that would change and
// exits 1; --write rewrites them atomically. A file that is not x07AST exits 1 with the
// reason, its file and JSON pointer; usage errors exit 2.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/fsutil.hpp"
#include "common/x07ast_fmt.hpp"
#include "diag_print.hpp"
#include "facade_error.hpp"

namespace fs = std::filesystem;

namespace x07::facade {
namespace {

const cli::Command& fmt_command() {
  static const cli::Command cmd = {
      "fmt",
      "Format x07AST JSON files canonically (sorted imports and keys, canonical decl order)",
      "x07 fmt [OPTIONS] <--check|--write> [PATH]...",
      cli::Positionals::Many,
      "PATH",
      {
          {"input", "PATH", "File or directory to format (may be repeated; same as a positional PATH)", true},
          {"check", "", "Exit 1 and name every file that is not canonically formatted; change nothing"},
          {"write", "", "Rewrite files that are not canonically formatted"},
          {"pretty", "", "Multi-line output (2-space indent) for human review instead of one line"},
      }};
  return cmd;
}

bool skipped_dir(const fs::path& p) {
  const std::string n = p.filename().string();
  return n == ".git" || n == ".x07" || n == "target" || n == ".agent" || n == ".claude";
}

bool is_x07ast_name(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.size() > 9 && n.compare(n.size() - 9, 9, ".x07.json") == 0;
}

// Inputs in order: files as given, directories as their sorted *.x07.json files.
std::vector<fs::path> collect_inputs(const std::vector<std::string>& raw) {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  for (const auto& r : raw) {
    const fs::path p(r);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      if (seen.insert(p).second) out.push_back(p);
      continue;
    }
    if (!fs::is_directory(p, ec))
      throw Failure("error[X07-FMT-INPUT]: " + r + ": no such file or directory\nhelp: pass x07AST files (*.x07.json) or directories that contain them");
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec) && skipped_dir(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && !it->is_symlink(ec) && is_x07ast_name(it->path())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (auto& f : files)
      if (seen.insert(f).second) out.push_back(f);
  }
  if (out.empty())
    throw Failure("error[X07-FMT-INPUT]: no *.x07.json inputs found\nhelp: name the files or directories to format");
  return out;
}

}  // namespace

int cmd_fmt(const std::vector<std::string>& tokens) {
  const cli::Args args = cli::parse(fmt_command(), tokens);
  const bool check = args.flag("check"), write = args.flag("write");
  if (check == write)
    throw cli::UsageError("error: set exactly one of --check or --write", fmt_command().usage);
  std::vector<std::string> raw = args.all("input");
  raw.insert(raw.end(), args.positionals.begin(), args.positionals.end());
  if (raw.empty())
    throw cli::UsageError("error: missing input (use --input <PATH> or pass PATH... as positional args)",
                          fmt_command().usage);

  int status = 0;
  for (const fs::path& file : collect_inputs(raw)) {
    std::string bytes;
    if (!fsutil::read_file(file, bytes))
      throw Failure("error[X07-FMT-INPUT]: " + file.string() + ": cannot read the file\nhelp: check that it exists and is readable");
    const x07ast::FormatResult r = x07ast::format_canonical(bytes, args.flag("pretty"));
    if (!r.ok) {
      print_diag(std::cerr, {"X07-FMT-PARSE", file.string(), r.error.ptr, "not a valid x07AST file: " + r.error.message,
                             "x07 fmt only rewrites x07AST JSON (schema x07.x07ast@0.3.0..0.9.0); fix the file first"},
                 &bytes);
      status = 1;
      continue;
    }
    if (r.text == bytes) continue;
    if (check) {
      std::cerr << "file is not formatted: " << file.string() << "\n";
      status = 1;
    } else if (!fsutil::write_file_atomic(file, r.text)) {
      throw Failure("error[X07-FMT-WRITE]: " + file.string() + ": cannot write the formatted file\nhelp: check the directory's permissions");
    }
  }
  if (status != 0 && check) std::cerr << "help: run `x07 fmt --write` on these files to format them\n";
  return status;
}

}  // namespace x07::facade
