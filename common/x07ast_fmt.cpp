// Canonical x07AST formatting: parse into decl groups, validate the shape the way the
// toolchain's reader does, rebuild the file in canonical order and print it with
// byte-sorted keys (see x07ast_fmt.hpp).
#include "x07ast_fmt.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "json.hpp"
#include "text.hpp"

namespace x07::x07ast {
namespace {

using json::Allocator;
using json::Value;

constexpr const char* kDecreasesMetaKey = "__x07_internal_defn_decreases";

const char* const kSchemaVersions[] = {"x07.x07ast@0.3.0", "x07.x07ast@0.4.0", "x07.x07ast@0.5.0",
                                       "x07.x07ast@0.6.0", "x07.x07ast@0.7.0", "x07.x07ast@0.8.0",
                                       "x07.x07ast@0.9.0"};

struct Fail {
  FormatError e;
};
[[noreturn]] void fail(std::string msg, std::string ptr) { throw Fail{{std::move(msg), std::move(ptr)}}; }

using text::trim;

std::string jq(std::string_view s) { return text::json_quoted(s); }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Name rules of the reader: dotted ids of [A-Za-z_][A-Za-z0-9_-]* segments, local
// names [A-Za-z_][A-Za-z0-9_]*, type names [A-Za-z][A-Za-z0-9_]*.
void check_dotted(std::string_view raw, const std::string& what, const std::string& ptr) {
  const std::string id = trim(raw);
  if (id.empty()) fail(what + " must not be empty", ptr);
  if (id.find('/') != std::string_view::npos || id.find('\\') != std::string_view::npos)
    fail("invalid " + what + " (path separators are not allowed): " + jq(id), ptr);
  size_t start = 0;
  while (true) {
    const size_t dot = id.find('.', start);
    const std::string_view seg = std::string_view(id).substr(start, dot == std::string::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) fail("invalid " + what + " (empty segment): " + jq(id), ptr);
    if (!(is_alpha(seg[0]) || seg[0] == '_'))
      fail("invalid " + what + " segment start (must be [A-Za-z_]): " + jq(id), ptr);
    for (char c : seg.substr(1))
      if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '-'))
        fail("invalid " + what + " segment char (allowed [A-Za-z0-9_-]): " + jq(id), ptr);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

void check_local(std::string_view raw, const std::string& ptr) {
  const std::string n = trim(raw);
  if (n.empty()) fail("local name must be non-empty", ptr);
  if (!(is_alpha(n[0]) || n[0] == '_')) fail("invalid local name start (must be [A-Za-z_]): " + jq(n), ptr);
  for (char c : n.substr(1))
    if (!(is_alpha(c) || is_digit(c) || c == '_')) fail("invalid local name char (allowed [A-Za-z0-9_]): " + jq(n), ptr);
}

void check_type_name(std::string_view raw, const std::string& ptr) {
  const std::string n = trim(raw);
  if (n.empty()) fail("type name must be non-empty", ptr);
  if (!is_alpha(n[0])) fail("invalid type name start (must be [A-Za-z]): " + jq(n), ptr);
  for (char c : n.substr(1))
    if (!(is_alpha(c) || is_digit(c) || c == '_')) fail("invalid type name char (allowed [A-Za-z0-9_]): " + jq(n), ptr);
}

std::string parent_ptr(const std::string& ptr) {
  const size_t slash = ptr.rfind('/');
  return slash == std::string::npos ? std::string() : ptr.substr(0, slash);
}

std::string str_of(const Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::string required_string(const Value& obj, const char* key, const std::string& field_ptr) {
  const Value* v = json::find(obj, key);
  if (!v) fail(std::string("missing required field: ") + key, parent_ptr(field_ptr));
  if (!v->IsString()) fail(std::string(key) + " must be a string", field_ptr);
  return str_of(*v);
}

bool contains_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; });
}

// The output document's allocator; every rebuilt value lives in it.
class Builder {
 public:
  explicit Builder(Allocator& a) : a_(a) {}

