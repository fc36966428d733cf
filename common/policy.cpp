#include "common/policy.hpp"


#include "common/fsutil.hpp"
#include "common/json.hpp"
#include "common/json_decoder.hpp"
#include "common/text.hpp"

namespace x07::policy {

namespace {

using json::Decoder;
using json::Value;

Limits decode_limits(const Decoder& d, const Value& v, const std::string& ptr) {
  Limits l;
  d.object(v, ptr, "Limits", {"cpu_ms", "wall_ms", "mem_bytes", "fds", "procs"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "cpu_ms") l.cpu_ms = d.u64(x, p);
             else if (k == "wall_ms") l.wall_ms = d.u64(x, p);
             else if (k == "mem_bytes") l.mem_bytes = d.u64(x, p);
             else if (k == "fds") l.fds = d.u64(x, p);
             else if (k == "procs") l.procs = d.u64(x, p);
             else if (k == "core_dumps") l.core_dumps = d.opt_boolean(x, p);
             else return false;
             return true;
           });
  return l;
}

Fs decode_fs(const Decoder& d, const Value& v, const std::string& ptr) {
  Fs f;
  d.object(v, ptr, "Fs", {"enabled", "read_roots", "write_roots", "deny_hidden"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "enabled") f.enabled = d.boolean(x, p);
             else if (k == "read_roots") f.read_roots = d.strings(x, p);
             else if (k == "write_roots") f.write_roots = d.strings(x, p);
             else if (k == "deny_hidden") f.deny_hidden = d.boolean(x, p);
             else if (k == "allow_symlinks") f.allow_symlinks = d.boolean(x, p);
             else if (k == "allow_mkdir") f.allow_mkdir = d.boolean(x, p);
             else if (k == "allow_remove") f.allow_remove = d.boolean(x, p);
             else if (k == "allow_rename") f.allow_rename = d.boolean(x, p);
             else if (k == "allow_walk") f.allow_walk = d.boolean(x, p);
             else if (k == "allow_glob") f.allow_glob = d.boolean(x, p);
             else if (k == "max_read_bytes") f.max_read_bytes = d.u32(x, p);
             else if (k == "max_write_bytes") f.max_write_bytes = d.u32(x, p);
             else if (k == "max_entries") f.max_entries = d.u32(x, p);
             else if (k == "max_depth") f.max_depth = d.u32(x, p);
             else return false;
             return true;
           });
  return f;
}

NetHost decode_host(const Decoder& d, const Value& v, const std::string& ptr) {
  NetHost h;
  d.object(v, ptr, "NetHost", {"host", "ports"}, [&](std::string_view k, const Value& x, const std::string& p) {
    if (k == "host") h.host = d.string(x, p);
    else if (k == "ports") h.ports = d.ports(x, p);
    else return false;
    return true;
  });
  return h;
}

Net decode_net(const Decoder& d, const Value& v, const std::string& ptr) {
  Net n;
  d.object(v, ptr, "Net", {"enabled", "allow_dns", "allow_tcp", "allow_udp", "allow_hosts"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "enabled") n.enabled = d.boolean(x, p);
             else if (k == "allow_dns") n.allow_dns = d.boolean(x, p);
             else if (k == "allow_tcp") n.allow_tcp = d.boolean(x, p);
             else if (k == "allow_udp") n.allow_udp = d.boolean(x, p);
             else if (k == "allow_hosts")
               n.allow_hosts = d.seq<NetHost>(
                   x, p, [&](const Value& e, const std::string& ep) { return decode_host(d, e, ep); });
             else return false;
             return true;
           });
  return n;
}

