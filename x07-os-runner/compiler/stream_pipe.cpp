// std.stream.pipe_v1: parses the pipe descriptors (cfg, source, chain, sink) with
// upstream's shapes, defaults and compile-time checks, and encodes them as a plan that
// the runtime pipe engine (runtime/stream_pipe.c) executes. Runtime values
// (std.stream.expr_v1) become the node's kids, typed and lowered like call arguments;
// std.stream.fn_v1 functions are passed to the engine as C function pointers.
#include "stream_pipe.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "runtime/x07rt_stream.h"

namespace x07c {
namespace {

// The built-in plugins of upstream's pinned x07.stream.xf backend (its
// arch/stream/plugins/index.x07sp.json). Their behaviour lives in runtime/stream_xf.c.
struct PluginId {
  const char* id;
  uint32_t code;
};
const PluginId kPlugins[] = {
    {"xf.deframe_u32le_v1", X07_XF_DEFRAME_U32LE}, {"xf.frame_u32le_v1", X07_XF_FRAME_U32LE},
    {"xf.json_canon_stream_v1", X07_XF_JSON_CANON}, {"xf.split_lines_v1", X07_XF_SPLIT_LINES},
    {"xf.test_emit_limits_v1", X07_XF_TEST_EMIT_LIMITS},
};

// Upstream forms this toolchain does not run yet: a deliberate, listed decision (compiler README).
const char* const kUnsupportedSources[] = {"std.stream.src.db_rows_doc_v1",
                                           "std.stream.src.net_tcp_read_stream_handle_v1",
                                           "std.stream.src.net_tcp_read_u32frames_v1"};
const char* const kUnsupportedXfs[] = {"std.stream.xf.par_map_stream_v1",
                                       "std.stream.xf.par_map_stream_result_bytes_v1",
                                       "std.stream.xf.par_map_stream_unordered_v1",
                                       "std.stream.xf.par_map_stream_unordered_result_bytes_v1"};
const char* const kUnsupportedSinks[] = {"std.stream.sink.net_tcp_connect_write_v1",
                                         "std.stream.sink.net_tcp_write_stream_handle_v1",
                                         "std.stream.sink.net_tcp_write_u32frames_v1"};

template <size_t N>
bool listed(const char* const (&names)[N], const std::string& s) {
  for (const char* n : names)
    if (s == n) return true;
  return false;
}

struct Cfg {
  int32_t chunk_max_bytes = 0, bufread_cap_bytes = 0, max_in_bytes = 0, max_out_bytes = 0, max_items = 0;
  int32_t max_steps = 0, emit_payload = 1, emit_stats = 1;
  int32_t typecheck_item_brands = 1, auto_require_brand = 0, verify_produced_brands = 0;
};

// Compile-time item brand facts of one stage (upstream's item brand typing v1).
struct StageBrands {
  std::string head, in, out;  // explicit in_item_brand / out_item_brand ("" = inferred)
  int fn = -1;                // map_bytes: its function (param/result brands)
  std::string brand;          // require_brand_v1: the brand it attaches
  std::string ptr;
};

// json_canon_stream_v1 fields (0 = default, resolved against cfg once it is known).
// world_fs_write_stream*_v1 fields (0 = default: buf_cap = chunk_max_bytes, flush_min = buf_cap,
// max_flushes = ceil(max_out_bytes / flush_min) + 4).
struct FsSinkCfg {
  bool present = false;
  int32_t buf_cap = 0, flush_min = 0, max_flushes = 0;
};

struct JsonCfg {
  int32_t max_depth = 0, max_total_json_bytes = 0, max_object_members = 0, max_object_total_bytes = 0,
          emit_chunk_max_bytes = 0;
};

class PipeParser {
 public:
  PipeParser(Program& prog, const std::string& file) : prog_(prog), file_(file) {}

