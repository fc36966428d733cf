// Stage 3: typed AST -> IR. Each expression becomes assignments to fresh
// locals (the C compiler keeps them in registers); owned values are moved by
// copying and zeroing the source, and dropped at the end of their scope.
// Fuel is charged once per straight-line block with that block's node count.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>

#include "ir.hpp"

namespace x07c {
namespace {

std::string sanitize(const std::string& s) {
  std::string o;
  for (char c : s) o += (isalnum((unsigned char)c) ? c : '_');
  return o;
}

std::string fn_cname(const Program& p, int idx) {
  const Function& f = p.fns[idx];
  if (f.is_extern) return f.link_name;
  return "x07f_" + std::to_string(idx) + "_" + sanitize(f.name.substr(f.name.rfind('.') + 1));
}

struct Block {
  std::vector<IrStmt> stmts;
  uint32_t fuel = 0;
};

class FnLowerer {
 public:
  FnLowerer(const Program& prog, IrFunc& out, const std::vector<VarDecl>& vars, Ty result,
            std::set<int>& used_externs, std::set<int>& used_os)
      : prog_(prog), out_(out), vars_(vars), result_(result), used_externs_(used_externs), used_os_(used_os) {
    for (size_t i = 0; i < vars.size(); i++) names_.push_back("v" + std::to_string(i) + "_" + sanitize(vars[i].name));
  }

  void lower_body(const Node& body, size_t n_params) {
    scopes_.emplace_back();
    for (size_t i = 0; i < n_params; i++) {
      out_.params.push_back({names_[i], vars_[i].ty});
      if (is_owned(vars_[i].ty)) scopes_.back().push_back({names_[i], vars_[i].ty});
    }
    for (size_t i = n_params; i < vars_.size(); i++) out_.locals.push_back({names_[i], vars_[i].ty});
    Block b;
    cur_ = &b;
    IrOperand r = lower(body);
    if (body.ty != Ty::Never) {
      emit_drops_all();
      IrStmt s;
      s.kind = IrStmt::Return;
      s.val = r;
      emit(std::move(s));
    }
    out_.body = finish(std::move(b));
  }

 private:
  const Program& prog_;
  IrFunc& out_;
  const std::vector<VarDecl>& vars_;
  Ty result_;
  std::set<int>& used_externs_;
  std::set<int>& used_os_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::pair<std::string, Ty>>> scopes_;  // owned locals to drop per scope
  Block* cur_ = nullptr;
  int ntemps_ = 0;
  // Owned temporaries produced but not yet consumed: an early exit (return/try)
  // drops them so error paths do not leak.
  std::set<std::string> inflight_;
  std::set<const Node*> unchecked_;  // reads proven in bounds in the current loop copy

  std::vector<IrStmt> finish(Block b) {
    if (b.fuel && !sink_fuel(b)) {
      IrStmt f;
      f.kind = IrStmt::Fuel;
      f.fuel = b.fuel;
      b.stmts.insert(b.stmts.begin(), std::move(f));
    }
    return std::move(b.stmts);
  }

  // When a block only computes pure values (copies, arithmetic) before an `if`, its charge is
  // added to the charge at the top of both arms instead: every path pays the same total, a
  // trap can only move past code without effects, and a call whose body is an `if` (fib)
  // makes one fuel check instead of two.
  static bool sink_fuel(Block& b) {
    for (auto& s : b.stmts) {
      if (s.kind == IrStmt::If) {
        // A loop's exit test (`if (c) break`): nothing gained, and the fixed-trip loop
        // prepayment looks for the body's charge up front.
        for (auto* arm : {&s.then_body, &s.else_body})
          if (!arm->empty() && arm->back().kind == IrStmt::Break) return false;
        for (auto* arm : {&s.then_body, &s.else_body}) {
          if (!arm->empty() && arm->front().kind == IrStmt::Fuel) {
            arm->front().fuel += b.fuel;
          } else {
            IrStmt f;
            f.kind = IrStmt::Fuel;
            f.fuel = b.fuel;
            arm->insert(arm->begin(), std::move(f));
          }
        }
        return true;
      }
      if (s.kind != IrStmt::Assign || s.rhs.kind == IrRhs::Call) return false;
    }
    return false;
  }

  void emit(IrStmt s) {
    if (s.kind == IrStmt::Eval) consume(s.rhs);
    cur_->stmts.push_back(std::move(s));
  }

  // Leaves the enclosing loop when `c` is non-zero (`when_true`) or zero (`!when_true`).
  void emit_break_if(IrOperand c, bool when_true) {
    IrStmt brk;
    brk.kind = IrStmt::If;
    brk.val = c;
    IrStmt b;
    b.kind = IrStmt::Break;
    (when_true ? brk.then_body : brk.else_body).push_back(b);
    emit(std::move(brk));
  }

  std::string temp(Ty t) {
    std::string n = "t" + std::to_string(ntemps_++);
    out_.locals.push_back({n, t});
    return n;
  }

  void consume(const IrRhs& rhs) {
    for (const auto& a : rhs.args)
      if (a.kind == IrOperand::Local) inflight_.erase(a.name);
  }

  // An owned temporary handed to a scope (borrowed until the scope ends).
  void own_in_scope(const std::string& name, Ty t) {
    inflight_.erase(name);
    scopes_.back().push_back({name, t});
  }

