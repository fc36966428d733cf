#!/usr/bin/env python3
"""Generator for the core_* conformance cases (test/conformance/cases/core_*).

Each case is an x07 program (x07sx notation or a raw x07AST dict) plus an
expectation written down here independently of the compiler: output bytes
computed in Python, exact trap texts with JSON pointers located in the
generated JSON, or a substring of the expected compile error.
Usage: core_cases.py [CASES_DIR]   (rewrites every core_* case)
"""
import json
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07sx  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def u32(*xs):
    return b"".join(struct.pack("<I", x & 0xFFFFFFFF) for x in xs)


def sx(src):
    return x07sx.build(x07sx.parse(src))


def find_ptr(node, head, nth=0, path=""):
    """JSON pointer of the nth list whose head is `head` (document order)."""
    found = []

    def walk(n, p):
        if isinstance(n, list):
            if n and n[0] == head:
                found.append(p)
            for i, k in enumerate(n):
                walk(k, "%s/%d" % (p, i))
        elif isinstance(n, dict):
            for k, v in n.items():
                walk(v, "%s/%s" % (p, k))
    walk(node, path)
    return found[nth]


def case(name, prog, expect, inp=None, modules=None, world=None, policy=None):
    doc = sx(prog) if isinstance(prog, str) else prog
    if callable(expect):
        expect = expect(doc)
    CASES.append((name, doc, expect, inp, modules or {}, world, policy))


def out(b):
    try:
        s = b.decode("utf-8")
        if all(c.isprintable() or c in "\n\t" for c in s):
            return {"output_text": s}
    except UnicodeDecodeError:
        pass
    return {"output_hex": b.hex()}


def trap_at(msg, head, nth=0):
    return lambda doc: {"trap": "%s ptr=%s" % (msg, find_ptr(doc, head, nth))}


def err(s):
    return {"compile_error_contains": s}


def entry(decls, solve, imports=(), version="x07.x07ast@0.9.0"):
    return {"schema_version": version, "kind": "entry", "module_id": "main", "imports": list(imports),
            "decls": decls, "solve": solve}


def module(mid, decls, exports, imports=(), version="x07.x07ast@0.8.0"):
    return {"schema_version": version, "kind": "module", "module_id": mid, "imports": list(imports),
            "decls": [{"kind": "export", "names": exports}] + decls}


def defn(name, params, result, body, **extra):
    d = {"kind": "defn", "name": name, "params": [{"name": n, "ty": t} for n, t in params], "result": result,
         "body": body}
    d.update(extra)
    return d


# ---------------------------------------------------------------- i32 operators
def w32(*exprs):
    """solve = concatenation of codec.write_u32_le of each i32 expression."""
    body = "(let v (vec_u8.with_capacity 0))\n" + "\n".join(
        "(set v (vec_u8.extend_bytes v (codec.write_u32_le %s)))" % e for e in exprs)
    return "(entry (solve (begin %s (vec_u8.into_bytes v))))" % body


case("core_i32_add_sub_mul_wrap",
     w32("(+ 2147483647 1)", "(- 0 1)", "(* 65536 65536)", "(* -3 7)", "(+ -1 -1)", "(- -2147483648 1)"),
     out(u32(0x80000000, 0xFFFFFFFF, 0, -21, -2, 0x7FFFFFFF)))
