#include "solve_result.hpp"

#include <vector>

#include "common/json.hpp"
#include "trap_help.hpp"

namespace x07::runner {

namespace {

uint32_t rd_u32le(std::string_view s) {
  auto b = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24);
}

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\n\r\f\v") - b + 1);
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (nl == std::string_view::npos) {
      if (!line.empty()) out.push_back(line);
      break;
    }
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

// Inner stats objects are read leniently: a missing or mistyped field is 0 / "".
uint64_t lenient_u64(const json::Value& o, const char* key) { return json::get_u64(o, key).value_or(0); }

const char* const kCounterKeys[] = {"fuel_used",      "heap_used",          "fs_read_file_calls", "fs_list_dir_calls",
                                    "rr_open_calls",  "rr_close_calls",     "rr_stats_calls",     "rr_next_calls",
                                    "rr_next_miss_calls", "rr_append_calls", "kv_get_calls",       "kv_set_calls"};

std::optional<report::Metrics> metrics_from(const json::Value& o) {
  if (!o.IsObject()) return std::nullopt;
  bool known = false;
  report::Metrics m;
  uint64_t* counters[] = {&m.fuel_used,      &m.heap_used,          &m.fs_read_file_calls, &m.fs_list_dir_calls,
                          &m.rr_open_calls,  &m.rr_close_calls,     &m.rr_stats_calls,     &m.rr_next_calls,
                          &m.rr_next_miss_calls, &m.rr_append_calls, &m.kv_get_calls,       &m.kv_set_calls};
  for (size_t i = 0; i < std::size(kCounterKeys); ++i) {
    const json::Value* v = json::find(o, kCounterKeys[i]);
    if (!v) continue;
    if (!v->IsUint64()) return std::nullopt;  // a known key with the wrong type: not a metrics line
    *counters[i] = v->GetUint64();
    known = true;
  }
  if (const json::Value* s = json::find(o, "sched_stats")) {
    if (!s->IsObject() && !s->IsNull()) return std::nullopt;
    known = true;
    if (s->IsObject()) {
      report::SchedStats st;
      st.tasks_spawned = lenient_u64(*s, "tasks_spawned");
      st.spawn_calls = lenient_u64(*s, "spawn_calls");
      st.join_calls = lenient_u64(*s, "join_calls");
      st.yield_calls = lenient_u64(*s, "yield_calls");
      st.sleep_calls = lenient_u64(*s, "sleep_calls");
      st.chan_send_calls = lenient_u64(*s, "chan_send_calls");
      st.chan_recv_calls = lenient_u64(*s, "chan_recv_calls");
      st.ctx_switches = lenient_u64(*s, "ctx_switches");
      st.wake_events = lenient_u64(*s, "wake_events");
      st.blocked_waits = lenient_u64(*s, "blocked_waits");
      st.virtual_time_end = lenient_u64(*s, "virtual_time_end");
      st.sched_trace_hash = json::get_string(*s, "sched_trace_hash").value_or("");
      m.sched_stats = st;
    }
  }
  if (const json::Value* s = json::find(o, "mem_stats")) {
    if (!s->IsObject() && !s->IsNull()) return std::nullopt;
    known = true;
    if (s->IsObject()) {
      report::MemStats st;
      st.alloc_calls = lenient_u64(*s, "alloc_calls");
      st.realloc_calls = lenient_u64(*s, "realloc_calls");
      st.free_calls = lenient_u64(*s, "free_calls");
      st.bytes_alloc_total = lenient_u64(*s, "bytes_alloc_total");
      st.bytes_freed_total = lenient_u64(*s, "bytes_freed_total");
      st.live_bytes = lenient_u64(*s, "live_bytes");
      st.peak_live_bytes = lenient_u64(*s, "peak_live_bytes");
      st.live_allocs = lenient_u64(*s, "live_allocs");
      st.peak_live_allocs = lenient_u64(*s, "peak_live_allocs");
      st.memcpy_bytes = lenient_u64(*s, "memcpy_bytes");
      m.mem_stats = st;
    }
  }
  if (const json::Value* s = json::find(o, "debug_stats")) {
    if (!s->IsObject() && !s->IsNull()) return std::nullopt;
    known = true;
    if (s->IsObject()) m.debug_stats = report::DebugStats{lenient_u64(*s, "borrow_violations")};
  }
  if (!known) return std::nullopt;
  return m;
}

// The runtime's "x07: …" explanation line right before the trap line, without the prefix.
std::string trap_detail(std::string_view err, const std::string& trap) {
  std::string text = utf8_lossy(err);
  auto ls = lines(text);
  for (size_t i = ls.size(); i-- > 1;) {
    if (trim(ls[i]) != trap) continue;
    std::string_view prev = trim(ls[i - 1]);
    if (prev.rfind("x07: ", 0) == 0) return std::string(prev.substr(5));
    break;
  }
  return "";
}

}  // namespace