  // Drops on an early-exit path only: the temporaries stay in flight on the other paths.
  void drop_inflight(const IrOperand& except) {
    for (const auto& nme : inflight_) {
      if (except.kind == IrOperand::Local && except.name == nme) continue;
      for (const auto& [ln, lt] : out_.locals) {
        if (ln != nme) continue;
        IrStmt s;
        s.kind = IrStmt::Drop;
        s.dst = nme;
        s.ty = lt;
        cur_->stmts.push_back(std::move(s));
      }
    }
  }

  IrOperand assign(Ty t, IrRhs rhs) {
    consume(rhs);
    std::string d = temp(t);
    if (is_owned(t)) inflight_.insert(d);
    IrStmt s;
    s.kind = IrStmt::Assign;
    s.dst = d;
    s.ty = t;
    s.rhs = std::move(rhs);
    emit(std::move(s));
    return IrOperand::local(d);
  }

  void assign_to(const std::string& dst, Ty t, IrRhs rhs) {
    consume(rhs);
    IrStmt s;
    s.kind = IrStmt::Assign;
    s.dst = dst;
    s.ty = t;
    s.rhs = std::move(rhs);
    emit(std::move(s));
  }

  static IrRhs copy(IrOperand o) {
    IrRhs r;
    r.kind = IrRhs::Copy;
    r.args.push_back(std::move(o));
    return r;
  }
  static IrRhs call(std::string fn, std::vector<IrOperand> args) {
    IrRhs r;
    r.kind = IrRhs::Call;
    r.op = std::move(fn);
    r.args = std::move(args);
    return r;
  }
  static IrRhs field(IrOperand o, std::string f) {
    IrRhs r;
    r.kind = IrRhs::Field;
    r.op = std::move(f);
    r.args.push_back(std::move(o));
    return r;
  }
  static IrRhs zero() {
    IrRhs r;
    r.kind = IrRhs::Zero;
    return r;
  }

  void drop(const std::string& name, Ty t) {
    inflight_.erase(name);
    IrStmt s;
    s.kind = IrStmt::Drop;
    s.dst = name;
    s.ty = t;
    emit(std::move(s));
  }

  void emit_drops(const std::vector<std::pair<std::string, Ty>>& sc) {
    for (auto it = sc.rbegin(); it != sc.rend(); ++it) drop(it->first, it->second);
  }
  void emit_drops_all() {
    end_open_scopes();
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) emit_drops(*s);
  }

  // task.scope_v1 / budget.scope_v1 / std.rr.with_* bodies being lowered (their `$scope` /
  // `$budget` / `$rr` locals, typecheck_async.cpp, typecheck_worlds.cpp): an early exit (return,
  // try) ends them first, innermost first, like the scope's normal end (children joined, budgets
  // checked, cassette closed).
  std::vector<int> open_scopes_;
  void end_open_scopes() {
    for (auto it = open_scopes_.rbegin(); it != open_scopes_.rend(); ++it) {
      const std::string& kind = vars_[*it].name;
      std::string fn = kind == "$rr" ? "x07_rr_scope_exit" : kind == "$scope" ? "x07_scope_end" : "x07_budget_end";
      if (out_.in_task && kind != "$rr") fn += "_task";
      IrStmt s;
      s.kind = IrStmt::Eval;
      s.rhs = call(fn, {IrOperand::local(names_[*it])});
      emit(std::move(s));
    }
  }

  // Lowers `n` as its own scope into a fresh block with its own fuel charge.
  std::vector<IrStmt> sub_block(const std::function<void()>& f) {
    Block b;
    Block* saved = cur_;
    cur_ = &b;
    scopes_.emplace_back();
    f();
    emit_drops(scopes_.back());
    scopes_.pop_back();
    cur_ = saved;
    return finish(std::move(b));
  }

  IrOperand lower_stmt(const Node& n) {
    IrOperand o = lower(n);
    if (is_owned(n.ty) && o.kind == IrOperand::Local && o.name[0] == 't') drop(o.name, n.ty);
    return o;
  }

  // A bytes/vec_u8 value used where a view is expected.
  IrOperand as_view(const Node& n) {
    cur_->fuel++;
    IrOperand owner;
    if (n.kind == Node::Atom && n.var >= 0) {
      owner = IrOperand::local(names_[n.var]);
    } else {
      owner = lower(n);  // lower() itself never looks at coerce_view
      own_in_scope(owner.name, n.ty);
    }
    return assign(Ty::View, call(n.ty == Ty::Vec ? "x07_vec_view" : "x07_bytes_view", {owner}));
  }

  IrOperand lower_arg(const Node& a) {
    if (a.coerce_view) return as_view(a);
    if (a.kind == Node::Atom && a.var >= 0 && !a.move && is_owned(a.ty)) {  // peek / identifier borrow
      cur_->fuel++;
      return IrOperand::local(names_[a.var]);
    }
    IrOperand o = lower(a);
    if (a.keep_temp && o.kind == IrOperand::Local) own_in_scope(o.name, a.ty);
    return o;
  }

