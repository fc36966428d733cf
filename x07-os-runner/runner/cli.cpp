#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>

#include <boost/program_options.hpp>

#include "common/json.hpp"
#include "common/text.hpp"
#include "runner_error.hpp"

namespace po = boost::program_options;

namespace x07::runner {

namespace {

const std::vector<std::string> kWorlds = {"solve-pure", "solve-fs", "solve-rr",        "solve-kv",
                                          "solve-full", "run-os",   "run-os-sandboxed"};
const std::vector<std::string> kBackends = {"auto", "vm", "os", "native", "none"};
const std::vector<std::string> kCcProfiles = {"default", "size"};

struct Flag {
  const char* name;
  const char* value;  // nullptr = boolean switch; otherwise shown as the clap-style value name
  const char* help;
  bool hidden = false;
};

// Order = help order.
const Flag kFlags[] = {
    {"artifact", "ARTIFACT", "Run a prebuilt executable (mode run-os)"},
    {"program", "PROGRAM", "Compile and run an x07AST entry file (*.x07.json)"},
    {"project", "PROJECT", "Compile and run a project manifest (x07.json)"},
    {"world", "WORLD", "run-os (default), run-os-sandboxed, or a fixture world: solve-fs, solve-rr, solve-kv, solve-full"},
    {"policy", "POLICY", "Run-os policy file (required for run-os-sandboxed)"},
    {"fixture-fs-dir", "FIXTURE_FS_DIR", "solve-fs/solve-full: the fixture directory the program reads"},
    {"fixture-fs-root", "FIXTURE_FS_ROOT", "Subdirectory of --fixture-fs-dir used as the run directory"},
    {"fixture-fs-latency-index", "FIXTURE_FS_LATENCY_INDEX", "Fs latency index (not supported: fails)"},
    {"fixture-rr-dir", "FIXTURE_RR_DIR", "solve-rr/solve-full: the directory of rr cassettes (.rrbin)"},
    {"fixture-kv-dir", "FIXTURE_KV_DIR", "solve-kv/solve-full: the kv fixture directory"},
    {"fixture-kv-seed", "FIXTURE_KV_SEED", "Seed file in --fixture-kv-dir (x07.kv.seed@0.1.0 JSON)"},
    {"module-root", "MODULE_ROOT", "Extra module root for --program (repeatable)"},
    {"input", "INPUT", "Input bytes file (default: empty input)"},
    {"solve-fuel", "SOLVE_FUEL", "Fuel budget baked into the executable [default: 50000000]"},
    {"max-memory-bytes", "MAX_MEMORY_BYTES", "Heap arena size baked into the executable [default: 67108864]"},
    {"max-output-bytes", "MAX_OUTPUT_BYTES", "Largest accepted program output [default: 1048576]"},
    {"cpu-time-limit-seconds", "CPU_TIME_LIMIT_SECONDS", "run-os CPU limit; wall limit is this + 1 s [default: 30]"},
    {"cc-profile", "CC_PROFILE", "C flag profile: default or size"},
    {"max-c-bytes", "MAX_C_BYTES", "Limit on the generated C size (exports X07_MAX_C_BYTES)"},
    {"compiled-out", "COMPILED_OUT", "Also copy the compiled executable here"},
    {"sandbox-backend", "SANDBOX_BACKEND", "auto (default: os for run-os-sandboxed), os, none, vm"},
    {"i-accept-weaker-isolation", nullptr, "Allow sandbox_backend=none (or a kernel lacking sandbox features)"},
    {"compat", "COMPAT", "Language compat: current, strict, or MAJOR.MINOR[.PATCH]"},
    {"debug-borrow-checks", nullptr, "Compile with runtime borrow checks"},
    {"auto-ffi", nullptr, "Compile and link ffi/*.c of ffi packages"},
    {"attest-runtime", "ATTEST_RUNTIME", "Write a runtime attestation (run-os-sandboxed only)"},
    {"cli-specrows", nullptr, "Print a JSON description of this CLI"},
    {"stream-output", nullptr, "Also pass the program's stderr to this stderr while it runs (metrics line excluded)"},
    {"version", nullptr, "Print version"},
    {"compile-only", nullptr, "Compile, report, do not run", true},
    {"i-accept-precompiled-artifact", nullptr, "Allow --artifact with run-os-sandboxed", true},
    {"bundle-out", "PATH", "Build a bundle executable at PATH instead of running (x07 bundle)", true},
    {"bundle-name", "NAME", "Bundle name (argv_v1 token 0)", true},
    {"bundle-emit-dir", "DIR", "Also write the bundle's C sources to DIR", true},
    {"help", nullptr, "Print help"},
};

std::string placeholder(const Flag& f) {
  std::string p = f.value ? f.value : "";
  return "'--" + std::string(f.name) + (f.value ? " <" + p + ">'" : "'");
}

const Flag& flag(std::string_view name) {
  if (name.substr(0, 2) == "--") name.remove_prefix(2);
  for (const auto& f : kFlags) {
    if (name == f.name) return f;
  }
  return kFlags[0];
}

[[noreturn]] void invalid_value(std::string_view name, const std::string& value, const std::string& why) {
  throw UsageError("error: invalid value '" + value + "' for " + placeholder(flag(name)) + ": " + why);
}

[[noreturn]] void invalid_choice(std::string_view name, const std::string& value,
                                 const std::vector<std::string>& choices) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw UsageError("error: invalid value '" + value + "' for " + placeholder(flag(name)) +
                   "\n  [possible values: " + list + "]");
}

uint64_t parse_u64(std::string_view name, const std::string& s) {
  uint64_t v = 0;
  if (s.empty()) invalid_value(name, s, "cannot parse integer from empty string");
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) invalid_value(name, s, "number too large to fit in target type");
  if (ec != std::errc() || p != s.data() + s.size()) invalid_value(name, s, "invalid digit found in string");
  return v;
}

