#!/usr/bin/env python3
"""Core runtime stress (runtime/core_*.c without the compiler): the arena under
random alloc/free of small and large blocks (integrity, 16-byte alignment,
zero-fill, mem_stats, coalescing), vec growth (in place at the arena's top, counted as
new + copy + free), and map_u32/set_u32 against a
reference model; the arena's out-of-memory trap."""
import os
import shutil
import subprocess
import tempfile
import unittest

REPO = os.environ.get("X07_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RUNTIME = os.path.join(REPO, "x07-os-runner", "runtime")
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "core_runtime", "stress.c")


class CoreRuntime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="x07-corert-")
        cls.exe = os.path.join(cls.tmp, "stress")
        srcs = sorted(os.path.join(RUNTIME, f) for f in os.listdir(RUNTIME)
                      if f.startswith("core_") and f.endswith(".c"))
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-D_GNU_SOURCE", "-I", RUNTIME,
                        "-o", cls.exe, DRIVER] + srcs, check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_mode(self, *args):
        return subprocess.run([self.exe] + list(args), capture_output=True, text=True, timeout=120)

    def test_arena_random_alloc_free(self):
        for seed in ("1", "2", "3"):
            p = self.run_mode("arena", seed)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertTrue(p.stdout.startswith("ok "), p.stdout)

    def test_vec_growth(self):
        p = self.run_mode("vec")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "ok %d\n" % (4 << 20))

    def test_vec_growth_in_place_counts_as_copy(self):
        for seed in ("1", "2", "3"):
            p = self.run_mode("vecmix", seed)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertTrue(p.stdout.startswith("ok "), p.stdout)

    def test_tables_match_reference(self):
        for seed in ("5", "6"):
            p = self.run_mode("tables", seed)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(p.stdout, "ok 100000\n")

    def test_out_of_memory_traps(self):
        p = self.run_mode("oom")
        self.assertIn(p.returncode, (-4, -5), p.stderr)  # SIGILL (x86-64) / SIGTRAP (aarch64)
        self.assertEqual(p.stderr, "out of memory\n")


if __name__ == "__main__":
    unittest.main()
