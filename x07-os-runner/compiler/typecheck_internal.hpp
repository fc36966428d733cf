// Internal to the typecheck stage (typecheck*.cpp): the per-function checker.
// typecheck.cpp holds the core (scopes, moves, borrows, dispatch, signatures and
// monomorphization); typecheck_forms.cpp the special forms; typecheck_calls.cpp
// builtin/function/tapp/ty.*/record/enum calls; typecheck_brands.cpp brand flow.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast.hpp"

namespace x07c::tc {

size_t max_locals();                  // X07_MAX_LOCALS overrides the per-function local variable budget
bool is_op(const std::string& s);     // i32 operator heads

struct VarState {
  std::string name;
  Ty ty;
  bool moved = false;
  std::string moved_ptr;
  int borrow_src = -1;            // view vars: the owner variable, -1 none
  std::string borrow_ptr;         // view vars: pointer of the expression that borrowed
  std::vector<int> borrowers;     // owned vars: view vars currently borrowing it
  bool is_param = false;
  size_t scope = 0;               // index in scopes_ of the scope that declared it
  std::string brand;              // brand of the value currently held (flow-sensitive, joined at merges)
};

struct Info {
  Ty ty;
  int src;            // borrow owner of a view-like value (-1: none / input / caller)
  std::string brand;  // compile-time brand of a bytes-like value (spec §2.4, §4.8); empty: unbranded
  Info(Ty t = Ty::I32, int s = -1, std::string b = {}) : ty(t), src(s), brand(std::move(b)) {}
};

// Types that may carry a brand (`brand` / `result_brand` are only valid on these).
bool brandable(Ty t);

// The brand of option_*.none / result_*.err: no payload, so it fits any brand an option/result may need.
inline const std::string kAnyBrand = "<any>";
// Brand of a value that may come from either of two paths: the same brand stays; a payload-less
// option/result (kAnyBrand) takes the other path's brand; an unbranded path makes it unbranded; two
// different brands give the set of both ("a|b"), which no branded parameter accepts.
std::string join_brand(const std::string& a, const std::string& b);
// Whether a value of brand `got` may be passed where type `t` with brand `want` is expected.
// strict (record field reads): only the very brand.
bool brand_accepts(Ty t, const std::string& got, const std::string& want, bool strict = false);

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

  void run(Node& body);

 private:
  Program& prog_;
  Function* fn_;
  std::vector<VarDecl>& out_vars_;
  std::function<int(int, std::vector<std::string>)> instantiate_;
  std::string file_, module_, what_;
  Ty result_;
  std::vector<VarState> vars_;
  std::vector<std::vector<int>> scopes_;
  // Name -> the variables of that name in open scopes, innermost last (lookup is O(1)
  // however deeply scopes nest; walking scopes_ was quadratic in nesting depth).
  std::unordered_map<std::string, std::vector<int>> visible_;
  int unsafe_depth_ = 0;
  // Branded-parameter uses of a variable inside a loop body: a later `set` in the body can change
  // the brand the next iteration sees, so each is re-checked against the brand after the loop join.
  struct BrandUse {
    int var;
    Ty shown;
    std::string want, who, ptr;
    size_t arg;
    bool strict;
  };
  std::vector<BrandUse> loop_brand_uses_;
  int loop_depth_ = 0;
  std::vector<size_t> loop_scopes_;  // scopes_.size() at the start of each enclosing loop body
  const Node* body_ = nullptr;  // the function body (its view result is checked as a return)

  [[noreturn]] void err(const char* kind, const std::string& msg, const JsonPtr& ptr) {
    throw CompileError(kind, msg, file_, ptr);
  }

  // ---- scopes, moves and borrows (typecheck.cpp) ----
  int declare(const std::string& name, Ty ty);
  int lookup(const std::string& name);
  std::string display(int v) const;
  void pop_scope(const JsonPtr& ptr);

  void push_scope() { scopes_.emplace_back(); }

  void check_escape(const Info& r, const JsonPtr& ptr);
  void check_returned_view(const Info& r, const JsonPtr& ptr);
  void use_var(int v, const JsonPtr& ptr);
  void move_var(int v, const JsonPtr& ptr);
  std::vector<std::pair<bool, std::string>> snapshot() const;
  void restore(const std::vector<std::pair<bool, std::string>>& s);
  // ---- brands (typecheck_brands.cpp) ----
  std::vector<std::string> brands() const;
  void join_brands(const std::vector<std::vector<std::string>>& paths);
  void check_brand(const Info& got, Ty shown, const std::string& want, const std::string& who, size_t i,
                   const JsonPtr& ptr, int var = -1, bool strict = false);
  static std::string builtin_result_brand(const Node& n, const Builtin& b, const std::vector<std::string>& args);
  [[noreturn]] void brand_mismatch(const std::string& got, Ty shown, const std::string& want, const std::string& who,
                                   size_t i, const JsonPtr& ptr);