Db decode_db(const Decoder& d, const Value& v, const std::string& ptr) {
  Db db;
  d.object(v, ptr, "Db", {}, [&](std::string_view k, const Value& x, const std::string& p) {
    if (k == "enabled") db.enabled = d.boolean(x, p);
    else if (k == "drivers") {
      d.object(x, p, "DbDrivers", {}, [&](std::string_view k2, const Value& y, const std::string& p2) {
        if (k2 == "sqlite") db.drivers.sqlite = d.boolean(y, p2);
        else if (k2 == "postgres") db.drivers.postgres = d.boolean(y, p2);
        else if (k2 == "mysql") db.drivers.mysql = d.boolean(y, p2);
        else if (k2 == "redis") db.drivers.redis = d.boolean(y, p2);
        else return false;
        return true;
      });
    } else if (k == "max_live_conns") db.max_live_conns = d.u32(x, p);
    else if (k == "max_queries") db.max_queries = d.u32(x, p);
    else if (k == "connect_timeout_ms") db.connect_timeout_ms = d.u32(x, p);
    else if (k == "query_timeout_ms") db.query_timeout_ms = d.u32(x, p);
    else if (k == "max_sql_bytes") db.max_sql_bytes = d.u32(x, p);
    else if (k == "max_rows") db.max_rows = d.u32(x, p);
    else if (k == "max_resp_bytes") db.max_resp_bytes = d.u32(x, p);
    else if (k == "sqlite") {
      d.object(x, p, "DbSqlite", {}, [&](std::string_view k2, const Value& y, const std::string& p2) {
        if (k2 == "allow_paths") db.sqlite.allow_paths = d.strings(y, p2);
        else if (k2 == "readonly_only") db.sqlite.readonly_only = d.boolean(y, p2);
        else if (k2 == "allow_create") db.sqlite.allow_create = d.boolean(y, p2);
        else if (k2 == "allow_in_memory") db.sqlite.allow_in_memory = d.boolean(y, p2);
        else return false;
        return true;
      });
    } else if (k == "net") {
      d.object(x, p, "DbNet", {}, [&](std::string_view k2, const Value& y, const std::string& p2) {
        if (k2 == "allow_dns") db.net.allow_dns = d.strings(y, p2);
        else if (k2 == "allow_cidrs") db.net.allow_cidrs = d.strings(y, p2);
        else if (k2 == "allow_ports") db.net.allow_ports = d.ports(y, p2);
        else if (k2 == "require_tls") db.net.require_tls = d.boolean(y, p2);
        else if (k2 == "require_verify") db.net.require_verify = d.boolean(y, p2);
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return db;
}

Env decode_env(const Decoder& d, const Value& v, const std::string& ptr) {
  Env e;
  d.object(v, ptr, "Env", {"enabled", "allow_keys", "deny_keys"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "enabled") e.enabled = d.boolean(x, p);
             else if (k == "allow_keys") e.allow_keys = d.strings(x, p);
             else if (k == "deny_keys") e.deny_keys = d.strings(x, p);
             else return false;
             return true;
           });
  return e;
}

Time decode_time(const Decoder& d, const Value& v, const std::string& ptr) {
  Time t;
  d.object(v, ptr, "Time",
           {"enabled", "allow_monotonic", "allow_wall_clock", "allow_sleep", "max_sleep_ms", "allow_local_tzid"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "enabled") t.enabled = d.boolean(x, p);
             else if (k == "allow_monotonic") t.allow_monotonic = d.boolean(x, p);
             else if (k == "allow_wall_clock") t.allow_wall_clock = d.boolean(x, p);
             else if (k == "allow_sleep") t.allow_sleep = d.boolean(x, p);
             else if (k == "max_sleep_ms") t.max_sleep_ms = d.u64(x, p);
             else if (k == "allow_local_tzid") t.allow_local_tzid = d.boolean(x, p);
             else return false;
             return true;
           });
  return t;
}

Language decode_language(const Decoder& d, const Value& v, const std::string& ptr) {
  Language l;
  d.object(v, ptr, "Language", {}, [&](std::string_view k, const Value& x, const std::string& p) {
    if (k == "allow_unsafe") l.allow_unsafe = d.boolean(x, p);
    else if (k == "allow_ffi") l.allow_ffi = d.boolean(x, p);
    else return false;
    return true;
  });
  return l;
}

Threads decode_threads(const Decoder& d, const Value& v, const std::string& ptr) {
  Threads t;
  d.object(v, ptr, "Threads", {}, [&](std::string_view k, const Value& x, const std::string& p) {
    if (k == "enabled") t.enabled = d.boolean(x, p);
    else if (k == "max_workers") t.max_workers = d.u64(x, p);
    else if (k == "max_blocking") t.max_blocking = d.u64(x, p);
    else if (k == "max_queue") t.max_queue = d.u64(x, p);
    else return false;
    return true;
  });
  return t;
}

Process decode_process(const Decoder& d, const Value& v, const std::string& ptr) {
  Process r;
  d.object(v, ptr, "Process", {"enabled", "allow_spawn", "max_live", "max_spawns", "allow_exec", "allow_exit"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "enabled") r.enabled = d.boolean(x, p);
             else if (k == "allow_spawn") r.allow_spawn = d.boolean(x, p);
             else if (k == "max_live") r.max_live = d.u64(x, p);
             else if (k == "max_spawns") r.max_spawns = d.u64(x, p);
             else if (k == "allow_execs") r.allow_execs = d.strings(x, p);
             else if (k == "allow_exec_prefixes") r.allow_exec_prefixes = d.strings(x, p);
             else if (k == "allow_args_regex_lite") r.allow_args_regex_lite = d.strings(x, p);
             else if (k == "allow_env_keys") r.allow_env_keys = d.strings(x, p);
             else if (k == "allow_exec") r.allow_exec = d.boolean(x, p);
             else if (k == "allow_exit") r.allow_exit = d.boolean(x, p);
             else if (k == "max_exe_bytes") r.max_exe_bytes = d.u64(x, p);
             else if (k == "max_args") r.max_args = d.u64(x, p);
             else if (k == "max_arg_bytes") r.max_arg_bytes = d.u64(x, p);
             else if (k == "max_env") r.max_env = d.u64(x, p);
             else if (k == "max_env_key_bytes") r.max_env_key_bytes = d.u64(x, p);
             else if (k == "max_env_val_bytes") r.max_env_val_bytes = d.u64(x, p);
             else if (k == "max_runtime_ms") r.max_runtime_ms = d.u64(x, p);
             else if (k == "max_stdout_bytes") r.max_stdout_bytes = d.u64(x, p);
             else if (k == "max_stderr_bytes") r.max_stderr_bytes = d.u64(x, p);
             else if (k == "max_total_bytes") r.max_total_bytes = d.u64(x, p);
             else if (k == "max_stdin_bytes") r.max_stdin_bytes = d.u64(x, p);
             else if (k == "kill_on_drop") r.kill_on_drop = d.boolean(x, p);
             else if (k == "kill_tree") r.kill_tree = d.boolean(x, p);
             else if (k == "allow_cwd") r.allow_cwd = d.boolean(x, p);
             else if (k == "allow_cwd_roots") r.allow_cwd_roots = d.strings(x, p);
             else return false;
             return true;
           });
  return r;
}

Policy decode_policy(const Decoder& d, const Value& v) {
  Policy pol;
  d.object(v, "", "Policy", {"schema_version", "policy_id", "limits", "fs", "net", "env", "time", "process"},
           [&](std::string_view k, const Value& x, const std::string& p) {
             if (k == "schema_version") pol.schema_version = d.string(x, p);
             else if (k == "policy_id") pol.policy_id = d.string(x, p);
             else if (k == "limits") pol.limits = decode_limits(d, x, p);
             else if (k == "fs") pol.fs = decode_fs(d, x, p);
             else if (k == "net") pol.net = decode_net(d, x, p);
             else if (k == "db") pol.db = decode_db(d, x, p);
             else if (k == "env") pol.env = decode_env(d, x, p);
             else if (k == "time") pol.time = decode_time(d, x, p);
             else if (k == "language") pol.language = decode_language(d, x, p);
             else if (k == "threads") pol.threads = decode_threads(d, x, p);
             else if (k == "process") pol.process = decode_process(d, x, p);
             else return false;
             return true;
           });
  return pol;
}

// ---- validation helpers ----

std::optional<std::string> check_no_semicolon(const std::vector<std::string>& items, const char* field) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].find(';') != std::string::npos) {
      return std::string(field) + "[" + std::to_string(i) + "] is invalid: value must not contain ';'";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_regex_lite(std::string_view pat) {
  if (pat.find(';') != std::string_view::npos) return "pattern must not contain ';'";
  if (pat.empty()) return "pattern must be non-empty";
  size_t i = 0;
  while (i < pat.size()) {
    if (pat[i] == '*') return "pattern has '*' with nothing to repeat";
    if (pat[i] == '\\') {
      if (i + 1 >= pat.size()) return "pattern has trailing '\\\\'";
      i += 2;
    } else {
      i += 1;
    }
    if (i < pat.size() && pat[i] == '*') i += 1;  // a token may carry one repeat
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  // Unicode White_Space in ASCII plus the common multi-byte ones are handled by has_whitespace;
  // trim() mirrors Rust's str::trim for the ASCII range, which is what policies contain.
  const char* ws = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Any Unicode White_Space code point (UTF-8 encoded), as Rust's char::is_whitespace.
bool has_whitespace(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= 0x09 && c <= 0x0d)) return true;
    auto next = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    if (c == 0xc2 && (next(1) == 0x85 || next(1) == 0xa0)) return true;
    if (c == 0xe1 && next(1) == 0x9a && next(2) == 0x80) return true;  // U+1680
    if (c == 0xe2 && next(1) == 0x80) {
      unsigned char t = next(2);
      if ((t >= 0x80 && t <= 0x8a) || t == 0xa8 || t == 0xa9 || t == 0xaf) return true;  // U+2000..200A, 2028/9, 202F
    }
    if (c == 0xe2 && next(1) == 0x81 && next(2) == 0x9f) return true;  // U+205F
    if (c == 0xe3 && next(1) == 0x80 && next(2) == 0x80) return true;  // U+3000
  }
  return false;
}

