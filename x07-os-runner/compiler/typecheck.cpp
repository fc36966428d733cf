// Stage 2: resolve every head, type every node, and enforce the ownership
// rules (moves, borrows, coercions) of spec §2-§4. Annotates the AST in place
// for lowering; generic functions are monomorphized here on first use.
#include <algorithm>
#include <cstdlib>
#include <functional>

#include "ast.hpp"

namespace x07c {
namespace {

const char* const kOps[] = {"+",  "-",  "*",  "/",   "%",   "&",   "|",   "^",   "<<u", ">>u", "=",
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

struct VarState {
  std::string name;
  Ty ty;
  bool moved = false;
  std::string moved_ptr;
  int borrow_src = -1;            // view vars: the owner variable, -1 none
  std::string borrow_ptr;         // view vars: pointer of the expression that borrowed
  std::vector<int> borrowers;     // owned vars: view vars currently borrowing it
  bool is_param = false;
  std::string brand;              // brand of the value currently held (flow-sensitive, joined at merges)
};

struct Info {
  Ty ty;
  int src;            // borrow owner of a view-like value (-1: none / input / caller)
  std::string brand;  // compile-time brand of a bytes-like value (spec §2.4, §4.8); empty: unbranded
  Info(Ty t = Ty::I32, int s = -1, std::string b = {}) : ty(t), src(s), brand(std::move(b)) {}
};

// Types that may carry a brand (`brand` / `result_brand` are only valid on these).
bool brandable(Ty t) {
  return t == Ty::Bytes || t == Ty::View || t == Ty::OptBytes || t == Ty::OptView || t == Ty::ResBytes ||
         t == Ty::ResView;
}

// Branches that disagree on the brand yield an unbranded value (branded -> unbranded is always allowed).
std::string join_brand(const std::string& a, const std::string& b) { return a == b ? a : std::string(); }

class FnChecker {
 public:
  FnChecker(Program& prog, Function* fn, std::vector<VarDecl>& out_vars, std::function<int(int, std::vector<std::string>)> inst)
      : prog_(prog), fn_(fn), out_vars_(out_vars), instantiate_(std::move(inst)) {
    if (fn) {
      file_ = fn->file;
      module_ = fn->module;
      result_ = fn->result_ty;
      what_ = "function \"" + fn->name + "\"";
    } else {
      file_ = prog.entry_file;
      module_ = "main";
      result_ = Ty::Bytes;
      what_ = "solve";
    }
  }

  void run(Node& body) {
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

 private:
  Program& prog_;
  Function* fn_;
  std::vector<VarDecl>& out_vars_;
  std::function<int(int, std::vector<std::string>)> instantiate_;
  std::string file_, module_, what_;
  Ty result_;
  std::vector<VarState> vars_;
  std::vector<std::vector<int>> scopes_;
  int unsafe_depth_ = 0;
  // Branded-parameter uses of a variable inside a loop body: a later `set` in the body can change
  // the brand the next iteration sees, so each is re-checked against the brand after the loop join.
  struct BrandUse {
    int var;
    Ty shown;
    std::string want, who, ptr;
    size_t arg;
  };
  std::vector<BrandUse> loop_brand_uses_;
  int loop_depth_ = 0;
  const Node* body_ = nullptr;  // the function body (its view result is checked as a return)

  [[noreturn]] void err(const char* kind, const std::string& msg, const std::string& ptr) {
    throw CompileError(kind, msg, file_, ptr);
  }

  int declare(const std::string& name, Ty ty) {
    int idx = (int)vars_.size();
    if ((size_t)idx >= max_locals())
      err("Budget", "max locals exceeded: max_locals=" + std::to_string(max_locals()) + " in " + what_ +
                        " (split the function or raise X07_MAX_LOCALS)", "");
    VarState v;
    v.name = name;
    v.ty = ty;
    vars_.push_back(v);
    out_vars_.push_back({name, ty});
    scopes_.back().push_back(idx);
    return idx;
  }

  int lookup(const std::string& name) {
    for (size_t s = scopes_.size(); s-- > 0;)
      for (size_t i = scopes_[s].size(); i-- > 0;)
        if (vars_[scopes_[s][i]].name == name) return scopes_[s][i];
    return -1;
  }

  // Hidden owners of coerced temporaries are shown by the pointer of their expression.
  std::string display(int v) const {
    const std::string& n = vars_[v].name;
    return n.rfind("$tmp", 0) == 0 ? "temporary at " + n.substr(4) : n;
  }

  void pop_scope(const std::string& ptr) {
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
    scopes_.pop_back();
  }

  void push_scope() { scopes_.emplace_back(); }

  // A view-like value leaving its scope must not borrow a variable of that scope.
  void check_escape(const Info& r, const std::string& ptr) {
    if (!is_view_like(r.ty) || r.src < 0) return;
    for (int v : scopes_.back())
      if (v == r.src)
        err("Typing", "drop while borrowed: \"" + display(v) +
                          "\" (a view of it escapes its scope; bind the owner to a local in an outer scope)", ptr);
  }

  void check_returned_view(const Info& r, const std::string& ptr) {
    if (!is_view_like(r.ty) || r.src < 0 || !fn_) return;
    if (is_owned(vars_[r.src].ty))
      err("Typing", "function \"" + fn_->name + "\" returns bytes_view borrowed from local owned buffer \"" +
                        display(r.src) + "\"", ptr);
  }

  void use_var(int v, const std::string& ptr) {
    if (vars_[v].moved)
      err("Typing", "use after move: \"" + vars_[v].name + "\" moved_ptr=" + vars_[v].moved_ptr +
                        " (borrow it as a view instead of moving it, clone it before the move, or set it again)", ptr);
  }

  void move_var(int v, const std::string& ptr) {
    use_var(v, ptr);
    if (!vars_[v].borrowers.empty())
      err("Typing", "move while borrowed: \"" + vars_[v].name + "\" (borrowed by \"" +
                        vars_[vars_[v].borrowers[0]].name + "\")", ptr);
    vars_[v].moved = true;
    vars_[v].moved_ptr = ptr;
  }

  std::vector<std::pair<bool, std::string>> snapshot() const {
    std::vector<std::pair<bool, std::string>> s;
    for (const auto& v : vars_) s.push_back({v.moved, v.moved_ptr});
    return s;
  }
  void restore(const std::vector<std::pair<bool, std::string>>& s) {
    for (size_t i = 0; i < s.size() && i < vars_.size(); i++) {
      vars_[i].moved = s[i].first;
      vars_[i].moved_ptr = s[i].second;
    }
  }

  std::vector<std::string> brands() const {
    std::vector<std::string> b;
    for (const auto& v : vars_) b.push_back(v.brand);
    return b;
  }
  // After a merge point: each variable keeps a brand only if every path that reaches it agrees.
  void join_brands(const std::vector<std::vector<std::string>>& paths) {
    for (size_t i = 0; i < vars_.size(); i++) {
      bool first = true;
      std::string b;
      for (const auto& p : paths) {
        if (i >= p.size()) continue;
        b = first ? p[i] : join_brand(b, p[i]);
        first = false;
      }
      if (!first) vars_[i].brand = b;
    }
  }

  // E_BRAND_MISMATCH (spec §2.4): a branded parameter accepts only a value of that very brand.
  void check_brand(const Info& got, Ty shown, const std::string& want, const std::string& who, size_t i,
                   const std::string& ptr, int var = -1) {
    if (want.empty() || got.ty == Ty::Never) return;
    if (got.brand == want) {
      if (loop_depth_ > 0 && var >= 0) loop_brand_uses_.push_back({var, shown, want, who, ptr, i});
      return;
    }
    brand_mismatch(got.brand, shown, want, who, i, ptr);
  }
  [[noreturn]] void brand_mismatch(const std::string& got, Ty shown, const std::string& want, const std::string& who,
                                   size_t i, const std::string& ptr) {
    std::string dbg = ty_debug_name(shown);
    err("Typing", "E_BRAND_MISMATCH: call \"" + who + "\" arg " + std::to_string(i) + " expected " + dbg + "@" + want +
                      ", got " + dbg + "@" + (got.empty() ? "unbranded" : got) +
                      " (pass a value branded " + want + ": the result of a function with result_brand \"" + want +
                      "\", of std.brand.cast_bytes_v1 with a validator, or of std.brand.assume_bytes_v1)", ptr);
  }

  // Runs a loop body check, then joins brands with the loop entry (the body may run zero or many times)
  // and re-checks the branded uses of variables the body may have re-set.
  template <class F>
  void brand_loop(F&& body) {
    auto brands_before = brands();
    size_t uses_start = loop_brand_uses_.size();
    loop_depth_++;
    body();
    loop_depth_--;
    join_brands({brands_before, brands()});
    for (size_t k = uses_start; k < loop_brand_uses_.size(); k++) {
      const BrandUse& u = loop_brand_uses_[k];
      if (u.var < (int)brands_before.size() && vars_[u.var].brand != u.want)
        brand_mismatch(vars_[u.var].brand, u.shown, u.want, u.who, u.arg, u.ptr);
    }
    if (loop_depth_ == 0) loop_brand_uses_.clear();
  }

  // ---------------- expressions ----------------
  Info check(Node& n, bool stmt) {
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

  Info check_atom(Node& n) {
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

  void arity(const Node& n, size_t want, const std::string& shape) {
    if (n.kids.size() != want) err("Parse", shape, n.ptr);
  }

  void expect(const Node& n, Ty got, Ty want, const std::string& msg) {
    if (got != want && got != Ty::Never) err("Typing", msg, n.ptr);
  }

  Info check_list(Node& n, bool stmt) {
    const std::string& h = n.text;
    if (h == "begin" || h == "unsafe") return check_begin(n, stmt);
    if (h == "let") return check_let(n, stmt);
    if (h == "set" || h == "set0") return check_set(n, stmt);
    if (h == "if") return check_if(n, stmt);
    if (h == "for") return check_for(n);
    if (h == "while") return check_while(n);
    if (h == "return") return check_return(n);
    if (h == "try") return check_try(n);
    if (h == "&&" || h == "||") {
      n.head = h == "&&" ? Head::AndAnd : Head::OrOr;
      arity(n, 2, h + " expects 2 args");
      for (auto& k : n.kids) expect(k, check(k, false).ty, Ty::I32, h + " expects (i32, i32)");
      return {Ty::I32};
    }
    if (h == "match") return check_match(n, stmt);
    if (h == "tapp") return check_tapp(n);
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
    if (is_op(h)) return check_op(n);
    if (h.rfind("ty.", 0) == 0 && find_builtin(h) < 0) return check_ty_intrinsic(n, stmt);
    int b = find_builtin(h);
    if (b >= 0 && h.find('$') == std::string::npos) return check_builtin(n, b);
    if (h.rfind("ty.$", 0) == 0 && b >= 0) return check_builtin(n, b);
    auto fi = prog_.fn_index.find(h);
    if (fi != prog_.fn_index.end()) return check_call(n, fi->second);
    if (Info r; record_enum_op(n, r)) return r;
    std::vector<std::string> cands = all_builtin_names();
    for (const auto& f : prog_.fns) cands.push_back(f.name);
    for (const char* f : {"begin", "let", "set", "set0", "if", "for", "while", "return", "try", "unsafe", "match", "tapp"})
      cands.push_back(f);
    std::string near = nearest_name(h, cands);
    std::string hint = near.empty() ? "" : " (did you mean \"" + near + "\"?)";
    if (near.empty() && h.find('.') != std::string::npos)
      hint = " (if it is a std/module function, add its module to imports)";
    err("Unsupported", "unsupported head: \"" + h + "\"" + hint, n.ptr);
  }

  Info check_begin(Node& n, bool stmt) {
    bool is_unsafe = n.text == "unsafe";
    n.head = is_unsafe ? Head::Unsafe : Head::Begin;
    if (n.kids.empty()) err("Parse", "(" + n.text + " ...) requires at least 1 expression", n.ptr);
    if (is_unsafe) {
      if (prog_.world != "run-os" && prog_.world != "run-os-sandboxed")
        err("Unsupported", "unsafe is not allowed in this world", n.ptr);
      if (!prog_.allow_unsafe)
        err("Unsupported", "unsafe requires unsafe capability; unsafe is disabled (allow_unsafe=false)", n.ptr);
      unsafe_depth_++;
    }
    push_scope();
    Info r{Ty::I32};
    bool never = false;
    for (size_t i = 0; i < n.kids.size(); i++) {
      bool last = i + 1 == n.kids.size();
      Info k = check(n.kids[i], last ? stmt : true);
      if (k.ty == Ty::Never) never = true;
      if (last) r = k;
    }
    if (never && r.ty != Ty::Never && stmt) r.ty = Ty::Never;
    if (never && !stmt && r.ty != Ty::Never) {
      // a `return` earlier in the block makes the value irrelevant only if it is unconditional;
      // keep the last expression's type (matches reference behaviour for expression blocks).
    }
    if (&n == body_) check_returned_view(r, n.ptr);
    if (!stmt) check_escape(r, n.ptr);
    pop_scope(n.ptr);
    if (is_unsafe) unsafe_depth_--;
    return r;
  }

  Info check_let(Node& n, bool stmt) {
    n.head = Head::Let;
    arity(n, 2, "let form: (let <name> <expr>)");
    if (n.kids[0].kind != Node::Atom) err("Parse", "let name must be an identifier", n.kids[0].ptr);
    const std::string& name = n.kids[0].text;
    if (name == "input") err("Typing", "let name must not be 'input' (reserved)", n.kids[0].ptr);
    for (int v : scopes_.back())
      if (vars_[v].name == name) err("Typing", "duplicate let binding in same scope: \"" + name + "\"", n.ptr);
    Info init = check(n.kids[1], false);
    Ty t = init.ty == Ty::Never ? Ty::I32 : init.ty;
    if (!stmt && is_owned(t))
      err("Typing", "let expression cannot produce an owned value; use (begin (let ...) <var>)", n.ptr);
    int v = declare(name, t);
    n.var = v;
    vars_[v].brand = init.brand;
    if (is_view_like(t) && init.src >= 0) {
      vars_[v].borrow_src = init.src;
      vars_[v].borrow_ptr = n.kids[1].ptr;
      vars_[init.src].borrowers.push_back(v);
    }
    return {t, init.src, init.brand};
  }

  Info check_set(Node& n, bool stmt) {
    bool zero = n.text == "set0";
    n.head = zero ? Head::Set0 : Head::Set;
    arity(n, 2, n.text + " form: (" + n.text + " <name> <expr>)");
    if (n.kids[0].kind != Node::Atom) err("Parse", n.text + " name must be an identifier", n.kids[0].ptr);
    int v = lookup(n.kids[0].text);
    if (v < 0) err("Typing", "set of unknown variable: \"" + n.kids[0].text + "\" (declare it with let first)", n.ptr);
    n.var = v;
    Info rhs = check(n.kids[1], false);
    if (rhs.ty != vars_[v].ty && rhs.ty != Ty::Never)
      err("Typing", "type mismatch in set for variable \"" + vars_[v].name + "\" (variable is " +
                        ty_debug_name(vars_[v].ty) + ", value is " + ty_debug_name(rhs.ty) + ")", n.ptr);
    if (!vars_[v].borrowers.empty()) {
      int b = vars_[v].borrowers[0];
      err("Typing", "set while borrowed: \"" + vars_[v].name + "\" borrowed_by=\"" + display(b) +
                        "\" borrowed_ptr=" + vars_[b].borrow_ptr, n.ptr);
    }
    vars_[v].moved = false;
    if (rhs.ty != Ty::Never) vars_[v].brand = rhs.brand;
    if (is_view_like(vars_[v].ty)) {
      if (vars_[v].borrow_src >= 0) {
        auto& bs = vars_[vars_[v].borrow_src].borrowers;
        bs.erase(std::remove(bs.begin(), bs.end(), v), bs.end());
      }
      vars_[v].borrow_src = rhs.src;
      vars_[v].borrow_ptr = n.kids[1].ptr;
      if (rhs.src >= 0 && rhs.src != v) vars_[rhs.src].borrowers.push_back(v);
    }
    if (zero) return {Ty::I32};
    if (!stmt && is_owned(vars_[v].ty))
      err("Typing", "set expression cannot produce an owned value; use (begin (set ...) <var>)", n.ptr);
    return {vars_[v].ty, rhs.src, rhs.brand};
  }

  Info check_if(Node& n, bool stmt) {
    n.head = Head::If;
    arity(n, 3, "if form: (if <cond:i32> <then:any> <else:any>)");
    if (check(n.kids[0], false).ty != Ty::I32 && n.kids[0].ty != Ty::Never)
      err("Typing", std::string("if condition must be i32 (got ") + ty_debug_name(n.kids[0].ty) + ")", n.kids[0].ptr);
    auto before = snapshot();
    auto brands_before = brands();
    push_scope();
    Info t = check(n.kids[1], stmt);
    if (!stmt) check_escape(t, n.kids[1].ptr);
    pop_scope(n.kids[1].ptr);
    auto after_then = snapshot();
    auto brands_then = brands();
    restore(before);
    for (size_t i = 0; i < brands_before.size(); i++) vars_[i].brand = brands_before[i];
    push_scope();
    Info e = check(n.kids[2], stmt);
    if (!stmt) check_escape(e, n.kids[2].ptr);
    pop_scope(n.kids[2].ptr);
    auto after_else = snapshot();
    {
      std::vector<std::vector<std::string>> paths;
      if (t.ty != Ty::Never) paths.push_back(brands_then);
      if (e.ty != Ty::Never) paths.push_back(brands());
      join_brands(paths);
    }
    for (size_t i = 0; i < vars_.size() && i < before.size(); i++) {
      bool mt = t.ty != Ty::Never && after_then[i].first;
      bool me = e.ty != Ty::Never && after_else[i].first;
      vars_[i].moved = mt || me;
      vars_[i].moved_ptr = mt ? after_then[i].second : after_else[i].second;
    }
    if (stmt) return {t.ty == Ty::Never && e.ty == Ty::Never ? Ty::Never : Ty::I32};
    if (t.ty == Ty::Never) return e;
    if (e.ty == Ty::Never) return t;
    if (t.ty != e.ty)
      err("Typing", std::string("if branches must have same type (then=") + ty_debug_name(t.ty) +
                        ", else=" + ty_debug_name(e.ty) +
                        "); if a branch is a statement assignment, use [\"set0\",name,expr] (yields i32) or end the "
                        "branch with 0", n.ptr);
    if (is_view_like(t.ty) && t.src != e.src)
      err("Typing", "bytes_view must have a single borrow source across branches", n.ptr);
    t.brand = join_brand(t.brand, e.brand);
    return t;
  }

  Info check_for(Node& n) {
    n.head = Head::For;
    arity(n, 4, "for form: (for <i> <start:i32> <end:i32> <body:any>)");
    if (n.kids[0].kind != Node::Atom) err("Parse", "for variable must be an identifier", n.kids[0].ptr);
    int v = lookup(n.kids[0].text);
    Info s = check(n.kids[1], false);
    expect(n.kids[1], s.ty, Ty::I32, "for start must be i32");
    Info e = check(n.kids[2], false);
    expect(n.kids[2], e.ty, Ty::I32, "for end must be i32");
    if (v >= 0) {
      if (vars_[v].ty != Ty::I32) err("Typing", "for variable must be i32: \"" + n.kids[0].text + "\"", n.ptr);
      vars_[v].moved = false;
    } else {
      v = declare(n.kids[0].text, Ty::I32);
    }
    n.var = v;
    brand_loop([&] {
      push_scope();
      check(n.kids[3], true);
      pop_scope(n.kids[3].ptr);
    });
    return {Ty::I32};
  }

  Info check_while(Node& n) {
    n.head = Head::While;
    arity(n, 2, "while form: (while <cond:i32> <body:any>)");
    brand_loop([&] {
      push_scope();
      expect(n.kids[0], check(n.kids[0], false).ty, Ty::I32, "while condition must be i32");
      pop_scope(n.kids[0].ptr);
      push_scope();
      check(n.kids[1], true);
      pop_scope(n.kids[1].ptr);
    });
    return {Ty::I32};
  }

  Info check_return(Node& n) {
    n.head = Head::Return;
    arity(n, 1, "return form: (return <expr>)");
    Info r = check(n.kids[0], false);
    if (r.ty != result_ && r.ty != Ty::Never)
      err("Typing", std::string("return expression must evaluate to ") + ty_debug_name(result_) + " (got " +
                        ty_debug_name(r.ty) + ")", n.ptr);
    check_returned_view(r, n.ptr);
    return {Ty::Never};
  }

  Info check_try(Node& n) {
    n.head = Head::Try;
    arity(n, 1, "try form: (try <result>)");
    Info r = check(n.kids[0], false);
    Ty out;
    if (r.ty == Ty::ResI32) out = Ty::I32;
    else if (r.ty == Ty::ResBytes) out = Ty::Bytes;
    else if (r.ty == Ty::ResView) out = Ty::View;
    else err("Typing", std::string("try expects result_i32, result_bytes or result_bytes_view, got ") + ty_debug_name(r.ty),
             n.ptr);
    bool ok = result_ == Ty::ResI32 || result_ == Ty::ResBytes || (r.ty == Ty::ResView && result_ == Ty::ResView);
    if (!fn_ || !ok)
      err("Typing", std::string("try(") + ty_token(r.ty) + ") requires function return type result_i32 or result_bytes",
          n.ptr);
    return {out, r.src, r.brand};  // the payload keeps the brand of the result
  }

  Info check_op(Node& n) {
    n.head = Head::Op;
    arity(n, 2, n.text + " expects 2 args");
    for (auto& k : n.kids) expect(k, check(k, false).ty, Ty::I32, n.text + " expects (i32, i32)");
    if ((n.text == "<u" || n.text == ">=u") && n.kids[1].kind == Node::Int && n.kids[1].ival == 0) {
      bool lt = n.text == "<u";
      err("Typing", std::string("semantic error: `(") + n.text + " x 0)` is always " + (lt ? "false" : "true") +
                        " (unsigned comparison). Use a signed comparison like `(" + (lt ? "<" : ">=") +
                        " x 0)` or compare with `=`", n.ptr);
    }
    return {Ty::I32};
  }

  // Checks one argument against a parameter type; mode as in Builtin::param_mode.
  Info check_arg(Node& a, Ty want, char mode, const std::string& who, size_t i, bool is_fn) {
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
  void note_arg_borrow(const Node& a, std::vector<int>& borrowed) {
    for (int v : borrowed)
      if (vars_[v].moved)
        err("Typing", "move while borrowed: \"" + vars_[v].name + "\" (an earlier argument of this call borrows it; "
                      "clone it or bind the value to a local first)", vars_[v].moved_ptr);
    if (a.kind == Node::Atom && a.var >= 0 && !a.move && is_owned(vars_[a.var].ty)) borrowed.push_back(a.var);
  }

  Info check_builtin(Node& n, int bi) {
    const Builtin& b = builtins()[bi];
    n.head = Head::Builtin;
    n.callee = bi;
    bool os_world = prog_.world == "run-os" || prog_.world == "run-os-sandboxed";
    if ((b.flags & BF_OS) && !os_world)
      err("Unsupported", b.name + " is standalone-only; compile with --world run-os or --world run-os-sandboxed", n.ptr);
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

  // Brand flow through builtins (spec §4.8): std.brand.view_v1 keeps its owner's brand, assume/cast set the
  // named one, erase drops it; wrapping into / unwrapping out of option/result keeps the payload's brand.
  // Every other builtin result is unbranded.
  static std::string builtin_result_brand(const Node& n, const Builtin& b, const std::vector<std::string>& args) {
    const std::string& h = b.name;
    if (h == "std.brand.assume_bytes_v1" || h.rfind("std.brand.cast_", 0) == 0) return n.kids[0].text;
    if (h == "std.brand.view_v1" || h == "std.brand.to_bytes_preserve_if_full_v1") return args[0];
    if (h == "result_bytes.ok" || h == "result_bytes_view.ok" || h == "option_bytes.some" ||
        h == "option_bytes_view.some")
      return args[0];
    if (h == "result_bytes.unwrap_or" || h == "result_bytes_view.unwrap_or" || h == "option_bytes.unwrap_or" ||
        h == "option_bytes_view.unwrap_or")
      return join_brand(args[0], args[1]);
    return {};
  }

  Info check_call(Node& n, int fi) {
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
    return {f.result_ty, is_view_like(f.result_ty) ? src : -1, f.result.brand};
  }

  // ["tapp", callee, ["tys", T...], args...] or legacy ["tapp", callee, T..., args...]
  Info check_tapp(Node& n) {
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

  std::string resolve_type_arg(const Node& t) {
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
  Info check_ty_intrinsic(Node& n, bool stmt) {
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
  Info check_ty_bytes_intrinsic(Node& n, const std::string& op, const std::string& t, bool stmt) {
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
  bool record_enum_op(Node& n, Info& out) {
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
                  n.kids[0].kind == Node::Atom ? n.kids[0].var : -1);
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

  Info check_match(Node& n, bool stmt) {
    n.head = Head::Match;
    if (n.kids.size() < 2) err("Parse", "match form: (match <scrutinee> [Enum.Variant, body]...)", n.ptr);
    Info s = check(n.kids[0], false);
    expect(n.kids[0], s.ty, Ty::Bytes, "match scrutinee must be an enum value (bytes)");
    int enum_idx = -1;
    std::vector<bool> seen;
    auto before = snapshot();
    auto brands_before = brands();
    std::vector<std::vector<std::string>> arm_brands;
    std::vector<std::vector<std::pair<bool, std::string>>> outs;
    Info result{Ty::Never};
    bool first = true;
    for (size_t i = 1; i < n.kids.size(); i++) {
      Node& arm = n.kids[i];
      if (arm.kind != Node::List || (arm.kids.size() != 1 && arm.kids.size() != 2))
        err("Parse", "match arm must be [Enum.Variant, body] or [Enum.Variant, bind, body]", arm.ptr);
      size_t dot = arm.text.rfind('.');
      std::string ename = dot == std::string::npos ? "" : arm.text.substr(0, dot);
      auto ei = prog_.enum_index.find(ename);
      if (ei == prog_.enum_index.end()) err("Typing", "unknown enum variant in match arm: \"" + arm.text + "\"", arm.ptr);
      if (enum_idx < 0) {
        enum_idx = ei->second;
        seen.assign(prog_.enums[enum_idx].variants.size(), false);
      } else if (enum_idx != ei->second) {
        err("Typing", "match arms name different enums", arm.ptr);
      }
      const Enum& e = prog_.enums[enum_idx];
      auto vit = std::find(e.variants.begin(), e.variants.end(), arm.text.substr(dot + 1));
      if (vit == e.variants.end()) err("Typing", "unknown enum variant in match arm: \"" + arm.text + "\"", arm.ptr);
      size_t vi = (size_t)(vit - e.variants.begin());
      if (seen[vi]) err("Typing", "duplicate match arm for variant \"" + *vit + "\"", arm.ptr);
      seen[vi] = true;
      arm.aux = (int)vi;
      restore(before);
      for (size_t k = 0; k < brands_before.size(); k++) vars_[k].brand = brands_before[k];
      push_scope();
      if (arm.kids.size() == 2) {
        if (arm.kids[0].kind != Node::Atom) err("Parse", "match binding must be an identifier", arm.kids[0].ptr);
        arm.var = declare(arm.kids[0].text, Ty::I32);
      }
      Info r = check(arm.kids.back(), stmt);
      pop_scope(arm.ptr);
      outs.push_back(r.ty == Ty::Never ? std::vector<std::pair<bool, std::string>>{} : snapshot());
      if (r.ty != Ty::Never) arm_brands.push_back(brands());
      if (!stmt && r.ty != Ty::Never) {
        if (!first && result.ty != Ty::Never && result.ty != r.ty)
          err("Typing", std::string("match arms must have same type (") + ty_debug_name(result.ty) + " vs " +
                            ty_debug_name(r.ty) + ")", arm.ptr);
        if (result.ty != Ty::Never) r.brand = join_brand(result.brand, r.brand);
        result = r;
      }
      first = false;
    }
    std::string missing;
    for (size_t i = 0; i < seen.size(); i++)
      if (!seen[i]) missing += (missing.empty() ? "" : ", ") + prog_.enums[enum_idx].variants[i];
    if (!missing.empty())
      err("Typing", "non-exhaustive match on enum " + prog_.enums[enum_idx].name + "; missing arm(s): " + missing, n.ptr);
    n.callee = enum_idx;
    restore(before);
    join_brands(arm_brands);
    for (auto& o : outs)
      for (size_t i = 0; i < o.size() && i < vars_.size(); i++)
        if (o[i].first && !vars_[i].moved) {
          vars_[i].moved = true;
          vars_[i].moved_ptr = o[i].second;
        }
    if (stmt) return {Ty::I32};
    if (result.ty == Ty::Never && !outs.empty()) return {Ty::Never};
    return result;
  }
};

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
    auto tok = [&](const TyRef& r, const std::string& ptr) {
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
    auto bad_brand = [&](const std::string& what, const std::string& brand, Ty t, const std::string& ptr) {
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
