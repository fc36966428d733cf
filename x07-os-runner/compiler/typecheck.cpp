// Stage 2: resolve every head, type every node, and enforce the ownership
// rules (moves, borrows, coercions) of spec §2-§4. Annotates the AST in place
// for lowering; generic functions are monomorphized here on first use.
#include <algorithm>
#include <cstdlib>

#include "typecheck_internal.hpp"

namespace x07c {
namespace tc {

static const char* const kOps[] = {"+",  "-",  "*",  "/",   "%",   "&",   "|",   "^",   "<<u", ">>u", "=",
                            "!=", "<",  "<=", ">",   ">=",  "<u",  "<=u", ">u",  ">=u"};

// X07_MAX_LOCALS overrides the per-function local variable budget.
size_t max_locals() {
  static const size_t v = [] {
    const char* e = getenv("X07_MAX_LOCALS");
    char* end = nullptr;
    unsigned long long n = e && *e ? strtoull(e, &end, 10) : 0;
    return n > 0 && end && *end == 0 ? (size_t)n : (size_t)20000;
  }();
  return v;
}

bool is_op(const std::string& s) {
  return std::find(std::begin(kOps), std::end(kOps), s) != std::end(kOps);
}

void FnChecker::run(Node& body) {
  body_ = &body;
  scopes_.emplace_back();
  if (fn_) {
    for (size_t i = 0; i < fn_->params.size(); i++) {
      int v = declare(fn_->params[i].name, fn_->param_tys[i]);
      vars_[v].is_param = true;
      vars_[v].brand = fn_->params[i].ty.brand;
    }
  }
  Info r = check(body, false);
  if (r.ty != result_ && r.ty != Ty::Never) {
    if (fn_)
      err("Typing", std::string("function \"") + fn_->name + "\" must evaluate to " + ty_debug_name(result_) +
                        " (or return), got " + ty_debug_name(r.ty), body.ptr);
    err("Typing", std::string("solve expression must evaluate to bytes (or return), got ") + ty_debug_name(r.ty),
        body.ptr);
  }
  check_returned_view(r, body.ptr);
  pop_scope(body.ptr);
}

int FnChecker::declare(const std::string& name, Ty ty) {
  int idx = (int)vars_.size();
  if ((size_t)idx >= max_locals())
    err("Budget", "max locals exceeded: max_locals=" + std::to_string(max_locals()) + " in " + what_ +
                      " (split the function or raise X07_MAX_LOCALS)", "");
  VarState v;
  v.name = name;
  v.ty = ty;
  v.scope = scopes_.size() - 1;
  vars_.push_back(v);
  out_vars_.push_back({name, ty});
  scopes_.back().push_back(idx);
  visible_[name].push_back(idx);
  return idx;
}

int FnChecker::lookup(const std::string& name) {
  auto it = visible_.find(name);
  return it == visible_.end() || it->second.empty() ? -1 : it->second.back();
}

// Hidden owners of coerced temporaries are shown by the pointer of their expression.
std::string FnChecker::display(int v) const {
  const std::string& n = vars_[v].name;
  return n.rfind("$tmp", 0) == 0 ? "temporary at " + n.substr(4) : n;
}

void FnChecker::pop_scope(const JsonPtr& ptr) {
  auto& sc = scopes_.back();
  for (int v : sc) {
    if (vars_[v].borrow_src >= 0) {
      auto& b = vars_[vars_[v].borrow_src].borrowers;
      b.erase(std::remove(b.begin(), b.end(), v), b.end());
    }
  }
  for (int v : sc)
    if (!vars_[v].borrowers.empty())
      err("Typing", "drop while borrowed: \"" + display(v) + "\" (borrowed by \"" +
                        vars_[vars_[v].borrowers[0]].name + "\"; keep the owner in an outer scope)", ptr);
  for (auto v = sc.rbegin(); v != sc.rend(); ++v) visible_[vars_[*v].name].pop_back();
  scopes_.pop_back();
}

// A view-like value leaving its scope must not borrow a variable of that scope.
void FnChecker::check_escape(const Info& r, const JsonPtr& ptr) {
  if (!is_view_like(r.ty) || r.src < 0) return;
  for (int v : scopes_.back())
    if (v == r.src)
      err("Typing", "drop while borrowed: \"" + display(v) +
                        "\" (a view of it escapes its scope; bind the owner to a local in an outer scope)", ptr);
}

void FnChecker::check_returned_view(const Info& r, const JsonPtr& ptr) {
  if (!is_view_like(r.ty) || r.src < 0 || !fn_) return;
  if (is_owned(vars_[r.src].ty))
    err("Typing", "function \"" + fn_->name + "\" returns bytes_view borrowed from local owned buffer \"" +
                      display(r.src) + "\"", ptr);
}

void FnChecker::use_var(int v, const JsonPtr& ptr) {
  if (vars_[v].moved && is_view_like(vars_[v].ty))  // only set_borrowed_owner marks a view
    err("Typing", "use of view after its owner was set: \"" + vars_[v].name + "\" " + vars_[v].moved_ptr +
                      " (take the view again after the set)", ptr);
  if (vars_[v].moved)
    err("Typing", "use after move: \"" + vars_[v].name + "\" moved_ptr=" + vars_[v].moved_ptr +
                      " (borrow it as a view instead of moving it, clone it before the move, or set it again)", ptr);
}

void FnChecker::move_var(int v, const JsonPtr& ptr) {
  use_var(v, ptr);
  if (!vars_[v].borrowers.empty())
    err("Typing", "move while borrowed: \"" + vars_[v].name + "\" (borrowed by \"" +
                      vars_[vars_[v].borrowers[0]].name + "\")", ptr);
  vars_[v].moved = true;
  vars_[v].moved_ptr = ptr;
}

std::vector<std::pair<bool, std::string>> FnChecker::snapshot() const {
  std::vector<std::pair<bool, std::string>> s;
  for (const auto& v : vars_) s.push_back({v.moved, v.moved_ptr});
  return s;
}

void FnChecker::restore(const std::vector<std::pair<bool, std::string>>& s) {
  for (size_t i = 0; i < s.size() && i < vars_.size(); i++) {
    vars_[i].moved = s[i].first;
    vars_[i].moved_ptr = s[i].second;
  }
}

// ---------------- expressions ----------------
Info FnChecker::check(Node& n, bool stmt) {
  prog_.work++;
  n.stmt = stmt;
  switch (n.kind) {
    case Node::Int:
      n.ty = Ty::I32;
      return {Ty::I32};
    case Node::Str:
      err("Typing", "string literal only allowed as the argument of bytes.lit / bytes.view_lit", n.ptr);
    case Node::Atom:
      return check_atom(n);
    case Node::List:
      break;
  }
  Info r = check_list(n, stmt);
  n.ty = r.ty;
  return r;
}

Info FnChecker::check_atom(Node& n) {
  if (n.text == "input" && lookup("input") < 0) {
    n.ty = Ty::View;
    return {Ty::View, -1};
  }
  int v = lookup(n.text);
  if (v < 0) {
    std::vector<std::string> names;
    for (auto& s : scopes_)
      for (int i : s) names.push_back(vars_[i].name);
    std::string near = nearest_name(n.text, names);
    err("Typing", "unknown identifier: \"" + n.text + "\"" + (near.empty() ? "" : " (did you mean \"" + near + "\"?)"),
        n.ptr);
  }
  n.var = v;
  n.ty = vars_[v].ty;
  if (is_owned(n.ty)) {
    move_var(v, n.ptr);
    n.move = true;
    return {n.ty, -1, vars_[v].brand};
  }
  use_var(v, n.ptr);
  return {n.ty, is_view_like(n.ty) ? vars_[v].borrow_src : -1, vars_[v].brand};
}

void FnChecker::arity(const Node& n, size_t want, const std::string& shape) {
  if (n.kids.size() != want) err("Parse", shape, n.ptr);
}

void FnChecker::expect(const Node& n, Ty got, Ty want, const std::string& msg) {
  if (got != want && got != Ty::Never) err("Typing", msg, n.ptr);
}

Info FnChecker::check_list(Node& n, bool stmt) {
  const std::string& h = n.text;
  if (h == "begin" || h == "unsafe") return check_begin(n, stmt);
  if (h == "let") return check_let(n, stmt);
  if (h == "set" || h == "set0") return check_set(n, stmt);
  if (h == "if") return check_if(n, stmt);
  if (h == "for") return check_for(n);
  if (h == "while") return check_while(n);
  if (h == "return") return check_return(n);
  if (h == "try") return check_try(n);
  if (h == "try_doc") return check_try_doc(n, stmt);
  if (h == "&&" || h == "||") {
    n.head = h == "&&" ? Head::AndAnd : Head::OrOr;
    arity(n, 2, h + " expects 2 args");
    for (auto& k : n.kids) expect(k, check(k, false).ty, Ty::I32, h + " expects (i32, i32)");
    return {Ty::I32};
  }
  if (h == "match") return check_match(n, stmt);
  if (h == "std.stream.pipe_v1") return check_pipe(n);
  if (h == "tapp") {
    if (Info r; container_tapp(n, stmt, r)) return r;
    return check_tapp(n);
  }
  if (h == "$contract_fail" && n.kids.size() >= 5 && n.kids[0].kind == Node::Str && n.kids[1].kind == Node::Str &&
      n.kids[2].kind == Node::Str && n.kids[3].kind == Node::Int && n.kids[4].kind == Node::Str) {
    n.head = Head::ContractFail;
    for (size_t i = 5; i < n.kids.size(); i++) {
      Node& k = n.kids[i];
      int v = k.kind == Node::Atom ? lookup(k.text) : -1;
      bool bytes_like = v >= 0 && (vars_[v].ty == Ty::Bytes || vars_[v].ty == Ty::Vec);
      Info w = bytes_like ? check_arg(k, Ty::View, 'c', "contract witness", i - 5, false) : check(k, false);
      if (w.ty == Ty::Bytes || w.ty == Ty::Vec) {
        k.coerce_view = true;
        k.keep_temp = true;
        w.ty = Ty::View;
      }
      if (w.ty != Ty::I32 && w.ty != Ty::View)
        err("Typing", std::string("contract witness must be i32, bytes or bytes_view (got ") + ty_token(w.ty) + ")",
            n.kids[i].ptr);
    }
    return {Ty::Never};
  }
  if (Info r; check_async_head(n, stmt, r)) return r;
  if (Info r; check_world_head(n, stmt, r)) return r;
  if (is_op(h)) return check_op(n);
  if (h.rfind("ty.", 0) == 0 && find_builtin(h) < 0) return check_ty_intrinsic(n, stmt);
  int b = find_builtin(h);
  if (b >= 0 && h.find('$') == std::string::npos) return check_builtin(n, b);
  if (h.rfind("ty.$", 0) == 0 && b >= 0) return check_builtin(n, b);
  auto fi = prog_.fn_index.find(h);
  if (fi != prog_.fn_index.end()) return check_call(n, fi->second);
  if (Info r; record_enum_op(n, r)) return r;
  reject_view_container_head(n);
  std::vector<std::string> cands = all_builtin_names();
  for (const auto& f : prog_.fns) cands.push_back(f.name);
  for (const char* f : {"begin", "let", "set", "set0", "if", "for", "while", "return", "try", "try_doc", "unsafe", "match", "tapp"})
    cands.push_back(f);
  std::string near = nearest_name(h, cands);
  std::string hint = near.empty() ? "" : " (did you mean \"" + near + "\"?)";
  if (near.empty() && h.find('.') != std::string::npos)
    hint = " (if it is a std/module function, add its module to imports)";
  err("Unsupported", "unsupported head: \"" + h + "\"" + hint, n.ptr);
}

}  // namespace tc

namespace {
using tc::FnChecker;
using tc::brandable;


class ProgramChecker {
 public:
  explicit ProgramChecker(Program& p) : prog_(p) {}