case("core_div_rem_unsigned_no_trap",
     w32("(/ -1 2)", "(/ 7 0)", "(% 7 0)", "(% -1 10)", "(/ -10 3)", "(% 17 5)"),
     out(u32(0x7FFFFFFF, 0, 7, 0xFFFFFFFF % 10, 0xFFFFFFF6 // 3, 2)))
case("core_shifts_masked",
     w32("(<<u 1 33)", "(>>u -1 31)", "(>>u -8 1)", "(<<u 3 -1)", "(>>u 256 40)"),
     out(u32(2, 1, 0x7FFFFFFC, 0x80000000, 1)))
case("core_compare_signed_unsigned",
     w32("(< -1 1)", "(<u 1 -1)", "(>u -1 1)", "(> -1 1)", "(<= 3 3)", "(>= -5 -4)", "(<=u 5 4)",
         "(>=u -1 7)", "(= 4 4)", "(!= 4 4)"),
     out(u32(1, 1, 1, 0, 1, 0, 0, 1, 1, 0)))
case("core_bitwise_ops",
     w32("(& 12 10)", "(| 12 10)", "(^ 12 10)", "(^ 0 -1)", "(& -1 255)"),
     out(u32(8, 14, 6, 0xFFFFFFFF, 255)))
case("core_and_or_short_circuit",
     w32("(|| 1 (view.get_u8 input 100))", "(&& 0 (view.get_u8 input 100))", "(&& 5 7)", "(|| 0 0)", "(|| 0 9)"),
     out(u32(1, 0, 1, 0, 1)), inp=b"")
case("core_ult_zero_compile_error", "(entry (solve (bytes1 (<u (view.len input) 0))))",
     err("`(<u x 0)` is always false"))
case("core_uge_zero_compile_error", "(entry (solve (bytes1 (>=u (view.len input) 0))))",
     err("`(>=u x 0)` is always true"))
case("core_prng_lcg", w32("(prng.lcg_next_u32 0)", "(prng.lcg_next_u32 1)", "(prng.lcg_next_u32 -1)"),
     out(u32(12345, 1103515245 + 12345, (0xFFFFFFFF * 1103515245 + 12345) & 0xFFFFFFFF)))

# ---------------------------------------------------------------- forms
case("core_for_unsigned_bounds", """(entry (solve (begin
  (let a 0) (for i -5 3 (set a (+ a 1)))
  (let b 0) (for j 3 3 (set b (+ b 1)))
  (let c 0) (for k 2 6 (set c (+ c k)))
  (codec.write_u32_le (+ (* a 1000000) (+ (* b 1000) c))))))""", out(u32(14)))
case("core_nested_for_reusing_loop_var_runs_out_of_fuel",
     "(entry (solve (begin (let n 0) (for i 0 3 (begin (set n (+ n 1)) (for i 0 1 0))) (codec.write_u32_le n))))",
     {"trap": "fuel exhausted"})
case("core_for_var_survives_and_reuse", """(entry (solve (begin
  (let i 40)
  (for i 0 5 0)
  (let after i)
  (for n 0 3 0)
  (let v (vec_u8.with_capacity 8))
  (set v (vec_u8.extend_bytes v (codec.write_u32_le after)))
  (set v (vec_u8.extend_bytes v (codec.write_u32_le n)))
  (for q 0 10 (set q (+ q 4)))
  (set v (vec_u8.extend_bytes v (codec.write_u32_le q)))
  (vec_u8.into_bytes v))))""", out(u32(5, 3, 10)))
case("core_while_gcd", """(entry
 (defn main.gcd ((a i32) (b i32)) i32
   (begin
     (while (!= b 0)
       (begin (let t (% a b)) (set a b) (set b t)))
     a))
 (solve (codec.write_u32_le (main.gcd 1071 462))))""", out(u32(21)))
case("core_if_expression_and_statement", """(entry (solve (begin
  (let n (view.len input))
  (let kind (if (= n 0) 7 (if (<u n 3) 8 9)))
  (let v (vec_u8.with_capacity 0))
  (if (= kind 9) (set v (vec_u8.push v 'L')) (set0 kind 1))
  (if (= kind 1) 0 (set v (vec_u8.push v 'x')))
  (set v (vec_u8.push v (+ '0' kind)))
  (vec_u8.into_bytes v))))""", out(b"Lx9"), inp=b"long")
case("core_if_branch_type_mismatch", "(entry (solve (if (view.len input) (bytes.alloc 1) 0)))",
     err("if branches must have same type (then=Bytes, else=I32)"))
case("core_set0_in_expression_if", """(entry (solve (begin
  (let x 5)
  (let r (if (= (view.len input) 0) (set0 x 9) (+ x 1)))
  (codec.write_u32_le (+ (* x 100) r)))))""", out(u32(900)), inp=b"")
case("core_early_return_in_loop", """(entry
 (defn main.find ((b bytes_view) (c i32)) i32
   (begin
     (for i 0 (view.len b) (if (= (view.get_u8 b i) c) (return i) 0))
     -1))
 (solve (begin
   (let v (vec_u8.with_capacity 0))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (main.find input 'c'))))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (main.find input 'z'))))
   (if (= (view.len input) 99) (return (bytes.lit "never")) 0)
   (vec_u8.into_bytes v))))""", out(u32(2, -1)), inp=b"abcabc")
case("core_recursion_and_mutual_recursion", """(entry
 (defn main.fib ((n i32)) i32 (if (<u n 2) n (+ (main.fib (- n 1)) (main.fib (- n 2)))))
 (defn main.odd ((n i32)) i32 (if (= n 0) 0 (main.even (- n 1))))
 (defn main.even ((n i32)) i32 (if (= n 0) 1 (main.odd (- n 1))))
 (solve (begin
   (let v (vec_u8.with_capacity 0))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (main.fib 20))))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (main.even 10))))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (main.odd 10))))
   (vec_u8.into_bytes v))))""", out(u32(6765, 1, 0)))
case("core_begin_scopes_shadowing", """(entry (solve (begin
  (let x 1)
  (let y (begin (let x 10) (+ x 5)))
  (let z (begin (let t (bytes.lit "abc")) (bytes.len t)))
  (codec.write_u32_le (+ (* x 10000) (+ (* y 100) z))))))""", out(u32(11503)))
case("core_empty_begin_error", {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main",
                                "imports": [], "decls": [], "solve": ["begin"]},
     err("(begin ...) requires at least 1 expression"))

# ---------------------------------------------------------------- ownership
case("core_use_after_move_error", """(entry (solve (begin
  (let b (bytes.lit "x"))
  (let c b)
  (bytes.concat b c))))""", err('use after move: "b" moved_ptr=/solve/2/2'))
case("core_move_in_one_branch_error", """(entry
 (defn main.eat ((b bytes)) i32 (bytes.len b))
 (solve (begin
  (let b (bytes.lit "x"))
  (if (view.len input) (main.eat b) 0)
  b)))""", err('use after move: "b"'))
case("core_set_revives_moved_var", """(entry
 (defn main.eat ((b bytes)) i32 (bytes.len b))
 (solve (begin
  (let b (bytes.lit "four"))
  (let n (main.eat b))
  (set b (bytes.lit "ab"))
  (bytes.concat b (codec.write_u32_le n)))))""", out(b"ab" + u32(4)))
case("core_move_while_borrowed_error", """(entry (solve (begin
  (let b (bytes.lit "abc"))
  (let v (bytes.view b))
  (let c b)
  (view.to_bytes v))))""", err('move while borrowed: "b"'))
case("core_move_after_borrow_in_same_call_error", """(entry
 (defn main.f ((v bytes_view) (b bytes)) i32 (+ (view.len v) (bytes.len b)))
 (solve (begin (let b (bytes.lit "abc")) (codec.write_u32_le (main.f b b)))))""",
     err('move while borrowed: "b"'))
case("core_set_while_borrowed_error", """(entry (solve (begin
  (let b (bytes.lit "abc"))
  (let v (bytes.view b))
  (set b (bytes.lit "z"))
  (view.to_bytes v))))""", err('set while borrowed: "b" borrowed_by="v" borrowed_ptr=/solve/2/2'))
case("core_push_while_borrowed_error", """(entry (solve (begin
  (let w (vec_u8.with_capacity 4))
  (let v (vec_u8.as_view w))
  (set w (vec_u8.push w 1))
  (view.to_bytes v))))""", err('vec_u8.push while borrowed: "w"'))
case("core_bytes_view_needs_identifier", "(entry (solve (view.to_bytes (bytes.view (bytes.lit \"a\")))))",
     err("bytes.view requires an identifier owner (bind the value to a local with let first)"))
case("core_bytes_view_of_input_error", "(entry (solve (view.to_bytes (bytes.view input))))",
     err('unknown identifier: "input"'))
case("core_view_builtins_do_not_coerce", "(entry (solve (begin (let b (bytes.lit \"a\")) (codec.write_u32_le (view.len b)))))",
     err("view.len expects bytes_view"))
case("core_coercions_borrow_not_move", """(entry
 (defn main.len2 ((a bytes_view) (b bytes_view)) i32 (+ (view.len a) (view.len b)))
 (solve (begin
   (let b (bytes.lit "hello"))
   (let w (vec_u8.with_capacity 2))
   (set w (vec_u8.push w 7))
   (let n (main.len2 b w))
   (let m (main.len2 (bytes.lit "xyz") input))
   (let k (+ (bytes.len b) (bytes.len (bytes.lit "12"))))
   (set w (vec_u8.extend_bytes w b))
   (set w (vec_u8.extend_bytes w (codec.write_u32_le (+ (* n 10000) (+ (* m 100) k)))))
   (vec_u8.into_bytes w))))""", out(b"\x07hello" + u32(60707)), inp=b"abcd")
case("core_let_owned_expression_error", "(entry (solve (begin (let n (bytes.len (let b (bytes.lit \"a\")))) (bytes.alloc n))))",
     err("let expression cannot produce an owned value"))
case("core_duplicate_let_error", "(entry (solve (begin (let a 1) (let a 2) (bytes1 a))))",
     err('duplicate let binding in same scope: "a"'))
case("core_unknown_identifier_error", "(entry (solve (begin (let count 1) (bytes1 cuont))))",
     err('unknown identifier: "cuont"'))
case("core_unknown_head_did_you_mean", "(entry (solve (bytes1 (view.get_u9 input 0))))",
     err('unsupported head: "view.get_u9" (did you mean "view.get_u8"?)'))
case("core_view_return_of_local_error", """(entry
 (defn main.bad ((n i32)) bytes_view (begin (let b (bytes.alloc n)) (bytes.view b)))
 (solve (view.to_bytes (main.bad 3))))""",
     err('function "main.bad" returns bytes_view borrowed from local owned buffer "b"'))
case("core_view_of_scoped_temporary_error", """(entry
 (defn main.id ((b bytes_view)) bytes_view b)
 (solve (begin (let v (begin (main.id (bytes.lit "tmp")))) (view.to_bytes v))))""", err("drop while borrowed"))
case("core_view_returned_from_param", """(entry
 (defn main.mid ((b bytes_view)) bytes_view (view.slice b 1 (- (view.len b) 2)))
 (solve (begin (let v (main.mid input)) (view.to_bytes (main.mid v)))))""", out(b"cd"), inp=b"abcdef")

# ---------------------------------------------------------------- traps
case("core_view_get_u8_oob_trap", "(entry (solve (bytes1 (view.get_u8 input 3))))",
     trap_at("view.get_u8 oob", "view.get_u8"), inp=b"abc")
case("core_bytes_get_u8_reports_view_text", "(entry (solve (begin (let b (bytes.lit \"ab\")) (bytes1 (bytes.get_u8 b 2)))))",
     trap_at("view.get_u8 oob", "bytes.get_u8"))
case("core_view_slice_oob_trap", "(entry (solve (view.to_bytes (view.slice input 2 5))))",
     trap_at("view.slice oob", "view.slice"), inp=b"abcdef")
case("core_set_u8_oob_trap_in_module",
     "(entry (imports app.w) (solve (app.w.poke (bytes.alloc 2) 2)))",
     {"trap": "bytes.set_u8 oob ptr=/decls/1/body"},
     modules={"app.w": "(module app.w (defn .poke ((b bytes) (i i32)) bytes (bytes.set_u8 b i 1)))"})
case("core_loop_read_past_end_traps_in_loop",
     "(entry (solve (begin (let s 0) (for i 0 (+ (view.len input) 1) (set s (+ s (view.get_u8 input i)))) (codec.write_u32_le s))))",
     trap_at("view.get_u8 oob", "view.get_u8"), inp=b"abc")
case("core_loop_reads_in_bounds", """(entry (solve (begin
  (let s 0)
  (let b (bytes.lit "xyz"))
  (let w (view.slice input 1 2))
  (for i 0 (view.len w) (set s (+ (* s 7) (+ (view.get_u8 w i) (+ (bytes.get_u8 b i) (view.get_u8 input i))))))
  (codec.write_u32_le s))))""",
     out(u32(((ord('b') + ord('x') + ord('a')) * 7 + (ord('c') + ord('y') + ord('b'))))), inp=b"abcd")
case("core_codec_read_oob_trap", "(entry (solve (codec.write_u32_le (codec.read_u32_le input 1))))",
     {"trap": "codec.read_u32_le oob"}, inp=b"abcd")
case("core_vec_get_oob_trap", "(entry (solve (begin (let v (vec_u8.with_capacity 8)) (bytes1 (vec_u8.get v 0)))))",
     {"trap": "vec_u8.get oob"})
case("core_fuel_exhausted_trap", "(entry (solve (begin (let i 0) (while 1 (set i (+ i 1))) (bytes1 i))))",
     {"trap": "fuel exhausted"})
case("core_empty_for_body_still_costs_fuel", "(entry (solve (begin (for i 0 -1 0) (bytes.lit \"done\"))))",
     {"trap": "fuel exhausted"})
case("core_out_of_memory_trap", "(entry (solve (bytes.alloc -16)))", {"trap": "out of memory"})
case("core_bytes_copy_dst_too_small_trap", "(entry (solve (bytes.copy (bytes.lit \"abc\") (bytes.alloc 2))))",
     {"trap": "bytes.copy dst too small"})
case("core_parse_non_digit_trap", "(entry (solve (codec.write_u32_le (parse.u32_dec input))))",
     {"trap": "parse.u32_dec non-digit"}, inp=b"12a")
case("core_map_bad_cap_trap", "(entry (solve (codec.write_u32_le (map_u32.new 6))))",
     {"trap": "map_u32.new cap must be power of two"})

# ---------------------------------------------------------------- builtins
case("core_bytes_builtins", """(entry (solve (begin
  (let a (bytes.lit "hello"))
  (let b (bytes.concat (bytes.lit "he") (bytes.lit "llo")))
  (let v (vec_u8.with_capacity 0))
  (set v (vec_u8.push v (bytes.eq a b)))
  (set v (vec_u8.push v (bytes.eq a (bytes.lit "hellO"))))
  (set v (vec_u8.push v (+ 1 (bytes.cmp_range a 0 5 b 0 4))))
  (set v (vec_u8.push v (+ 1 (bytes.cmp_range a 1 1 b 0 1))))
  (set v (vec_u8.push v (+ 1 (view.cmp_range input 0 2 input 0 2))))
  (set v (vec_u8.extend_bytes v (bytes.slice a 1 3)))
  (set v (vec_u8.extend_bytes v (bytes.copy (bytes.lit "XY") (bytes.alloc 3))))
  (set v (vec_u8.extend_bytes v (bytes1 321)))
  (set v (vec_u8.push v (bytes.len (bytes.empty))))
  (set v (vec_u8.extend_bytes v (view.to_bytes (bytes.subview a 3 2))))
  (set v (vec_u8.extend_bytes v (bytes.set_u8 (bytes.alloc 2) 1 -1)))
  (set v (vec_u8.push v (view.eq (bytes.view_lit "in") input)))
  (set v (vec_u8.extend_bytes v (view.to_bytes (bytes.view_lit "tab\\there \\u00e9\\"q\\""))))
  (vec_u8.into_bytes v))))""",
     out(b"\x01\x00\x02\x00\x01ellXY\x00A\x00lo\x00\xff\x01tab\there \xc3\xa9\"q\""), inp=b"in")
case("core_vec_u8_builtins", """(entry (solve (begin
  (let v (vec_u8.with_capacity 0))
  (let caps (vec_u8.with_capacity 0))
  (for i 0 5 (begin (set v (vec_u8.push v (+ 'a' i))) (set caps (vec_u8.push caps (vec_u8.cap v)))))
  (set v (vec_u8.set v 0 'A'))
  (let g (vec_u8.get v 4))
  (set v (vec_u8.reserve_exact v 20))
  (set caps (vec_u8.push caps (vec_u8.cap v)))
  (set v (vec_u8.extend_zeroes v 2))
  (set v (vec_u8.extend_bytes_range v input 1 2))
  (set caps (vec_u8.push caps (vec_u8.len v)))
  (set caps (vec_u8.push caps g))
  (let w (vec_u8.clear (vec_u8.with_capacity 3)))
  (set caps (vec_u8.push caps (vec_u8.len w)))
  (set caps (vec_u8.extend_bytes caps (vec_u8.into_bytes v)))
  (vec_u8.into_bytes caps))))""", out(bytes([1, 2, 4, 4, 8, 25, 9, ord('e'), 0]) + b"Abcde\x00\x00yz"), inp=b"xyz")
case("core_vec_extend_range_oob_trap", "(entry (solve (vec_u8.into_bytes (vec_u8.extend_bytes_range (vec_u8.with_capacity 0) input 2 2))))",
     {"trap": "vec_u8.extend_bytes_range oob"}, inp=b"abc")
case("core_option_result_builtins", """(entry (solve (begin
  (let v (vec_u8.with_capacity 0))
  (let o (option_i32.some 7))
  (set v (vec_u8.push v (option_i32.is_some o)))
  (set v (vec_u8.push v (option_i32.unwrap_or o 1)))
  (set v (vec_u8.push v (option_i32.unwrap_or (option_i32.none) 2)))
  (let ob (option_bytes.some (bytes.lit "ob")))
  (set v (vec_u8.push v (option_bytes.is_some ob)))
  (set v (vec_u8.extend_bytes v (option_bytes.unwrap_or ob (bytes.lit "no"))))
  (set v (vec_u8.extend_bytes v (option_bytes.unwrap_or (option_bytes.none) (bytes.lit "dflt"))))
  (let ov (option_bytes_view.some input))
  (set v (vec_u8.push v (option_bytes_view.is_some (option_bytes_view.none))))
  (set v (vec_u8.extend_bytes v (view.to_bytes (option_bytes_view.unwrap_or ov (bytes.view_lit "-")))))
  (let r (result_i32.err 42))
  (set v (vec_u8.push v (result_i32.is_ok r)))
  (set v (vec_u8.push v (result_i32.err_code r)))
  (set v (vec_u8.push v (result_i32.unwrap_or r 3)))
  (set v (vec_u8.push v (result_i32.unwrap_or (result_i32.ok 4) 3)))
  (set v (vec_u8.push v (result_i32.err_code (result_i32.ok 4))))
  (let rb (result_bytes.ok (bytes.lit "RB")))
  (set v (vec_u8.push v (result_bytes.is_ok rb)))
  (set v (vec_u8.push v (result_bytes.err_code rb)))
  (set v (vec_u8.extend_bytes v (result_bytes.unwrap_or rb (bytes.lit "x"))))
  (set v (vec_u8.push v (result_bytes.err_code (result_bytes.err 9))))
  (set v (vec_u8.extend_bytes v (result_bytes.unwrap_or (result_bytes.err 9) (bytes.lit "E"))))
  (let rv (result_bytes_view.err 5))
  (set v (vec_u8.push v (result_bytes_view.err_code rv)))
  (set v (vec_u8.push v (result_bytes_view.is_ok (result_bytes_view.ok input))))
  (set v (vec_u8.extend_bytes v (view.to_bytes (result_bytes_view.unwrap_or rv (bytes.view_lit "V")))))
  (vec_u8.into_bytes v))))""",
     out(bytes([1, 7, 2, 1]) + b"obdflt\x00in" + bytes([0, 42, 3, 4, 0, 1, 0]) + b"RB\x09E\x05\x01V"), inp=b"in")
case("core_option_bytes_default_identifier_quirk", """(entry (solve (begin
  (let d (bytes.lit "dflt"))
  (let a (option_bytes.unwrap_or (option_bytes.some (bytes.lit "S")) d))
  (let n1 (bytes.len d))
  (let b (option_bytes.unwrap_or (option_bytes.none) d))
  (let n2 (bytes.len d))
  (bytes.concat a (bytes.concat b (bytes.concat (codec.write_u32_le n1) (codec.write_u32_le n2)))))))""",
     out(b"Sdflt" + u32(4, 0)))
case("core_try_propagates_errors", """(entry
 (defn main.digit ((c i32)) result_i32
   (if (&& (>=u c '0') (<=u c '9')) (result_i32.ok (- c '0')) (result_i32.err (+ 100 c))))
 (defn main.sum ((b bytes_view)) result_i32
   (begin
     (let s 0)
     (for i 0 (view.len b) (set s (+ s (try (main.digit (view.get_u8 b i))))))
     (result_i32.ok s)))
 (defn main.wrap ((b bytes_view)) result_bytes
   (begin (let s (try (main.sum b))) (result_bytes.ok (fmt.u32_to_dec s))))
 (solve (begin
   (let v (vec_u8.with_capacity 0))
   (set v (vec_u8.extend_bytes v (result_bytes.unwrap_or (main.wrap input) (bytes.lit "?"))))
   (set v (vec_u8.push v ','))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le (result_bytes.err_code (main.wrap (bytes.lit "12x4"))))))
   (vec_u8.into_bytes v))))""", out(b"15," + u32(100 + ord('x'))), inp=b"12345")
case("core_early_exit_frees_pending_temporaries", """(entry
 (defn main.g ((c i32)) result_bytes (if c (result_bytes.ok (bytes.lit "G")) (result_bytes.err 5)))
 (defn main.f ((c i32)) result_bytes (result_bytes.ok (bytes.concat (bytes.lit "prefix") (try (main.g c)))))
 (defn main.h ((c i32)) bytes (bytes.concat (bytes.lit "a") (if c (return (bytes.lit "early")) (bytes.lit "b"))))
 (solve (begin
   (let r (main.f 0))
   (let code (result_bytes.err_code r))
   (let v (vec_u8.with_capacity 0))
   (set v (vec_u8.extend_bytes v (result_bytes.unwrap_or r (bytes.lit "E"))))
   (set v (vec_u8.extend_bytes v (codec.write_u32_le code)))
   (set v (vec_u8.extend_bytes v (result_bytes.unwrap_or (main.f 1) (bytes.lit "?"))))
   (set v (vec_u8.extend_bytes v (main.h 1)))
   (set v (vec_u8.extend_bytes v (main.h 0)))
   (vec_u8.into_bytes v))))""", out(b"E" + u32(5) + b"prefixGearlyab"))
case("core_try_needs_result_function", "(entry (solve (bytes1 (try (result_i32.ok 1)))))",
     err("try(result_i32) requires function return type result_i32 or result_bytes"))
case("core_fmt_parse", """(entry (solve (begin
  (let v (vec_u8.with_capacity 0))
  (set v (vec_u8.extend_bytes v (fmt.u32_to_dec 0)))
  (set v (vec_u8.push v ' '))
  (set v (vec_u8.extend_bytes v (fmt.u32_to_dec -1)))
  (set v (vec_u8.push v ' '))
  (set v (vec_u8.extend_bytes v (fmt.s32_to_dec -2147483648)))
  (set v (vec_u8.push v ' '))
  (set v (vec_u8.extend_bytes v (fmt.s32_to_dec 42)))
  (set v (vec_u8.push v ' '))
  (set v (vec_u8.extend_bytes v (fmt.u32_to_dec (+ (parse.u32_dec (bytes.view_lit "4294967295")) (parse.u32_dec_at input 2)))))
  (vec_u8.into_bytes v))))""", out(b"0 4294967295 -2147483648 42 122"), inp=b"ab123")
case("core_parse_overflow_trap", "(entry (solve (fmt.u32_to_dec (parse.u32_dec input))))",
     {"trap": "parse.u32_dec overflow"}, inp=b"4294967296")
case("core_map_set_u32", """(entry (solve (begin
  (let m (map_u32.new 16))
  (let v (vec_u8.with_capacity 0))
  (set v (vec_u8.push v (map_u32.set m 5 50)))
  (set v (vec_u8.push v (map_u32.set m 5 55)))
  (set v (vec_u8.push v (map_u32.set m 21 7)))
  (set v (vec_u8.push v (map_u32.get m 5 0)))
  (set v (vec_u8.push v (map_u32.get m 6 99)))
  (set v (vec_u8.push v (map_u32.contains m 21)))
  (set v (vec_u8.push v (map_u32.remove m 5)))
  (set v (vec_u8.push v (map_u32.remove m 5)))
  (set v (vec_u8.push v (map_u32.len m)))
  (set v (vec_u8.extend_bytes v (map_u32.dump_kv_u32le_u32le m)))
  (let s (set_u32.new 8))
  (set v (vec_u8.push v (set_u32.add s 3)))
  (set v (vec_u8.push v (set_u32.add s 3)))
  (set v (vec_u8.push v (set_u32.contains s 3)))
  (set v (vec_u8.push v (set_u32.remove s 3)))
  (set v (vec_u8.push v (set_u32.len s)))
  (set v (vec_u8.extend_bytes v (set_u32.dump_u32le s)))
  (vec_u8.into_bytes v))))""", out(bytes([1, 0, 1, 55, 99, 1, 1, 0, 1]) + u32(21, 7) + bytes([1, 0, 1, 1, 0])))
case("core_map_reserved_key_trap", "(entry (solve (bytes1 (map_u32.get (map_u32.new 4) -1 0))))",
     {"trap": "map_u32.get key=-1 reserved"})
case("core_exit_code_and_output", "(entry (solve (begin (process.set_exit_code_v1 0) (bytes.lit \"done\"))))",
     out(b"done"))
case("core_input_binary_passthrough", "(entry (solve (view.to_bytes input)))", out(bytes(range(256))),
     inp=bytes(range(256)))

# ---------------------------------------------------------------- brands, records, enums, generics
case("core_brands_lenient", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [
        {"kind": "defn", "name": "main.tag", "params": [{"name": "b", "ty": "bytes", "brand": "main.tok"}],
         "result": "bytes", "result_brand": "main.tok", "body": "b"},
        {"kind": "defn", "name": "main.plain", "params": [{"name": "v", "ty": "bytes_view"}], "result": "i32",
         "body": ["view.len", "v"]}],
    "solve": ["begin",
              ["let", "t", ["main.tag", ["std.brand.assume_bytes_v1", "main.tok", ["bytes.lit", "abc"]]]],
              ["let", "n", ["main.plain", ["std.brand.view_v1", "t"]]],
              ["let", "e", ["std.brand.erase_bytes_v1", "t"]],
              ["bytes.concat", "e", ["codec.write_u32_le", "n"]]]},
    out(b"abc" + u32(3)))
REC = entry(
    [{"kind": "defrecord", "name": "main.Pt", "fields": [{"name": "x", "ty": "i32"}, {"name": "y", "ty": "u32"}]},
     {"kind": "defenum", "name": "main.Sh", "variants": [{"name": "Dot"}, {"name": "Sq", "payload": "i32"},
                                                          {"name": "Ln", "payload": "u32"}]},
     defn("main.area", [["s", "bytes"]], "i32",
          ["match", "s", ["main.Sh.Dot", 0], ["main.Sh.Sq", "k", ["*", "k", "k"]], ["main.Sh.Ln", "n", "n"]])],
    ["begin",
     ["let", "p", ["main.Pt.make", 3, -4]],
     ["let", "v", ["vec_u8.with_capacity", 0]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["main.Pt.x", "p"]]]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["main.Pt.y", "p"]]]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["main.area", ["main.Sh.Sq", 5]]]]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["main.area", ["main.Sh.Dot"]]]]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["main.area", ["main.Sh.Ln", 8]]]]],
     ["set", "v", ["vec_u8.extend_bytes", "v", "p"]],
     ["vec_u8.into_bytes", "v"]])
