// Special forms: begin/unsafe, let, set/set0, if, for, while, return, try,
// i32 operators and match.
#include <algorithm>

#include "typecheck_internal.hpp"

namespace x07c::tc {

Info FnChecker::check_begin(Node& n, bool stmt) {
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

Info FnChecker::check_let(Node& n, bool stmt) {
  n.head = Head::Let;
  arity(n, 2, "let form: (let <name> <expr>)");
  if (n.kids[0].kind != Node::Atom) err("Parse", "let name must be an identifier", n.kids[0].ptr);
  const std::string& name = n.kids[0].text;
  if (name == "input") err("Typing", "let name must not be 'input' (reserved)", n.kids[0].ptr);
  for (int v : scopes_.back())
    if (vars_[v].name == name) err("Typing", "duplicate let binding in same scope: \"" + name + "\"", n.ptr);
  check_scope_spawn_pattern(name, n.kids[1]);
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

Info FnChecker::check_set(Node& n, bool stmt) {
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
  if (!vars_[v].borrowers.empty()) set_borrowed_owner(v, n);
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

// Setting an owner that views still borrow. Upstream's compiler rejects it in defn bodies and solve
// ("set while borrowed"), but checks no borrows at all in defasync bodies, where its ext-net code sets a
// buffer whose view is never read again. There the views die instead: a later read of one is an error
// (upstream would read freed memory). Views declared outside the innermost loop stay an error, since the
// next iteration could read them before anything marks them.
void FnChecker::set_borrowed_owner(int v, const Node& n) {
  auto reject = [&](int b) {
    err("Typing", "set while borrowed: \"" + vars_[v].name + "\" borrowed_by=\"" + display(b) +
                      "\" borrowed_ptr=" + vars_[b].borrow_ptr, n.ptr);
  };
  if (!in_task()) reject(vars_[v].borrowers[0]);
  for (int b : vars_[v].borrowers)
    if (vars_[b].name.rfind("$tmp", 0) == 0 || (!loop_scopes_.empty() && vars_[b].scope < loop_scopes_.back()))
      reject(b);
  for (int b : vars_[v].borrowers) {
    vars_[b].moved = true;
    vars_[b].moved_ptr = "borrowed \"" + vars_[v].name + "\" at " + vars_[b].borrow_ptr + ", which was set at " + n.ptr;
    vars_[b].borrow_src = -1;
  }
  vars_[v].borrowers.clear();
}

Info FnChecker::check_if(Node& n, bool stmt) {
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
  // As upstream: two different local owners are an error; a branch that borrows no local (a parameter,
  // `input`) takes the other branch's owner, so the value counts as borrowing that owner.
  if (is_view_like(t.ty) && t.src >= 0 && e.src >= 0 && t.src != e.src)
    err("Typing", "bytes_view must have a single borrow source across branches", n.ptr);
  if (t.src < 0) t.src = e.src;
  t.brand = join_brand(t.brand, e.brand);
  return t;
}

Info FnChecker::check_for(Node& n) {
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
    loop_scopes_.push_back(scopes_.size());
    push_scope();
    check(n.kids[3], true);
    pop_scope(n.kids[3].ptr);
    loop_scopes_.pop_back();
  });
  return {Ty::I32};
}

Info FnChecker::check_while(Node& n) {
  n.head = Head::While;
  arity(n, 2, "while form: (while <cond:i32> <body:any>)");
  brand_loop([&] {
    loop_scopes_.push_back(scopes_.size());
    push_scope();
    expect(n.kids[0], check(n.kids[0], false).ty, Ty::I32, "while condition must be i32");
    pop_scope(n.kids[0].ptr);
    push_scope();
    check(n.kids[1], true);
    pop_scope(n.kids[1].ptr);
    loop_scopes_.pop_back();
  });
  return {Ty::I32};
}

Info FnChecker::check_return(Node& n) {
  n.head = Head::Return;
  arity(n, 1, "return form: (return <expr>)");
  Info r = check(n.kids[0], false);
  if (r.ty != result_ && r.ty != Ty::Never)
    err("Typing", std::string("return expression must evaluate to ") + ty_debug_name(result_) + " (got " +
                      ty_debug_name(r.ty) + ")", n.ptr);
  check_returned_view(r, n.ptr);
  return {Ty::Never};
}

Info FnChecker::check_try(Node& n) {
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

Info FnChecker::check_op(Node& n) {
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

Info FnChecker::check_match(Node& n, bool stmt) {
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

}  // namespace x07c::tc
