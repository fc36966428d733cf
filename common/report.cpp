#include "common/report.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "common/base64.hpp"
#include "common/json.hpp"

namespace x07::report {

namespace {

using json::Allocator;
using json::Value;

Value str(const std::string& s, Allocator& a) { return json::make_string(s, a); }
Value opt_str(const std::optional<std::string>& s, Allocator& a) { return s ? str(*s, a) : Value(); }
Value b64(const std::string& bytes, Allocator& a) { return str(base64::encode(bytes), a); }

void put(Value& obj, const char* key, Value v, Allocator& a) { obj.AddMember(Value(key, a), v, a); }

// File-backed fields are rendered as unique placeholder strings first, then replaced by
// their base64 text while the report is written out.
struct Spooled {
  std::vector<std::pair<std::string, FileBytes>> fields;  // placeholder -> bytes
  std::string nonce;
};
thread_local Spooled* g_spooled = nullptr;

std::string random_nonce() {
  unsigned char b[16] = {};
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t r = ::read(fd, b, sizeof b);
    (void)r;
    ::close(fd);
  }
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) s += {hex[c >> 4], hex[c & 15]};
  s += std::to_string(::getpid());
  return s;
}

Value b64_or_file(const std::string& bytes, const std::optional<FileBytes>& file, Allocator& a) {
  if (!file) return b64(bytes, a);
  if (!g_spooled) {  // to_json: materialize (callers that need flat memory use write_json)
    std::string data(file->size, '\0');
    size_t got = 0;
    while (got < data.size()) {
      ssize_t r = ::pread(*file->fd, data.data() + got, data.size() - got, static_cast<off_t>(file->offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    data.resize(got);
    return b64(data, a);
  }
  if (g_spooled->nonce.empty()) g_spooled->nonce = random_nonce();  // only reports with a spooled field need one
  std::string token = "x07-spooled-" + g_spooled->nonce + "-" + std::to_string(g_spooled->fields.size());
  g_spooled->fields.emplace_back(token, *file);
  return str(token, a);
}

// Writes base64 of `f` to `out` in chunks (a multiple of 3 bytes each, so the pieces join).
bool stream_b64(std::ostream& out, const FileBytes& f) {
  std::string buf(3 * 65536, '\0');
  uint64_t off = f.offset, left = f.size;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    size_t got = 0;
    while (got < want) {
      ssize_t r = ::pread(*f.fd, buf.data() + got, want - got, static_cast<off_t>(off + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    out << base64::encode(std::string_view(buf.data(), got));
    if (!out) return false;
    off += got;
    left -= got;
  }
  return true;
}

// Writes the rendered report, replacing each placeholder (as a whole JSON string) by
// the streamed base64 of its bytes.
bool write_spliced(std::ostream& out, const std::string& rendered, const Spooled& sp) {
  std::vector<std::pair<size_t, const std::pair<std::string, FileBytes>*>> at;  // in output order
  for (const auto& f : sp.fields) {
    size_t p = rendered.find("\"" + f.first + "\"");
    if (p == std::string::npos) return false;
    at.emplace_back(p, &f);
  }
  std::sort(at.begin(), at.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t pos = 0;
  for (const auto& [p, f] : at) {
    out.write(rendered.data() + pos, static_cast<std::streamsize>(p + 1 - pos));  // through the opening quote
    if (!stream_b64(out, f->second)) return false;
    pos = p + 1 + f->first.size();  // the closing quote is written with the next piece
  }
  out.write(rendered.data() + pos, static_cast<std::streamsize>(rendered.size() - pos));
  out.flush();
  return static_cast<bool>(out);
}


Value mem_stats(const MemStats& m, Allocator& a) {
  Value o(rapidjson::kObjectType);
  put(o, "alloc_calls", Value(m.alloc_calls), a);
  put(o, "bytes_alloc_total", Value(m.bytes_alloc_total), a);
  put(o, "bytes_freed_total", Value(m.bytes_freed_total), a);
  put(o, "free_calls", Value(m.free_calls), a);
  put(o, "live_allocs", Value(m.live_allocs), a);
  put(o, "live_bytes", Value(m.live_bytes), a);
  put(o, "memcpy_bytes", Value(m.memcpy_bytes), a);
  put(o, "peak_live_allocs", Value(m.peak_live_allocs), a);
  put(o, "peak_live_bytes", Value(m.peak_live_bytes), a);
  put(o, "realloc_calls", Value(m.realloc_calls), a);
  return o;
}

Value sched_stats(const SchedStats& s, Allocator& a) {
  Value o(rapidjson::kObjectType);
  put(o, "blocked_waits", Value(s.blocked_waits), a);
  put(o, "chan_recv_calls", Value(s.chan_recv_calls), a);
  put(o, "chan_send_calls", Value(s.chan_send_calls), a);
  put(o, "ctx_switches", Value(s.ctx_switches), a);
  put(o, "join_calls", Value(s.join_calls), a);
  put(o, "sched_trace_hash", str(s.sched_trace_hash, a), a);
  put(o, "sleep_calls", Value(s.sleep_calls), a);
  put(o, "spawn_calls", Value(s.spawn_calls), a);
  put(o, "tasks_spawned", Value(s.tasks_spawned), a);
  put(o, "virtual_time_end", Value(s.virtual_time_end), a);
  put(o, "wake_events", Value(s.wake_events), a);
  put(o, "yield_calls", Value(s.yield_calls), a);
  return o;
}

// Adds the solve fields (§2.5) to `o`.
void add_solve_fields(Value& o, const Solve& s, Allocator& a) {
  const Metrics* m = s.metrics ? &*s.metrics : nullptr;
  auto counter = [&](const char* key, uint64_t Metrics::*field) {
    put(o, key, m ? Value(m->*field) : Value(), a);
  };
  put(o, "ok", Value(s.ok), a);
  put(o, "exit_status", Value(s.exit_status), a);
  put(o, "solve_output_b64", b64_or_file(s.solve_output, s.solve_output_file, a), a);
  put(o, "stdout_b64", b64_or_file(s.stdout_bytes, s.stdout_file, a), a);
  put(o, "stderr_b64", b64(s.stderr_bytes, a), a);
  counter("fuel_used", &Metrics::fuel_used);
  counter("heap_used", &Metrics::heap_used);
  counter("fs_read_file_calls", &Metrics::fs_read_file_calls);
  counter("fs_list_dir_calls", &Metrics::fs_list_dir_calls);
  counter("rr_open_calls", &Metrics::rr_open_calls);
  counter("rr_close_calls", &Metrics::rr_close_calls);
  counter("rr_stats_calls", &Metrics::rr_stats_calls);
  counter("rr_next_calls", &Metrics::rr_next_calls);
  counter("rr_next_miss_calls", &Metrics::rr_next_miss_calls);
  counter("rr_append_calls", &Metrics::rr_append_calls);
  counter("kv_get_calls", &Metrics::kv_get_calls);
  counter("kv_set_calls", &Metrics::kv_set_calls);
  put(o, "sched_stats", m && m->sched_stats ? sched_stats(*m->sched_stats, a) : Value(), a);
  put(o, "mem_stats", m && m->mem_stats ? mem_stats(*m->mem_stats, a) : Value(), a);
  Value dbg;
  if (m && m->debug_stats) {
    dbg.SetObject();
    put(dbg, "borrow_violations", Value(m->debug_stats->borrow_violations), a);
  }
  put(o, "debug_stats", std::move(dbg), a);
  put(o, "trap", opt_str(s.trap, a), a);
  put(o, "trap_help", opt_str(s.trap_help, a), a);
}

Value solve_object(const Solve& s, Allocator& a) {
  Value o(rapidjson::kObjectType);
  add_solve_fields(o, s, a);
  return o;
}

Value text_position(uint32_t line, uint32_t col, Allocator& a) {
  Value p(rapidjson::kObjectType);
  put(p, "line", Value(line), a);
  put(p, "col", Value(col == 0 ? 1u : col), a);
  return p;
}

// `loc` (and `data`) of one diagnostic in the x07diag schema's own forms.
void put_diagnostic_location(Value& e, const Diagnostic& d, Allocator& a) {
  Value data(rapidjson::kObjectType);
  if (d.line > 0) {
    Value span(rapidjson::kObjectType);
    if (!d.file.empty()) put(span, "file", str(d.file, a), a);
    put(span, "start", text_position(d.line, d.col, a), a);
    put(span, "end", text_position(d.line, d.col, a), a);
    Value loc(rapidjson::kObjectType);
    put(loc, "kind", Value("text"), a);
    put(loc, "span", std::move(span), a);
    put(e, "loc", std::move(loc), a);
    if (!d.ptr.empty()) put(data, "ptr", str(d.ptr, a), a);
  } else if (!d.file.empty() || !d.ptr.empty()) {
    Value loc(rapidjson::kObjectType);
    put(loc, "kind", Value("x07ast"), a);
    put(loc, "ptr", str(d.ptr, a), a);
    put(e, "loc", std::move(loc), a);
    if (!d.file.empty()) put(data, "file", str(d.file, a), a);
  }
  if (data.MemberCount() > 0) put(e, "data", std::move(data), a);
}

Value compile_object(const Compile& c, Allocator& a) {
  Value o(rapidjson::kObjectType);
  put(o, "ok", Value(c.ok), a);
  put(o, "exit_status", Value(c.exit_status), a);
  put(o, "lang_id", str(c.lang_id, a), a);
  Value nr(rapidjson::kObjectType);
  Value reqs(rapidjson::kArrayType);
  for (const auto& r : c.native_requires) {
    Value e(rapidjson::kObjectType);
    put(e, "abi_major", Value(r.abi_major), a);
    put(e, "backend_id", str(r.backend_id, a), a);
    if (!r.features.empty()) {
      Value f(rapidjson::kArrayType);
      for (const auto& x : r.features) f.PushBack(str(x, a), a);
      put(e, "features", std::move(f), a);
    }
    reqs.PushBack(e, a);
  }
  put(nr, "requires", std::move(reqs), a);
  put(nr, "schema_version", Value(kNativeRequiresSchema, a), a);
  if (c.native_world) put(nr, "world", str(*c.native_world, a), a);
  put(o, "native_requires", std::move(nr), a);
  put(o, "c_source_size", Value(c.c_source_size), a);
  put(o, "compiled_exe", opt_str(c.compiled_exe, a), a);
  put(o, "compiled_exe_size", c.compiled_exe_size ? Value(*c.compiled_exe_size) : Value(), a);
  put(o, "compile_error", opt_str(c.compile_error, a), a);
  if (!c.diagnostics.empty()) {
    Value ds(rapidjson::kArrayType);
    for (const auto& d : c.diagnostics) {
      Value e(rapidjson::kObjectType);
      put(e, "code", str(d.code, a), a);
      put(e, "severity", str(d.severity, a), a);
      put(e, "stage", str(d.stage, a), a);
      put(e, "message", str(d.message, a), a);
      put_diagnostic_location(e, d, a);
      ds.PushBack(e, a);
    }
    put(o, "diagnostics", std::move(ds), a);
  }
  put(o, "stdout_b64", b64(c.stdout_bytes, a), a);
  put(o, "stderr_b64", b64(c.stderr_bytes, a), a);
  put(o, "fuel_used", c.fuel_used ? Value(*c.fuel_used) : Value(), a);
  put(o, "trap", opt_str(c.trap, a), a);
  return o;
}

void add_common_tail(Value& o, const std::optional<std::string>& backend,
                     const std::optional<AttestationRef>& att, Allocator& a) {
  if (backend) put(o, "sandbox_backend", str(*backend, a), a);
  if (att) {
    Value r(rapidjson::kObjectType);
    put(r, "network_enforcement", str(att->network_enforcement, a), a);
    put(r, "network_mode", str(att->network_mode, a), a);
    put(r, "path", str(att->path, a), a);
    put(r, "sandbox_backend", str(att->sandbox_backend, a), a);
    put(r, "weaker_isolation", Value(att->weaker_isolation), a);
    put(o, "runtime_attestation", std::move(r), a);
  }
}

}  // namespace

int CompileRunReport::exit_code() const {
  if (!compile.ok) return 1;
  if (!solve) return 0;  // --compile-only
  return solve->ok && solve->exit_status == 0 ? 0 : 1;
}

std::string to_json(const RunOsReport& r) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  put(d, "schema_version", Value(kSchemaVersion, a), a);
  put(d, "mode", Value("run-os"), a);
  put(d, "world", str(r.world, a), a);
  put(d, "exit_code", Value(r.exit_code()), a);
  add_solve_fields(d, r.solve, a);
  add_common_tail(d, r.sandbox_backend, r.runtime_attestation, a);
  return json::to_pretty_sorted(d);
}

std::string to_json(const CompileRunReport& r) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  put(d, "schema_version", Value(kSchemaVersion, a), a);
  put(d, "mode", str(r.mode, a), a);
  put(d, "world", str(r.world, a), a);
  put(d, "exit_code", Value(r.exit_code()), a);
  put(d, "compile", compile_object(r.compile, a), a);
  put(d, "solve", r.solve ? solve_object(*r.solve, a) : Value(), a);
  add_common_tail(d, r.sandbox_backend, r.runtime_attestation, a);
  return json::to_pretty_sorted(d);
}

namespace {

template <class R>
bool write_json_impl(std::ostream& out, const R& r) {
  Spooled sp;
  g_spooled = &sp;
  std::string rendered;
  try {
    rendered = to_json(r);
  } catch (...) {
    g_spooled = nullptr;
    throw;
  }
  g_spooled = nullptr;
  return write_spliced(out, rendered, sp);
}

}  // namespace

bool write_json(std::ostream& out, const RunOsReport& r) { return write_json_impl(out, r); }
bool write_json(std::ostream& out, const CompileRunReport& r) { return write_json_impl(out, r); }

}  // namespace x07::report
