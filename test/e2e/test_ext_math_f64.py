"""math.f64.* builtins, the std.math.f64 module and std.math.i32 (f64 = 8-byte little-endian
binary64): arithmetic, libm functions, canonical text, parse/convert error codes,
the wrong-length trap; the same program runs sandboxed with an all-off policy."""
import struct
import unittest

import os_e2e as oe
import x07test as t


def f(x):
    """An f64 constant as 8 literal bytes, built with bytes.set_u8."""
    b = struct.pack("<d", x)
    e = ["bytes.alloc", 8]
    for i, v in enumerate(b):
        e = ["bytes.set_u8", e, i, v]
    return e


def txt(e):
    return ["std.math.f64.fmt_shortest_v1", e]


def parsed(s):
    return ["result_bytes.unwrap_or", ["std.math.f64.parse_v1", ["bytes.view_lit", s]], ["bytes.alloc", 0]]


def err_of(e):
    return ["fmt.u32_to_dec", ["result_bytes.err_code", e]]


def join(parts):
    """solve body: the parts' bytes separated by ';'."""
    body = ["begin", ["let", "v", ["vec_u8.with_capacity", 256]]]
    for i, p in enumerate(parts):
        if i:
            body.append(["set", "v", ["vec_u8.push", "v", 59]])
        body += [["let", "p%d" % i, p], ["set", "v", ["vec_u8.extend_bytes", "v", "p%d" % i]]]
    body.append(["vec_u8.into_bytes", "v"])
    return body


M = "std.math.f64."
CASES = [
    (txt(["std.math.f64.from_i32_v1", 1]), "1"),
    (txt([M + "add_v1", f(0.1), f(0.2)]), "0.30000000000000004"),
    (txt([M + "div_v1", f(1.0), f(3.0)]), "0.3333333333333333"),
    (txt([M + "sqrt_v1", f(2.0)]), "1.4142135623730951"),
    (txt(parsed("1e21")), "1e21"),
    (txt(parsed("1e15")), "1000000000000000"),
    (txt(parsed("1e16")), "1e16"),
    (txt(parsed("1.5e17")), "1.5e17"),
    (txt(parsed("0.00001")), "0.00001"),
    (txt(parsed("1e-7")), "1e-7"),
    (txt(parsed("  -2.50  ")), "-2.5"),
    (txt(parsed("+.5")), "0.5"),
    (txt([M + "neg_zero_v1"]), "-0"),
    (txt(parsed("NaN")), "nan"),
    (txt([M + "div_v1", f(1.0), f(0.0)]), "inf"),
    (txt(parsed("-inf")), "-inf"),
    (err_of([M + "parse_v1", ["bytes.view_lit", "abc"]]), "40001"),
    (err_of([M + "parse_v1", ["bytes.view_lit", "1e400"]]), "40002"),
    (err_of([M + "parse_v1", ["bytes.view_lit", "1.2.3"]]), "40001"),
    (err_of([M + "parse_v1", ["bytes.view_lit", ""]]), "40001"),
    (["fmt.s32_to_dec", ["result_i32.unwrap_or", [M + "to_i32_trunc_v1", f(-3.9)], 0]], "-3"),
    (["fmt.u32_to_dec", ["result_i32.err_code", [M + "to_i32_trunc_v1", f(3e9)]]], "40021"),
    (["fmt.u32_to_dec", ["result_i32.err_code", [M + "to_i32_trunc_v1", [M + "nan_v1"]]]], "40020"),
    (txt([M + "sin_v1", f(0.0)]), "0"),
    (txt([M + "cos_v1", f(0.0)]), "1"),
    (txt([M + "exp_v1", f(1.0)]), "2.718281828459045"),
    (txt([M + "log_v1", f(1.0)]), "0"),
    (txt([M + "pow_v1", f(2.0), f(10.0)]), "1024"),
    (txt([M + "atan2_v1", f(0.0), f(-1.0)]), "3.141592653589793"),
    (txt([M + "floor_v1", f(-1.5)]), "-2"),
    (txt([M + "ceil_v1", f(-1.5)]), "-1"),
    (txt([M + "abs_v1", f(-7.25)]), "7.25"),
    (txt([M + "min_v1", f(1.0), [M + "nan_v1"]]), "nan"),
    (txt([M + "max_v1", f(1.0), f(2.0)]), "2"),
    (["fmt.s32_to_dec", [M + "total_cmp_v1", [M + "neg_zero_v1"], [M + "zero_v1"]]], "-1"),
    (["fmt.u32_to_dec", [M + "cmp_u8_v1", f(2.0), f(1.0)]], "2"),
    (["fmt.u32_to_dec", [M + "is_nan_v1", [M + "nan_v1"]]], "1"),
    (["fmt.u32_to_dec", [M + "is_inf_v1", [M + "neg_inf_v1"]]], "1"),
    (["fmt.u32_to_dec", [M + "is_finite_v1", [M + "inf_v1"]]], "0"),
    (err_of([M + "from_bits_u64le_v1", ["bytes.view_lit", "abc"]]), "40010"),
    (["fmt.s32_to_dec", ["std.math.i32.clamp_v1", -5, 0, 10]], "0"),
    (["fmt.s32_to_dec", ["std.math.i32.clamp_v1", 50, 0, 10]], "10"),
    (["fmt.s32_to_dec", ["std.math.i32.abs_v1", -7]], "7"),
    (["fmt.s32_to_dec", ["std.math.i32.min_v1", -7, 3]], "-7"),
    (["fmt.s32_to_dec", ["std.math.i32.max_v1", -7, 3]], "3"),
]
# raw bits: 1.0 and a NaN with a payload (to_bits keeps the payload, arithmetic canonicalizes it)
PAYLOAD_NAN = struct.unpack("<d", bytes([1, 0, 0, 0, 0, 0, 0xF8, 0x7F]))[0]
BITS = ["bytes.concat", [M + "to_bits_u64le_v1", [M + "one_v1"]],
        ["bytes.concat", [M + "to_bits_u64le_v1", f(PAYLOAD_NAN)], [M + "add_v1", f(PAYLOAD_NAN), [M + "one_v1"]]]]