  Value str(std::string_view s) { return json::make_string(s, a_); }
  Value obj() { return Value(rapidjson::kObjectType); }
  Value arr() { return Value(rapidjson::kArrayType); }
  void put(Value& o, const char* key, Value v) { o.AddMember(Value(key, a_), v, a_); }
  void push(Value& arr, Value v) { arr.PushBack(v, a_); }

  // S-expressions: integers (i32), atoms without whitespace, non-empty lists with an
  // atom head (the literal operand of bytes.lit / bytes.view_lit may hold spaces).
  Value expr(const Value& v, const std::string& ptr) {
    if (v.IsNumber()) {
      if (!v.IsInt64()) fail("number is not an i64", ptr);
      const int64_t i = v.GetInt64();
      if (i < INT32_MIN || i > INT32_MAX) fail("number out of i32 range: " + std::to_string(i), ptr);
      return Value(static_cast<int>(i));
    }
    if (v.IsString()) {
      if (contains_space(std::string_view(v.GetString(), v.GetStringLength())))
        fail("atom must not contain whitespace", ptr);
      return str(std::string_view(v.GetString(), v.GetStringLength()));
    }
    if (v.IsArray()) {
      if (v.Empty()) fail("list expression must not be empty", ptr);
      if (!v[0].IsString()) fail("list head must be an atom string", ptr + "/0");
      const std::string head = str_of(v[0]);
      if (contains_space(head)) fail("list head must not contain whitespace", ptr + "/0");
      Value out = arr();
      push(out, str(head));
      for (rapidjson::SizeType i = 1; i < v.Size(); ++i) {
        if (i == 1 && (head == "bytes.lit" || head == "bytes.view_lit") && v[i].IsString()) {
          push(out, str(std::string_view(v[i].GetString(), v[i].GetStringLength())));
          continue;
        }
        push(out, expr(v[i], ptr + "/" + std::to_string(i)));
      }
      return out;
    }
    fail("expected an integer, string or list expression", ptr);
  }

  Value type_ref(const Value& v, const std::string& ptr) {
    if (v.IsString()) {
      check_type_name(str_of(v), ptr);
      return str(str_of(v));
    }
    if (!v.IsArray()) fail("type must be a string or a list", ptr);
    if (v.Empty()) fail("type expression list must not be empty", ptr);
    if (!v[0].IsString()) fail("type expression head must be a string", ptr + "/0");
    const std::string head = str_of(v[0]);
    check_type_name(head, ptr + "/0");
    Value out = arr();
    push(out, str(head));
    if (head == "t") {
      if (v.Size() != 2) fail("type var expression must be [\"t\", <name>]", ptr);
      if (!v[1].IsString()) fail("type var name must be a string", ptr + "/1");
      check_local(str_of(v[1]), ptr + "/1");
      push(out, str(str_of(v[1])));
      return out;
    }
    if (v.Size() < 2) fail("type application must have at least 1 argument", ptr);
    for (rapidjson::SizeType i = 1; i < v.Size(); ++i) push(out, type_ref(v[i], ptr + "/" + std::to_string(i)));
    return out;
  }

  Value params(const Value& d, const std::string& ptr, const std::string& label) {
    const Value* ps = json::find(d, "params");
    if (!ps) fail("missing required field: params in " + label, ptr);
    if (!ps->IsArray()) fail(label + ".params must be an array", ptr + "/params");
    Value out = arr();
    for (rapidjson::SizeType i = 0; i < ps->Size(); ++i) {
      const std::string pptr = ptr + "/params/" + std::to_string(i);
      const Value& p = (*ps)[i];
      if (!p.IsObject()) fail(label + ".params[" + std::to_string(i) + "] must be an object", pptr);
      const std::string name = required_string(p, "name", pptr + "/name");
      check_local(name, pptr + "/name");
      if (name == "input")
        fail(label + " arg name must not be 'input' (reserved); rename to 'data', 'payload', 'in_bytes', or 'buf'",
             pptr + "/name");
      const Value* ty = json::find(p, "ty");
      if (!ty) fail("missing required field: ty", pptr);
      Value po = obj();
      put(po, "name", str(name));
      put(po, "ty", type_ref(*ty, pptr + "/ty"));
      if (const Value* b = json::find(p, "brand")) {
        if (!b->IsString()) fail("brand must be a string", pptr + "/brand");
        check_dotted(str_of(*b), "module_id", pptr + "/brand");
        put(po, "brand", str(str_of(*b)));
      }
      push(out, std::move(po));
    }
    return out;
  }

