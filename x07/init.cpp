// `x07 init [DIR]` (facade.md §5): scaffold a project that `x07 run` can run at once
// (a program greeting its arguments, like examples/hello) and a `sandbox` profile ready for
// `x07 policy init --template cli`. The upstream agent kit (AGENT.md, .agent/,
// x07-toolchain.toml) and the --template/--package scaffolds are not part of this toolchain.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/fsutil.hpp"
#include "facade_error.hpp"
#include "lockfile_min.hpp"
#include "run_report.hpp"
#include "templates.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

const cli::Command& init_command() {
  static const cli::Command cmd = {
      "init",
      "Create a new x07 project (x07.json with os + sandbox profiles, lockfile, greeting program, tests)",
      "x07 init [OPTIONS] [DIR]",
      cli::Positionals::OneOptional,
      "DIR",
      {
          {"template", "TEMPLATE", "Project template (not supported by this toolchain)", false, true},
          {"package", "", "Package scaffold (not supported by this toolchain)", false, true},
      }};
  return cmd;
}

// Files of the scaffold: (path in the project, embedded template path).
const std::vector<std::pair<std::string, std::string>> kScaffold = {
    {"x07.json", "init/x07.json"},
    {"x07.lock.json", ""},  // generated (registry URL from the environment)
    {"src/app.x07.json", "init/src/app.x07.json"},
    {"src/main.x07.json", "init/src/main.x07.json"},
    {"tests/tests.json", "init/tests/tests.json"},
    {"tests/smoke.x07.json", "init/tests/smoke.x07.json"},
};

const std::vector<std::string> kGitignorePatterns = {".x07/deps/", ".x07/tmp/", ".x07/policies/_generated/",
                                                     "target/",    "dist/",     "artifacts/",
                                                     ".DS_Store",  "*.log"};

struct InitError {
  std::string code, message;
};

std::string report(const std::string& root, const std::vector<std::string>& created,
                   const std::optional<InitError>& error) {
  std::vector<std::string> created_json;
  for (const auto& c : created) created_json.push_back(json_quoted(c));
  std::string out = "{\"ok\":" + std::string(error ? "false" : "true") + ",\"command\":\"init\",\"root\":" +
                    json_quoted(root) + ",\"created\":[" + join(created_json, ",") + "]";
  if (!error) {
    out += ",\"next_steps\":[\"x07 run\",\"x07 policy init --template cli\",\"x07 run --profile sandbox\"]";
  } else {
    out += ",\"error\":{\"code\":" + json_quoted(error->code) + ",\"message\":" + json_quoted(error->message) + "}";
  }
  return out + "}\n";
}

// Creates a new file (fails if it exists).
void create_new(const fs::path& p, std::string_view data) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw InitError{"X07INIT_IO", "create " + p.string() + ": " + fsutil::os_error_text(errno)};
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      throw InitError{"X07INIT_IO", "write " + p.string() + ": " + fsutil::os_error_text(e)};
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Writes or completes .gitignore; returns true when the file was written or modified.
bool update_gitignore(const fs::path& p) {
  std::string text, err;
  std::error_code ec;
  const std::string full(*embedded_template("init/gitignore.txt"));
  if (!fs::exists(p, ec) || (fsutil::read_file(p, text) && text.empty())) {
    if (!fsutil::write_file_atomic(p, full, &err)) throw InitError{"X07INIT_IO", "write " + p.string() + ": " + err};
    return true;
  }
  if (!fsutil::read_file(p, text, &err)) throw InitError{"X07INIT_IO", "read " + p.string() + ": " + err};
  std::string lf;
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) lf += text[i];
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= lf.size()) {
    size_t nl = lf.find('\n', start);
    lines.push_back(
        trimmed_non_empty(lf.substr(start, nl == std::string::npos ? std::string::npos : nl - start)).value_or(""));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::string add;
  for (const auto& pat : kGitignorePatterns)
    if (std::find(lines.begin(), lines.end(), pat) == lines.end()) add += pat + "\n";
  if (add.empty() && lf == text) return false;
  if (!lf.empty() && lf.back() != '\n' && !add.empty()) lf += '\n';
  if (!fsutil::write_file_atomic(p, lf + add, &err)) throw InitError{"X07INIT_IO", "write " + p.string() + ": " + err};
  return true;
}

std::string init_help(const std::string& code) {
  if (code == "X07INIT_EXISTS")
    return "this directory already holds a project; run `x07 run` there, or `x07 init NEW_DIR` for a new one";
  if (code == "X07INIT_SRC" || code == "X07INIT_TESTS")
    return "move the file out of the way, or run `x07 init NEW_DIR` in another directory";
  if (code == "X07INIT_ARGS") return "run `x07 init`, then `x07 policy init --template <T>`";
  return "check that the directory is writable";
}

}  // namespace

int cmd_init(const std::vector<std::string>& tokens) {
  cli::Args a = cli::parse(init_command(), tokens);
  check_report_out(a.get("report-out"));
  auto emit = [&](const std::string& text) { emit_report(text, a.get("report-out"), a.has("quiet-json")); };
  fs::path cwd;
  std::error_code ec;
  cwd = fs::current_path(ec);
  std::string root_text = ec ? "" : cwd.string();
  std::vector<std::string> created;
  try {
    if (ec) throw InitError{"X07INIT_CWD", "get current dir: " + fsutil::os_error_text(ec.value())};
    fs::path root = cwd;
    if (!a.positionals.empty()) {
      root = cwd / a.positionals[0];
      root_text = root.string();
    }
    if (a.has("template") || a.has("package"))
      throw InitError{"X07INIT_ARGS",
                      "--template and --package scaffolds are not supported by this toolchain; run `x07 init` "
                      "and then `x07 policy init --template <T>`"};
    std::string err;
    if (!fsutil::create_dirs(root, &err)) throw InitError{"X07INIT_MKDIR", "create " + root.string() + ": " + err};

    std::vector<std::string> existing;
    for (const auto& [rel, _] : kScaffold)
      if (fs::exists(root / rel, ec) || fs::is_symlink(root / rel, ec)) existing.push_back(rel);
    if (!existing.empty())
      throw InitError{"X07INIT_EXISTS", "refusing to overwrite existing paths: " + join(existing, ", ")};
    for (const auto& [dir, code] : {std::pair<std::string, std::string>{"src", "X07INIT_SRC"},
                                    std::pair<std::string, std::string>{"tests", "X07INIT_TESTS"}}) {
      fs::path d = root / dir;
      if (fs::exists(d, ec) && !fs::is_directory(d, ec))
        throw InitError{code, dir + " exists but is not a directory: " + d.string()};
      if (!fsutil::create_dirs(d, &err)) throw InitError{"X07INIT_MKDIR", "create " + d.string() + ": " + err};
    }

    for (const auto& [rel, tmpl] : kScaffold) {
      std::string data = tmpl.empty() ? minimal_lockfile("0.5") : std::string(*embedded_template(tmpl));
      create_new(root / rel, data);
      created.push_back(rel);
    }
    if (update_gitignore(root / ".gitignore")) created.push_back(".gitignore");
  } catch (const InitError& e) {
    emit(report(root_text, created, e));
    std::cerr << render_error(e.code, "", e.message, init_help(e.code));
    return 20;
  }
  emit(report(root_text, created, std::nullopt));
  return 0;
}

}  // namespace x07::facade
