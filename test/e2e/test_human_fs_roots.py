"""Allowed fs roots mean the same directory whichever way they are written (issue 11):
`--allow-write-root $PWD/results` and `--allow-write-root results` both let the program
write results/out.txt, and an absolute path inside an allowed root works for
os.fs.read_file / os.fs.write_file; an absolute path outside every root is refused with
the path and the roots in trap_help."""
import json
import os
import unittest

import x07test
from x07test import TempDir, write, write_program, base_policy

FS = {"enabled": True, "read_roots": [], "write_roots": [], "deny_hidden": True}


def fs_policy(read_roots=(), write_roots=()):
    fs = dict(FS, read_roots=list(read_roots), write_roots=list(write_roots))
    return base_policy(fs=fs, threads={"enabled": True, "max_workers": 0, "max_blocking": 4, "max_queue": 1024})


@unittest.skipUnless(x07test.compiler_works(), "compiler not available")
class FsRoots(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.d = os.path.realpath(self.tmp.path)
        os.makedirs(os.path.join(self.d, "results"))
        write(os.path.join(self.d, "data", "in.txt"), "input bytes")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def run_sandboxed(self, solve, policy, name):
        prog = write_program(self.d, solve, name + ".x07.json")
        pol = write(os.path.join(self.d, name + ".policy.json"), json.dumps(policy))
        return x07test.runner_report(["--program", prog, "--world", "run-os-sandboxed", "--policy", pol],
                                     cwd=self.d)

    def write_rc(self, path):
        return ["begin", ["let", "rc", ["os.fs.write_file", ["bytes.lit", path], ["bytes.lit", "hi"]]],
                ["fmt.u32_to_dec", "rc"]]

    def test_absolute_and_relative_write_roots_are_the_same_dir(self):
        for i, root in enumerate(["results", os.path.join(self.d, "results"), "./results/"]):
            for j, path in enumerate(["results/out.txt", "out.txt", os.path.join(self.d, "results", "out.txt")]):
                with self.subTest(root=root, path=path):
                    target = os.path.join(self.d, "results", "out.txt")
                    if os.path.exists(target):
                        os.remove(target)
                    _, rep = self.run_sandboxed(self.write_rc(path), fs_policy(write_roots=[root]), "w%d%d" % (i, j))
                    solve = rep["solve"]
                    self.assertEqual((solve["trap"], x07test.b64d(solve["solve_output_b64"])), (None, b"0"))
                    with open(target) as f:
                        self.assertEqual(f.read(), "hi")

    def test_absolute_read_inside_and_outside_the_roots(self):
        inside = os.path.join(self.d, "data", "in.txt")
        _, rep = self.run_sandboxed(["os.fs.read_file", ["bytes.lit", inside]], fs_policy(read_roots=["data"]), "r1")
        self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"input bytes")
        _, rep = self.run_sandboxed(["os.fs.read_file", ["bytes.lit", "/etc/hostname"]],
                                    fs_policy(read_roots=["data"]), "r2")
        self.assertEqual(rep["solve"]["trap"], "os.fs.read_file unsafe path", "upstream's trap text")
        self.assertIn("refused: /etc/hostname (absolute path outside fs.read_roots)", rep["solve"]["trap_help"])
        self.assertIn("fs.read_roots=[data]", rep["solve"]["trap_help"])

    def test_facade_allow_write_root_forms_agree(self):
        pol = write(os.path.join(self.d, "base.json"), json.dumps(fs_policy(write_roots=[])))
        prog = write_program(self.d, self.write_rc("results/out.txt"), "facade.x07.json")
        for root in ["results", os.path.join(self.d, "results")]:
            with self.subTest(root=root):
                p = x07test.run_x07(["run", "--report", "text", "--program", prog, "--world", "run-os-sandboxed",
                                     "--policy", pol, "--allow-write-root", root], cwd=self.d)
                self.assertEqual((p.returncode, p.stdout), (0, b"0"), p.stderr)


if __name__ == "__main__":
    unittest.main()