  // Contract clauses ({expr, id?, witness?}); an absent field is an empty list.
  Value clauses(const Value& holder, const std::string& ptr, const char* field) {
    Value out = arr();
    const Value* v = json::find(holder, field);
    if (!v) return out;
    if (!v->IsArray()) fail(std::string(field) + " must be an array", ptr + "/" + field);
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const std::string cptr = ptr + "/" + field + "/" + std::to_string(i);
      const Value& c = (*v)[i];
      if (!c.IsObject()) fail(std::string(field) + " clause must be an object", cptr);
      Value co = obj();
      if (const Value* id = json::find(c, "id")) {
        if (!id->IsString()) fail("id must be a string", cptr + "/id");
        put(co, "id", str(str_of(*id)));
      }
      const Value* e = json::find(c, "expr");
      if (!e) fail("missing required field: expr", cptr);
      put(co, "expr", expr(*e, cptr + "/expr"));
      if (const Value* w = json::find(c, "witness")) {
        if (!w->IsArray()) fail("witness must be an array", cptr + "/witness");
        if (!w->Empty()) {
          Value wo = arr();
          for (rapidjson::SizeType k = 0; k < w->Size(); ++k)
            push(wo, expr((*w)[k], cptr + "/witness/" + std::to_string(k)));
          put(co, "witness", std::move(wo));
        }
      }
      push(out, std::move(co));
    }
    return out;
  }

  void put_nonempty(Value& o, const char* key, Value list) {
    if (!list.Empty()) put(o, key, std::move(list));
  }

  Allocator& a_;
};

// One parsed declaration, kept with its sort key until the canonical order is known.
struct Decl {
  std::string name;
  Value value;
  std::string loop_contract_body_prefix;  // "/decls/<old index>" of a defn/defasync with loop contracts
};

bool schema_at_least(const std::string& version, int minor) {
  // "x07.x07ast@0.<minor>.0"
  const size_t at = version.find("@0.");
  if (at == std::string::npos) return false;
  return std::atoi(version.c_str() + at + 3) >= minor;
}

class Reader {
 public:
  Reader(const Value& root, Allocator& a) : root_(root), b_(a) {}

  Value read() {
    if (!root_.IsObject()) fail("x07ast root must be an object", "");
    schema_ = required_string(root_, "schema_version", "/schema_version");
    if (std::find(std::begin(kSchemaVersions), std::end(kSchemaVersions), schema_) == std::end(kSchemaVersions)) {
      std::string list;
      for (const char* v : kSchemaVersions) list += (list.empty() ? "" : ", ") + std::string(v);
      fail("unsupported schema_version: got " + jq(schema_) + " (supported: " + list + ")", "/schema_version");
    }
    const std::string kind_raw = required_string(root_, "kind", "/kind");
    const std::string kind = trim(kind_raw);
    if (kind != "entry" && kind != "module")
      fail("invalid kind: expected \"entry\" or \"module\" got " + jq(kind_raw), "/kind");
    is_module_ = kind == "module";
    module_id_ = required_string(root_, "module_id", "/module_id");
    check_dotted(module_id_, "module_id", "/module_id");

    std::set<std::string> imports;
    const Value* imp = json::find(root_, "imports");
    if (!imp) fail("missing required field: imports", "");
    if (!imp->IsArray()) fail("imports must be an array", "/imports");
    for (rapidjson::SizeType i = 0; i < imp->Size(); ++i) {
      if (!(*imp)[i].IsString()) fail("imports[" + std::to_string(i) + "] must be a string", "/imports/" + std::to_string(i));
      check_dotted(str_of((*imp)[i]), "module_id", "/imports");
      imports.insert(str_of((*imp)[i]));
    }

    read_decls();

    Value out = b_.obj();
    b_.put(out, "schema_version", b_.str(schema_));
    b_.put(out, "kind", b_.str(is_module_ ? "module" : "entry"));
    b_.put(out, "module_id", b_.str(module_id_));
    Value imports_v = b_.arr();
    for (const auto& m : imports) b_.push(imports_v, b_.str(m));
    b_.put(out, "imports", std::move(imports_v));
    b_.put(out, "decls", canonical_decls());
    if (const Value* solve = json::find(root_, "solve")) b_.put(out, "solve", b_.expr(*solve, "/solve"));
    // `meta` is kept when it is a non-empty object (minus the reader's internal key).
    if (const Value* meta = json::find(root_, "meta"); meta && meta->IsObject()) {
      std::map<std::string, const Value*> kept;
      for (auto it = meta->MemberBegin(); it != meta->MemberEnd(); ++it) {
        const std::string k = str_of(it->name);
        if (k != kDecreasesMetaKey) kept[k] = &it->value;
      }
      if (!kept.empty()) {
        Value m = b_.obj();
        for (const auto& [k, v] : kept) m.AddMember(b_.str(k), Value(*v, b_.a_), b_.a_);
        b_.put(out, "meta", std::move(m));
      }
    }
    return out;
  }