std::string choice(std::string_view name, const std::string& v, const std::vector<std::string>& choices) {
  if (std::find(choices.begin(), choices.end(), v) == choices.end()) invalid_choice(name, v, choices);
  return v;
}

void print_help() {
  std::cout << "Compile and run x07 programs in the OS worlds (run-os, run-os-sandboxed) or the deterministic fixture\n"
               "worlds (solve-fs, solve-rr, solve-kv, solve-full) and print a JSON report.\n\n"
               "Usage: x07-os-runner [OPTIONS]\n\nOptions:\n";
  for (const auto& f : kFlags) {
    if (f.hidden) continue;
    std::string left = "      --" + std::string(f.name) + (f.value ? " <" + std::string(f.value) + ">" : "");
    if (left.size() < 40) left.append(40 - left.size(), ' ');
    else left += "  ";
    std::cout << left << f.help << "\n";
  }
}

}  // namespace

std::string usage_help(const std::string& message) {
  std::string help;
  const std::string marker = "unexpected argument '";
  if (size_t p = message.find(marker); p != std::string::npos) {
    std::string token = message.substr(p + marker.size(), message.find('\'', p + marker.size()) - p - marker.size());
    std::vector<std::string> names;
    for (const auto& f : kFlags)
      if (!f.hidden) names.push_back("--" + std::string(f.name));
    std::string near = text::nearest(token.substr(0, token.find('=')), names);
    if (!near.empty()) help = "did you mean '" + near + "'?\n";
  }
  return help + "usage: x07-os-runner [OPTIONS] (for more information, try '--help')";
}