  int parse(Node& n) {
    if (n.kids.size() != 4) fail("std.stream.pipe_v1 expects 4 arguments (cfg, source, chain, sink)", n.ptr);
    Cfg cfg = parse_cfg(n.kids[0]);
    Words src = parse_src(n.kids[1]);
    std::vector<Words> stages;
    std::vector<const Node*> json_stages;
    Node& chain = n.kids[2];
    if (chain.kind != Node::List) fail("pipe chain must be a list", chain.ptr);
    if (chain.text != "std.stream.chain_v1") fail("pipe chain must be std.stream.chain_v1", chain.ptr);
    if (chain.kids.size() > 4096)  // the runtime hands items down the stages by recursion
      fail("std.stream.chain_v1 has " + std::to_string(chain.kids.size()) +
               " stages; at most 4096 are supported (split the pipe in two)", chain.ptr, "Budget");
    std::vector<JsonCfg> json_cfgs;
    for (Node& xf : chain.kids) {
      cur_ = StageBrands();
      cur_.head = xf.text;
      cur_.ptr = xf.ptr;
      stages.push_back(parse_xf(xf, json_cfgs));
      stage_brands_.push_back(cur_);
      if (xf.text == "std.stream.xf.json_canon_stream_v1") json_stages.push_back(&xf);
    }
    sink_ptr_ = n.kids[3].ptr;
    Words sink = parse_sink(n.kids[3], false);
    if (cfg.typecheck_item_brands) check_item_brands(cfg);

    uint32_t cfg_error = X07_PIPE_CFGERR_NONE;
    if (cfg.chunk_max_bytes <= 0 || cfg.bufread_cap_bytes <= 0 || cfg.max_in_bytes <= 0 || cfg.max_out_bytes <= 0 ||
        cfg.max_items <= 0 || cfg.bufread_cap_bytes < cfg.chunk_max_bytes)
      cfg_error = X07_PIPE_CFGERR_CFG;
    if (fs_sink_.present) {
      FsSinkCfg& f = fs_sink_;
      if (f.buf_cap == 0) f.buf_cap = cfg.chunk_max_bytes;
      if (f.flush_min == 0) f.flush_min = f.buf_cap;
      if (f.max_flushes == 0) {
        int64_t out = std::max(cfg.max_out_bytes, 1), fmin = std::max(f.flush_min, 1);
        f.max_flushes = (int32_t)std::min<int64_t>((out + fmin - 1) / fmin + 4, INT32_MAX);
      }
      if (!cfg_error && (f.buf_cap <= 0 || f.flush_min <= 0 || f.flush_min > f.buf_cap || f.max_flushes <= 0))
        cfg_error = X07_PIPE_CFGERR_FS_SINK;
      for (int32_t x : {f.buf_cap, f.flush_min, f.max_flushes}) sink.push((uint32_t)x);
    }
    if (!cfg_error) {
      if (json_stages.size() > 1)
        fail("std.stream.pipe_v1 supports at most one std.stream.xf.json_canon_stream_v1", json_stages[1]->ptr);
      if (!json_cfgs.empty()) {
        JsonCfg& j = json_cfgs[0];
        if (j.max_total_json_bytes > 0 && j.max_total_json_bytes < cfg.max_in_bytes)
          cfg.max_in_bytes = j.max_total_json_bytes;
        resolve_json_cfg(j, cfg);
        if (j.max_depth <= 0 || j.max_total_json_bytes <= 0 || j.max_object_members <= 0 ||
            j.max_object_total_bytes <= 0 || j.emit_chunk_max_bytes <= 0)
          cfg_error = X07_PIPE_CFGERR_JSON_CFG;
        for (auto& st : stages) fill_json_words(st, j);
      }
    }
    int32_t max_steps = cfg.max_steps;
    if (max_steps <= 0 && !cfg_error) {
      int64_t chunk = cfg.chunk_max_bytes, steps = ((int64_t)cfg.max_in_bytes + chunk - 1) / chunk + 8;
      max_steps = (int32_t)std::min<int64_t>(steps, INT32_MAX);
    }

    Words w;
    w.push(X07_PIPE_PLAN_MAGIC);
    w.push((uint32_t)plan_.arg_tys.size());
    w.push((uint32_t)plan_.fns.size());
    for (int32_t x : {cfg.chunk_max_bytes, cfg.bufread_cap_bytes, cfg.max_in_bytes, cfg.max_out_bytes, cfg.max_items,
                      max_steps, cfg.emit_payload, cfg.emit_stats})
      w.push((uint32_t)x);
    w.push(cfg_error);
    w.append(src);
    w.push((uint32_t)stages.size());
    for (auto& st : stages) w.append(st);
    w.append(sink);
    plan_.words = std::move(w.bytes);

    n.kids = std::move(params_);
    prog_.pipes.push_back(std::move(plan_));
    return (int)prog_.pipes.size() - 1;
  }

 private:
  struct Words {
    std::string bytes;
    size_t json_cfg_at = std::string::npos;  // where the 5 json cfg words go (filled once cfg is known)
    void push(uint32_t x) {
      for (int i = 0; i < 4; i++) bytes.push_back((char)((x >> (8 * i)) & 0xff));
    }
    void text(const std::string& s) {
      push((uint32_t)s.size());
      bytes += s;
      while (bytes.size() % 4) bytes.push_back('\0');
    }
    void append(const Words& o) { bytes += o.bytes; }
    void set(size_t at, uint32_t x) {
      for (int i = 0; i < 4; i++) bytes[at + i] = (char)((x >> (8 * i)) & 0xff);
    }
  };

  Program& prog_;
  const std::string& file_;
  PipePlan plan_;
  std::vector<Node> params_;
  FsSinkCfg fs_sink_;
  StageBrands cur_;
  std::vector<StageBrands> stage_brands_;
  std::string src_brand_, src_ptr_, sink_in_, sink_ptr_;

  [[noreturn]] void fail(const std::string& msg, const JsonPtr& ptr, const char* kind = "Typing") {
    throw CompileError(kind, msg, file_, ptr);
  }

  static bool is_pair(const Node& n) { return n.kind == Node::List && !n.text.empty() && n.kids.size() == 1; }

  int32_t expect_i32(const Node& n, const std::string& msg) {
    if (n.kind != Node::Int) fail(msg, n.ptr);
    return n.ival;
  }
  int32_t expect_01(const Node& n, const std::string& key) {
    int32_t v = expect_i32(n, key + " must be an integer");
    if (v != 0 && v != 1) fail(key + " must be 0 or 1", n.ptr);
    return v;
  }