 private:
  void claim_name(const std::string& name, const std::string& ptr, const char* what) {
    if (!names_.insert(name).second) fail(std::string("duplicate ") + what + " name: " + jq(name), ptr);
  }

  void read_decls() {
    const Value* decls = json::find(root_, "decls");
    if (!decls) fail("missing required field: decls", "");
    if (!decls->IsArray()) fail("decls must be an array", "/decls");
    for (rapidjson::SizeType i = 0; i < decls->Size(); ++i) {
      const std::string dptr = "/decls/" + std::to_string(i);
      const Value& d = (*decls)[i];
      if (!d.IsObject()) fail("decls[" + std::to_string(i) + "] must be an object", dptr);
      const std::string kind_raw = required_string(d, "kind", dptr + "/kind");
      const std::string kind = trim(kind_raw);
      if (kind == "export") {
        read_export(d, dptr);
      } else if (kind == "defn" || kind == "defasync") {
        Decl decl = read_def(d, dptr, kind == "defasync");
        (kind == "defasync" ? asyncs_ : defns_).push_back(std::move(decl));
      } else if (kind == "extern") {
        externs_.push_back(read_extern(d, dptr));
      } else if (kind == "defrecord" || kind == "defenum") {
        if (!schema_at_least(schema_, 9))
          fail(std::string(kind) + " is only supported in x07.x07ast@0.9.0", dptr + "/kind");
        if (kind == "defrecord") records_.push_back(read_record(d, dptr));
        else enums_.push_back(read_enum(d, dptr));
      } else {
        fail("unsupported decl kind: " + jq(kind_raw), dptr + "/kind");
      }
    }
  }

  void read_export(const Value& d, const std::string& dptr) {
    if (!exports_.empty()) fail("duplicate export decl", dptr + "/kind");
    const Value* names = json::find(d, "names");
    if (!names) fail("missing required field: names", dptr);
    if (!names->IsArray()) fail("names must be an array", dptr + "/names");
    for (rapidjson::SizeType i = 0; i < names->Size(); ++i) {
      const std::string nptr = dptr + "/names/" + std::to_string(i);
      if (!(*names)[i].IsString()) fail("names[" + std::to_string(i) + "] must be a string", nptr);
      check_dotted(str_of((*names)[i]), "module_id", nptr);
      exports_.insert(str_of((*names)[i]));
    }
  }

  std::string read_decl_name(const Value& d, const std::string& dptr, const char* label) {
    const std::string name = required_string(d, "name", dptr + "/name");
    check_dotted(name, "module_id", dptr + "/name");
    const std::string prefix = module_id_ + ".";
    if (name.rfind(prefix, 0) != 0)
      fail(std::string(label) + " name must start with " + jq(prefix) + ", got " + jq(name), dptr + "/name");
    return name;
  }

