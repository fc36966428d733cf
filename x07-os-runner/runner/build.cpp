#include "build.hpp"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.hpp"
#include "common/sha256.hpp"
#include "compiler/compiler.hpp"
#include "cache_index.hpp"
#include "native_cache.hpp"
#include "progress_note.hpp"
#include "source_key.hpp"
#include "runner_error.hpp"
#include "subprocess.hpp"
#include "toolchain.hpp"

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

// Everything a native executable depends on besides its C source (runner.md §9.4,
// extended with the runtime library identity), as one hash.
std::string build_context(const Toolchain& tc, const BuildRequest& req, const std::string& rt_hash) {
  const std::string_view nul("\0", 1);
  Sha256 h;
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
  for (const auto& f : req.key_files) file_content(f, "key_file");
  h.update("x07-runtime");
  h.update(nul);
  h.update(rt_hash);
  h.update(nul);
  h.update(tc.cc);
  return h.finish_hex();
}

// The native cache key: the C source in its build context.
std::string native_key(const std::string& c_src, const std::string& context) {
  const std::string_view nul("\0", 1);
  Sha256 h;
  h.update("x07-native-cache-v3");
  h.update(nul);
  h.update(context);
  h.update(nul);
  h.update(c_src);
  return h.finish_hex();
}

// What the front end's output depends on besides the sources: the build context, this
// runner binary (compiler, embedded std modules) and the front-end options. Empty when
// the runner cannot identify itself (no warm path then).
std::string front_end_context(const std::string& context, const BuildRequest& req, uint64_t max_c_bytes) {
  std::string self = runner_binary_identity();
  if (self.empty()) return "";
  std::string s = context + "\n" + self + "\n" + req.world + "\n" + (req.allow_unsafe ? "u" : "-") +
                  (req.allow_ffi ? "f" : "-") + "\n" + std::to_string(max_c_bytes) + "\n" + x07c::compiler_env_knobs();
  for (const auto& r : req.module_roots) s += "root " + r.string() + "\n";
  if (req.os_stdlib_root) s += "os " + req.os_stdlib_root->string() + "\n";
  return s;
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

std::optional<std::string> compile_to_c(const BuildRequest& req, report::Compile& c,
                                        std::vector<std::pair<std::string, bool>>* module_probes) {
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
  if (module_probes) *module_probes = std::move(cr.module_probes);
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

namespace {

// Builds the native executable for `c_source` into `entry_dir`/solver. Returns false
// (with `c` describing the failure) when the C toolchain failed.
bool build_native(const BuildRequest& req, const Toolchain& tc, const fs::path& cache, const std::string& rt_hash,
                  const std::string& c_source, const fs::path& entry_dir, report::Compile& c) {
  std::string err;
  RuntimeLib rt;
  EntryLock rt_lock;  // the library must not be evicted while we link against it
  for (int attempt = 0; attempt < 3 && !rt_lock.held(); ++attempt) {
    try {
      rt = ensure_runtime(cache, tc, rt_hash, req.debug_borrow);
    } catch (const CcFailure& f) {
      c.exit_status = f.exit_code;
      c.compile_error = "C toolchain failed (exit=" + std::to_string(f.exit_code) + ")";
      c.stdout_bytes = f.out;
      c.stderr_bytes = cc_failure_block(tc.cc, f.argv, tc, f.src, f.exe, "", f.err);
      return false;
    }
    rt_lock = EntryLock::acquire(rt.archive());
  }
  if (!rt_lock.held()) throw RunnerError("runtime library evicted while in use: " + rt.archive().string());
  // Built beside the entries, not inside entry_dir: until we hold its lock, a concurrent runner's
  // eviction may rename entry_dir away (with whatever we were writing into it).
  const std::string stem = fsutil::unique_name("solver_");
  const fs::path src = cache / (stem + ".c");
  const fs::path tmp_exe = cache / stem;
  if (!fsutil::write_file_atomic(src, c_source, &err))
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
  if (!keep_c) ::unlink(src.c_str());
  c.stdout_bytes = r.out;
  c.stderr_bytes = r.err;
  if (!r.started || r.exit_code != 0) {
    ::unlink(tmp_exe.c_str());
    if (keep_c) kept = src.string();
    c.exit_status = r.started ? r.exit_code : 1;
    std::string cc_err = r.started ? r.err : tc.cc + ": " + fsutil::os_error_text(r.spawn_errno) + "\n";
    c.compile_error = "C toolchain failed (exit=" + std::to_string(c.exit_status) + ")";
    c.stderr_bytes = cc_failure_block(tc.cc, argv, tc, src.string(), tmp_exe.string(), kept, cc_err);
    return false;
  }
  const fs::path solver = entry_dir / "solver";
  for (int attempt = 0;; ++attempt) {  // ENOENT: entry_dir was evicted between create and rename
    if (!fsutil::create_dirs(entry_dir, &err)) {
      ::unlink(tmp_exe.c_str());
      throw RunnerError("create native cache dir: " + entry_dir.string() + ": " + err);
    }
    if (::rename(tmp_exe.c_str(), solver.c_str()) == 0) break;
    const int e = errno;
    if (e != ENOENT || attempt == 2) {
      ::unlink(tmp_exe.c_str());
      throw RunnerError("install executable: " + solver.string() + ": " + fsutil::os_error_text(e));
    }
  }
  if (keep_c && ::rename(src.c_str(), (entry_dir / "solver.c").c_str()) != 0) ::unlink(src.c_str());
  return true;
}

}  // namespace

BuildResult build_program(const BuildRequest& req) {
  BuildResult res;
  report::Compile& c = res.compile;
  c = base_compile(req.world);

  const fs::path cache = native_cache_dir();
  std::string err;
  if (!fsutil::create_dirs(cache, &err))
    throw RunnerError("create native cache dir: " + cache.string() + ": " + err);
  Toolchain tc = detect_toolchain(cache);
  const std::string rt_hash = runtime_content_hash(cache);
  const std::string context = build_context(tc, req, rt_hash);
  const uint64_t max_c_bytes = max_c_bytes_from_env();

  // 1. Warm path: the sources are unchanged since an earlier compile, no front end needed.
  std::optional<std::string> src_key;
  if (std::string fe = front_end_context(context, req, max_c_bytes); !fe.empty()) src_key = source_key(req.entry, fe);
  fs::path solver;
  if (src_key) {
    if (auto hit = source_lookup(cache, *src_key)) {
      solver = cache / hit->native_key / "solver";
      res.entry_lock = std::make_shared<EntryLock>(EntryLock::acquire(solver));
      if (res.entry_lock->held()) {
        cache_touch(solver);
        c.c_source_size = hit->c_source_size;
        c.fuel_used = hit->fuel_used;
      } else {
        res.entry_lock.reset();
      }
    }
  }

  if (!res.entry_lock) {
    // 2. x07AST -> C, in process.
    std::vector<std::pair<std::string, bool>> probes;
    std::optional<std::string> c_source = compile_to_c(req, c, &probes);
    if (!c_source) return res;

    // 3. Native executable, via the cache.
    const std::string key = native_key(*c_source, context);
    const fs::path entry_dir = cache / key;
    solver = entry_dir / "solver";
    for (int attempt = 0; attempt < 3; ++attempt) {
      EntryLock lock = EntryLock::acquire(solver);
      if (lock.held()) {
        cache_touch(solver);
      } else {
        if (!build_native(req, tc, cache, rt_hash, *c_source, entry_dir, c)) return res;
        lock = EntryLock::acquire(solver);
        if (!lock.held()) continue;  // evicted by a concurrent runner before we could lock it
        cache_index_add(cache, key);
      }
      res.entry_lock = std::make_shared<EntryLock>(std::move(lock));
      break;
    }
    if (!res.entry_lock) throw RunnerError("native cache entry evicted while in use: " + solver.string());
    if (src_key) source_record(cache, *src_key, {key, c.c_source_size, c.fuel_used ? *c.fuel_used : 0}, probes);
  }

  // 4. Optional copy for the caller.
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