std::string utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t ascii = i;  // a run of ASCII bytes goes in one append
    while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80) ++ascii;
    if (ascii > i) {
      out.append(s.data() + i, ascii - i);
      i = ascii;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (valid && len > 1) {
      // Reject overlong forms, surrogates and values above U+10FFFF.
      uint32_t cp = c & (0xff >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = cp >= kMin[len] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      i += 1;
    }
  }
  return out;
}

std::optional<std::string> frame_error(std::string_view head, uint64_t total, uint64_t max_output_bytes) {
  if (total < 4 || head.size() < 4) return "native stdout too short for length prefix";
  uint64_t len = rd_u32le(head);
  if (len > max_output_bytes)
    return "native output too large: " + std::to_string(len) + " > max_output_bytes=" + std::to_string(max_output_bytes);
  if (total != 4 + len)
    return "native stdout length mismatch: expected " + std::to_string(4 + len) + " got " + std::to_string(total);
  return std::nullopt;
}

std::optional<std::string> parse_frame(std::string_view out, uint64_t max_output_bytes, std::string* trap) {
  if (auto e = frame_error(out.substr(0, 4), out.size(), max_output_bytes)) {
    *trap = *e;
    return std::nullopt;
  }
  return std::string(out.substr(4));
}

std::optional<report::Metrics> parse_metrics(std::string_view err) {
  std::string text = utf8_lossy(err);
  auto ls = lines(text);
  for (auto it = ls.rbegin(); it != ls.rend(); ++it) {
    std::string_view line = *it;
    size_t b = line.find_first_not_of(" \t\r\f\v");
    if (b == std::string_view::npos || line[b] != '{') continue;
    json::Document d;
    if (!json::parse(line, d, nullptr)) continue;
    if (auto m = metrics_from(d)) return m;
  }
  return std::nullopt;
}

report::Solve solve_from_outcome(const SpawnOutcome& o, const TrapContext& ctx) {
  const uint64_t max_output_bytes = ctx.max_output_bytes;
  report::Solve s;
  s.exit_status = o.exit_status();
  if (!o.live_out.empty()) {
    s.stdout_bytes = o.live_out + o.out.read(0, o.out.size());  // --stream-output: the program's own writes, then the frame
  } else if (o.out.in_memory()) {
    s.stdout_bytes = o.out.memory();
  } else {
    s.stdout_file = o.out.range(0, o.out.size());
  }
  s.stderr_bytes = o.err;
  if (o.timed_out) {
    s.trap = "timed out";
  } else if (o.err_truncated) {
    s.trap = "stderr exceeded cap";
  } else if (o.out_truncated) {
    s.trap = "stdout exceeded cap";
  } else {
    if (auto e = frame_error(o.out.read(0, 4), o.out.size(), max_output_bytes)) s.trap = *e;
    else if (o.out.in_memory()) s.solve_output = o.out.memory().substr(4);
    else s.solve_output_file = o.out.range(4, o.out.size() - 4);
    if (o.signaled) s.trap = "terminated by signal " + std::to_string(o.signal);
    s.metrics = parse_metrics(o.err);
    if (s.exit_status == 0 && !s.metrics && !s.trap) s.trap = "missing metrics json line on stderr";
    if (s.exit_status != 0 || o.signaled) {
      std::string text = utf8_lossy(o.err);
      auto ls = lines(text);
      for (auto it = ls.rbegin(); it != ls.rend(); ++it) {
        std::string_view t = trim(*it);
        if (t.empty() || t[0] == '{') continue;
        s.trap = std::string(t);
        break;
      }
    }
  }
  s.ok = s.exit_status == 0 && !s.trap;
  if (s.trap) s.trap_help = trap_help_for(*s.trap, ctx, trap_detail(o.err, *s.trap));
  return s;
}

}  // namespace x07::runner
