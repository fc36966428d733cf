// Internal data model shared by the compiler stages: x07AST nodes, types,
// functions, modules, and the error type every stage throws.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "json_ptr.hpp"

namespace x07c {

// The x07 value types (i32 and u32 share I32).
enum class Ty : uint8_t {
  I32, Bytes, View, Vec, OptI32, OptBytes, OptView, ResI32, ResBytes, ResView, F64,
  Iface,  // dynamic interface record {data, vtable} (copyable, like i32)
  PtrConstU8, PtrMutU8, PtrConstVoid, PtrMutVoid, PtrConstI32, PtrMutI32,
  Never, Void,  // Never: `return`/traps; Void: extern "void" results only
};

bool is_owned(Ty t);                          // moved on use, dropped at scope end
bool is_ptr(Ty t);
bool is_view_like(Ty t);                      // bytes_view, option/result of view
const char* ty_debug_name(Ty t);              // "I32", "BytesView", ... (messages)
const char* ty_token(Ty t);                   // "i32", "bytes_view", ...
const char* ty_c(Ty t);                       // C type spelling
bool parse_ty_token(const std::string& s, Ty* out, bool* is_u32 = nullptr);
std::string unknown_type_message(const std::string& tok);

// A compile error: kind is Parse | Typing | Unsupported | Budget | Internal.
struct CompileError : std::runtime_error {
  std::string kind, file, ptr;
  CompileError(std::string k, const std::string& msg, std::string f = {}, std::string p = {})
      : std::runtime_error(msg), kind(std::move(k)), file(std::move(f)), ptr(std::move(p)) {}
};

// Resolution of a list node's head (filled by typecheck).
enum class Head : uint8_t {
  Unresolved, Begin, Unsafe, Let, Set, Set0, If, For, While, Return, Try, AndAnd, OrOr, Match,
  Op,          // i32 operator, text = operator
  Builtin,     // core or OS builtin (callee = index into builtin table)
  Call,        // user/std function (callee = index into Program::fns)
  Extern,      // extern C function (callee = index into Program::fns)
  ContractFail, // synthesized contract check failure (kind, fn, id, index, ptr, witnesses...)
  RecordMake, RecordGet, EnumMake,  // 0.9 records/enums (callee = index into Program::records/enums)
  Pipe,        // std.stream.pipe_v1 (callee = index into Program::pipes, kids = its runtime values)
};

struct Node {
  enum Kind : uint8_t { Int, Atom, List, Str } kind = Int;
  int32_t ival = 0;
  std::string text;          // atom name, list head, or string literal
  std::vector<Node> kids;    // list items after the head
  JsonPtr ptr;               // JSON pointer in its file