  // A std.stream.expr_v1 value: becomes argument `index` of the pipe.
  uint32_t add_param(Node& wrapper, Ty ty) {
    if (wrapper.kind != Node::List) fail("std.stream.expr_v1 wrapper must be a list", wrapper.ptr);
    if (wrapper.text != "std.stream.expr_v1" || wrapper.kids.size() != 1)
      fail("expected std.stream.expr_v1 wrapper: [\"std.stream.expr_v1\", <expr>]", wrapper.ptr);
    params_.push_back(std::move(wrapper.kids[0]));
    plan_.arg_tys.push_back(ty);
    return (uint32_t)plan_.arg_tys.size() - 1;
  }

  // A std.stream.fn_v1 reference, checked against the signature the stage calls it with.
  uint32_t add_fn(const Node& wrapper, const std::string& who, std::vector<Ty> params, Ty result, const char* sig) {
    if (wrapper.kind != Node::List) fail("std.stream.fn_v1 wrapper must be a list", wrapper.ptr);
    if (wrapper.text != "std.stream.fn_v1" || wrapper.kids.size() != 1)
      fail("expected std.stream.fn_v1 wrapper: [\"std.stream.fn_v1\", \"<module_id>.<fn_name>\"]", wrapper.ptr);
    const Node& id = wrapper.kids[0];
    if (id.kind != Node::Atom) fail("std.stream.fn_v1 expects a function identifier", id.ptr);
    return add_fn_name(id, who, std::move(params), result, sig);
  }

  uint32_t add_fn_name(const Node& id, const std::string& who, const std::vector<Ty>& params, Ty result,
                       const char* sig) {
    auto it = prog_.fn_index.find(id.text);
    if (it == prog_.fn_index.end())
      fail(who + ": unknown function \"" + id.text + "\" (define it with defn, or add its module to imports)", id.ptr);
    const Function& f = prog_.fns[it->second];
    if (!f.type_params.empty() || f.is_extern || f.param_tys != params || f.result_ty != result)
      fail(who + ": \"" + f.name + "\" must have signature " + sig, id.ptr);
    plan_.fns.push_back(it->second);
    return (uint32_t)plan_.fns.size() - 1;
  }

  std::map<std::string, Node*> kv_fields(const std::string& head, std::vector<Node>& kids, size_t from) {
    std::map<std::string, Node*> out;
    for (size_t i = from; i < kids.size(); i++) {
      Node& k = kids[i];
      if (k.kind != Node::List || k.kids.size() != 1) fail(head + " fields must be pairs", k.ptr);
      if (k.text.empty()) fail(head + " field key must be an identifier", k.ptr);
      if (!out.emplace(k.text, &k.kids[0]).second) fail(head + " has duplicate field: " + k.text, k.ptr);
    }
    return out;
  }
  void only_fields(const std::string& head, const std::map<std::string, Node*>& f,
                   std::initializer_list<const char*> allowed) {
    for (const auto& [k, v] : f) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok) fail(head + " unknown field: " + k, v->ptr);
    }
  }

  // Item brand fields (v1) are validated; compile-time item brand checking is not done (README).
  void brand_in(const Node& v, bool sink) {
    if (v.kind != Node::Atom) fail("in_item_brand must be an identifier", v.ptr);
    if (sink && v.text == "same") fail("in_item_brand must be \"any\" or a brand id", v.ptr);
    (sink ? sink_in_ : cur_.in) = v.text;
  }
  void brand_out(const Node& v) {
    if (v.kind != Node::Atom) fail("out_item_brand must be an identifier", v.ptr);
    cur_.out = v.text;
  }
  void xf_brand_fields(const std::string& head, const std::map<std::string, Node*>& f) {
    only_fields(head, f, {"in_item_brand", "out_item_brand"});
    if (f.count("in_item_brand")) brand_in(*f.at("in_item_brand"), false);
    if (f.count("out_item_brand")) brand_out(*f.at("out_item_brand"));
  }

