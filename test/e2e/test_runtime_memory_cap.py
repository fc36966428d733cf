"""A memory cap equal to the address-space limit (a policy's limits.mem_bytes) still
leaves the program a working heap: the runtime's arena shrinks to the space that is left
after code, stack and libraries, and a program that asks for more than that traps with
"out of memory" (not "calloc failed" at start-up, which upstream's own deny-time policy
with a 64 MiB cap used to hit)."""
import json
import os
import shutil
import tempfile
import unittest

import x07test as t


@unittest.skipUnless(t.compiler_works(), "no working C compiler")
class MemoryCapTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="x07mem_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_capped(self, solve, mem_bytes):
        prog = t.write_program(self.dir, solve)
        pol = os.path.join(self.dir, "policy.json")
        limits = {"cpu_ms": 5000, "wall_ms": 20000, "mem_bytes": mem_bytes, "fds": 64, "procs": 64}
        t.write(pol, json.dumps(t.base_policy(limits=limits)))
        _, report = t.runner_report(["--program", prog, "--world", "run-os-sandboxed", "--policy", pol],
                                    cwd=self.dir)
        return report["solve"]

    def test_small_cap_runs(self):
        for cap in (16 << 20, 64 << 20):
            with self.subTest(cap=cap):
                solve = self.run_capped(["codec.write_u32_le", ["bytes.len", ["bytes.alloc", 1 << 20]]], cap)
                self.assertTrue(solve["ok"], solve.get("trap"))
                self.assertEqual(t.b64d(solve["solve_output_b64"]), (1 << 20).to_bytes(4, "little"))

    def test_more_than_the_cap_is_out_of_memory(self):
        solve = self.run_capped(["codec.write_u32_le", ["bytes.len", ["bytes.alloc", 100 << 20]]], 64 << 20)
        self.assertEqual(solve["trap"], "out of memory")


if __name__ == "__main__":
    unittest.main()
