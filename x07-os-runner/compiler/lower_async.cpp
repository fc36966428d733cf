// C glue for defasync functions. A defasync body is lowered like a defn (a plain C
// function returning its awaited type); calling it from x07 calls "<fn>__task_new",
// which packs the arguments into an arena block and registers a task whose run
// function unpacks them, calls the body on the task's own stack and hands the
// result to the scheduler (runtime/core_sched.c).
#include "ir.hpp"

namespace x07c {

namespace {
const char* drop_macro(Ty t) {
  switch (t) {
    case Ty::Bytes: return "X07_DROP_BYTES";
    case Ty::Vec: return "X07_DROP_VEC";
    case Ty::OptBytes: return "X07_DROP_OPT_BYTES";
    case Ty::ResBytes: return "X07_DROP_RES_BYTES";
    default: return nullptr;
  }
}
}  // namespace

std::string async_task_wrapper(const std::string& cname, const std::vector<Ty>& params, Ty result) {
  std::string env = cname + "__env", o;
  o += "typedef struct { x07_view input;";
  for (size_t i = 0; i < params.size(); i++) o += std::string(" ") + ty_c(params[i]) + " p" + std::to_string(i) + ";";
  o += " } " + env + ";\n";
  // run: the env is copied out and freed before the body runs (the body owns the arguments).
  o += "static void " + cname + "__run(void *raw) {\n  " + env + " e = *(" + env + " *)raw;\n  x07_free(raw);\n";
  o += std::string("  ") + (result == Ty::ResBytes ? "x07_task_finish_res_bytes(" : "x07_task_finish_bytes(") + cname +
       "(e.input";
  for (size_t i = 0; i < params.size(); i++) o += ", e.p" + std::to_string(i);
  o += "));\n}\n";
  // drop: a task canceled before it ever ran releases its owned arguments.
  o += "static void " + cname + "__drop(void *raw) {\n  " + env + " *e = (" + env + " *)raw;\n  (void)e;\n";
  for (size_t i = 0; i < params.size(); i++)
    if (const char* d = drop_macro(params[i])) o += std::string("  ") + d + "(e->p" + std::to_string(i) + ");\n";
  o += "  x07_free(raw);\n}\n";
  o += "static uint32_t " + cname + "__task_new(x07_view input";
  for (size_t i = 0; i < params.size(); i++) o += std::string(", ") + ty_c(params[i]) + " p" + std::to_string(i);
  o += ") {\n  " + env + " *e = (" + env + " *)x07_alloc((uint32_t)sizeof *e);\n  e->input = input;\n";
  for (size_t i = 0; i < params.size(); i++) o += "  e->p" + std::to_string(i) + " = p" + std::to_string(i) + ";\n";
  o += "  return x07_task_new(" + cname + "__run, " + cname + "__drop, e, " +
       (result == Ty::ResBytes ? "X07_TASK_KIND_RESULT_BYTES" : "X07_TASK_KIND_BYTES") + ");\n}\n";
  return o;
}

}  // namespace x07c