  // ---- typecheck annotations ----
  Ty ty = Ty::I32;
  Head head = Head::Unresolved;
  int callee = -1;           // builtin/fn/record/enum index, or field/variant index
  int aux = -1;              // record field index, enum variant index
  int var = -1;              // atom: variable referenced; let/for: variable declared
  bool stmt = false;         // evaluated in statement position (value discarded)
  bool move = false;         // atom of owned type consumed here (source is emptied)
  bool coerce_view = false;  // bytes/vec_u8 value passed where a bytes_view is expected
  bool keep_temp = false;    // owned temporary must live to the end of the scope (peek/borrow)
};

// Nodes built by the compiler's own rewrites (sugar, async scopes), pointing at `ptr`.
inline Node mk_atom(const std::string& text, const JsonPtr& ptr) {
  Node n;
  n.kind = Node::Atom;
  n.text = text;
  n.ptr = ptr;
  return n;
}
inline Node mk_int(int32_t v, const JsonPtr& ptr) {
  Node n;
  n.kind = Node::Int;
  n.ival = v;
  n.ptr = ptr;
  return n;
}
inline Node mk_list(const std::string& head, std::vector<Node> kids, const JsonPtr& ptr) {
  Node n;
  n.kind = Node::List;
  n.text = head;
  n.kids = std::move(kids);
  n.ptr = ptr;
  return n;
}

// A type reference in a signature: a concrete token or a generic parameter.
struct TyRef {
  std::string name;          // token ("bytes") or type parameter name ("A")
  bool is_param = false;
  std::string wrap;          // "option" / "result" for ["option", T] / ["result", T]
  std::string brand;
};

// The type token of option/result applied to a base token ("option" + "u32" -> "option_i32").
std::string applied_type_token(const std::string& wrap, const std::string& base);

struct VarDecl {
  std::string name;
  Ty ty;
};

struct Param {
  std::string name;
  TyRef ty;
};

struct Function {
  std::string name, module, file;
  std::string ptr;            // JSON pointer of the decl ("/decls/3")
  std::vector<Param> params;
  TyRef result;
  Node body;
  std::vector<std::string> type_params;
  bool is_extern = false, extern_void = false;
  bool is_async = false;      // defasync: calling it creates a task (i32 handle); body result is the awaited type
  bool task_ctx = false;      // body always runs inside a task (a defasync's contract-checked body)
  std::string link_name;      // extern only
  // filled by typecheck
  std::vector<Ty> param_tys;
  Ty result_ty = Ty::I32;
  bool reachable = false;
  // monomorphized instance of a generic: the substitution (param name -> token)
  std::map<std::string, std::string> subst;
  int generic_of = -1;
  std::vector<VarDecl> vars;  // every local (params first), indexed by Node::var
};

struct Record {
  std::string name, module, file;
  std::vector<std::string> fields;
};
struct Enum {
  std::string name, module, file;
  std::vector<std::string> variants;
  std::vector<bool> has_payload;
};

struct Module {
  std::string id, file, schema_version;
  std::set<std::string> imports;
  std::set<std::string> exports;
  bool is_entry = false;
};

// One std.stream.pipe_v1 after parsing (stream_pipe.cpp): the runtime plan (u32 words, see
// runtime/x07rt_stream.h), the types of its runtime values and the functions it calls.
struct PipePlan {
  std::string words;
  std::vector<Ty> arg_tys;   // I32, Bytes (moved into the pipe) or View
  std::vector<int> fns;      // indexes into Program::fns, in plan fn-slot order
};

struct Program {
  std::map<std::string, Module> modules;
  std::vector<Function> fns;
  std::map<std::string, int> fn_index;
  std::vector<Record> records;
  std::vector<Enum> enums;
  std::map<std::string, int> record_index, enum_index;
  std::vector<PipePlan> pipes;
  Node solve;
  std::vector<VarDecl> solve_vars;
  std::string entry_file;
  std::string world;
  bool allow_unsafe = true, allow_ffi = true;
  uint64_t work = 0;          // compile-time work units (reported as fuel_used)
  // Module files looked up on disk, in order, and whether each was there: what the
  // result depends on besides the entry file (the runner's warm-path cache key).
  std::vector<std::pair<std::string, bool>> module_probes;
};

// ---- builtin signature tables (builtins.cpp) ----
enum BuiltinFlag : unsigned {
  BF_PTR = 1,        // trap message carries " ptr=<json pointer>": pass the node pointer
  BF_MUT = 2,        // update-in-place: first arg is the owned value being updated
  BF_UNSAFE = 4,     // only inside `unsafe` (run-os worlds)
  BF_OS = 8,         // OS worlds only
  BF_TEXT = 16,      // first argument is a string literal (bytes.lit, bytes.view_lit)
  BF_BORROW = 32,    // first argument must be an identifier owner, result borrows it
  BF_NEVER = 64,     // does not return
  BF_IDENTITY = 128, // compile-time only: value is the (last) argument unchanged
  BF_PTR_SAME = 256,     // result has the pointer type of the first argument
  BF_PTR_CAST = 512,     // result is the pointer type named by the first argument
  BF_PTR_AS_CONST = 1024,// result is the const version of the first argument's pointer type
  BF_PROTO = 2048,       // cold runtime function: the generated program declares it only when used
  BF_ASYNC_CTX = 4096,   // only in solve or defasync bodies
  BF_SCHED = 8192,       // scheduler runtime (generated C includes x07rt_sched.h)
  BF_SCOPE_OP = 16384,    // needs an enclosing task.scope_v1 (hidden first argument: its id)
  BF_WORLD_FS = 32768,    // fixture fs adapter: solve-fs / solve-full only (world_builtins.inc)
  BF_WORLD_KV = 65536,    // fixture kv adapter: solve-kv / solve-full only
  BF_WORLD_RR = 131072,   // record/replay: solve-rr / solve-full only
};
// The deterministic fixture worlds (runtime/world_*.c) and which worlds provide each adapter family.
inline bool is_fixture_world(const std::string& w) {
  return w == "solve-fs" || w == "solve-kv" || w == "solve-rr" || w == "solve-full";
}
// fs.* also in the OS worlds, as upstream (cwd-relative; run-os-sandboxed: under the read roots)
inline bool world_has_fs(const std::string& w) {
  return w == "solve-fs" || w == "solve-full" || w == "run-os" || w == "run-os-sandboxed";
}
inline bool world_has_kv(const std::string& w) { return w == "solve-kv" || w == "solve-full"; }
inline bool world_has_rr(const std::string& w) { return w == "solve-rr" || w == "solve-full"; }
struct Builtin {
  std::string name, c_fn;
  Ty result;
  std::vector<Ty> params;
  std::vector<char> param_mode;  // per param: 'v' value, 'c' coerce to view, 'p' peek, 'i' identifier owner,
                                 // 'b' brand id atom, 'f' validator function atom, 't' text,
                                 // 'q' any raw pointer, 'y' pointer type token, 'l' local variable name,
                                 // 'd' identifier default emptied only when used
  unsigned flags = 0;
  bool os = false;
};
const std::vector<Builtin>& builtins();
int find_builtin(const std::string& name);   // -1 if none
std::vector<std::string> all_builtin_names();

// ---- budget profiles (budget_profile.cpp) ----
struct BudgetProfile {
  uint32_t mode = 0;           // 0 trap_v1, 1 result_err_v1, 2 stats_only_v1, 3 yield_v1
  std::string label;
  std::vector<uint32_t> caps;  // alloc_bytes, alloc_calls, realloc_calls, memcpy_bytes, sched_ticks, fuel
};
// Loads arch/budgets/profiles/<id>.budget.json under the arch root of `entry_file` (the nearest
// ancestor directory holding `arch/`, else the working directory). Returns "" or the error text.
std::string load_budget_profile(const std::string& entry_file, const std::string& id, BudgetProfile* out);
std::filesystem::path arch_root_of(const std::string& entry_file);

// ---- record/replay policies (rr_policy.cpp) ----
// std.rr.with_policy_v1: the X7RC cfg bytes for `policy_id` from arch/rr/index.x07rr.json (schema
// x07.arch.rr.index@0.1.0) and its policy file under the arch root. Returns "" or the error text.
std::string load_rr_cfg(const std::string& entry_file, const std::string& policy_id, const std::string& cassette,
                        int32_t mode, std::string* cfg);

// ---- stages ----
struct LoadOptions;
void typecheck_program(Program& prog);        // typecheck.cpp
std::string lower_and_emit(Program& prog);    // lower.cpp + emit_c.cpp

// Closest candidate by edit distance (for "did you mean" hints); empty if none is close.
std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace x07c
