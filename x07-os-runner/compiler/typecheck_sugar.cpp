// Forms that are rewritten into core forms before they are checked.
//
// ["try_doc", doc] (doc: bytes or bytes_view, in a function returning bytes or in solve): a doc envelope
// whose first byte is 1 is ok and yields a copy of the payload after that byte; any other doc (empty, or
// an error doc) is returned from the function unchanged. Rewritten to
//   (begin (let $doc doc)
//          (if (|| (= (bytes.len $doc) 0) (!= (bytes.get_u8 $doc 0) 1))
//              (return (bytes.slice $doc 0 (bytes.len $doc)))
//              0)
//          (bytes.slice $doc 1 (- (bytes.len $doc) 1)))
#include "typecheck_internal.hpp"

namespace x07c::tc {

namespace {
Node atom(const std::string& s, const std::string& ptr) {
  Node n;
  n.kind = Node::Atom;
  n.text = s;
  n.ptr = ptr;
  return n;
}
Node num(int32_t v, const std::string& ptr) {
  Node n;
  n.kind = Node::Int;
  n.ival = v;
  n.ptr = ptr;
  return n;
}
Node list(const std::string& head, std::vector<Node> kids, const std::string& ptr) {
  Node n;
  n.kind = Node::List;
  n.text = head;
  n.kids = std::move(kids);
  n.ptr = ptr;
  return n;
}
}  // namespace

Info FnChecker::check_try_doc(Node& n, bool stmt) {
  arity(n, 1, "try_doc expects 1 arg");
  if (result_ != Ty::Bytes)
    err("Typing", std::string("try_doc requires function return type bytes (") + what_ + " returns " +
                      ty_token(result_) + "; check the doc with bytes.get_u8 instead, or move this into a function "
                      "returning bytes)", n.ptr);
  const std::string p = n.ptr;
  const std::string doc = "$doc" + p;  // not a valid x07 identifier: cannot clash with user names
  auto len = [&] { return list("bytes.len", {atom(doc, p)}, p); };
  Node bad = list("||", {list("=", {len(), num(0, p)}, p),
                         list("!=", {list("bytes.get_u8", {atom(doc, p), num(0, p)}, p), num(1, p)}, p)}, p);
  Node ret = list("return", {list("bytes.slice", {atom(doc, p), num(0, p), len()}, p)}, p);
  Node body = list("begin", {}, p);
  body.kids.push_back(list("let", {atom(doc, p), std::move(n.kids[0])}, p));
  body.kids.push_back(list("if", {std::move(bad), std::move(ret), num(0, p)}, p));
  body.kids.push_back(list("bytes.slice", {atom(doc, p), num(1, p), list("-", {len(), num(1, p)}, p)}, p));
  Ty arg_ty = Ty::Never;
  n = std::move(body);
  Info r = check_list(n, stmt);
  arg_ty = n.kids[0].kids[1].ty;
  if (arg_ty != Ty::Bytes && arg_ty != Ty::View && arg_ty != Ty::Never)
    err("Typing", std::string("try_doc expects bytes or bytes_view, got ") + ty_debug_name(arg_ty), p);
  return r;
}

}  // namespace x07c::tc
