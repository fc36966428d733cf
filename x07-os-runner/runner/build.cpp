#include "build.hpp"

#include <cstdlib>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/sha256.hpp"
#include "compiler/compiler.hpp"
#include "native_cache.hpp"
#include "runner_error.hpp"
#include "subprocess.hpp"
#include "toolchain.hpp"
#include "progress_note.hpp"

namespace x07::runner {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kDefaultMaxCBytes = 32u * 1024u * 1024u;

uint64_t max_c_bytes_from_env() {
  const char* v = std::getenv("X07_MAX_C_BYTES");
  if (!v || !*v) return kDefaultMaxCBytes;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v, &end, 10);
  return (end && *end == '\0' && n > 0) ? n : kDefaultMaxCBytes;
}

bool env_truthy(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return false;
  std::string s(v);
  return !(s.empty() || s == "0" || s == "false" || s == "no" || s == "off");
}

std::string diag_stage(const std::string& kind) {
  if (kind == "Parse") return "parse";
  if (kind == "Typing") return "type";
  return "lower";
}

void put_u64le(Sha256& h, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  h.update(b, 8);
}

// Cache key (runner.md §9.4) extended with the runtime library identity.
std::string cache_key(const std::string& c_src, const Toolchain& tc, const BuildRequest& req,
                      const std::string& rt_hash) {
  const std::string_view nul("\0", 1);
  Sha256 h;
  h.update("x07-native-cache-v2");
  h.update(nul);
  h.update(c_src);
  h.update(nul);
  h.update(tc.identity);
  h.update(nul);
  h.update(req.world);
  h.update(nul);
  put_u64le(h, req.solve_fuel);
  put_u64le(h, req.max_memory_bytes);
  const unsigned char flags[4] = {static_cast<unsigned char>(req.debug_borrow), 1, 1, 0};  // debug, fs, rr, kv
  h.update(flags, 4);
  h.update(nul);
  h.update(tc.cc_args_raw);
  h.update(nul);
  auto file_content = [&](const std::string& token, const char* tag) {
    struct stat st {};
    if (stat(token.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    std::string bytes;
    if (!fsutil::read_file(token, bytes)) return;
    h.update(tag);
    h.update(nul);
    h.update(token);
    h.update(nul);
    h.update(bytes);
    h.update(nul);
  };
  for (const auto& t : tc.cc_args) file_content(t, "cc_arg_file");
  for (const auto& a : req.extra_cc_args) {
    h.update(a);
    h.update(nul);
    file_content(a, "file");
  }
  h.update("x07-runtime");
  h.update(nul);
  h.update(rt_hash);
  h.update(nul);
  h.update(tc.cc);
  return h.finish_hex();
}

std::string cc_failure_block(const std::string& cc, const std::vector<std::string>& argv, const Toolchain& tc,
                             const std::string& src, const std::string& exe, const std::string& keep_c,
                             const std::string& cc_stderr) {
  std::string s = "--- x07 cc invocation ---\ncc: " + cc + "\n\n--- cc argv ---\n";
  for (size_t i = 1; i < argv.size(); ++i) s += argv[i] + "\n";
  if (!tc.cc_args_raw.empty()) s += "\n--- X07_CC_ARGS ---\n" + tc.cc_args_raw + "\n";
  s += "\n--- tmp paths ---\nsrc: " + src + "\nexe: " + exe + "\n";
  if (!keep_c.empty()) s += "keep_c: " + keep_c + "\n";
  if (!cc_stderr.empty()) s += "\n--- cc stderr ---\n" + cc_stderr;
  return s;
}

report::Compile base_compile(const std::string& world) {
  report::Compile c;
  c.lang_id = x07c::kLangId;
  c.native_world = world;
  return c;
}

}  // namespace

std::optional<std::string> compile_to_c(const BuildRequest& req, report::Compile& c) {
  x07c::CompileOptions opts;
  opts.world = req.world;
  opts.allow_unsafe = req.allow_unsafe;
  opts.allow_ffi = req.allow_ffi;
  opts.module_roots = req.module_roots;
  opts.os_stdlib_root = req.os_stdlib_root;
  // The runner owns the C size limit (and its upstream message); the compiler gets no cap.
  const uint64_t max_c_bytes = max_c_bytes_from_env();
  opts.max_c_bytes = UINT64_MAX;
  x07c::CompileResult cr = x07c::compile_entry_file(req.entry, opts);
  if (cr.ok && cr.c_source.size() > max_c_bytes) {
    cr.ok = false;
    cr.error_kind = "Budget";
    cr.error_message = "C source too large: max_c_bytes=" + std::to_string(max_c_bytes) + " got " +
                       std::to_string(cr.c_source.size()) +
                       " (set X07_MAX_C_BYTES=<bytes> or pass --max-c-bytes <bytes>)";
  }
  if (!cr.ok) {
    std::string msg = cr.compile_error();
    const std::string unknown = "unknown module: \"";
    if (auto p = msg.find(unknown); p != std::string::npos && msg.find("hint: x07 pkg provides") == std::string::npos) {
      auto end = msg.find('"', p + unknown.size());
      if (end != std::string::npos)
        msg += "\n\nhint: x07 pkg provides " + msg.substr(p + unknown.size(), end - p - unknown.size());
    }
    c.compile_error = msg;
    for (size_t i = 0; i < cr.diagnostics.size() && i < 20; ++i) {
      const auto& d = cr.diagnostics[i];
      c.diagnostics.push_back({d.code, "error", diag_stage(cr.error_kind), d.message, d.file, d.ptr});
    }
    return std::nullopt;
  }
  c.c_source_size = cr.c_source.size();
  c.fuel_used = cr.fuel_used;
  return std::move(cr.c_source);
}

std::vector<std::string> program_cc_args(const BuildRequest& req, const RuntimeLib& rt, const Toolchain& tc) {
  std::vector<std::string> argv{tc.cc};
  for (auto& f : base_c_flags()) argv.push_back(f);
  argv.push_back("-DX07_FUEL_INIT=" + std::to_string(req.solve_fuel) + "ULL");
  argv.push_back("-DX07_MEM_CAP=" + std::to_string(req.max_memory_bytes) + "u");
  if (req.debug_borrow) argv.push_back("-DX07_DEBUG_BORROW=1");
  for (const char* f : {"-DX07_ENABLE_FS=1", "-DX07_ENABLE_RR=1", "-DX07_ENABLE_KV=0"}) argv.push_back(f);
  argv.push_back("-I" + rt.include_runtime().string());
  argv.push_back("-I" + rt.include_sandbox().string());
  return argv;
}

BuildResult build_program(const BuildRequest& req) {
  BuildResult res;
  report::Compile& c = res.compile;
  c = base_compile(req.world);

  // 1. x07AST -> C, in process.
  std::optional<std::string> c_source = compile_to_c(req, c);
  if (!c_source) return res;

  // 2. Native executable, via the cache.
  const fs::path cache = native_cache_dir();
  std::string err;
  if (!fsutil::create_dirs(cache, &err))
    throw RunnerError("create native cache dir: " + cache.string() + ": " + err);
  Toolchain tc = detect_toolchain(cache);
  const std::string rt_hash = runtime_content_hash(cache);
  const fs::path entry_dir = cache / cache_key(*c_source, tc, req, rt_hash);
  const fs::path solver = entry_dir / "solver";

  struct stat hit {};
  if (stat(solver.c_str(), &hit) == 0 && (hit.st_mode & S_IXUSR)) {
    // LRU bookkeeping: refresh the mtime, but at most once a minute per entry.
    if (time(nullptr) - hit.st_mtim.tv_sec > 60) touch(solver);
  } else {
    RuntimeLib rt;
    try {
      rt = ensure_runtime(cache, tc, rt_hash, req.debug_borrow);
    } catch (const CcFailure& f) {
      c.exit_status = f.exit_code;
      c.compile_error = "C toolchain failed (exit=" + std::to_string(f.exit_code) + ")";
      c.stdout_bytes = f.out;
      c.stderr_bytes = cc_failure_block(tc.cc, f.argv, tc, f.src, f.exe, "", f.err);
      return res;
    }
    if (!fsutil::create_dirs(entry_dir, &err))
      throw RunnerError("create native cache dir: " + entry_dir.string() + ": " + err);
    const std::string stem = fsutil::unique_name("solver_");
    const fs::path src = entry_dir / (stem + ".c");
    const fs::path tmp_exe = entry_dir / stem;
    if (!fsutil::write_file_atomic(src, *c_source, &err))
      throw RunnerError("write C source: " + src.string() + ": " + err);

    std::vector<std::string> argv = program_cc_args(req, rt, tc);
    argv.push_back(src.string());
    argv.push_back("-o");
    argv.push_back(tmp_exe.string());
    argv.insert(argv.end(), tc.cc_args.begin(), tc.cc_args.end());
    argv.insert(argv.end(), req.extra_cc_args.begin(), req.extra_cc_args.end());
    argv.push_back(rt.main_object().string());
    argv.push_back(rt.archive().string());
    argv.insert(argv.end(), rt.link_libs.begin(), rt.link_libs.end());

    std::optional<ProgressNote> note(std::in_place, "compiling " + req.entry.filename().string());
    ToolResult r = run_tool(argv);
    note.reset();
    const bool keep_c = env_truthy("X07_KEEP_C");
    std::string kept;
    if (keep_c) {
      kept = (entry_dir / "solver.c").string();
      ::rename(src.c_str(), kept.c_str());
    } else {
      ::unlink(src.c_str());
    }
    c.stdout_bytes = r.out;
    c.stderr_bytes = r.err;
    if (!r.started || r.exit_code != 0) {
      ::unlink(tmp_exe.c_str());
      c.exit_status = r.started ? r.exit_code : 1;
      std::string cc_err = r.started ? r.err : tc.cc + ": " + fsutil::os_error_text(r.spawn_errno) + "\n";
      c.compile_error = "C toolchain failed (exit=" + std::to_string(c.exit_status) + ")";
      c.stderr_bytes = cc_failure_block(tc.cc, argv, tc, src.string(), tmp_exe.string(), kept, cc_err);
      return res;
    }
    if (::rename(tmp_exe.c_str(), solver.c_str()) != 0)
      throw RunnerError("install executable: " + solver.string() + ": " + fsutil::os_error_text(errno));
    evict_lru(cache, entry_dir);
  }

  // 3. Optional copy for the caller.
  fs::path reported = solver;
  if (req.compiled_out) {
    if (!fsutil::copy_file_atomic(solver, *req.compiled_out, &err))
      throw RunnerError("write --compiled-out: " + *req.compiled_out + ": " + err);
    reported = *req.compiled_out;
  }
  struct stat st {};
  c.ok = true;
  c.exit_status = 0;
  c.compiled_exe = reported.string();
  if (stat(reported.c_str(), &st) == 0) c.compiled_exe_size = static_cast<uint64_t>(st.st_size);
  res.exe = solver;
  return res;
}

}  // namespace x07::runner