case("core_records_enums_match", REC, out(u32(3, -4, 25, 0, 8, 3, -4)))
case("core_defrecord_requires_v09",
     dict(REC, schema_version="x07.x07ast@0.8.0"), err("defrecord is only supported in x07.x07ast@0.9.0"))
case("core_match_non_exhaustive", entry(
    [{"kind": "defenum", "name": "main.C", "variants": [{"name": "R"}, {"name": "G"}, {"name": "B"}]}],
    ["match", ["main.C.G"], ["main.C.R", ["bytes.lit", "r"]], ["main.C.G", ["bytes.lit", "g"]]]),
    err("non-exhaustive match on enum main.C; missing arm(s): B"))
case("core_generics_tapp_mono", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [
        {"kind": "defn", "name": "main.id", "type_params": [{"name": "A"}], "params": [{"name": "x", "ty": ["t", "A"]}],
         "result": ["t", "A"], "body": "x"},
        {"kind": "defn", "name": "main.maxof", "type_params": [{"name": "T", "bound": "orderable"}],
         "params": [{"name": "a", "ty": ["t", "T"]}, {"name": "b", "ty": ["t", "T"]}], "result": ["t", "T"],
         "body": ["if", ["ty.lt", "T", "a", "b"], "b", "a"]},
        {"kind": "defn", "name": "main.pack", "type_params": [{"name": "T"}],
         "params": [{"name": "a", "ty": ["t", "T"]}, {"name": "b", "ty": ["t", "T"]}], "result": "bytes",
         "body": ["begin",
                  ["let", "v", ["vec_u8.with_capacity", ["*", 2, ["ty.size_bytes", "T"]]]],
                  ["set", "v", ["ty.push_le", "T", "v", "a"]],
                  ["set", "v", ["ty.push_le", "T", "v", ["+", 1, ["ty.cmp", "T", "a", "b"]]]],
                  ["set", "v", ["ty.push_le", "T", "v", ["tapp", "main.maxof", ["tys", "T"], "a", "b"]]],
                  ["let", "out", ["vec_u8.into_bytes", "v"]],
                  ["let", "last", ["ty.read_le_at", "T", "out", 8]],
                  ["set", "out", ["ty.write_le_at", "T", "out", 0, "last"]],
                  "out"]}],
    "solve": ["bytes.concat", ["tapp", "main.pack", ["tys", "u32"], -1, 1],
              ["bytes.concat", ["tapp", "main.pack", ["tys", "i32"], -1, 1],
               ["codec.write_u32_le", ["tapp", "main.id", ["tys", "i32"], 7]]]]},
    out(u32(-1, 2, -1) + u32(1, 0, 1) + u32(7)))
