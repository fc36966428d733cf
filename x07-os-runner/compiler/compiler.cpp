// compile_entry_file: load -> typecheck -> lower -> emit, with every failure
// turned into a CompileResult (never an exception or a crash).
#include "compiler.hpp"

#include <new>
#include <pthread.h>

#include "ir.hpp"
#include "loader.hpp"

namespace x07c {
namespace {

// Stable diagnostic codes per error class (unknown callees use the x07 check code).
std::string diagnostic_code(const CompileError& e) {
  std::string msg = e.what();
  if (msg.rfind("unsupported head: ", 0) == 0) return "X07-TYPE-CALL-0001";
  if (e.kind == "Parse") return "X07-PARSE-0001";
  if (e.kind == "Typing") return "X07-TYPE-0001";
  if (e.kind == "Unsupported") return "X07-UNSUPPORTED-0001";
  if (e.kind == "Budget") return "X07-BUDGET-0001";
  return "X07-INTERNAL-0001";
}

}  // namespace

// The shared pipeline; `emit` = false stops after the typechecker.
static CompileResult run_pipeline(const std::filesystem::path& entry, const CompileOptions& opts, bool emit) {
  CompileResult res;
  Program prog;
  prog.world = opts.world;
  prog.allow_unsafe = opts.world == "run-os" ? true : opts.allow_unsafe;
  prog.allow_ffi = opts.world == "run-os" ? true : opts.allow_ffi;
  try {
    if (opts.world != "run-os" && opts.world != "run-os-sandboxed" && !is_fixture_world(opts.world))
      throw CompileError("Unsupported", "unsupported world: \"" + opts.world +
                                            "\" (this compiler targets run-os, run-os-sandboxed and the fixture worlds "
                                            "solve-fs, solve-kv, solve-rr, solve-full)");
    LoadOptions lo;
    lo.module_roots = opts.module_roots;
    lo.os_stdlib_root = opts.os_stdlib_root;
    lo.keep_unreachable = opts.keep_unreachable || !emit;
    load_program(prog, entry, lo);
    typecheck_program(prog);
    if (!emit) {
      res.ok = true;
      res.fuel_used = prog.work;
      return res;
    }
    IrProgram ir = lower_program(prog);
    res.c_source = emit_c(ir);
    if (res.c_source.size() > opts.max_c_bytes)
      throw CompileError("Budget", "emitted C too large: max_c_bytes=" + std::to_string(opts.max_c_bytes) + " got " +
                                       std::to_string(res.c_source.size()));
    res.ok = true;
    res.fuel_used = prog.work;
    res.module_probes = std::move(prog.module_probes);
    return res;
  } catch (const CompileError& e) {
    res.error_kind = e.kind;
    res.error_message = e.what();
    if (!e.file.empty() || !e.ptr.empty()) {
      res.error_message += " [at " + (e.file.empty() ? std::string("<unknown file>") : e.file);
      if (!e.ptr.empty()) res.error_message += " ptr=" + e.ptr;
      res.error_message += "]";
    }
    res.diagnostics.push_back({diagnostic_code(e), e.what(), e.file, e.ptr});
  } catch (const std::bad_alloc&) {
    res.error_kind = "Budget";
    res.error_message = "compiler ran out of memory";
  } catch (const std::exception& e) {
    res.error_kind = "Internal";
    res.error_message = std::string("internal compiler error: ") + e.what();
  } catch (...) {
    res.error_kind = "Internal";
    res.error_message = "internal compiler error";
  }
  res.ok = false;
  res.c_source.clear();
  return res;
}

// The stages recurse a few frames per nesting level of the program, and programs may nest
// json::kProgramMaxDepth levels (a sanitizer build's frames are several times larger): the
// pipeline runs on a thread whose stack is reserved large (pages are committed only as used),
// so a deep program gets a result, never a stack overflow.
static CompileResult run_on_large_stack(const std::filesystem::path& entry, const CompileOptions& opts, bool emit) {
  constexpr size_t kStackBytes = size_t{256} << 20;
  struct Job {
    const std::filesystem::path& entry;
    const CompileOptions& opts;
    bool emit;
    CompileResult res;
  } job{entry, opts, emit, {}};
  auto body = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    j->res = run_pipeline(j->entry, j->opts, j->emit);  // catches every exception itself
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0;
  if (started) {
    started = pthread_attr_setstacksize(&attr, kStackBytes) == 0 && pthread_create(&thread, &attr, body, &job) == 0;
    pthread_attr_destroy(&attr);
  }
  if (!started) return run_pipeline(entry, opts, emit);  // no thread (e.g. address space limit): this stack
  pthread_join(thread, nullptr);
  return std::move(job.res);
}

CompileResult compile_entry_file(const std::filesystem::path& entry, const CompileOptions& opts) {
  return run_on_large_stack(entry, opts, true);
}

CompileResult check_entry_file(const std::filesystem::path& entry, const CompileOptions& opts) {
  return run_on_large_stack(entry, opts, false);
}

std::string compiler_env_knobs() {
  std::string s;
  for (const char* name : {"X07_NO_LOOP_VERSIONING", "X07_SPLIT_ABOVE"}) {
    const char* v = std::getenv(name);
    s += std::string(name) + "=" + (v ? v : "") + "\n";
  }
  return s;
}

}  // namespace x07c