  Cfg parse_cfg(Node& n) {
    if (n.kind != Node::List) fail("std.stream.cfg_v1 must be a list", n.ptr);
    if (n.text != "std.stream.cfg_v1") fail("pipe cfg must be std.stream.cfg_v1", n.ptr);
    Cfg c;
    std::map<std::string, bool> seen;
    for (Node& f : n.kids) {
      if (f.kind != Node::List || f.kids.size() != 1) fail("cfg field must be a pair", f.ptr);
      if (f.text.empty()) fail("cfg key must be an identifier", f.ptr);
      const std::string& k = f.text;
      const Node& v = f.kids[0];
      seen[k] = true;
      if (k == "chunk_max_bytes") c.chunk_max_bytes = expect_i32(v, k + " must be an integer");
      else if (k == "bufread_cap_bytes") c.bufread_cap_bytes = expect_i32(v, k + " must be an integer");
      else if (k == "max_in_bytes") c.max_in_bytes = expect_i32(v, k + " must be an integer");
      else if (k == "max_out_bytes") c.max_out_bytes = expect_i32(v, k + " must be an integer");
      else if (k == "max_items") c.max_items = expect_i32(v, k + " must be an integer");
      else if (k == "max_steps") c.max_steps = expect_i32(v, k + " must be an integer");
      else if (k == "emit_payload") c.emit_payload = expect_i32(v, k + " must be an integer") != 0;
      else if (k == "emit_stats") c.emit_stats = expect_i32(v, k + " must be an integer") != 0;
      else if (k == "typecheck_item_brands_v1") c.typecheck_item_brands = expect_01(v, k);
      else if (k == "auto_require_brand_v1") c.auto_require_brand = expect_01(v, k);
      else if (k == "verify_produced_brands_v1") c.verify_produced_brands = expect_01(v, k);
      else if (k == "allow_nondet_v1")
        expect_01(v, k);
      else if (k == "brand_registry_ref_v1") {
        if (v.kind != Node::List || v.text != "bytes.lit" || v.kids.size() != 1 ||
            (v.kids[0].kind != Node::Atom && v.kids[0].kind != Node::Str))
          fail("brand_registry_ref_v1 must be bytes", v.ptr);
      } else {
        fail("unknown cfg field: " + k + " (known: chunk_max_bytes, bufread_cap_bytes, max_in_bytes, max_out_bytes, "
             "max_items, max_steps, emit_payload, emit_stats, allow_nondet_v1, typecheck_item_brands_v1, "
             "auto_require_brand_v1, brand_registry_ref_v1, verify_produced_brands_v1)", f.ptr);
      }
    }
    for (const char* req : {"chunk_max_bytes", "bufread_cap_bytes", "max_in_bytes", "max_out_bytes", "max_items"})
      if (!seen.count(req)) fail(std::string("cfg missing ") + req + " (add [\"" + req + "\", <i32>])", n.ptr);
    return c;
  }

  Words parse_src(Node& n) {
    if (n.kind != Node::List) fail("pipe src must be a list", n.ptr);
    if (n.text.empty()) fail("pipe src must start with an identifier", n.ptr);
    const std::string head = n.text;
    Words w;
    if (head == "std.stream.src.bytes_v1" || head == "std.stream.src.fs_open_read_v1" ||
        head == "std.stream.src.rr_send_v1") {
      if (n.kids.empty()) fail(head + " expects at least 1 argument", n.ptr);
      bool bytes = head == "std.stream.src.bytes_v1";
      // The fixture worlds read the fixture (fs.open_read) and replay cassettes (rr.next_v1);
      // the OS worlds read files through os.fs under the policy and have no record/replay.
      const std::string& world = prog_.world;
      uint32_t kind = bytes ? X07_PIPE_SRC_BYTES : X07_PIPE_SRC_FS_OPEN_READ;
      if (head == "std.stream.src.fs_open_read_v1" && is_fixture_world(world)) {
        if (!world_has_fs(world)) fail(head + " is disabled in this world (" + world + "; needs solve-fs or solve-full)", n.ptr, "Unsupported");
        kind = X07_PIPE_SRC_WORLD_FS;
      }
      if (head == "std.stream.src.rr_send_v1") {
        if (!world_has_rr(world))
          fail(head + " is disabled in this world (" + world + "); record/replay needs solve-rr or solve-full", n.ptr,
               "Unsupported");
        kind = X07_PIPE_SRC_RR_SEND;
      }
      uint32_t arg = add_param(n.kids[0], bytes ? Ty::Bytes : Ty::View);
      auto f = kv_fields(head, n.kids, 1);
      only_fields(head, f, {"out_item_brand"});
      if (f.count("out_item_brand")) {
        const Node& b = *f.at("out_item_brand");
        if (b.kind != Node::Atom) fail("out_item_brand must be an identifier", b.ptr);
        src_brand_ = b.text;
        src_ptr_ = n.ptr;
      }
      w.push(kind);
      w.push(arg);
      return w;
    }
    if (listed(kUnsupportedSources, head))
      fail(head + " is not supported by this toolchain yet (supported sources: std.stream.src.bytes_v1, "
                  "std.stream.src.fs_open_read_v1, std.stream.src.rr_send_v1)", n.ptr, "Unsupported");
    fail("unsupported pipe src: " + head, n.ptr);
  }

