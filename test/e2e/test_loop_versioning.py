#!/usr/bin/env python3
"""Differential test of the compiler's loop versioning: seeded random programs
whose `for` loops read `input`, bytes locals and a view local, and write a bytes
local, at indexes affine in the loop variable (in and out of bounds), must give
the same output and the same trap with the optimization on and off
(X07_NO_LOOP_VERSIONING=1)."""
import json
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test  # noqa: E402


def program(rnd):
    def bound():
        return rnd.choice([0, 1, 3, 5, ["view.len", "input"], ["+", ["view.len", "input"], 1],
                           ["-", ["view.len", "input"], 1], ["bytes.len", "b"], ["view.len", "w"], -1])

    def idx(i):
        return rnd.choice([i, ["+", i, rnd.choice([0, 1, 2, -1, "n"])], ["+", rnd.choice([1, "n"]), i],
                           ["-", rnd.choice([0, 3, 5, "n", ["-", "n", 1], ["view.len", "input"]]), i], ["-", i, 1]])

    def read(i):
        return rnd.choice([["view.get_u8", "input", idx(i)], ["bytes.get_u8", "b", idx(i)],
                           ["view.get_u8", "w", idx(i)], ["bytes.get_u8", "c", idx(i)]])

    def body(i, depth):
        c = rnd.randint(0, 4 if depth > 0 else 2)
        if c == 0:
            return ["set", "acc", ["+", ["*", "acc", 3], read(i)]]
        if c == 1:
            return ["begin", ["set", "acc", ["^", "acc", read(i)]], ["set", "acc", ["+", "acc", read(i)]]]
        if c == 2:
            return rnd.choice([
                ["if", ["&", "acc", 1], ["set", "b", ["bytes.lit", "zz"]], ["set", "acc", ["+", "acc", read(i)]]],
                ["set", "c", ["bytes.set_u8", "c", idx(i), ["+", "acc", read(i)]]],
                ["begin", ["set", "c", ["bytes.set_u8", "c", idx(i), 7]],
                 ["set", "acc", ["+", "acc", ["bytes.get_u8", "c", idx(i)]]]]])
        if c == 3:
            return ["for", "j", bound(), bound(), body("j", depth - 1)]
        return ["begin", ["set", "acc", ["+", "acc", read(i)]], ["for", "k", 0, 2, body(i, depth - 1)]]

    return {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [], "decls": [],
            "solve": ["begin", ["let", "acc", 0], ["let", "b", ["bytes.lit", "hello!"]],
                      ["let", "c", ["bytes.alloc", ["+", ["view.len", "input"], 1]]], ["let", "n", ["view.len", "input"]],
                      ["let", "w", ["view.slice", "input", 0, ["/", ["view.len", "input"], 2]]],
                      ["for", "i", bound(), bound(), body("i", 2)],
                      ["bytes.concat", ["codec.write_u32_le", "acc"], "c"]]}


class LoopVersioning(unittest.TestCase):
    def test_same_results_with_and_without(self):
        rnd = random.Random(20261123)
        compiled = 0
        with x07test.TempDir() as d:
            for n in range(16):
                src = os.path.join(d, "p%d.x07.json" % n)
                with open(src, "w") as f:
                    json.dump(program(rnd), f)
                for k, data in enumerate((b"ab", bytes(range(1, 30)))):
                    inp = os.path.join(d, "in%d" % k)
                    with open(inp, "wb") as f:
                        f.write(data)
                    # a compile error (e.g. a generated use-after-move) must be the same either way
                    results = [x07test.outcome(["--program", src, "--input", inp], {"X07_NO_LOOP_VERSIONING": off},
                                               ("solve_output_b64", "trap")) for off in (None, "1")]
                    self.assertEqual(results[0], results[1], "program %d input %d" % (n, k))
                    compiled += isinstance(results[0], tuple)
            self.assertGreater(compiled, 16)


if __name__ == "__main__":
    unittest.main()