  IrOperand lower(const Node& n) {
    if (!n.stmt) cur_->fuel++;
    switch (n.kind) {
      case Node::Int:
        return IrOperand::num((uint32_t)n.ival);
      case Node::Str:
        return IrOperand::str(n.text);
      case Node::Atom: {
        if (n.var < 0) return IrOperand::local("input");
        IrOperand v = IrOperand::local(names_[n.var]);
        IrOperand t = assign(n.ty, copy(v));
        if (n.move) assign_to(names_[n.var], n.ty, zero());
        return t;
      }
      case Node::List:
        break;
    }
    switch (n.head) {
      case Head::Begin:
      case Head::Unsafe: {
        scopes_.emplace_back();
        IrOperand r;
        for (size_t i = 0; i < n.kids.size(); i++) {
          bool last = i + 1 == n.kids.size();
          r = (last && !n.stmt) ? lower(n.kids[i]) : lower_stmt(n.kids[i]);
        }
        emit_drops(scopes_.back());
        scopes_.pop_back();
        return n.stmt ? IrOperand::num(0) : r;
      }
      case Head::Let: {
        IrOperand v = lower(n.kids[1]);
        const std::string& name = names_[n.var];
        assign_to(name, vars_[n.var].ty, copy(v));
        if (vars_[n.var].name == "$scope" || vars_[n.var].name == "$budget" || vars_[n.var].name == "$rr")
          open_scopes_.push_back(n.var);
        if (is_owned(vars_[n.var].ty)) scopes_.back().push_back({name, vars_[n.var].ty});
        if (n.stmt) return IrOperand::num(0);
        return assign(n.ty, copy(IrOperand::local(name)));
      }
      case Head::Set:
      case Head::Set0: {
        IrOperand v = lower(n.kids[1]);
        const std::string& name = names_[n.var];
        Ty t = vars_[n.var].ty;
        if (is_owned(t)) drop(name, t);
        assign_to(name, t, copy(v));
        if (n.head == Head::Set0 || n.stmt) return IrOperand::num(0);
        return assign(t, copy(IrOperand::local(name)));
      }
      case Head::If: {
        IrOperand c = lower(n.kids[0]);
        bool want = !n.stmt && n.ty != Ty::Never;
        std::string r = want ? temp(n.ty) : std::string();
        IrStmt s;
        s.kind = IrStmt::If;
        s.val = c;
        for (int br = 1; br <= 2; br++) {
          auto body = sub_block([&] {
            const Node& k = n.kids[br];
            IrOperand o = n.stmt ? lower_stmt(k) : lower(k);
            if (want && k.ty != Ty::Never) assign_to(r, n.ty, copy(o));
          });
          (br == 1 ? s.then_body : s.else_body) = std::move(body);
        }
        emit(std::move(s));
        if (want && is_owned(n.ty)) inflight_.insert(r);
        return want ? IrOperand::local(r) : IrOperand::num(0);
      }
      case Head::For: {
        IrOperand start = lower(n.kids[1]);
        const std::string& iv = names_[n.var];
        assign_to(iv, Ty::I32, copy(start));
        IrOperand end = lower(n.kids[2]);
        IrOperand endv = assign(Ty::I32, copy(end));
        auto build = [&] {
          IrStmt loop;
          loop.kind = IrStmt::Loop;
          loop.then_body = sub_block([&] {
            cur_->fuel++;  // the bound test: every iteration costs at least one unit
            IrRhs ge;
            ge.kind = IrRhs::Bin;
            ge.op = ">=u";
            ge.args = {IrOperand::local(iv), endv};
            emit_break_if(assign(Ty::I32, ge), true);
            lower_stmt(n.kids[3]);
            IrRhs inc;
            inc.kind = IrRhs::Bin;
            inc.op = "+";
            inc.args = {IrOperand::local(iv), IrOperand::num(1)};
            assign_to(iv, Ty::I32, inc);
          });
          return loop;
        };
        IrStmt loop = build();
        // A loop whose trip count is fixed up front (the body neither assigns the loop
        // variable nor leaves early) is charged its whole fuel once, before it starts,
        // so the body has no per-iteration fuel exit.
        bool fixed = fixed_trip_count(n.kids[3], n.var);
        if (!fixed || loop.then_body.empty() || loop.then_body[0].kind != IrStmt::Fuel) {
          emit(std::move(loop));
          return IrOperand::num(0);
        }
        uint32_t per_iter = loop.then_body[0].fuel;
        loop.then_body.erase(loop.then_body.begin());
        IrStmt pre;
        pre.kind = IrStmt::Eval;
        pre.rhs = call("x07_fuel_loop", {IrOperand::local(iv), endv, IrOperand::num(per_iter)});
        emit(std::move(pre));
        // Loop versioning: byte reads/writes on loop-invariant buffers at an index affine in
        // the loop variable (i, i+E, E-i with E invariant) cannot fail when the whole index
        // range fits; that copy of the loop runs them unchecked, the other keeps every check
        // (and so reports the exact trap).
        std::vector<Guard> guards;
        std::vector<const Node*> accesses;
        // Only innermost loops are versioned, so nested loops do not multiply the code.
        if (loop_versioning_enabled() && !contains_loop(n.kids[3]))
          collect_guarded_accesses(n.kids[3], n.kids[3], n.var, guards, accesses);
        if (accesses.empty()) {
          emit(std::move(loop));
          return IrOperand::num(0);
        }
        IrOperand ok = IrOperand::num(1);
        for (const Guard& g : guards) {
          IrOperand len = assign(Ty::I32, field(IrOperand::local(g.owner < 0 ? std::string("input") : names_[g.owner]), "len"));
          IrOperand off = IrOperand::num(0);
          if (g.offset) {
            uint32_t saved = cur_->fuel;  // re-evaluating a pure invariant: not charged twice
            off = lower(*g.offset);
            cur_->fuel = saved;
          }
          IrOperand c = g.form == Guard::Sub
                            ? assign(Ty::I32, call("x07_vcheck_sub", {IrOperand::local(iv), endv, off, len}))
                            : assign(Ty::I32, call("x07_vcheck_add", {IrOperand::local(iv), endv, off, len}));
          IrRhs both;
          both.kind = IrRhs::Bin;
          both.op = "&";
          both.args = {ok, c};
          ok = assign(Ty::I32, both);
        }
        unchecked_.insert(accesses.begin(), accesses.end());
        IrStmt fast = build();
        unchecked_.clear();
        if (!fast.then_body.empty() && fast.then_body[0].kind == IrStmt::Fuel) fast.then_body.erase(fast.then_body.begin());
        IrStmt sel;
        sel.kind = IrStmt::If;
        sel.val = ok;
        sel.then_body.push_back(std::move(fast));
        sel.else_body.push_back(std::move(loop));
        emit(std::move(sel));
        return IrOperand::num(0);
      }
      case Head::While: {
        IrStmt loop;
        loop.kind = IrStmt::Loop;
        loop.then_body = sub_block([&] {
          scopes_.emplace_back();
          IrOperand c = lower(n.kids[0]);
          emit_drops(scopes_.back());
          scopes_.pop_back();
          emit_break_if(c, false);
          scopes_.emplace_back();
          lower_stmt(n.kids[1]);
          emit_drops(scopes_.back());
          scopes_.pop_back();
        });
        emit(std::move(loop));
        return IrOperand::num(0);
      }
      case Head::Return: {
        IrOperand v = lower(n.kids[0]);
        drop_inflight(v);
        emit_drops_all();
        IrStmt s;
        s.kind = IrStmt::Return;
        s.val = v;
        emit(std::move(s));
        if (v.kind == IrOperand::Local) inflight_.erase(v.name);
        return IrOperand::num(0);
      }
      case Head::Try: {
        IrOperand r = lower(n.kids[0]);
        Ty rt = n.kids[0].ty;
        IrStmt s;
        s.kind = IrStmt::If;
        IrRhs is_err;
        is_err.kind = IrRhs::Bin;
        is_err.op = "=";
        IrOperand tag = assign(Ty::I32, field(r, "tag"));
        is_err.args = {tag, IrOperand::num(0)};
        s.val = assign(Ty::I32, is_err);
        s.then_body = [&] {
          Block b;
          Block* saved = cur_;
          cur_ = &b;
          IrOperand code = assign(Ty::I32, field(r, rt == Ty::ResI32 ? "val" : "err"));
          const char* ctor = result_ == Ty::ResI32 ? "x07_res_i32_err" : result_ == Ty::ResBytes ? "x07_res_bytes_err"
                                                                                                  : "x07_res_view_err";
          IrOperand ev = assign(result_, call(ctor, {code}));
          drop_inflight(ev);
          inflight_.erase(ev.name);
          emit_drops_all();
          IrStmt ret;
          ret.kind = IrStmt::Return;
          ret.val = ev;
          emit(std::move(ret));
          cur_ = saved;
          return std::move(b.stmts);
        }();
        emit(std::move(s));
        return assign(n.ty, field(r, rt == Ty::ResI32 ? "val" : "ok"));
      }
      case Head::AndAnd:
      case Head::OrOr: {
        bool and_ = n.head == Head::AndAnd;
        IrOperand a = lower(n.kids[0]);
        std::string r = temp(Ty::I32);
        IrStmt s;
        s.kind = IrStmt::If;
        s.val = a;
        auto rhs_branch = sub_block([&] {
          IrOperand b = lower(n.kids[1]);
          IrRhs ne;
          ne.kind = IrRhs::Bin;
          ne.op = "!=";
          ne.args = {b, IrOperand::num(0)};
          assign_to(r, Ty::I32, ne);
        });
        IrStmt constant;
        constant.kind = IrStmt::Assign;
        constant.dst = r;
        constant.rhs = copy(IrOperand::num(and_ ? 0 : 1));
        if (and_) {
          s.then_body = std::move(rhs_branch);
          s.else_body.push_back(constant);
        } else {
          s.then_body.push_back(constant);
          s.else_body = std::move(rhs_branch);
        }
        emit(std::move(s));
        return IrOperand::local(r);
      }
      case Head::Op: {
        IrRhs r;
        r.kind = IrRhs::Bin;
        r.op = n.text;
        r.args = {lower(n.kids[0]), lower(n.kids[1])};
        return assign(Ty::I32, r);
      }
      case Head::Builtin:
        return lower_builtin(n);
      case Head::Call:
      case Head::Extern: {
        const Function& f = prog_.fns[n.callee];
        std::vector<IrOperand> args;
        if (!f.is_extern) args.push_back(IrOperand::local("input"));
        for (const auto& k : n.kids) args.push_back(lower_arg(k));
        if (f.is_async) return assign(Ty::I32, call(fn_cname(prog_, n.callee) + "__task_new", args));  // new task
        if (f.is_extern) {
          used_externs_.insert(n.callee);
          if (f.extern_void) {
            IrStmt s;
            s.kind = IrStmt::Eval;
            s.rhs = call(fn_cname(prog_, n.callee), args);
            emit(std::move(s));
            return IrOperand::num(0);
          }
        }
        return assign(f.result_ty, call(fn_cname(prog_, n.callee), args));
      }
      case Head::Pipe:
        return lower_pipe(n);
      case Head::RecordMake: {
        IrOperand b = assign(Ty::Bytes, call("x07_bytes_new", {IrOperand::num(4u * (uint32_t)n.kids.size())}));
        for (size_t i = 0; i < n.kids.size(); i++) {
          IrOperand x = lower(n.kids[i]);
          IrStmt s;
          s.kind = IrStmt::Eval;
          s.rhs = call("x07_rec_put", {b, IrOperand::num(4u * (uint32_t)i), x});
          emit(std::move(s));
        }
        return b;
      }
      case Head::RecordGet: {
        IrOperand v = lower_arg(n.kids[0]);
        return assign(Ty::I32, call("x07_codec_read_u32_le", {v, IrOperand::num(4u * (uint32_t)n.aux)}));
      }
      case Head::EnumMake: {
        bool payload = !n.kids.empty();
        IrOperand b = assign(Ty::Bytes, call("x07_bytes_new", {IrOperand::num(payload ? 8 : 4)}));
        IrStmt s;
        s.kind = IrStmt::Eval;
        s.rhs = call("x07_rec_put", {b, IrOperand::num(0), IrOperand::num((uint32_t)n.aux)});
        emit(std::move(s));
        if (payload) {
          IrOperand x = lower(n.kids[0]);
          IrStmt p;
          p.kind = IrStmt::Eval;
          p.rhs = call("x07_rec_put", {b, IrOperand::num(4), x});
          emit(std::move(p));
        }
        return b;
      }
      case Head::Match:
        return lower_match(n);
      case Head::ContractFail: {
        std::vector<IrOperand> head;
        for (int i = 0; i < 5; i++)
          head.push_back(n.kids[i].kind == Node::Int ? IrOperand::num((uint32_t)n.kids[i].ival)
                                                     : IrOperand::str(n.kids[i].text));
        IrStmt b;
        b.kind = IrStmt::Eval;
        b.rhs = call("x07_contract_begin", head);
        emit(std::move(b));
        for (size_t i = 5; i < n.kids.size(); i++) {
          IrOperand w = lower_arg(n.kids[i]);
          IrStmt s;
          s.kind = IrStmt::Eval;
          s.rhs = call(n.kids[i].coerce_view || n.kids[i].ty == Ty::View ? "x07_contract_witness_view"
                                                                         : "x07_contract_witness_i32", {w});
          emit(std::move(s));
        }
        IrStmt e;
        e.kind = IrStmt::Eval;
        e.rhs = call("x07_contract_fail", {});
        emit(std::move(e));
        return IrOperand::num(0);
      }
      default:
        throw CompileError("Internal", "unresolved head in lowering: \"" + n.text + "\"", "", n.ptr);
    }
  }