  Words parse_xf(Node& n, std::vector<JsonCfg>& json_cfgs) {
    if (n.kind != Node::List) fail("pipe xf must be a list", n.ptr);
    if (n.text.empty()) fail("pipe xf must start with an identifier", n.ptr);
    const std::string head = n.text;
    Words w;
    if (head == "std.stream.xf.map_bytes_v1" || head == "std.stream.xf.filter_v1") {
      if (n.kids.empty()) fail(head + " expects at least 1 argument", n.ptr);
      bool map = head == "std.stream.xf.map_bytes_v1";
      uint32_t fn = map ? add_fn(n.kids[0], head, {Ty::View}, Ty::Bytes, "(bytes_view) -> bytes")
                        : add_fn(n.kids[0], head, {Ty::View}, Ty::I32, "(bytes_view) -> i32");
      if (map) cur_.fn = plan_.fns[fn];
      xf_brand_fields(head, kv_fields(head, n.kids, 1));
      w.push(map ? X07_PIPE_XF_MAP_BYTES : X07_PIPE_XF_FILTER);
      w.push(fn);
      return w;
    }
    if (head == "std.stream.xf.map_in_place_buf_v1") return parse_map_in_place(n);
    if (head == "std.stream.xf.take_v1") {
      if (n.kids.empty()) fail(head + " expects at least 1 argument", n.ptr);
      uint32_t arg = add_param(n.kids[0], Ty::I32);
      xf_brand_fields(head, kv_fields(head, n.kids, 1));
      w.push(X07_PIPE_XF_TAKE);
      w.push(arg);
      return w;
    }
    if (head == "std.stream.xf.split_lines_v1") {
      if (n.kids.size() < 2) fail(head + " expects at least 2 arguments (delim, max_line_bytes)", n.ptr);
      uint32_t delim = add_param(n.kids[0], Ty::I32);
      uint32_t max_line = add_param(n.kids[1], Ty::I32);
      xf_brand_fields(head, kv_fields(head, n.kids, 2));
      plugin_words(w, X07_XF_SPLIT_LINES, X07_XF_ERRMAP_SPLIT_LINES);
      w.push(X07_XF_CFG_WORDS);
      w.push(2);
      for (uint32_t a : {delim, max_line}) w.push(1), w.push(a);
      return w;
    }
    if (head == "std.stream.xf.frame_u32le_v1") {
      xf_brand_fields(head, kv_fields(head, n.kids, 0));
      plugin_words(w, X07_XF_FRAME_U32LE, X07_XF_ERRMAP_FRAME);
      w.push(X07_XF_CFG_WORDS);
      w.push(0);
      return w;
    }
    if (head == "std.stream.xf.deframe_u32le_v1") {
      auto f = kv_fields(head, n.kids, 0);
      only_fields(head, f, {"max_frame_bytes", "max_frames", "allow_empty", "on_truncated", "in_item_brand",
                            "out_item_brand"});
      if (!f.count("max_frame_bytes")) fail(head + " missing max_frame_bytes (add [\"max_frame_bytes\", <i32>])", n.ptr);
      int32_t max_frame = expect_i32(*f.at("max_frame_bytes"), "max_frame_bytes must be an integer");
      int32_t max_frames = f.count("max_frames") ? expect_i32(*f.at("max_frames"), "max_frames must be an integer") : 0;
      int32_t allow_empty = f.count("allow_empty") ? expect_i32(*f.at("allow_empty"), "allow_empty must be an integer") : 1;
      int32_t on_truncated = 0;
      if (f.count("on_truncated")) {
        const Node& v = *f.at("on_truncated");
        if (v.kind == Node::Atom && v.text == "drop") on_truncated = 1;
        else if (!(v.kind == Node::Atom && v.text == "err")) fail(head + " on_truncated must be \"err\" or \"drop\"", v.ptr);
      }
      if (f.count("in_item_brand")) brand_in(*f.at("in_item_brand"), false);
      if (f.count("out_item_brand")) brand_out(*f.at("out_item_brand"));
      plugin_words(w, X07_XF_DEFRAME_U32LE, X07_XF_ERRMAP_DEFRAME);
      w.push(X07_XF_CFG_WORDS);
      w.push(4);
      for (int32_t x : {max_frame, max_frames, allow_empty, on_truncated}) w.push(0), w.push((uint32_t)x);
      return w;
    }
    if (head == "std.stream.xf.json_canon_stream_v1") {
      auto f = kv_fields(head, n.kids, 0);
      only_fields(head, f, {"max_depth", "max_total_json_bytes", "max_object_members", "max_object_total_bytes",
                            "emit_chunk_max_bytes", "in_item_brand", "out_item_brand"});
      JsonCfg j;
      auto opt_pos = [&](const char* key, int32_t& out) {
        if (!f.count(key)) return;
        out = expect_i32(*f.at(key), std::string(key) + " must be an integer");
        if (out <= 0) fail(head + " " + key + " must be >= 1", f.at(key)->ptr);
      };
      opt_pos("max_depth", j.max_depth);
      opt_pos("max_total_json_bytes", j.max_total_json_bytes);
      opt_pos("max_object_members", j.max_object_members);
      opt_pos("max_object_total_bytes", j.max_object_total_bytes);
      opt_pos("emit_chunk_max_bytes", j.emit_chunk_max_bytes);
      if (f.count("in_item_brand")) brand_in(*f.at("in_item_brand"), false);
      if (f.count("out_item_brand")) brand_out(*f.at("out_item_brand"));
      json_cfgs.push_back(j);
      plugin_words(w, X07_XF_JSON_CANON, X07_XF_ERRMAP_JSON);
      w.push(X07_XF_CFG_WORDS);
      w.push(5);
      w.json_cfg_at = w.bytes.size();
      for (int i = 0; i < 5; i++) w.push(0), w.push(0);
      return w;
    }
    if (head == "std.stream.xf.plugin_v1") {
      auto f = kv_fields(head, n.kids, 0);
      only_fields(head, f, {"id", "cfg", "opts_v1"});
      if (!f.count("id")) fail(head + " missing id (add [\"id\", [\"bytes.lit\", \"<plugin_id>\"]])", n.ptr);
      const Node* id = f.at("id");
      if (id->kind == Node::List && id->text == "std.stream.expr_v1" && id->kids.size() == 1) id = &id->kids[0];
      if (id->kind != Node::List || id->text != "bytes.lit" || id->kids.size() != 1 ||
          (id->kids[0].kind != Node::Atom && id->kids[0].kind != Node::Str))
        fail("id must be bytes.lit", id->ptr);
      const std::string& pid = id->kids[0].text;
      uint32_t code = 0;
      for (const auto& p : kPlugins)
        if (pid == p.id) code = p.code;
      if (!code) {
        std::string known;
        for (const auto& p : kPlugins) known += std::string(known.empty() ? "" : ", ") + p.id;
        fail("E_PIPE_PLUGIN_NOT_FOUND: stream plugin_id \"" + pid +
                 "\" is not declared in arch/stream/plugins/index.x07sp.json (built-in plugins: " + known + ")",
             id->ptr);
      }
      if (!f.count("cfg")) fail(head + " missing cfg (add [\"cfg\", [\"std.stream.expr_v1\", <bytes>]])", n.ptr);
      uint32_t cfg = add_param(*f.at("cfg"), Ty::Bytes);
      if (f.count("opts_v1")) {
        Node& opts = *f.at("opts_v1");
        if (opts.kind != Node::List) fail(head + " opts_v1 must be a list", opts.ptr);
        if (opts.text != "opts_v1") fail(head + " opts_v1 must start with opts_v1", opts.ptr);
        auto of = kv_fields("opts_v1", opts.kids, 0);
        for (const auto& [k, v] : of) {
          if (k != "strict_brands" && k != "strict_cfg_canon") fail(head + " opts_v1 unknown field: " + k, v->ptr);
          int32_t x = expect_i32(*v, k + " must be an integer");
          if (x != 0 && x != 1) fail(head + " " + k + " must be 0 or 1", v->ptr);
        }
      }
      plugin_words(w, code, X07_XF_ERRMAP_GENERIC);
      w.push(X07_XF_CFG_ARG);
      w.push(cfg);
      return w;
    }
    if (head == "std.stream.xf.require_brand_v1") {
      auto f = kv_fields(head, n.kids, 0);
      only_fields(head, f, {"brand", "validator", "max_item_bytes"});
      if (!f.count("brand")) fail(head + " missing brand (add [\"brand\", \"<brand_id>\"])", n.ptr);
      const Node& brand = *f.at("brand");
      if (brand.kind != Node::Atom) fail("brand must be an identifier", brand.ptr);
      if (!f.count("validator"))
        fail(head + " missing validator: brand registries (meta.brands_v1) are not supported by this toolchain yet "
                    "(add [\"validator\", \"<module_id>.<fn>\"])", n.ptr, "Unsupported");
      const Node& vid = *f.at("validator");
      if (vid.kind != Node::Atom) fail(head + " validator must be an identifier", vid.ptr);
      int32_t max_item = 0;
      if (f.count("max_item_bytes")) {
        max_item = expect_i32(*f.at("max_item_bytes"), "max_item_bytes must be an integer");
        if (max_item < 0) fail(head + " max_item_bytes must be >= 0", f.at("max_item_bytes")->ptr);
      }
      uint32_t fn = add_fn_name(vid, "E_PIPE_BRAND_VALIDATOR_SIG: " + head, {Ty::View}, Ty::ResI32,
                                "(bytes_view) -> result_i32");
      cur_.brand = brand.text;
      w.push(X07_PIPE_XF_REQUIRE_BRAND);
      w.push((uint32_t)max_item);
      w.push(fn);
      w.text(brand.text);
      w.text(vid.text);
      return w;
    }
    if (listed(kUnsupportedXfs, head))
      fail(head + " is not supported by this toolchain yet (see the Stream pipes rows of the compiler README)", n.ptr,
           "Unsupported");
    fail("unsupported pipe xf: " + head, n.ptr);
  }