  void run() {
    // Instances are appended while checking; keep references into fns stable.
    prog_.fns.reserve(prog_.fns.size() + 4200);
    for (size_t i = 0; i < prog_.fns.size(); i++)
      if (prog_.fns[i].type_params.empty()) resolve_sig(prog_.fns[i]);
    FnChecker solve(prog_, nullptr, prog_.solve_vars, inst_fn());
    solve.run(prog_.solve);
    // Functions reachable from solve (plus instances created on the way).
    for (size_t i = 0; i < prog_.fns.size(); i++) {
      Function& f = prog_.fns[i];
      if (!f.reachable || f.is_extern || (!f.type_params.empty() && f.generic_of < 0)) continue;
      Node body = f.body;  // check a copy into place (instances may grow prog_.fns)
      std::vector<VarDecl> vars;
      FnChecker c(prog_, &prog_.fns[i], vars, inst_fn());
      c.run(body);
      prog_.fns[i].body = std::move(body);
      prog_.fns[i].vars = std::move(vars);
    }
  }

 private:
  Program& prog_;
  std::map<std::string, int> instances_;

  std::function<int(int, std::vector<std::string>)> inst_fn() {
    return [this](int g, std::vector<std::string> tys) { return instantiate(g, tys); };
  }

  void resolve_sig(Function& f) {
    f.param_tys.clear();
    auto tok = [&](const TyRef& r, const JsonPtr& ptr) {
      std::string name = r.name;
      if (r.is_param) {
        auto it = f.subst.find(name);
        if (it == f.subst.end()) throw CompileError("Typing", "unbound type parameter \"" + name + "\"", f.file, ptr);
        name = it->second;
      }
      name = applied_type_token(r.wrap, name);
      Ty t;
      if (!parse_ty_token(name, &t)) throw CompileError("Parse", unknown_type_message(name), f.file, ptr);
      if (is_ptr(t) && !f.is_extern && !prog_.allow_unsafe && f.reachable)
        throw CompileError("Unsupported", "raw pointer type \"" + name + "\" in signature of \"" + f.name +
                                              "\" requires unsafe capability; unsafe is disabled (allow_unsafe=false)",
                           f.file, ptr);
      return t;
    };
    auto bad_brand = [&](const std::string& what, const std::string& brand, Ty t, const JsonPtr& ptr) {
      throw CompileError("Typing", "E_BRAND_BAD_TY: " + what + " of \"" + f.name + "\" has brand \"" + brand +
                                       "\" but type " + ty_token(t) + "; brands apply only to bytes, bytes_view, "
                                       "option_bytes, option_bytes_view, result_bytes and result_bytes_view (remove the "
                                       "brand or change the type)", f.file, ptr);
    };
    for (size_t i = 0; i < f.params.size(); i++) {
      std::string pp = f.ptr + "/params/" + std::to_string(i);
      f.param_tys.push_back(tok(f.params[i].ty, pp + "/ty"));
      if (!f.params[i].ty.brand.empty() && !brandable(f.param_tys.back()))
        bad_brand("param \"" + f.params[i].name + "\"", f.params[i].ty.brand, f.param_tys.back(), pp + "/brand");
    }
    if (f.is_extern && f.extern_void) {
      f.result_ty = Ty::I32;
    } else {
      f.result_ty = tok(f.result, f.ptr + "/result");
      if (f.is_extern && f.result_ty != Ty::I32 && !is_ptr(f.result_ty))
        throw CompileError("Unsupported", "extern result must be i32, a pointer or \"void\"", f.file, f.ptr + "/result");
      if (f.result_ty == Ty::F64)
        throw CompileError("Unsupported", "f64 is not a valid defn result type", f.file, f.ptr + "/result");
      if (!f.result.brand.empty() && !brandable(f.result_ty))
        bad_brand("result", f.result.brand, f.result_ty, f.ptr + "/result_brand");
    }
    if (f.is_extern && f.reachable) {
      bool os_world = prog_.world == "run-os" || prog_.world == "run-os-sandboxed";
      if (!os_world)
        throw CompileError("Unsupported", "extern decl \"" + f.name +
                                              "\" requires ffi capability; compile with --world run-os or --world run-os-sandboxed",
                           f.file, f.ptr);
      for (size_t i = 0; i < f.param_tys.size(); i++)
        if (f.param_tys[i] != Ty::I32 && !is_ptr(f.param_tys[i]))
          throw CompileError("Unsupported", "extern params must be i32 or raw pointers", f.file,
                             f.ptr + "/params/" + std::to_string(i));
    }
  }

  int instantiate(int g, const std::vector<std::string>& tys) {
    const Function& gen = prog_.fns[g];
    std::string key = gen.name;
    std::string suffix;
    for (const auto& t : tys) suffix += (suffix.empty() ? "" : "_") + t;
    key += "__x07_mono_v1__" + suffix;
    auto it = instances_.find(key);
    if (it != instances_.end()) return it->second;
    if (instances_.size() >= 4096)
      throw CompileError("Budget", "too many generic specializations (max 4096)", gen.file, gen.ptr);
    Function inst = gen;
    inst.name = key;
    inst.generic_of = g;
    inst.reachable = true;
    for (size_t i = 0; i < tys.size(); i++) inst.subst[gen.type_params[i]] = tys[i];
    resolve_sig(inst);
    int idx = (int)prog_.fns.size();
    prog_.fns.push_back(std::move(inst));
    prog_.fn_index[key] = idx;
    instances_[key] = idx;
    return idx;
  }
};

}  // namespace

void typecheck_program(Program& prog) {
  ProgramChecker c(prog);
  c.run();
}

}  // namespace x07c