BAD_LEN = [M + "sqrt_v1", ["bytes.view_lit", "abc"]]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class MathF64(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir()
        d = cls.tmp.path
        imps = ["std.math.f64", "std.math.i32"]
        cls.cases = oe.write_entry(d, "cases", oe.entry(join([c for c, _ in CASES]), imps))
        cls.bits = oe.write_entry(d, "bits", oe.entry(BITS, imps))
        cls.bad_len = oe.write_entry(d, "bad_len", oe.entry(BAD_LEN, imps))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def test_cases_in_both_worlds(self):
        want = ";".join(e for _, e in CASES).encode()
        for policy in (None, t.base_policy()):  # no OS capability needed
            with self.subTest(sandboxed=policy is not None):
                o = oe.run_program(self.cases, self.tmp.path, "run-os" if policy is None else "run-os-sandboxed",
                                   policy)
                self.assertIsNone(o.compile_error)
                got = o.output.split(b";")
                for (expr, exp), g in zip(CASES, got):
                    self.assertEqual(g.decode(), exp, expr)
                self.assertEqual(o.output, want)

    def test_bits(self):
        o = oe.run_program(self.bits, self.tmp.path, "run-os")
        one = struct.pack("<d", 1.0)
        payload_nan = bytes([1, 0, 0, 0, 0, 0, 0xF8, 0x7F])
        canonical_nan = struct.pack("<Q", 0x7FF8000000000000)
        self.assertEqual(o.output, one + payload_nan + canonical_nan)

    def test_wrong_length_traps(self):
        o = oe.run_program(self.bad_len, self.tmp.path, "run-os")
        self.assertEqual(o.trap, "math.f64: an f64 value must be 8 bytes, got 3")


if __name__ == "__main__":
    unittest.main()