  // X07_NO_LOOP_VERSIONING=1 turns loop versioning off (differential testing).
  static bool loop_versioning_enabled() {
    static const bool on = [] {
      const char* e = getenv("X07_NO_LOOP_VERSIONING");
      return !(e && *e && std::string(e) != "0");
    }();
    return on;
  }

  // Is variable v left unchanged by the loop body (never set, moved or (re)declared)?
  static bool invariant_in(const Node& n, int v) {
    if (n.kind == Node::Atom) return !(n.var == v && n.move);
    if (n.kind != Node::List) return true;
    if ((n.head == Head::Set || n.head == Head::Set0 || n.head == Head::Let || n.head == Head::For) && n.var == v)
      return false;
    if (n.var == v && n.head == Head::Unresolved) return false;  // match arm binding
    for (const auto& k : n.kids)
      if (!invariant_in(k, v)) return false;
    return true;
  }

  static bool contains_loop(const Node& n) {
    if (n.kind != Node::List) return false;
    if (n.head == Head::For || n.head == Head::While) return true;
    for (const auto& k : n.kids)
      if (contains_loop(k)) return true;
    return false;
  }

  struct Guard {
    enum Form { Add, Sub } form;
    int owner;           // buffer variable, -1 = input
    const Node* offset;  // E of i+E / E-i (null: 0)
  };