case("core_generics_option_result_type_apps", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [
        {"kind": "defn", "name": "main.first", "type_params": [{"name": "T"}],
         "params": [{"name": "a", "ty": ["option", ["t", "T"]]}, {"name": "d", "ty": ["t", "T"]}], "result": ["t", "T"],
         "body": ["tapp", "main.pick", ["tys", ["option", "T"]], "a", "d"]},
        {"kind": "defn", "name": "main.pick", "type_params": [{"name": "O"}],
         "params": [{"name": "o", "ty": ["t", "O"]}, {"name": "d", "ty": "i32"}], "result": "i32",
         "body": ["option_i32.unwrap_or", "o", "d"]},
        {"kind": "defn", "name": "main.okv", "params": [{"name": "x", "ty": "i32"}], "result": ["result", "i32"],
         "body": ["result_i32.ok", "x"]}],
    "solve": ["codec.write_u32_le", ["+", ["tapp", "main.first", ["tys", "i32"], ["option_i32.some", 40], 1],
                                     ["result_i32.unwrap_or", ["main.okv", 2], 0]]]},
    out(u32(42)))

# ---------------------------------------------------------------- modules
UTIL = "(module app.util (defn .twice ((b bytes_view)) bytes (bytes.concat (view.to_bytes b) (app.util._copy b))) " \
       "(defn ._copy ((b bytes_view)) bytes (view.to_bytes b)))"
