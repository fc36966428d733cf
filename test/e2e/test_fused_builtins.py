#!/usr/bin/env python3
"""Builtin pairs the compiler fuses (lower.cpp), each checked against the same program written
so that it is not fused (the inner value bound by `let` first) and against Python:

- vec_u8.extend_bytes of fmt.u32_to_dec / fmt.s32_to_dec / codec.write_u32_le: one runtime call
  writes the number straight into the vec (lower_fused_append). Same output, same allocations,
  frees, reallocations and copied bytes in mem_stats, an alloc_calls budget trips at the same count.
- map_u32.set(m, k, f(map_u32.get(m, k, d))): one probe for both (lower_map_update). Same output
  and the same traps (invalid handle, key -1, full table)."""
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


def map_program(key, fused, cap=64, handle="m"):
    """per input byte: k = key; m[k] = m.get(k, 7) * x + i; m[k] = m.get(k, 0);
    x = set(m, k + 1, m.get(k, 1) - 1) (another key: never fused); then the dump and x"""
    def update(k, value_of):
        if fused:
            return [["map_u32.set", handle, k, value_of(["map_u32.get", handle, k, value_of.default])]]
        return [["begin", ["let", "g", ["map_u32.get", handle, k, value_of.default]],
                 ["map_u32.set", handle, k, value_of("g")]]]

    def affine(g):
        return ["+", ["*", g, "x"], "i"]
    affine.default = 7

    def same(g):
        return g
    same.default = 0
    return entry(["begin", ["let", "m", ["map_u32.new", cap]], ["let", "x", 3],
                  ["for", "i", 0, ["view.len", "input"],
                   ["begin", ["let", "k", key]] + update("k", affine) + update("k", same)
                   + [["set", "x", ["map_u32.set", handle, ["+", "k", 1], ["-", ["map_u32.get", handle, "k", 1], 1]]]]],
                  ["bytes.concat", ["map_u32.dump_kv_u32le_u32le", "m"], ["codec.write_u32_le", "x"]]])


def expected_map(data, key):
    """(the map as a dict, x) computed in Python"""
    m, x = {}, 3
    for i, b in enumerate(data):
        k = key(b)
        m[k] = (m.get(k, 7) * x + i) & 0xFFFFFFFF
        x = int(k + 1 not in m)
        m[k + 1] = (m.get(k, 1) - 1) & 0xFFFFFFFF
    return m, x


def parse_map_output(out):
    pairs = [struct.unpack_from("<II", out, o) for o in range(0, len(out) - 4, 8)]
    return dict(pairs), struct.unpack_from("<I", out, len(out) - 4)[0]


COUNTERS = ("alloc_calls", "free_calls", "realloc_calls", "bytes_alloc_total", "bytes_freed_total", "memcpy_bytes",
            "live_bytes")


class FusedAppends(unittest.TestCase):
    def run_report(self, d, name, prog, data=b""):
        src = os.path.join(d, name + ".x07.json")
        inp = os.path.join(d, name + ".in")
        with open(src, "w") as f:
            json.dump(prog, f)
        with open(inp, "wb") as f:
            f.write(data)
        _, rep = x07test.runner_report(["--program", src, "--input", inp])
        self.assertTrue(rep["compile"]["ok"], rep["compile"]["compile_error"])
        return rep

    def run_program(self, d, name, prog, data=b""):
        rep = self.run_report(d, name, prog, data)
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

    def test_map_update_same_as_unfused(self):
        data = bytes((i * 91 + 5) & 255 for i in range(300))
        with x07test.TempDir() as d:
            fused_out, _ = self.run_program(d, "fused", map_program(["&", ["view.get_u8", "input", "i"], 15], True), data)
            plain_out, _ = self.run_program(d, "plain", map_program(["&", ["view.get_u8", "input", "i"], 15], False), data)
        self.assertEqual(fused_out, plain_out)
        self.assertEqual(parse_map_output(fused_out), expected_map(data, lambda b: b & 15))

    def test_map_update_traps_as_unfused(self):
        data = bytes(range(1, 200))
        cases = {  # key expression, cap, handle -> trap
            "full": (["view.get_u8", "input", "i"], 16, "m", "map_u32 full"),
            "key_minus_1": (["-", 0, 1], 64, "m", "map_u32.get key=-1 reserved"),
            "bad_handle": (["view.get_u8", "input", "i"], 64, "x", "map_u32 invalid handle"),
        }
        with x07test.TempDir() as d:
            for name, (key, cap, handle, trap) in cases.items():
                for fused in (True, False):
                    rep = self.run_report(d, name, map_program(key, fused, cap, handle), data)
                    self.assertFalse(rep["solve"]["ok"], (name, fused))
                    self.assertEqual(rep["solve"]["trap"], trap, (name, fused))

    def test_unknown_or_wrong_kind_handles_trap(self):
        # an unknown handle selects the runtime's invalid sentinel table, which matches no kind
        cases = {
            "set_as_map": (["begin", ["let", "s", ["set_u32.new", 8]], ["codec.write_u32_le", ["map_u32.get", "s", 1, 0]]],
                           "map_u32 invalid handle"),
            "map_as_set": (["begin", ["let", "s", ["map_u32.new", 8]], ["codec.write_u32_le", ["set_u32.contains", "s", 1]]],
                           "set_u32 invalid handle"),
            "zero": (["codec.write_u32_le", ["map_u32.set", 0, 1, 2]], "map_u32 invalid handle"),
            "minus_one": (["codec.write_u32_le", ["set_u32.add", -1, 1]], "set_u32 invalid handle"),
        }
        with x07test.TempDir() as d:
            for name, (solve, trap) in cases.items():
                rep = self.run_report(d, name, entry(solve))
                self.assertEqual(rep["solve"]["trap"], trap, name)

    def test_inline_alloc_keeps_needed_bounds_checks(self):
        # bytes.alloc is inline (its length is visible to gcc): a loop bounded by the length
        # runs without checks, one step past it still traps where upstream's does
        def fill(cmp):
            return entry(["begin", ["let", "n", ["view.len", "input"]], ["let", "b", ["bytes.alloc", "n"]],
                          ["let", "j", 0],
                          ["while", [cmp, "j", "n"],
                           ["begin", ["set", "b", ["bytes.set_u8", "b", "j", ["+", "j", 1]]], ["set", "j", ["+", "j", 1]]]],
                          "b"])
        with x07test.TempDir() as d:
            out, _ = self.run_program(d, "inside", fill("<u"), bytes(20))
            self.assertEqual(out, bytes(range(1, 21)))
            rep = self.run_report(d, "past", fill("<=u"), bytes(20))
            self.assertEqual(rep["solve"]["trap"], "bytes.set_u8 oob ptr=/solve/4/2/1/2")

    def test_alloc_calls_budget_counts_the_temporaries(self):
        with x07test.TempDir() as d:
            for fused in (True, False):
                out, _ = self.run_program(d, "ok", budget_program(5, fused))
                self.assertEqual(out, b"123456-77" + struct.pack("<I", 5), fused)
                out, _ = self.run_program(d, "over", budget_program(4, fused))
                self.assertEqual(out, struct.pack("<I", 0x80000002), fused)  # alloc_calls exceeded


if __name__ == "__main__":
    unittest.main()
