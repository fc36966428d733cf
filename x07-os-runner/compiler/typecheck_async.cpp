// Typechecking of async tasks, task scopes and budget scopes.
//
// task.scope_v1 and budget.scope_v1 are rewritten in place into plain x07 before they
// are checked, so later stages need nothing new:
//   (task.scope_v1 cfg body) =>
//     (begin (let $scope (task.$scope_begin <cfg...>)) (let $scope_out body)
//            (task.$scope_end $scope) $scope_out)
//   (budget.scope_v1 cfg body) =>
//     (begin (let $budget (budget.$begin <mode> <caps...>)) (let $budget_out body)
//            (let $budget_err (budget.$end $budget)) <$budget_out | (budget.$res $budget_out $budget_err)>)
// Scope operations find their scope through the innermost `$scope` local (lexical, so nested
// scopes shadow correctly), passed as a hidden first argument. Inside a defasync body every
// builtin that has a "<name>$task" row switches to it: that variant suspends the task instead
// of driving the scheduler (runtime/x07rt_sched.h).
#include "typecheck_internal.hpp"

namespace x07c::tc {

namespace {

bool is_scope_start(const std::string& h) {
  return h == "task.scope.start_soon_v1" || h == "task.scope.async_let_bytes_v1" ||
         h == "task.scope.async_let_result_bytes_v1";
}

}  // namespace

bool FnChecker::async_ctx() const { return fn_ == nullptr || fn_->is_async || fn_->task_ctx; }
bool FnChecker::in_task() const { return fn_ != nullptr && (fn_->is_async || fn_->task_ctx); }

// Reads `(<head> (key int)...)` config pairs into `vals` (keys must be in `vals`).
void FnChecker::read_cfg_pairs(const Node& cfg, const std::string& head, std::map<std::string, uint32_t>& vals,
                               std::map<std::string, const Node*>* other) {
  if (cfg.kind != Node::List) err("Typing", head + " must be a list", cfg.ptr);
  std::set<std::string> seen;
  for (const Node& f : cfg.kids) {
    if (f.kind != Node::List || f.kids.size() != 1) err("Typing", head + " field must be a pair", f.ptr);
    const std::string& key = f.text;
    const Node& v = f.kids[0];
    if (!seen.insert(key).second) err("Typing", head + " has duplicate " + key, f.ptr);
    if (other && other->count(key)) {
      (*other)[key] = &v;
      continue;
    }
    if (!vals.count(key)) err("Typing", head + " unknown field: " + key, f.ptr);
    if (v.kind != Node::Int) err("Typing", head + " value must be an integer", v.ptr);
    if (v.ival < 0) err("Typing", head + " " + key + " must be >= 0", v.ptr);
    vals[key] = (uint32_t)v.ival;
  }
}

bool FnChecker::check_async_head(Node& n, bool stmt, Info& out) {
  const std::string& h = n.text;
  if (h == "task.scope_v1") {
    out = check_task_scope(n, stmt);
    return true;
  }
  if (h == "budget.scope_v1") {
    out = check_budget_scope(n, stmt);
    return true;
  }
  if (h == "budget.scope_from_arch_v1") {
    out = check_budget_scope_from_arch(n, stmt);
    return true;
  }
  if (is_scope_start(h)) {
    out = check_scope_start(n);
    return true;
  }
  if (h == "budget.$res") {  // result_err_v1: the scope result, overwritten by a budget error code
    int v = lookup(n.kids[0].text);
    Ty t = v >= 0 ? vars_[v].ty : Ty::I32;
    const char* row = t == Ty::ResI32 ? "budget.$res_i32" : t == Ty::ResBytes ? "budget.$res_bytes"
                    : t == Ty::ResView ? "budget.$res_bytes_view" : nullptr;
    bool arch = n.kids.size() == 3;  // third kid marks budget.scope_from_arch_v1
    if (!row)
      err("Typing", arch ? "budget.scope_from_arch_v1 returns result_* for this profile"
                         : "budget.scope_v1 mode=result_err_v1 requires a result_* body", n.ptr);
    if (arch) n.kids.pop_back();
    out = check_builtin(n, find_builtin(row));
    return true;
  }
  bool internal = h.rfind("task.$", 0) == 0 || h.rfind("budget.$", 0) == 0;
  int bi = find_builtin(h);
  if (bi < 0 || (!internal && h.find('$') != std::string::npos)) return false;
  const Builtin& b = builtins()[bi];
  int task_row = in_task() ? find_builtin(h + "$task") : -1;
  if (!internal && !(b.flags & (BF_ASYNC_CTX | BF_SCOPE_OP)) && task_row < 0) return false;
  if ((b.flags & BF_ASYNC_CTX) && !async_ctx()) err("Unsupported", h + " is only allowed in solve or defasync", n.ptr);
  if (b.flags & BF_SCOPE_OP) {
    if (n.kids.size() + 1 != b.params.size())
      err("Parse", h + " expects " + std::to_string(b.params.size() - 1) + " args", n.ptr);
    if (lookup("$scope") < 0) {
      bool slot = h.find("slot") != std::string::npos;
      err("Typing", std::string(slot ? "X07E_SCOPE_SLOT_002: " : "X07E_SCOPE_001: ") + h + " used outside task.scope_v1",
          n.ptr);
    }
    n.kids.insert(n.kids.begin(), mk_atom("$scope", n.ptr));
  }
  out = check_builtin(n, bi);
  if (task_row >= 0) n.callee = task_row;  // same signature, suspending variant
  return true;
}

// Inside a task.scope_v1 body a task must be started through the scope (start_soon / async_let):
// binding a bare defasync call with let would create a task the scope does not own.
void FnChecker::check_scope_spawn_pattern(const std::string& let_name, const Node& value) {
  if (value.kind != Node::List || let_name.empty() || let_name[0] == '$' || lookup("$scope") < 0) return;
  auto fi = prog_.fn_index.find(value.text);
  if (fi != prog_.fn_index.end() && prog_.fns[fi->second].is_async)
    err("Typing", "X07E_SCOPE_003: illegal spawn pattern inside task.scope_v1 (use task.scope.start_soon_v1 or "
                  "task.scope.async_let_*_v1)", value.ptr);
}

// (task.scope.start_soon_v1 (f args...)) / (task.scope.async_let_*_v1 (f args...)) with f a defasync.
Info FnChecker::check_scope_start(Node& n) {
  const std::string h = n.text;
  bool let = h != "task.scope.start_soon_v1";
  if (!async_ctx()) err("Unsupported", h + " is only allowed in solve or defasync", n.ptr);
  if (lookup("$scope") < 0)
    err("Typing", std::string(let ? "X07E_SCOPE_SLOT_001: " : "X07E_SCOPE_001: ") + h + " used outside task.scope_v1",
        n.ptr);
  arity(n, 1, h + " expects 1 arg");
  const Node& call = n.kids[0];
  auto fi = call.kind == Node::List ? prog_.fn_index.find(call.text) : prog_.fn_index.end();
  if (fi == prog_.fn_index.end() || !prog_.fns[fi->second].is_async)
    err("Typing", "X07E_SCOPE_002: expected an immediate defasync call expression", call.ptr);
  Ty awaited = prog_.fns[fi->second].result_ty;
  if (let && (awaited == Ty::ResBytes) != (h == "task.scope.async_let_result_bytes_v1"))
    err("Typing", h + " expects a defasync returning " + (awaited == Ty::ResBytes ? "bytes" : "result_bytes") +
                      " (\"" + call.text + "\" returns " + ty_token(awaited) + ")", call.ptr);
  uint32_t kind = awaited == Ty::ResBytes ? 2 : 1;
  std::string ptr = n.ptr;
  Node callee = n.kids[0];
  n.text = let ? "task.$async_let" : "task.$start_soon";
  n.kids.clear();
  n.kids.push_back(mk_atom("$scope", ptr));
  n.kids.push_back(std::move(callee));
  n.kids.push_back(mk_int(kind, ptr));
  return check_builtin(n, find_builtin(n.text));
}

Info FnChecker::check_task_scope(Node& n, bool stmt) {
  if (!async_ctx()) err("Unsupported", "task.scope_v1 is only allowed in solve or defasync", n.ptr);
  arity(n, 2, "task.scope_v1 expects 2 args");
  const Node& cfg = n.kids[0];
  if (cfg.kind != Node::List || cfg.text != "task.scope.cfg_v1")
    err("Typing", "task scope cfg must be task.scope.cfg_v1", cfg.ptr);
  std::map<std::string, uint32_t> v = {{"max_children", 1024}, {"max_ticks", 0}, {"max_blocked_waits", 0},
                                       {"max_join_polls", 0}, {"max_slot_result_bytes", 0}};
  read_cfg_pairs(cfg, "task.scope.cfg_v1", v, nullptr);
  std::string p = n.ptr;
  Node body = std::move(n.kids[1]);
  std::vector<Node> kids;
  kids.push_back(mk_list("let", {mk_atom("$scope", p),
                                 mk_list("task.$scope_begin",
                                         {mk_int(v["max_children"], p), mk_int(v["max_ticks"], p),
                                          mk_int(v["max_blocked_waits"], p), mk_int(v["max_join_polls"], p),
                                          mk_int(v["max_slot_result_bytes"], p)},
                                         p)},
                         p));
  kids.push_back(mk_list("let", {mk_atom("$scope_out", p), std::move(body)}, p));
  kids.push_back(mk_list("task.$scope_end", {mk_atom("$scope", p)}, p));
  kids.push_back(mk_atom("$scope_out", p));
  n = mk_list("begin", std::move(kids), p);
  return check(n, stmt);
}

Info FnChecker::check_budget_scope(Node& n, bool stmt) {
  arity(n, 2, "budget.scope_v1 expects 2 args");
  const Node& cfg = n.kids[0];
  if (cfg.kind != Node::List) err("Typing", "budget.cfg_v1 must be a list", cfg.ptr);
  if (cfg.text != "budget.cfg_v1") err("Typing", "budget scope cfg must be budget.cfg_v1", cfg.ptr);
  std::map<std::string, uint32_t> v = {{"alloc_bytes", 0}, {"alloc_calls", 0}, {"realloc_calls", 0},
                                       {"memcpy_bytes", 0}, {"sched_ticks", 0}, {"fuel", 0}};
  std::map<std::string, const Node*> other = {{"mode", nullptr}, {"label", nullptr}};
  read_cfg_pairs(cfg, "budget.cfg_v1", v, &other);
  if (!other["mode"]) err("Typing", "budget.cfg_v1 is missing mode", cfg.ptr);
  if (!other["label"]) err("Typing", "budget.cfg_v1 is missing label", cfg.ptr);
  const Node& m = *other["mode"];
  if (m.kind != Node::Atom) err("Typing", "budget.cfg_v1 mode must be an identifier", m.ptr);
  static const std::map<std::string, uint32_t> modes = {
      {"trap_v1", 0}, {"result_err_v1", 1}, {"stats_only_v1", 2}, {"yield_v1", 3}};
  auto mi = modes.find(m.text);
  if (mi == modes.end()) err("Typing", "budget.cfg_v1 mode is not supported: \"" + m.text + "\"", m.ptr);
  const Node& l = *other["label"];
  if (l.kind != Node::List || l.text != "bytes.lit" || l.kids.size() != 1)
    err("Typing", "budget.cfg_v1 label must be bytes.lit", l.ptr);
  if (l.kids[0].kind != Node::Atom && l.kids[0].kind != Node::Str)
    err("Typing", "budget.cfg_v1 label bytes.lit expects a text string", l.kids[0].ptr);
  if (mi->second == 3 && !async_ctx())
    err("Unsupported", "budget.scope_v1 mode=yield_v1 is only allowed in solve or defasync", n.ptr);
  return build_budget_scope(n, stmt, mi->second,
                            {v["alloc_bytes"], v["alloc_calls"], v["realloc_calls"], v["memcpy_bytes"],
                             v["sched_ticks"], v["fuel"]},
                            false);
}

Info FnChecker::build_budget_scope(Node& n, bool stmt, uint32_t mode, const std::vector<uint32_t>& caps, bool arch) {
  std::string p = n.ptr;
  Node body = std::move(n.kids[1]);
  std::vector<Node> kids;
  kids.push_back(mk_list("let", {mk_atom("$budget", p),
                                 mk_list("budget.$begin",
                                         {mk_int(mode, p), mk_int(caps[0], p), mk_int(caps[1], p),
                                          mk_int(caps[2], p), mk_int(caps[3], p), mk_int(caps[4], p),
                                          mk_int(caps[5], p)},
                                         p)},
                         p));
  kids.push_back(mk_list("let", {mk_atom("$budget_out", p), std::move(body)}, p));
  kids.push_back(mk_list("let", {mk_atom("$budget_err", p), mk_list("budget.$end", {mk_atom("$budget", p)}, p)}, p));
  if (mode == 1) {
    std::vector<Node> res = {mk_atom("$budget_out", p), mk_atom("$budget_err", p)};
    if (arch) res.push_back(mk_int(1, p));
    kids.push_back(mk_list("budget.$res", std::move(res), p));
  }
  else
    kids.push_back(mk_atom("$budget_out", p));
  n = mk_list("begin", std::move(kids), p);
  return check(n, stmt);
}

// (budget.scope_from_arch_v1 (bytes.lit PROFILE_ID) body): the cfg of a pinned profile
// (budget_profile.cpp), then the same rewrite as budget.scope_v1.
Info FnChecker::check_budget_scope_from_arch(Node& n, bool stmt) {
  arity(n, 2, "budget.scope_from_arch_v1 expects 2 args");
  const Node& id = n.kids[0];
  if (id.kind != Node::List || id.text != "bytes.lit" || id.kids.size() != 1 ||
      (id.kids[0].kind != Node::Atom && id.kids[0].kind != Node::Str))
    err("Typing", "budget.scope_from_arch_v1 expects bytes.lit profile_id", id.ptr);
  BudgetProfile prof;
  std::string e = load_budget_profile(prog_.entry_file, id.kids[0].text, &prof);
  if (!e.empty()) err("Parse", e, id.ptr);
  if (prof.mode == 3 && !async_ctx())
    err("Unsupported", "budget.scope_from_arch_v1 mode=yield_v1 is only allowed in solve or defasync", n.ptr);
  return build_budget_scope(n, stmt, prof.mode, prof.caps, true);
}

}  // namespace x07c::tc
