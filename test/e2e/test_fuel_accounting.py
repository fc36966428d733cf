#!/usr/bin/env python3
"""Fuel is charged exactly, whatever the emitter does to make charges cheap (the charge of a
pure prefix moved into both arms of an `if`, the counter kept in a register per function,
long functions split into chunks, appends of formatted numbers and map read-modify-writes fused): each
program uses the same fuel as under the plain one-charge-per-block scheme (figures recorded
from it), runs with exactly that budget and traps "fuel exhausted" with one unit less, also
when its functions are split."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test  # noqa: E402


def entry(solve, decls=()):
    return {"schema_version": "x07.x07ast@0.8.0", "kind": "entry", "module_id": "main", "imports": [],
            "decls": list(decls), "solve": solve}


FIB = {"kind": "defn", "name": "main.fib", "params": [{"name": "k", "ty": "i32"}], "result": "i32",
       "body": ["if", ["<u", "k", 2], "k", ["+", ["main.fib", ["-", "k", 1]], ["main.fib", ["-", "k", 2]]]]}

# name -> (program, fuel_used under the one-charge-per-block scheme, for INPUT)
PROGRAMS = {
    "fib": (entry(["codec.write_u32_le", ["main.fib", ["+", 15, ["&", ["view.len", "input"], 1]]]], [FIB]), 17761),
    "loops": (entry(["begin", ["let", "s", 0],
                     ["for", "i", 0, ["view.len", "input"],
                      ["if", ["<u", ["view.get_u8", "input", "i"], 100], ["set", "s", ["+", "s", 1]],
                       ["set", "s", ["^", "s", "i"]]]],
                     ["let", "j", 0],
                     ["while", ["<u", "j", 50],
                      ["begin", ["set", "j", ["+", "j", 3]],
                       ["if", ["=", ["&", "j", 1], 0], ["set", "s", ["+", "s", "j"]], 0]]],
                     ["codec.write_u32_le", "s"]]), 986),
    "bytes": (entry(["begin", ["let", "b", ["bytes.alloc", 10]],
                     ["for", "i", 0, 10, ["set", "b", ["bytes.set_u8", "b", "i", ["main.fib", "i"]]]],
                     ["bytes.concat", "b", ["bytes.lit", "ok"]]], [FIB]), 2512),
    # vec_u8.extend_bytes of fmt.u32_to_dec / fmt.s32_to_dec / codec.write_u32_le is fused (no temporary)
    "fmt_append": (entry(["begin", ["let", "v", ["vec_u8.with_capacity", 0]],
                          ["for", "i", 0, ["view.len", "input"],
                           ["begin",
                            ["set", "v", ["vec_u8.extend_bytes", "v",
                                          ["fmt.u32_to_dec", ["*", "i", ["view.get_u8", "input", "i"]]]]],
                            ["set", "v", ["vec_u8.extend_bytes", "v", ["fmt.s32_to_dec", ["-", 40, "i"]]]],
                            ["set", "v", ["vec_u8.extend_bytes", "v", ["codec.write_u32_le", "i"]]]]],
                          ["vec_u8.into_bytes", "v"]]), 1856),
    # map_u32.set of an update of map_u32.get of the same key: one probe
    "map_update": (entry(["begin", ["let", "m", ["map_u32.new", 256]],
                          ["for", "i", 0, ["view.len", "input"],
                           ["begin", ["let", "k", ["&", ["view.get_u8", "input", "i"], 15]],
                            ["map_u32.set", "m", "k", ["+", ["map_u32.get", "m", "k", 0], "i"]]]],
                          ["map_u32.dump_kv_u32le_u32le", "m"]]), 1184),
}
INPUT = bytes(range(0, 250, 3))

# The global counter is only written at calls and returns: the figure read when
# os.process.exit ends the run, and what a budget scope's fuel cap sees, stay exact.
EXIT_PROGRAM = (entry(["begin", ["let", "s", 0],
                       ["for", "i", 0, ["view.len", "input"], ["set", "s", ["+", "s", ["main.fib", ["&", "i", 7]]]]],
                       ["let", "j", 0], ["while", ["<u", "j", 30], ["set", "j", ["+", "j", ["main.fib", 3]]]],
                       ["if", ["=", ["&", "s", 1], 1], ["os.process.exit", 3], 0], ["os.process.exit", 4],
                       ["bytes.alloc", 0]], [FIB]), 10083)


def budget_program(cap):
    body = ["begin", ["let", "s", 0],
            ["for", "i", 0, ["view.len", "input"], ["set", "s", ["+", "s", ["main.fib", ["&", "i", 3]]]]],
            ["result_bytes.ok", ["codec.write_u32_le", "s"]]]
    scope = ["budget.scope_v1", ["budget.cfg_v1", ["mode", "result_err_v1"], ["label", ["bytes.lit", "f"]],
                                 ["fuel", cap]], body]
    return entry(["begin", ["let", "r", scope],
                  ["if", ["result_bytes.is_ok", "r"], ["result_bytes.unwrap_or", "r", ["bytes.lit", "?"]],
                   ["codec.write_u32_le", ["result_bytes.err_code", "r"]]]], [FIB])


class FuelAccounting(unittest.TestCase):
    def test_exact_fuel(self):
        with x07test.TempDir() as d:
            inp = x07test.write(os.path.join(d, "in"), INPUT)
            for name, (prog, want) in PROGRAMS.items():
                src = x07test.write(os.path.join(d, name + ".x07.json"), json.dumps(prog))
                for split in ("0", "12"):
                    env = {"X07_SPLIT_ABOVE": split}
                    _, rep = x07test.runner_report(["--program", src, "--input", inp], env=env)
                    self.assertTrue(rep["solve"]["ok"], (name, split, rep["solve"]["trap"]))
                    self.assertEqual(rep["solve"]["fuel_used"], want, (name, split))
                    _, rep = x07test.runner_report(["--program", src, "--input", inp, "--solve-fuel", str(want)], env=env)
                    self.assertTrue(rep["solve"]["ok"], (name, split, rep["solve"]["trap"]))
                    _, rep = x07test.runner_report(["--program", src, "--input", inp, "--solve-fuel", str(want - 1)],
                                                   env=env)
                    self.assertEqual(rep["solve"]["trap"], "fuel exhausted", (name, split))

    def test_exact_fuel_with_huge_budgets(self):
        # the counter starts at most at 2^63-1 (charges trap on a negative count): fuel_used stays exact
        prog, want = PROGRAMS["fmt_append"]
        with x07test.TempDir() as d:
            inp = x07test.write(os.path.join(d, "in"), INPUT)
            src = x07test.write(os.path.join(d, "p.x07.json"), json.dumps(prog))
            for fuel in (2 ** 64 - 1, 2 ** 63, 2 ** 63 - 1):
                _, rep = x07test.runner_report(["--program", src, "--input", inp, "--solve-fuel", str(fuel)])
                self.assertTrue(rep["solve"]["ok"], (fuel, rep["solve"]["trap"]))
                self.assertEqual(rep["solve"]["fuel_used"], want, fuel)

    def test_exact_fuel_at_process_exit(self):
        prog, want = EXIT_PROGRAM
        with x07test.TempDir() as d:
            inp = x07test.write(os.path.join(d, "in"), INPUT)
            src = x07test.write(os.path.join(d, "exit.x07.json"), json.dumps(prog))
            for split in ("0", "12"):
                _, rep = x07test.runner_report(["--program", src, "--input", inp], env={"X07_SPLIT_ABOVE": split})
                self.assertEqual(rep["solve"]["exit_status"], 4, split)
                self.assertEqual(rep["solve"]["fuel_used"], want, split)

    def test_budget_fuel_cap_sees_exact_fuel(self):
        with x07test.TempDir() as d:
            inp = x07test.write(os.path.join(d, "in"), INPUT)
            for cap, trap in ((5000, None), (500, "X07T_BUDGET_EXCEEDED_FUEL")):
                src = x07test.write(os.path.join(d, "budget%d.x07.json" % cap), json.dumps(budget_program(cap)))
                _, rep = x07test.runner_report(["--program", src, "--input", inp])
                self.assertEqual(rep["solve"]["trap"], trap, cap)
                if trap is None:
                    self.assertEqual(rep["solve"]["fuel_used"], 2171)


if __name__ == "__main__":
    unittest.main()
