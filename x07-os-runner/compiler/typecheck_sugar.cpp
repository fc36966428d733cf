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

Info FnChecker::check_try_doc(Node& n, bool stmt) {
  arity(n, 1, "try_doc expects 1 arg");
  if (result_ != Ty::Bytes)
    err("Typing", std::string("try_doc requires function return type bytes (") + what_ + " returns " +
                      ty_token(result_) + "; check the doc with bytes.get_u8 instead, or move this into a function "
                      "returning bytes)", n.ptr);
  const std::string p = n.ptr;
  const std::string doc = "$doc" + p;  // not a valid x07 identifier: cannot clash with user names
  auto len = [&] { return mk_list("bytes.len", {mk_atom(doc, p)}, p); };
  Node bad = mk_list("||", {mk_list("=", {len(), mk_int(0, p)}, p),
                         mk_list("!=", {mk_list("bytes.get_u8", {mk_atom(doc, p), mk_int(0, p)}, p), mk_int(1, p)}, p)}, p);
  Node ret = mk_list("return", {mk_list("bytes.slice", {mk_atom(doc, p), mk_int(0, p), len()}, p)}, p);
  Node body = mk_list("begin", {}, p);
  body.kids.push_back(mk_list("let", {mk_atom(doc, p), std::move(n.kids[0])}, p));
  body.kids.push_back(mk_list("if", {std::move(bad), std::move(ret), mk_int(0, p)}, p));
  body.kids.push_back(mk_list("bytes.slice", {mk_atom(doc, p), mk_int(1, p), mk_list("-", {len(), mk_int(1, p)}, p)}, p));
  Ty arg_ty = Ty::Never;
  n = std::move(body);
  Info r = check_list(n, stmt);
  arg_ty = n.kids[0].kids[1].ty;
  if (arg_ty != Ty::Bytes && arg_ty != Ty::View && arg_ty != Ty::Never)
    err("Typing", std::string("try_doc expects bytes or bytes_view, got ") + ty_debug_name(arg_ty), p);
  return r;
}

}  // namespace x07c::tc
