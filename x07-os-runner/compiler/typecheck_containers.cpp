// Generic value containers: ["tapp", "vec_value.push", T, h, x] and the other
// generic vec_value / map_value heads are rewritten to their monomorphic
// builtins (vec_value.push_bytes_v1, map_value.new_v1 with type ids, ...) and
// checked as those. Element types: i32, u32, bytes. bytes_view elements are a
// deliberate refusal: the container outlives every scope, so a stored view
// could outlive the buffer it borrows.
#include "typecheck_internal.hpp"

namespace x07c::tc {

namespace {
struct GenericHead {
  const char* name;
  size_t type_args;
};
const GenericHead kGenericHeads[] = {
    {"vec_value.with_capacity", 1}, {"vec_value.push", 1}, {"vec_value.get", 1},
    {"vec_value.set", 1},           {"map_value.new", 2},  {"map_value.get", 2},
    {"map_value.set", 2},           {"map_value.contains", 1}, {"map_value.remove", 1},
};
const char* const kViewRefusal =
    "bytes_view elements are not supported in vec_value/map_value: the container outlives every scope, so a "
    "stored view could outlive the buffer it borrows (store bytes instead, e.g. view.to_bytes)";
}  // namespace

bool FnChecker::container_tapp(Node& n, bool stmt, Info& out) {
  if (n.kids.empty() || n.kids[0].kind != Node::Atom) return false;
  const std::string callee = n.kids[0].text;
  const GenericHead* g = nullptr;
  for (const auto& h : kGenericHeads)
    if (callee == h.name) g = &h;
  if (!g) return false;
  std::vector<const Node*> ty_nodes;
  size_t next = 1;
  if (n.kids.size() > 1 && n.kids[1].kind == Node::List && n.kids[1].text == "tys") {
    for (const auto& t : n.kids[1].kids) ty_nodes.push_back(&t);
    next = 2;
  } else {
    for (size_t i = 1; i <= g->type_args && i < n.kids.size(); i++) ty_nodes.push_back(&n.kids[i]);
    next = 1 + ty_nodes.size();
  }
  if (ty_nodes.size() != g->type_args)
    err("Typing", "X07-TY-0105: tapp arity mismatch for \"" + callee + "\": expected " +
                      std::to_string(g->type_args) + " type args got " + std::to_string(ty_nodes.size()) + " (e.g. [\"tapp\",\"" + callee + "\",[\"tys\"," +
                      (g->type_args == 2 ? "\"bytes\",\"bytes\"" : "\"bytes\"") + "],...])", n.ptr);
  std::vector<std::string> suffix, ids;
  for (size_t i = 0; i < ty_nodes.size(); i++) {
    const Node* t = ty_nodes[i];
    std::string tok = resolve_type_arg(*t);
    if (tok == "bytes_view") err("Unsupported", kViewRefusal, t->ptr);
    // Type parameter names and bounds as upstream's std.vec_value / std.hash_map_value declare them.
    bool is_map = callee.rfind("map_value.", 0) == 0;
    const char* param = !is_map ? "T" : i == 0 ? "K" : "V";
    if (tok != "i32" && tok != "u32" && tok != "bytes")
      err("Typing", std::string("X07-TY-0104: bound unsatisfied for \"") + param + "\": expected " +
                        (is_map && i == 0 ? "Hashable" : "Value") + " got \"" + tok +
                        "\" (element types are i32, u32 and bytes)", t->ptr);
    suffix.push_back(tok == "bytes" ? "bytes" : "i32");
    ids.push_back(tok == "i32" ? "1" : tok == "u32" ? "2" : "3");
  }
  std::vector<Node> args;
  auto type_id = [&](const std::string& id) {
    Node k;
    k.kind = Node::Int;
    k.ival = std::stoi(id);
    k.ptr = n.ptr;
    args.push_back(k);
  };
  std::string head;
  const std::string op = callee.substr(callee.find('.') + 1);
  if (callee == "vec_value.with_capacity") {
    head = "vec_value.with_capacity_v1";
    type_id(ids[0]);
  } else if (callee == "map_value.new") {
    head = "map_value.new_v1";
    type_id(ids[0]);
    type_id(ids[1]);
  } else {
    head = callee.substr(0, callee.find('.') + 1) + op + "_" + suffix[0] + (g->type_args == 2 ? "_" + suffix[1] : "") + "_v1";
  }
  for (size_t i = next; i < n.kids.size(); i++) args.push_back(std::move(n.kids[i]));
  n.text = head;
  n.kids = std::move(args);
  out = check_list(n, stmt);
  return true;
}

void FnChecker::reject_view_container_head(const Node& n) {
  const std::string& h = n.text;
  if ((h.rfind("vec_value.", 0) == 0 || h.rfind("map_value.", 0) == 0) && h.find("bytes_view") != std::string::npos)
    err("Unsupported", "unsupported head: \"" + h + "\": " + kViewRefusal, n.ptr);
}

}  // namespace x07c::tc