case("core_module_import_call", "(entry (imports app.util) (solve (app.util.twice input)))", out(b"abab"),
     inp=b"ab", modules={"app.util": UTIL})
case("core_module_private_not_exported", "(entry (imports app.util) (solve (app.util._copy input)))",
     err('function "app.util._copy" is not exported by module "app.util"'), modules={"app.util": UTIL})
case("core_module_transitive_needs_import", "(entry (imports app.top) (solve (app.util.twice input)))",
     err('call to "app.util.twice" requires (import app.util) in module "main"'),
     modules={"app.util": UTIL, "app.top": "(module app.top (imports app.util) (defn .f ((b bytes_view)) bytes (app.util.twice b)))"})
case("core_unknown_module_lists_paths", "(entry (imports app.missing) (solve (view.to_bytes input)))",
     err('unknown module: "app.missing" (searched: '), modules={"app.util": UTIL})
case("core_cyclic_import_error", "(entry (imports app.a) (solve (app.a.f input)))",
     err('cyclic import detected at module "app.a"'),
     modules={"app.a": "(module app.a (imports app.b) (defn .f ((b bytes_view)) bytes (app.b.g b)))",
              "app.b": "(module app.b (imports app.a) (defn .g ((b bytes_view)) bytes (view.to_bytes b)))"})
