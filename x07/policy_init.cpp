// `x07 policy init --template T` (facade.md §3): write a schema-valid base policy.
#include <iostream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/policy_schema.hpp"
#include "common/text.hpp"
#include "facade_error.hpp"
#include "run_report.hpp"
#include "run_target.hpp"
#include "templates.hpp"
#include "text.hpp"

namespace fs = std::filesystem;

namespace x07::facade {

namespace {

const cli::Command& policy_init_command() {
  static const cli::Command cmd = {
      "policy init",
      "Write a base run-os-sandboxed policy from a template",
      "x07 policy init [OPTIONS] --template <TEMPLATE>",
      cli::Positionals::None,
      "",
      {
          {"template", "TEMPLATE", "Policy template", false, false, policy_template_names()},
          {"project", "PATH", "Project manifest (default: x07.json found walking up from the cwd)"},
          {"policy-id", "ID", "Override policy_id (^[a-zA-Z0-9_.-]{1,64}$)"},
          {"force", "", "Overwrite an existing file with different content"},
          {"emit", "WHAT", "What to print on stdout [default: report]", false, false, {"report", "policy"}},
          {"mkdir-out", "", "Create missing parent directories of --out"},
      }};
  return cmd;
}

void print_policy_help() {
  std::cout << "Sandbox policy tools\n\nUsage: x07 policy <COMMAND>\n\nCommands:\n"
               "  init  Write a base run-os-sandboxed policy from a template\n\nOptions:\n"
               "  -h, --help  Print help\n";
}

void check_policy_id(const std::string& id) {
  if (id.empty() || id.size() > 64) throw Failure("--policy-id must be 1..=64 chars");
  if (!policy_schema::matches(policy_schema::Pattern::PolicyId, id))
    throw Failure("--policy-id must match ^[a-zA-Z0-9_.-]{1,64}$");
}

// Nearest ancestor of the cwd holding a file named exactly x07.json.
std::optional<fs::path> find_x07_json_upwards() {
  std::error_code ec;
  for (fs::path d = fs::current_path();; d = d.parent_path()) {
    if (fs::is_regular_file(d / "x07.json", ec)) return d / "x07.json";
    if (d == d.parent_path()) return std::nullopt;
  }
}

// `p` relative to `root` when it lies under it (component-wise prefix), else `p`.
std::string display_relative(const fs::path& p, const fs::path& root) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri, ++pi) {
    if (ri->empty()) continue;
    if (pi == p.end() || *pi != *ri) return p.string();
  }
  fs::path rel;
  for (; pi != p.end(); ++pi) rel /= *pi;
  return rel.string();
}

}  // namespace