  // A pure i32 expression of constants and variables the loop body never changes.
  static bool invariant_expr(const Node& body, const Node& e, int loop_var) {
    if (e.kind == Node::Int) return true;
    if (e.kind == Node::Atom)
      return e.var >= 0 && e.var != loop_var && e.ty == Ty::I32 && !e.move && invariant_in(body, e.var);
    if (e.kind == Node::List && e.head == Head::Op)
      return invariant_expr(body, e.kids[0], loop_var) && invariant_expr(body, e.kids[1], loop_var);
    return false;
  }

  // Index forms i, i+E, E+i, E-i; returns false for anything else.
  static bool affine_index(const Node& body, const Node& idx, int loop_var, Guard* g) {
    auto is_i = [&](const Node& x) { return x.kind == Node::Atom && x.var == loop_var; };
    if (is_i(idx)) {
      g->form = Guard::Add;
      g->offset = nullptr;
      return true;
    }
    if (idx.kind != Node::List || idx.head != Head::Op) return false;
    if (idx.text == "+") {
      for (int k = 0; k < 2; k++)
        if (is_i(idx.kids[k]) && invariant_expr(body, idx.kids[1 - k], loop_var)) {
          g->form = Guard::Add;
          g->offset = &idx.kids[1 - k];
          return true;
        }
    }
    if (idx.text == "-" && is_i(idx.kids[1]) && invariant_expr(body, idx.kids[0], loop_var)) {
      g->form = Guard::Sub;
      g->offset = &idx.kids[0];
      return true;
    }
    return false;
  }