  // ["std.stream.xf.map_in_place_buf_v1", ["scratch_cap_bytes", n], ["clear_before_each", 0|1]?,
  //  ["std.stream.fn_v1", f] | ["fn", ["std.stream.fn_v1", f]], brand fields...]; f: (bytes_view, i32) -> result_i32
  Words parse_map_in_place(Node& n) {
    const std::string head = n.text;
    int32_t cap = 0, clear = 1;
    bool have_cap = false, have_clear = false, have_in = false, have_out = false;
    const Node* fn = nullptr;
    for (Node& k : n.kids) {
      if (k.kind != Node::List) fail(head + " items must be lists", k.ptr);
      if (k.text == "std.stream.fn_v1") {
        if (fn) fail(head + " has duplicate fn", k.ptr);
        fn = &k;
        continue;
      }
      if (k.kids.size() != 1) fail(head + " fields must be pairs", k.ptr);
      if (k.text.empty()) fail(head + " field key must be an identifier", k.ptr);
      const Node& v = k.kids[0];
      if (k.text == "scratch_cap_bytes") {
        if (have_cap) fail(head + " has duplicate scratch_cap_bytes", k.ptr);
        cap = expect_i32(v, "scratch_cap_bytes must be an integer");
        if (cap <= 0) fail(head + " scratch_cap_bytes must be >= 1", v.ptr);
        have_cap = true;
      } else if (k.text == "clear_before_each") {
        if (have_clear) fail(head + " has duplicate clear_before_each", k.ptr);
        clear = expect_i32(v, "clear_before_each must be an integer");
        have_clear = true;
      } else if (k.text == "fn") {
        if (fn) fail(head + " has duplicate fn", k.ptr);
        fn = &v;
      } else if (k.text == "in_item_brand") {
        if (have_in) fail(head + " has duplicate in_item_brand", k.ptr);
        brand_in(v, false);
        have_in = true;
      } else if (k.text == "out_item_brand") {
        if (have_out) fail(head + " has duplicate out_item_brand", k.ptr);
        brand_out(v);
        have_out = true;
      } else {
        fail(head + " unknown field: " + k.text, k.ptr);
      }
    }
    if (!have_cap) fail(head + " missing scratch_cap_bytes (add [\"scratch_cap_bytes\", <i32>])", n.ptr);
    if (!fn) fail(head + " missing fn (add [\"std.stream.fn_v1\", \"<module_id>.<fn>\"])", n.ptr);
    uint32_t slot = add_fn(*fn, head, {Ty::View, Ty::I32}, Ty::ResI32, "(bytes_view, i32) -> result_i32");
    Words w;
    w.push(X07_PIPE_XF_MAP_IN_PLACE);
    w.push((uint32_t)cap);
    w.push(clear != 0);
    w.push(slot);
    return w;
  }

