"""Where the runner finds its OS std modules, and which copy of a module wins.

- Only relative to the runner binary (build tree and install tree), never the cwd: the same
  command gives the same result wherever it is run.
- A module the user's roots (project packages, --module-root) provide wins over the runner's
  own OS-root copy; two user roots holding it stay ambiguous (upstream's rule).
"""
import json
import os
import shutil
import unittest
import uuid

import x07test
from x07test import TempDir, write, write_program, b64d


def module(module_id, text):
    return json.dumps({"schema_version": "x07.x07ast@0.8.0", "kind": "module", "module_id": module_id,
                       "imports": [], "decls": [
                           {"kind": "export", "names": [module_id + ".marker"]},
                           {"kind": "defn", "name": module_id + ".marker", "params": [], "result": "bytes",
                            "body": ["bytes.lit", text]}]})


def output(rep):
    return b64d(rep["solve"]["solve_output_b64"])


class Locate(unittest.TestCase):
    def test_cwd_stdlib_folder_is_ignored(self):
        with TempDir() as d:
            # A broken std.os.env under ./stdlib/os/0.2.0/modules must not be picked up.
            write(os.path.join(d, "stdlib/os/0.2.0/modules/std/os/env.x07.json"), "{ not json")
            tag = uuid.uuid4().hex
            prog = write_program(d, ["bytes.lit", tag], imports=["std.os.env"])
            _, rep = x07test.runner_report(["--program", prog, "--world", "run-os"], expect_exit=0, cwd=d)
            self.assertEqual(output(rep), tag.encode())

    def test_fs_smoke_from_a_checkout_root_with_its_own_stdlib(self):
        """Upstream's fs smoke program reads `ci/fixtures/...` relative to the checkout root, and that
        root holds upstream's own stdlib/os (without std.os.fs). Run from there, our runner used to take
        that folder as its OS root (unknown module std.os.fs); run elsewhere, the relative read failed
        (FAIL_read_a_not_ok). Now the cwd only matters for the program's own relative paths."""
        with TempDir() as d:
            write(os.path.join(d, "stdlib/os/0.2.0/modules/std/os/env.x07.json"), module("std.os.env", "theirs"))
            write(os.path.join(d, "ci/fixtures/a.txt"), "A\n")
            read = ["std.os.fs.read_all_v1", ["bytes.lit", "ci/fixtures/a.txt"], ["std.os.fs.spec.caps_default_v1"]]
            prog = write_program(d, ["begin",
                                     ["if", ["!=", ["result_bytes.err_code", read], 0],
                                      ["return", ["bytes.lit", "FAIL_read_a_not_ok"]], 0],
                                     ["result_bytes.unwrap_or", read, ["bytes.alloc", 0]]],
                                 imports=["std.bytes", "std.os.fs", "std.os.fs.spec"])
            _, rep = x07test.runner_report(["--program", prog, "--world", "run-os"], expect_exit=0, cwd=d)
            self.assertEqual(output(rep), b"A\n")

    def test_relocated_binary_without_modules_says_where_it_looked(self):
        with TempDir() as d:
            os.makedirs(os.path.join(d, "bin"))
            runner = os.path.join(d, "bin", "x07-os-runner")
            shutil.copy2(x07test.runner_path(), runner)
            prog = write_program(d, ["bytes.lit", "x"], imports=["std.os.env"])
            # Even run from the repository (which holds x07-os-runner/stdlib/os) it finds nothing.
            p = x07test.run([runner, "--program", prog, "--world", "run-os"], cwd=x07test.REPO)
            self.assertNotEqual(p.returncode, 0)
            err = p.stderr.decode()
            self.assertIn("could not locate stdlib/os module root", err)
            self.assertIn(os.path.join(d, "bin", "..", "share", "x07", "stdlib", "os", "0.2.0", "modules"), err)
            self.assertNotIn("  - stdlib/os/0.2.0/modules\n", err)

    def test_install_layout_beside_the_binary(self):
        with TempDir() as d:
            os.makedirs(os.path.join(d, "bin"))
            os.makedirs(os.path.join(d, "share", "x07", "stdlib"))
            runner = os.path.join(d, "bin", "x07-os-runner")
            shutil.copy2(x07test.runner_path(), runner)
            shutil.copytree(os.path.join(x07test.REPO, "x07-os-runner", "stdlib", "os"),
                            os.path.join(d, "share", "x07", "stdlib", "os"))
            tag = uuid.uuid4().hex
            prog = write_program(d, ["bytes.lit", tag], imports=["std.os.env"])
            p = x07test.run([runner, "--program", prog, "--world", "run-os"], cwd="/")
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            self.assertEqual(output(json.loads(p.stdout)), tag.encode())


class Precedence(unittest.TestCase):
    def test_package_root_module_wins_over_builtin_os_copy(self):
        with TempDir() as d:
            pkg = os.path.join(d, "pkg")
            write(os.path.join(pkg, "std/os/fs.x07.json"), module("std.os.fs", "from-package"))
            write(os.path.join(pkg, "ext/time/duration.x07.json"), module("ext.time.duration", "+pkg-time"))
            prog = write_program(d, ["bytes.concat", ["std.os.fs.marker"], ["ext.time.duration.marker"]],
                                 imports=["std.os.fs", "ext.time.duration"])
            _, rep = x07test.runner_report(["--program", prog, "--world", "run-os", "--module-root", pkg],
                                           expect_exit=0, cwd=d)
            self.assertEqual(output(rep), b"from-package+pkg-time")

    def test_two_user_roots_are_still_ambiguous(self):
        with TempDir() as d:
            for name in ("a", "b"):
                write(os.path.join(d, name, "std/os/fs.x07.json"), module("std.os.fs", name))
            prog = write_program(d, ["std.os.fs.marker"], imports=["std.os.fs"])
            _, rep = x07test.runner_report(["--program", prog, "--world", "run-os", "--module-root",
                                            os.path.join(d, "a"), "--module-root", os.path.join(d, "b")],
                                           expect_exit=1, cwd=d)
            self.assertIn('module "std.os.fs" is ambiguous across roots', rep["compile"]["compile_error"])


if __name__ == "__main__":
    unittest.main()