  // bytes variable b whose length the body keeps: it is only ever rebound as
  // (set b (bytes.set_u8 b ...)) and moved nowhere else.
  static bool length_invariant(const Node& body, int b) {
    int set_patterns = 0, moves = 0;
    bool other = false;
    std::function<void(const Node&)> walk = [&](const Node& n) {
      if (n.kind == Node::Atom && n.var == b && n.move) moves++;
      if (n.kind != Node::List) return;
      if ((n.head == Head::Set || n.head == Head::Set0) && n.var == b) {
        const Node& r = n.kids[1];
        if (n.head == Head::Set && r.head == Head::Builtin && builtins()[r.callee].name == "bytes.set_u8" &&
            r.kids[0].kind == Node::Atom && r.kids[0].var == b)
          set_patterns++;
        else
          other = true;
      }
      if ((n.head == Head::Let || n.head == Head::For || n.head == Head::Unresolved) && n.var == b) other = true;
      for (const auto& k : n.kids) walk(k);
    };
    walk(body);
    return !other && moves == set_patterns;
  }

  static void collect_guarded_accesses(const Node& body, const Node& n, int loop_var, std::vector<Guard>& guards,
                                       std::vector<const Node*>& accesses) {
    if (n.kind != Node::List) return;
    if (n.head == Head::Builtin && n.kids.size() >= 2) {
      const std::string& name = builtins()[n.callee].name;
      const Node& v = n.kids[0];
      bool read = (name == "view.get_u8" || name == "bytes.get_u8") && v.kind == Node::Atom &&
                  (v.var < 0 ? v.text == "input" : (!v.move && invariant_in(body, v.var)));
      bool write = name == "bytes.set_u8" && v.kind == Node::Atom && v.var >= 0 && v.move && length_invariant(body, v.var);
      Guard g{Guard::Add, v.var < 0 ? -1 : v.var, nullptr};
      if ((read || write) && affine_index(body, n.kids[1], loop_var, &g)) {
        accesses.push_back(&n);
        guards.push_back(g);
      }
    }
    for (const auto& k : n.kids) collect_guarded_accesses(body, k, loop_var, guards, accesses);
  }

  static bool fixed_trip_count(const Node& n, int loop_var) {
    if (n.kind != Node::List) return true;
    if (n.head == Head::Return || n.head == Head::Try || n.head == Head::ContractFail) return false;
    if ((n.head == Head::Set || n.head == Head::Set0 || n.head == Head::For) && n.var == loop_var) return false;
    if (n.head == Head::Builtin && (builtins()[n.callee].flags & BF_NEVER)) return false;
    for (const auto& k : n.kids)
      if (!fixed_trip_count(k, loop_var)) return false;
    return true;
  }

  IrOperand lower_match(const Node& n) {
    IrOperand s = lower(n.kids[0]);
    IrOperand tag = assign(Ty::I32, call("x07_enum_tag", {s}));
    IrOperand payload = assign(Ty::I32, call("x07_enum_payload", {s}));
    drop(s.name, Ty::Bytes);
    bool want = !n.stmt && n.ty != Ty::Never;
    std::string r = want ? temp(n.ty) : std::string();
    // if (tag == v1) {...} else if (tag == v2) {...} else {last}
    std::function<std::vector<IrStmt>(size_t)> chain = [&](size_t i) -> std::vector<IrStmt> {
      const Node& arm = n.kids[i];
      auto arm_body = [&] {
        return sub_block([&] {
          if (arm.var >= 0) assign_to(names_[arm.var], Ty::I32, copy(payload));
          const Node& body = arm.kids.back();
          IrOperand o = n.stmt ? lower_stmt(body) : lower(body);
          if (want && body.ty != Ty::Never) assign_to(r, n.ty, copy(o));
        });
      };
      if (i + 1 == n.kids.size()) return arm_body();
      Block b;
      Block* saved = cur_;
      cur_ = &b;
      IrRhs eq;
      eq.kind = IrRhs::Bin;
      eq.op = "=";
      eq.args = {tag, IrOperand::num((uint32_t)arm.aux)};
      IrStmt s2;
      s2.kind = IrStmt::If;
      s2.val = assign(Ty::I32, eq);
      s2.then_body = arm_body();
      s2.else_body = chain(i + 1);
      emit(std::move(s2));
      cur_ = saved;
      return std::move(b.stmts);
    };
    auto stmts = chain(1);
    for (auto& st : stmts) emit(std::move(st));
    if (want && is_owned(n.ty)) inflight_.insert(r);
    return want ? IrOperand::local(r) : IrOperand::num(0);
  }