  // Upstream's item brand typing (v1): the brand of the items flowing out of each stage is
  // known at compile time; a stage or sink that requires a brand must get exactly that one.
  // Inserting require_brand stages (auto_require_brand_v1 on a mismatch, verify_produced_brands_v1)
  // needs a brand registry (meta.brands_v1), which this toolchain does not read.
  void check_item_brands(const Cfg& cfg) {
    auto registry_needed = [&](const std::string& what, const JsonPtr& ptr) {
      fail(what + ": inserting std.stream.xf.require_brand_v1 needs a brand registry (meta.brands_v1), which this "
                  "toolchain does not support yet (add an explicit require_brand_v1 stage with a validator)",
           ptr, "Unsupported");
    };
    if (cfg.verify_produced_brands && !src_brand_.empty()) registry_needed("verify_produced_brands_v1", src_ptr_);
    std::string cur = src_brand_;
    auto require = [&](const std::string& want, const JsonPtr& ptr, const char* who) {
      if (cur == want) return;
      if (!cur.empty())
        fail(std::string("E_PIPE_BRAND_MISMATCH: ") + who + "expected bytes_view@" + want + ", got bytes_view@" + cur,
             ptr);
      if (cfg.auto_require_brand) registry_needed("auto_require_brand_v1", ptr);
      fail(std::string("E_PIPE_BRAND_REQUIRED: ") + who + "expected bytes_view@" + want +
               ", got unbranded (add [\"std.stream.xf.require_brand_v1\", [\"brand\", \"" + want +
               "\"], [\"validator\", <fn>]] before it)",
           ptr);
    };
    for (const StageBrands& s : stage_brands_) {
      std::string in = s.in;
      if (in.empty() && s.fn >= 0) {
        const Function& f = prog_.fns[s.fn];
        if (!f.params.empty()) in = f.params[0].ty.brand;
      }
      if (in == "same") {
        if (cur.empty()) fail("E_PIPE_BRAND_REQUIRED: stage requires branded items, got unbranded", s.ptr);
      } else if (!in.empty() && in != "any") {
        require(in, s.ptr, "");
      }
      std::string out = s.out;
      bool claim = !out.empty() && out != "same" && out != "none";
      if (out.empty()) {
        if (!s.brand.empty()) out = s.brand;
        else if (s.head == "std.stream.xf.filter_v1" || s.head == "std.stream.xf.take_v1") out = "same";
        else if (s.fn >= 0) {
          out = prog_.fns[s.fn].result.brand;
          claim = !out.empty();
        }
      }
      if (out == "none" || (out.empty() && s.brand.empty())) cur.clear();
      else if (out != "same") cur = out;
      if (cfg.verify_produced_brands && claim && !cur.empty()) registry_needed("verify_produced_brands_v1", s.ptr);
    }
    if (!sink_in_.empty() && sink_in_ != "any") require(sink_in_, sink_ptr_, "sink ");
  }

  static void plugin_words(Words& w, uint32_t code, uint32_t err_map) {
    w.push(X07_PIPE_XF_PLUGIN);
    w.push(code);
    w.push(err_map);
  }