int cmd_policy(const std::vector<std::string>& all_tokens) {
  // Global flags may precede `init` (`x07 --out p policy init …`); move them after it.
  const auto first = all_tokens.begin() + static_cast<long>(cli::leading_global_flags_end(all_tokens));
  const std::vector<std::string> tokens(first, all_tokens.end());
  if (tokens.empty())
    throw Failure("missing policy subcommand (try --help)", 2,
                  "run `x07 policy init --template cli` (templates: cli, http-client, web-service, fs-tool, "
                  "sqlite-app, postgres-client, worker, worker-parallel)",
                  "X07_USAGE");
  if (tokens[0] == "--help" || tokens[0] == "-h" || tokens[0] == "help") {
    print_policy_help();
    return 0;
  }
  if (tokens[0] != "init") {
    std::string what = tokens[0].rfind("-", 0) == 0 ? "unexpected argument" : "unrecognized subcommand";
    std::string near = text::nearest(tokens[0], {"init"});
    throw cli::UsageError("error: " + what + " '" + tokens[0] + "' found", "x07 policy <COMMAND>",
                          near.empty() ? "the only policy subcommand is 'init'" : "did you mean '" + near + "'?");
  }
  std::vector<std::string> init_args(all_tokens.begin(), first);
  init_args.insert(init_args.end(), tokens.begin() + 1, tokens.end());
  cli::Args a = cli::parse(policy_init_command(), init_args);
  if (!a.has("template"))
    throw cli::UsageError("error: the following required arguments were not provided: --template <TEMPLATE>",
                          policy_init_command().usage,
                          "pick a template: --template cli (or http-client, web-service, fs-tool, sqlite-app, "
                          "postgres-client, worker, worker-parallel)");
  check_report_out(a.get("report-out"));
  const std::string tmpl = *a.get("template");
  auto policy_id = a.get("policy-id");
  if (policy_id) check_policy_id(*policy_id);

  // Project root.
  fs::path root;
  if (auto p = a.get("project")) {
    fs::path abs = fs::absolute(*p);
    std::error_code ec;
    if (!fs::is_regular_file(abs, ec)) throw Failure("--project is not a file: " + abs.string());
    root = abs.parent_path();
  } else if (auto m = find_x07_json_upwards()) {
    root = m->parent_path();
  } else {
    root = fs::current_path();
  }

  // Render and validate.
  const std::string bytes = render_policy_template(tmpl, policy_id);
  json::Document rendered;
  json::parse(bytes, rendered, nullptr);  // our own serialisation: always parses
  if (auto msgs = policy_schema::violation_texts(rendered); !msgs.empty()) {
    std::cout << policy_schema::x07diag_line(msgs) << std::flush;
    for (const auto& m : msgs)
      std::cerr << render_error("X07-POLICY-SCHEMA-0001", "", "--policy-id " + m,
                                "choose a --policy-id of 1..64 characters from [a-zA-Z0-9_.-]");
    return 3;
  }
  const std::string final_id = rendered["policy_id"].GetString();

  // Output path.
  const bool explicit_out = a.has("out");
  fs::path out = explicit_out ? fs::path(*a.get("out")) : fs::path(".x07/policies/base") / (tmpl + ".sandbox.base.policy.json");
  if (out.is_relative()) out = root / out;

  std::string status;
  std::error_code ec;
  std::string existing, err;
  if (!fs::exists(out, ec)) {
    fs::path parent = out.parent_path();
    if (!fs::is_directory(parent, ec)) {
      if (explicit_out && !a.has("mkdir-out"))
        throw Failure("refusing to create output dir " + json_quoted(display_relative(parent, root)) +
                      " (pass --mkdir-out to allow)");
      if (!fsutil::create_dirs(parent, &err)) throw Failure("create dir: " + parent.string() + ": " + err);
    }
    if (!fsutil::write_file_atomic(out, bytes, &err)) throw Failure("write: " + out.string() + ": " + err);
    status = "created";
  } else if (!fsutil::read_file(out, existing, &err)) {
    throw Failure("read: " + out.string() + ": " + err);
  } else if (existing == bytes) {
    status = "unchanged";
  } else if (a.has("force")) {
    if (!fsutil::write_file_atomic(out, bytes, &err)) throw Failure("write: " + out.string() + ": " + err);
    status = "overwritten";
  } else {
    status = "exists_different";
  }

  std::string printed = bytes;
  if (a.get("emit") != std::optional<std::string>("policy")) {
    printed = "{\"schema_version\":\"x07.policy.init.report@0.1.0\",\"template\":" + json_quoted(tmpl) +
              ",\"project_root\":" + json_quoted(root.string()) +
              ",\"out\":" + json_quoted(display_relative(out, root)) + ",\"status\":" + json_quoted(status) +
              ",\"policy_id\":" + json_quoted(final_id) + "}\n";
  }
  emit_report(printed, a.get("report-out"), a.has("quiet-json"));
  if (status == "exists_different") {
    std::cerr << render_error("X07POLICY_EXISTS_DIFFERENT", out.string(),
                              "exists and differs from the " + tmpl + " template; left unchanged",
                              "pass --force to overwrite it: `x07 policy init --template " + tmpl + " --force`");
    return 2;
  }
  return 0;
}

}  // namespace x07::facade