  // std.stream.pipe_v1: the runtime engine (runtime/stream_pipe.c) runs the plan with the pipe's
  // values, evaluated here in argument order, and the C functions behind its std.stream.fn_v1 refs.
  IrOperand lower_pipe(const Node& n) {
    const PipePlan& plan = prog_.pipes[n.callee];
    std::vector<IrOperand> vals;
    for (const auto& k : n.kids) vals.push_back(lower_arg(k));
    IrOperand h = assign(Ty::PtrMutVoid, call("x07_pipe_begin", {IrOperand::str(plan.words),
                                                                 IrOperand::num((uint32_t)plan.words.size())}));
    auto attach = [&](const char* fn, uint32_t i, IrOperand v) {
      IrStmt s;
      s.kind = IrStmt::Eval;
      s.rhs = call(fn, {h, IrOperand::num(i), std::move(v)});
      emit(std::move(s));
    };
    for (size_t i = 0; i < vals.size(); i++) {
      Ty t = plan.arg_tys[i];
      attach(t == Ty::Bytes ? "x07_pipe_arg_bytes" : t == Ty::View ? "x07_pipe_arg_view" : "x07_pipe_arg_i32",
             (uint32_t)i, vals[i]);
    }
    for (size_t i = 0; i < plan.fns.size(); i++)
      attach("x07_pipe_arg_fn", (uint32_t)i, IrOperand::local("(x07_pipe_fn)" + fn_cname(prog_, plan.fns[i])));
    return assign(Ty::Bytes, call("x07_pipe_run", {h, IrOperand::local("input")}));
  }

  // vec_u8.extend_bytes(v, P(x)) where P makes a fresh bytes value that only this call reads:
  // P's bytes go straight into v (the runtime's x07_vec_extend_* functions), without the
  // temporary. Fuel is charged exactly as for the unfused pair (the view coercion and the
  // producer node); the runtime still counts the temporary in mem_stats.
  bool lower_fused_append(const Node& n, IrOperand* out) {
    static const std::pair<const char*, const char*> fused[] = {
        {"fmt.u32_to_dec", "x07_vec_extend_u32_dec"},
        {"fmt.s32_to_dec", "x07_vec_extend_s32_dec"},
        {"codec.write_u32_le", "x07_vec_extend_u32_le"},
    };
    if (n.kids.size() != 2) return false;
    const Node& src = n.kids[1];
    if (!src.coerce_view || src.kind != Node::List || src.head != Head::Builtin || src.kids.size() != 1 ||
        src.kids[0].coerce_view)
      return false;
    const std::string& producer = builtins()[src.callee].name;
    for (const auto& [name, c_fn] : fused) {
      if (producer != name) continue;
      IrOperand v = lower_arg(n.kids[0]);
      cur_->fuel += src.stmt ? 1 : 2;  // as_view() + lower() of the producer node
      IrOperand x = lower_arg(src.kids[0]);
      *out = assign(n.ty, call(c_fn, {v, x}));
      return true;
    }
    return false;
  }

  // map_u32.set(m, k, V) where V reads map_u32.get(m, k, d) of the same variables and is
  // otherwise plain arithmetic on i32 variables and constants (a counter or accumulator update):
  // the key is looked up once (x07_map_u32_probe, with the get's checks and trap texts, moved
  // before the rest of V, which cannot trap or change anything), the get reads that slot and the
  // set writes it. Every node is lowered as before, so fuel is charged exactly the same.
  const Node* map_update_get_ = nullptr;
  IrOperand map_update_slot_;

  static bool same_var(const Node& a, const Node& b) {
    return a.kind == Node::Atom && b.kind == Node::Atom && a.var >= 0 && a.var == b.var;
  }
  static bool is_builtin(const Node& n, const char* name) {
    return n.kind == Node::List && n.head == Head::Builtin && builtins()[n.callee].name == name;
  }
  // V of map_u32.set(m, k, V): the one get of (m, k) it contains, or null
  static const Node* map_update_get(const Node& v, const Node& m, const Node& k) {
    const Node* found = nullptr;
    bool ok = true;
    std::function<void(const Node&)> walk = [&](const Node& e) {
      if (!ok || e.kind == Node::Int) return;
      if (e.kind == Node::Atom) {
        ok = e.var >= 0 && e.ty == Ty::I32 && !e.move;
        return;
      }
      if (e.kind == Node::List && e.head == Head::Op) {
        for (const auto& x : e.kids) walk(x);
        return;
      }
      if (is_builtin(e, "map_u32.get") && e.kids.size() == 3 && !found && same_var(e.kids[0], m) &&
          same_var(e.kids[1], k)) {
        found = &e;
        walk(e.kids[2]);
        return;
      }
      ok = false;
    };
    walk(v);
    return ok ? found : nullptr;
  }

  bool lower_map_update(const Node& n, IrOperand* out) {
    if (n.kids.size() != 3 || map_update_get_ || !same_var(n.kids[0], n.kids[0]) || !same_var(n.kids[1], n.kids[1]))
      return false;
    const Node* get = map_update_get(n.kids[2], n.kids[0], n.kids[1]);
    if (!get) return false;
    IrOperand h = lower_arg(n.kids[0]);
    IrOperand k = lower_arg(n.kids[1]);
    map_update_slot_ = assign(Ty::I32, call("x07_map_u32_probe", {h, k}));
    map_update_get_ = get;
    IrOperand v = lower_arg(n.kids[2]);
    map_update_get_ = nullptr;
    *out = assign(n.ty, call("x07_map_u32_set_at", {h, map_update_slot_, k, v}));
    return true;
  }

