// Stage 3 output: a small typed three-address IR. Every value lives in a
// function-wide local; statements are assignments of one operation, calls,
// structured if/loop, fuel charges and drops. emit_c.cpp prints it as C.
#pragma once
#include <string>
#include <vector>

#include "ast.hpp"

namespace x07c {

struct IrOperand {
  enum Kind : uint8_t { Local, Imm, Str } kind = Imm;
  std::string name;  // Local: C name; Str: raw bytes of the literal
  uint32_t imm = 0;
  static IrOperand local(std::string n) { IrOperand o; o.kind = Local; o.name = std::move(n); return o; }
  static IrOperand num(uint32_t v) { IrOperand o; o.imm = v; return o; }
  static IrOperand str(std::string s) { IrOperand o; o.kind = Str; o.name = std::move(s); return o; }
};

struct IrRhs {
  enum Kind : uint8_t { Copy, Zero, Bin, Call, Field } kind = Copy;
  std::string op;              // Bin: x07 operator; Call: C function; Field: C member name
  std::vector<IrOperand> args;
};

struct IrStmt {
  enum Kind : uint8_t { Assign, Eval, If, Loop, Break, Return, Fuel, Drop } kind = Eval;
  std::string dst;             // Assign / Drop: local name
  Ty ty = Ty::I32;             // Assign / Drop: type of dst; Zero: type to zero
  IrRhs rhs;                   // Assign / Eval
  IrOperand val;               // If: condition; Return: value (Imm for void-less solve never)
  uint32_t fuel = 0;
  std::vector<IrStmt> then_body, else_body;  // If; Loop uses then_body
  // emit_c's memo of the statement count of this tree (0 = not yet counted): splitting
  // plans every nesting level, and recounting subtrees each time was quadratic in depth.
  mutable size_t tree_size = 0;
};

struct IrFunc {
  std::string cname, x07_name;
  Ty result = Ty::Bytes;
  std::vector<std::pair<std::string, Ty>> params;  // after the hidden `input`
  std::vector<std::pair<std::string, Ty>> locals;
  std::vector<IrStmt> body;
  bool is_solve = false;
  bool uses_sched = false;   // calls the scheduler runtime (x07rt_sched.h)
  bool in_task = false;      // body runs inside a task (defasync): "_task" scheduler calls
};

struct IrProgram {
  std::vector<IrFunc> fns;
  std::vector<std::string> extern_protos;  // C prototypes of extern + OS functions used
  bool uses_sched = false;                 // async builtins or defasync: include x07rt_sched.h
  std::vector<std::string> task_wrappers;  // C glue of each defasync (lower_async.cpp)
};

IrProgram lower_program(const Program& prog);   // lower.cpp
// C glue (env struct, run, drop, "<cname>__task_new") of one defasync (lower_async.cpp).
std::string async_task_wrapper(const std::string& cname, const std::vector<Ty>& params, Ty result);
std::string emit_c(const IrProgram& ir);        // emit_c.cpp

}  // namespace x07c
