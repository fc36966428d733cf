// Stage 4: print the IR as one C translation unit that includes the runtime
// headers and defines x07_program_solve plus the baked-in limits.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "common/text.hpp"
#include "ir.hpp"

namespace x07c {
namespace {

// Indentation of a statement at nesting level `ind`, capped so that deeply nested
// programs give C whose size grows linearly with depth, not quadratically.
std::string indent(int ind) { return std::string(static_cast<size_t>(std::min(ind, 24)) * 2, ' '); }

std::string operand(const IrOperand& o) {
  switch (o.kind) {
    case IrOperand::Local: return o.name;
    case IrOperand::Imm: return std::to_string(o.imm) + "u";
    case IrOperand::Str: return x07::text::c_literal(o.name);
  }
  return "0";
}

std::string zero_of(Ty t) {
  if (t == Ty::I32) return "0u";
  if (t == Ty::F64) return "0.0";
  if (is_ptr(t)) return "0";
  return std::string("(") + ty_c(t) + "){0}";
}

std::string binop(const std::string& op, const std::string& a, const std::string& b) {
  if (op == "/") return "x07_divu(" + a + ", " + b + ")";
  if (op == "%") return "x07_remu(" + a + ", " + b + ")";
  if (op == "<<u") return "(" + a + " << (" + b + " & 31u))";
  if (op == ">>u") return "(" + a + " >> (" + b + " & 31u))";
  if (op == "=") return "(uint32_t)(" + a + " == " + b + ")";
  if (op == "!=") return "(uint32_t)(" + a + " != " + b + ")";
  if (op == "<" || op == "<=" || op == ">" || op == ">=")
    return "(uint32_t)((int32_t)" + a + " " + op + " (int32_t)" + b + ")";
  if (op == "<u" || op == "<=u" || op == ">u" || op == ">=u")
    return "(uint32_t)(" + a + " " + op.substr(0, op.size() - 1) + " " + b + ")";
  return "(uint32_t)(" + a + " " + op + " " + b + ")";  // + - * & | ^
}

const char* drop_fn(Ty t) {
  switch (t) {
    case Ty::Bytes: return "X07_DROP_BYTES";
    case Ty::Vec: return "X07_DROP_VEC";
    case Ty::OptBytes: return "X07_DROP_OPT_BYTES";
    case Ty::ResBytes: return "X07_DROP_RES_BYTES";
    default: return nullptr;
  }
}

// Fuel: each function keeps the counter in a local (`x07_fl`, a register). A charge checks
// and decrements the local only (a compare and a subtract). The global `x07_fuel_left` is what
// callees, the budget/scheduler runtime and the metrics line read, so the local is stored to
// it before every call that may read or charge fuel and before every return (the caller
// reads it back), and read back after such calls. A trap writes no metrics, so between two
// such points nothing reads the global. Same charges, same traps, same fuel_used.
constexpr const char* kFuelIn = "x07_fl = x07_fuel_left;";
constexpr const char* kFuelOut = "x07_fuel_left = x07_fl; ";
// A charge subtracts, then traps on a negative count (the counter starts at most at INT64_MAX):
// the same condition as "fewer than n left", in one instruction less.
constexpr const char* kFuelDefs =
    "#define X07_FUEL(n) do { x07_fl -= (n); if (__builtin_expect((int64_t)x07_fl < 0, 0)) x07_trap_fuel(); } "
    "while (0)\n";
constexpr const char* kFuelLoad = "  uint64_t x07_fl = x07_fuel_left;\n";

// Runtime helpers known to neither read nor charge fuel (they may trap, which writes no
// metrics): no store before, no read-back after (byte stores through a pointer may alias the
// global, so a needless read-back is a real load). Everything else (x07 functions,
// x07_fuel_loop, budget scopes, the scheduler, pipes, ffi, os.process.exit) is synced.
bool leaves_fuel(const std::string& c_fn) {
  static const char* const kLeaveFuel[] = {"x07_view_", "x07_bytes_", "x07_vec_", "x07_codec_", "x07_vcheck_",
                                          "x07_map_u32_", "x07_set_u32_", "x07_fmt_", "x07_parse_", "x07_divu",
                                          "x07_remu", "("};
  for (const char* p : kLeaveFuel)
    if (c_fn.rfind(p, 0) == 0) return true;
  return false;
}
const char* fuel_in(const std::string& c_fn) { return leaves_fuel(c_fn) ? "" : " x07_fl = x07_fuel_left;"; }

// How a statement list is printed: local names may be rewritten (a split function's
// frame), and `return` / a `break` leaving the printed code may become a status return.
struct Printer {
  const std::unordered_map<std::string, std::string>* rename = nullptr;
  bool chunk = false;  // inside a chunk function: `return v` -> `*x07_ret = v; return 1`
  std::string breakout;  // chunk: the code that leaves it with status 2 (break of an outer loop)

