"""Filesystem capability through real x07 programs: FS v1 smoke (run-os and a
permissive sandbox policy), denials with err 60001/60003 under a narrow policy
(with and without the kernel sandbox) that leave the disk unchanged, and the
built-in os.fs.read_file/write_file traps."""
import os
import unittest

import os_e2e as oe
import x07test as t


def slurp(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def snapshot(root):
    out = []
    for d, dirs, files in os.walk(root):
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            data = slurp(p) if os.path.isfile(p) and not os.path.islink(p) else None
            out.append((os.path.relpath(p, root), os.path.islink(p), data))
    return sorted(out)


class FsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = t.TempDir()
        self.dir = self.tmp.path
        t.write(os.path.join(self.dir, "allowed/a.txt"), "A\n")
        t.write(os.path.join(self.dir, "allowed/b.txt"), "B\n")
        t.write(os.path.join(self.dir, "allowed/sub/c.txt"), "C\n")
        t.write(os.path.join(self.dir, "secret/s.txt"), "S\n")
        os.makedirs(os.path.join(self.dir, "out"))
        os.symlink(os.path.join(self.dir, "secret/s.txt"), os.path.join(self.dir, "allowed/link"))

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def fs_policy(self, **fs):
        sec = {"enabled": True, "read_roots": ["allowed", "out"], "write_roots": ["out"], "deny_hidden": True}
        sec.update(fs)
        return t.base_policy(fs=sec)

    def test_smoke_ok_run_os(self):
        os.unlink(os.path.join(self.dir, "allowed/link"))
        o = oe.run_program(oe.program_path("fs_smoke_ok"), self.dir)
        self.assertEqual((o.output, o.trap), (b"OK", None), o.solve)
        self.assertEqual(sorted(os.listdir(os.path.join(self.dir, "out"))), ["c_copy.txt"])

    def test_smoke_ok_sandboxed_permissive(self):
        os.unlink(os.path.join(self.dir, "allowed/link"))
        pol = self.fs_policy(allow_mkdir=True, allow_remove=True, allow_rename=True, allow_walk=True,
                             allow_glob=True)
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = oe.run_program(oe.program_path("fs_smoke_ok"), self.dir, "run-os-sandboxed", pol, args)
                self.assertEqual((o.output, o.trap), (b"OK", None), o.solve)
                self.assertEqual(o.report["sandbox_backend"], name)
                os.unlink(os.path.join(self.dir, "out/c_copy.txt"))

    def test_policy_deny_leaves_disk_unchanged(self):
        pol = t.base_policy(fs={"enabled": True, "read_roots": ["allowed"], "write_roots": [], "deny_hidden": True})
        before = snapshot(self.dir)
        want = (b"read_ok=0;read_secret=60001;read_dotdot=60003;read_link=60001;list=60001;write=60001;"
                b"write_atomic=60001;remove=60001;")
        for name, args in oe.BACKENDS:
            with self.subTest(backend=name):
                o = oe.run_program(oe.program_path("fs_policy_deny"), self.dir, "run-os-sandboxed", pol, args)
                self.assertEqual((o.output, o.trap), (want, None), o.solve)
                after = [e for e in snapshot(self.dir) if not e[0].startswith("policy-")]
                self.assertEqual(after, [e for e in before if not e[0].startswith("policy-")])

    def test_fs_disabled_code(self):
        pol = t.base_policy()
        o = oe.run_program(oe.program_path("fs_policy_deny"), self.dir, "run-os-sandboxed", pol,
                           oe.BACKENDS[1][1])
        self.assertTrue(o.output.startswith(b"read_ok=60002;read_secret=60002;"), o.output)

    def builtin_prog(self, solve):
        return oe.write_entry(self.dir, "builtin", oe.entry(solve, ["std.world.fs"]))

    def test_builtin_read_write_file(self):
        prog = self.builtin_prog(["begin",
                                  ["std.world.fs.write_file", ["bytes.view_lit", "w.txt"], oe.lit("data")],
                                  ["std.world.fs.read_file", ["bytes.view_lit", "a.txt"]]])
        pol = t.base_policy(fs={"enabled": True, "read_roots": ["allowed"], "write_roots": ["out"],
                                "deny_hidden": True})
        o = oe.run_program(prog, self.dir, "run-os-sandboxed", pol, oe.BACKENDS[1][1])
        self.assertEqual((o.output, o.trap), (b"A\n", None), o.solve)
        self.assertEqual(slurp(os.path.join(self.dir, "out/w.txt")), b"data")

    def test_builtin_traps(self):
        pol = t.base_policy(fs={"enabled": True, "read_roots": ["allowed"], "write_roots": ["out"],
                                "deny_hidden": True})
        cases = [("../secret/s.txt", "os.fs.read_file unsafe path"),
                 (".hidden", "os.fs.read_file hidden path denied"),
                 ("link", "os.fs.read_file open failed path=allowed/link")]
        for path, trap in cases:
            with self.subTest(path=path):
                prog = self.builtin_prog(["std.world.fs.read_file", ["bytes.view_lit", path]])
                o = oe.run_program(prog, self.dir, "run-os-sandboxed", pol, oe.BACKENDS[1][1])
                self.assertEqual(o.trap, trap, o.solve)
                self.assertEqual(o.solve["ok"], False)
        o = oe.run_program(self.builtin_prog(["std.world.fs.read_file", ["bytes.view_lit", "a.txt"]]), self.dir,
                           "run-os-sandboxed", t.base_policy(), oe.BACKENDS[1][1])
        self.assertEqual(o.trap, "os.fs disabled by policy")


if __name__ == "__main__":
    unittest.main()