  // Upstream's defaults: max_depth 64, max_total_json_bytes = cfg.max_in_bytes, max_object_members 4096,
  // max_object_total_bytes = min(cfg.max_out_bytes, 4 MiB), emit_chunk_max_bytes = cfg.chunk_max_bytes.
  static void resolve_json_cfg(JsonCfg& j, const Cfg& c) {
    if (j.max_depth <= 0) j.max_depth = 64;
    if (j.max_total_json_bytes <= 0) j.max_total_json_bytes = c.max_in_bytes;
    if (j.max_object_members <= 0) j.max_object_members = 4096;
    if (j.max_object_total_bytes <= 0) j.max_object_total_bytes = std::min(c.max_out_bytes, 4 * 1024 * 1024);
    if (j.emit_chunk_max_bytes <= 0) j.emit_chunk_max_bytes = c.chunk_max_bytes;
  }
  static void fill_json_words(Words& w, const JsonCfg& j) {
    if (w.json_cfg_at == std::string::npos) return;
    int32_t vals[5] = {j.max_depth, j.max_total_json_bytes, j.max_object_members, j.max_object_total_bytes,
                       j.emit_chunk_max_bytes};
    for (int i = 0; i < 5; i++) w.set(w.json_cfg_at + 8 * i + 4, (uint32_t)vals[i]);
  }

  Words parse_sink(Node& n, bool inside_frames) {
    if (n.kind != Node::List) fail("pipe sink must be a list", n.ptr);
    if (n.text.empty()) fail("pipe sink must start with an identifier", n.ptr);
    const std::string head = n.text;
    Words w;
    auto sink_brand = [&](size_t from) {
      auto f = kv_fields(head, n.kids, from);
      only_fields(head, f, {"in_item_brand"});
      if (f.count("in_item_brand")) brand_in(*f.at("in_item_brand"), true);
    };
    if (head == "std.stream.sink.u32frames_v1") {
      if (inside_frames) fail("std.stream.sink.u32frames_v1 cannot wrap another u32frames_v1", n.ptr);
      if (n.kids.empty()) fail(head + " expects at least 1 argument (the inner sink)", n.ptr);
      Words inner = parse_sink(n.kids[0], true);
      sink_in_.clear();  // only the outer sink's in_item_brand is checked, like upstream
      sink_brand(1);
      inner.set(0, 1);
      return inner;
    }
    uint32_t kind = 0, arg = 0;
    if (head == "std.stream.sink.collect_bytes_v1") kind = X07_PIPE_SINK_COLLECT;
    else if (head == "std.stream.sink.hash_fnv1a32_v1") kind = X07_PIPE_SINK_HASH_FNV1A32;
    else if (head == "std.stream.sink.null_v1") kind = X07_PIPE_SINK_NULL;
    if (kind) {
      sink_brand(0);
    } else if (head.rfind("std.stream.sink.world_fs_write_", 0) == 0 && is_fixture_world(prog_.world)) {
      fail(head + " is disabled in this world (" + prog_.world + "): the fixture worlds are read-only", n.ptr,
           "Unsupported");
    } else if (head == "std.stream.sink.world_fs_write_file_v1") {
      if (n.kids.empty()) fail(head + " expects at least 1 argument (the path)", n.ptr);
      kind = X07_PIPE_SINK_FS_WRITE_FILE;
      arg = add_param(n.kids[0], Ty::Bytes);
      sink_brand(1);
    } else if (head == "std.stream.sink.world_fs_write_stream_v1" ||
               head == "std.stream.sink.world_fs_write_stream_hash_fnv1a32_v1") {
      if (n.kids.size() < 2) fail(head + " expects at least 2 arguments (path, caps)", n.ptr);
      kind = head == "std.stream.sink.world_fs_write_stream_v1" ? X07_PIPE_SINK_FS_WRITE_STREAM
                                                                : X07_PIPE_SINK_FS_WRITE_STREAM_HASH;
      arg = add_param(n.kids[0], Ty::Bytes);
      uint32_t caps = add_param(n.kids[1], Ty::Bytes);
      auto f = kv_fields(head, n.kids, 2);
      only_fields(head, f, {"buf_cap_bytes", "flush_min_bytes", "max_flushes", "in_item_brand"});
      auto field = [&](const char* key, int32_t min) {
        if (!f.count(key)) return 0;
        int32_t x = expect_i32(*f.at(key), std::string(key) + " must be an integer");
        if (x < min) fail(head + " " + key + " must be >= " + std::to_string(min), f.at(key)->ptr);
        return x;
      };
      fs_sink_.present = true;
      fs_sink_.buf_cap = field("buf_cap_bytes", 1);
      fs_sink_.flush_min = field("flush_min_bytes", 1);
      fs_sink_.max_flushes = field("max_flushes", 0);
      if (f.count("in_item_brand")) brand_in(*f.at("in_item_brand"), true);
      w.push(0);
      w.push(kind);
      w.push(arg);
      w.push(caps);
      return w;  // buf_cap, flush_min, max_flushes follow once cfg is known
    } else if (listed(kUnsupportedSinks, head)) {
      fail(head + " is not supported by this toolchain yet (see the Stream pipes rows of the compiler README)", n.ptr,
           "Unsupported");
    } else {
      fail("unsupported pipe sink: " + head, n.ptr);
    }
    w.push(0);
    w.push(kind);
    w.push(arg);
    return w;
  }
};

}  // namespace

int parse_stream_pipe(Program& prog, Node& n, const std::string& file) {
  PipeParser p(prog, file);
  return p.parse(n);
}

}  // namespace x07c