using text::join;

template <class T>
std::string join_numbers(const std::vector<T>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += std::to_string(items[i]);
  }
  return out;
}

const char* flag(bool b) { return b ? "1" : "0"; }

}  // namespace

std::optional<Policy> parse(std::string_view text, std::string* err) {
  json::Document doc;
  json::Positions pos;
  std::string perr;
  if (!json::parse_tracked(text, doc, pos, &perr)) {
    if (err) *err = perr;
    return std::nullopt;
  }
  try {
    return decode_policy(Decoder(pos), doc);
  } catch (const json::Error& e) {
    if (err) *err = e.what();
    return std::nullopt;
  }
}

std::optional<Policy> load(const std::filesystem::path& path, std::string* err) {
  std::string text, e;
  if (!fsutil::read_file(path, text, &e)) {
    if (err) *err = "read policy: " + path.string() + ": " + e;
    return std::nullopt;
  }
  auto p = parse(text, &e);
  if (!p && err) *err = "parse policy JSON: " + path.string() + ": " + e;
  return p;
}

std::optional<std::string> validate_basic(const Policy& p) {
  auto n = [](uint64_t v) { return std::to_string(v); };
  if (trim(p.schema_version) != kSchemaVersion) {
    std::string got;
    json::append_quoted(got, p.schema_version);
    return std::string("policy.schema_version mismatch: expected ") + kSchemaVersion + " got " + got;
  }
  if (trim(p.policy_id).empty()) return "policy.policy_id must be non-empty";
  const Limits& l = p.limits;
  if (l.cpu_ms == 0 || l.cpu_ms > 600000) return "policy.limits.cpu_ms must be 1..600000 (got " + n(l.cpu_ms) + ")";
  if (l.wall_ms == 0 || l.wall_ms > 600000)
    return "policy.limits.wall_ms must be 1..600000 (got " + n(l.wall_ms) + ")";
  if (l.mem_bytes < 1048576 || l.mem_bytes > 17179869184ULL)
    return "policy.limits.mem_bytes must be 1048576..17179869184 (got " + n(l.mem_bytes) + ")";
  if (l.fds > 1024) return "policy.limits.fds must be 0..1024 (got " + n(l.fds) + ")";
  if (l.procs > 1024) return "policy.limits.procs must be 0..1024 (got " + n(l.procs) + ")";
  const Process& pr = p.process;
  if (pr.allow_spawn && pr.allow_execs.empty() && pr.allow_exec_prefixes.empty())
    return "policy.process.allow_execs or policy.process.allow_exec_prefixes must be non-empty when allow_spawn is "
           "true";
  if (pr.allow_spawn && pr.max_live == 0) return "policy.process.max_live must be non-zero when allow_spawn is true";
  if (pr.allow_spawn && pr.max_spawns == 0)
    return "policy.process.max_spawns must be non-zero when allow_spawn is true";
  if (pr.allow_spawn && pr.max_runtime_ms == 0)
    return "policy.process.max_runtime_ms must be non-zero when allow_spawn is true";
  if (pr.allow_cwd && pr.allow_cwd_roots.empty())
    return "policy.process.allow_cwd_roots must be non-empty when allow_cwd is true";
  if (p.time.max_sleep_ms > 86400000) return "policy.time.max_sleep_ms must be <= 86400000";
  if (p.threads.max_workers > 256)
    return "policy.threads.max_workers must be 0..256 (got " + n(p.threads.max_workers) + ")";
  if (p.threads.max_blocking > 4096)
    return "policy.threads.max_blocking must be 0..4096 (got " + n(p.threads.max_blocking) + ")";
  if (p.threads.max_queue > 1000000)
    return "policy.threads.max_queue must be 0..1000000 (got " + n(p.threads.max_queue) + ")";

  const std::pair<const std::vector<std::string>*, const char*> lists[] = {
      {&p.fs.read_roots, "policy.fs.read_roots"},
      {&p.fs.write_roots, "policy.fs.write_roots"},
      {&p.env.allow_keys, "policy.env.allow_keys"},
      {&p.env.deny_keys, "policy.env.deny_keys"},
      {&pr.allow_execs, "policy.process.allow_execs"},
      {&pr.allow_exec_prefixes, "policy.process.allow_exec_prefixes"},
      {&pr.allow_env_keys, "policy.process.allow_env_keys"},
      {&pr.allow_cwd_roots, "policy.process.allow_cwd_roots"},
  };
  for (const auto& [items, field] : lists) {
    if (auto e = check_no_semicolon(*items, field)) return e;
  }

  const Db& db = p.db;
  if (db.enabled && !(db.drivers.sqlite || db.drivers.postgres || db.drivers.mysql || db.drivers.redis))
    return "policy.db.drivers must allow at least one driver when policy.db.enabled is true";
  if (auto e = check_no_semicolon(db.sqlite.allow_paths, "policy.db.sqlite.allow_paths")) return e;
  if (auto e = check_no_semicolon(db.net.allow_dns, "policy.db.net.allow_dns")) return e;
  if (auto e = check_no_semicolon(db.net.allow_cidrs, "policy.db.net.allow_cidrs")) return e;
  for (size_t i = 0; i < db.net.allow_ports.size(); ++i) {
    if (db.net.allow_ports[i] == 0) return "policy.db.net.allow_ports[" + n(i) + "] must be 1..65535";
  }

  if (p.net.allow_hosts.size() > 256) return "policy.net.allow_hosts must have <= 256 items";
  for (size_t i = 0; i < p.net.allow_hosts.size(); ++i) {
    const NetHost& h = p.net.allow_hosts[i];
    const std::string at = "policy.net.allow_hosts[" + n(i) + "]";
    std::string_view host = trim(h.host);
    if (host.empty()) return at + ".host must be non-empty";
    if (host.size() > 255) return at + ".host is too long (max 255 bytes)";
    if (host.find(';') != std::string_view::npos) return at + ".host is invalid: value must not contain ';'";
    if (has_whitespace(host)) return at + ".host must not contain whitespace";
    if (host.find('\0') != std::string_view::npos) return at + ".host must not contain NUL";
    if (h.ports.empty()) return at + ".ports must be non-empty";
    if (h.ports.size() > 64) return at + ".ports must have <= 64 items";
    for (size_t j = 0; j < h.ports.size(); ++j) {
      if (h.ports[j] == 0) return at + ".ports[" + n(j) + "] must be 1..65535";
    }
  }

  for (size_t i = 0; i < pr.allow_args_regex_lite.size(); ++i) {
    if (auto why = check_regex_lite(pr.allow_args_regex_lite[i]))
      return "policy.process.allow_args_regex_lite[" + n(i) + "] is invalid: " + *why;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> env_vars(const Policy& p) {
  std::vector<std::pair<std::string, std::string>> v;
  auto add = [&](const char* name, std::string value) { v.emplace_back(std::string("X07_OS_") + name, std::move(value)); };
  auto num = [](uint64_t x) { return std::to_string(x); };

  add("FS", flag(p.fs.enabled));
  add("NET", flag(p.net.enabled));
  add("DB", flag(p.db.enabled));
  add("ENV", flag(p.env.enabled));
  add("TIME", flag(p.time.enabled));
  add("PROC", flag(p.process.enabled));
  add("THREADS", flag(p.threads.enabled));
  add("THREADS_MAX_WORKERS", num(p.threads.max_workers));
  add("THREADS_MAX_BLOCKING", num(p.threads.max_blocking));
  add("THREADS_MAX_QUEUE", num(p.threads.max_queue));

  add("DENY_HIDDEN", flag(p.fs.deny_hidden));
  add("FS_READ_ROOTS", join(p.fs.read_roots, ";"));
  add("FS_WRITE_ROOTS", join(p.fs.write_roots, ";"));
  add("FS_ALLOW_SYMLINKS", flag(p.fs.allow_symlinks));
  add("FS_ALLOW_MKDIR", flag(p.fs.allow_mkdir));
  add("FS_ALLOW_REMOVE", flag(p.fs.allow_remove));
  add("FS_ALLOW_RENAME", flag(p.fs.allow_rename));
  add("FS_ALLOW_WALK", flag(p.fs.allow_walk));
  add("FS_ALLOW_GLOB", flag(p.fs.allow_glob));
  add("FS_MAX_READ_BYTES", num(p.fs.max_read_bytes));
  add("FS_MAX_WRITE_BYTES", num(p.fs.max_write_bytes));
  add("FS_MAX_ENTRIES", num(p.fs.max_entries));
  add("FS_MAX_DEPTH", num(p.fs.max_depth));

  add("ENV_ALLOW_KEYS", join(p.env.allow_keys, ";"));
  add("ENV_DENY_KEYS", join(p.env.deny_keys, ";"));

  const Db& db = p.db;
  add("DB_SQLITE", flag(db.drivers.sqlite));
  add("DB_PG", flag(db.drivers.postgres));
  add("DB_MYSQL", flag(db.drivers.mysql));
  add("DB_REDIS", flag(db.drivers.redis));
  add("DB_SQLITE_READONLY_ONLY", flag(db.sqlite.readonly_only));
  add("DB_SQLITE_ALLOW_CREATE", flag(db.sqlite.allow_create));
  add("DB_SQLITE_ALLOW_IN_MEMORY", flag(db.sqlite.allow_in_memory));
  add("DB_SQLITE_ALLOW_PATHS", join(db.sqlite.allow_paths, ";"));
  add("DB_MAX_LIVE_CONNS", num(db.max_live_conns));
  add("DB_MAX_QUERIES", num(db.max_queries));
  add("DB_MAX_CONNECT_TIMEOUT_MS", num(db.connect_timeout_ms));
  add("DB_MAX_QUERY_TIMEOUT_MS", num(db.query_timeout_ms));
  add("DB_MAX_SQL_BYTES", num(db.max_sql_bytes));
  add("DB_MAX_ROWS", num(db.max_rows));
  add("DB_MAX_RESP_BYTES", num(db.max_resp_bytes));
  add("DB_NET_ALLOW_DNS", join(db.net.allow_dns, ";"));
  add("DB_NET_ALLOW_CIDRS", join(db.net.allow_cidrs, ";"));
  add("DB_NET_ALLOW_PORTS", join_numbers(db.net.allow_ports, ","));
  add("DB_NET_REQUIRE_TLS", flag(db.net.require_tls));
  add("DB_NET_REQUIRE_VERIFY", flag(db.net.require_verify));

  add("TIME_ALLOW_WALL_CLOCK", flag(p.time.allow_wall_clock));
  add("TIME_ALLOW_MONOTONIC", flag(p.time.allow_monotonic));
  add("TIME_ALLOW_SLEEP", flag(p.time.allow_sleep));
  add("TIME_MAX_SLEEP_MS", num(p.time.max_sleep_ms));
  add("TIME_ALLOW_LOCAL_TZID", flag(p.time.allow_local_tzid));

  const Process& pr = p.process;
  add("PROC_ALLOW_EXIT", flag(pr.allow_exit));
  add("PROC_ALLOW_SPAWN", flag(pr.allow_spawn));
  add("PROC_MAX_LIVE", num(pr.max_live));
  add("PROC_MAX_SPAWNS", num(pr.max_spawns));
  add("PROC_MAX_EXE_BYTES", num(pr.max_exe_bytes));
  add("PROC_MAX_ARGS", num(pr.max_args));
  add("PROC_MAX_ARG_BYTES", num(pr.max_arg_bytes));
  add("PROC_MAX_ENV", num(pr.max_env));
  add("PROC_MAX_ENV_KEY_BYTES", num(pr.max_env_key_bytes));
  add("PROC_MAX_ENV_VAL_BYTES", num(pr.max_env_val_bytes));
  add("PROC_MAX_RUNTIME_MS", num(pr.max_runtime_ms));
  add("PROC_MAX_STDOUT_BYTES", num(pr.max_stdout_bytes));
  add("PROC_MAX_STDERR_BYTES", num(pr.max_stderr_bytes));
  add("PROC_MAX_TOTAL_BYTES", num(pr.max_total_bytes));
  add("PROC_MAX_STDIN_BYTES", num(pr.max_stdin_bytes));
  add("PROC_KILL_ON_DROP", flag(pr.kill_on_drop));
  add("PROC_KILL_TREE", flag(pr.kill_tree));
  add("PROC_ALLOW_CWD", flag(pr.allow_cwd));
  add("PROC_ALLOW_CWD_ROOTS", join(pr.allow_cwd_roots, ";"));
  add("PROC_ALLOW_EXEC", flag(pr.allow_exec));
  add("PROC_ALLOW_EXECS", join(pr.allow_execs, ";"));
  add("PROC_ALLOW_EXEC_PREFIXES", join(pr.allow_exec_prefixes, ";"));
  add("PROC_ALLOW_ARGS_REGEX_LITE", join(pr.allow_args_regex_lite, ";"));
  add("PROC_ALLOW_ENV_KEYS", join(pr.allow_env_keys, ";"));

  add("NET_ALLOW_TCP", flag(p.net.allow_tcp));
  add("NET_ALLOW_UDP", flag(p.net.allow_udp));
  add("NET_ALLOW_DNS", flag(p.net.allow_dns));
  std::string hosts;
  for (size_t i = 0; i < p.net.allow_hosts.size(); ++i) {
    if (i) hosts += ';';
    hosts += trim(p.net.allow_hosts[i].host);
    hosts += ':';
    hosts += join_numbers(p.net.allow_hosts[i].ports, ",");
  }
  add("NET_ALLOW_HOSTS", hosts);
  return v;
}

}  // namespace x07::policy