case("core_std_embedded_shadows_root", "(entry (imports std.bytes) (solve (std.bytes.reverse input)))", out(b"cba"),
     inp=b"abc", modules={"std.bytes": "(module std.bytes (defn .reverse ((b bytes_view)) bytes (bytes.lit \"shadowed\")))"})
case("core_call_without_import_unsupported", "(entry (solve (app.util.twice input)))",
     err('unsupported head: "app.util.twice"'), modules={"app.util": UTIL})
case("core_std_brand_import_error", "(entry (imports std.brand) (solve (view.to_bytes input)))",
     err('unknown module: "std.brand"; std.brand provides builtins that need no import'))

# ---------------------------------------------------------------- file format
case("core_schema_version_unsupported", dict(sx("(entry (solve (view.to_bytes input)))"), schema_version="x07.x07ast@0.2.0"),
     err('unsupported schema_version: got "x07.x07ast@0.2.0"'))
case("core_number_not_integer", dict(sx("(entry (solve (bytes1 1)))"), solve=["bytes1", 1.5]),
     err("number is not an i64: 1.5"))
case("core_number_out_of_range", dict(sx("(entry (solve (bytes1 1)))"), solve=["bytes1", 4294967295]),
     err("number out of i32 range: 4294967295"))
case("core_defn_name_prefix_error", {"schema_version": "x07.x07ast@0.3.0", "kind": "entry", "module_id": "main",
                                     "imports": [], "decls": [defn("f", [], "bytes", ["bytes.lit", "x"])],
                                     "solve": ["f"]},
     err('defn name must start with "main.", got "f"'))
