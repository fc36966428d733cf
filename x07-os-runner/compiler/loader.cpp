// Stage 1: read x07AST JSON files, check the file format and name rules,
// resolve imported modules (embedded std first, then module roots, then the
// OS stdlib root), check imports/exports/visibility, and mark the functions
// reachable from `solve` (dead-code elimination).
#include "loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "common/embedded.hpp"
#include "common/json.hpp"

extern const x07::EmbeddedFile x07_std_modules[];
extern const std::size_t x07_std_modules_count;
// The fixture worlds' variants (stdlib/solve): std.fs and std.world.fs over the fs.* adapters.
extern const x07::EmbeddedFile x07_solve_modules[];
extern const std::size_t x07_solve_modules_count;

namespace x07c {
namespace json = x07::json;
namespace {

constexpr size_t kMaxSourceBytes = 65536;
constexpr uint64_t kDefaultMaxAstNodes = 250000;

// X07_MAX_AST_NODES overrides the post-DCE node budget.
uint64_t max_ast_nodes() {
  const char* e = getenv("X07_MAX_AST_NODES");
  if (e && *e) {
    char* end = nullptr;
    unsigned long long v = strtoull(e, &end, 10);
    if (end && *end == 0 && v > 0) return v;
  }
  return kDefaultMaxAstNodes;
}

const char* const kVersions[] = {"x07.x07ast@0.3.0", "x07.x07ast@0.4.0", "x07.x07ast@0.5.0", "x07.x07ast@0.6.0",
                                 "x07.x07ast@0.7.0", "x07.x07ast@0.8.0", "x07.x07ast@0.9.0"};

bool valid_segment(const std::string& s, bool allow_hyphen) {
  if (s.empty() || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
  for (char c : s)
    if (!(isalnum((unsigned char)c) || c == '_' || (allow_hyphen && c == '-'))) return false;
  return true;
}

bool valid_dotted(const std::string& s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string seg = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!valid_segment(seg, true)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool valid_local(const std::string& s) { return valid_segment(s, false); }

std::string module_rel_path(const std::string& id) {
  std::string p = id;
  std::replace(p.begin(), p.end(), '.', '/');
  return p + ".x07.json";
}

class Loader {
 public:
  Loader(Program& prog, const LoadOptions& opts) : prog_(prog), opts_(opts) {}

  void load_entry(const std::filesystem::path& entry) {
    std::string text = read_file(entry, "entry");
    std::string file = entry.string();
    if (text.size() > kMaxSourceBytes)
      throw CompileError("Budget", "program too large: max_source_bytes=" + std::to_string(kMaxSourceBytes) +
                                       " got " + std::to_string(text.size()), file);
    prog_.entry_file = file;
    load_source(text, file, "main", true);
    // DCE + visibility from solve.
    mark_reachable();
    if (live_nodes_ > max_ast_nodes())
      throw CompileError("Budget", "AST too large: max_ast_nodes=" + std::to_string(max_ast_nodes()) + " got " +
                                       std::to_string(live_nodes_) + " (split the program or remove unused code)", file);
  }

 private:
  Program& prog_;
  const LoadOptions& opts_;
  std::vector<std::string> stack_;  // modules being loaded (cycle detection)
  uint64_t nodes_ = 0, live_nodes_ = 0;

  static std::string read_file(const std::filesystem::path& p, const char* what) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
      throw CompileError("Parse", std::string("cannot read ") + what + " file: " + p.string() +
                                      " (check that the path exists and is readable)", p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // ---------------- expressions ----------------
  Node parse_expr(const json::Value& v, const JsonPtr& ptr, const std::string& file, int depth = 0) {
    Node n;
    if (depth > static_cast<int>(json::kProgramMaxDepth))
      throw CompileError("Budget",
                         "expression nesting too deep (max " + std::to_string(json::kProgramMaxDepth) + " levels)",
                         file, ptr);
    n.ptr = ptr;
    if (++nodes_ > std::max<uint64_t>(max_ast_nodes(), kDefaultMaxAstNodes) * 4)
      throw CompileError("Budget", "AST too large: max_ast_nodes=" + std::to_string(max_ast_nodes()), file, ptr);
    if (v.IsNumber()) {
      if (v.IsInt()) {
        n.kind = Node::Int;
        n.ival = v.GetInt();
        return n;
      }
      if (v.IsInt64() || v.IsUint64()) {
        std::string s = v.IsInt64() ? std::to_string(v.GetInt64()) : std::to_string(v.GetUint64());
        throw CompileError("Parse", "number out of i32 range: " + s +
                                        " (write u32 constants >= 2^31 as negative numbers)", file, ptr);
      }
      std::ostringstream s;
      s << v.GetDouble();
      throw CompileError("Parse", "number is not an i64: " + s.str() + " (x07 integers are 32-bit)", file, ptr);
    }
    if (v.IsString()) {
      n.kind = Node::Atom;
      n.text.assign(v.GetString(), v.GetStringLength());
      if (std::string why = atom_problem(n.text); !why.empty()) throw CompileError("Parse", why, file, ptr);
      return n;
    }
    if (v.IsArray()) {
      if (v.Empty()) throw CompileError("Parse", "list expression must not be empty", file, ptr);
      const json::Value& h = v[0];
      if (!h.IsString()) throw CompileError("Parse", "list head must be an atom string", file, ptr.child(0));
      n.kind = Node::List;
      n.text.assign(h.GetString(), h.GetStringLength());
      if (std::string why = atom_problem(n.text); !why.empty()) throw CompileError("Parse", why, file, ptr.child(0));
      bool lit = n.text == "bytes.lit" || n.text == "bytes.view_lit";
      for (rapidjson::SizeType i = 1; i < v.Size(); i++) {
        JsonPtr p = ptr.child(i);
        if (lit && i == 1 && v[i].IsString()) {
          Node s;
          s.kind = Node::Str;
          s.text.assign(v[i].GetString(), v[i].GetStringLength());
          s.ptr = p;
          n.kids.push_back(std::move(s));
        } else {
          n.kids.push_back(parse_expr(v[i], p, file, depth + 1));
        }
      }
      return n;
    }
    throw CompileError("Parse", "unsupported JSON value in expr: " + json::describe(v) +
                                    " (use integers, atoms and lists only)", file, ptr);
  }

  // Why `s` is not a valid atom, or "" (the caller names the pointer only on failure).
  static std::string atom_problem(const std::string& s) {
    if (s.empty()) return "atom must not be empty";
    for (char c : s)
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return "atom must not contain whitespace: \"" + s + "\"";
    return "";
  }

  TyRef parse_tyref(const json::Value* v, const std::string& file, const JsonPtr& ptr,
                    const std::vector<std::string>& tparams, bool allow_void = false) {
    TyRef t;
    if (!v) throw CompileError("Parse", "missing type (expected a type name such as \"i32\" or \"bytes\")", file, ptr);
    if (v->IsString()) {
      t.name = v->GetString();
      while (!t.name.empty() && isspace((unsigned char)t.name.back())) t.name.pop_back();
      if (std::find(tparams.begin(), tparams.end(), t.name) != tparams.end()) {
        t.is_param = true;
        return t;
      }
      Ty ty;
      if (allow_void && t.name == "void") return t;
      if (!parse_ty_token(t.name, &ty)) throw CompileError("Parse", unknown_type_message(t.name), file, ptr);
      return t;
    }
    if (v->IsArray() && v->Size() == 2 && (*v)[0].IsString() && (*v)[1].IsString() &&
        std::string((*v)[0].GetString()) == "t") {
      t.name = (*v)[1].GetString();
      if (std::find(tparams.begin(), tparams.end(), t.name) == tparams.end())
        throw CompileError("Parse", "unknown type parameter: \"" + t.name + "\" (declare it in type_params)", file, ptr);
      t.is_param = true;
      return t;
    }
    if (v->IsArray() && v->Size() == 2 && (*v)[0].IsString() &&
        (std::string((*v)[0].GetString()) == "option" || std::string((*v)[0].GetString()) == "result")) {
      TyRef inner = parse_tyref(&(*v)[1], file, ptr.child(1), tparams);
      if (!inner.wrap.empty())
        throw CompileError("Unsupported", "nested option/result types are not supported", file, ptr);
      inner.wrap = (*v)[0].GetString();
      if (!inner.is_param) {
        Ty t;
        std::string tok = applied_type_token(inner.wrap, inner.name);
        if (!parse_ty_token(tok, &t)) throw CompileError("Parse", unknown_type_message(tok), file, ptr);
      }
      return inner;
    }
    throw CompileError("Unsupported", "unsupported type reference: " + json::to_compact(*v) +
                                          " (use a type token, [\"t\", <param>], [\"option\", T] or [\"result\", T])",
                       file, ptr);
  }

  // ---------------- files ----------------
  void load_source(const std::string& text, const std::string& file, const std::string& want_id, bool entry) {
    if (!entry) {
      size_t i = 0;
      while (i < text.size() && isspace((unsigned char)text[i])) i++;
      if (i >= text.size() || text[i] != '{')
        throw CompileError("Parse", "\"" + want_id +
                                        "\": module source must be x07AST JSON (*.x07.json); legacy S-expr is not supported",
                           file);
    }
    if (json::too_deep_offset(text, json::kProgramMaxDepth) != std::string_view::npos)
      throw CompileError("Budget", "JSON nesting too deep (max " + std::to_string(json::kProgramMaxDepth) + " levels)",
                         file);
    json::Document doc;
    std::string err;
    if (!json::parse(text, doc, &err, json::kProgramMaxDepth)) throw CompileError("Parse", "invalid JSON: " + err, file);
    if (!doc.IsObject()) throw CompileError("Parse", "x07AST root must be a JSON object", file, "");
    const json::Value& root = doc;

    auto sv = json::get_string(root, "schema_version");
    if (!sv) throw CompileError("Parse", "missing required field: schema_version", file, "/schema_version");
    if (std::find(std::begin(kVersions), std::end(kVersions), *sv) == std::end(kVersions)) {
      std::string all;
      for (auto* v : kVersions) all += (all.empty() ? "" : ", ") + std::string(v);
      throw CompileError("Parse", "unsupported schema_version: got \"" + *sv + "\" (supported: " + all +
                                      ") (hint: set \"schema_version\": \"x07.x07ast@0.8.0\")", file, "/schema_version");
    }
    bool v09 = *sv == "x07.x07ast@0.9.0";
    auto kind = json::get_string(root, "kind");
    if (!kind) throw CompileError("Parse", "missing required field: kind", file, "/kind");
    std::string k = *kind;
    while (!k.empty() && isspace((unsigned char)k.back())) k.pop_back();
    while (!k.empty() && isspace((unsigned char)k.front())) k.erase(k.begin());
    if (k != "entry" && k != "module")
      throw CompileError("Parse", "kind must be \"entry\" or \"module\", got \"" + k + "\"", file, "/kind");
    auto mid = json::get_string(root, "module_id");
    if (!mid) throw CompileError("Parse", "missing required field: module_id", file, "/module_id");
    if (entry) {
      if (k != "entry") throw CompileError("Parse", "entry file must have kind=\"entry\" got Module", file, "/kind");
      if (*mid != "main")
        throw CompileError("Parse", "main: entry module_id must be \"main\" got \"" + *mid + "\"", file, "/module_id");
    } else {
      if (k != "module")
        throw CompileError("Parse", "module \"" + want_id + "\": expected kind=\"module\" got Entry", file, "/kind");
      if (*mid != want_id)
        throw CompileError("Parse", "module \"" + want_id + "\": module_id mismatch in file: got \"" + *mid + "\"",
                           file, "/module_id");
    }
    if (!valid_dotted(*mid, 128))
      throw CompileError("Parse", "invalid module_id: \"" + *mid + "\"", file, "/module_id");

    Module m;
    m.id = *mid;
    m.file = file;
    m.schema_version = *sv;
    m.is_entry = entry;
    std::map<std::string, std::string> import_ptrs;  // first pointer of each imported id
    const json::Value* imports = json::find(root, "imports");
    if (!imports) throw CompileError("Parse", "missing required field: imports", file, "/imports");
    if (!imports->IsArray()) throw CompileError("Parse", "imports must be an array", file, "/imports");
    for (rapidjson::SizeType i = 0; i < imports->Size(); i++) {
      const auto& iv = (*imports)[i];
      std::string p = "/imports/" + std::to_string(i);
      if (!iv.IsString()) throw CompileError("Parse", "import must be a module id string", file, p);
      std::string id = iv.GetString();
      if (id == "std.brand")
        throw CompileError("Parse", "unknown module: \"std.brand\"; std.brand provides builtins that need no import"
                                    " — remove it from :imports", file, p);
      if (!valid_dotted(id, 128)) throw CompileError("Parse", "invalid module id in imports: \"" + id + "\"", file, p);
      m.imports.insert(id);
      import_ptrs.emplace(id, p);
    }
    const json::Value* decls = json::find(root, "decls");
    if (!decls) throw CompileError("Parse", "missing required field: decls", file, "/decls");
    if (!decls->IsArray()) throw CompileError("Parse", "decls must be an array", file, "/decls");

    bool have_export = false;
    std::vector<std::pair<std::string, std::string>> export_names;  // name, ptr
    std::set<std::string> names_here;
    for (rapidjson::SizeType i = 0; i < decls->Size(); i++) {
      const auto& d = (*decls)[i];
      std::string dp = "/decls/" + std::to_string(i);
      if (!d.IsObject()) throw CompileError("Parse", "decl must be an object", file, dp);
      auto dk = json::get_string(d, "kind");
      if (!dk) throw CompileError("Parse", "decl is missing \"kind\"", file, dp + "/kind");
      if (*dk == "export") {
        if (have_export) throw CompileError("Parse", "duplicate export decl", file, dp);
        have_export = true;
        const json::Value* names = json::get_array(d, "names");
        if (!names) throw CompileError("Parse", "export decl needs \"names\": [symbol...]", file, dp + "/names");
        for (rapidjson::SizeType j = 0; j < names->Size(); j++) {
          if (!(*names)[j].IsString())
            throw CompileError("Parse", "export name must be a string", file, dp + "/names/" + std::to_string(j));
          export_names.push_back({(*names)[j].GetString(), dp + "/names/" + std::to_string(j)});
        }
        continue;
      }
      auto name = json::get_string(d, "name");
      if (!name) throw CompileError("Parse", *dk + " decl is missing \"name\"", file, dp + "/name");
      if (!valid_dotted(*name, 256)) throw CompileError("Parse", "invalid symbol name: \"" + *name + "\"", file, dp + "/name");
      if (name->rfind(m.id + ".", 0) != 0)
        throw CompileError("Parse", *dk + " name must start with \"" + m.id + ".\", got \"" + *name + "\"", file,
                           dp + "/name");
      if (!names_here.insert(*name).second)
        throw CompileError("Parse", (*dk == "defn" || *dk == "extern" || *dk == "defasync" ? "duplicate function name: \"" : "duplicate decl name: \"") +
                                        *name + "\"", file, dp + "/name");
      if (*dk == "defn" || *dk == "extern" || *dk == "defasync") {
        Function f = parse_fn(d, *dk == "extern", *name, m, file, dp);
        if (*dk == "defasync") check_defasync(f, file, dp);
        if (prog_.fn_index.count(f.name))
          throw CompileError("Parse", "duplicate function name: \"" + f.name + "\"", file, dp + "/name");
        if (!f.is_extern) add_contracts(d, f, *sv, file, dp);
        prog_.fn_index[f.name] = (int)prog_.fns.size();
        prog_.fns.push_back(std::move(f));
      } else if (*dk == "defrecord" || *dk == "defenum") {
        if (!v09)
          throw CompileError("Parse", *dk + " is only supported in x07.x07ast@0.9.0", file, dp + "/kind");
        parse_record_enum(d, *dk == "defrecord", *name, m, file, dp);
      } else {
        throw CompileError("Parse", "unknown decl kind: \"" + *dk + "\" (expected defn, defasync, extern, export, defrecord, defenum)",
                           file, dp + "/kind");
      }
    }
    if (!entry) {
      if (!have_export || export_names.empty())
        throw CompileError("Parse", "module \"" + m.id + "\" is missing an export declaration", file, "/decls");
      for (auto& [n, p] : export_names) {
        size_t dot = n.rfind('.');
        if (dot == std::string::npos || n.substr(0, dot) != m.id) {
          // records/enums export their ops under the type name (M.R.make); accept those by prefix.
          if (n.rfind(m.id + ".", 0) != 0)
            throw CompileError("Parse", "export \"" + n + "\" does not belong to module \"" + m.id + "\"", file, p);
        }
        if (!names_here.count(n))
          throw CompileError("Parse", "export \"" + n + "\" is not defined in module \"" + m.id + "\"", file, p);
        m.exports.insert(n);
      }
    }
    if (entry) {
      const json::Value* solve = json::find(root, "solve");
      if (!solve) throw CompileError("Parse", "main: missing solve expression", file, "/solve");
      prog_.solve = parse_expr(*solve, "/solve", file);
    }
    std::set<std::string> imps = m.imports;
    prog_.modules[m.id] = std::move(m);
    stack_.push_back(*mid);
    for (const auto& id : imps) load_module(id, file, import_ptrs[id]);
    stack_.pop_back();
  }

  // defasync (spec: concurrency): a task body whose awaited result is bytes or result_bytes.
  static void check_defasync(Function& f, const std::string& file, const std::string& dp) {
    f.is_async = true;
    if (!f.type_params.empty())
      throw CompileError("Unsupported", "defasync \"" + f.name + "\" cannot have type_params (use defn for generics)", file,
                         dp + "/type_params");
    if (f.result.is_param || !f.result.wrap.empty() || (f.result.name != "bytes" && f.result.name != "result_bytes"))
      throw CompileError("Unsupported", "defasync \"" + f.name + "\" must return bytes or result_bytes", file,
                         dp + "/result");
  }

  Function parse_fn(const json::Value& d, bool is_extern, const std::string& name, const Module& m,
                    const std::string& file, const std::string& dp) {
    Function f;
    f.name = name;
    f.module = m.id;
    f.file = file;
    f.ptr = dp;
    f.is_extern = is_extern;
    if (const json::Value* tps = json::get_array(d, "type_params")) {
      for (rapidjson::SizeType i = 0; i < tps->Size(); i++) {
        const auto& tp = (*tps)[i];
        auto tn = tp.IsObject() ? json::get_string(tp, "name") : std::optional<std::string>();
        if (!tn) throw CompileError("Parse", "type_params entries need a \"name\"", file, dp + "/type_params/" + std::to_string(i));
        f.type_params.push_back(*tn);
      }
    }
    const json::Value* params = json::find(d, "params");
    if (!params || !params->IsArray())
      throw CompileError("Parse", "defn \"" + name + "\" needs a \"params\" array", file, dp + "/params");
    for (rapidjson::SizeType i = 0; i < params->Size(); i++) {
      std::string pp = dp + "/params/" + std::to_string(i);
      const auto& pv = (*params)[i];
      if (!pv.IsObject()) throw CompileError("Parse", "param must be an object {name, ty}", file, pp);
      auto pn = json::get_string(pv, "name");
      if (!pn || !valid_local(*pn)) throw CompileError("Parse", "invalid param name", file, pp + "/name");
      if (*pn == "input")
        throw CompileError("Parse", "defn arg name must not be 'input' (reserved); rename to 'data', 'payload', "
                                    "'in_bytes', or 'buf'", file, pp + "/name");
      for (auto& q : f.params)
        if (q.name == *pn) throw CompileError("Parse", "duplicate param name: \"" + *pn + "\"", file, pp + "/name");
      Param p;
      p.name = *pn;
      p.ty = parse_tyref(json::find(pv, "ty"), file, pp + "/ty", f.type_params);
      if (auto b = json::get_string(pv, "brand")) p.ty.brand = *b;
      f.params.push_back(std::move(p));
    }
    f.result = parse_tyref(json::find(d, "result"), file, dp + "/result", f.type_params, is_extern);
    if (auto b = json::get_string(d, "result_brand")) f.result.brand = *b;
    if (is_extern) {
      auto abi = json::get_string(d, "abi");
      if (!abi || *abi != "C")
        throw CompileError("Unsupported", "unsupported extern abi: " + (abi ? "\"" + *abi + "\"" : std::string("<missing>")) +
                                              " (use \"abi\": \"C\")", file, dp + "/abi");
      f.extern_void = f.result.name == "void";
      auto ln = json::get_string(d, "link_name");
      f.link_name = ln ? *ln : name.substr(name.rfind('.') + 1);
    } else {
      const json::Value* body = json::find(d, "body");
      if (!body) throw CompileError("Parse", "defn \"" + name + "\" is missing \"body\"", file, dp + "/body");
      f.body = parse_expr(*body, dp + "/body", file);
    }
    return f;
  }

  // Contract clauses (0.5.0+): the function keeps its name but becomes a checking
  // wrapper around the original body, moved to "<name>__x07_contract_body":
  //   (begin <requires/invariant checks> (let __result (body args...)) <ensures/invariant checks> __result)
  // A failing check evaluates its witnesses and traps with an X07T_CONTRACT_V1 payload.
  void add_contracts(const json::Value& d, Function& f, const std::string& version, const std::string& file,
                     const std::string& dp) {
    struct Clause {
      std::string kind, id, ptr;
      size_t index;
      Node expr;
      std::vector<Node> witness;
    };
    std::vector<Clause> clauses;
    for (const char* field : {"requires", "ensures", "invariant"}) {
      const json::Value* arr = json::find(d, field);
      if (!arr || (arr->IsArray() && arr->Empty())) continue;
      if (version < "x07.x07ast@0.5.0")
        throw CompileError("Parse", std::string(field) + " is only supported in x07.x07ast@0.5.0, x07.x07ast@0.6.0, "
                                    "x07.x07ast@0.7.0, x07.x07ast@0.8.0, x07.x07ast@0.9.0 (raise schema_version)",
                           file, dp + "/" + field);
      if (!arr->IsArray()) throw CompileError("Parse", std::string(field) + " must be an array", file, dp + "/" + field);
      for (rapidjson::SizeType i = 0; i < arr->Size(); i++) {
        std::string cp = dp + "/" + field + "/" + std::to_string(i);
        const json::Value& c = (*arr)[i];
        const json::Value* e = c.IsObject() ? json::find(c, "expr") : nullptr;
        if (!e) throw CompileError("Parse", "contract clause needs an \"expr\"", file, cp);
        Clause cl{field, json::get_string(c, "id").value_or(""), cp + "/expr", i, parse_expr(*e, cp + "/expr", file), {}};
        if (const json::Value* w = json::get_array(c, "witness"))
          for (rapidjson::SizeType j = 0; j < w->Size(); j++)
            cl.witness.push_back(parse_expr((*w)[j], cp + "/witness/" + std::to_string(j), file));
        clauses.push_back(std::move(cl));
      }
    }
    if (clauses.empty()) return;
    Function body = f;
    body.name = f.name + "__x07_contract_body";
    body.task_ctx = f.is_async;  // a defasync's checked body runs inside its task
    body.is_async = false;
    prog_.fn_index[body.name] = (int)prog_.fns.size();
    prog_.fns.push_back(body);

    auto atom = [&](const std::string& t) { Node n; n.kind = Node::Atom; n.text = t; n.ptr = f.ptr + "/body"; return n; };
    auto str = [&](const std::string& t) { Node n; n.kind = Node::Str; n.text = t; n.ptr = f.ptr + "/body"; return n; };
    auto list = [&](const std::string& h, std::vector<Node> kids) {
      Node n; n.kind = Node::List; n.text = h; n.kids = std::move(kids); n.ptr = f.ptr + "/body"; return n;
    };
    auto check = [&](const Clause& c) {
      Node idx; idx.kind = Node::Int; idx.ival = (int32_t)c.index; idx.ptr = c.ptr;
      std::vector<Node> fail_args{str(c.kind), str(f.name), str(c.id), idx, str(c.ptr)};
      for (const auto& w : c.witness) fail_args.push_back(w);
      Node zero; zero.kind = Node::Int; zero.ptr = c.ptr;
      return list("if", {c.expr, zero, list("$contract_fail", std::move(fail_args))});
    };
    std::vector<Node> items;
    for (const auto& c : clauses)
      if (c.kind != "ensures") items.push_back(check(c));
    // The body consumes its owned params; an ensures/invariant clause that reads a bytes or vec_u8 param
    // after the body sees the caller's value, so such params are passed to the body as copies.
    std::function<bool(const Node&, const std::string&)> mentions = [&](const Node& n, const std::string& name) {
      if (n.kind == Node::Atom) return n.text == name;
      for (const auto& k : n.kids)
        if (mentions(k, name)) return true;
      return false;
    };
    auto read_after_body = [&](const std::string& name) {
      for (const auto& c : clauses) {
        if (c.kind == "requires") continue;
        if (mentions(c.expr, name)) return true;
        for (const auto& w : c.witness)
          if (mentions(w, name)) return true;
      }
      return false;
    };
    std::vector<Node> args;
    for (const auto& p : f.params) {
      bool copy = !p.ty.is_param && p.ty.wrap.empty() && (p.ty.name == "bytes" || p.ty.name == "vec_u8") &&
                  read_after_body(p.name);
      if (!copy) args.push_back(atom(p.name));
      else if (p.ty.name == "bytes") args.push_back(list("view.to_bytes", {list("bytes.view", {atom(p.name)})}));
      else args.push_back(list("vec_u8.extend_bytes", {list("vec_u8.with_capacity", {list("vec_u8.len", {atom(p.name)})}),
                                                        list("vec_u8.as_view", {atom(p.name)})}));
    }
    items.push_back(list("let", {atom("__result"), list(body.name, std::move(args))}));
    for (const auto& c : clauses)
      if (c.kind != "requires") items.push_back(check(c));
    items.push_back(atom("__result"));
    f.body = list("begin", std::move(items));
  }

  void parse_record_enum(const json::Value& d, bool record, const std::string& name, const Module& m,
                         const std::string& file, const std::string& dp) {
    const char* key = record ? "fields" : "variants";
    const json::Value* arr = json::get_array(d, key);
    if (!arr || arr->Empty())
      throw CompileError("Parse", std::string(record ? "defrecord" : "defenum") + " \"" + name + "\" needs a non-empty \"" +
                                      key + "\" array", file, dp + "/" + key);
    if (record) {
      Record r{name, m.id, file, {}};
      for (rapidjson::SizeType i = 0; i < arr->Size(); i++) {
        std::string fp = dp + "/fields/" + std::to_string(i);
        auto fn = (*arr)[i].IsObject() ? json::get_string((*arr)[i], "name") : std::nullopt;
        auto ft = (*arr)[i].IsObject() ? json::get_string((*arr)[i], "ty") : std::nullopt;
        if (!fn || !valid_local(*fn)) throw CompileError("Parse", "record field needs a valid \"name\"", file, fp);
        if (!ft || (*ft != "i32" && *ft != "u32"))
          throw CompileError("Parse", "record field type must be i32 or u32", file, fp + "/ty");
        r.fields.push_back(*fn);
      }
      prog_.record_index[name] = (int)prog_.records.size();
      prog_.records.push_back(std::move(r));
    } else {
      Enum e{name, m.id, file, {}, {}};
      for (rapidjson::SizeType i = 0; i < arr->Size(); i++) {
        std::string vp = dp + "/variants/" + std::to_string(i);
        auto vn = (*arr)[i].IsObject() ? json::get_string((*arr)[i], "name") : std::nullopt;
        if (!vn || !valid_segment(*vn, false)) throw CompileError("Parse", "enum variant needs a valid \"name\"", file, vp);
        auto pt = json::get_string((*arr)[i], "payload");
        if (pt && *pt != "i32" && *pt != "u32")
          throw CompileError("Parse", "enum payload type must be i32 or u32", file, vp + "/payload");
        e.variants.push_back(*vn);
        e.has_payload.push_back(pt.has_value());
      }
      prog_.enum_index[name] = (int)prog_.enums.size();
      prog_.enums.push_back(std::move(e));
    }
  }

  // ---------------- module resolution ----------------
  bool is_os_stdlib_root(const std::filesystem::path& r) const {
    if (!opts_.os_stdlib_root) return false;
    std::error_code ec;
    return std::filesystem::equivalent(r, *opts_.os_stdlib_root, ec);
  }

  void load_module(const std::string& id, const std::string& from_file, const std::string& import_ptr) {
    if (std::find(stack_.begin(), stack_.end(), id) != stack_.end())
      throw CompileError("Parse", "cyclic import detected at module \"" + id + "\"", from_file, import_ptr);
    if (prog_.modules.count(id)) return;
    std::string rel = module_rel_path(id);
    bool os_world = prog_.world == "run-os" || prog_.world == "run-os-sandboxed";
    bool roots_only = os_world && id.rfind("std.world.", 0) == 0;
    if (is_fixture_world(prog_.world)) {
      for (size_t i = 0; i < x07_solve_modules_count; i++) {
        if (x07_solve_modules[i].path == rel) {
          std::string text(x07_solve_modules[i].data);
          load_source(text, "<embedded:solve>/" + rel, id, false);
          return;
        }
      }
    }
    if (!roots_only) {
      for (size_t i = 0; i < x07_std_modules_count; i++) {
        if (x07_std_modules[i].path == rel) {
          std::string text(x07_std_modules[i].data);
          load_source(text, "<embedded>/" + rel, id, false);
          return;
        }
      }
    }
    // The user's roots (project packages, --module-root) are searched together: two hits
    // there are ambiguous, as upstream says. Our OS module root is only the fallback, so a
    // package's copy of a module it also holds (std.os.fs, ext.time.*, ...) wins over it.
    std::vector<std::filesystem::path> roots;
    for (const auto& r : opts_.module_roots)
      if (!is_os_stdlib_root(r)) roots.push_back(r);
    std::vector<std::filesystem::path> found;
    std::string searched;
    auto search = [&](const std::vector<std::filesystem::path>& in) {
      for (const auto& r : in) {
        std::filesystem::path p = r / rel;
        searched += (searched.empty() ? "" : ", ") + p.string();
        std::error_code ec;
        bool exists = std::filesystem::is_regular_file(p, ec);
        prog_.module_probes.emplace_back(p.string(), exists);
        if (exists) found.push_back(p);
      }
    };
    search(roots);
    if (found.size() > 1) {
      std::string all;
      for (auto& p : found) all += (all.empty() ? "\"" : ", \"") + p.string() + "\"";
      throw CompileError("Parse", "module \"" + id + "\" is ambiguous across roots: [" + all + "]", from_file, import_ptr);
    }
    if (found.empty() && opts_.os_stdlib_root) {
      roots.push_back(*opts_.os_stdlib_root);
      search({*opts_.os_stdlib_root});
    }
    if (found.empty()) {
      std::string msg = "unknown module: \"" + id + "\"";
      if (!roots.empty()) msg += " (searched: " + searched + ")";
      else msg += " (no module roots given; pass --module-root <dir> containing " + rel + ")";
      std::vector<std::string> known;
      for (size_t i = 0; i < x07_std_modules_count; i++) {
        std::string p(x07_std_modules[i].path);
        p.resize(p.size() - std::string(".x07.json").size());
        std::replace(p.begin(), p.end(), '/', '.');
        known.push_back(p);
      }
      std::string near = nearest_name(id, known);
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      throw CompileError("Parse", msg, from_file, import_ptr);
    }
    std::string text = read_file(found[0], "module");
    load_source(text, found[0].string(), id, false);
  }

  // ---------------- reachability + visibility ----------------
  static std::string owner_module(const std::string& fn) { return fn.substr(0, fn.rfind('.')); }

  void mark_reachable() {
    std::vector<int> work;
    auto visit_tree = [&](const Node& root, const std::string& from_module, const std::string& file) {
      std::function<void(const Node&)> walk = [&](const Node& n) {
        live_nodes_++;
        if (n.kind != Node::List) return;
        std::string callee = n.text;
        if (n.text == "tapp" && !n.kids.empty() && n.kids[0].kind == Node::Atom) callee = n.kids[0].text;
        // std.brand.cast_*(brand, validator, x) calls the validator function at run time
        if (n.text.rfind("std.brand.cast_", 0) == 0 && n.kids.size() >= 2 && n.kids[1].kind == Node::Atom)
          callee = n.kids[1].text;
        // std.stream.pipe_v1 stages call functions named by ["std.stream.fn_v1", f] / ["validator", f]
        if ((n.text == "std.stream.fn_v1" || n.text == "validator") && n.kids.size() == 1 &&
            n.kids[0].kind == Node::Atom)
          callee = n.kids[0].text;
        auto it = prog_.fn_index.find(callee);
        if (it != prog_.fn_index.end()) {
          const Function& f = prog_.fns[it->second];
          std::string owner = owner_module(f.name);
          if (!prog_.modules.count(owner))
            throw CompileError("Parse", "function \"" + f.name + "\" belongs to unknown module \"" + owner + "\"",
                               f.file, f.ptr + "/name");
          if (f.module != from_module) {
            const Module& a = prog_.modules.at(from_module);
            if (!a.imports.count(f.module))
              throw CompileError("Parse", "call to \"" + f.name + "\" requires (import " + f.module + ") in module \"" +
                                              from_module + "\" (add \"" + f.module + "\" to imports)", file, n.ptr);
            if (!prog_.modules.at(f.module).exports.count(f.name))
              throw CompileError("Parse", "function \"" + f.name + "\" is not exported by module \"" + f.module + "\"",
                                 file, n.ptr);
          }
          if (!prog_.fns[it->second].reachable) {
            prog_.fns[it->second].reachable = true;
            work.push_back(it->second);
          }
        }
        for (const auto& k : n.kids) walk(k);
      };
      walk(root);
    };
    visit_tree(prog_.solve, "main", prog_.entry_file);
    if (opts_.keep_unreachable)
      for (size_t i = 0; i < prog_.fns.size(); i++)
        if (!prog_.fns[i].reachable && prog_.fns[i].type_params.empty()) {
          prog_.fns[i].reachable = true;
          work.push_back((int)i);
        }
    while (!work.empty()) {
      int i = work.back();
      work.pop_back();
      const Function& f = prog_.fns[i];
      if (!f.is_extern) visit_tree(f.body, f.module, f.file);
    }
  }
};

}  // namespace

void load_program(Program& prog, const std::filesystem::path& entry, const LoadOptions& opts) {
  Loader l(prog, opts);
  l.load_entry(entry);
}

}  // namespace x07c
