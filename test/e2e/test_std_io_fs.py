"""std.fs, std.io and std.io.bufread on real files in run-os and under a sandbox policy."""
import json
import os
import unittest

import x07test
from x07test import TempDir, write, b64d

SOLVE = ["begin",
         ["let", "out", ["vec_u8.with_capacity", 64]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.fs.read", ["bytes.view_lit", "d/a.txt"]]]],
         ["let", "r", ["std.fs.open_read", ["bytes.view_lit", "d/a.txt"]]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.io.read", "r", 5]]],
         ["set", "out", ["vec_u8.push", "out", 124]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.io.read_all", "r"]]],
         ["let", "br", ["std.io.bufread.new", ["std.fs.open_read", ["bytes.view_lit", "d/a.txt"]], 4]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.io.bufread.fill", "br"]]],
         ["std.io.bufread.consume", "br", 2],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.io.bufread.fill", "br"]]],
         ["set", "out", ["vec_u8.push", "out", 124]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.fs.list_dir", ["bytes.view_lit", "d"]]]],
         ["set", "out", ["vec_u8.push", "out", 124]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.fs.list_dir_sorted", ["bytes.view_lit", "d"]]]],
         ["set", "out", ["vec_u8.push", "out", 124]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.fs.read_task", ["bytes.lit", "d/b.txt"]]]],
         ["set", "out", ["vec_u8.push", "out", 124]],
         ["set", "out", ["vec_u8.extend_bytes", "out", ["std.fs.list_dir", ["bytes.view_lit", "missing"]]]],
         ["vec_u8.into_bytes", "out"]]

EXPECTED = (b"hello world\nhello| world\nhellll|a.txt\nb.txt\nsub\n|a.txt\nb.txt\nsub|b|")


class StdIoFs(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        write(os.path.join(self.dir, "d/a.txt"), "hello world\n")
        write(os.path.join(self.dir, "d/b.txt"), "b")
        os.makedirs(os.path.join(self.dir, "d/sub"))
        self.prog = x07test.write_program(self.dir, SOLVE, imports=["std.fs", "std.io", "std.io.bufread"])

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_run_os(self):
        _, rep = x07test.runner_report(["--program", self.prog, "--world", "run-os"], expect_exit=0, cwd=self.dir)
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]), EXPECTED)

    def test_sandboxed_policy_applies(self):
        fs = {"enabled": True, "read_roots": ["d"], "write_roots": [], "deny_hidden": True, "allow_walk": True,
              "max_entries": 16}
        pol = os.path.join(self.dir, "policy.json")
        write(pol, json.dumps(x07test.base_policy(fs=fs)))
        _, rep = x07test.runner_report(["--program", self.prog, "--world", "run-os-sandboxed", "--policy", pol],
                                       expect_exit=0, cwd=self.dir)
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]), EXPECTED)
        fs["allow_walk"] = False  # listing refused by the policy: list_dir answers no names
        write(pol, json.dumps(x07test.base_policy(fs=fs)))
        _, rep = x07test.runner_report(["--program", self.prog, "--world", "run-os-sandboxed", "--policy", pol],
                                       expect_exit=0, cwd=self.dir)
        self.assertEqual(b64d(rep["solve"]["solve_output_b64"]),
                         b"hello world\nhello| world\nhellll|||b|")
        write(pol, json.dumps(x07test.base_policy()))  # fs disabled: the first read is refused
        _, rep = x07test.runner_report(["--program", self.prog, "--world", "run-os-sandboxed", "--policy", pol],
                                       cwd=self.dir)
        self.assertIn("disabled by policy", rep["solve"]["trap"] or "")


if __name__ == "__main__":
    unittest.main()
