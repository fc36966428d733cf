// Typechecking for the deterministic fixture worlds (solve-fs, solve-kv, solve-rr, solve-full):
// which world provides which adapter builtin, and the record/replay scopes.
//
// std.rr.with_policy_v1 / std.rr.with_v1 are rewritten in place into plain x07:
//   (std.rr.with_policy_v1 (bytes.lit ID) (bytes.lit CASSETTE) (i32.lit MODE) body) =>
//     (begin (let $rr_open (rr.open_v1 (bytes.lit <X7RC cfg from arch/rr>)))
//            (if (result_i32.is_ok $rr_open) 0 (return (result_<i32|bytes>.err (result_i32.err_code $rr_open))))
//            (let $rr (rr.$enter (result_i32.unwrap_or $rr_open 0)))   ; the scope's handle becomes current
//            (let $rr_out body) (rr.$exit $rr) $rr_out)                ; close it, restore the previous one
// An early exit (return, try) from the body ends the scope first (lower.cpp, like budget scopes).
// As upstream, an open failure returns its error code from the enclosing function, so the
// function must return result_i32 or result_bytes.
#include "typecheck_internal.hpp"

namespace x07c::tc {

void FnChecker::check_fixture_world(const Builtin& b, const Node& n) {
  const std::string& w = prog_.world;
  const char* needs = nullptr;
  if ((b.flags & BF_WORLD_FS) && !world_has_fs(w)) needs = "solve-fs, solve-full and the OS worlds";
  if ((b.flags & BF_WORLD_KV) && !world_has_kv(w)) needs = "solve-kv or solve-full";
  if ((b.flags & BF_WORLD_RR) && !world_has_rr(w)) needs = "solve-rr or solve-full";
  if (!needs) return;
  err("Unsupported", b.name + " is disabled in this world (" + w + "); it is an adapter of " + needs, n.ptr);
}

bool FnChecker::check_world_head(Node& n, bool stmt, Info& out) {
  const std::string h = n.text;
  if (h == "rr.$enter" || h == "rr.$exit") {  // only produced by the rewrite below
    out = check_builtin(n, find_builtin(h));
    return true;
  }
  if (h != "std.rr.with_policy_v1" && h != "std.rr.with_v1") return false;
  if (!world_has_rr(prog_.world))
    err("Unsupported", h + " is disabled in this world (" + prog_.world + "); record/replay scopes need solve-rr or "
                           "solve-full", n.ptr);
  const std::string p = n.ptr;
  if (h == "std.rr.with_v1") {
    arity(n, 2, "std.rr.with_v1 expects 2 args");
    Node cfg = std::move(n.kids[0]);
    Node body = std::move(n.kids[1]);
    out = build_rr_scope(n, stmt, mk_list("rr.open_v1", {std::move(cfg)}, p), std::move(body));
    return true;
  }
  arity(n, 4, "std.rr.with_policy_v1 expects 4 args");
  auto text_lit = [&](const Node& a, const char* what) {
    if (a.kind != Node::List || a.text != "bytes.lit" || a.kids.size() != 1 ||
        (a.kids[0].kind != Node::Atom && a.kids[0].kind != Node::Str))
      err("Typing", std::string("std.rr.with_policy_v1 ") + what + " must be bytes.lit", a.ptr);
    const std::string& s = a.kids[0].text;
    if (std::any_of(s.begin(), s.end(), [](char c) { return (unsigned char)c < 0x20 || (unsigned char)c > 0x7e; }))
      err("Typing", std::string("std.rr.with_policy_v1 ") + what + " must be printable ASCII", a.ptr);
    return s;
  };
  const std::string policy_id = text_lit(n.kids[0], "policy_id");
  const std::string cassette = text_lit(n.kids[1], "cassette_path");
  const Node& m = n.kids[2];
  if (m.kind != Node::List || m.text != "i32.lit" || m.kids.size() != 1 || m.kids[0].kind != Node::Int)
    err("Typing", "std.rr.with_policy_v1 mode must be i32.lit", m.ptr);
  std::string cfg;
  std::string e = load_rr_cfg(prog_.entry_file, policy_id, cassette, m.kids[0].ival, &cfg);
  if (!e.empty()) err(e.find(" mode ") != std::string::npos ? "Typing" : "Parse", e, n.ptr);
  Node lit = mk_atom(cfg, p);
  lit.kind = Node::Str;
  Node body = std::move(n.kids[3]);
  out = build_rr_scope(n, stmt, mk_list("rr.open_v1", {mk_list("bytes.lit", {std::move(lit)}, p)}, p),
                       std::move(body));
  return true;
}

Info FnChecker::build_rr_scope(Node& n, bool stmt, Node open_call, Node body) {
  const std::string p = n.ptr;
  const char* err_ctor = result_ == Ty::ResI32 ? "result_i32.err" : result_ == Ty::ResBytes ? "result_bytes.err" : nullptr;
  if (!err_ctor)
    err("Typing", n.text + " requires function return type result_i32 or result_bytes (open failure propagation); " +
                      what_ + " returns " + ty_token(result_), p);
  std::vector<Node> kids;
  kids.push_back(mk_list("let", {mk_atom("$rr_open", p), std::move(open_call)}, p));
  kids.push_back(mk_list(
      "if",
      {mk_list("result_i32.is_ok", {mk_atom("$rr_open", p)}, p), mk_int(0, p),
       mk_list("return", {mk_list(err_ctor, {mk_list("result_i32.err_code", {mk_atom("$rr_open", p)}, p)}, p)}, p)},
      p));
  kids.push_back(mk_list(
      "let", {mk_atom("$rr", p), mk_list("rr.$enter", {mk_list("result_i32.unwrap_or", {mk_atom("$rr_open", p), mk_int(0, p)}, p)}, p)},
      p));
  kids.push_back(mk_list("let", {mk_atom("$rr_out", p), std::move(body)}, p));
  kids.push_back(mk_list("rr.$exit", {mk_atom("$rr", p)}, p));
  kids.push_back(mk_atom("$rr_out", p));
  n = mk_list("begin", std::move(kids), p);
  return check(n, stmt);
}

}  // namespace x07c::tc