  Decl read_def(const Value& d, const std::string& dptr, bool is_async) {
    const char* label = is_async ? "defasync" : "defn";
    const std::string name = read_decl_name(d, dptr, label);
    const bool contracts_ok = schema_at_least(schema_, 5);
    if (!contracts_ok)
      for (const char* f : {"requires", "ensures", "invariant", "loop_contracts", "protocol"})
        if (json::find(d, f)) fail(std::string(f) + " is only supported in x07.x07ast@0.5.0 or later", dptr + "/" + f);
    if (json::find(d, "decreases")) {
      if (is_async) fail("decreases is only supported on defn declarations", dptr + "/decreases");
      if (!schema_at_least(schema_, 8)) fail("decreases is only supported in x07.x07ast@0.8.0", dptr + "/decreases");
    }
    if (!is_async && json::find(d, "protocol"))
      fail("protocol is only supported on defasync declarations", dptr + "/protocol");
    if (json::find(d, "loop_contracts") && !schema_at_least(schema_, 6))
      fail("loop_contracts is only supported in x07.x07ast@0.6.0 or later", dptr + "/loop_contracts");
    if (is_async && json::find(d, "protocol") && !schema_at_least(schema_, 7))
      fail("protocol is only supported in x07.x07ast@0.7.0 or later", dptr + "/protocol");
    claim_name(name, dptr + "/name", "function");

    Value o = b_.obj();
    b_.put(o, "kind", b_.str(label));
    b_.put(o, "name", b_.str(name));
    if (const Value* doc = json::find(d, "doc")) {
      if (!doc->IsString()) fail("doc must be a string", dptr + "/doc");
      const std::string t = trim(std::string_view(doc->GetString(), doc->GetStringLength()));
      if (!t.empty()) b_.put(o, "doc", b_.str(t));
    }
    b_.put_nonempty(o, "type_params", type_params(d, dptr));
    b_.put_nonempty(o, "requires", b_.clauses(d, dptr, "requires"));
    b_.put_nonempty(o, "ensures", b_.clauses(d, dptr, "ensures"));
    b_.put_nonempty(o, "invariant", b_.clauses(d, dptr, "invariant"));
    if (!is_async) b_.put_nonempty(o, "decreases", b_.clauses(d, dptr, "decreases"));
    if (const Value* p = json::find(d, "protocol")) {
      if (!p->IsObject()) fail("protocol must be an object", dptr + "/protocol");
      Value po = b_.obj();
      const std::string pptr = dptr + "/protocol";
      b_.put_nonempty(po, "await_invariant", b_.clauses(*p, pptr, "await_invariant"));
      b_.put_nonempty(po, "scope_invariant", b_.clauses(*p, pptr, "scope_invariant"));
      b_.put_nonempty(po, "cancellation_ensures", b_.clauses(*p, pptr, "cancellation_ensures"));
      b_.put(o, "protocol", std::move(po));
    }
    bool has_loop_contracts = false;
    if (const Value* lc = json::find(d, "loop_contracts")) {
      if (!lc->IsArray()) fail("loop_contracts must be an array", dptr + "/loop_contracts");
      Value out = b_.arr();
      for (rapidjson::SizeType i = 0; i < lc->Size(); ++i) {
        const std::string lptr = dptr + "/loop_contracts/" + std::to_string(i);
        if (!(*lc)[i].IsObject()) fail("loop_contracts item must be an object", lptr);
        Value item = b_.obj();
        b_.put(item, "ptr", b_.str(required_string((*lc)[i], "ptr", lptr + "/ptr")));
        b_.put(item, "invariant", b_.clauses((*lc)[i], lptr, "invariant"));
        b_.put(item, "decreases", b_.clauses((*lc)[i], lptr, "decreases"));
        b_.push(out, std::move(item));
      }
      has_loop_contracts = !out.Empty();
      b_.put_nonempty(o, "loop_contracts", std::move(out));
    }
    b_.put(o, "params", b_.params(d, dptr, label));
    const Value* result = json::find(d, "result");
    if (!result) fail(std::string("missing required field: result in ") + label, dptr);
    b_.put(o, "result", b_.type_ref(*result, dptr + "/result"));
    if (const Value* rb = json::find(d, "result_brand")) {
      if (!rb->IsString()) fail("result_brand must be a string", dptr + "/result_brand");
      check_dotted(str_of(*rb), "module_id", dptr + "/result_brand");
      b_.put(o, "result_brand", b_.str(str_of(*rb)));
    }
    const Value* body = json::find(d, "body");
    if (!body) fail(std::string("missing required field: body in ") + label, dptr);
    b_.put(o, "body", b_.expr(*body, dptr + "/body"));
    return Decl{name, std::move(o), has_loop_contracts ? dptr : std::string()};
  }

