// Calls: argument modes and coercions, builtins, user/std functions, tapp
// (monomorphized), ty.* intrinsics and record/enum operations.
#include <algorithm>

#include "stream_pipe.hpp"
#include "typecheck_internal.hpp"

namespace x07c::tc {

// Checks one argument against a parameter type; mode as in Builtin::param_mode.
Info FnChecker::check_arg(Node& a, Ty want, char mode, const std::string& who, size_t i, bool is_fn) {
  auto mismatch = [&](Ty got) {
    if (is_fn) err("Typing", "call \"" + who + "\" arg " + std::to_string(i) + " expects " + ty_debug_name(want) +
                                 " (got " + ty_debug_name(got) + ")", a.ptr);
    err("Typing", who + " expects " + ty_token(want) + " for arg " + std::to_string(i) + " (got " + ty_token(got) + ")",
        a.ptr);
  };
  int v = a.kind == Node::Atom ? lookup(a.text) : -1;
  if (mode == 'c' || (is_fn && want == Ty::View)) {
    if (v >= 0 && (vars_[v].ty == Ty::Bytes || vars_[v].ty == Ty::Vec)) {
      use_var(v, a.ptr);
      a.var = v;
      a.ty = vars_[v].ty;
      a.coerce_view = true;
      return {Ty::View, v, vars_[v].brand};
    }
    Info r = check(a, false);
    if (r.ty == Ty::Bytes || r.ty == Ty::Vec) {
      a.coerce_view = true;
      a.keep_temp = true;
      // The hidden owner lives to the end of the current scope; a view derived from
      // it must not outlive that scope (tracked through a pseudo variable).
      int owner = declare("$tmp" + a.ptr, r.ty);
      return {Ty::View, owner, r.brand};
    }
    if (r.ty != Ty::View && r.ty != Ty::Never) mismatch(r.ty);
    return r;
  }
  if (mode == 'd' && v >= 0 && vars_[v].ty == want) {  // not marked moved (spec §4.5 quirk)
    use_var(v, a.ptr);
    a.var = v;
    a.ty = want;
    return {want, -1, vars_[v].brand};
  }
  if (mode == 'p' && v >= 0 && is_owned(vars_[v].ty)) {
    use_var(v, a.ptr);
    a.var = v;
    a.ty = vars_[v].ty;
    if (a.ty != want) mismatch(a.ty);
    return {a.ty, -1, vars_[v].brand};
  }
  if (mode == 'q') {  // any raw pointer
    Info r = check(a, false);
    if (!is_ptr(r.ty) && r.ty != Ty::Never)
      err("Typing", who + " expects a raw pointer for arg " + std::to_string(i) + " (got " + ty_token(r.ty) + ")", a.ptr);
    return r;
  }
  if (mode == 'y') {  // pointer type token
    Ty t;
    if (a.kind != Node::Atom || !parse_ty_token(a.text, &t) || !is_ptr(t))
      err("Typing", who + " expects a pointer type token (ptr_const_u8, ptr_mut_u8, ptr_const_void, ptr_mut_void, "
                          "ptr_const_i32, ptr_mut_i32) for arg " + std::to_string(i), a.ptr);
    a.ty = t;
    return {t};
  }
  if (mode == 'l') {  // address of a local variable
    int lv = a.kind == Node::Atom ? lookup(a.text) : -1;
    if (lv < 0) err("Typing", who + " expects the name of a local variable", a.ptr);
    a.var = lv;
    a.ty = vars_[lv].ty;
    return {a.ty};
  }
  if (mode == 'b') {  // brand id: a symbol, not evaluated
    if (a.kind != Node::Atom) err("Typing", who + " expects a brand id symbol for arg " + std::to_string(i), a.ptr);
    a.ty = Ty::I32;
    return {Ty::I32};
  }
  if (mode == 'f') {  // validator: (bytes_view) -> result_i32, called at run time
    auto fi = a.kind == Node::Atom ? prog_.fn_index.find(a.text) : prog_.fn_index.end();
    if (fi == prog_.fn_index.end())
      err("Typing", who + " expects a validator function name for arg " + std::to_string(i), a.ptr);
    const Function& f = prog_.fns[fi->second];
    if (f.param_tys.size() != 1 || f.param_tys[0] != Ty::View || f.result_ty != Ty::ResI32)
      err("Typing", "validator \"" + f.name + "\" must have signature (bytes_view) -> result_i32", a.ptr);
    a.callee = fi->second;
    a.ty = Ty::I32;
    return {Ty::I32};
  }
  if (mode == 'i') {
    if (v < 0 && a.kind == Node::Atom && a.text == "input")
      err("Typing", "unknown identifier: \"input\" (input is already a bytes_view without an owner; use it directly)",
          a.ptr);
    if (v < 0 || (vars_[v].ty != Ty::Bytes && vars_[v].ty != Ty::Vec))
      err("Typing", who + " requires an identifier owner (bind the value to a local with let first)", a.ptr);
    use_var(v, a.ptr);
    a.var = v;
    a.ty = vars_[v].ty;
    if (a.ty != want) mismatch(a.ty);
    return {Ty::View, v, vars_[v].brand};
  }
  Info r = check(a, false);
  if (mode == 'p') a.keep_temp = is_owned(r.ty);
  if (r.ty != want && r.ty != Ty::Never) mismatch(r.ty);
  return r;
}

// A variable borrowed by an earlier argument of the same call (implicit view,
// peek or identifier borrow) must not be moved by a later argument: the callee
// would receive a view of a buffer it (or another callee) already consumed.
void FnChecker::note_arg_borrow(const Node& a, std::vector<int>& borrowed) {
  for (int v : borrowed)
    if (vars_[v].moved)
      err("Typing", "move while borrowed: \"" + vars_[v].name + "\" (an earlier argument of this call borrows it; "
                    "clone it or bind the value to a local first)", vars_[v].moved_ptr);
  if (a.kind == Node::Atom && a.var >= 0 && !a.move && is_owned(vars_[a.var].ty)) borrowed.push_back(a.var);
}

Info FnChecker::check_builtin(Node& n, int bi) {
  const Builtin& b = builtins()[bi];
  n.head = Head::Builtin;
  n.callee = bi;
  bool os_world = prog_.world == "run-os" || prog_.world == "run-os-sandboxed";
  if ((b.flags & BF_OS) && !os_world)
    err("Unsupported", b.name + " is standalone-only; compile with --world run-os or --world run-os-sandboxed", n.ptr);
  if (b.flags & (BF_WORLD_FS | BF_WORLD_KV | BF_WORLD_RR)) check_fixture_world(b, n);
  if ((b.flags & BF_UNSAFE) && unsafe_depth_ == 0) err("Unsupported", "unsafe-required: " + b.name, n.ptr);
  if (n.kids.size() != b.params.size())
    err("Parse", b.name + " expects " + std::to_string(b.params.size()) + " args", n.ptr);
  if (b.flags & BF_TEXT) {
    Node& a = n.kids[0];
    if (a.kind != Node::Str && a.kind != Node::Atom)
      err("Parse", b.name + " expects a string literal argument", a.ptr);
    a.kind = Node::Str;
    a.ty = Ty::Bytes;
    return {b.result, -1};
  }
  if (b.flags & BF_MUT) {
    Node& a = n.kids[0];
    int v = a.kind == Node::Atom ? lookup(a.text) : -1;
    if (v >= 0 && !vars_[v].borrowers.empty())
      err("Typing", b.name + " while borrowed: \"" + vars_[v].name + "\" (borrowed by \"" +
                        vars_[vars_[v].borrowers[0]].name + "\")", a.ptr);
  }
  int src = -1;
  std::vector<int> arg_borrows;
  std::vector<std::string> arg_brands;
  for (size_t i = 0; i < n.kids.size(); i++) {
    Info r = check_arg(n.kids[i], b.params[i], b.param_mode[i], b.name, i, false);
    note_arg_borrow(n.kids[i], arg_borrows);
    arg_brands.push_back(r.brand);
    if (is_view_like(r.ty) && src < 0) src = r.src;
    if (b.param_mode[i] == 'i') src = r.src;
  }
  if (b.flags & BF_NEVER) return {Ty::Never};
  if (b.flags & (BF_PTR_SAME | BF_PTR_CAST)) return {n.kids[0].ty};
  if (b.flags & BF_PTR_AS_CONST) {
    Ty t = n.kids[0].ty;
    return {t == Ty::PtrMutU8 ? Ty::PtrConstU8 : t == Ty::PtrMutI32 ? Ty::PtrConstI32 : t == Ty::PtrMutVoid ? Ty::PtrConstVoid : t};
  }
  return {b.result, is_view_like(b.result) ? src : -1, builtin_result_brand(n, b, arg_brands)};
}

// std.stream.pipe_v1: the descriptors are parsed once (stream_pipe.cpp); the pipe's runtime
// values (its kids afterwards) are checked like the arguments of a call.
Info FnChecker::check_pipe(Node& n) {
  if (n.head != Head::Pipe) {
    n.callee = parse_stream_pipe(prog_, n, file_);
    n.head = Head::Pipe;
  }
  std::vector<Ty> tys = prog_.pipes[n.callee].arg_tys;
  std::vector<int> arg_borrows;
  for (size_t i = 0; i < n.kids.size(); i++) {
    check_arg(n.kids[i], tys[i], tys[i] == Ty::View ? 'c' : 'v', "std.stream.pipe_v1", i, true);
    note_arg_borrow(n.kids[i], arg_borrows);
  }
  return {Ty::Bytes};
}

Info FnChecker::check_call(Node& n, int fi) {
  Function& f = prog_.fns[fi];
  if (!f.type_params.empty() && f.generic_of < 0)
    err("Typing", "X07-TY-0108: generic function must be called via tapp: \"" + f.name + "\"", n.ptr);
  n.head = f.is_extern ? Head::Extern : Head::Call;
  n.callee = fi;
  if (f.is_extern) {
    if (!prog_.allow_ffi)
      err("Unsupported", "extern decl \"" + f.name + "\" requires ffi capability; ffi is disabled (allow_ffi=false)", n.ptr);
    if (unsafe_depth_ == 0) err("Unsupported", "unsafe-required: " + f.name, n.ptr);
  }
  if (n.kids.size() != f.param_tys.size())
    err("Typing", "call \"" + f.name + "\" expects " + std::to_string(f.param_tys.size()) + " args", n.ptr);
  int src = -1;
  std::vector<int> arg_borrows;
  for (size_t i = 0; i < n.kids.size(); i++) {
    Info r = check_arg(n.kids[i], f.param_tys[i], 'v', f.name, i, true);
    check_brand(r, f.param_tys[i], f.params[i].ty.brand, f.name, i, n.kids[i].ptr,
                n.kids[i].kind == Node::Atom ? n.kids[i].var : -1);
    note_arg_borrow(n.kids[i], arg_borrows);
    if (is_view_like(r.ty) && src < 0) src = r.src;
  }
  if (f.is_async) return {Ty::I32};  // a new task's handle
  return {f.result_ty, is_view_like(f.result_ty) ? src : -1, f.result.brand};
}

// ["tapp", callee, ["tys", T...], args...] or legacy ["tapp", callee, T..., args...]
Info FnChecker::check_tapp(Node& n) {
  if (n.kids.empty() || n.kids[0].kind != Node::Atom) err("Parse", "tapp expects a callee name", n.ptr);
  auto fi = prog_.fn_index.find(n.kids[0].text);
  if (fi == prog_.fn_index.end()) err("Unsupported", "unsupported head: \"" + n.kids[0].text + "\"", n.kids[0].ptr);
  const Function& g = prog_.fns[fi->second];
  if (g.type_params.empty()) err("Typing", "tapp of non-generic function \"" + g.name + "\"", n.ptr);
  std::vector<std::string> tys;
  size_t next = 1;
  if (n.kids.size() > 1 && n.kids[1].kind == Node::List && n.kids[1].text == "tys") {
    for (auto& t : n.kids[1].kids) tys.push_back(resolve_type_arg(t));
    next = 2;
  } else {
    for (size_t i = 0; i < g.type_params.size() && next < n.kids.size(); i++, next++)
      tys.push_back(resolve_type_arg(n.kids[next]));
  }
  if (tys.size() != g.type_params.size())
    err("Typing", "tapp of \"" + g.name + "\" expects " + std::to_string(g.type_params.size()) + " type args", n.ptr);
  int inst = instantiate_(fi->second, tys);
  std::vector<Node> args(std::make_move_iterator(n.kids.begin() + (long)next), std::make_move_iterator(n.kids.end()));
  n.kids = std::move(args);
  n.text = prog_.fns[inst].name;
  return check_call(n, inst);
}

std::string FnChecker::resolve_type_arg(const Node& t) {
  if (t.kind == Node::List && t.text == "t" && t.kids.size() == 1 && t.kids[0].kind == Node::Atom)
    return resolve_type_arg(t.kids[0]);
  if (t.kind == Node::List && (t.text == "option" || t.text == "result") && t.kids.size() == 1) {
    std::string tok = applied_type_token(t.text, resolve_type_arg(t.kids[0]));
    Ty ty;
    if (!parse_ty_token(tok, &ty)) err("Typing", unknown_type_message(tok), t.ptr);
    return tok;
  }
  if (t.kind != Node::Atom) err("Unsupported", "unsupported type argument (use a type token)", t.ptr);
  if (fn_) {
    auto it = fn_->subst.find(t.text);
    if (it != fn_->subst.end()) return it->second;
  }
  Ty ty;
  if (!parse_ty_token(t.text, &ty)) err("Typing", unknown_type_message(t.text), t.ptr);
  return t.text;
}

// ty.* intrinsics, lowered for i32/u32 type arguments (spec §2.5).
Info FnChecker::check_ty_intrinsic(Node& n, bool stmt) {
  const std::string op = n.text.substr(3);
  if (n.kids.empty()) err("Parse", n.text + " expects a type argument", n.ptr);
  std::string t = resolve_type_arg(n.kids[0]);
  if (t == "bytes" || t == "bytes_view") return check_ty_bytes_intrinsic(n, op, t, stmt);
  if (t != "i32" && t != "u32")
    err("Unsupported", n.text + " is only supported for i32, u32, bytes and bytes_view type arguments (got " + t + ")",
        n.ptr);
  bool u = t == "u32";
  std::vector<Node> args(std::make_move_iterator(n.kids.begin() + 1), std::make_move_iterator(n.kids.end()));
  auto become = [&](const char* head) {
    n.text = head;
    n.kids = std::move(args);
  };
  if (op == "size_bytes" || op == "size") {
    n.kind = Node::Int;
    n.ival = 4;
    n.kids.clear();
    n.text.clear();
    n.ty = Ty::I32;
    return {Ty::I32};
  }
  if (op == "eq") become("=");
  else if (op == "lt") become(u ? "<u" : "<");
  else if (op == "add") become("+");
  else if (op == "sub") become("-");
  else if (op == "mul") become("*");
  else if (op == "cmp") become(u ? "ty.$cmp_u" : "ty.$cmp_s");
  else if (op == "hash32") become("ty.$hash32");
  else if (op == "read_le_at") become("codec.read_u32_le");
  else if (op == "write_le_at") become("ty.$write_le_at");
  else if (op == "push_le") become("ty.$push_le");
  else if (op == "clone" || op == "drop") {
    if (args.size() != 1) err("Parse", n.text + " expects 2 args", n.ptr);
    if (op == "drop") {
      Node zero;
      zero.kind = Node::Int;
      zero.ptr = n.ptr;
      args.push_back(zero);
      become("begin");
    } else {
      become("begin");
    }
  } else {
    err("Unsupported", "unsupported head: \"" + n.text + "\"", n.ptr);
  }
  return check_list(n, stmt);
}

// ty.* over bytes / bytes_view: contents are compared, hashed and cloned.
Info FnChecker::check_ty_bytes_intrinsic(Node& n, const std::string& op, const std::string& t, bool stmt) {
  std::vector<Node> args(std::make_move_iterator(n.kids.begin() + 1), std::make_move_iterator(n.kids.end()));
  const char* head = nullptr;
  if (op == "eq") head = "bytes.eq";
  else if (op == "lt") head = "ty.$lt_bytes";
  else if (op == "cmp") head = "ty.$cmp_bytes";
  else if (op == "hash32") head = "ty.$hash32_bytes";
  else if (op == "clone") head = t == "bytes" ? "ty.$clone_bytes" : "begin";
  else if (op == "drop") head = t == "bytes" ? "ty.$drop_bytes" : nullptr;
  if (op == "drop" && t == "bytes_view") {
    Node zero;
    zero.kind = Node::Int;
    zero.ptr = n.ptr;
    args.push_back(zero);
    head = "begin";
  }
  if (!head) err("Unsupported", n.text + " is not supported for type argument " + t, n.ptr);
  n.text = head;
  n.kids = std::move(args);
  return check_list(n, stmt);
}

// M.R.make / M.R.<field> / M.E.<Variant>
bool FnChecker::record_enum_op(Node& n, Info& out) {
  size_t dot = n.text.rfind('.');
  if (dot == std::string::npos) return false;
  std::string type = n.text.substr(0, dot), member = n.text.substr(dot + 1);
  if (auto ri = prog_.record_index.find(type); ri != prog_.record_index.end()) {
    const Record& r = prog_.records[ri->second];
    n.callee = ri->second;
    if (member == "make") {
      n.head = Head::RecordMake;
      if (n.kids.size() != r.fields.size())
        err("Typing", n.text + " expects " + std::to_string(r.fields.size()) + " args", n.ptr);
      for (auto& k : n.kids) expect(k, check(k, false).ty, Ty::I32, n.text + " fields must be i32");
      out = {Ty::Bytes, -1, r.name};
      return true;
    }
    auto fit = std::find(r.fields.begin(), r.fields.end(), member);
    if (fit == r.fields.end()) return false;
    n.head = Head::RecordGet;
    n.aux = (int)(fit - r.fields.begin());
    if (n.kids.size() != 1) err("Typing", n.text + " expects 1 args", n.ptr);
    Info a = check_arg(n.kids[0], Ty::View, 'c', n.text, 0, false);
    check_brand(a, Ty::Bytes, r.name, n.text, 0, n.kids[0].ptr,
                n.kids[0].kind == Node::Atom ? n.kids[0].var : -1, /*strict=*/true);
    out = {Ty::I32};
    return true;
  }
  if (auto ei = prog_.enum_index.find(type); ei != prog_.enum_index.end()) {
    const Enum& e = prog_.enums[ei->second];
    auto vit = std::find(e.variants.begin(), e.variants.end(), member);
    if (vit == e.variants.end()) return false;
    size_t vi = (size_t)(vit - e.variants.begin());
    n.head = Head::EnumMake;
    n.callee = ei->second;
    n.aux = (int)vi;
    size_t want = e.has_payload[vi] ? 1 : 0;
    if (n.kids.size() != want) err("Typing", n.text + " expects " + std::to_string(want) + " args", n.ptr);
    for (auto& k : n.kids) expect(k, check(k, false).ty, Ty::I32, n.text + " payload must be i32");
    out = {Ty::Bytes, -1, e.name};
    return true;
  }
  return false;
}

}  // namespace x07c::tc