case("core_input_param_name_error", {"schema_version": "x07.x07ast@0.3.0", "kind": "entry", "module_id": "main",
                                     "imports": [], "decls": [defn("main.f", [["input", "i32"]], "i32", 0)],
                                     "solve": ["bytes1", ["main.f", 1]]},
     err("defn arg name must not be 'input' (reserved)"))
case("core_dce_skips_unreachable_errors", {"schema_version": "x07.x07ast@0.3.0", "kind": "entry", "module_id": "main",
                                           "imports": [], "decls": [defn("main.broken", [], "i32", ["nope.nothing", 1])],
                                           "solve": ["bytes.lit", "fine"]},
     out(b"fine"))

# ---------------------------------------------------------------- unsafe / extern (run-os)
case("core_extern_c_call_in_unsafe", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [{"kind": "extern", "abi": "C", "name": "main.c_abs", "link_name": "abs",
               "params": [{"name": "x", "ty": "i32"}], "result": "i32"}],
    "solve": ["codec.write_u32_le", ["unsafe", ["main.c_abs", -42]]]}, out(u32(42)))
case("core_extern_requires_unsafe", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [{"kind": "extern", "abi": "C", "name": "main.c_abs", "link_name": "abs",
               "params": [{"name": "x", "ty": "i32"}], "result": "i32"}],
    "solve": ["codec.write_u32_le", ["main.c_abs", -42]]}, err("unsafe-required: main.c_abs"))

case("core_unsafe_pointer_ops", """(entry (solve (begin
  (let b (bytes.alloc 9))
  (let x 0)
  (let n (unsafe (begin
    (let p (bytes.as_mut_ptr b))
    (ptr.write_u8 p 65)
    (ptr.write_u8 (ptr.add p 1) 66)
    (let src (view.as_ptr input))
    (memcpy (ptr.cast ptr_mut_void (ptr.add p 2)) (ptr.cast ptr_const_void src) 3)
    (ptr.write_i32 (ptr.cast ptr_mut_void (ptr.add p 5)) 0x00434241)
    (ptr.write_i32 (addr_of_mut x) 7)
    (+ (ptr.read_u8 (ptr.as_const p)) (ptr.read_i32 (addr_of x))))))
  (bytes.concat b (codec.write_u32_le (+ n x))))))""", out(b"ABxyzABC\x00" + u32(65 + 7 + 7)), inp=b"xyz")
case("core_unsafe_op_outside_unsafe", "(entry (solve (begin (let b (bytes.alloc 1)) (bytes1 (ptr.read_u8 (bytes.as_ptr b))))))",
     err("unsafe-required: ptr.read_u8"))

def fnv_mix(b):
    h = 0x811C9DC5
    for c in b:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


case("core_generics_bytes_type_args", {
    "schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
    "decls": [
        {"kind": "defn", "name": "main.maxof", "type_params": [{"name": "T"}],
         "params": [{"name": "a", "ty": ["t", "T"]}, {"name": "b", "ty": ["t", "T"]}], "result": ["t", "T"],
         "body": ["if", ["ty.lt", "T", "a", "b"], "b", "a"]},
        {"kind": "defn", "name": "main.dup", "type_params": [{"name": "T"}],
         "params": [{"name": "x", "ty": ["t", "T"]}], "result": ["t", "T"],
         "body": ["begin", ["let", "c", ["ty.clone", "T", "x"]], ["ty.drop", "T", "x"], "c"]},
        {"kind": "defn", "name": "main.info", "type_params": [{"name": "T"}],
         "params": [{"name": "a", "ty": ["t", "T"]}, {"name": "b", "ty": ["t", "T"]}], "result": "bytes",
         "body": ["begin",
                  ["let", "v", ["vec_u8.with_capacity", 0]],
                  ["set", "v", ["vec_u8.push", "v", ["+", 1, ["ty.cmp", "T", "a", "b"]]]],
                  ["set", "v", ["vec_u8.push", "v", ["ty.eq", "T", "a", "a"]]],
                  ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["ty.hash32", "T", "a"]]]],
                  ["vec_u8.into_bytes", "v"]]}],
    "solve": ["begin",
              ["let", "m", ["tapp", "main.maxof", ["tys", "bytes_view"], ["bytes.view_lit", "abd"], ["bytes.view_lit", "abc"]]],
              ["let", "d", ["tapp", "main.dup", ["tys", "bytes"], ["bytes.lit", "zz"]]],
              ["bytes.concat", ["view.to_bytes", "m"],
               ["bytes.concat", "d", ["tapp", "main.info", ["tys", "bytes_view"], ["bytes.view_lit", "ab"], ["bytes.view_lit", "b"]]]]]},
    out(b"abdzz" + bytes([0, 1]) + u32(fnv_mix(b"ab"))))

CONTRACT_F = {"kind": "defn", "name": "main.f", "params": [{"name": "x", "ty": "i32"}, {"name": "b", "ty": "bytes_view"}],
              "result": "i32",
              "requires": [{"id": "x_small", "expr": ["<u", "x", 100], "witness": ["x", "b"]}],
              "ensures": [{"id": "ens_pos", "expr": ["!=", "__result", 7], "witness": ["__result"]}],
              "body": ["+", "x", ["view.len", "b"]]}