  std::string name(const std::string& n) const {
    if (!rename) return n;
    bool addr = !n.empty() && n[0] == '&';
    auto it = rename->find(addr ? n.substr(1) : n);
    if (it == rename->end()) return n;
    return addr ? "&" + it->second : it->second;
  }
  std::string operand(const IrOperand& o) const { return o.kind == IrOperand::Local ? name(o.name) : x07c::operand(o); }
  std::string rhs(const IrRhs& r, Ty dst_ty) const {
    switch (r.kind) {
      case IrRhs::Copy: return operand(r.args[0]);
      case IrRhs::Zero: return zero_of(dst_ty);
      case IrRhs::Bin: return binop(r.op, operand(r.args[0]), operand(r.args[1]));
      case IrRhs::Field: return operand(r.args[0]) + "." + r.op;
      case IrRhs::Call: {
        std::string s = r.op + "(";
        for (size_t i = 0; i < r.args.size(); i++) s += (i ? ", " : "") + operand(r.args[i]);
        return s + ")";
      }
    }
    return "0";
  }

  // One statement; `loops` counts the loops opened since the start of the printed code.
  // `dirty`: a charge may have changed the local counter since the global was last written
  // (see the fuel note above); returns the same after the statement. A write is printed
  // only where the global is read next and `dirty` holds.
  bool stmt(std::string& o, const IrStmt& s, int ind, int loops, bool dirty, bool sync_arms = false) const {
    const std::string pad = indent(ind);
    auto out = [&](bool synced) { return synced && dirty ? kFuelOut : ""; };
    switch (s.kind) {
      case IrStmt::Assign:
        if (s.rhs.kind == IrRhs::Call) {
          bool synced = !leaves_fuel(s.rhs.op);
          o += pad + out(synced) + name(s.dst) + " = " + rhs(s.rhs, s.ty) + ";" + fuel_in(s.rhs.op) + "\n";
          return dirty && !synced;
        }
        o += pad + name(s.dst) + " = " + rhs(s.rhs, s.ty) + ";\n";
        return dirty;
      case IrStmt::Eval: {
        bool synced = !leaves_fuel(s.rhs.op);
        o += pad + out(synced) + "(void)" + rhs(s.rhs, Ty::I32) + ";" + fuel_in(s.rhs.op) + "\n";
        return dirty && !synced;
      }
      case IrStmt::Fuel: o += pad + "X07_FUEL(" + std::to_string(s.fuel) + "u);\n"; return true;
      case IrStmt::Break:
        o += pad + (chunk && loops == 0 ? "{ " + breakout + kFuelOut + "return 2; }" : std::string("break;")) + "\n";
        return dirty;
      case IrStmt::Return:
        o += pad + (chunk ? "{ *x07_ret = " + operand(s.val) + "; " + kFuelOut + "return 1; }"
                          : "{ " + std::string(out(true)) + "return " + operand(s.val) + "; }") + "\n";
        return false;
      case IrStmt::Drop:
        if (const char* d = drop_fn(s.ty)) o += pad + d + "(" + name(s.dst) + ");\n";
        return dirty;
      case IrStmt::If: {
        // sync_arms (the `if` leads straight to a return): an arm that ends dirty writes the
        // global itself, so that the return after the join needs no write when the other arm
        // ends with a call (a recursive function's tail stays a plain call gcc can turn into a loop).
        o += pad + "if (" + operand(s.val) + ") {\n";
        bool t = list(o, s.then_body, ind + 1, loops, dirty);
        bool e = dirty;
        if (sync_arms && t) o += pad + "  " + kFuelOut + "\n";
        if (!s.else_body.empty() || (sync_arms && e)) {
          o += pad + "} else {\n";
          e = list(o, s.else_body, ind + 1, loops, dirty);
          if (sync_arms && e) o += pad + "  " + kFuelOut + "\n";
        }
        o += pad + "}\n";
        return sync_arms ? false : t || e;
      }
      case IrStmt::Loop: {
        bool charges = contains_fuel(s);
        o += pad + "for (;;) {\n";
        list(o, s.then_body, ind + 1, loops + 1, dirty || charges);
        o += pad + "}\n";
        return dirty || charges;
      }
    }
    return true;
  }
  bool list(std::string& o, const std::vector<IrStmt>& body, int ind, int loops, bool dirty) const {
    for (size_t i = 0; i < body.size(); i++) {
      bool to_return = body[i].kind == IrStmt::If && i + 1 < body.size() && body[i + 1].kind == IrStmt::Return;
      dirty = stmt(o, body[i], ind, loops, dirty, to_return && !chunk);
    }
    return dirty;
  }
  static bool contains_fuel(const IrStmt& s) {
    if (s.kind == IrStmt::Fuel) return true;
    for (const auto* b : {&s.then_body, &s.else_body})
      for (const auto& c : *b)
        if (contains_fuel(c)) return true;
    return false;
  }
};

std::string signature(const IrFunc& f) {
  std::string s = f.is_solve ? "x07_bytes " : std::string("static ") + ty_c(f.result) + " ";
  s += f.cname + "(x07_view input";
  for (const auto& [n, t] : f.params) s += std::string(", ") + ty_c(t) + " " + n;
  return s + ")";
}


// ---- splitting huge functions ----
// gcc -O2 needs time superlinear in the length of one function (its register allocator and
// combiner on long bodies: 10,000 statements took 6 s where 1,000 took 0.3 s), so a function
// whose IR passes 2,000 statements is printed as a driver plus `noinline` chunk
// functions of at most 400 statements each. Runs of consecutive statements become chunks;
// a statement too big for one chunk stays in the driver and its if/loop bodies are split
// the same way. Locals used by one chunk only are that chunk's C locals; the others live in a
// frame struct in the driver: a chunk copies the ones it uses in at entry and back at exit
// (so its code runs on registers as before), except locals whose address is taken
// (`addr_of`), which chunks and driver reach through the frame. Fuel, bounds checks and
// drops are the same statements as before, only placed in other C functions.
// Chunks are compiled at -O1 by gcc (function attribute): that halves their compile time
// (10,000 statements: 4.2 s -> 2.2 s CPU) while simple loops run as fast as at -O2; the
// functions that are hot in practice are small and never split.
// X07_SPLIT_ABOVE=N sets the threshold (0: never split; tests use small values so that small
// programs exercise the split); chunks are a fifth of it.
struct SplitLimits {
  size_t above = 2000;
  size_t chunk = 400;
  size_t min_chunk = 24;  // shorter runs stay in the driver (a call is not worth it)
};

SplitLimits split_limits() {
  SplitLimits l;
  if (const char* e = std::getenv("X07_SPLIT_ABOVE"); e && *e) {
    l.above = std::strtoull(e, nullptr, 10);
    l.chunk = std::max<size_t>(2, l.above / 5);
    l.min_chunk = std::max<size_t>(2, l.chunk / 16);
  }
  return l;
}
const SplitLimits kLimits = split_limits();

size_t ir_size(const IrStmt& s) {
  if (s.tree_size) return s.tree_size;
  size_t n = 1;
  for (const auto& c : s.then_body) n += ir_size(c);
  for (const auto& c : s.else_body) n += ir_size(c);
  return s.tree_size = n;
}

size_t ir_size(const std::vector<IrStmt>& body) {
  size_t n = 0;
  for (const auto& s : body) n += ir_size(s);
  return n;
}

using Run = std::vector<const IrStmt*>;

// One piece of a statement list in a split function: a run of statements that becomes a
// chunk, a short run the driver prints itself, or one statement too big for a chunk (the
// driver prints its if/loop and splits its bodies in turn).
struct Piece {
  enum Kind { Chunk, Own, Big } kind;
  Run run;  // Chunk, Own
  const IrStmt* big = nullptr;
};

std::vector<Piece> plan(const std::vector<IrStmt>& body) {
  std::vector<Piece> out;
  Run run;
  size_t run_size = 0;
  auto flush = [&] {
    if (!run.empty()) out.push_back({run_size >= kLimits.min_chunk ? Piece::Chunk : Piece::Own, run, nullptr});
    run.clear();
    run_size = 0;
  };
  for (const auto& s : body) {
    size_t n = ir_size(s);
    if (n > kLimits.chunk) {
      flush();
      out.push_back({Piece::Big, {}, &s});
      continue;
    }
    if (run_size + n > kLimits.chunk) flush();
    run.push_back(&s);
    run_size += n;
  }
  flush();
  return out;
}

// Visits the pieces of `body` and, recursively, of the bodies of its big statements;
// `in_loop`: the piece may run more than once per call.
void walk_pieces(const std::vector<IrStmt>& body, const std::function<void(const Piece&, bool in_loop)>& fn,
                 bool in_loop = false) {
  for (const Piece& p : plan(body)) {
    fn(p, in_loop);
    if (p.kind == Piece::Big) {
      walk_pieces(p.big->then_body, fn, in_loop || p.big->kind == IrStmt::Loop);
      walk_pieces(p.big->else_body, fn, in_loop);
    }
  }
}

bool is_addr_op(const std::string& op) { return !op.empty() && op.back() == '&'; }

// The locals one statement (not its bodies) names; `pinned` gets those whose address it takes.
void stmt_locals(const IrStmt& s, const std::set<std::string>& all, std::set<std::string>& out,
                 std::set<std::string>* pinned) {
  auto use = [&](const std::string& n) {
    std::string k = !n.empty() && n[0] == '&' ? n.substr(1) : n;
    if (all.count(k)) out.insert(k);
  };
  if (!s.dst.empty()) use(s.dst);
  if (s.val.kind == IrOperand::Local) use(s.val.name);
  for (const auto& a : s.rhs.args) {
    if (a.kind != IrOperand::Local) continue;
    use(a.name);
    if (pinned && s.rhs.kind == IrRhs::Call && is_addr_op(s.rhs.op) && all.count(a.name)) pinned->insert(a.name);
  }
}

void tree_locals(const IrStmt& s, const std::set<std::string>& all, std::set<std::string>& out,
                 std::set<std::string>* pinned) {
  stmt_locals(s, all, out, pinned);
  for (const auto& c : s.then_body) tree_locals(c, all, out, pinned);
  for (const auto& c : s.else_body) tree_locals(c, all, out, pinned);
}

bool has_loose_break(const IrStmt& s) {
  if (s.kind == IrStmt::Break) return true;
  if (s.kind == IrStmt::Loop) return false;
  for (const auto& c : s.then_body)
    if (has_loose_break(c)) return true;
  for (const auto& c : s.else_body)
    if (has_loose_break(c)) return true;
  return false;
}

// The driver's copy of `body`: chunk calls, short runs and the if/loop of big statements.
void print_driver(std::string& o, const std::vector<IrStmt>& body, int ind, const Printer& drv,
                  const std::vector<std::string>& calls, size_t& next) {
  const std::string pad = indent(ind);
  for (const Piece& p : plan(body)) {
    if (p.kind == Piece::Chunk) {
      o += pad + calls[next++] + "\n";
    } else if (p.kind == Piece::Own) {
      for (const IrStmt* s : p.run) drv.stmt(o, *s, ind, 0, true);  // driver: always write at reads
    } else if (p.big->kind == IrStmt::If) {
      o += pad + "if (" + drv.operand(p.big->val) + ") {\n";
      print_driver(o, p.big->then_body, ind + 1, drv, calls, next);
      if (!p.big->else_body.empty()) {
        o += pad + "} else {\n";
        print_driver(o, p.big->else_body, ind + 1, drv, calls, next);
      }
      o += pad + "}\n";
    } else {  // Loop (only if/loop have bodies)
      o += pad + "for (;;) {\n";
      print_driver(o, p.big->then_body, ind + 1, drv, calls, next);
      o += pad + "}\n";
    }
  }
}

void emit_split_fn(std::string& o, const IrFunc& f) {
  std::map<std::string, Ty> types;
  std::set<std::string> all, params;
  for (const auto& [n, t] : f.params) types[n] = t, all.insert(n), params.insert(n);
  for (const auto& [n, t] : f.locals) types[n] = t, all.insert(n);

  // Pass 1: which locals each chunk and the driver use.
  std::vector<std::set<std::string>> chunk_uses;
  std::set<std::string> driver_uses, pinned, in_loop_uses;
  walk_pieces(f.body, [&](const Piece& p, bool in_loop) {
    if (p.kind == Piece::Chunk) {
      chunk_uses.emplace_back();
      for (const IrStmt* s : p.run) tree_locals(*s, all, chunk_uses.back(), &pinned);
      if (in_loop) in_loop_uses.insert(chunk_uses.back().begin(), chunk_uses.back().end());
    } else if (p.kind == Piece::Own) {
      for (const IrStmt* s : p.run) tree_locals(*s, all, driver_uses, &pinned);
    } else {
      stmt_locals(*p.big, all, driver_uses, &pinned);
    }
  });
  std::map<std::string, int> users;
  for (const auto& u : chunk_uses)
    for (const auto& n : u) users[n]++;
  // In the frame: used by two chunks, by a chunk and the driver, by a chunk that may run more
  // than once (its values may carry from one run to the next), params, or address taken.
  std::set<std::string> frame;
  for (const auto& [n, k] : users)
    if (k > 1 || driver_uses.count(n) || pinned.count(n) || in_loop_uses.count(n) || params.count(n))
      frame.insert(n);
  for (const auto& n : pinned) frame.insert(n);

  const std::string fs = f.cname + "__frame";
  const std::string res = f.is_solve ? "x07_bytes" : ty_c(f.result);
  o += "\n/* " + f.x07_name + ": split into chunks (long body) */\nstruct " + fs + " {\n  char x07_unused;\n";
  for (const auto& n : frame) o += std::string("  ") + ty_c(types[n]) + " " + n + ";\n";
  o += "};\n";

  // Pass 2a: the chunk functions.
  std::unordered_map<std::string, std::string> via_ptr;  // chunk view of pinned locals
  for (const auto& n : pinned) via_ptr[n] = "F->" + n;
  size_t next = 0;
  std::vector<std::string> calls;  // the driver's call of each chunk
  walk_pieces(f.body, [&](const Piece& piece, bool) {
                    if (piece.kind != Piece::Chunk) return;
                    const Run& run = piece.run;
                    const size_t id = next++;
                    const std::set<std::string>& uses = chunk_uses[id];
                    std::string copy_in, copy_out, locals;
                    for (const auto& n : uses) {
                      if (pinned.count(n)) continue;
                      const std::string ty = ty_c(types[n]);
                      if (frame.count(n)) {
                        copy_in += "  " + ty + " " + n + " = F->" + n + ";\n";
                        copy_out += "F->" + n + " = " + n + "; ";
                      } else {
                        locals += "  " + ty + " " + n + " = " + zero_of(types[n]) + ";\n";
                      }
                    }
                    const std::string name = f.cname + "__c" + std::to_string(id);
                    o += "static X07_CHUNK int " + name + "(x07_view input, struct " + fs +
                         " *F, " + res + " *x07_ret) {\n  (void)input; (void)F; (void)x07_ret;\n" + copy_in + locals + kFuelLoad;
                    Printer p{&via_ptr, true, copy_out};
                    bool loose_break = false;
                    bool dirty = false;
                    for (const IrStmt* s : run) {
                      dirty = p.stmt(o, *s, 1, 0, dirty);
                      loose_break |= has_loose_break(*s);
                    }
                    o += "  " + copy_out + kFuelOut + "return 0;\n}\n";
                    std::string call = "{ " + std::string(kFuelOut) + "int x07_st = " + name + "(input, &F, &x07_ret); " +
                                       std::string(kFuelIn) + " if (x07_st == 1) return x07_ret;";
                    if (loose_break) call += " if (x07_st == 2) break;";
                    calls.push_back(call + " }");
                  });

  // Pass 2b: the driver, printing what it owns and calling the chunks in order.
  std::unordered_map<std::string, std::string> via_frame;
  for (const auto& n : frame) via_frame[n] = "F." + n;
  Printer drv{&via_frame, false, ""};
  o += "\n/* " + f.x07_name + " */\n" + signature(f) + " {\n  (void)input;\n  struct " + fs + " F = {0};\n" +
       "  " + res + " x07_ret = " + zero_of(f.is_solve ? Ty::Bytes : f.result) + ";\n" +
       "  (void)x07_ret;\n" + kFuelLoad;
  for (const auto& [n, t] : f.params)
    if (frame.count(n)) o += "  F." + n + " = " + n + ";\n";
  for (const auto& [n, t] : f.locals)
    if (!frame.count(n) && driver_uses.count(n)) o += std::string("  ") + ty_c(t) + " " + n + " = " + zero_of(t) + ";\n";
  next = 0;
  print_driver(o, f.body, 1, drv, calls, next);
  o += "}\n";
}
}  // namespace

std::string emit_c(const IrProgram& ir) {
  std::string o;
  o += "/* generated by the x07 compiler (" + std::string("x07-core@0.2.0") + ") */\n";
  o += "#include \"x07rt.h\"\n#include \"x07rt_core.h\"\n";
  if (ir.uses_sched) o += "#include \"x07rt_sched.h\"\n";
  o += "#ifndef X07_FUEL_INIT\n#define X07_FUEL_INIT 50000000ULL\n#endif\n";
  o += "#ifndef X07_MEM_CAP\n#define X07_MEM_CAP 67108864u\n#endif\n";
  o += "const uint64_t x07_cfg_fuel_init = X07_FUEL_INIT;\n";
  o += "const uint32_t x07_cfg_mem_cap = X07_MEM_CAP;\n";
  for (const auto& p : ir.extern_protos) o += p + "\n";
  for (const auto& f : ir.fns)
    if (!f.is_solve) o += signature(f) + ";\n";
  for (const auto& w : ir.task_wrappers) o += w;
  o += kFuelDefs;
  bool any_split = false;
  for (const auto& f : ir.fns) any_split |= kLimits.above && ir_size(f.body) > kLimits.above;
  if (any_split)  // chunks of split functions: see the note above SplitLimits
    o += "#if defined(__GNUC__) && !defined(__clang__)\n#define X07_CHUNK __attribute__((noinline, optimize(\"O1\")))\n"
         "#else\n#define X07_CHUNK __attribute__((noinline))\n#endif\n";
  for (const auto& f : ir.fns) {
    if (kLimits.above && ir_size(f.body) > kLimits.above) {
      emit_split_fn(o, f);
      continue;
    }
    o += "\n/* " + f.x07_name + " */\n" + signature(f) + " {\n";
    o += "  (void)input;\n";
    for (const auto& [n, t] : f.locals) o += std::string("  ") + ty_c(t) + " " + n + " = " + zero_of(t) + ";\n";
    o += kFuelLoad;
    Printer{}.list(o, f.body, 1, 0, false);
    o += "}\n";
  }
  return o;
}

}  // namespace x07c
