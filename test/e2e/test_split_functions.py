#!/usr/bin/env python3
"""Differential test of the C emitter's splitting of long functions into chunk functions:
seeded random programs (long bodies, loops whose bodies are split so `break` crosses a
chunk, early `return` from inside chunks, owned bytes dropped and moved across chunks, a
helper function called with them) must give the same output and the same trap with the
split forced on small functions (X07_SPLIT_ABOVE=12) and off (X07_SPLIT_ABOVE=0)."""
import json
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test  # noqa: E402


def program(rnd):
    def val():
        return rnd.choice([["view.len", "input"], "acc", ["bytes.len", "b"], 3, 255,
                           ["view.get_u8", "input", ["%", "acc", ["+", ["view.len", "input"], 1]]]])

    def stmt(depth):
        c = rnd.randint(0, 7 if depth > 0 else 3)
        if c == 0:
            return ["set", "acc", ["+", ["*", "acc", 31], val()]]
        if c == 1:
            return ["set", "b", ["bytes.concat", "b", ["codec.write_u32_le", "acc"]]]
        if c == 2:
            return ["set", "acc", ["^", "acc", ["main.mix", ["bytes.view", "b"], val()]]]
        if c == 3:
            return ["set", "b", ["bytes.slice", ["bytes.view", "b"], 1, ["-", ["bytes.len", "b"], 1]]]
        if c == 4:
            return ["for", "i", 0, rnd.choice([3, 5, ["view.len", "input"]]),
                    ["begin"] + [stmt(depth - 1) for _ in range(rnd.randint(2, 6))]
                    + [["if", ["=", ["&", "acc", 7], rnd.randint(0, 7)], ["set", "i", 1000], 0]]]
        if c == 5:
            return ["if", ["<u", ["&", "acc", 15], rnd.randint(0, 15)],
                    ["begin"] + [stmt(depth - 1) for _ in range(rnd.randint(1, 5))] + [0],
                    ["begin"] + [stmt(depth - 1) for _ in range(rnd.randint(1, 5))] + [0]]
        if c == 6:
            return ["if", ["=", ["&", "acc", 63], rnd.randint(0, 63)],
                    ["return", ["bytes.concat", ["codec.write_u32_le", "acc"], "b"]], 0]
        return ["let", "t%d" % rnd.randint(0, 1 << 30), ["bytes.lit", "xy"]]

    body = ["begin", ["let", "acc", 1], ["let", "b", ["bytes.lit", "seed"]]]
    body += [stmt(2) for _ in range(rnd.randint(10, 30))]
    body.append(["bytes.concat", ["codec.write_u32_le", "acc"], "b"])
    mix = {"kind": "defn", "name": "main.mix", "params": [{"name": "v", "ty": "bytes_view"}, {"name": "k", "ty": "i32"}],
           "result": "i32", "body": ["begin", ["let", "h", "k"],
                                     ["for", "i", 0, ["view.len", "v"],
                                      ["set", "h", ["+", ["*", "h", 33], ["view.get_u8", "v", "i"]]]], "h"]}
    return {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
            "decls": [mix], "solve": body}


class SplitFunctions(unittest.TestCase):
    def test_same_results_split_or_not(self):
        rnd = random.Random(20261203)
        compiled = 0
        with x07test.TempDir() as d:
            for n in range(6):
                src = os.path.join(d, "p%d.x07.json" % n)
                with open(src, "w") as f:
                    json.dump(program(rnd), f)
                inp = os.path.join(d, "in")
                with open(inp, "wb") as f:
                    f.write(bytes(range(1, 12)))
                # a compile error (e.g. a generated use-after-move) must be the same either way
                results = [x07test.outcome(["--program", src, "--input", inp, "--solve-fuel", "2000000"],
                                           {"X07_SPLIT_ABOVE": above}, ("solve_output_b64", "trap", "fuel_used"))
                           for above in ("0", "12")]
                self.assertEqual(results[0], results[1], "program %d" % n)
                compiled += isinstance(results[0], tuple)
            self.assertGreater(compiled, 3)


if __name__ == "__main__":
    unittest.main()