  IrOperand lower_builtin(const Node& n) {
    const Builtin& b = builtins()[n.callee];
    IrOperand fused;
    if (b.name == "vec_u8.extend_bytes" && lower_fused_append(n, &fused)) return fused;
    if (b.name == "map_u32.set" && lower_map_update(n, &fused)) return fused;
    if (&n == map_update_get_) {
      IrOperand h = lower_arg(n.kids[0]);
      lower_arg(n.kids[1]);  // the key: read (and charged) as before, already probed
      IrOperand d = lower_arg(n.kids[2]);
      return assign(n.ty, call("x07_map_u32_get_at", {h, map_update_slot_, d}));
    }
    if (b.os || (b.flags & BF_PROTO)) used_os_.insert(n.callee);
    if (b.flags & BF_SCHED) out_.uses_sched = true;
    if ((b.name.rfind("task.$scope_end", 0) == 0 || b.name.rfind("budget.$end", 0) == 0 || b.name == "rr.$exit") &&
        !open_scopes_.empty())
      open_scopes_.pop_back();  // the scope's normal end
    if (b.flags & BF_TEXT) {
      const std::string& s = n.kids[0].text;
      return assign(b.result, call(b.c_fn, {IrOperand::str(s), IrOperand::num((uint32_t)s.size())}));
    }
    std::vector<IrOperand> args;
    std::string c_fn = b.c_fn;
    int validator = -1;
    if (b.flags & (BF_PTR_CAST | BF_PTR_AS_CONST)) {  // a C cast of the pointer operand
      IrOperand p = lower_arg(n.kids.back());
      return assign(n.ty, call(std::string("(") + ty_c(n.ty) + ")", {p}));
    }
    for (size_t i = 0; i < n.kids.size(); i++) {
      if (b.param_mode[i] == 'l') {  // address of the variable itself
        cur_->fuel++;
        args.push_back(IrOperand::local(names_[n.kids[i].var]));
        continue;
      }
      if (b.param_mode[i] == 'd' && n.kids[i].kind == Node::Atom && n.kids[i].var >= 0 && !n.kids[i].move) {
        cur_->fuel++;  // the runtime empties the variable only if the default is taken
        args.push_back(IrOperand::local("&" + names_[n.kids[i].var]));
        c_fn += "_var";
        continue;
      }
      if (b.param_mode[i] == 'b') continue;  // compile-time brand id
      if (b.param_mode[i] == 'f') {
        validator = n.kids[i].callee;
        continue;
      }
      args.push_back(lower_arg(n.kids[i]));
    }
    if (b.flags & BF_IDENTITY) return args.back();
    if (validator >= 0) {  // std.brand.cast_*: run the validator on a view of the value
      IrOperand subject = args.back();
      IrOperand view = n.kids.back().ty == Ty::Bytes ? assign(Ty::View, call("x07_bytes_view", {subject})) : subject;
      IrOperand r = assign(Ty::ResI32, call(fn_cname(prog_, validator), {IrOperand::local("input"), view}));
      return assign(b.result, call(b.c_fn, {r, subject}));
    }
    if (unchecked_.count(&n))
      return assign(n.ty, call(b.name == "bytes.set_u8" ? "x07_bytes_set_u8_nc" : "x07_view_get_u8_nc", args));
    if (b.flags & BF_PTR) args.push_back(IrOperand::str(n.ptr));
    if (b.flags & BF_NEVER) {
      IrStmt s;
      s.kind = IrStmt::Eval;
      s.rhs = call(b.c_fn, args);
      emit(std::move(s));
      return IrOperand::num(0);
    }
    return assign(n.ty, call(c_fn, args));
  }
};

}  // namespace

IrProgram lower_program(const Program& prog) {
  IrProgram ir;
  std::set<int> externs, os;
  for (size_t i = 0; i < prog.fns.size(); i++) {
    const Function& f = prog.fns[i];
    if (!f.reachable || f.is_extern || (!f.type_params.empty() && f.generic_of < 0)) continue;
    IrFunc out;
    out.cname = fn_cname(prog, (int)i);
    out.x07_name = f.name;
    out.in_task = f.is_async || f.task_ctx;
    out.result = f.result_ty;
    FnLowerer l(prog, out, f.vars, f.result_ty, externs, os);
    l.lower_body(f.body, f.params.size());
    if (f.is_async) {
      out.uses_sched = true;
      ir.task_wrappers.push_back(async_task_wrapper(out.cname, f.param_tys, f.result_ty));
    }
    ir.fns.push_back(std::move(out));
  }
  IrFunc solve;
  solve.cname = "x07_program_solve";
  solve.x07_name = "solve";
  solve.result = Ty::Bytes;
  solve.is_solve = true;
  FnLowerer l(prog, solve, prog.solve_vars, Ty::Bytes, externs, os);
  l.lower_body(prog.solve, 0);
  ir.fns.push_back(std::move(solve));
  for (const auto& f : ir.fns) ir.uses_sched = ir.uses_sched || f.uses_sched;
  if (!prog.pipes.empty()) ir.extern_protos.push_back("#include \"x07rt_stream.h\"");
  for (int e : externs) {
    const Function& f = prog.fns[e];
    std::string p = std::string(f.extern_void ? "void" : ty_c(f.result_ty)) + " " + f.link_name + "(";
    for (size_t i = 0; i < f.param_tys.size(); i++) p += std::string(i ? ", " : "") + ty_c(f.param_tys[i]);
    if (f.param_tys.empty()) p += "void";
    ir.extern_protos.push_back(p + ");");
  }
  for (int o : os) {
    const Builtin& b = builtins()[o];
    std::string p = b.result == Ty::Never ? "_Noreturn void " : std::string(ty_c(b.result)) + " ";
    p += b.c_fn + "(";
    for (size_t i = 0; i < b.params.size(); i++) p += std::string(i ? ", " : "") + ty_c(b.params[i]);
    if (b.params.empty()) p += "void";
    ir.extern_protos.push_back(p + ");");
  }
  return ir;
}

}  // namespace x07c