  Value type_params(const Value& d, const std::string& dptr) {
    Value out = b_.arr();
    const Value* tp = json::find(d, "type_params");
    if (!tp) return out;
    if (!tp->IsArray()) fail("type_params must be an array", dptr + "/type_params");
    std::set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < tp->Size(); ++i) {
      const std::string iptr = dptr + "/type_params/" + std::to_string(i);
      if (!(*tp)[i].IsObject()) fail("type_params item must be an object", iptr);
      const std::string name = required_string((*tp)[i], "name", iptr + "/name");
      check_local(name, iptr + "/name");
      if (!seen.insert(name).second) fail("duplicate type param name: " + jq(name), iptr + "/name");
      Value item = b_.obj();
      b_.put(item, "name", b_.str(name));
      if (const Value* bound = json::find((*tp)[i], "bound")) {
        if (!bound->IsString()) fail("bound must be a string", iptr + "/bound");
        check_type_name(str_of(*bound), iptr + "/bound");
        b_.put(item, "bound", b_.str(str_of(*bound)));
      }
      b_.push(out, std::move(item));
    }
    return out;
  }

  Decl read_extern(const Value& d, const std::string& dptr) {
    const std::string name = read_decl_name(d, dptr, "extern");
    const std::string abi = required_string(d, "abi", dptr + "/abi");
    if (trim(abi) != "C") fail("unsupported extern abi: expected \"C\" got " + jq(abi), dptr + "/abi");
    std::string link_name;
    if (const Value* ln = json::find(d, "link_name")) {
      if (!ln->IsString()) fail("link_name must be a string", dptr + "/link_name");
      link_name = str_of(*ln);
      check_local(link_name, dptr + "/link_name");
    } else {
      link_name = name.substr(name.rfind('.') + 1);
      check_local(link_name, dptr + "/name");
    }
    Value o = b_.obj();
    b_.put(o, "kind", b_.str("extern"));
    b_.put(o, "abi", b_.str("C"));
    b_.put(o, "name", b_.str(name));
    b_.put(o, "link_name", b_.str(link_name));
    b_.put(o, "params", b_.params(d, dptr, "extern"));
    const Value* result = json::find(d, "result");
    if (!result) fail("missing required field: result", dptr);
    if (result->IsString() && trim(std::string_view(result->GetString(), result->GetStringLength())) == "void")
      b_.put(o, "result", b_.str("void"));
    else
      b_.put(o, "result", b_.type_ref(*result, dptr + "/result"));
    claim_name(name, dptr + "/name", "function");
    return Decl{name, std::move(o), {}};
  }

  // defrecord {name, doc?, fields:[{name, ty}]} / defenum {name, doc?, variants:[{name, payload?}]}.
  Decl read_record(const Value& d, const std::string& dptr) { return read_aggregate(d, dptr, "defrecord", "fields"); }
  Decl read_enum(const Value& d, const std::string& dptr) { return read_aggregate(d, dptr, "defenum", "variants"); }

  Decl read_aggregate(const Value& d, const std::string& dptr, const char* kind, const char* list_key) {
    const bool is_record = std::string_view(kind) == "defrecord";
    const std::string name = required_string(d, "name", dptr + "/name");
    const Value* items = json::find(d, list_key);
    if (!items || !items->IsArray())
      fail(std::string(kind) + " requires a `" + list_key + "` array", dptr + "/" + list_key);
    if (items->Empty())
      fail(std::string(kind) + " requires at least one " + (is_record ? "field" : "variant"), dptr + "/" + list_key);
    Value list = b_.arr();
    std::set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const std::string iptr = dptr + "/" + list_key + "/" + std::to_string(i);
      const Value& it = (*items)[i];
      if (!it.IsObject())
        fail(std::string(is_record ? "record field " : "enum variant ") + std::to_string(i) + " must be an object", iptr);
      const std::string iname = required_string(it, "name", iptr + "/name");
      if (!seen.insert(iname).second)
        fail(std::string(is_record ? "duplicate record field: " : "duplicate enum variant: ") + jq(iname), iptr + "/name");
      Value io = b_.obj();
      b_.put(io, "name", b_.str(iname));
      if (is_record) {
        const std::string ty = required_string(it, "ty", iptr + "/ty");
        if (ty != "i32" && ty != "u32")
          fail("record field " + jq(iname) + " has type " + jq(ty) +
                   "; records currently support only `i32`/`u32` fields (fixed 32-bit scalars)",
               iptr + "/ty");
        b_.put(io, "ty", b_.str(ty));
      } else if (const Value* payload = json::find(it, "payload")) {
        if (!payload->IsString()) fail("enum variant payload must be a type name string", iptr + "/payload");
        const std::string pty = str_of(*payload);
        if (pty != "i32" && pty != "u32") fail("enum variant payload must be i32 or u32, got " + jq(pty), iptr + "/payload");
        b_.put(io, "payload", b_.str(pty));
      }
      b_.push(list, std::move(io));
    }
    claim_name(name, dptr + "/name", "decl");
    Value o = b_.obj();
    b_.put(o, "kind", b_.str(kind));
    b_.put(o, "name", b_.str(name));
    if (const Value* doc = json::find(d, "doc"); doc && doc->IsString()) b_.put(o, "doc", b_.str(str_of(*doc)));
    b_.put(o, list_key, std::move(list));
    return Decl{name, std::move(o), {}};
  }

  // Loop contracts point into their function's body; when sorting moves the function
  // to another decl index, the pointer moves with it.
  void repoint_loop_contracts(Decl& decl, size_t new_index) {
    if (decl.loop_contract_body_prefix.empty()) return;
    Value* lcs = nullptr;
    if (auto it = decl.value.FindMember("loop_contracts"); it != decl.value.MemberEnd()) lcs = &it->value;
    if (!lcs) return;
    for (auto& lc : lcs->GetArray()) {
      auto p = lc.FindMember("ptr");
      const std::string ptr = str_of(p->value);
      const size_t body = ptr.find("/body");
      if (body == std::string::npos) continue;
      p->value = b_.str("/decls/" + std::to_string(new_index) + ptr.substr(body));
    }
  }

  Value canonical_decls() {
    auto by_name = [](const Decl& a, const Decl& b) { return a.name < b.name; };
    std::stable_sort(externs_.begin(), externs_.end(), by_name);
    std::stable_sort(defns_.begin(), defns_.end(), by_name);
    std::stable_sort(asyncs_.begin(), asyncs_.end(), by_name);
    Value out = b_.arr();
    if (is_module_ && !exports_.empty()) {
      Value e = b_.obj();
      b_.put(e, "kind", b_.str("export"));
      Value names = b_.arr();
      for (const auto& n : exports_) b_.push(names, b_.str(n));
      b_.put(e, "names", std::move(names));
      b_.push(out, std::move(e));
    }
    for (auto* group : {&externs_, &defns_, &asyncs_, &records_, &enums_})
      for (Decl& d : *group) {
        repoint_loop_contracts(d, out.Size());
        b_.push(out, std::move(d.value));
      }
    return out;
  }

  const Value& root_;
  Builder b_;
  std::string schema_, module_id_;
  bool is_module_ = false;
  std::set<std::string> exports_, names_;
  std::vector<Decl> externs_, defns_, asyncs_, records_, enums_;
};

}  // namespace

FormatResult format_canonical(std::string_view source, bool pretty) {
  FormatResult res;
  json::Document in;
  std::string perr;
  if (!json::parse(source, in, &perr, json::kProgramMaxDepth)) {
    res.error = {perr, ""};
    return res;
  }
  json::Document out;
  try {
    Reader reader(in, out.GetAllocator());
    Value canonical = reader.read();
    res.text = pretty ? json::to_pretty_sorted(canonical) : json::to_compact_sorted(canonical) + "\n";
    res.ok = true;
  } catch (const Fail& f) {
    res.error = f.e;
  }
  return res;
}

}  // namespace x07::x07ast
