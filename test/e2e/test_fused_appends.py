#!/usr/bin/env python3
"""vec_u8.extend_bytes of fmt.u32_to_dec / fmt.s32_to_dec / codec.write_u32_le is compiled into
one runtime call that writes the number straight into the vec (lower.cpp lower_fused_append).
The fused program must print exactly what the same appends through a `let`-bound temporary
print (and what Python computes), count the same allocations, frees, reallocations and copied
bytes in mem_stats, and trip an alloc_calls budget at the same count."""
import base64
import json
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test  # noqa: E402

PRODUCERS = ("fmt.u32_to_dec", "fmt.s32_to_dec", "codec.write_u32_le")


def entry(solve):
    return {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [], "decls": [],
            "solve": solve}


def append(producer, value, fused):
    """(statements) appending producer(value) to v, directly or through a let-bound temporary"""
    if fused:
        return [["set", "v", ["vec_u8.extend_bytes", "v", [producer, value]]]]
    return [["begin", ["let", "tmp", [producer, value]], ["set", "v", ["vec_u8.extend_bytes", "v", "tmp"]]]]


def values_program(fused):
    # per input byte x at i: x * 16777259 (up to 10 digits), 40 - i*7919 (negatives), i * -1640531535
    body = (append("fmt.u32_to_dec", ["*", ["view.get_u8", "input", "i"], 16777259], fused)
            + append("fmt.s32_to_dec", ["-", 40, ["*", "i", 7919]], fused)
            + append("codec.write_u32_le", ["*", "i", -1640531535], fused)
            + [["set", "v", ["vec_u8.push", "v", 44]]])
    tail = []
    for producer, value in (("fmt.s32_to_dec", -2147483648), ("fmt.s32_to_dec", 0), ("fmt.u32_to_dec", 0),
                            ("fmt.u32_to_dec", -1), ("fmt.s32_to_dec", 2147483647), ("fmt.u32_to_dec", 9),
                            ("fmt.u32_to_dec", 10), ("fmt.s32_to_dec", -1)):
        tail += [["begin"] + append(producer, value, fused)]
    return entry(["begin", ["let", "v", ["vec_u8.with_capacity", 0]],
                  ["for", "i", 0, ["view.len", "input"], ["begin"] + body],
                  *tail, ["vec_u8.into_bytes", "v"]])


def expected_values(data):
    def s32(x):
        x &= 0xFFFFFFFF
        return x - (1 << 32) if x >= 1 << 31 else x
    out = b""
    for i, x in enumerate(data):
        out += str((x * 16777259) & 0xFFFFFFFF).encode() + str(s32(40 - i * 7919)).encode()
        out += struct.pack("<I", (i * -1640531535) & 0xFFFFFFFF) + b","
    for v in ("-2147483648", "0", "0", "4294967295", "2147483647", "9", "10", "-1"):
        out += v.encode()
    return out


def budget_program(cap, fused):
    # one allocation for the vec (capacity reserved: no growth) + one per appended temporary,
    # two for a negative fmt.s32_to_dec (the digits, then "-" + digits): 5 in all
    body = []
    for producer, value in (("fmt.u32_to_dec", 123456), ("fmt.s32_to_dec", -77), ("codec.write_u32_le", 5)):
        body += [["begin"] + append(producer, value, fused)]
    scope = ["budget.scope_v1", ["budget.cfg_v1", ["mode", "result_err_v1"], ["label", ["bytes.lit", "appends"]],
                                 ["alloc_calls", cap]],
             ["begin", ["let", "v", ["vec_u8.with_capacity", 64]], *body,
              ["result_bytes.ok", ["vec_u8.into_bytes", "v"]]]]
    return entry(["begin", ["let", "r", scope],
                  ["if", ["result_bytes.is_ok", "r"], ["result_bytes.unwrap_or", "r", ["bytes.lit", "?"]],
                   ["codec.write_u32_le", ["result_bytes.err_code", "r"]]]])


COUNTERS = ("alloc_calls", "free_calls", "realloc_calls", "bytes_alloc_total", "bytes_freed_total", "memcpy_bytes",
            "live_bytes")


class FusedAppends(unittest.TestCase):
    def run_program(self, d, name, prog, data=b""):
        src = os.path.join(d, name + ".x07.json")
        inp = os.path.join(d, name + ".in")
        with open(src, "w") as f:
            json.dump(prog, f)
        with open(inp, "wb") as f:
            f.write(data)
        _, rep = x07test.runner_report(["--program", src, "--input", inp])
        self.assertTrue(rep["compile"]["ok"], rep["compile"]["compile_error"])
        self.assertTrue(rep["solve"]["ok"], rep["solve"]["trap"])
        return base64.b64decode(rep["solve"]["solve_output_b64"]), rep["solve"]["mem_stats"]

    def test_same_output_and_allocation_counts_as_unfused(self):
        data = bytes((i * 37 + 11) & 255 for i in range(700))
        with x07test.TempDir() as d:
            fused_out, fused_mem = self.run_program(d, "fused", values_program(True), data)
            plain_out, plain_mem = self.run_program(d, "plain", values_program(False), data)
        self.assertEqual(fused_out, expected_values(data))
        self.assertEqual(plain_out, fused_out)
        for k in COUNTERS:
            self.assertEqual(fused_mem[k], plain_mem[k], k)
        self.assertGreater(fused_mem["alloc_calls"], 3 * len(data))  # the temporaries are counted

    def test_alloc_calls_budget_counts_the_temporaries(self):
        with x07test.TempDir() as d:
            for fused in (True, False):
                out, _ = self.run_program(d, "ok", budget_program(5, fused))
                self.assertEqual(out, b"123456-77" + struct.pack("<I", 5), fused)
                out, _ = self.run_program(d, "over", budget_program(4, fused))
                self.assertEqual(out, struct.pack("<I", 0x80000002), fused)  # alloc_calls exceeded


if __name__ == "__main__":
    unittest.main()