ParseOutcome parse_cli(int argc, char** argv, Options& out) {
  po::options_description desc;
  for (const auto& f : kFlags) {
    if (!f.value) desc.add_options()(f.name, po::bool_switch());
    else if (std::string_view(f.name) == "module-root")
      desc.add_options()(f.name, po::value<std::vector<std::string>>());
    else desc.add_options()(f.name, po::value<std::string>());
  }
  po::variables_map vm;
  try {
    // Long options only (`--flag value` / `--flag=value`); no abbreviations.
    int style = po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent |
                po::command_line_style::long_allow_next;
    std::vector<std::string> tokens;  // -h / -V are the only short forms
    for (int i = 1; i < argc; ++i) {
      std::string t = argv[i];
      tokens.push_back(t == "-h" ? "--help" : t == "-V" ? "--version" : t);
    }
    po::store(po::command_line_parser(tokens).options(desc).style(style).run(), vm);
  } catch (const po::unknown_option& e) {
    throw UsageError("error: unexpected argument '" + e.get_option_name() + "' found");
  } catch (const po::multiple_occurrences& e) {
    std::string name = e.get_option_name();
    throw UsageError("error: the argument " + placeholder(flag(name)) +
                     " cannot be used multiple times");
  } catch (const po::invalid_command_line_syntax& e) {
    std::string name = e.get_option_name();
    if (e.kind() == po::invalid_command_line_syntax::missing_parameter)
      throw UsageError("error: a value is required for " + placeholder(flag(name)) +
                       " but none was supplied");
    throw UsageError(std::string("error: ") + e.what());
  } catch (const po::error& e) {
    throw UsageError(std::string("error: ") + e.what());
  }
  auto has = [&](const char* n) { return vm.count(n) > 0 && !vm[n].defaulted(); };
  auto sw = [&](const char* n) { return vm.count(n) > 0 && vm[n].as<bool>(); };
  auto str = [&](const char* n) -> std::optional<std::string> {
    if (!has(n)) return std::nullopt;
    return vm[n].as<std::string>();
  };

  if (sw("help")) {
    print_help();
    return ParseOutcome::HelpPrinted;
  }
  out.artifact = str("artifact");
  out.program = str("program");
  out.project = str("project");
  if (auto w = str("world")) out.world = choice("world", *w, kWorlds);
  out.compat = str("compat");
  if (auto b = str("sandbox-backend")) {
    std::string v = choice("sandbox-backend", *b, kBackends);
    out.sandbox_backend = v == "native" ? "os" : v;
  }
  out.accept_weaker_isolation = sw("i-accept-weaker-isolation");
  if (auto v = str("max-c-bytes")) out.max_c_bytes = parse_u64("max-c-bytes", *v);
  out.policy = str("policy");
  out.input = str("input");
  out.fixture_fs_dir = str("fixture-fs-dir");
  out.fixture_fs_root = str("fixture-fs-root");
  out.fixture_fs_latency_index = str("fixture-fs-latency-index");
  out.fixture_rr_dir = str("fixture-rr-dir");
  out.fixture_kv_dir = str("fixture-kv-dir");
  out.fixture_kv_seed = str("fixture-kv-seed");
  if (auto v = str("solve-fuel")) out.solve_fuel = parse_u64("solve-fuel", *v);
  if (auto v = str("max-memory-bytes")) out.max_memory_bytes = parse_u64("max-memory-bytes", *v);
  if (auto v = str("max-output-bytes")) out.max_output_bytes = parse_u64("max-output-bytes", *v);
  if (auto v = str("cpu-time-limit-seconds")) out.cpu_time_limit_seconds = parse_u64("cpu-time-limit-seconds", *v);
  out.debug_borrow_checks = sw("debug-borrow-checks");
  if (auto v = str("cc-profile")) out.cc_profile = choice("cc-profile", *v, kCcProfiles);
  out.compiled_out = str("compiled-out");
  out.compile_only = sw("compile-only");
  out.accept_precompiled_artifact = sw("i-accept-precompiled-artifact");
  if (has("module-root")) out.module_roots = vm["module-root"].as<std::vector<std::string>>();
  out.auto_ffi = sw("auto-ffi");
  out.attest_runtime = str("attest-runtime");
  out.cli_specrows = sw("cli-specrows");
  out.stream_output = sw("stream-output");
  out.version = sw("version");
  out.bundle_out = str("bundle-out");
  out.bundle_name = str("bundle-name");
  out.bundle_emit_dir = str("bundle-emit-dir");
  return ParseOutcome::Run;
}

std::string cli_specrows() {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::Value rows(rapidjson::kArrayType);
  auto row = [&](std::initializer_list<std::string> cells) {
    json::Value r(rapidjson::kArrayType);
    for (const auto& c : cells) r.PushBack(json::make_string(c, a), a);
    rows.PushBack(r, a);
  };
  row({"root", "about", "Compile and run x07 programs in the OS worlds"});
  for (const auto& f : kFlags) {
    if (f.hidden) continue;
    std::string name = "--" + std::string(f.name);
    if (f.value) row({"root", "opt", "", name, f.value, f.help});
    else row({"root", "flag", "", name, f.help});
  }
  d.AddMember("rows", rows, a);
  d.AddMember("schema_version", "x07cli.specrows@0.1.0", a);
  return json::to_compact(d);
}

}  // namespace x07::runner
