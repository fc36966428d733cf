// std.stream.pipe_v1: descriptor parsing and plan encoding (stream_pipe.cpp).
#pragma once
#include <string>

#include "ast.hpp"

namespace x07c {

// Parses the pipe at `n` (head "std.stream.pipe_v1"), validates its descriptors the way upstream's
// elaborator does, resolves and checks the std.stream.fn_v1 functions, appends its plan to
// prog.pipes and returns the plan index. On return n.kids holds the pipe's std.stream.expr_v1
// values in argument order (plan.arg_tys gives the type each must have). Throws CompileError.
int parse_stream_pipe(Program& prog, Node& n, const std::string& file);

}  // namespace x07c
