"""The native artifact cache: hits skip the C compiler, concurrent runs share one
entry safely, --compiled-out copies, and the size cap evicts least-recently-used entries."""
import concurrent.futures
import json
import os
import time
import unittest

import x07test
from x07test import RunnerTestCase, TempDir, runner_report, write_program


def entries(cache):
    return sorted(n for n in os.listdir(cache)
                  if n not in ("meta", "rt", "src") and not n.startswith(".") and os.path.isdir(os.path.join(cache, n)))


class Cache(RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        if not x07test.compiler_works():
            raise unittest.SkipTest("x07 compiler cannot build programs yet")

    def setUp(self):
        self.tmp = TempDir()
        self.d = self.tmp.path
        self.cache = os.path.join(self.d, "cache")
        self.env = {"X07_NATIVE_CACHE_DIR": self.cache}
        # Share the (slow to build) runtime libraries already published in the suite's cache;
        # entries are linked one by one so other runs' in-progress builds stay invisible.
        shared_rt = os.path.join(os.environ.get("X07_NATIVE_CACHE_DIR", ""), "rt")
        os.makedirs(os.path.join(self.cache, "rt"))
        # Only the most recently used library (this runner's): older variants left by earlier
        # builds would otherwise be the first LRU victims and skew the eviction test.
        libs = [os.path.join(shared_rt, n) for n in (os.listdir(shared_rt) if os.path.isdir(shared_rt) else [])
                if not n.startswith(".") and os.path.isfile(os.path.join(shared_rt, n, "libx07rt.a"))]
        if libs:
            newest = max(libs, key=lambda d: os.path.getmtime(os.path.join(d, "libx07rt.a")))
            os.symlink(newest, os.path.join(self.cache, "rt", os.path.basename(newest)))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def test_hit_and_miss(self):
        prog = write_program(self.d, ["bytes.lit", "cache me"])
        _, first = runner_report(["--program", prog], expect_exit=0, env=self.env)
        exe = first["compile"]["compiled_exe"]
        self.assertTrue(exe.startswith(self.cache + "/"), exe)
        self.assertTrue(exe.endswith("/solver"))
        self.assertEqual(len(entries(self.cache)), 1)
        _, again = runner_report(["--program", prog], expect_exit=0, env=self.env)
        self.assertEqual(again["compile"]["compiled_exe"], exe)
        self.assertEqual(again["compile"]["stdout_b64"], "")
        self.assertEqual(again["compile"]["stderr_b64"], "")
        # Fuel is baked into the executable, so it is part of the key.
        _, other = runner_report(["--program", prog, "--solve-fuel", "123456"], expect_exit=0, env=self.env)
        self.assertNotEqual(other["compile"]["compiled_exe"], exe)
        self.assertEqual(len(entries(self.cache)), 2)

    def test_concurrent_runs_share_one_entry(self):
        prog = write_program(self.d, ["bytes.lit", "together"])
        args = ["--program", prog]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: runner_report(args, expect_exit=0, env=self.env)[1], range(4)))
        exes = {r["compile"]["compiled_exe"] for r in results}
        self.assertEqual(len(exes), 1)
        for r in results:
            self.assertEqual(x07test.b64d(r["solve"]["solve_output_b64"]), b"together")
        entry_dir = os.path.dirname(exes.pop())
        left = sorted(n for n in os.listdir(entry_dir) if not n.startswith("src-"))  # src-*: warm-path manifests
        self.assertEqual(left, ["solver"], "temporary files left behind")

    def test_compiled_out_is_a_copy(self):
        prog = write_program(self.d, ["bytes.lit", "copy"])
        out = os.path.join(self.d, "nested", "dir", "prog")
        _, rep = runner_report(["--program", prog, "--compiled-out", out], expect_exit=0, env=self.env)
        self.assertEqual(rep["compile"]["compiled_exe"], out)
        self.assertTrue(os.access(out, os.X_OK))
        p = x07test.run([out], input_bytes=b"\0\0\0\0")
        self.assertEqual(p.stdout, b"\4\0\0\0copy")

    def test_lru_eviction_respects_cap(self):
        progs = [write_program(self.d, ["bytes.lit", "entry %d" % i], name="p%d.x07.json" % i) for i in range(3)]
        exes = [runner_report(["--program", p], expect_exit=0, env=self.env)[1]["compile"]["compiled_exe"]
                for p in progs]
        size = os.path.getsize(exes[0])
        # Age the entries (recently used ones are protected); p1 is the most recently used of them.
        now = time.time()
        for i, exe in enumerate(exes):
            os.utime(exe, (now - 3600 + i * 60, now - 3600 + i * 60))
        _, rep = runner_report(["--program", progs[0]], expect_exit=0, env=self.env)  # hit: touches p0
        self.assertEqual(rep["compile"]["compiled_exe"], exes[0])
        env = dict(self.env, X07_NATIVE_CACHE_MAX_BYTES=str(int(size * 2.5) + self.rt_size()))
        newest = write_program(self.d, ["bytes.lit", "newest"], name="p3.x07.json")
        _, rep = runner_report(["--program", newest], expect_exit=0, env=env)
        left = {os.path.join(self.cache, e, "solver") for e in entries(self.cache)}
        self.assertIn(rep["compile"]["compiled_exe"], left)
        self.assertIn(exes[0], left, "the recently used entry was evicted")
        self.assertNotIn(exes[1], left, "the least recently used entry survived")

    def test_stale_temporaries_are_removed(self):
        prog = write_program(self.d, ["bytes.lit", "first"])
        exe = runner_report(["--program", prog], expect_exit=0, env=self.env)[1]["compile"]["compiled_exe"]
        leftover = os.path.join(os.path.dirname(exe), "solver_999999_0.c")
        fresh = os.path.join(os.path.dirname(exe), "solver_999999_1.c")
        build_leftover = os.path.join(self.cache, "solver_999999_2")  # builds happen beside the entries
        for p in (leftover, fresh, build_leftover):
            with open(p, "w") as f:
                f.write("int x;")
        old = time.time() - 7200
        os.utime(leftover, (old, old))
        os.utime(build_leftover, (old, old))
        other = write_program(self.d, ["bytes.lit", "second"], name="other.x07.json")
        os.unlink(os.path.join(self.cache, "meta", "upkeep"))  # upkeep runs at most once an hour
        runner_report(["--program", other], expect_exit=0, env=self.env)  # a miss runs the cache upkeep
        self.assertFalse(os.path.exists(leftover), "stale temporary survived")
        self.assertFalse(os.path.exists(build_leftover), "stale build temporary survived")
        self.assertTrue(os.path.exists(fresh), "a possibly in-use temporary was removed")

    def test_warm_path_sees_module_changes(self):
        def module(text):
            return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": "greet",
                               "imports": [], "decls": [{"kind": "export", "names": ["greet.word"]},
                                                        {"kind": "defn", "name": "greet.word", "params": [],
                                                         "result": "bytes", "body": ["bytes.lit", text]}]})
        root1, root2 = os.path.join(self.d, "r1"), os.path.join(self.d, "r2")
        os.makedirs(root1)
        os.makedirs(root2)
        mod = os.path.join(root2, "greet.x07.json")
        with open(mod, "w") as f:
            f.write(module("one"))
        prog = write_program(self.d, ["greet.word"], imports=["greet"])
        args = ["--program", prog, "--module-root", root1, "--module-root", root2]

        def output():
            rep = runner_report(args, expect_exit=0, env=self.env)[1]
            return x07test.b64d(rep["solve"]["solve_output_b64"]), rep["compile"]

        self.assertEqual(output()[0], b"one")
        out, comp = output()  # warm: same answer and the same compile facts without the front end
        self.assertEqual(out, b"one")
        self.assertGreater(comp["c_source_size"], 0)
        with open(mod, "w") as f:  # same size, same second: only the content tells
            f.write(module("two"))
        self.assertEqual(output()[0], b"two")
        # The same module appearing in an earlier root makes the import ambiguous.
        with open(os.path.join(root1, "greet.x07.json"), "w") as f:
            f.write(module("three"))
        p, rep = runner_report(args, env=self.env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ambiguous", rep["compile"]["compile_error"])

    def test_cap_holds_after_many_fast_compiles(self):
        first = write_program(self.d, ["bytes.lit", "sizing"], name="s.x07.json")
        size = os.path.getsize(runner_report(["--program", first], expect_exit=0, env=self.env)[1]["compile"]["compiled_exe"])
        cap = int(size * 3.5) + self.rt_size()
        env = dict(self.env, X07_NATIVE_CACHE_MAX_BYTES=str(cap))
        progs = [write_program(self.d, ["bytes.lit", "fast %d" % i], name="f%d.x07.json" % i) for i in range(12)]
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            reps = list(pool.map(lambda p: runner_report(["--program", p], env=env)[1], progs))
        for i, rep in enumerate(reps):
            self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), b"fast %d" % i)
        total = sum(os.path.getsize(os.path.join(self.cache, e, "solver")) for e in entries(self.cache))
        self.assertLessEqual(total + self.rt_size(), cap + size, "cache over its cap by more than one entry")
        self.assertGreaterEqual(len(entries(self.cache)), 2)

    def test_large_output_round_trips(self):
        # Past the runner's in-memory threshold the output is spooled to a file and streamed
        # into the report; the bytes must come back exactly.
        n = 3 * 1024 * 1024 + 7
        prog = write_program(self.d, ["bytes.alloc", n])
        _, rep = runner_report(["--program", prog, "--max-output-bytes", str(n)], expect_exit=0, env=self.env)
        self.assertEqual(x07test.b64d(rep["solve"]["solve_output_b64"]), bytes(n))
        self.assertEqual(x07test.b64d(rep["solve"]["stdout_b64"]), n.to_bytes(4, "little") + bytes(n))

    def rt_size(self):
        total = 0
        rt = os.path.join(self.cache, "rt")
        for name in os.listdir(rt):
            if name.startswith("."):
                continue
            for root, _, files in os.walk(os.path.join(rt, name), followlinks=True):
                total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        return total


if __name__ == "__main__":
    unittest.main()