case("core_contract_requires_ok", entry([CONTRACT_F], ["codec.write_u32_le", ["main.f", 3, "input"]],
                                        version="x07.x07ast@0.5.0"), out(u32(5)), inp=b"ab")
case("core_contract_requires_violation", entry([CONTRACT_F], ["codec.write_u32_le", ["main.f", 300, "input"]],
                                               version="x07.x07ast@0.5.0"),
     {"trap": 'X07T_CONTRACT_V1 {"contract_kind":"requires","fn":"main.f","clause_id":"x_small","clause_index":0,'
              '"clause_ptr":"/decls/0/requires/0/expr","witness":[{"ty":"i32","value_i32":300},'
              '{"ty":"bytes_view","len":2}]}'}, inp=b"ab")
case("core_contract_ensures_violation", entry([CONTRACT_F], ["codec.write_u32_le", ["main.f", 5, "input"]],
                                              version="x07.x07ast@0.5.0"),
     {"trap": 'X07T_CONTRACT_V1 {"contract_kind":"ensures","fn":"main.f","clause_id":"ens_pos","clause_index":0,'
              '"clause_ptr":"/decls/0/ensures/0/expr","witness":[{"ty":"i32","value_i32":7}]}'}, inp=b"ab")
case("core_contract_needs_v05", entry([CONTRACT_F], ["codec.write_u32_le", ["main.f", 3, "input"]],
                                      version="x07.x07ast@0.4.0"),
     err("requires is only supported in x07.x07ast@0.5.0"))

case("core_f64_ops", entry([], ["begin",
    ["let", "a", ["f64.of_i32", 7]],
    ["let", "b", ["f64.mul", "a", ["f64.of_i32", 3]]],
    ["let", "h", ["f64.div", "b", ["f64.of_i32", 2]]],
    ["let", "neg", ["f64.sub", ["f64.of_i32", 0], "h"]],
    ["let", "v", ["vec_u8.with_capacity", 0]],
    ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["f64.to_i32_trunc", "h"]]]],
    ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", ["f64.to_i32_trunc", "neg"]]]],
    ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le",
                                              ["f64.to_i32_trunc", ["f64.add", "h", ["f64.of_i32", -20]]]]]],
    ["vec_u8.into_bytes", "v"]]), out(u32(10, -10, -9)))
case("core_f64_not_a_result_type", entry([defn("main.f", [], "f64", ["f64.of_i32", 1])],
                                         ["codec.write_u32_le", ["f64.to_i32_trunc", ["main.f"]]]),
     err("f64 is not a valid defn result type"))
case("core_brand_view_casts", entry(
    [defn("main.nonempty", [["v", "bytes_view"]], "result_i32",
          ["if", ["view.len", "v"], ["result_i32.ok", 0], ["result_i32.err", 9]])],
    ["begin",
     ["let", "v", ["vec_u8.with_capacity", 0]],
     ["let", "ok", ["std.brand.cast_view_v1", "main.tok", "main.nonempty", "input"]],
     ["set", "v", ["vec_u8.push", "v", ["result_bytes_view.is_ok", "ok"]]],
     ["set", "v", ["vec_u8.extend_bytes", "v",
                   ["std.brand.to_bytes_preserve_if_full_v1",
                    ["std.brand.erase_view_v1", ["result_bytes_view.unwrap_or", "ok", ["bytes.view_lit", "-"]]]]]],
     ["set", "v", ["vec_u8.push", "v", ["result_bytes_view.err_code",
                                        ["std.brand.cast_view_v1", "main.tok", "main.nonempty", ["bytes.view_lit", ""]]]]],
     ["let", "c", ["std.brand.cast_view_copy_v1", "main.tok", "main.nonempty", "input"]],
     ["set", "v", ["vec_u8.extend_bytes", "v", ["result_bytes.unwrap_or", "c", ["bytes.lit", "?"]]]],
     ["set", "v", ["vec_u8.push", "v", ["result_bytes.err_code",
                                        ["std.brand.cast_bytes_v1", "main.tok", "main.nonempty", ["bytes.alloc", 0]]]]],
     ["vec_u8.into_bytes", "v"]]), out(b"\x01hi\x09hi\x09"), inp=b"hi")
case("core_unsafe_vec_and_mem_ops", """(entry (solve (begin
  (let w (vec_u8.with_capacity 4))
  (set w (vec_u8.extend_zeroes w 6))
  (let r (unsafe (begin
    (let p (vec_u8.as_mut_ptr w))
    (memset (ptr.cast ptr_mut_void p) 120 6)
    (ptr.write_u8 (ptr.offset p 5) 65)
    (memmove (ptr.cast ptr_mut_void p) (ptr.cast ptr_const_void (ptr.add p 3)) 3)
    (let q (ptr.sub (ptr.add p 4) 1))
    (let z (ptr.null))
    (+ (ptr.read_u8 (vec_u8.as_ptr w)) (ptr.read_u8 q)))))
  (vec_u8.into_bytes (vec_u8.extend_bytes w (codec.write_u32_le r))))))""", out(b"xxAxxA" + u32(120 + 120)))


def write_cases(root):
    for d in os.listdir(root):
        if d.startswith("core_"):
            shutil.rmtree(os.path.join(root, d))
    for name, doc, expect, inp, modules, world, policy in CASES:
        d = os.path.join(root, name)
        os.makedirs(d)
        with open(os.path.join(d, "main.x07.json"), "w", encoding="utf-8") as f:
            f.write(x07sx.dump(doc) if doc.get("decls") is not None else json.dumps(doc))
        if inp is not None:
            with open(os.path.join(d, "input"), "wb") as f:
                f.write(inp)
        for mid, src in modules.items():
            mdoc = sx(src) if isinstance(src, str) else src
            p = os.path.join(d, "modules", *mid.split(".")) + ".x07.json"
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                f.write(x07sx.dump(mdoc))
        e = dict(expect)
        if world:
            e["world"] = world
        if policy:
            e["policy"] = "policy.json"
            with open(os.path.join(d, "policy.json"), "w", encoding="utf-8") as f:
                json.dump(policy, f, indent=1)
        with open(os.path.join(d, "expect.json"), "w", encoding="utf-8") as f:
            json.dump(e, f, indent=1, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "conformance", "cases")
    write_cases(root)
    print("wrote %d core cases" % len(CASES))