  // Runs a loop body check, then joins brands with the loop entry (the body may run zero or many times)
  // and re-checks the branded uses of variables the body may have re-set: a later iteration sees the
  // brands the body ends with.
  template <class F>
  void brand_loop(F&& body) {
    auto brands_before = brands();
    size_t uses_start = loop_brand_uses_.size();
    loop_depth_++;
    body();
    loop_depth_--;
    auto brands_end = brands();
    join_brands({brands_before, brands_end});
    for (size_t k = uses_start; k < loop_brand_uses_.size(); k++) {
      const BrandUse& u = loop_brand_uses_[k];
      if (u.var < (int)brands_before.size() && !brand_accepts(u.shown, brands_end[u.var], u.want, u.strict))
        brand_mismatch(brands_end[u.var], u.shown, u.want, u.who, u.arg, u.ptr);
    }
    if (loop_depth_ == 0) loop_brand_uses_.clear();
  }

  // ---- expressions: dispatch (typecheck.cpp) ----
  Info check(Node& n, bool stmt);
  Info check_atom(Node& n);
  void arity(const Node& n, size_t want, const std::string& shape);
  void expect(const Node& n, Ty got, Ty want, const std::string& msg);
  Info check_list(Node& n, bool stmt);
  // ---- special forms (typecheck_forms.cpp) ----
  Info check_begin(Node& n, bool stmt);
  Info check_let(Node& n, bool stmt);
  Info check_set(Node& n, bool stmt);
  void set_borrowed_owner(int v, const Node& n);
  Info check_if(Node& n, bool stmt);
  Info check_for(Node& n);
  Info check_while(Node& n);
  Info check_return(Node& n);
  Info check_try(Node& n);
  Info check_op(Node& n);
  Info check_match(Node& n, bool stmt);
  // ---- calls: builtins, functions, tapp, ty.*, records/enums (typecheck_calls.cpp) ----
  Info check_arg(Node& a, Ty want, char mode, const std::string& who, size_t i, bool is_fn);
  void note_arg_borrow(const Node& a, std::vector<int>& borrowed);
  Info check_builtin(Node& n, int bi);
  Info check_call(Node& n, int fi);
  Info check_pipe(Node& n);  // std.stream.pipe_v1 (descriptors: stream_pipe.cpp)
  Info check_tapp(Node& n);
  std::string resolve_type_arg(const Node& t);
  Info check_ty_intrinsic(Node& n, bool stmt);
  Info check_ty_bytes_intrinsic(Node& n, const std::string& op, const std::string& t, bool stmt);
  bool record_enum_op(Node& n, Info& out);

  // ---- forms rewritten into core forms (typecheck_sugar.cpp) ----
  Info check_try_doc(Node& n, bool stmt);

  // ---- generic value containers (typecheck_containers.cpp) ----
  bool container_tapp(Node& n, bool stmt, Info& out);
  void reject_view_container_head(const Node& n);

  // ---- async tasks, task scopes, budget scopes (typecheck_async.cpp) ----
  bool async_ctx() const;   // solve or a defasync body: blocking task ops allowed
  bool in_task() const;     // a defasync body: "$task" builtin variants
  bool check_async_head(Node& n, bool stmt, Info& out);
  Info check_task_scope(Node& n, bool stmt);
  Info check_budget_scope(Node& n, bool stmt);
  Info check_budget_scope_from_arch(Node& n, bool stmt);
  Info build_budget_scope(Node& n, bool stmt, uint32_t mode, const std::vector<uint32_t>& caps, bool arch);
  Info check_scope_start(Node& n);
  void check_scope_spawn_pattern(const std::string& let_name, const Node& value);  // X07E_SCOPE_003
  void read_cfg_pairs(const Node& cfg, const std::string& head, std::map<std::string, uint32_t>& vals,
                      std::map<std::string, const Node*>* other);

  // ---- fixture worlds: world gating, std.rr.with_v1 / with_policy_v1 scopes (typecheck_worlds.cpp) ----
  void check_fixture_world(const Builtin& b, const Node& n);
  bool check_world_head(Node& n, bool stmt, Info& out);
  Info build_rr_scope(Node& n, bool stmt, Node open_call, Node body);
};

}  // namespace x07c::tc
