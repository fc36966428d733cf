"""fs.read / fs.open_read / fs.list_dir in the OS worlds (upstream compiles them into run-os
and run-os-sandboxed; ext-curl-c reads downloaded files with fs.open_read): paths relative to
the working directory under upstream's safe-path rule, and in run-os-sandboxed the fs policy
decides (fs enabled, deny_hidden, the resolved path inside a read root; runtime/world_fs.c)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import x07test as t  # noqa: E402


def vlit(s):
    return ["bytes.view_lit", s]


@unittest.skipUnless(t.compiler_works(), "compiler not available yet")
class OsWorldFsBuiltins(t.RunnerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = t.TempDir("x07fsw_")
        cls.d = cls.tmp.path
        t.write(os.path.join(cls.d, "data", "a.txt"), "alpha\n")
        t.write(os.path.join(cls.d, "data", "b.txt"), "beta\n")
        t.write(os.path.join(cls.d, "data", ".hidden"), "h\n")
        t.write(os.path.join(cls.d, "secret", "s.txt"), "TOPSECRET\n")
        os.symlink(os.path.join(cls.d, "secret", "s.txt"), os.path.join(cls.d, "data", "link"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.__exit__(None, None, None)

    def run_prog(self, solve, world="run-os", policy=None, imports=()):
        prog = t.write_program(self.d, solve, name="p_%s.x07.json" % self._testMethodName, imports=imports)
        args = ["--program", prog, "--world", world]
        if policy is not None:
            pol = t.base_policy()
            pol["fs"].update(policy)
            args += ["--policy", t.write(os.path.join(self.d, "pol_%s.json" % self._testMethodName), json.dumps(pol))]
        _, rep = t.runner_report(args, cwd=self.d)
        return t.b64d(rep["solve"]["solve_output_b64"]), rep["solve"]["trap"]

    def read(self, path, **kw):
        return self.run_prog(["fs.read", vlit(path)], **kw)

    def open_read(self, path, **kw):
        return self.run_prog(["std.io.read_all", ["fs.open_read", vlit(path)]], imports=["std.io"], **kw)

    def test_run_os_reads_relative_to_the_working_directory(self):
        self.assertEqual(self.read("data/a.txt"), (b"alpha\n", None))
        self.assertEqual(self.open_read("data/b.txt"), (b"beta\n", None))
        self.assertEqual(self.run_prog(["fs.list_dir", vlit("data")]), (b".hidden\na.txt\nb.txt\nlink\n", None))

    def test_unsafe_and_missing_paths(self):
        for path in ("../x", "/etc/passwd", "data/../secret/s.txt", "", "data//a.txt"):
            self.assertEqual(self.read(path)[1], "fs.read unsafe path", path)
        self.assertEqual(self.open_read("data/missing")[1], "fs.open_read open failed path=data/missing")

    def test_sandboxed_follows_the_fs_policy(self):
        sb = dict(world="run-os-sandboxed")
        self.assertEqual(self.read("data/a.txt", policy={"enabled": False}, **sb)[1],
                         "fs.read denied by policy path=data/a.txt")
        roots = {"enabled": True, "read_roots": ["data"]}
        self.assertEqual(self.read("data/a.txt", policy=roots, **sb), (b"alpha\n", None))
        self.assertEqual(self.open_read("data/b.txt", policy=roots, **sb), (b"beta\n", None))
        self.assertEqual(self.read("secret/s.txt", policy=roots, **sb)[1],
                         "fs.read denied by policy path=secret/s.txt")
        # a link inside the root to a file outside it is judged by its target
        self.assertEqual(self.open_read("data/link", policy=roots, **sb)[1],
                         "fs.open_read denied by policy path=data/link")
        self.assertEqual(self.read("data/.hidden", policy=roots, **sb)[1], "fs.read denied by policy path=data/.hidden")
        self.assertEqual(self.read("data/.hidden", policy=dict(roots, deny_hidden=False), **sb), (b"h\n", None))
        self.assertEqual(self.run_prog(["fs.list_dir", vlit("secret")], policy=roots, **sb)[1],
                         "fs.list_dir denied by policy path=secret")


if __name__ == "__main__":
    unittest.main()
